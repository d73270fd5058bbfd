package dev.efficientnet.train.search;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the training jobs of a search. {@link LocalRunner} trains them one after another in this
 * JVM; a cluster runner may run them in parallel. Either way {@code done} gets each result as soon
 * as its candidate finishes (from any thread, one call at a time), so an interrupted search keeps
 * every finished candidate.
 */
public interface CandidateRunner {
    /** Trains every candidate of {@code todo} and reports each result to {@code done}. */
    void run(List<Candidate> todo, Consumer<CandidateResult> done) throws Exception;

    /** One line saying where the candidates run (for the console). */
    String describe();
}
