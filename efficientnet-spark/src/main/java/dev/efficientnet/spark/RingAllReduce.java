package dev.efficientnet.spark;

import dev.efficientnet.train.DataParallel;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A sum all-reduce over TCP sockets arranged in a ring (the bandwidth-optimal algorithm of
 * Baidu/Horovod): the buffer is cut into {@code W} chunks; in {@code W-1} reduce-scatter steps each
 * worker sends one chunk to the next worker while it receives another from the previous one and adds
 * it in, after which worker {@code r} holds the complete sum of chunk {@code r+1}; {@code W-1}
 * all-gather steps then pass the complete chunks around. Each worker sends (and receives)
 * {@code 2(W-1)/W} times the buffer per call, whatever {@code W}; every chunk's sum is computed once
 * and copied, so all workers end with the same bits.
 *
 * <p>Set-up: {@link #listen} opens a server socket on an ephemeral port; the workers exchange their
 * {@code host:port} (in Spark through {@code BarrierTaskContext.allGather}); {@link #connect} then
 * connects to the next worker and accepts the previous one. Sends run on a helper thread so that
 * every worker sends and receives at once (no deadlock when the socket buffers are smaller than a
 * chunk). A worker that dies closes its sockets, and its neighbours' next call fails with an
 * {@link UncheckedIOException}.
 */
public final class RingAllReduce implements DataParallel, AutoCloseable {
    private final int rank;
    private final int world;
    private final ServerSocket server;
    private final int timeoutMillis;
    private Socket toNext;
    private Socket fromPrev;
    private DataOutputStream out;
    private DataInputStream in;
    private ExecutorService sender;
    private byte[] sendBuf = new byte[0];
    private byte[] recvBuf = new byte[0];
    private long calls;
    private long nanos;
    private long bytesSent;

    private RingAllReduce(int rank, int world, ServerSocket server, int timeoutMillis) {
        this.rank = rank;
        this.world = world;
        this.server = server;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Worker {@code rank} of {@code world}: listens on an ephemeral port of every interface (none for
     * a single worker). {@code timeoutMillis} bounds connecting and each receive (0: no bound).
     */
    public static RingAllReduce listen(int rank, int world, int timeoutMillis) {
        if (world < 1 || rank < 0 || rank >= world) throw new IllegalArgumentException("rank " + rank + " of " + world);
        try {
            ServerSocket s = null;
            if (world > 1) {
                s = new ServerSocket();
                s.bind(new InetSocketAddress(0), world);
            }
            return new RingAllReduce(rank, world, s, timeoutMillis);
        } catch (IOException e) {
            throw new UncheckedIOException("all-reduce: cannot open a server socket: " + e.getMessage(), e);
        }
    }

    /** The listening port (0 for a single worker). */
    public int port() {
        return server == null ? 0 : server.getLocalPort();
    }

    /** Connects the ring; {@code addresses.get(r)} is worker r's {@code host:port}. */
    public void connect(List<String> addresses) {
        if (addresses.size() != world) throw new IllegalArgumentException(addresses.size() + " addresses for " + world + " workers");
        if (world == 1) return;
        String next = addresses.get((rank + 1) % world);
        int colon = next.lastIndexOf(':');
        try {
            toNext = new Socket();
            toNext.setTcpNoDelay(true);
            toNext.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))), timeoutMillis);
            out = new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
            out.writeInt(rank);
            out.flush();
            server.setSoTimeout(timeoutMillis);
            fromPrev = server.accept();
            fromPrev.setTcpNoDelay(true);
            fromPrev.setSoTimeout(timeoutMillis);
            in = new DataInputStream(new BufferedInputStream(fromPrev.getInputStream(), 1 << 16));
            int prev = in.readInt();
            if (prev != (rank + world - 1) % world)
                throw new IOException("expected worker " + (rank + world - 1) % world + " to connect, got worker " + prev);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("all-reduce: worker " + rank + " cannot connect the ring (next " + next + "): " + e.getMessage(), e);
        }
        sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "efficientnet-allreduce-send");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return world;
    }

    @Override
    public void allReduceSum(float[] data) {
        if (world == 1) return;
        if (in == null) throw new IllegalStateException("all-reduce: connect() first");
        long t0 = System.nanoTime();
        int maxChunk = 0;
        for (int c = 0; c < world; c++) maxChunk = Math.max(maxChunk, hi(data.length, c) - lo(data.length, c));
        if (sendBuf.length < maxChunk * 4) {
            sendBuf = new byte[maxChunk * 4];
            recvBuf = new byte[maxChunk * 4];
        }
        try {
            for (int s = 0; s < world - 1; s++) exchange(data, Math.floorMod(rank - s, world), Math.floorMod(rank - s - 1, world), true);
            for (int s = 0; s < world - 1; s++) exchange(data, Math.floorMod(rank + 1 - s, world), Math.floorMod(rank - s, world), false);
        } catch (IOException e) {
            throw new UncheckedIOException("all-reduce: worker " + rank + " lost its ring neighbours: " + e.getMessage(), e);
        }
        calls++;
        nanos += System.nanoTime() - t0;
    }

    private void exchange(float[] data, int sendChunk, int recvChunk, boolean add) throws IOException {
        int n = data.length;
        int sLo = lo(n, sendChunk), sLen = hi(n, sendChunk) - sLo;
        ByteBuffer.wrap(sendBuf, 0, sLen * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data, sLo, sLen);
        Future<?> sent = sender.submit(() -> {
            out.writeInt(sLen);
            out.write(sendBuf, 0, sLen * 4);
            out.flush();
            return null;
        });
        int rLo = lo(n, recvChunk), rLen = hi(n, recvChunk) - rLo;
        try {
            int len = in.readInt();
            if (len != rLen) throw new IOException("worker " + rank + " expected a chunk of " + rLen + " values, got " + len);
            in.readFully(recvBuf, 0, rLen * 4);
        } catch (SocketTimeoutException e) {
            throw new IOException("no data from the previous worker for " + timeoutMillis + " ms", e);
        }
        FloatBuffer fb = ByteBuffer.wrap(recvBuf, 0, rLen * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        if (add) {
            for (int i = 0; i < rLen; i++) data[rLo + i] += fb.get(i);
        } else {
            fb.get(data, rLo, rLen);
        }
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        bytesSent += 4 + sLen * 4L;
    }

    private int lo(int n, int c) {
        return (int) ((long) n * c / world);
    }

    private int hi(int n, int c) {
        return (int) ((long) n * (c + 1) / world);
    }

    /** All-reduce calls so far. */
    public long calls() {
        return calls;
    }

    /** Seconds spent in all-reduce calls so far. */
    public double seconds() {
        return nanos / 1e9;
    }

    /** Bytes this worker sent so far (payload and 4-byte chunk headers). */
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public void close() {
        if (sender != null) sender.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[]{toNext, fromPrev, server}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }
}
