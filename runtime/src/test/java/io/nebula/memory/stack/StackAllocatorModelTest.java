package io.nebula.memory.stack;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Requests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static io.nebula.memory.stack.StackAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs long random sequences of operations against a {@link StackAllocator} and a plain reference model: a list of
 * live regions and a top. Every region must lie inside the backing block, be aligned as asked, start at or after
 * the end of every live region below it and keep the stamp written into it until it is popped; used and available
 * bytes, the depth and (when tracked) the statistics must equal the model's. Checkpoints and scopes are modelled
 * independently of the allocator's serial numbers: one is discarded the moment the model pops below its depth.
 *
 * <p>The seed is random per run and printed on failure; rerun one with {@code -Dnebula.test.seed=<seed>}.
 */
class StackAllocatorModelTest {

    private static final long CAPACITY = 64 * 1024;
    private static final int MAX_CHECKPOINTS = 16;
    private static final int MAX_SCOPES = 16;

    @Test
    void defaultConfigurationFollowsTheModelForAMillionOperations() {
        check(StackConfig.defaults(), 1_000_000, seed(0));
    }

    @Test
    void debugConfigurationFollowsTheModel() {
        StackConfig config = StackConfig.defaults()
                .withTrackStats(true)
                .withFillPattern((byte) 0xA5)
                .withZeroOnRelease(true);
        check(config, 200_000, seed(1));
    }

    private static long seed(int test) {
        Long fixed = Long.getLong("nebula.test.seed");
        return fixed != null ? fixed : new SplittableRandom().nextLong() + test;
    }

    private static void check(StackConfig config, int operations, long seed) {
        try (Run run = new Run(config, seed)) {
            try {
                run.execute(operations);
            } catch (AssertionError | RuntimeException e) {
                String where = "model test failed with seed " + seed + " (rerun with -Dnebula.test.seed=" + seed
                        + ") at operation " + run.step + ", " + run.operation.get() + ", on " + run.stack;
                System.err.println(where);
                throw new AssertionError(where, e);
            }
        }
    }

    /** A live allocation in the model. */
    private record Region(long start, long size, long previousTop, MemorySegment segment, byte stamp) {

        long end() {
            return start + size;
        }
    }

    /** A checkpoint or scope in the model: discarded once the model pops below its depth. */
    private static final class ModelMarker {
        final Checkpoint marker;
        final int depth;
        final long top;
        boolean discarded;

        ModelMarker(Checkpoint marker, int depth, long top) {
            this.marker = marker;
            this.depth = depth;
            this.top = top;
        }
    }

    private record ModelFrame(Scope frame, ModelMarker marker) { }

    private static final class Run implements AutoCloseable {
        final StackAllocator stack;
        final MemorySegment memory;
        final long base;
        final SplittableRandom random;
        final boolean fill;
        final byte pattern;
        final boolean zeroOnRelease;
        final boolean trackStats;

        final List<Region> live = new ArrayList<>();
        long top;
        final List<ModelMarker> markers = new ArrayList<>();
        final List<ModelFrame> frames = new ArrayList<>();
        int stamps;

        long allocations;
        long deallocations;
        long bytesAllocated;
        long bytesFreed;
        long peak;
        long failed;
        long resets;

        final Map<ErrorCode, Integer> errors = new EnumMap<>(ErrorCode.class);
        int step;
        /** Describes the operation under way; only called when it fails. */
        Supplier<String> operation = () -> "none";

        Run(StackConfig config, long seed) {
            this.stack = StackAllocator.create(CAPACITY, config);
            this.memory = stack.segment();
            this.base = memory.address();
            this.random = new SplittableRandom(seed);
            this.fill = config.fillPattern().isPresent();
            this.pattern = (byte) config.fillPattern().orElse(0);
            this.zeroOnRelease = config.zeroOnRelease();
            this.trackStats = config.trackStats();
        }

        void execute(int operations) {
            for (step = 0; step < operations; step++) {
                int choice = random.nextInt(1000);
                if (choice < 250) {
                    allocate(false);
                } else if (choice < 430) {
                    allocate(true);
                } else if (choice < 740) {
                    popTop();
                } else if (choice < 750) {
                    deallocateBelowTheTop();
                } else if (choice < 755) {
                    deallocateWhatIsNotLive();
                } else if (choice < 785) {
                    takeMarker();
                } else if (choice < 800) {
                    releaseMarker();
                } else if (choice < 830) {
                    openFrame();
                } else if (choice < 850) {
                    closeFrame();
                } else if (choice < 851) {
                    reset();
                } else if (choice < 855) {
                    invalidRequest();
                } else {
                    allocate(random.nextBoolean());
                }
                assertEquals(top, stack.usedBytes(), "used bytes");
                assertEquals(CAPACITY - top, stack.availableBytes(), "available bytes");
                assertEquals(live.size(), stack.depth(), "depth");
                if ((step & 0x3FFF) == 0) {
                    verifyEverything();
                }
            }
            verifyEverything();
            for (ErrorCode code : List.of(ErrorCode.OUT_OF_MEMORY, ErrorCode.INVALID_SIZE,
                    ErrorCode.INVALID_ALIGNMENT, ErrorCode.OUT_OF_ORDER, ErrorCode.FOREIGN_SEGMENT,
                    ErrorCode.INVALID_CHECKPOINT)) {
                assertTrue(errors.getOrDefault(code, 0) > 0, "the run never provoked " + code + ": " + errors);
            }
        }

        private void allocate(boolean viaSegment) {
            long size = randomSize();
            long alignment = randomAlignment();
            operation = () -> (viaSegment ? "allocate(" : "allocateOffset(") + size + ", " + alignment + ")";
            long start = Requests.alignUp(base + top, alignment) - base;
            if (size > CAPACITY - start) {
                expectFailure(ErrorCode.OUT_OF_MEMORY, () -> {
                    if (viaSegment) {
                        stack.allocate(size, alignment);
                    } else {
                        stack.allocateOffset(size, alignment);
                    }
                });
                failed++;
                return;
            }
            long offset;
            MemorySegment segment = null;
            if (viaSegment) {
                segment = stack.allocate(size, alignment);
                assertEquals(size, segment.byteSize(), "segment size");
                offset = segment.address() - base;
            } else {
                offset = stack.allocateOffset(size, alignment);
            }
            assertEquals(start, offset, "the allocation starts at the aligned top");
            long endOfLive = live.isEmpty() ? 0 : live.getLast().end();
            assertTrue(offset >= endOfLive, "overlaps the live region below it");
            assertTrue(offset >= 0 && offset + size <= CAPACITY, "outside the block");
            assertEquals(0, (base + offset) % alignment, "misaligned");
            if (fill) {
                assertBytes(offset, size, pattern, "fill pattern of a new allocation");
            }
            byte stamp = (byte) (stamps++ % 251 + 1);
            memory.asSlice(offset, size).fill(stamp);
            live.add(new Region(offset, size, top, segment, stamp));
            top = offset + size;
            allocations++;
            bytesAllocated += size;
            peak = Math.max(peak, top);
        }

        private void popTop() {
            if (live.isEmpty()) {
                allocate(random.nextBoolean());
                return;
            }
            Region region = live.getLast();
            operation = () -> "pop " + region;
            verifyStamp(region);
            int path = random.nextInt(3);
            if (path == 0 && region.segment() != null) {
                stack.deallocate(region.segment());
            } else if (path == 1) {
                stack.deallocate(memory.asSlice(region.start(), region.size()));
            } else {
                stack.deallocateOffset(region.start());
            }
            long oldTop = top;
            live.removeLast();
            discardMarkersAbove(live.size());
            top = region.previousTop();
            deallocations++;
            bytesFreed += region.size();
            if (zeroOnRelease) {
                assertBytes(top, oldTop - top, (byte) 0, "zeroed on pop");
            }
        }

        private void deallocateBelowTheTop() {
            if (live.size() < 2) {
                return;
            }
            Region topRegion = live.getLast();
            Region region = live.get(random.nextInt(live.size() - 1));
            boolean viaOffset = random.nextBoolean();
            if (region.start() == topRegion.start() && (viaOffset || region.size() == topRegion.size())) {
                return;
            }
            operation = () -> "deallocate below the top " + region;
            String expected = "expected the top allocation, index " + (live.size() - 1) + " (offset "
                    + topRegion.start() + ", " + topRegion.size() + " bytes), but was given the allocation at index ";
            expectFailure(ErrorCode.OUT_OF_ORDER, viaOffset
                    ? () -> stack.deallocateOffset(region.start())
                    : () -> stack.deallocate(memory.asSlice(region.start(), region.size())), expected);
        }

        private void deallocateWhatIsNotLive() {
            long offset = random.nextLong(-8, CAPACITY + 8);
            for (Region region : live) {
                if (region.start() == offset) {
                    return;
                }
            }
            operation = () -> "deallocateOffset(" + offset + "), not a live start";
            expectFailure(ErrorCode.FOREIGN_SEGMENT, () -> stack.deallocateOffset(offset));
        }

        private void takeMarker() {
            operation = () -> "checkpoint()";
            ModelMarker marker = new ModelMarker(stack.checkpoint(), live.size(), top);
            assertEquals(live.size(), marker.marker.depth());
            assertEquals(top, marker.marker.usedBytes());
            if (markers.size() == MAX_CHECKPOINTS) {
                markers.set(random.nextInt(MAX_CHECKPOINTS), marker);
            } else {
                markers.add(marker);
            }
        }

        private void releaseMarker() {
            if (markers.isEmpty()) {
                return;
            }
            int index = random.nextInt(markers.size());
            ModelMarker marker = markers.get(index);
            operation = () -> "restore(" + marker.marker + (marker.discarded ? ", discarded)" : ")");
            if (marker.discarded) {
                expectFailure(ErrorCode.INVALID_CHECKPOINT, () -> stack.restore(marker.marker), "checkpoint");
                markers.remove(index);
                return;
            }
            popAbove(marker, () -> stack.restore(marker.marker));
        }

        private void openFrame() {
            if (frames.size() == MAX_SCOPES) {
                return;
            }
            operation = () -> "scope()";
            Scope frame = stack.scope();
            frames.add(new ModelFrame(frame, new ModelMarker(null, live.size(), top)));
        }

        private void closeFrame() {
            if (frames.isEmpty()) {
                return;
            }
            int index = random.nextInt(5) == 0 ? random.nextInt(frames.size()) : frames.size() - 1;
            ModelFrame frame = frames.remove(index);
            operation = () -> "close " + frame.frame();
            if (frame.marker().discarded) {
                expectFailure(ErrorCode.INVALID_CHECKPOINT, frame.frame()::close, "scope");
                assertFalse(frame.frame().isClosed());
                return;
            }
            popAbove(frame.marker(), frame.frame()::close);
            assertTrue(frame.frame().isClosed());
            if (random.nextInt(4) == 0) {
                long used = stack.usedBytes();
                frame.frame().close();
                assertEquals(used, stack.usedBytes(), "a second close is a no-op");
            }
        }

        private void reset() {
            operation = () -> "reset()";
            popTo(0, 0, stack::reset);
        }

        private void invalidRequest() {
            boolean badSize = random.nextBoolean();
            long size = badSize ? -1 - random.nextInt(1000) : randomSize();
            long alignment = badSize ? randomAlignment() : new long[] {0, 3, 6, 24, -8}[random.nextInt(5)];
            boolean viaSegment = random.nextBoolean();
            operation = () -> "invalid request (" + size + ", " + alignment + ")";
            expectFailure(badSize ? ErrorCode.INVALID_SIZE : ErrorCode.INVALID_ALIGNMENT, () -> {
                if (viaSegment) {
                    stack.allocate(size, alignment);
                } else {
                    stack.allocateOffset(size, alignment);
                }
            });
            failed++;
        }

        private void popAbove(ModelMarker marker, Runnable release) {
            long expectedTop = marker.depth == 0 ? 0 : live.get(marker.depth - 1).end();
            assertEquals(expectedTop, marker.top, "a valid marker's top is the end of the allocation below it");
            popTo(marker.depth, marker.top, release);
        }

        /** A bulk release: verifies the stamps of what it pops, runs it, then updates the model. */
        private void popTo(int depth, long newTop, Runnable release) {
            for (int i = live.size() - 1; i >= depth; i--) {
                verifyStamp(live.get(i));
            }
            release.run();
            long oldTop = top;
            live.subList(depth, live.size()).clear();
            discardMarkersAbove(depth);
            top = newTop;
            resets++;
            bytesFreed += oldTop - newTop;
            if (zeroOnRelease) {
                assertBytes(newTop, oldTop - newTop, (byte) 0, "zeroed on release");
            }
        }

        /**
         * Marks every marker and frame above {@code depth} discarded. Most are then forgotten, as a program would
         * forget them; the few kept exercise the error path.
         */
        private void discardMarkersAbove(int depth) {
            for (ModelMarker marker : markers) {
                if (marker.depth > depth) {
                    marker.discarded = true;
                }
            }
            for (ModelFrame frame : frames) {
                if (frame.marker().depth > depth) {
                    frame.marker().discarded = true;
                }
            }
            markers.removeIf(marker -> marker.discarded && random.nextInt(8) != 0);
            frames.removeIf(frame -> frame.marker().discarded && random.nextInt(8) != 0);
        }

        private void expectFailure(ErrorCode code, Executable call,
                                   String... fragments) {
            assertFails(code, stack, call, fragments);
            errors.merge(code, 1, Integer::sum);
        }

        private void verifyEverything() {
            long end = 0;
            for (Region region : live) {
                assertTrue(region.start() >= end, "live regions overlap");
                end = region.end();
                verifyStamp(region);
            }
            assertTrue(end <= top);
            if (trackStats) {
                AllocationStatistics stats = stack.statistics().orElseThrow();
                assertEquals(new AllocationStatistics(allocations, deallocations, bytesAllocated, bytesFreed, top,
                        peak, failed, resets, 0), stats);
            }
        }

        private void verifyStamp(Region region) {
            assertBytes(region.start(), region.size(), region.stamp(), "stamp of live region " + region);
        }

        private void assertBytes(long offset, long length, byte value, String what) {
            long pattern8 = (value & 0xFFL) * 0x0101010101010101L;
            long i = 0;
            for (; i + 8 <= length; i += 8) {
                if (memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i) != pattern8) {
                    fail(what + ": bytes at offset " + (offset + i) + " are not all " + value);
                }
            }
            for (; i < length; i++) {
                if (memory.get(ValueLayout.JAVA_BYTE, offset + i) != value) {
                    fail(what + ": byte at offset " + (offset + i) + " is not " + value);
                }
            }
        }

        private long randomSize() {
            int kind = random.nextInt(100);
            if (kind < 75) {
                return random.nextInt(65);
            }
            if (kind < 98) {
                return random.nextInt(65, 1025);
            }
            return random.nextInt(1025, (int) CAPACITY / 2);
        }

        private long randomAlignment() {
            return random.nextInt(50) == 0 ? 1L << random.nextInt(7, 13) : 1L << random.nextInt(7);
        }

        @Override
        public void close() {
            stack.close();
        }
    }
}
