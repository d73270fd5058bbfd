/**
 * EfficientNet on Apache Spark: {@link dev.efficientnet.spark.SparkPredictor} scores a DataFrame of
 * images on the executors (model built once per executor JVM from broadcast weights);
 * {@link dev.efficientnet.spark.LocalCluster} runs {@code local-cluster[...]} from the Maven jars.
 * Spark itself is a {@code provided} dependency. See docs/spark.md.
 */
package dev.efficientnet.spark;
