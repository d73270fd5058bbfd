/**
 * Compound-scaling search, the EfficientNet paper's step 1: a grid of depth &alpha;, width &beta;
 * and resolution &gamma; under &alpha;&middot;&beta;&sup2;&middot;&gamma;&sup2; &asymp; budget
 * ({@link dev.efficientnet.train.search.ScaleGrid}), each candidate trained briefly through a
 * {@link dev.efficientnet.train.search.CandidateRunner} (local and sequential:
 * {@link dev.efficientnet.train.search.LocalRunner}), results kept resumably
 * ({@link dev.efficientnet.train.search.ScaleSearch}), the winner scaled to &phi; = 1&hellip;7.
 */
package dev.efficientnet.train.search;
