/**
 * Training data: datasets (IDX, image folders, CSV lists), the {@link dev.efficientnet.train.data.Example}
 * and {@link dev.efficientnet.train.data.Batch} records, and the prefetching, reproducible
 * {@link dev.efficientnet.train.data.DataLoader}.
 */
package dev.efficientnet.train.data;
