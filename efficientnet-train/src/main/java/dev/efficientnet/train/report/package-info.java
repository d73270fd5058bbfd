/** What a person sees of a run: console progress, metrics.csv, PNG plots and the final table. */
package dev.efficientnet.train.report;
