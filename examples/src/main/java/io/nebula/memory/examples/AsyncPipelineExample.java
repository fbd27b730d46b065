package io.nebula.memory.examples;

import io.nebula.memory.AllocationException;
import io.nebula.memory.async.AsyncArena;
import io.nebula.memory.async.AsyncConfig;
import io.nebula.memory.async.AsyncStatistics;
import io.nebula.memory.async.Handle;
import io.nebula.memory.async.HandleType;
import io.nebula.memory.async.Lease;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An async arena as the memory budget of a request pipeline: a burst of requests, each handled on a virtual thread
 * that leases its working memory from one bounded budget, prices an order in it and keeps it until one shared
 * connection has sent the response. When the budget is spent, a request waits for memory (its virtual thread parks,
 * no platform thread is held) instead of failing, and the pipeline never uses more than its budget however large
 * the burst. It prints how many requests waited and for how long, from the arena's statistics.
 */
public final class AsyncPipelineExample {

    private static final int REQUESTS = 200;
    private static final long BUDGET = 256 * 1024;
    /** An order line: {@code long sku, long quantity, double price}, 24 bytes. */
    private static final long LINE_BYTES = 24;

    private AsyncPipelineExample() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws Exception if a request fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     * @throws Exception if a request fails
     */
    public static void run(PrintStream out) throws Exception {
        out.println("== async arena: a burst of " + REQUESTS + " requests on virtual threads, one "
                + BUDGET / 1024 + " KiB memory budget");
        try (AsyncArena budget = AsyncArena.create(BUDGET, AsyncConfig.defaults())) {
            burst(out, budget);
            refused(out, budget);
            handle(out, budget);
            out.println("  after the burst: " + budget.usedBytes() + " bytes leased, " + budget.waiters()
                    + " requests waiting");
        }
        out.println();
    }

    /** Every request at once: each leases memory for its lines, prices them in native memory, gives it back. */
    private static void burst(PrintStream out, AsyncArena budget) throws Exception {
        long[] expected = new long[REQUESTS];
        List<Future<Long>> responses = new ArrayList<>(REQUESTS);
        long smallest = Long.MAX_VALUE;
        long largest = 0;
        try (Connection connection = new Connection();
             ExecutorService server = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int id = 0; id < REQUESTS; id++) {
                int lines = 200 + new SplittableRandom(id).nextInt(800);
                smallest = Math.min(smallest, lines * LINE_BYTES);
                largest = Math.max(largest, lines * LINE_BYTES);
                expected[id] = expectedTotal(id, lines);
                int request = id;
                responses.add(server.submit(() -> price(budget, connection, request, lines)));
            }
            int correct = 0;
            for (int id = 0; id < REQUESTS; id++) {
                if (responses.get(id).get() == expected[id]) {
                    correct++;
                }
            }
            out.printf("  %d requests leased %d to %d bytes each; %d of %d totals correct, %d responses sent%n",
                    REQUESTS, smallest, largest, correct, REQUESTS, connection.sent());
        }
        AsyncStatistics stats = budget.statistics();
        out.printf("  peak %d of %d budget bytes leased at once: the burst stayed inside its budget%n",
                stats.peakLeasedBytes(), stats.capacityBytes());
        out.printf(Locale.ROOT, "  %d of %d requests waited for memory (up to %d queued at once): mean wait %.2f ms,"
                        + " longest %.2f ms%n", stats.waited(), stats.grants(), stats.peakWaiters(),
                millis(stats.averageWait()), millis(stats.longestWait()));
    }

    /**
     * One request: lease memory for its lines, write them, price them, send the priced table and give the memory
     * back. The memory is held until the connection has sent the table: that is what makes requests wait.
     */
    private static long price(AsyncArena budget, Connection connection, int id, int lines) throws Exception {
        try (Lease lease = budget.leaseBlocking(lines * LINE_BYTES, Duration.ofMinutes(1))) {
            MemorySegment table = lease.allocate(lines * LINE_BYTES, 8);
            SplittableRandom random = new SplittableRandom(id);
            for (long i = 0; i < lines; i++) {
                long at = i * LINE_BYTES;
                table.set(ValueLayout.JAVA_LONG, at, 1000 + i);
                table.set(ValueLayout.JAVA_LONG, at + 8, 1 + random.nextInt(9));
                table.set(ValueLayout.JAVA_DOUBLE, at + 16, 0.25 * (1 + random.nextInt(400)));
            }
            long cents = 0;
            for (long i = 0; i < lines; i++) {
                long at = i * LINE_BYTES;
                cents += Math.round(table.get(ValueLayout.JAVA_LONG, at + 8)
                        * table.get(ValueLayout.JAVA_DOUBLE, at + 16) * 100);
            }
            connection.send(table);
            return cents;
        }
    }

    /**
     * The one connection every response goes out on: a virtual thread that takes one response at a time and
     * "sends" it (a checksum over its bytes); the request waits for the send while it holds its memory.
     */
    private static final class Connection implements AutoCloseable {
        private record Send(MemorySegment bytes, CompletableFuture<Long> done) {
        }

        private final BlockingQueue<Send> outbox = new ArrayBlockingQueue<>(1);
        private final AtomicLong sent = new AtomicLong();
        private final Thread writer = Thread.ofVirtual().name("connection").start(this::write);

        void send(MemorySegment bytes) throws Exception {
            CompletableFuture<Long> done = new CompletableFuture<>();
            outbox.put(new Send(bytes, done));
            done.get();
        }

        long sent() {
            return sent.get();
        }

        private void write() {
            try {
                while (true) {
                    Send next = outbox.take();
                    if (next.bytes() == null) {
                        return;
                    }
                    long checksum = 0;
                    for (long i = 0; i < next.bytes().byteSize(); i += 8) {
                        checksum = checksum * 31 + next.bytes().get(ValueLayout.JAVA_LONG, i);
                    }
                    sent.incrementAndGet();
                    next.done().complete(checksum);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            try {
                outbox.put(new Send(null, null));
                writer.join();
            } catch (InterruptedException e) {
                writer.interrupt();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long expectedTotal(int id, int lines) {
        SplittableRandom random = new SplittableRandom(id);
        long cents = 0;
        for (int i = 0; i < lines; i++) {
            long quantity = 1 + random.nextInt(9);
            double price = 0.25 * (1 + random.nextInt(400));
            cents += Math.round(quantity * price * 100);
        }
        return cents;
    }

    /** A request that could never fit is refused at once instead of waiting forever. */
    private static void refused(PrintStream out, AsyncArena budget) {
        try {
            budget.lease(BUDGET + 1).join();
            out.println("  a request larger than the budget was served?");
        } catch (CompletionException e) {
            AllocationException error = (AllocationException) e.getCause();
            out.println("  a " + (BUDGET + 1) + "-byte request is refused at once: " + error.code() + ", "
                    + error.suggestions().getFirst());
        }
    }

    /** A typed handle: the Rust crate's {@code arena.alloc(42).await} and {@code handle.read(|v| *v)}. */
    private static void handle(PrintStream out, AsyncArena budget) {
        try (Handle<Long> served = budget.allocate(HandleType.of(ValueLayout.JAVA_LONG),
                budget.statistics().grants()).join()) {
            long before = served.read(v -> v);
            served.update(v -> v + 1);
            out.println("  a handle holds a long in the budget: " + before + " requests served, "
                    + served.read() + " with this one");
        }
    }

    private static double millis(Duration d) {
        return d.toNanos() / 1e6;
    }
}
