/**
 * Reliability tools: the soak runner ({@link dev.efficientnet.train.reliability.SoakRunner}, memory
 * curves over thousands of inference calls and training steps) and the child-process trainer used
 * by the SIGKILL test ({@link dev.efficientnet.train.reliability.KillableTraining}). See
 * {@code docs/reliability.md}.
 */
package dev.efficientnet.train.reliability;
