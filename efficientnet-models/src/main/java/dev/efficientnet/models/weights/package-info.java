/**
 * Weight import/export and reference conformance.
 *
 * <ul>
 *   <li>{@link dev.efficientnet.models.weights.Weights}: load a safetensors checkpoint (or a map of
 *       tensors) in timm, torchvision or this library's native naming into any
 *       {@link dev.efficientnet.models.EfficientNet}, strictly and atomically; export a model in any
 *       of the three namings, PyTorch layouts for timm/torchvision.</li>
 *   <li>{@link dev.efficientnet.models.weights.NameMapping}: the per-tensor correspondence between
 *       the three namings, derived from the model's module tree.</li>
 *   <li>{@link dev.efficientnet.models.weights.Conformance}: the tensors a reference run produces
 *       (eval logits/features/activations; one train step's logits, loss, gradients and updated BN
 *       statistics) and their comparison with a reference, e.g. a {@link
 *       dev.efficientnet.models.weights.ReferenceFixture}.</li>
 * </ul>
 *
 * See {@code docs/weights.md} for the step-by-step guide.
 */
package dev.efficientnet.models.weights;
