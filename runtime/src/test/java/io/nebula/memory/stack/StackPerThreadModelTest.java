package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-thread models on real threads: every thread drives its own stack of one thread-safe stack with random pushes,
 * pops, out-of-order pops, checkpoints and restores, and checks each result against a plain model of its own stack
 * (live allocations, top, checkpoints). The regions are large enough for every thread's deepest stack, so no push is
 * refused: any difference from the model is another thread's interference.
 */
class StackPerThreadModelTest {

    private static final long REGION = 8192;

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void everyThreadsStackFollowsItsOwnModel(int threadCount) throws Exception {
        long seed = System.nanoTime();
        StackConfig config = StackConfig.defaults().withThreadSafe(true).withRegionSize(REGION);
        try (StackAllocator stack = StackAllocator.create(2 * threadCount * REGION, config)) {
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        runModel(stack, new SplittableRandom(seed + id), (byte) (id + 1), 30_000);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("seed=" + seed, failures.getFirst());
            }
            assertEquals(0, stack.depth(), "seed=" + seed);
            assertEquals(0, ((SharedStack) stack).regionsInUse(), "seed=" + seed);
        }
    }

    /** A live allocation of the model. */
    private record Live(long offset, long size, long previousTop) { }

    /** A checkpoint and the model's depth and top when it was taken. */
    private record Saved(Checkpoint checkpoint, int depth, long top) { }

    private static void runModel(StackAllocator stack, SplittableRandom random, byte mark, int operations) {
        MemorySegment block = stack.segment();
        List<Live> live = new ArrayList<>();
        List<Saved> saved = new ArrayList<>();
        long top = -1;   // unknown while the model is empty: the next push's region decides
        for (int op = 0; op < operations; op++) {
            int choice = random.nextInt(10);
            if (choice < 5 && live.size() < 40) {
                long size = random.nextInt(0, 129);
                long alignment = 1L << random.nextInt(7);
                long offset = stack.allocateOffset(size, alignment);
                if (!live.isEmpty()) {
                    assertEquals((top + alignment - 1) & -alignment, offset, "the next push follows the top");
                } else {
                    assertEquals(0, offset % alignment);
                    top = offset - offset % REGION;   // a region start: the top of the empty stack
                    assertEquals(offset, (top + alignment - 1) & -alignment, "the first push starts its region");
                }
                block.asSlice(offset, size).fill(mark);
                live.add(new Live(offset, size, top));
                top = offset + size;
            } else if (choice < 8 && !live.isEmpty()) {
                Live last = live.getLast();
                if (live.size() > 1 && random.nextInt(4) == 0) {
                    Live below = live.get(random.nextInt(live.size() - 1));
                    if (below.offset() != last.offset()) {
                        AllocationException e = assertThrows(AllocationException.class,
                                () -> stack.deallocateOffset(below.offset()));
                        assertEquals(ErrorCode.OUT_OF_ORDER, e.code());
                    }
                }
                checkStamps(block, live, mark);
                stack.deallocateOffset(last.offset());
                live.removeLast();
                top = last.previousTop();
                saved.removeIf(s -> s.depth() > live.size());
            } else if (choice == 8 && saved.size() < 8) {
                saved.add(new Saved(stack.checkpoint(), live.size(), top));
            } else if (!saved.isEmpty()) {
                Saved s = saved.get(random.nextInt(saved.size()));
                checkStamps(block, live, mark);
                stack.restore(s.checkpoint());
                while (live.size() > s.depth()) {
                    live.removeLast();
                }
                top = s.top();
                saved.removeIf(other -> other.depth() > s.depth());
            }
            assertTrue(stack.depth() >= live.size(), "every thread's allocations are counted");
        }
        while (!live.isEmpty()) {
            checkStamps(block, live, mark);
            stack.deallocateOffset(live.removeLast().offset());
        }
    }

    private static void checkStamps(MemorySegment block, List<Live> live, byte mark) {
        for (Live l : live) {
            for (long b = 0; b < l.size(); b++) {
                if (block.get(ValueLayout.JAVA_BYTE, l.offset() + b) != mark) {
                    throw new AssertionError("byte " + b + " of the push at offset " + l.offset()
                            + " was overwritten by another thread");
                }
            }
        }
    }
}
