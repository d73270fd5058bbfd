/**
 * Reading PyTorch {@code .pth}/{@code .pt} checkpoints (the {@code torch.save} zip format) without
 * executing code: {@link dev.efficientnet.core.io.torch.TorchFile}.
 */
package dev.efficientnet.core.io.torch;
