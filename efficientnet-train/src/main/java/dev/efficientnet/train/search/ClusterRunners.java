package dev.efficientnet.train.search;

import dev.efficientnet.train.data.Dataset;

import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Hook for running search candidates on a cluster ({@code scale-search --master URL}): a module
 * such as a Spark integration registers a {@link Factory} with {@link ServiceLoader}
 * ({@code META-INF/services/dev.efficientnet.train.search.ClusterRunners$Factory}); without one on
 * the class path {@link #find} is empty and the search runs locally only.
 */
public final class ClusterRunners {
    private ClusterRunners() {
    }

    /** Creates a runner for a cluster URL. */
    public interface Factory {
        /** True when this factory handles {@code master} (e.g. {@code spark://}, {@code local[4]}). */
        boolean accepts(String master);

        /**
         * A runner training the candidates on the cluster at {@code master}; the data location is passed
         * so executors can open it themselves.
         */
        CandidateRunner create(String master, Path data, Dataset train, Dataset test, Path candidatesDir);
    }

    /** The first registered factory that accepts {@code master}. */
    public static Optional<Factory> find(String master) {
        for (Factory f : ServiceLoader.load(Factory.class)) {
            if (f.accepts(master)) return Optional.of(f);
        }
        return Optional.empty();
    }
}
