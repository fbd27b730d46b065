package io.nebula.memory.bump;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.ReferenceQueue;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The thread buffers of a thread-safe arena: every byte of every allocation stamped with its thread's id and checked
 * after all threads are done (no two allocations share a byte), at 2, 4 and 8 platform threads and 10,000 virtual
 * threads; the waste bound; and what checkpoints, scopes, restores and resets do to the buffers.
 */
class BumpThreadBufferTest {

    /**
     * Each thread writes its buffer's top on every allocation, and the collector may move two threads' buffers, or a
     * buffer and the arena objects every call reads, next to each other: a buffer's fields therefore sit between
     * 64 bytes of padding on each side (a superclass's before them, the class's own after), so that no other
     * object shares their cache lines. Without it, two threads on one arena's segment path took 2.8x one thread's
     * time in some JVMs and 1.1x in others. The JVM lays out a superclass's fields before a subclass's, so the
     * padding is where the class hierarchy puts it.
     */
    @Test
    void aThreadBuffersFieldsArePaddedByACacheLineOnEachSide() {
        Class<?> fields = ThreadBuffer.class.getSuperclass();
        Class<?> before = fields.getSuperclass();
        assertEquals(Object.class, before.getSuperclass());
        assertEquals(instanceFields(before).size() * 8L, instanceLongBytes(before), "nothing but padding before");
        assertEquals(64, instanceLongBytes(before), "padding before the fields");
        assertTrue(instanceFields(fields).stream().anyMatch(f -> f.getName().equals("top")), "the fields");
        assertEquals(instanceFields(ThreadBuffer.class).size() * 8L, instanceLongBytes(ThreadBuffer.class),
                "nothing but padding after");
        assertEquals(64, instanceLongBytes(ThreadBuffer.class), "padding after the fields");
    }

    private static List<Field> instanceFields(Class<?> type) {
        return Arrays.stream(type.getDeclaredFields()).filter(f -> !Modifier.isStatic(f.getModifiers())).toList();
    }

    private static long instanceLongBytes(Class<?> type) {
        return instanceFields(type).stream().filter(f -> f.getType() == long.class).count() * Long.BYTES;
    }

    private static final long BUFFER = 1024;
    private static final BumpConfig SHARED = BumpConfig.defaults().withThreadSafe(true).withTrackStats(true)
            .withThreadBufferBytes(BUFFER);

    /** One allocation and the id of the thread that made it. */
    private record Stamped(MemorySegment segment, int owner) { }

    @Test
    void platformThreadsNeverShareAByteOfAFixedArena() throws Exception {
        for (int threads : new int[] {2, 4, 8}) {
            try (BumpAllocator arena = BumpAllocator.create(64L << 20, SHARED)) {
                List<Stamped> all = stampInParallel(arena, threads, 20_000, false);
                checkStampsAndBounds(arena, all, threads + " platform threads");
            }
        }
    }

    @Test
    void platformThreadsNeverShareAByteOfAGrowableArena() throws Exception {
        for (int threads : new int[] {2, 4, 8}) {
            BumpConfig growing = SHARED.withGrowth(64 * 1024, 1L << 30);
            try (BumpAllocator arena = BumpAllocator.create(4096, growing)) {
                List<Stamped> all = stampInParallel(arena, threads, 20_000, false);
                checkStampsAndBounds(arena, all, threads + " platform threads, growable");
                assertTrue(arena.chunkCount() > 10, "the threads raced across chunk switches");
            }
        }
    }

    /**
     * More live platform threads than the arena has slots for their buffers, twice over: the threads share slots,
     * and the second batch finds slots held by the buffers of ended threads.
     */
    @Test
    void twoBatchesOfTwoHundredPlatformThreadsSharingSlotsNeverShareAByte() throws Exception {
        try (BumpAllocator arena = BumpAllocator.create(64L << 20, SHARED)) {
            List<Stamped> all = new ArrayList<>(stampInParallel(arena, 200, 400, false));
            all.addAll(stampInParallel(arena, 200, 400, false));
            checkStampsAndBounds(arena, all, "two batches of 200 platform threads");
        }
    }

    @Test
    void tenThousandVirtualThreadsShareAFewBuffers() throws Exception {
        try (BumpAllocator arena = BumpAllocator.create(64L << 20, SHARED)) {
            List<Stamped> all = stampInParallel(arena, 10_000, 8, true);
            checkStampsAndBounds(arena, all, "10,000 virtual threads");
            long requested = all.stream().mapToLong(s -> s.segment().byteSize() + 7).sum();
            // A buffer per virtual thread would reserve 10,000 * 1 KiB; the stripes hold at most 256 buffers.
            assertTrue(arena.usedBytes() <= 2 * requested + 256 * BUFFER,
                    () -> "used " + arena.usedBytes() + " for " + requested + " bytes requested");
        }
    }

    /**
     * Runs {@code threads} threads that each make {@code perThread} allocations of random sizes (some larger than
     * an eighth of a buffer, some larger than a buffer), on the offset and segment paths, and stamp every byte of
     * each with their id; returns every allocation.
     */
    private static List<Stamped> stampInParallel(BumpAllocator arena, int threads, int perThread, boolean virtual)
            throws Exception {
        long seed = System.nanoTime();
        boolean fixed = arena.chunkCount() == 1 && arena.config().growth().isEmpty();
        CyclicBarrier start = virtual ? null : new CyclicBarrier(threads);
        List<Callable<List<Stamped>>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t + 1;
            tasks.add(() -> {
                SplittableRandom random = new SplittableRandom(seed + id);
                if (start != null) {
                    start.await();
                }
                List<Stamped> mine = new ArrayList<>(perThread);
                for (int i = 0; i < perThread; i++) {
                    int pick = random.nextInt(100);
                    long size = pick < 90 ? 4 * random.nextInt(1, 16) : pick < 99 ? 4 * random.nextInt(32, 256)
                            : 4 * random.nextInt(256, 2048);
                    long alignment = 4L << random.nextInt(4);
                    MemorySegment s = fixed && random.nextBoolean()
                            ? arena.segment().asSlice(arena.allocateOffset(size, alignment), size)
                            : arena.allocate(size, alignment);
                    assertEquals(0, s.address() % alignment);
                    for (long b = 0; b < size; b += 4) {
                        s.set(ValueLayout.JAVA_INT_UNALIGNED, b, id);
                    }
                    mine.add(new Stamped(s, id));
                }
                return mine;
            });
        }
        ThreadFactory factory = virtual ? Thread.ofVirtual().factory() : Thread.ofPlatform().factory();
        List<Stamped> all = new ArrayList<>();
        try (ExecutorService executor = Executors.newThreadPerTaskExecutor(factory)) {
            for (Future<List<Stamped>> done : executor.invokeAll(tasks)) {
                all.addAll(done.get());
            }
        }
        return all;
    }

    private static void checkStampsAndBounds(BumpAllocator arena, List<Stamped> all, String where) {
        for (Stamped s : all) {
            for (long b = 0; b < s.segment().byteSize(); b += 4) {
                int found = s.segment().get(ValueLayout.JAVA_INT_UNALIGNED, b);
                if (found != s.owner()) {
                    throw new AssertionError(where + ": byte " + b + " of " + s + " holds thread " + found
                            + "'s stamp");
                }
            }
        }
        List<Stamped> sorted = new ArrayList<>(all);
        sorted.sort((a, b) -> Long.compare(a.segment().address(), b.segment().address()));
        for (int i = 1; i < sorted.size(); i++) {
            MemorySegment before = sorted.get(i - 1).segment();
            assertTrue(before.address() + before.byteSize() <= sorted.get(i).segment().address(),
                    () -> where + ": overlapping allocations");
        }
        AllocationStatistics stats = arena.statistics().orElseThrow();
        assertEquals(all.size(), stats.allocations(), where);
        assertEquals(arena.usedBytes(), stats.bytesAllocated(), where + ": buffers count in full, as in usedBytes()");
        assertEquals(arena.usedBytes(), stats.currentBytes(), where);
        assertTrue(stats.wastedBytes() * 8 <= stats.bytesAllocated(),
                () -> where + ": wasted " + stats.wastedBytes() + " of " + stats.bytesAllocated());
        long requested = all.stream().mapToLong(s -> s.segment().byteSize()).sum();
        assertTrue(requested + stats.wastedBytes() <= arena.usedBytes(), where);
    }

    /** Runs {@code task} on {@code thread} (a single-thread executor) and waits for it. */
    private static <T> T on(ExecutorService thread, Callable<T> task) throws Exception {
        return thread.submit(task).get();
    }

    @Test
    void aBufferGivenUpWastesLessThanAnEighthAndLargeRequestsAreClaimedOnTheirOwn() throws Exception {
        try (BumpAllocator arena = BumpAllocator.create(64 * 1024, SHARED);
             ExecutorService a = Executors.newSingleThreadExecutor();
             ExecutorService b = Executors.newSingleThreadExecutor()) {
            long base = arena.segment().address();
            assertEquals(0L, on(a, () -> arena.allocateOffset(8, 8)), "a's buffer: [0, 1024)");
            assertEquals(8L, on(a, () -> arena.allocateOffset(1000, 8)), "a large request that fits the buffer");
            assertEquals(1024L, on(b, () -> arena.allocateOffset(8, 8)), "b's buffer: [1024, 2048)");
            // 16 bytes left in a's buffer, which no longer ends at the arena's position: a moves to a new buffer.
            assertEquals(2048L, on(a, () -> arena.allocate(100, 8).address() - base));
            assertEquals(16, arena.statistics().orElseThrow().wastedBytes());
            // 1016 bytes left in b's buffer: 1020 is more than an eighth of a buffer, claimed on its own...
            assertEquals(3072L, on(b, () -> arena.allocateOffset(1020, 4)));
            // ...and b's buffer is kept, not wasted.
            assertEquals(1032L, on(b, () -> arena.allocateOffset(8, 8)));
            AllocationStatistics stats = arena.statistics().orElseThrow();
            assertEquals(16, stats.wastedBytes());
            assertEquals(3072 + 1020, arena.usedBytes());
            assertEquals(arena.usedBytes(), stats.bytesAllocated());
            assertEquals(6, stats.allocations());
        }
    }

    @Test
    void theBufferSizeIsAConfigComponentOrA64thOfTheCapacity() {
        assertEquals(BumpConfig.AUTOMATIC_THREAD_BUFFER, BumpConfig.defaults().threadBufferBytes());
        BumpConfig config = BumpConfig.defaults().withThreadBufferBytes(4096);
        assertEquals(4096, config.withThreadSafe(true).withTrackStats(true).withGrowth(1 << 16, 1 << 20)
                .withFillPattern((byte) 1).withoutGrowth().threadBufferBytes(), "kept by every copy");
        assertThrows(IllegalArgumentException.class, () -> BumpConfig.defaults().withThreadBufferBytes(-1));
        BumpConfig automatic = BumpConfig.defaults();
        assertEquals(64 * 1024, SharedBump.bufferBytes(4L << 20, automatic), "a 64th of 4 MiB");
        assertEquals(64 * 1024, SharedBump.bufferBytes(1L << 40, automatic), "at most 64 KiB");
        assertEquals(1024, SharedBump.bufferBytes(64 * 1024 + 100, automatic), "rounded down to 64 bytes");
        assertEquals(64, SharedBump.bufferBytes(4096, automatic));
        assertEquals(0, SharedBump.bufferBytes(4095, automatic), "none under 4 KiB");
        assertEquals(4096, SharedBump.bufferBytes(100, config), "the config's size, whatever the capacity");
    }

    @Test
    void aBufferThatEndsAtThePositionGrowsInPlace() {
        try (BumpAllocator arena = BumpAllocator.create(64 * 1024, SHARED)) {
            long previous = -1;
            for (int i = 0; i < 100; i++) {
                long offset = arena.allocateOffset(100, 4);
                assertTrue(previous < 0 || offset == previous + 100, "one thread's allocations are contiguous");
                previous = offset;
            }
            assertEquals(0, arena.statistics().orElseThrow().wastedBytes());
            assertEquals(10 * BUFFER, arena.usedBytes(), "10,000 bytes in buffers of 1 KiB, grown in place");
        }
    }

    @Test
    void resetRetiresEveryBufferSoAStaleOneIsNeverUsedAgain() throws Exception {
        try (BumpAllocator arena = BumpAllocator.create(64 * 1024, SHARED);
             ExecutorService other = Executors.newSingleThreadExecutor()) {
            assertEquals(0L, on(other, () -> arena.allocateOffset(8, 8)), "the other thread's buffer: [0, 1024)");
            arena.reset();
            assertEquals(0, arena.usedBytes(), "the reset released the other thread's buffer too");
            assertEquals(0L, arena.allocateOffset(16, 8), "this thread's buffer: [0, 1024) again");
            long after = on(other, () -> arena.allocateOffset(8, 8));
            assertEquals(BUFFER, after, "the other thread's old buffer was retired: a new one follows this one's");
            assertEquals(2 * BUFFER, arena.usedBytes());
            assertEquals(0, arena.statistics().orElseThrow().wastedBytes(), "released bytes are not wasted");
        }
    }

    @Test
    void aCheckpointKeepsOtherThreadsBufferTailsBelowItAndGivesBackTheCallersOwn() throws Exception {
        try (BumpAllocator arena = BumpAllocator.create(64 * 1024, SHARED);
             ExecutorService other = Executors.newSingleThreadExecutor()) {
            assertEquals(0L, on(other, () -> arena.allocateOffset(8, 8)));
            assertEquals(BUFFER, arena.allocateOffset(8, 8));
            Checkpoint checkpoint = arena.checkpoint();
            assertEquals(BUFFER + 8, arena.usedBytes(), "this thread's unused buffer bytes went back");
            long inside = on(other, () -> arena.allocateOffset(8, 8));
            assertEquals(BUFFER + 8, inside, "after a checkpoint, the other thread allocates above it");
            arena.restore(checkpoint);
            assertEquals(BUFFER + 8, arena.usedBytes(), "the other thread's cut tail stays below the checkpoint");
            long again = on(other, () -> arena.allocateOffset(8, 8));
            assertEquals(BUFFER + 8, again, "the restore retired the buffer that held the released bytes");
        }
    }

    @Test
    void scopesOnOneThreadReleaseExactlyWhatTheyTook() {
        try (BumpAllocator arena = BumpAllocator.create(1 << 20, SHARED)) {
            arena.allocate(40, 8);
            for (int i = 0; i < 5000; i++) {
                long before = arena.usedBytes();
                try (Scope _ = arena.scope()) {
                    assertEquals(40, arena.usedBytes(), "the scope gave back the unused buffer bytes");
                    arena.allocate(64 + i % 200, 8).fill((byte) i);
                }
                assertEquals(40, arena.usedBytes(), "iteration " + i + ", " + before + " before");
            }
            assertEquals(0, arena.statistics().orElseThrow().wastedBytes());
        }
    }

    @Test
    void fillPatternAndZeroingReachEveryAllocationInABuffer() throws Exception {
        BumpConfig filled = SHARED.withFillPattern((byte) 0x5A);
        BumpConfig zeroed = SHARED.withZeroOnRelease(true);
        try (BumpAllocator a = BumpAllocator.create(64 * 1024, filled);
             BumpAllocator z = BumpAllocator.create(64 * 1024, zeroed);
             ExecutorService other = Executors.newSingleThreadExecutor()) {
            for (int round = 0; round < 3; round++) {
                MemorySegment first = on(other, () -> a.allocate(100, 8));
                MemorySegment second = a.allocate(100, 8);
                for (long i = 0; i < 100; i++) {
                    assertEquals(0x5A, first.get(ValueLayout.JAVA_BYTE, i));
                    assertEquals(0x5A, second.get(ValueLayout.JAVA_BYTE, i));
                }
                first.fill((byte) 1);
                z.reset();
                MemorySegment dirty = on(other, () -> z.allocate(100, 8));
                dirty.fill((byte) 7);
                z.reset();
                MemorySegment again = z.allocate(100, 8);
                assertEquals(dirty.address(), again.address(), "the same bytes, in another thread's buffer");
                for (long i = 0; i < 100; i++) {
                    assertEquals(0, again.get(ValueLayout.JAVA_BYTE, i), "released bytes read as zero");
                }
                a.reset();
            }
        }
    }

    @Test
    void aClosedArenaIsNotKeptReachableByTheThreadsThatUsedIt() throws Exception {
        // Each platform thread finds its buffer through a ThreadLocal whose value lives as long as the thread: that
        // value must not reach the arena, or every thread-safe arena a pooled thread ever used would stay on the heap.
        WeakReference<BumpAllocator> dropped = useOnTwoThreadsAndClose();
        ReferenceQueue<Object> unused = new ReferenceQueue<>();
        for (int i = 0; i < 50 && dropped.get() != null; i++) {
            System.gc();
            unused.remove(20);
        }
        assertNull(dropped.get(), "a closed thread-safe arena stayed reachable from its threads' ThreadLocals");
    }

    private static WeakReference<BumpAllocator> useOnTwoThreadsAndClose() throws Exception {
        BumpAllocator arena = BumpAllocator.create(1 << 20, SHARED);
        Thread other = new Thread(() -> arena.allocate(16, 8));
        other.start();
        other.join();
        arena.allocate(16, 8);
        arena.reset();
        arena.close();
        return new WeakReference<>(arena);
    }
}
