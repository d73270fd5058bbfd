package dev.efficientnet.models.weights;

import java.util.List;

/**
 * What {@link Weights#load} did.
 *
 * @param naming     the detected naming
 * @param prefix     the prefix stripped from every key ({@code ""} for none, e.g. {@code module.})
 * @param loaded     number of model tensors written
 * @param missing    model tensors left as they were (checkpoint naming; empty when strict)
 * @param unexpected checkpoint keys not used (empty when strict, except skipped classifier keys)
 * @param ignored    bookkeeping keys ignored ({@code num_batches_tracked}, ...)
 */
public record LoadResult(Naming naming, String prefix, int loaded, List<String> missing, List<String> unexpected,
                         List<String> ignored) {
    /**
     * Copies the lists.
     *
     * @param naming the parameter naming convention
     * @param prefix the prefix
     * @param loaded the number of tensors loaded
     * @param missing the keys the model has and the state lacks
     * @param unexpected the keys the state has and the model lacks
     * @param ignored the bookkeeping keys ignored
     */
    public LoadResult {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        ignored = List.copyOf(ignored);
    }
}
