package dev.efficientnet.models.pretrained;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The user cache of downloaded pretrained weights: {@code ~/.cache/efficientnet-java/<source>/<file>}
 * (directory overridable by the system property {@code efficientnet.cache.dir}, then the environment
 * variable {@code EFFICIENTNET_CACHE}, then {@code $XDG_CACHE_HOME/efficientnet-java}).
 *
 * <p>{@link #fetch} returns the cached file when it is there (no network needed: offline use), or
 * downloads it: streamed into a temporary file in the cache directory while its SHA-256 is computed,
 * checked against the registry's hash (full digest or published prefix), then moved into place
 * atomically, so an interrupted or corrupt download never looks cached. The verified digest is kept
 * next to the file ({@code <file>.sha256}); a cached file whose size or recorded digest disagree is
 * downloaded again. Progress goes to a {@link DownloadListener} and to SLF4J (every 10 %).
 */
public final class WeightCache {
    private static final Logger LOG = LoggerFactory.getLogger(WeightCache.class);

    /** System property overriding the cache directory. */
    public static final String DIR_PROPERTY = "efficientnet.cache.dir";
    /** Environment variable overriding the cache directory. */
    public static final String DIR_ENV = "EFFICIENTNET_CACHE";

    /** Receives download progress. */
    @FunctionalInterface
    public interface DownloadListener {
        /** {@code done} bytes of {@code total} (-1 when the server did not say) of {@code w}. */
        void progress(PretrainedWeights w, long done, long total);

        /** Ignores progress. */
        DownloadListener NONE = (w, d, t) -> {
        };
    }

    private final Path dir;
    private final Duration timeout;

    /** A cache in {@code dir}. */
    public WeightCache(Path dir) {
        this(dir, Duration.ofSeconds(30));
    }

    /** A cache in {@code dir} whose connections time out after {@code timeout}. */
    public WeightCache(Path dir, Duration timeout) {
        if (dir == null) throw new IllegalArgumentException("cache directory is null");
        this.dir = dir;
        this.timeout = timeout;
    }

    /** The cache at {@link #defaultDirectory()}. */
    public static WeightCache user() {
        return new WeightCache(defaultDirectory());
    }

    /** The cache directory: property, environment variable, XDG cache home, or {@code ~/.cache/efficientnet-java}. */
    public static Path defaultDirectory() {
        String p = System.getProperty(DIR_PROPERTY);
        if (p != null && !p.isBlank()) return Path.of(p);
        String e = System.getenv(DIR_ENV);
        if (e != null && !e.isBlank()) return Path.of(e);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "efficientnet-java");
        return Path.of(System.getProperty("user.home"), ".cache", "efficientnet-java");
    }

    /** The cache directory. */
    public Path directory() {
        return dir;
    }

    /** Where {@code w} is (or would be) cached. */
    public Path path(PretrainedWeights w) {
        return dir.resolve(w.source().replaceAll("[^A-Za-z0-9_-]", "_")).resolve(w.fileName());
    }

    /** True when {@code w} is cached and its recorded digest still fits. */
    public boolean isCached(PretrainedWeights w) {
        Path f = path(w);
        Path sum = sidecar(f);
        try {
            if (!Files.isRegularFile(f) || !Files.isRegularFile(sum)) return false;
            String[] rec = Files.readString(sum, StandardCharsets.US_ASCII).trim().split("\\s+");
            return rec.length == 2 && Long.parseLong(rec[1]) == Files.size(f) && matches(w, rec[0]);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static Path sidecar(Path f) {
        return f.resolveSibling(f.getFileName() + ".sha256");
    }

    private static boolean matches(PretrainedWeights w, String sha256) {
        return switch (w.hashKind()) {
            case SHA256 -> sha256.equals(w.hash());
            case SHA256_PREFIX -> sha256.startsWith(w.hash());
            case NONE -> sha256.matches("[0-9a-f]{64}");
        };
    }

    /** The cached file of {@code w}, downloaded first if needed. */
    public Path fetch(PretrainedWeights w, DownloadListener listener) throws IOException {
        Path target = path(w);
        if (isCached(w)) {
            LOG.debug("{} is cached at {}", w.tag(), target);
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + w.fileName() + ".", ".part");
        try {
            String sha = download(w, tmp, listener == null ? DownloadListener.NONE : listener);
            if (!matches(w, sha))
                throw new PretrainedException("checksum mismatch for " + w.url() + ": the publisher's SHA-256 "
                        + (w.hashKind() == PretrainedWeights.HashKind.SHA256 ? "is " : "starts with ") + w.hash()
                        + " but the download's is " + sha + "; the download was discarded (corrupt transfer or a changed file)");
            Files.writeString(sidecar(tmp), sha + " " + Files.size(tmp) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(sidecar(tmp), sidecar(target), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(sidecar(tmp), sidecar(target), StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            LOG.info("downloaded {} to {} (sha256 {}{})", w.url(), target, sha,
                    w.hashKind() == PretrainedWeights.HashKind.NONE ? ", no published hash to compare" : ", verified");
            return target;
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(sidecar(tmp));
        }
    }

    private String download(PretrainedWeights w, Path tmp, DownloadListener listener) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        URI uri;
        try {
            uri = URI.create(w.url());
        } catch (IllegalArgumentException e) {
            throw new PretrainedException("invalid URL " + w.url() + " for " + w.tag());
        }
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", "efficientnet-java").GET().build();
        String manual = "; download it yourself to " + path(w) + " and run again, or set " + PretrainedRegistry.MIRROR_ENV
                + " / -D" + PretrainedRegistry.MIRROR_PROPERTY + " to a mirror";
        HttpResponse<InputStream> resp;
        try {
            resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
            throw new PretrainedException("cannot download " + w.url() + ": no network or the server is unreachable ("
                    + e.getClass().getSimpleName() + ")" + manual, e);
        } catch (HttpTimeoutException e) {
            throw new PretrainedException("cannot download " + w.url() + ": the server did not answer within " + timeout.toSeconds()
                    + " s" + manual, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PretrainedException("download of " + w.url() + " was interrupted", e);
        } catch (IOException e) {
            throw new PretrainedException("cannot download " + w.url() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()) + manual, e);
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200)
                throw new PretrainedException("cannot download " + w.url() + ": the server answered HTTP " + resp.statusCode() + manual);
            long total = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            long done = 0;
            int lastDecile = -1;
            long lastReport = 0;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    md.update(buf, 0, n);
                    done += n;
                    long now = System.nanoTime();
                    if (now - lastReport > 200_000_000L) {
                        listener.progress(w, done, total);
                        lastReport = now;
                    }
                    int decile = total > 0 ? (int) (done * 10 / total) : -1;
                    if (decile != lastDecile && decile >= 0) {
                        LOG.info("downloading {}: {} % of {} MB", w.fileName(), decile * 10, String.format(Locale.ROOT, "%.1f", total / 1e6));
                        lastDecile = decile;
                    }
                }
            }
            listener.progress(w, done, total);
            if (total >= 0 && done != total)
                throw new PretrainedException("download of " + w.url() + " ended after " + done + " of " + total + " bytes" + manual);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        } catch (PretrainedException e) {
            throw e;
        } catch (IOException e) {
            throw new PretrainedException("download of " + w.url() + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()) + manual, e);
        }
    }
}
