package dev.efficientnet.train.search;

import dev.efficientnet.train.TrainConfig;

import java.util.Objects;

/**
 * One training job of a search.
 *
 * @param id         unique, file-name-safe key (the resume key)
 * @param kind       {@code grid} (a grid point), or for the equal-MACs comparison {@code compound}, {@code base},
 *                   {@code width}, {@code depth}, {@code resolution}
 * @param point      the (&alpha;, &beta;, &gamma;) it was scaled by (&phi; = 1)
 * @param resolution train and eval input size
 * @param config     the training config (the base preset with this candidate's width/depth and a one-stage schedule at {@code resolution})
 */
public record Candidate(String id, String kind, ScalePoint point, int resolution, TrainConfig config) {
    /** Validates. */
    public Candidate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(config, "config");
        if (!id.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("candidate id must be file-name safe, got '" + id + "'");
    }
}
