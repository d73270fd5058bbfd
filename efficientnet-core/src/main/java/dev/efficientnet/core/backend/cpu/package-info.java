/**
 * The CPU backend: ND4J arrays and their native build, oneDNN 2.5 for the convolutions, and Java
 * kernels (small GEMMs, depthwise backward, batch norm, optimizer updates); also the OpenMP
 * wait-policy setup done before the native library loads (README "Process environment").
 */
package dev.efficientnet.core.backend.cpu;
