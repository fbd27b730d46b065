package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.Choices;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives every kind of bump allocator (confined and thread-safe, unchecked and checked, fixed and growable) with
 * random operations and checks each result against a plain model: the chunks in use and spare, the live regions
 * with the pattern written into each, and the stack of checkpoints and scopes. Requests of random sizes and
 * alignments cross chunk boundaries, checkpoints and scopes are taken and restored in every chunk, resets keep or
 * free chunks. After every step the used, available and reserved bytes, the chunk count, the current chunk and the
 * full statistics must agree with the model; every live region's pattern is checked when it is released and
 * periodically while it lives, so a live allocation that is overwritten fails the test.
 *
 * <p>A thread-safe arena, unchecked, allocates through thread buffers; driven by one thread, its allocations land
 * exactly where a confined arena's would (the buffer grows in place while nothing was reserved after it), and the
 * model adds the documented buffer rules: where the buffer ends, which requests are claimed on their own, that a
 * checkpoint gives back the calling thread's unused buffer bytes and retires the buffer, and that used bytes count
 * the whole buffer.
 *
 * <p>The model learns only what no rule fixes: the address of a chunk the arena reserves, and which of several
 * spares fit for a request it picked. Everything else (whether a request fits, a new chunk's size, what a reset
 * keeps, the bytes each operation uses or releases) it predicts from the documented rules. The seed is printed in
 * every failure message; rerun with {@code -Dnebula.test.seed=<seed>} to reproduce.
 */
class BumpAllocatorModelTest {

    private static final long FIXED_CAPACITY = 1 << 16;
    private static final long FIRST_CHUNK = 4096;
    private static final long MAX_CHUNK = 64 * 1024;
    private static final long LIMIT = 512 * 1024;

    /** The allocators under test, and how many operations each gets. */
    enum Setup {
        CONFINED_FIXED(false, false, false, false, 400_000),
        THREAD_SAFE_FIXED(true, false, false, false, 200_000),
        CONFINED_CHECKED_FIXED(false, true, false, false, 40_000),
        CONFINED_GROWABLE(false, false, true, false, 400_000),
        CONFINED_GROWABLE_KEEPING_ALL_CHUNKS(false, false, true, true, 200_000),
        THREAD_SAFE_GROWABLE(true, false, true, false, 200_000),
        CONFINED_CHECKED_GROWABLE(false, true, true, false, 40_000),
        THREAD_SAFE_CHECKED_GROWABLE(true, true, true, true, 20_000);

        final boolean threadSafe;
        final boolean checked;
        final boolean growable;
        final boolean keepAllChunks;
        final int operations;

        Setup(boolean threadSafe, boolean checked, boolean growable, boolean keepAllChunks, int operations) {
            this.threadSafe = threadSafe;
            this.checked = checked;
            this.growable = growable;
            this.keepAllChunks = keepAllChunks;
            this.operations = operations;
        }

        BumpAllocator create() {
            BumpConfig config = BumpConfig.defaults().withThreadSafe(threadSafe).withChecked(checked)
                    .withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
            if (growable) {
                config = config.withGrowth(new BumpConfig.Growth(MAX_CHUNK, LIMIT, keepAllChunks));
                return BumpAllocator.create(FIRST_CHUNK, config);
            }
            return BumpAllocator.create(FIXED_CAPACITY, config);
        }
    }

    /** A chunk in the model: its memory, the used bytes at its start, and how far it was used when left. */
    private static final class Chunk {
        final MemorySegment segment;
        long start;
        long end;

        Chunk(MemorySegment segment, long start) {
            this.segment = segment;
            this.start = start;
        }

        long address() {
            return segment.address();
        }

        long size() {
            return segment.byteSize();
        }

        boolean holds(long size, long alignment) {
            long padding = align(address(), alignment) - address();
            return padding <= size() && size <= size() - padding;
        }

        boolean overlaps(MemorySegment other) {
            return address() < other.address() + other.byteSize() && other.address() < address() + size();
        }
    }

    /** A live allocation and the stamp its pattern derives from. */
    private record Region(MemorySegment segment, long stamp) { }

    /** A checkpoint or scope in the model, how many regions were live and the used bytes when it was taken. */
    private record Saved(Checkpoint checkpoint, Scope scope, int liveRegions, long usedBytes) { }

    /** What the model expects of an allocation. */
    private enum Outcome { IN_CURRENT, IN_SPARE, IN_NEW_CHUNK, OUT_OF_MEMORY }

    private final List<Chunk> inUse = new ArrayList<>();
    private final List<Chunk> spares = new ArrayList<>();
    private final List<Region> live = new ArrayList<>();
    private final List<Saved> saved = new ArrayList<>();
    private final List<Saved> discarded = new ArrayList<>();
    private long top;
    /** Thread buffers: where the calling thread's buffer ends in the current chunk (used bytes count up to it). */
    private long limit;
    /** Thread buffers: whether the buffer belongs to the arena's current period. */
    private boolean bufferValid;
    /** Whether the arena under test allocates through thread buffers: thread-safe and unchecked. */
    private boolean usesBuffers;
    private long bufferBytes;
    private long lastPlanned = FIRST_CHUNK;
    private long allocations;
    private long bytesAllocated;
    private long bytesFreed;
    private long peak;
    private long failed;
    private long releases;
    private long growths;

    @ParameterizedTest
    @EnumSource(Setup.class)
    void randomOperationsAgreeWithTheModel(Setup setup) {
        long seed = Long.getLong("nebula.test.seed", System.nanoTime());
        run(setup, Choices.seeded(seed), Choices.operations(setup.operations), "seed=" + seed);
    }

    /**
     * Runs {@code operations} operations chosen by {@code random} on a fresh arena of {@code setup}, checking the
     * arena against the model after each; also the body of the fuzz target ({@link BumpFuzzTest}).
     *
     * @param label names the run in failure messages (its seed)
     */
    void run(Setup setup, Choices random, int operations, String label) {
        try (BumpAllocator arena = setup.create()) {
            inUse.add(new Chunk(arena.segment(), 0));
            usesBuffers = setup.threadSafe && !setup.checked;
            long automatic = (arena.segment().byteSize() / 64) & -64L;
            bufferBytes = automatic < 64 ? 0 : Math.min(automatic, 64 * 1024);
            for (int op = 0; op < operations; op++) {
                String where = setup + ", " + label + ", operation " + op;
                int kind = random.nextInt(1000);
                if (kind < 720) {
                    allocate(arena, setup, random, where);
                } else if (kind < 740) {
                    refuseInvalidRequest(arena, setup, random, where);
                } else if (kind < 820) {
                    open(arena, random);
                } else if (kind < 920) {
                    release(arena, setup, random, where);
                } else if (kind < (setup.growable ? 930 : 950)) {
                    reset(arena, setup, where);
                } else if (kind < 952) {
                    verifyLive(where);
                }
                if (discarded.size() > 64) {
                    discarded.subList(0, 32).clear();
                }
                check(arena, where);
            }
            verifyLive(setup + ", " + label + ", at the end");
        }
    }

    private Chunk current() {
        return inUse.getLast();
    }

    private long used() {
        return current().start + (usesBuffers ? limit : top);
    }

    /** Where a thread buffer reserved or grown from {@code from} ends, for a request ending at {@code end}. */
    private long bufferEnd(long from, long end, long chunkSize) {
        return Math.max(end, Math.min(chunkSize, from + Math.min(bufferBytes, chunkSize)));
    }

    /** Whether a thread-safe arena claims the request on its own instead of reserving a new buffer for it. */
    private boolean large(long size, long alignment) {
        return size + alignment - 1 > Math.max(1, bufferBytes / 8);
    }

    private long reserved() {
        long bytes = 0;
        for (Chunk c : inUse) {
            bytes += c.size();
        }
        for (Chunk c : spares) {
            bytes += c.size();
        }
        return bytes;
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private long randomSize(Setup setup, Choices random) {
        if (!setup.growable) {
            return random.nextInt(10) == 0 ? random.nextLong(1, FIXED_CAPACITY) : random.nextInt(0, 200);
        }
        int pick = random.nextInt(100);
        if (pick < 85) {
            return random.nextInt(0, 200);
        } else if (pick < 95) {
            return random.nextInt(200, 8192);
        } else if (pick < 99) {
            return random.nextLong(8192, 60_000);
        }
        return random.nextLong(MAX_CHUNK - 4096, 2 * MAX_CHUNK + 4096);
    }

    /** The documented growth rule: doubling the newest planned chunk up to the maximum, or the request's own size. */
    private long plannedChunk(long size) {
        if (size > MAX_CHUNK) {
            return align(size, 64);
        }
        long bytes = lastPlanned;
        do {
            bytes = bytes >= MAX_CHUNK / 2 ? MAX_CHUNK : 2 * bytes;
        } while (bytes < size);
        return bytes;
    }

    private void allocate(BumpAllocator arena, Setup setup, Choices random, String where) {
        long usedAtStart = used();
        long size = randomSize(setup, random);
        long alignment = 1L << random.nextInt(0, 9);
        boolean offsetPath = !setup.growable && !setup.checked && random.nextBoolean();
        if (setup.growable && random.nextInt(50) == 0) {
            AllocationException e = assertThrows(AllocationException.class,
                    () -> arena.allocateOffset(size, alignment), where);
            assertEquals(ErrorCode.INVALID_SIZE, e.code(), where);
            assertTrue(e.getMessage().contains("offsets index segment(), the one block of a fixed arena"), where);
            failed++;
            return;
        }
        Chunk current = current();
        long start = align(current.address() + top, alignment) - current.address();
        Outcome outcome;
        List<Chunk> fitting = new ArrayList<>();
        long newChunk = 0;
        if (start <= current.size() && size <= current.size() - start) {
            outcome = Outcome.IN_CURRENT;
        } else if (!setup.growable) {
            outcome = Outcome.OUT_OF_MEMORY;
        } else {
            for (Chunk spare : spares) {
                if (spare.holds(size, alignment)) {
                    fitting.add(spare);
                }
            }
            long room = LIMIT - (reserved() - spareBytes());
            if (!fitting.isEmpty()) {
                outcome = Outcome.IN_SPARE;
            } else if (size > room || room < 1) {
                outcome = Outcome.OUT_OF_MEMORY;
            } else {
                outcome = Outcome.IN_NEW_CHUNK;
                newChunk = Math.min(plannedChunk(size), room);
            }
        }
        if (outcome == Outcome.OUT_OF_MEMORY) {
            long usedBefore = arena.usedBytes();
            AllocationException e = assertThrows(AllocationException.class, () -> {
                if (offsetPath) {
                    arena.allocateOffset(size, alignment);
                } else {
                    arena.allocate(size, alignment);
                }
            }, where);
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code(), where);
            if (setup.growable) {
                assertTrue(e.getMessage().contains("growth limit of " + LIMIT + " bytes"), where + ": " + e);
            }
            assertEquals(usedBefore, arena.usedBytes(), where);
            failed++;
            return;
        }
        long reservedBefore = reserved();
        MemorySegment result = offsetPath ? arena.segment().asSlice(arena.allocateOffset(size, alignment), size)
                : arena.allocate(size, alignment);
        assertEquals(size, result.byteSize(), where);
        assertEquals(0, result.address() % alignment, where);
        if (outcome == Outcome.IN_CURRENT) {
            if (!setup.checked) {
                assertEquals(current.address() + start, result.address(), where);
            }
            top = start + size;
            if (usesBuffers && !(bufferValid && size <= limit - start)) {
                if (!bufferValid && large(size, alignment)) {
                    limit = top;
                } else {
                    limit = bufferEnd(limit, top, current.size());
                    bufferValid = true;
                }
            }
        } else {
            MemorySegment now = arena.segment();
            Chunk entered;
            if (outcome == Outcome.IN_SPARE) {
                entered = fitting.stream().filter(c -> c.address() == now.address()).findFirst()
                        .orElseThrow(() -> new AssertionError(where + ": moved to " + now + ", not a spare that"
                                + " holds " + size + " bytes aligned to " + alignment));
                spares.remove(entered);
            } else {
                assertEquals(newChunk, now.byteSize(), where + ": the new chunk's size");
                assertEquals(0, now.address() % Math.max(64, alignment), where);
                boolean spareFreed = false;
                for (Chunk spare : List.copyOf(spares)) {
                    if (spare.overlaps(now) || !arena.owns(spare.segment)) {
                        spares.remove(spare);
                        spareFreed = true;
                    }
                }
                assertTrue(!spareFreed || reservedBefore + newChunk > LIMIT,
                        where + ": a spare chunk was freed without need");
                entered = new Chunk(now, 0);
                if (size <= MAX_CHUNK) {
                    lastPlanned = plannedChunk(size);
                }
                growths++;
            }
            current.end = top;
            entered.start = current.start + current.size();
            inUse.add(entered);
            long padding = align(now.address(), alignment) - now.address();
            if (!setup.checked) {
                assertEquals(now.address() + padding, result.address(), where);
            }
            top = padding + size;
            bufferValid = usesBuffers && !large(size, alignment);
            limit = bufferValid ? bufferEnd(0, top, now.byteSize()) : top;
        }
        long stamp = random.nextLong();
        stamp(result, stamp);
        live.add(new Region(result, stamp));
        allocations++;
        bytesAllocated += used() - usedAtStart;   // padding, and a chunk tail skipped, included
        peak = Math.max(peak, used());
    }

    private long spareBytes() {
        long bytes = 0;
        for (Chunk c : spares) {
            bytes += c.size();
        }
        return bytes;
    }

    private void refuseInvalidRequest(BumpAllocator arena, Setup setup, Choices random, String where) {
        boolean negative = random.nextBoolean();
        long size = negative ? -1 - random.nextInt(100) : 8;
        long alignment = negative ? 8 : 3 + 2L * random.nextInt(100);
        AllocationException e = assertThrows(AllocationException.class, () -> {
            if (!setup.growable && random.nextBoolean()) {
                arena.allocateOffset(size, alignment);
            } else {
                arena.allocate(size, alignment);
            }
        }, where);
        assertEquals(negative ? ErrorCode.INVALID_SIZE : ErrorCode.INVALID_ALIGNMENT, e.code(), where);
        failed++;
    }

    private void open(BumpAllocator arena, Choices random) {
        if (usesBuffers) {
            bytesAllocated += top - limit;   // the caller's unused buffer bytes are given back
            limit = top;
            bufferValid = false;
        }
        if (random.nextBoolean()) {
            saved.add(new Saved(arena.checkpoint(), null, live.size(), used()));
        } else {
            Scope scope = arena.scope();
            saved.add(new Saved(null, scope, live.size(), used()));
        }
    }

    private void release(BumpAllocator arena, Setup setup, Choices random, String where) {
        if (!discarded.isEmpty() && random.nextInt(4) == 0) {
            Saved stale = discarded.get(random.nextInt(discarded.size()));
            AllocationException e = assertThrows(AllocationException.class, () -> {
                if (stale.scope() != null) {
                    stale.scope().close();
                } else {
                    arena.restore(stale.checkpoint());
                }
            }, where);
            assertEquals(ErrorCode.INVALID_CHECKPOINT, e.code(), where);
            assertTrue(e.getMessage().contains("discarded by an earlier restore"), where);
            if (stale.scope() != null) {
                assertFalse(stale.scope().isClosed(), where + ": a scope whose close failed stays open");
            }
            return;
        }
        if (saved.isEmpty()) {
            return;
        }
        int index = random.nextInt(saved.size());
        Saved target = saved.get(index);
        if (target.scope() != null) {
            target.scope().close();
            assertTrue(target.scope().isClosed(), where);
        } else {
            arena.restore(target.checkpoint());
        }
        releases++;
        bytesFreed += used() - target.usedBytes();
        int chunk = inUse.size() - 1;
        while (inUse.get(chunk).start > target.usedBytes()) {
            chunk--;
        }
        while (inUse.size() > chunk + 1) {
            spares.add(inUse.removeLast());
        }
        top = target.usedBytes() - current().start;
        limit = top;
        bufferValid = false;
        dropLive(target.liveRegions(), setup, where);
        while (saved.size() > index) {
            Saved gone = saved.removeLast();
            if (gone != target || gone.scope() == null) {
                discarded.add(gone);
            }
        }
    }

    private void reset(BumpAllocator arena, Setup setup, String where) {
        arena.reset();
        releases++;
        bytesFreed += used();
        List<Chunk> all = new ArrayList<>(inUse);
        all.addAll(spares);
        long largest = all.stream().mapToLong(Chunk::size).max().orElseThrow();
        MemorySegment now = arena.segment();
        assertEquals(largest, now.byteSize(), where + ": reset keeps the largest chunk");
        Chunk kept = all.stream().filter(c -> c.address() == now.address()).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": reset moved to an unknown chunk " + now));
        inUse.clear();
        spares.clear();
        kept.start = 0;
        inUse.add(kept);
        for (Chunk c : all) {
            if (c == kept) {
                continue;
            }
            if (setup.keepAllChunks) {
                spares.add(c);
            } else {
                assertFalse(arena.owns(c.segment), where + ": reset frees every chunk but the largest");
            }
        }
        top = 0;
        limit = 0;
        bufferValid = false;
        dropLive(0, setup, where);
        saved.forEach(discarded::add);
        saved.clear();
    }

    private void dropLive(int keep, Setup setup, String where) {
        while (live.size() > keep) {
            Region r = live.removeLast();
            if (setup.checked) {
                assertFalse(r.segment().scope().isAlive(), where + ": checked mode kills released segments");
            } else if (r.segment().scope().isAlive()) {
                verify(r, where);
            }
        }
        if (setup.checked && !live.isEmpty()) {
            verify(live.getLast(), where);
        }
    }

    private void verifyLive(String where) {
        for (Region r : live) {
            verify(r, where);
        }
    }

    private void check(BumpAllocator arena, String where) {
        assertEquals(used(), arena.usedBytes(), where);
        assertEquals(reserved(), arena.capacityBytes(), where);
        assertEquals(reserved() - used(), arena.availableBytes(), where);
        assertEquals(inUse.size() + spares.size(), arena.chunkCount(), where);
        assertEquals(current().address(), arena.segment().address(), where);
        assertTrue(reserved() <= LIMIT || inUse.size() == 1, where);
        assertEquals(new AllocationStatistics(allocations, 0, bytesAllocated, bytesFreed, used(), peak, failed,
                releases, growths, 0), arena.statistics().orElseThrow(), where);
    }

    private static void stamp(MemorySegment segment, long stamp) {
        long size = segment.byteSize();
        for (long i = 0; i < Math.min(size, 16); i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (stamp >>> (8 * (i & 7))));
        }
        for (long i = Math.max(16, size - 16); i < size; i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (stamp >>> (8 * (i & 7)) ^ 0x5A));
        }
    }

    private static void verify(Region r, String where) {
        MemorySegment segment = r.segment();
        long size = segment.byteSize();
        for (long i = 0; i < Math.min(size, 16); i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != (byte) (r.stamp() >>> (8 * (i & 7)))) {
                fail(where + ": byte " + i + " of a live region of " + size + " bytes was overwritten");
            }
        }
        for (long i = Math.max(16, size - 16); i < size; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != (byte) (r.stamp() >>> (8 * (i & 7)) ^ 0x5A)) {
                fail(where + ": byte " + i + " of a live region of " + size + " bytes was overwritten");
            }
        }
    }
}
