package dev.efficientnet.models.spec;

/**
 * The two EfficientNet block kinds.
 *
 * <p>Layer sequences (every BN is followed by the model activation unless noted):
 * <ul>
 *   <li>{@link #MBCONV}, expand &ne; 1: 1&times;1 expand conv+BN+act &rarr; k&times;k depthwise
 *       conv (stride s)+BN+act &rarr; SE &rarr; 1&times;1 project conv+BN (no act).</li>
 *   <li>{@link #MBCONV}, expand = 1 (V1 stage 1, timm {@code ds}): no expand conv; depthwise
 *       conv+BN+act &rarr; SE &rarr; 1&times;1 project conv+BN (no act).</li>
 *   <li>{@link #FUSED_MBCONV}, expand &ne; 1 (timm {@code er}): k&times;k conv (stride s)
 *       in&rarr;mid +BN+act &rarr; [SE] &rarr; 1&times;1 project conv+BN (no act).</li>
 *   <li>{@link #FUSED_MBCONV}, expand = 1 (V2 stage 1, timm {@code cn}): a single k&times;k conv
 *       in&rarr;out +BN+<b>act</b>; no project conv, no SE.</li>
 * </ul>
 * A residual (with drop path) is added only when stride is 1 and in == out channels.
 */
public enum BlockType {
    /** Mobile inverted bottleneck: (1&times;1 expand) &rarr; depthwise k&times;k &rarr; SE &rarr; 1&times;1 project. */
    MBCONV,
    /** Fused MBConv (EfficientNetV2): the expand and depthwise convs fused into one regular k&times;k conv. */
    FUSED_MBCONV
}
