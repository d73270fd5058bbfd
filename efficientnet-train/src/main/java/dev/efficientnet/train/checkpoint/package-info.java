/** Atomic, resumable training checkpoints (one safetensors file: model, EMA, optimizer, run state). */
package dev.efficientnet.train.checkpoint;
