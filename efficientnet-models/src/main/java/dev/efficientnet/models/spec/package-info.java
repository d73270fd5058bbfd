/**
 * Pure-data EfficientNet V1/V2 model specifications: stage tables, channel/depth rounding,
 * compound scaling, presets, block strings, and exact parameter and MAC counts.
 *
 * <p>Nothing in this package touches tensors: every type is a record, an enum or plain
 * arithmetic, so the spec of an EfficientNet-B7 or V2-L (its blocks, parameter count and
 * per-stage MACs) is computed instantly. The model builder turns {@link
 * dev.efficientnet.models.spec.ModelSpec#blocks()} into layers one to one.
 *
 * <p>Entry points: {@link dev.efficientnet.models.spec.Presets} for the named models,
 * {@link dev.efficientnet.models.spec.StageTables} for the base tables, {@link
 * dev.efficientnet.models.spec.BlockStrings} for timm/automl block strings.
 */
package dev.efficientnet.models.spec;
