package dev.efficientnet.spark;

/** Lets tests in other packages start the shared test cluster. */
public final class TestClusterAccess {
    /** The test cluster's master. */
    public static final String MASTER = TestCluster.MASTER;

    private TestClusterAccess() {
    }

    /** Starts (once) the shared test cluster's session. */
    public static void start() {
        TestCluster.session();
    }
}
