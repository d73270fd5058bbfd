package dev.efficientnet.models.weights;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The scaled reference fixtures on the test classpath. */
final class Fixtures {
    static final String TIMM_B0 = "timm_tf_efficientnet_b0_w0.25_d0.5";
    static final String TIMM_V2S = "timm_tf_efficientnetv2_s_w0.25_d0.25";
    static final String TV_B0 = "tv_efficientnet_b0_w0.25_d0.5";

    private Fixtures() {
    }

    static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + TIMM_B0 + ".json").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resources fixtures/ are missing", e);
        }
    }

    static ReferenceFixture get(String name) {
        try {
            return ReferenceFixture.read(dir(), name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
