package dev.efficientnet.train.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics of one finished epoch (one row of {@code metrics.csv}). Accuracies are fractions in
 * [0, 1]; {@code NaN} marks a value that was not measured (e.g. EMA metrics without EMA).
 *
 * @param epoch           1-based epoch number
 * @param stage           0-based progressive stage
 * @param imageSize       training image size
 * @param batchSize       batch size
 * @param dropout         classifier dropout
 * @param randAug         RandAugment magnitude
 * @param mixup           mixup alpha
 * @param lr              learning rate of the epoch's last step
 * @param trainLoss       mean training loss
 * @param trainAccuracy   training accuracy (against the hard labels)
 * @param testLoss        test loss of the raw weights
 * @param testAccuracy    test accuracy of the raw weights
 * @param emaTestLoss     test loss of the EMA weights
 * @param emaTestAccuracy test accuracy of the EMA weights
 * @param evalSize        image size of the test evaluation
 * @param seconds         wall time of the epoch's training part
 * @param imagesPerSecond training throughput
 */
public record EpochMetrics(int epoch, int stage, int imageSize, int batchSize, double dropout, double randAug, double mixup,
                           double lr, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double emaTestLoss, double emaTestAccuracy, int evalSize, double seconds, double imagesPerSecond) {

    /** CSV header matching {@link #csvRow()}. */
    public static final String CSV_HEADER = "epoch,stage,image_size,batch_size,dropout,randaug,mixup,lr,train_loss,train_acc,"
            + "test_loss,test_acc,ema_test_loss,ema_test_acc,eval_size,seconds,images_per_second";

    /** One CSV row (no trailing newline; NaN written as an empty field). */
    public String csvRow() {
        return epoch + "," + stage + "," + imageSize + "," + batchSize + "," + f(dropout) + "," + f(randAug) + "," + f(mixup) + ","
                + f(lr) + "," + f(trainLoss) + "," + f(trainAccuracy) + "," + f(testLoss) + "," + f(testAccuracy) + ","
                + f(emaTestLoss) + "," + f(emaTestAccuracy) + "," + evalSize + "," + f(seconds) + "," + f(imagesPerSecond);
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /** As a JSON map (NaN written as null). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("stage", stage);
        m.put("image_size", imageSize);
        m.put("batch_size", batchSize);
        m.put("dropout", j(dropout));
        m.put("randaug", j(randAug));
        m.put("mixup", j(mixup));
        m.put("lr", j(lr));
        m.put("train_loss", j(trainLoss));
        m.put("train_acc", j(trainAccuracy));
        m.put("test_loss", j(testLoss));
        m.put("test_acc", j(testAccuracy));
        m.put("ema_test_loss", j(emaTestLoss));
        m.put("ema_test_acc", j(emaTestAccuracy));
        m.put("eval_size", evalSize);
        m.put("seconds", j(seconds));
        m.put("images_per_second", j(imagesPerSecond));
        return m;
    }

    private static Object j(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Reads {@link #toJson()}'s output. */
    public static EpochMetrics fromJson(Map<String, Object> m) {
        return new EpochMetrics(i(m, "epoch"), i(m, "stage"), i(m, "image_size"), i(m, "batch_size"), d(m, "dropout"),
                d(m, "randaug"), d(m, "mixup"), d(m, "lr"), d(m, "train_loss"), d(m, "train_acc"), d(m, "test_loss"),
                d(m, "test_acc"), d(m, "ema_test_loss"), d(m, "ema_test_acc"), i(m, "eval_size"), d(m, "seconds"),
                d(m, "images_per_second"));
    }

    private static int i(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.intValue() : 0;
    }

    private static double d(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
