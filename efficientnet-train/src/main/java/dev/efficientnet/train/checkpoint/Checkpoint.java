package dev.efficientnet.train.checkpoint;

import dev.efficientnet.core.optim.OptimizerState;
import dev.efficientnet.core.tensor.Tensor;

import java.util.Map;

/**
 * The content of a training checkpoint.
 *
 * @param config    the run's configuration ({@code TrainConfig.toJson()})
 * @param state     where the run stands
 * @param model     the model's state dict (parameters and buffers)
 * @param ema       the EMA model's state dict, or null without EMA
 * @param optimizer the optimizer state
 */
public record Checkpoint(Map<String, Object> config, TrainState state, Map<String, Tensor> model,
                         Map<String, Tensor> ema, OptimizerState optimizer) {
}
