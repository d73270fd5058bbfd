package dev.efficientnet.train.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands, saved with every checkpoint: the next epoch and batch to run, the global
 * step, the model's dropout RNG state, the EMA update count, the running sums of the epoch in
 * progress, the best accuracy so far and the metrics of the finished epochs (as JSON maps).
 *
 * @param epoch          next epoch to run (0-based)
 * @param batch          next batch within that epoch (0 at an epoch boundary)
 * @param globalStep     optimizer steps done
 * @param modelRng       state of the model's dropout/drop-path RNG
 * @param emaUpdates     EMA updates done
 * @param epochLossSum   sum of batch losses × batch size in the epoch in progress
 * @param epochCorrect   correct training predictions in the epoch in progress
 * @param epochSeen      training examples seen in the epoch in progress
 * @param epochSeconds   wall seconds spent in the epoch in progress
 * @param bestAccuracy   best test accuracy so far (-1 before the first evaluation)
 * @param bestEpoch      epoch (1-based) of the best accuracy, 0 if none
 * @param history        one JSON map per finished epoch
 */
public record TrainState(int epoch, int batch, long globalStep, long modelRng, long emaUpdates,
                         double epochLossSum, long epochCorrect, long epochSeen, double epochSeconds,
                         double bestAccuracy, int bestEpoch, List<Map<String, Object>> history) {

    /** Copies the history. */
    public TrainState {
        history = List.copyOf(history);
    }

    /** The state before the first step. */
    public static TrainState initial(long modelRng) {
        return new TrainState(0, 0, 0, modelRng, 0, 0, 0, 0, 0, -1, 0, List.of());
    }

    /** As a JSON map. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("batch", batch);
        m.put("global_step", globalStep);
        m.put("model_rng", modelRng);
        m.put("ema_updates", emaUpdates);
        m.put("epoch_loss_sum", epochLossSum);
        m.put("epoch_correct", epochCorrect);
        m.put("epoch_seen", epochSeen);
        m.put("epoch_seconds", epochSeconds);
        m.put("best_accuracy", bestAccuracy);
        m.put("best_epoch", bestEpoch);
        m.put("history", new ArrayList<>(history));
        return m;
    }

    /** Reads {@link #toJson()}'s output. */
    @SuppressWarnings("unchecked")
    public static TrainState fromJson(Map<String, Object> m) {
        List<Map<String, Object>> h = new ArrayList<>();
        for (Object o : (List<Object>) need(m, "history")) h.add((Map<String, Object>) o);
        return new TrainState(num(m, "epoch").intValue(), num(m, "batch").intValue(), num(m, "global_step").longValue(),
                num(m, "model_rng").longValue(), num(m, "ema_updates").longValue(), num(m, "epoch_loss_sum").doubleValue(),
                num(m, "epoch_correct").longValue(), num(m, "epoch_seen").longValue(), num(m, "epoch_seconds").doubleValue(),
                num(m, "best_accuracy").doubleValue(), num(m, "best_epoch").intValue(), h);
    }

    private static Object need(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) throw new IllegalArgumentException("checkpoint state has no '" + k + "'");
        return v;
    }

    private static Number num(Map<String, Object> m, String k) {
        Object v = need(m, k);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("checkpoint state '" + k + "' is not a number: " + v);
        return n;
    }
}
