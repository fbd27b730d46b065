package io.nebula.memory.async;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The async arena under real threads: many virtual threads on a small budget, cancellation storms, the race
 * between a grant and a cancellation, interrupts of the blocking form, and close with threads waiting. Every test
 * ends by checking that every byte came back.
 */
class AsyncArenaConcurrencyTest {

    /** A bound on how long a test may wait for its threads; a safety net, never an assertion about time. */
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private static AsyncConfig failOnLeak() {
        return AsyncConfig.defaults().withLeakPolicy(LeakPolicy.FAIL);
    }

    @Test
    void tenThousandVirtualThreadsShareASmallBudgetWithoutLosingAByte() throws Exception {
        int threads = 10_000;
        long budget = 64 * 1024;
        AtomicLong overBudget = new AtomicLong();
        ConcurrentLinkedQueue<String> corrupted = new ConcurrentLinkedQueue<>();
        AsyncArena arena = AsyncArena.create(budget, failOnLeak());
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> tasks = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                int id = i;
                tasks.add(executor.submit(() -> {
                    long bytes = 64 + new SplittableRandom(id).nextLong(8192);
                    Lease lease = id % 2 == 0
                            ? arena.leaseBlocking(bytes, PATIENCE)
                            : arena.lease(bytes).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    try (lease) {
                        if (arena.usedBytes() > budget) {
                            overBudget.incrementAndGet();
                        }
                        MemorySegment mine = lease.allocate(bytes - 8, 8);
                        mine.fill((byte) id);
                        Thread.yield();
                        for (long b = 0; b < mine.byteSize(); b++) {
                            if (mine.get(ValueLayout.JAVA_BYTE, b) != (byte) id) {
                                corrupted.add("task " + id + " byte " + b);
                                break;
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
        assertEquals(0, overBudget.get(), "leased bytes never exceed the budget");
        assertTrue(corrupted.isEmpty(), () -> "two leases shared bytes: " + corrupted);
        AsyncStatistics stats = arena.statistics();
        assertEquals(0, stats.leasedBytes(), stats::toJson);
        assertEquals(threads, stats.grants(), stats::toJson);
        assertEquals(threads, stats.releases(), stats::toJson);
        assertEquals(0, stats.waitersNow(), stats::toJson);
        assertTrue(stats.waited() > 0 && stats.peakWaiters() > 0, stats::toJson);
        assertTrue(stats.peakLeasedBytes() <= budget, stats::toJson);
        arena.close();   // FAIL policy: throws if anything were still leased
    }

    @Test
    void aCancellationStormLeavesNothingLeasedOrQueued() throws Exception {
        AsyncArena arena = AsyncArena.create(4096, failOnLeak());
        int workers = 8;
        int rounds = 2_000;
        CyclicBarrier start = new CyclicBarrier(workers);
        try (ExecutorService executor = Executors.newFixedThreadPool(workers)) {
            List<Future<?>> tasks = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                tasks.add(executor.submit(() -> {
                    SplittableRandom random = new SplittableRandom(worker);
                    start.await();
                    List<CompletableFuture<Lease>> mine = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        mine.add(arena.lease(64 + random.nextLong(2048)));
                        if (random.nextInt(3) == 0) {
                            mine.add(arena.lease(64).orTimeout(random.nextInt(50), TimeUnit.MICROSECONDS));
                        }
                        while (mine.size() > 4) {
                            CompletableFuture<Lease> f = mine.remove(random.nextInt(mine.size()));
                            if (!f.cancel(false)) {
                                closeIfLeased(f);
                            }
                        }
                    }
                    for (CompletableFuture<Lease> f : mine) {
                        if (!f.cancel(false)) {
                            closeIfLeased(f);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        }
        AsyncStatistics stats = arena.statistics();
        assertEquals(0, stats.leasedBytes(), stats::toJson);
        assertEquals(0, stats.waitersNow(), stats::toJson);
        assertEquals(stats.grants(), stats.releases(), stats::toJson);
        assertTrue(stats.abandoned() > 0, stats::toJson);
        try (Lease whole = arena.lease(4096).getNow(null)) {
            assertTrue(whole != null, "the whole budget is one free range again");
        }
        arena.close();
    }

    private static void closeIfLeased(CompletableFuture<Lease> done) {
        try {
            done.join().close();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            // cancelled or timed out: nothing was leased
        }
    }

    @Test
    void aGrantRacingACancellationEitherDeliversOrGivesBack() throws Exception {
        AsyncArena arena = AsyncArena.create(64, failOnLeak());
        int rounds = 5_000;
        CyclicBarrier barrier = new CyclicBarrier(2);
        int delivered = 0;
        try (ExecutorService executor = Executors.newFixedThreadPool(2)) {
            for (int r = 0; r < rounds; r++) {
                Lease held = arena.lease(64).join();
                CompletableFuture<Lease> waiting = arena.lease(64);
                Future<?> release = executor.submit(() -> {
                    barrier.await();
                    held.close();
                    return null;
                });
                Future<Boolean> cancel = executor.submit(() -> {
                    barrier.await();
                    return waiting.cancel(false);
                });
                release.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                boolean cancelled = cancel.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                if (!cancelled) {
                    waiting.join().close();
                    delivered++;
                }
                assertEquals(0, arena.usedBytes(), "round " + r);
                assertEquals(0, arena.waiters(), "round " + r);
            }
        }
        AsyncStatistics stats = arena.statistics();
        assertEquals(rounds + delivered, stats.grants(), stats::toJson);
        assertEquals(stats.grants(), stats.releases(), stats::toJson);
        assertEquals(rounds - delivered, stats.abandoned(), stats::toJson);
        arena.close();
    }

    @Test
    void interruptingTheBlockingFormRemovesTheWaiter() throws Exception {
        AsyncArena arena = AsyncArena.create(64, failOnLeak());
        Lease held = arena.lease(64).join();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try (Lease _ = arena.leaseBlocking(64, PATIENCE)) {
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        while (arena.waiters() == 0) {
            Thread.onSpinWait();
        }
        waiter.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, arena.waiters());
        held.close();
        assertEquals(0, arena.usedBytes());
        assertEquals(1, arena.statistics().abandoned());
        arena.close();
    }

    @Test
    void anInterruptRacingAGrantLeavesNothingLeased() throws Exception {
        AsyncArena arena = AsyncArena.create(64, failOnLeak());
        for (int r = 0; r < 500; r++) {
            Lease held = arena.lease(64).join();
            CyclicBarrier barrier = new CyclicBarrier(2);
            Thread waiter = Thread.ofVirtual().start(() -> {
                try (Lease lease = arena.leaseBlocking(64, PATIENCE)) {
                    lease.allocate(8);
                } catch (InterruptedException expected) {
                    // interrupted before or while waiting: the request left the queue
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            while (arena.waiters() == 0 && waiter.isAlive()) {
                Thread.onSpinWait();
            }
            Thread releaser = Thread.ofVirtual().start(() -> {
                await(barrier);
                held.close();
            });
            await(barrier);
            waiter.interrupt();
            releaser.join();
            waiter.join();
            assertEquals(0, arena.usedBytes(), "round " + r);
            assertEquals(0, arena.waiters(), "round " + r);
        }
        arena.close();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void closeFailsEveryBlockedVirtualThreadWithClosed() throws Exception {
        AsyncArena arena = AsyncArena.create(64, AsyncConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE));
        Lease held = arena.lease(64).join();
        int threads = 1_000;
        List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            outcomes.add(outcome);
            Thread.ofVirtual().start(() -> {
                try (Lease _ = arena.leaseBlocking(64, PATIENCE)) {
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
        }
        while (arena.waiters() < threads) {
            Thread.onSpinWait();
        }
        arena.close();
        for (CompletableFuture<Throwable> outcome : outcomes) {
            AllocationException e = assertInstanceOf(AllocationException.class,
                    outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            assertEquals(ErrorCode.CLOSED, e.code());
        }
        held.close();
        assertEquals(0, arena.usedBytes());
        assertEquals(threads, arena.statistics().failed());
    }
}
