package dev.efficientnet.cli;

import dev.efficientnet.spark.LocalCluster;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a CLI command: reuses a running one (spark-submit, tests), else starts one. */
final class SparkSessions {
    private SparkSessions() {
    }

    /** A session and whether this command started it (and so stops it). */
    record Handle(SparkSession session, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) session.stop();
        }

        /** Distinct executors (not the driver) the cluster has, or 1 in local mode. */
        int executors() {
            int n = session.sparkContext().getExecutorMemoryStatus().size() - 1;
            return Math.max(1, n);
        }
    }

    /**
     * The running session, or a new one on {@code master} (null: {@code spark.master} from
     * spark-submit). A missing master is a usage error.
     */
    static Handle open(String master, String appName) {
        if (SparkSession.getActiveSession().isDefined()) return new Handle(SparkSession.getActiveSession().get(), false);
        if (SparkSession.getDefaultSession().isDefined()) return new Handle(SparkSession.getDefaultSession().get(), false);
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) conf.setMaster(master);
        if (!conf.contains("spark.master"))
            throw CliException.usage("--master URL is required (e.g. local[2], local-cluster[2,1,2048], spark://host:7077)");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        try {
            LocalCluster.prepare(conf);
        } catch (IllegalStateException e) {
            throw CliException.usage(e.getMessage());
        }
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        LocalCluster.awaitExecutors(session.sparkContext(), 120_000);
        return new Handle(session, true);
    }
}
