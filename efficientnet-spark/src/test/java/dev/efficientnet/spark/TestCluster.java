package dev.efficientnet.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * One real Spark cluster for the whole test JVM: {@code local-cluster[2,1,1024]} (a standalone
 * master, a worker and two executor JVMs), started on first use and stopped at JVM exit.
 */
final class TestCluster {
    static final String MASTER = "local-cluster[2,1,1024]";
    private static SparkSession session;

    private TestCluster() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            SparkConf conf = new SparkConf().setMaster(MASTER).setAppName("efficientnet-spark-tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.sql.shuffle.partitions", "4")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
            LocalCluster.prepare(conf);
            session = SparkSession.builder().config(conf).getOrCreate();
            LocalCluster.awaitExecutors(session.sparkContext(), 120_000);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
        }
        return session;
    }
}
