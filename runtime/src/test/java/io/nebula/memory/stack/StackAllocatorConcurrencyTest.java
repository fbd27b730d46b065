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
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread-safe stack under real threads: per-thread stacks over one budget. Every thread writes its own id into
 * every byte of each of its pushes and checks every byte of all its live pushes before each pop, so an overlap with
 * another thread's memory is seen; at the end every region is back and the statistics balance exactly.
 */
class StackAllocatorConcurrencyTest {

    private static final StackConfig THREAD_SAFE = StackConfig.defaults().withThreadSafe(true).withTrackStats(true);

    /** At most this many live pushes per thread, of at most {@link #MAX_SIZE} bytes each. */
    private static final int MAX_LIVE = 6;
    private static final int MAX_SIZE = 96;

    @ParameterizedTest(name = "{0} platform threads")
    @ValueSource(ints = {2, 4, 8})
    void platformThreadsNeverOverlapAndGiveEveryRegionBack(int threadCount) throws Exception {
        stampRun(threadCount, 20_000, false);
    }

    /** More live platform threads than a thread-safe stack has slots for them: threads share slots. */
    @Test
    void twoHundredPlatformThreadsSharingSlotsEachFindTheirOwnStack() throws Exception {
        stampRun(200, 300, false);
    }

        @Test
    void tenThousandVirtualThreadsNeverOverlapAndGiveEveryRegionBack() throws Exception {
        stampRun(10_000, 40, true);
    }

    /**
     * Each thread repeatedly pushes one to {@link #MAX_LIVE} allocations (segment path, offset path, inside a scope
     * or not), stamps every byte with its id, checks all stamps, and pops them in LIFO order (deallocate, deallocate
     * by offset, scope close or checkpoint restore), each round through the thread-safe stack or the thread's own
     * ({@link StackAllocator#threadStack()}), in any mix. The budget fits every thread's deepest stack at once only for
     * a few threads: with thousands of virtual threads regions are taken and given back all the time.
     */
    private static void stampRun(int threadCount, int rounds, boolean virtual) throws Exception {
        long seed = System.nanoTime();
        long regionSize = 1024;
        int regions = Math.min(threadCount, 16);
        StackConfig config = THREAD_SAFE.withRegionSize(regionSize);
        AtomicLong pushes = new AtomicLong();
        AtomicLong pushedBytes = new AtomicLong();
        AtomicLong refusedForRegions = new AtomicLong();
        try (StackAllocator stack = StackAllocator.create(regions * regionSize, config)) {
            SharedStack shared = (SharedStack) stack;
            MemorySegment block = stack.segment();
            runThreads(threadCount, seed, virtual, (id, random) -> {
                byte mark = (byte) (id * 31 + 7);
                StackAllocator own = stack.threadStack();
                for (int round = 0; round < rounds; round++) {
                    // Each round pushes through the thread-safe stack or the thread's own, and pops through either.
                    StackAllocator pushing = random.nextBoolean() ? own : stack;
                    StackAllocator popping = random.nextBoolean() ? own : stack;
                    int live = 1 + random.nextInt(MAX_LIVE);
                    long[] offsets = new long[live];
                    int[] sizes = new int[live];
                    MemorySegment[] segments = new MemorySegment[live];
                    Scope scope = random.nextInt(4) == 0 ? pushing.scope() : null;
                    Checkpoint checkpoint = scope == null && random.nextInt(4) == 0 ? pushing.checkpoint() : null;
                    int pushed = 0;
                    try {
                        for (; pushed < live; pushed++) {
                            int size = 1 + random.nextInt(MAX_SIZE);
                            long alignment = 1L << random.nextInt(4);
                            if (random.nextBoolean()) {
                                offsets[pushed] = pushing.allocateOffset(size, alignment);
                            } else {
                                segments[pushed] = pushing.allocate(size, alignment);
                                offsets[pushed] = segments[pushed].address() - block.address();
                            }
                            sizes[pushed] = size;
                            block.asSlice(offsets[pushed], size).fill(mark);
                            pushes.incrementAndGet();
                            pushedBytes.addAndGet(size);
                        }
                    } catch (AllocationException e) {
                        if (e.code() != ErrorCode.OUT_OF_MEMORY) {
                            throw e;
                        }
                        refusedForRegions.incrementAndGet();
                    }
                    for (int i = 0; i < pushed; i++) {
                        checkStamp(block, offsets[i], sizes[i], mark, id, seed);
                    }
                    if (scope != null) {
                        scope.close();
                    } else if (checkpoint != null) {
                        popping.restore(checkpoint);
                    } else {
                        for (int i = pushed - 1; i >= 0; i--) {
                            if (segments[i] != null) {
                                popping.deallocate(segments[i]);
                            } else {
                                popping.deallocateOffset(offsets[i]);
                            }
                        }
                    }
                }
            });

            String context = "seed=" + seed + ", refused for lack of a region: " + refusedForRegions.get();
            assertEquals(0, stack.depth(), context);
            assertEquals(0, stack.usedBytes(), context);
            assertEquals(0, shared.regionsInUse(), "every region is back, or kept by a thread that has ended with"
                    + " an empty stack; " + context);
            assertTrue(shared.regionsHeld() <= shared.regions().count() / 2,
                    "at most half the regions are kept while empty; " + context);
            AllocationStatistics stats = stack.statistics().orElseThrow();
            assertEquals(pushes.get(), stats.allocations(), context);
            assertEquals(stats.bytesAllocated(), stats.bytesFreed(), context);
            assertTrue(stats.bytesAllocated() >= pushedBytes.get(), "padding is counted on top; " + context);
            assertEquals(0, stats.currentBytes(), context);
            assertTrue(stats.peakBytes() <= stack.capacityBytes(), "the budget is never exceeded; " + context);
        }
    }

    private static void checkStamp(MemorySegment block, long offset, int size, byte mark, int id, long seed) {
        for (int b = 0; b < size; b++) {
            byte actual = block.get(ValueLayout.JAVA_BYTE, offset + b);
            if (actual != mark) {
                throw new AssertionError("seed=" + seed + ": byte " + b + " of thread " + id + "'s push at offset "
                        + offset + " was overwritten with " + actual);
            }
        }
    }

    @Test
    void eachThreadHasItsOwnLifoOrderCheckpointsAndScopes() throws Exception {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            MemorySegment mine = stack.allocate(16);
            MemorySegment[] theirs = new MemorySegment[1];
            Checkpoint[] theirCheckpoint = new Checkpoint[1];
            Scope[] theirScope = new Scope[1];
            long[] theirOffset = new long[1];
            CyclicBarrier pushed = new CyclicBarrier(2);
            CyclicBarrier checked = new CyclicBarrier(2);
            Thread other = Thread.ofPlatform().name("other").start(() -> {
                try {
                    theirCheckpoint[0] = stack.checkpoint();
                    theirs[0] = stack.allocate(32);
                    theirScope[0] = stack.scope();
                    theirOffset[0] = stack.allocateOffset(8, 8);
                    pushed.await();
                    checked.await();
                    theirScope[0].close();
                    stack.deallocate(theirs[0]);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            pushed.await();

            assertEquals(3, stack.depth(), "depth counts every thread's live allocations");
            stack.deallocate(mine);  // this thread's top, whatever the other thread pushed since
            AllocationException e = assertThrows(AllocationException.class, () -> stack.deallocate(theirs[0]));
            assertEquals(ErrorCode.WRONG_THREAD, e.code());
            assertTrue(e.getMessage().contains("of thread \"other\""), e.getMessage());
            e = assertThrows(AllocationException.class, () -> stack.deallocateOffset(theirOffset[0]));
            assertEquals(ErrorCode.WRONG_THREAD, e.code());
            e = assertThrows(AllocationException.class, () -> stack.restore(theirCheckpoint[0]));
            assertEquals(ErrorCode.WRONG_THREAD, e.code());
            e = assertThrows(AllocationException.class, theirScope[0]::close);
            assertEquals(ErrorCode.WRONG_THREAD, e.code());
            assertFalse(theirScope[0].isClosed());
            stack.reset();  // only this thread's (empty) stack
            assertEquals(2, stack.depth(), "reset pops only the calling thread's stack");
            checked.await();
            other.join();
            assertEquals(0, stack.depth());
            assertEquals(2, ((SharedStack) stack).regionsHeld(),
                    "two platform threads, 8 regions: both keep their region while empty");
            assertEquals(1, ((SharedStack) stack).regionsInUse(), "the other thread has ended with an empty stack");
        }
    }

    @Test
    void aRegionGrowsIntoTheNextFreeOneAndFailsWithAnActionableErrorWhenItCannot() throws Exception {
        StackConfig config = THREAD_SAFE.withRegionSize(256);
        try (StackAllocator stack = StackAllocator.create(1024, config)) {
            long a = stack.allocateOffset(200, 8);
            long b = stack.allocateOffset(200, 8);  // does not fit in region 0: grows into region 1
            assertEquals(a + 200, b);
            assertEquals(2, ((SharedStack) stack).regionsHeld());
            Throwable[] thrown = new Throwable[1];
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    long c = stack.allocateOffset(100, 8);
                    assertTrue(c >= 512, "another thread's stack takes a free region");
                    stack.allocateOffset(700, 8);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            other.join();
            AllocationException e = (AllocationException) thrown[0];
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            assertTrue(e.getMessage().contains("withRegionSize(832) (now 256)"), e.getMessage());
            stack.deallocateOffset(b);
            stack.deallocateOffset(a);
        }
    }

    @Test
    void aRegionKeptWhileEmptyGoesToAnotherThreadOnceItsThreadHasEnded() throws Exception {
        StackAllocator[] created = new StackAllocator[1];
        inThread(() -> {
            created[0] = StackAllocator.create(128, THREAD_SAFE.withRegionSize(64));
            created[0].deallocateOffset(created[0].allocateOffset(8, 8));   // keeps region 0 while empty
        });
        StackAllocator stack = created[0];
        assertEquals(1, ((SharedStack) stack).regionsHeld(), "two regions: one may be kept while empty");
        long mine = stack.allocateOffset(64, 8);   // region 1, the only free one
        assertEquals(64, mine);
        long[] theirs = new long[1];
        inThread(() -> {
            theirs[0] = stack.allocateOffset(8, 8);   // no free region: takes over the ended thread's
            stack.deallocateOffset(theirs[0]);
        });
        assertEquals(0, theirs[0]);
        stack.deallocateOffset(mine);
        assertEquals(0, ((SharedStack) stack).regionsHeld(), "only one thread stack may keep a region of two");
        stack.close();
    }

    @Test
    void aThreadWithNoFreeRegionGetsOutOfMemoryNamingTheRegions() throws Exception {
        try (StackAllocator stack = StackAllocator.create(128, THREAD_SAFE.withRegionSize(64))) {
            long mine = stack.allocateOffset(100, 8);  // both regions
            Throwable[] thrown = new Throwable[1];
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    stack.allocateOffset(8, 8);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            other.join();
            AllocationException e = (AllocationException) thrown[0];
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            assertTrue(e.getMessage().contains("every one of the 2 regions of 64 bytes is held"), e.getMessage());
            assertEquals(1, stack.statistics().orElseThrow().failedAllocations());
            stack.deallocateOffset(mine);
        }
    }

    @Test
    void anyThreadMayUseTheSegmentsAndCloseTheStack() throws Exception {
        StackAllocator stack = StackAllocator.create(1024, THREAD_SAFE);
        MemorySegment segment = stack.allocate(ValueLayout.JAVA_INT);
        inThread(() -> {
            segment.set(ValueLayout.JAVA_INT, 0, 42);
            stack.allocate(10);
        });
        assertEquals(42, segment.get(ValueLayout.JAVA_INT, 0), "the backing arena is shared");
        assertEquals(14, stack.usedBytes(), "used bytes count every thread's stack, even a finished one's");
        inThread(stack::close);
        assertTrue(stack.isClosed());
        assertFalse(segment.scope().isAlive());
        AllocationException e = assertThrows(AllocationException.class, () -> stack.allocate(8));
        assertEquals(ErrorCode.CLOSED, e.code());
        assertTrue(stack.toString().endsWith(", thread-safe, closed]"), stack.toString());
    }

    @Test
    void everyCallOfAThreadToldOfTheCloseIsClosedThoughItsStackKeptItsRegion() throws Exception {
        StackAllocator stack = StackAllocator.create(1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.IGNORE));
        CyclicBarrier used = new CyclicBarrier(2);
        CyclicBarrier closed = new CyclicBarrier(2);
        List<ErrorCode> codes = Collections.synchronizedList(new ArrayList<>());
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                long kept = stack.allocateOffset(16, 8);   // left live: the close finds this stack non-empty
                stack.deallocateOffset(stack.allocateOffset(8, 8));
                used.await();
                closed.await();   // the close happens before this thread's calls below, by the barrier alone
                List<Runnable> calls = List.of(
                        () -> stack.allocateOffset(8, 8),
                        () -> stack.deallocateOffset(kept),
                        () -> stack.allocate(8),
                        stack::checkpoint,
                        stack::scope,
                        stack::reset);
                for (Runnable call : calls) {
                    try {
                        call.run();
                        codes.add(null);
                    } catch (AllocationException e) {
                        codes.add(e.code());
                    }
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        used.await();
        stack.close();
        closed.await();
        worker.join();
        assertEquals(Collections.nCopies(6, ErrorCode.CLOSED), codes);
    }

    @Test
    void aConfinedStackOwnedByAnotherThreadRefusesThisOne() throws Exception {
        StackAllocator[] created = new StackAllocator[1];
        inThread(() -> created[0] = StackAllocator.create(256));
        AllocationException e = assertThrows(AllocationException.class, () -> created[0].allocate(8));
        assertEquals(ErrorCode.WRONG_THREAD, e.code());
        assertEquals(0, created[0].usedBytes());
    }

    /** Runs {@code body} on {@code count} threads and fails with the first error of any. */
    private static void runThreads(int count, long seed, boolean virtual, Body body) throws InterruptedException {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        Thread.Builder builder = virtual ? Thread.ofVirtual().name("vstack-", 0)
                : Thread.ofPlatform().name("stack-", 0);
        for (int t = 0; t < count; t++) {
            int id = t;
            threads.add(builder.start(() -> {
                try {
                    body.run(id, new SplittableRandom(seed + id));
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("seed=" + seed + ": " + failures.size() + " thread(s) failed",
                    failures.getFirst());
            failures.stream().skip(1).limit(5).forEach(error::addSuppressed);
            throw error;
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

    @Test
    void inCheckedModeAnotherThreadsSegmentIsForeignAndLeavesBothStacksUnchanged() throws Exception {
        StackConfig checked = THREAD_SAFE.withChecked(true).withLeakPolicy(LeakPolicy.IGNORE);
        try (StackAllocator stack = StackAllocator.create(1 << 16, checked)) {
            MemorySegment[] theirs = new MemorySegment[1];
            Thread other = new Thread(() -> theirs[0] = stack.allocate(32, 8));
            other.start();
            other.join();
            MemorySegment mine = stack.allocate(16, 8);

            AllocationException e = assertThrows(AllocationException.class, () -> stack.deallocate(theirs[0]));
            assertEquals(ErrorCode.FOREIGN_SEGMENT, e.code());
            assertEquals(2, stack.depth(), "neither thread's stack changed");
            stack.deallocate(mine);
            assertEquals(1, stack.depth());
        }
    }

    @Test
    void aClosedStackIsNotKeptReachableByTheThreadsThatUsedIt() throws Exception {
        // Each thread finds its stack through a ThreadLocal whose value lives as long as the thread: that value must
        // not reach the stack, or every thread-safe stack a pooled thread ever used would stay on the heap.
        WeakReference<StackAllocator> dropped = useOnTwoThreadsAndClose();
        ReferenceQueue<Object> unused = new ReferenceQueue<>();
        for (int i = 0; i < 50 && dropped.get() != null; i++) {
            System.gc();
            unused.remove(20);
        }
        assertNull(dropped.get(), "a closed thread-safe stack stayed reachable from its threads' ThreadLocals");
    }

    private static WeakReference<StackAllocator> useOnTwoThreadsAndClose() throws Exception {
        StackAllocator stack = StackAllocator.create(1 << 16, THREAD_SAFE.withLeakPolicy(LeakPolicy.IGNORE));
        Thread other = new Thread(() -> {
            stack.allocate(16, 8);
            stack.reset();
        });
        other.start();
        other.join();
        stack.allocate(16, 8);
        stack.reset();
        stack.close();
        return new WeakReference<>(stack);
    }

    @FunctionalInterface
    private interface Body {
        void run(int id, SplittableRandom random) throws Exception;
    }
}
