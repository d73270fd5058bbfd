/**
 * Files: safetensors reading and writing ({@link dev.efficientnet.core.io.Safetensors}), a small
 * strict JSON parser and writer ({@link dev.efficientnet.core.io.Json}), and atomic file replacement
 * ({@link dev.efficientnet.core.io.AtomicFiles}).
 */
package dev.efficientnet.core.io;
