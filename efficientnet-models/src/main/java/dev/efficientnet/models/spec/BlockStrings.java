package dev.efficientnet.models.spec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parser and printer for the two block-string notations, so stage tables can be compared
 * verbatim with the upstream files.
 *
 * <p><b>timm</b> ({@code _efficientnet_builder.py}): {@code <type>_r<repeats>_k<kernel>_s<stride>_e<expand>_c<out>[_se<ratio>][_skip]}
 * with type {@code ds} (MBConv, expand 1), {@code ir} (MBConv), {@code er} (Fused-MBConv),
 * {@code cn} (Fused-MBConv with expand 1: one conv+BN+act; timm needs {@code skip} for its
 * residual). The in channels are not in the string: they are the previous stage's out (or the
 * stem), so a single string is parsed with its in channels given.
 *
 * <p><b>automl</b> ({@code effnetv2_configs.py}): {@code r<repeats>_k<kernel>_s<stride>_e<expand>_i<in>_o<out>[_c1][_se<ratio>]},
 * {@code c1} = Fused-MBConv (c0 or no c = MBConv); TF V1's two-digit strides {@code s11}/{@code s22}
 * are accepted.
 *
 * <p>Printing is canonical (the token order and spelling above, SE ratio without trailing zeros),
 * so {@code parse(format(x)).equals(x)} and {@code format(parse(s)).equals(s)} for canonical
 * {@code s}. Options this spec cannot express ({@code noskip}, mixed kernels, {@code ir}/{@code er}
 * with expand 1, ...) are rejected; every error message names the offending token.
 */
public final class BlockStrings {
    private static final Pattern OPTION = Pattern.compile("([a-z]+)(\\d.*)");

    private BlockStrings() {
    }

    // ------------------------------------------------------------------ timm

    /** The timm string of a stage row, e.g. {@code ir_r2_k3_s2_e6_c24_se0.25}. */
    public static String formatTimm(StageSpec s) {
        String type = s.type() == BlockType.MBCONV ? (s.expandRatio() == 1 ? "ds" : "ir")
                : (s.expandRatio() == 1 ? "cn" : "er");
        StringBuilder sb = new StringBuilder(type);
        sb.append("_r").append(s.repeats()).append("_k").append(s.kernel()).append("_s").append(s.stride())
                .append("_e").append(s.expandRatio()).append("_c").append(s.outChannels());
        if (s.hasSe()) {
            sb.append("_se").append(formatRatio(s.seRatio()));
        }
        if (s.forceInChannels() > 0) {
            sb.append("_fc").append(s.forceInChannels());
        }
        if (type.equals("cn")) {
            sb.append("_skip");
        }
        return sb.toString();
    }

    /** timm strings of a table (the in channels are implied by the chain). */
    public static List<String> formatTimm(List<StageSpec> stages) {
        List<String> out = new ArrayList<>(stages.size());
        for (StageSpec s : stages) {
            out.add(formatTimm(s));
        }
        return List.copyOf(out);
    }

    /**
     * Parses one timm string.
     *
     * @param inChannels the stage's in channels (previous stage's out, or the stem)
     * @throws IllegalArgumentException naming the bad token
     */
    public static StageSpec parseTimm(String blockString, int inChannels) {
        String[] tokens = split(blockString);
        String typeToken = tokens[0];
        BlockType type;
        switch (typeToken) {
            case "ds":
            case "ir":
                type = BlockType.MBCONV;
                break;
            case "cn":
            case "er":
                type = BlockType.FUSED_MBCONV;
                break;
            default:
                throw error(blockString, typeToken, "unknown block type (expected ds, ir, er or cn)");
        }
        boolean skip = false;
        boolean noskip = false;
        Map<String, String> opts = new HashMap<>();
        Map<String, String> tokenOf = new HashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            if (t.equals("skip")) {
                if (!typeToken.equals("cn")) {
                    throw error(blockString, t, "only cn blocks take 'skip'; the others have a residual"
                            + " whenever stride is 1 and in == out");
                }
                if (skip) {
                    throw error(blockString, t, "repeated option");
                }
                skip = true;
                continue;
            }
            if (t.equals("noskip")) {
                noskip = true;
                continue;
            }
            option(blockString, t, opts, tokenOf, "r", "k", "s", "e", "c", "se", "fc");
        }
        int repeats = intOption(blockString, opts, tokenOf, "r");
        int kernel = intOption(blockString, opts, tokenOf, "k");
        int stride = intOption(blockString, opts, tokenOf, "s");
        int out = intOption(blockString, opts, tokenOf, "c");
        int expand = opts.containsKey("e") ? intOption(blockString, opts, tokenOf, "e") : 1;
        double se = opts.containsKey("se") ? ratioOption(blockString, opts, tokenOf, "se") : 0.0;
        boolean expandOne = typeToken.equals("ds") || typeToken.equals("cn");
        if (expandOne && expand != 1) {
            throw error(blockString, tokenOf.get("e"), "'" + typeToken + "' blocks have expand 1");
        }
        if (!expandOne && expand == 1) {
            throw error(blockString, opts.containsKey("e") ? tokenOf.get("e") : typeToken,
                    "'" + typeToken + "' with expand 1 keeps an expand conv, which this spec cannot express;"
                            + " use " + (typeToken.equals("ir") ? "ds" : "cn"));
        }
        if (typeToken.equals("cn")) {
            if (!skip) {
                throw error(blockString, typeToken, "a cn block without 'skip' has no residual, which this spec"
                        + " cannot express; add _skip");
            }
            if (opts.containsKey("se")) {
                throw error(blockString, tokenOf.get("se"), "cn blocks have no squeeze-excite");
            }
        }
        checkValues(blockString, tokenOf, repeats, kernel, stride, expand, out, "c");
        if (noskip && (repeats != 1 || (stride == 1 && inChannels == out))) {
            // timm's EdgeTPU table marks its first block noskip; it has no residual anyway (32 in, 24 out)
            throw error(blockString, "noskip", "blocks without a residual are not supported (residual is"
                    + " implied by stride 1 and in == out); 'noskip' is accepted only where it changes nothing");
        }
        StageSpec stage = build(blockString, type, expand, kernel, stride, inChannels, out, repeats, se);
        if (opts.containsKey("fc")) {
            int fc = intOption(blockString, opts, tokenOf, "fc");
            try {
                stage = stage.withForceInChannels(fc);
            } catch (IllegalArgumentException e) {
                throw error(blockString, tokenOf.get("fc"), e.getMessage());
            }
        }
        return stage;
    }

    /** Parses a timm table; the first stage's in channels are {@code stemChannels}. */
    public static List<StageSpec> parseTimm(List<String> blockStrings, int stemChannels) {
        List<StageSpec> out = new ArrayList<>(blockStrings.size());
        int in = stemChannels;
        for (String s : blockStrings) {
            StageSpec stage = parseTimm(s, in);
            out.add(stage);
            in = stage.outChannels();
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ automl

    /** The automl string of a stage row, e.g. {@code r2_k3_s2_e4_i24_o48_c1}. */
    public static String formatAutoml(StageSpec s) {
        if (s.forceInChannels() > 0)
            throw new IllegalArgumentException("automl block strings cannot express a forced input width (fc"
                    + s.forceInChannels() + "); use the timm form");
        StringBuilder sb = new StringBuilder();
        sb.append('r').append(s.repeats()).append("_k").append(s.kernel()).append("_s").append(s.stride())
                .append("_e").append(s.expandRatio()).append("_i").append(s.inChannels())
                .append("_o").append(s.outChannels());
        if (s.type() == BlockType.FUSED_MBCONV) {
            sb.append("_c1");
        }
        if (s.hasSe()) {
            sb.append("_se").append(formatRatio(s.seRatio()));
        }
        return sb.toString();
    }

    /** automl strings of a table. */
    public static List<String> formatAutoml(List<StageSpec> stages) {
        List<String> out = new ArrayList<>(stages.size());
        for (StageSpec s : stages) {
            out.add(formatAutoml(s));
        }
        return List.copyOf(out);
    }

    /**
     * Parses one automl string.
     *
     * @throws IllegalArgumentException naming the bad token
     */
    public static StageSpec parseAutoml(String blockString) {
        String[] tokens = split(blockString);
        Map<String, String> opts = new HashMap<>();
        Map<String, String> tokenOf = new HashMap<>();
        for (String t : tokens) {
            if (t.equals("noskip")) {
                throw error(blockString, t, "blocks without a residual are not supported (residual is"
                        + " implied by stride 1 and in == out)");
            }
            option(blockString, t, opts, tokenOf, "r", "k", "s", "e", "i", "o", "c", "se");
        }
        String strideValue = opts.get("s");
        if (strideValue != null && strideValue.length() == 2 && strideValue.charAt(0) == strideValue.charAt(1)) {
            opts.put("s", strideValue.substring(1)); // TF V1 "s22" = (2, 2)
        }
        int repeats = intOption(blockString, opts, tokenOf, "r");
        int kernel = intOption(blockString, opts, tokenOf, "k");
        int stride = intOption(blockString, opts, tokenOf, "s");
        int expand = intOption(blockString, opts, tokenOf, "e");
        int in = intOption(blockString, opts, tokenOf, "i");
        int out = intOption(blockString, opts, tokenOf, "o");
        int conv = opts.containsKey("c") ? intOption(blockString, opts, tokenOf, "c") : 0;
        if (conv != 0 && conv != 1) {
            throw error(blockString, tokenOf.get("c"), "conv type must be c0 (MBConv) or c1 (Fused-MBConv)");
        }
        double se = opts.containsKey("se") ? ratioOption(blockString, opts, tokenOf, "se") : 0.0;
        BlockType type = conv == 1 ? BlockType.FUSED_MBCONV : BlockType.MBCONV;
        if (type == BlockType.FUSED_MBCONV && expand == 1 && se > 0) {
            throw error(blockString, tokenOf.get("se"), "a fused block with expand 1 has no squeeze-excite here");
        }
        checkValues(blockString, tokenOf, repeats, kernel, stride, expand, out, "o");
        if (in < 1) {
            throw error(blockString, tokenOf.get("i"), "channels must be >= 1");
        }
        return build(blockString, type, expand, kernel, stride, in, out, repeats, se);
    }

    /** Parses an automl table. */
    public static List<StageSpec> parseAutoml(List<String> blockStrings) {
        List<StageSpec> out = new ArrayList<>(blockStrings.size());
        for (String s : blockStrings) {
            out.add(parseAutoml(s));
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ shared

    private static String[] split(String blockString) {
        if (blockString == null || blockString.isEmpty()) {
            throw new IllegalArgumentException("empty block string");
        }
        String[] tokens = blockString.split("_", -1);
        for (String t : tokens) {
            if (t.isEmpty()) {
                throw error(blockString, t, "empty token (doubled or trailing '_')");
            }
        }
        return tokens;
    }

    private static void option(String blockString, String token, Map<String, String> opts,
                               Map<String, String> tokenOf, String... allowed) {
        Matcher m = OPTION.matcher(token);
        if (!m.matches()) {
            throw error(blockString, token, "not an option of the form <key><number>");
        }
        String key = m.group(1);
        boolean ok = false;
        for (String a : allowed) {
            ok |= a.equals(key);
        }
        if (!ok) {
            throw error(blockString, token, "unsupported option '" + key + "' (supported: "
                    + String.join(", ", allowed) + ")");
        }
        if (opts.containsKey(key)) {
            throw error(blockString, token, "repeated option '" + key + "'");
        }
        opts.put(key, m.group(2));
        tokenOf.put(key, token);
    }

    private static int intOption(String blockString, Map<String, String> opts, Map<String, String> tokenOf,
                                 String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("block string '" + blockString + "' lacks the required option '"
                    + key + "'");
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw error(blockString, tokenOf.get(key), "'" + v + "' is not an integer");
        }
    }

    private static double ratioOption(String blockString, Map<String, String> opts, Map<String, String> tokenOf,
                                      String key) {
        String v = opts.get(key);
        try {
            double d = Double.parseDouble(v);
            if (!(d > 0 && d <= 1)) {
                throw error(blockString, tokenOf.get(key), "ratio must be in (0, 1]");
            }
            return d;
        } catch (NumberFormatException e) {
            throw error(blockString, tokenOf.get(key), "'" + v + "' is not a number");
        }
    }

    private static void checkValues(String blockString, Map<String, String> tokenOf, int repeats, int kernel,
                                    int stride, int expand, int out, String outKey) {
        if (repeats < 1) {
            throw error(blockString, tokenOf.get("r"), "repeats must be >= 1");
        }
        if (kernel < 1 || kernel % 2 == 0) {
            throw error(blockString, tokenOf.get("k"), "kernel must be odd and >= 1");
        }
        if (stride != 1 && stride != 2) {
            throw error(blockString, tokenOf.get("s"), "stride must be 1 or 2");
        }
        if (expand < 1) {
            throw error(blockString, tokenOf.get("e"), "expand ratio must be >= 1");
        }
        if (out < 1) {
            throw error(blockString, tokenOf.get(outKey), "channels must be >= 1");
        }
    }

    private static StageSpec build(String blockString, BlockType type, int expand, int kernel, int stride,
                                   int in, int out, int repeats, double se) {
        try {
            return new StageSpec(type, expand, kernel, stride, in, out, repeats, se);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid block string '" + blockString + "': " + e.getMessage(), e);
        }
    }

    private static String formatRatio(double r) {
        return BigDecimal.valueOf(r).stripTrailingZeros().toPlainString();
    }

    private static IllegalArgumentException error(String blockString, String token, String why) {
        return new IllegalArgumentException("bad token '" + token + "' in block string '" + blockString + "': " + why);
    }
}
