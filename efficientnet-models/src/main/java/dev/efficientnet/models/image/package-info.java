/**
 * Image input and eval preprocessing: decoding files to RGB ({@link
 * dev.efficientnet.models.image.Images}), PIL-exact antialiased bilinear/bicubic resizing and
 * center cropping ({@link dev.efficientnet.models.image.ImageTransforms}), and the timm eval
 * transform producing normalized float32 NCHW tensors ({@link
 * dev.efficientnet.models.image.ImagePreprocessing}).
 *
 * <p>Images are {@link dev.efficientnet.models.image.RgbImage}s: interleaved HWC float samples on
 * the 0..255 scale. Conversions follow PIL's {@code convert("RGB")} and resizes follow PIL's {@code
 * Image.resize}, because timm's eval transforms run on PIL images.
 */
package dev.efficientnet.models.image;
