package dev.efficientnet.models.weights;

import dev.efficientnet.core.tensor.Tensor;
import dev.efficientnet.layers.BatchNorm2d;
import dev.efficientnet.layers.Block;
import dev.efficientnet.layers.Conv2d;
import dev.efficientnet.layers.ConvBnAct;
import dev.efficientnet.layers.FusedMBConv;
import dev.efficientnet.layers.Head;
import dev.efficientnet.layers.Linear;
import dev.efficientnet.layers.MBConv;
import dev.efficientnet.layers.Module;
import dev.efficientnet.layers.Sequential;
import dev.efficientnet.layers.SqueezeExcite;
import dev.efficientnet.models.EfficientNet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The correspondence between the native, timm and torchvision names of every tensor of one
 * {@link EfficientNet}, with each tensor's layout. It is derived from the model's module tree, so
 * it follows the model: modules (not tensors) are mapped, and each tensor keeps its leaf name
 * ({@code weight}, {@code bias}, {@code running_mean}, {@code running_var}) in every naming.
 *
 * <p>Module correspondence:
 * <pre>
 * native                      timm                               torchvision
 * stem.conv / stem.bn         conv_stem / bn1                    features.0.0 / features.0.1
 * stages.S.B.&lt;child&gt;          blocks.S.B.&lt;see below&gt;             features.(S+1).B.block.K  (K counts the
 *                                                                block's children in order; conv .0, BN .1)
 *   MBConv  e&gt;1: expand, dw, se, project  → conv_pw/bn1, conv_dw/bn2, se.conv_reduce|conv_expand, conv_pwl/bn3
 *   MBConv  e=1: dw, se, project          → conv_dw/bn1, se.*, conv_pw/bn2            (timm "ds")
 *   Fused   e&gt;1: expand, [se], project    → conv_exp/bn1, [se.*], conv_pwl/bn2        (timm "er")
 *   Fused   e=1: conv                     → conv/bn1                                  (timm "cn"; torchvision block.0)
 *   SE reduce / expand                    → se.conv_reduce / se.conv_expand; torchvision block.K.fc1 / fc2
 * head.conv / head.bn         conv_head / bn2                    features.(stages+1).0 / .1
 * head.classifier             classifier                         classifier.1
 * </pre>
 */
public final class NameMapping {

    /**
     * One tensor.
     *
     * @param names       its name in each naming
     * @param layout      how its layout differs between native and PyTorch
     * @param nativeShape its shape in this library
     * @param buffer      true for BN running statistics (not trainable)
     * @param classifier  true for the classifier's weight and bias
     */
    public record Entry(Map<Naming, String> names, TensorLayout layout, int[] nativeShape, boolean buffer,
                        boolean classifier) {
        /**
         * Copies the map.
         *
         * @param names the names
         * @param layout the tensor layout
         * @param nativeShape the shape in native layout
         * @param buffer the buffer
         * @param classifier the classifier
         */
        public Entry {
            names = Collections.unmodifiableMap(new EnumMap<>(names));
            nativeShape = nativeShape.clone();
        }

        /**
         * The name in {@code naming}.
         *
         * @param naming the parameter naming convention
         * @return the name in {@code naming}
         */
        public String name(Naming naming) {
            return names.get(naming);
        }

        /** {@return the native name} */
        public String nativeName() {
            return names.get(Naming.NATIVE);
        }

        /**
         * The shape in {@code naming}'s layout.
         *
         * @param naming the parameter naming convention
         * @return the shape in {@code naming}'s layout
         */
        public int[] shape(Naming naming) {
            return naming.pytorchLayout() ? layout.torchShape(nativeShape) : nativeShape.clone();
        }

        /** {@return the shape in native layout (a copy)} */
        @Override
        public int[] nativeShape() {
            return nativeShape.clone();
        }

        @Override
        public String toString() {
            return names + " " + layout + " " + Arrays.toString(nativeShape);
        }
    }

    private final List<Entry> entries;
    private final Map<Naming, Map<String, Entry>> byName = new EnumMap<>(Naming.class);
    private final Map<Naming, List<String>> activations = new EnumMap<>(Naming.class);

    private NameMapping(List<Entry> entries, Map<Naming, List<String>> activations) {
        this.entries = List.copyOf(entries);
        for (Naming n : Naming.values()) {
            Map<String, Entry> m = new LinkedHashMap<>();
            for (Entry e : entries) {
                Entry old = m.put(e.name(n), e);
                if (old != null)
                    throw new IllegalStateException(n.id() + " name " + e.name(n) + " is used by both " + old.nativeName()
                            + " and " + e.nativeName());
            }
            byName.put(n, Collections.unmodifiableMap(m));
            this.activations.put(n, List.copyOf(activations.get(n)));
        }
    }

    /**
     * Derives the mapping from {@code model}'s module tree.
     *
     * @param model the model
     * @throws IllegalStateException if the model holds a module this mapping does not know, or a
     *                               model tensor is left unmapped
     * @return the mapping
     */
    public static NameMapping of(EfficientNet model) {
        Builder b = new Builder(model);
        b.convBn("stem", model.stem(), "conv_stem", "bn1", "features.0");
        for (int s = 0; s < model.stageCount(); s++) {
            Sequential stage = model.stage(s);
            for (int i = 0; i < stage.size(); i++) b.block(s, i, (Block) stage.get(i));
        }
        Head head = model.head();
        String tvHead = "features." + (model.stageCount() + 1);
        b.module("head.conv", head.child("conv"), Conv2d.class, "conv_head", tvHead + ".0");
        b.module("head.bn", head.child("bn"), BatchNorm2d.class, "bn2", tvHead + ".1");
        if (head.classifier() != null) b.module("head.classifier", head.classifier(), Linear.class, "classifier", "classifier.1");
        b.activation("head", "head", tvHead);
        for (String name : head.children().keySet())
            if (!name.equals("conv") && !name.equals("bn") && !name.equals("classifier"))
                throw new IllegalStateException("head has an unknown child module '" + name + "'");
        return b.build();
    }

    /** {@return every tensor, in the model's state-dict order (which is also timm's and torchvision's order)} */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * The entry named {@code name} in {@code naming}, or null.
     *
     * @param naming the parameter naming convention
     * @param name the name
     * @return the entry named {@code name} in {@code naming}, or null
     */
    public Entry find(Naming naming, String name) {
        return byName.get(naming).get(name);
    }

    /**
     * All names in {@code naming}, in order.
     *
     * @param naming the parameter naming convention
     * @return all names in {@code naming}, in order
     */
    public List<String> names(Naming naming) {
        return List.copyOf(byName.get(naming).keySet());
    }

    /**
     * The names of {@link EfficientNet#blockOutputs} in {@code naming}: the stem, every block and
     * the head feature map. timm: {@code stem}, {@code blocks.S.B}, {@code head}; torchvision:
     * {@code features.0}, {@code features.(S+1).B}, {@code features.(stages+1)}; native:
     * {@code stem}, {@code stages.S.B}, {@code head}.
     *
     * @param naming the parameter naming convention
     * @return the names of {@link EfficientNet#blockOutputs} in {@code naming}: the stem, every block and the head feature map
     */
    public List<String> activationNames(Naming naming) {
        return activations.get(naming);
    }

    /**
     * Renames a map of tensors between namings (values are passed through unchanged, layouts are not converted).
     *
     * @param from the source naming
     * @param to the target naming
     * @return the renamed map, in the input order
     */
    public Map<String, String> renames(Naming from, Naming to) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry e : entries) out.put(e.name(from), e.name(to));
        return out;
    }

    private static final class Builder {
        private final Map<String, Tensor> state;
        private final Map<String, Module> owners = new LinkedHashMap<>();
        private final List<Entry> entries = new ArrayList<>();
        private final Map<Naming, List<String>> acts = new EnumMap<>(Naming.class);

        Builder(EfficientNet model) {
            this.state = model.stateDict();
            for (Naming n : Naming.values()) acts.put(n, new ArrayList<>());
        }

        void activation(String nativeName, String timm, String tv) {
            acts.get(Naming.NATIVE).add(nativeName);
            acts.get(Naming.TIMM).add(timm);
            acts.get(Naming.TORCHVISION).add(tv);
        }

        void convBn(String nativePrefix, ConvBnAct m, String timmConv, String timmBn, String tvPrefix) {
            module(nativePrefix + ".conv", m.conv(), Conv2d.class, timmConv, tvPrefix + ".0");
            module(nativePrefix + ".bn", m.bn(), BatchNorm2d.class, timmBn, tvPrefix + ".1");
            if (nativePrefix.equals("stem")) activation("stem", "stem", tvPrefix);
        }

        void block(int s, int i, Block block) {
            String nat = "stages." + s + "." + i;
            String timm = "blocks." + s + "." + i;
            String tv = "features." + (s + 1) + "." + i;
            boolean fused = block instanceof FusedMBConv;
            if (!fused && !(block instanceof MBConv))
                throw new IllegalStateException(nat + ": unknown block type " + block.getClass().getName());
            boolean hasExpand = block.child("expand") != null;
            int k = 0;
            int bn = 0;
            for (Map.Entry<String, Module> c : block.children().entrySet()) {
                String child = c.getKey();
                String tvChild = tv + ".block." + k++;
                if (c.getValue() instanceof SqueezeExcite se) {
                    module(nat + "." + child + ".reduce", se.reduce(), Conv2d.class, timm + ".se.conv_reduce", tvChild + ".fc1");
                    module(nat + "." + child + ".expand", se.expand(), Conv2d.class, timm + ".se.conv_expand", tvChild + ".fc2");
                    continue;
                }
                if (!(c.getValue() instanceof ConvBnAct cba))
                    throw new IllegalStateException(nat + ": unknown child module '" + child + "' ("
                            + c.getValue().getClass().getSimpleName() + ")");
                String timmConv = switch (child) {
                    case "expand" -> fused ? "conv_exp" : "conv_pw";
                    case "dw" -> "conv_dw";
                    case "project" -> hasExpand ? "conv_pwl" : "conv_pw";
                    case "conv" -> "conv";
                    default -> throw new IllegalStateException(nat + ": unknown child module '" + child + "'");
                };
                bn++;
                module(nat + "." + child + ".conv", cba.conv(), Conv2d.class, timm + "." + timmConv, tvChild + ".0");
                module(nat + "." + child + ".bn", cba.bn(), BatchNorm2d.class, timm + ".bn" + bn, tvChild + ".1");
            }
            activation(nat, timm, tv);
        }

        /** Maps every tensor of {@code m} (which lives at native path {@code nat}) to the two other module paths. */
        void module(String nat, Module m, Class<? extends Module> type, String timm, String tv) {
            if (!type.isInstance(m))
                throw new IllegalStateException(nat + " should be a " + type.getSimpleName() + ", found "
                        + (m == null ? "nothing" : m.getClass().getSimpleName()));
            TensorLayout convLayout = m instanceof Conv2d conv ? (conv.isDepthwise() ? TensorLayout.DEPTHWISE : TensorLayout.CONV) : null;
            Map<String, Tensor> params = m.namedParameters();
            for (Map.Entry<String, Tensor> t : m.stateDict().entrySet()) {
                String leaf = t.getKey();
                if (leaf.contains("."))
                    throw new IllegalStateException(nat + ": nested tensor " + leaf + " cannot be mapped");
                String full = nat + "." + leaf;
                Tensor own = state.get(full);
                if (own != t.getValue())
                    throw new IllegalStateException(full + " is not a tensor of the model's state dict");
                TensorLayout layout = convLayout != null && leaf.equals("weight") ? convLayout : TensorLayout.SAME;
                Map<Naming, String> names = new EnumMap<>(Naming.class);
                names.put(Naming.NATIVE, full);
                names.put(Naming.TIMM, timm + "." + leaf);
                names.put(Naming.TORCHVISION, tv + "." + leaf);
                entries.add(new Entry(names, layout, own.shape(), !params.containsKey(leaf), m instanceof Linear));
                owners.put(full, m);
            }
        }

        NameMapping build() {
            List<String> unmapped = new ArrayList<>();
            for (String k : state.keySet()) if (!owners.containsKey(k)) unmapped.add(k);
            if (!unmapped.isEmpty()) throw new IllegalStateException("model tensors without a mapping: " + unmapped);
            // keep the model's state-dict order
            Map<String, Entry> byNative = new LinkedHashMap<>();
            for (Entry e : entries) byNative.put(e.nativeName(), e);
            List<Entry> ordered = new ArrayList<>();
            for (String k : state.keySet()) ordered.add(byNative.get(k));
            return new NameMapping(ordered, acts);
        }
    }
}
