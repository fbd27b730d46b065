package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives a bump allocator with a million random operations and checks every result against a plain model: a
 * list of live regions and a stack of checkpoints. The seed is printed in every failure message; rerun with
 * {@code -Dnebula.test.seed=<seed>} to reproduce.
 */
class BumpAllocatorModelTest {

    private static final int OPERATIONS = 1_000_000;
    private static final long CAPACITY = 1 << 16;

    /** A live region in the model, with the stamp written into it. */
    private record Region(long offset, long size, long stamp) { }

    /** A checkpoint in the model: the allocator's checkpoint, and how many regions were live when taken. */
    private record Saved(Checkpoint checkpoint, int liveRegions, long top) { }

    @Test
    void millionRandomOperationsAgreeWithTheModel() {
        long seed = Long.getLong("nebula.test.seed", System.nanoTime());
        String context = "seed=" + seed;
        SplittableRandom random = new SplittableRandom(seed);
        try (BumpAllocator arena = BumpAllocator.create(CAPACITY, BumpConfig.defaults().withTrackStats(true))) {
            MemorySegment block = arena.segment();
            long base = block.address();
            List<Region> live = new ArrayList<>();
            List<Saved> checkpoints = new ArrayList<>();
            List<Checkpoint> discarded = new ArrayList<>();
            long top = 0;
            long allocations = 0;

            for (int op = 0; op < OPERATIONS; op++) {
                String where = context + ", operation " + op;
                int kind = random.nextInt(100);
                if (kind < 80) {
                    long size = random.nextInt(10) == 0 ? random.nextLong(1, CAPACITY) : random.nextInt(0, 200);
                    long alignment = 1L << random.nextInt(0, 8);
                    long start = ((base + top + alignment - 1) & -alignment) - base;
                    boolean fits = start + size <= CAPACITY;
                    boolean offsetPath = random.nextBoolean();
                    if (!fits) {
                        AllocationException e = assertThrows(AllocationException.class, () -> {
                            if (offsetPath) {
                                arena.allocateOffset(size, alignment);
                            } else {
                                arena.allocate(size, alignment);
                            }
                        }, where);
                        assertEquals(ErrorCode.OUT_OF_MEMORY, e.code(), where);
                    } else {
                        long offset = offsetPath ? arena.allocateOffset(size, alignment)
                                : arena.allocate(size, alignment).address() - base;
                        assertEquals(start, offset, where);
                        assertEquals(0, (base + offset) % alignment, where);
                        assertTrue(offset >= top && offset + size <= CAPACITY, where);
                        long stamp = random.nextLong();
                        stamp(block, offset, size, stamp);
                        live.add(new Region(offset, size, stamp));
                        top = offset + size;
                        allocations++;
                    }
                } else if (kind < 88) {
                    checkpoints.add(new Saved(arena.checkpoint(), live.size(), top));
                } else if (kind < 97) {
                    if (!discarded.isEmpty() && random.nextInt(4) == 0) {
                        Checkpoint stale = discarded.get(random.nextInt(discarded.size()));
                        AllocationException e = assertThrows(AllocationException.class, () -> arena.restore(stale),
                                where);
                        assertEquals(ErrorCode.INVALID_CHECKPOINT, e.code(), where);
                    } else if (!checkpoints.isEmpty()) {
                        int index = random.nextInt(checkpoints.size());
                        Saved saved = checkpoints.get(index);
                        arena.restore(saved.checkpoint());
                        release(block, live, saved.liveRegions(), where);
                        while (checkpoints.size() > index) {
                            discarded.add(checkpoints.removeLast().checkpoint());
                        }
                        top = saved.top();
                    }
                } else {
                    arena.reset();
                    release(block, live, 0, where);
                    for (Saved saved : checkpoints) {
                        discarded.add(saved.checkpoint());
                    }
                    checkpoints.clear();
                    top = 0;
                }
                if (discarded.size() > 64) {
                    discarded.subList(0, 32).clear();
                }
                assertEquals(top, arena.usedBytes(), where);
                assertEquals(CAPACITY - top, arena.availableBytes(), where);
            }
            assertEquals(allocations, arena.statistics().orElseThrow().allocations(), context);
        }
    }

    private static void stamp(MemorySegment block, long offset, long size, long stamp) {
        for (long i = 0; i < Math.min(size, 16); i++) {
            block.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (stamp >>> (8 * (i & 7))));
        }
        if (size > 16) {
            block.set(ValueLayout.JAVA_BYTE, offset + size - 1, (byte) stamp);
        }
    }

    private static void release(MemorySegment block, List<Region> live, int keep, String where) {
        while (live.size() > keep) {
            Region r = live.removeLast();
            for (long i = 0; i < Math.min(r.size(), 16); i++) {
                if (block.get(ValueLayout.JAVA_BYTE, r.offset() + i) != (byte) (r.stamp() >>> (8 * (i & 7)))) {
                    fail(where + ": the stamp of region " + r + " was overwritten while it was live");
                }
            }
            if (r.size() > 16 && block.get(ValueLayout.JAVA_BYTE, r.offset() + r.size() - 1) != (byte) r.stamp()) {
                fail(where + ": the last byte of region " + r + " was overwritten while it was live");
            }
        }
    }
}
