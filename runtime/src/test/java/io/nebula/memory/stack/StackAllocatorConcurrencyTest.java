package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread-safe stack under real threads. Every allocation is stamped with its thread and sequence number when it
 * is pushed and checked before it is popped: a stamp overwritten by another allocation is an overlap.
 */
class StackAllocatorConcurrencyTest {

    /** Pushes plus pops per run of {@link #pushPopSequencesOfManyThreadsNeverOverlap(int)}. */
    private static final int OPERATIONS = 1_000_000;

    /** Allocations per run of {@link #concurrentPushesNeverOverlap(int)}. */
    private static final int CONCURRENT_ALLOCATIONS = 200_000;

    private static final StackConfig THREAD_SAFE = StackConfig.defaults().withThreadSafe(true).withTrackStats(true);

    private static long stamp(int thread, long sequence) {
        return ((long) thread << 40) | sequence;
    }

    /**
     * Each thread, holding a lock of its own around the sequence, pushes one to four allocations, stamps them,
     * checks every stamp, then pops them in reverse order (by segment, by offset, or by closing a scope). The
     * allocator's lock is contended meanwhile by threads reading its state.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void pushPopSequencesOfManyThreadsNeverOverlap(int threadCount) throws Exception {
        long seed = System.nanoTime();
        ReentrantLock order = new ReentrantLock();
        long[] pushes = new long[threadCount];
        long[] pops = new long[threadCount];
        long[] scopes = new long[threadCount];
        long[] bytes = new long[threadCount];
        AtomicLong operations = new AtomicLong();
        try (StackAllocator stack = StackAllocator.create(4096, THREAD_SAFE)) {
            MemorySegment block = stack.segment();
            runThreads(threadCount, seed, (id, random) -> {
                MemorySegment[] live = new MemorySegment[4];
                long[] stamps = new long[4];
                long sequence = 0;
                while (operations.get() < OPERATIONS) {
                    int k = 1 + random.nextInt(4);
                    boolean useScope = random.nextInt(8) == 0;
                    order.lock();
                    try {
                        Scope scope = useScope ? stack.scope() : null;
                        for (int i = 0; i < k; i++) {
                            int size = 8 * (1 + random.nextInt(8));
                            live[i] = (i & 1) == 0 ? stack.allocate(size, 8)
                                    : block.asSlice(stack.allocateOffset(size, 8), size);
                            stamps[i] = stamp(id, sequence++);
                            live[i].set(ValueLayout.JAVA_LONG, 0, stamps[i]);
                            live[i].set(ValueLayout.JAVA_LONG, size - 8, stamps[i]);
                            bytes[id] += size;
                        }
                        pushes[id] += k;
                        for (int i = k - 1; i >= 0; i--) {
                            long first = live[i].get(ValueLayout.JAVA_LONG, 0);
                            long last = live[i].get(ValueLayout.JAVA_LONG, live[i].byteSize() - 8);
                            if (first != stamps[i] || last != stamps[i]) {
                                throw new AssertionError("thread " + id + ": allocation " + stamps[i]
                                        + " was overwritten: " + first + ", " + last);
                            }
                        }
                        if (scope != null) {
                            scope.close();
                            scopes[id]++;
                        } else {
                            for (int i = k - 1; i >= 0; i--) {
                                if ((i & 1) == 0) {
                                    stack.deallocate(live[i]);
                                } else {
                                    stack.deallocateOffset(live[i].address() - block.address());
                                }
                            }
                            pops[id] += k;
                        }
                    } finally {
                        order.unlock();
                    }
                    operations.addAndGet(2L * k);
                    if (random.nextInt(16) == 0) {
                        assertTrue(stack.usedBytes() <= 4 * 64);
                        stack.statistics().orElseThrow();
                    }
                }
            });

            assertEquals(0, stack.depth());
            assertEquals(0, stack.usedBytes());
            AllocationStatistics stats = stack.statistics().orElseThrow();
            String context = "seed=" + seed;
            assertTrue(2 * Arrays.stream(pushes).sum() >= OPERATIONS, "each push is popped once; " + context);
            assertEquals(Arrays.stream(pushes).sum(), stats.allocations(), context);
            assertEquals(Arrays.stream(pops).sum(), stats.deallocations(), context);
            assertEquals(Arrays.stream(scopes).sum(), stats.resets(), context);
            assertEquals(Arrays.stream(bytes).sum(), stats.bytesAllocated(), context);
            assertEquals(stats.bytesAllocated(), stats.bytesFreed(), "sizes are multiples of 8: no padding; "
                    + context);
            assertEquals(0, stats.currentBytes());
            assertTrue(stats.peakBytes() > 0 && stats.peakBytes() <= 4 * 64, context);
            assertEquals(0, stats.failedAllocations());
        }
    }

    /**
     * Every thread pushes at once, with no order of its own: the allocator's lock alone keeps the allocations
     * apart. After each round one thread checks every stamp and every range, then restores a checkpoint taken before
     * the round.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void concurrentPushesNeverOverlap(int threadCount) throws Exception {
        int perRound = 500;
        int rounds = CONCURRENT_ALLOCATIONS / threadCount / perRound;
        long seed = System.nanoTime();
        long[][] offsets = new long[threadCount][perRound];
        int[][] sizes = new int[threadCount][perRound];
        long[] bytes = new long[threadCount];
        try (StackAllocator stack = StackAllocator.create(64L * threadCount * perRound + 64, THREAD_SAFE)) {
            MemorySegment block = stack.segment();
            MemorySegment base = stack.allocate(ValueLayout.JAVA_LONG);
            base.set(ValueLayout.JAVA_LONG, 0, -1L);
            Checkpoint checkpoint = stack.checkpoint();
            CyclicBarrier allocated = new CyclicBarrier(threadCount);
            CyclicBarrier released = new CyclicBarrier(threadCount);
            runThreads(threadCount, seed, (id, random) -> {
                try {
                    pushRounds(stack, block, checkpoint, id, random, rounds, perRound, offsets, sizes, bytes,
                            allocated, released, seed);
                } catch (Throwable e) {
                    allocated.reset();
                    released.reset();
                    throw e;
                }
            });

            assertEquals(1, stack.depth());
            assertEquals(-1L, base.get(ValueLayout.JAVA_LONG, 0));
            AllocationStatistics stats = stack.statistics().orElseThrow();
            long total = Arrays.stream(bytes).sum();
            assertEquals(1 + (long) threadCount * rounds * perRound, stats.allocations(), "seed=" + seed);
            assertEquals(8 + total, stats.bytesAllocated(), "seed=" + seed);
            assertEquals(total, stats.bytesFreed(), "seed=" + seed);
            assertEquals(rounds, stats.resets());
            assertEquals(0, stats.deallocations());
            assertEquals(8, stats.currentBytes());
            stack.deallocate(base);
        }
    }

    private static void pushRounds(StackAllocator stack, MemorySegment block, Checkpoint checkpoint, int id,
                                   SplittableRandom random, int rounds, int perRound, long[][] offsets,
                                   int[][] sizes, long[] bytes, CyclicBarrier allocated, CyclicBarrier released,
                                   long seed) {
        int threadCount = offsets.length;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < perRound; i++) {
                int size = 8 * (1 + random.nextInt(8));
                long offset = (i & 1) == 0 ? stack.allocateOffset(size, 8)
                        : stack.allocate(size, 8).address() - block.address();
                block.set(ValueLayout.JAVA_LONG, offset, stamp(id, (long) round * perRound + i));
                offsets[id][i] = offset;
                sizes[id][i] = size;
                bytes[id] += size;
            }
            await(allocated);
            if (id == 0) {
                checkRound(block, offsets, sizes, round, perRound, seed);
                assertEquals(1 + threadCount * perRound, stack.depth());
                stack.restore(checkpoint);
            }
            await(released);
        }
    }

    private static void checkRound(MemorySegment block, long[][] offsets, int[][] sizes, int round, int perRound,
                                   long seed) {
        int threads = offsets.length;
        long[][] ranges = new long[threads * perRound][];
        int n = 0;
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perRound; i++) {
                long expected = stamp(t, (long) round * perRound + i);
                long actual = block.get(ValueLayout.JAVA_LONG, offsets[t][i]);
                if (actual != expected) {
                    throw new AssertionError("seed=" + seed + ": stamp of thread " + t + " #" + i + " in round "
                            + round + " is " + actual);
                }
                ranges[n++] = new long[] {offsets[t][i], offsets[t][i] + sizes[t][i]};
            }
        }
        Arrays.sort(ranges, (a, b) -> Long.compare(a[0], b[0]));
        assertTrue(ranges[0][0] >= 8, "seed=" + seed + ": an allocation overlaps the base allocation");
        for (int i = 1; i < ranges.length; i++) {
            if (ranges[i - 1][1] > ranges[i][0]) {
                throw new AssertionError("seed=" + seed + ": overlapping allocations at "
                        + Arrays.toString(ranges[i - 1]) + " and " + Arrays.toString(ranges[i]));
            }
        }
    }

    @Test
    void lifoOrderIsGlobalAcrossThreads() throws Exception {
        try (StackAllocator stack = StackAllocator.create(1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            MemorySegment mine = stack.allocate(16);
            MemorySegment[] theirs = new MemorySegment[1];
            Checkpoint[] theirCheckpoint = new Checkpoint[1];
            inThread(() -> {
                theirCheckpoint[0] = stack.checkpoint();
                theirs[0] = stack.allocate(32);
            });

            AllocationException e = assertThrows(AllocationException.class, () -> stack.deallocate(mine));
            assertEquals(ErrorCode.OUT_OF_ORDER, e.code());
            assertTrue(e.getMessage().contains("expected the top allocation, index 1 (offset 16, 32 bytes)"),
                    e.getMessage());
            assertEquals(2, stack.depth());

            stack.deallocate(theirs[0]);
            stack.allocate(8);
            stack.restore(theirCheckpoint[0]);
            assertEquals(1, stack.depth(), "another thread's checkpoint pops this thread's allocation");
            inThread(() -> stack.deallocate(mine));
            assertEquals(0, stack.usedBytes());
        }
    }

    @Test
    void anyThreadMayUseTheSegmentsAndCloseTheStack() throws Exception {
        StackAllocator stack = StackAllocator.create(1024, THREAD_SAFE);
        MemorySegment segment = stack.allocate(ValueLayout.JAVA_INT);
        inThread(() -> {
            segment.set(ValueLayout.JAVA_INT, 0, 42);
            stack.deallocate(segment);
            stack.reset();
            stack.allocate(10);
        });
        assertEquals(42, segment.get(ValueLayout.JAVA_INT, 0), "the backing arena is shared");
        assertEquals(10, stack.usedBytes());
        inThread(stack::reset);
        inThread(stack::close);
        assertTrue(stack.isClosed());
        assertFalse(segment.scope().isAlive());
        AllocationException e = assertThrows(AllocationException.class, () -> stack.allocate(8));
        assertEquals(ErrorCode.CLOSED, e.code());
        assertTrue(stack.toString().endsWith(", thread-safe, closed]"), stack.toString());
    }

    @Test
    void aConfinedStackOwnedByAnotherThreadRefusesThisOne() throws Exception {
        StackAllocator[] created = new StackAllocator[1];
        inThread(() -> created[0] = StackAllocator.create(256));
        AllocationException e = assertThrows(AllocationException.class, () -> created[0].allocate(8));
        assertEquals(ErrorCode.WRONG_THREAD, e.code());
        assertEquals(0, created[0].usedBytes());
    }

    /** Runs {@code body} on {@code count} threads started together and fails with the first error of any. */
    private static void runThreads(int count, long seed, Body body) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(count);
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    body.run(id, new SplittableRandom(seed + id));
                } catch (Throwable e) {
                    failures.add(e);
                    start.reset();
                }
            }, "stack-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("seed=" + seed + ": " + failures.size() + " thread(s) failed",
                    failures.getFirst());
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new AssertionError("another thread failed", e);
        }
    }

    private static void inThread(Runnable action) throws Exception {
        Throwable[] thrown = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        thread.start();
        thread.join();
        if (thrown[0] != null) {
            throw new AssertionError(thrown[0]);
        }
    }

    @FunctionalInterface
    private interface Body {
        void run(int id, SplittableRandom random) throws Exception;
    }
}
