package io.nebula.memory.stack;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.Choices;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Requests;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.nebula.memory.stack.StackAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One run of {@link StackAllocatorModelTest}: a stack, the plain model it must follow (a list of live regions and a
 * top, the checkpoints and scopes taken, the expected statistics), and the random operations that drive both. Each
 * operation runs on the stack, then on the model, then checks that they agree; a refused operation must leave the
 * stack exactly as it was.
 */
final class StackModelRun implements AutoCloseable {

    private static final int MAX_CHECKPOINTS = 16;
    private static final int MAX_SCOPES = 16;

    /**
     * A live allocation in the model: where it starts in the block, its size, the top before it, the segment handed
     * out ({@code null} on the offset path) and the byte stamped over it.
     */
    private record Region(long start, long size, long previousTop, MemorySegment segment, byte stamp) {

        long end() {
            return start + size;
        }
    }

    /** A saved position in the model, of a checkpoint or a scope: discarded once the model pops below its depth. */
    private static final class Saved {
        final int depth;
        final long top;
        boolean discarded;

        Saved(int depth, long top) {
            this.depth = depth;
            this.top = top;
        }
    }

    private record ModelCheckpoint(Checkpoint checkpoint, Saved saved) { }

    private record ModelScope(Scope scope, Saved saved) { }

    /** A {@link Checkpoint} that no stack created. */
    private record ForeignCheckpoint(long usedBytes, int depth) implements Checkpoint { }

    final StackAllocator stack;
    private final StackAllocator other;
    private final MemorySegment memory;
    private final long base;
    private final long capacity;
    private final Choices random;
    private final boolean fill;
    private final byte pattern;
    private final boolean zeroOnRelease;
    private final boolean trackStats;
    private final boolean checked;

    private final List<Region> live = new ArrayList<>();
    private long top;
    private final List<ModelCheckpoint> checkpoints = new ArrayList<>();
    private final List<ModelScope> scopes = new ArrayList<>();
    /** Checked mode: segments handed out and popped since, the most recent last. */
    private final List<MemorySegment> popped = new ArrayList<>();
    private int stamps;

    private long allocations;
    private long deallocations;
    private long bytesAllocated;
    private long bytesFreed;
    private long peak;
    private long failed;
    private long resets;

    private final Map<ErrorCode, Integer> errors = new EnumMap<>(ErrorCode.class);
    int step;
    /** Describes the operation under way; only called when it fails. */
    Supplier<String> operation = () -> "none";

    StackModelRun(StackConfig config, long capacity, long seed) {
        this(config, capacity, Choices.seeded(seed));
    }

    /** A run whose operations {@code random} chooses: a seeded generator, or a fuzzer's input. */
    StackModelRun(StackConfig config, long capacity, Choices random) {
        this.stack = StackAllocator.create(capacity, config);
        this.other = StackAllocator.create(64, config);
        this.memory = stack.segment();
        this.base = memory.address();
        this.capacity = capacity;
        this.random = random;
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.zeroOnRelease = config.zeroOnRelease();
        this.trackStats = config.trackStats();
        this.checked = config.checked();
        assertEquals(checked, stack.isChecked());
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
                takeCheckpoint();
            } else if (choice < 800) {
                restoreCheckpoint();
            } else if (choice < 830) {
                openScope();
            } else if (choice < 850) {
                closeScope();
            } else if (choice < 851) {
                reset();
            } else if (choice < 855) {
                invalidRequest();
            } else if (choice < 857) {
                restoreForeignCheckpoint();
            } else if (choice < 860) {
                deallocatePopped();
            } else if (choice < 875) {
                popAndPushBack();
            } else {
                allocate(random.nextBoolean());
            }
            assertEquals(top, stack.usedBytes(), "used bytes");
            assertEquals(capacity - top, stack.availableBytes(), "available bytes");
            assertEquals(live.size(), stack.depth(), "depth");
            if ((step & 0x3FFF) == 0) {
                verifyEverything();
            }
        }
        verifyEverything();
    }

    /** Checks that a long run provoked every error the stack can report (a fuzz input need not). */
    void assertEveryErrorProvoked() {
        List<ErrorCode> expected = new ArrayList<>(List.of(ErrorCode.OUT_OF_MEMORY, ErrorCode.INVALID_SIZE,
                ErrorCode.INVALID_ALIGNMENT, ErrorCode.OUT_OF_ORDER, ErrorCode.FOREIGN_SEGMENT, ErrorCode.DOUBLE_FREE,
                ErrorCode.INVALID_CHECKPOINT));
        if (checked) {
            expected.add(ErrorCode.USE_AFTER_FREE);
        }
        for (ErrorCode code : expected) {
            assertTrue(errors.getOrDefault(code, 0) > 0, "the run never provoked " + code + ": " + errors);
        }
    }

    private void allocate(boolean viaSegment) {
        allocate(viaSegment, randomSize(), randomAlignment());
    }

    private void allocate(boolean viaSegment, long size, long alignment) {
        operation = () -> (viaSegment ? "allocate(" : "allocateOffset(") + size + ", " + alignment + ")";
        long start = Requests.alignUp(base + top, alignment) - base;
        if (size > capacity - start) {
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
            assertEquals(0, segment.address() % alignment, "misaligned segment");
            assertTrue(stack.owns(segment), "the stack owns what it hands out");
            offset = checked ? start : segment.address() - base;
        } else {
            offset = stack.allocateOffset(size, alignment);
        }
        assertEquals(start, offset, "the allocation starts at the aligned top");
        long endOfLive = live.isEmpty() ? 0 : live.getLast().end();
        assertTrue(offset >= endOfLive, "overlaps the live region below it");
        assertTrue(offset >= 0 && offset + size <= capacity, "outside the block");
        assertEquals(0, (base + offset) % alignment, "misaligned");
        Region region = new Region(offset, size, top, segment, (byte) (stamps++ % 251 + 1));
        if (fill) {
            assertBytes(bytesOf(region), size, pattern, "fill pattern of a new allocation");
        }
        bytesOf(region).fill(region.stamp());
        live.add(region);
        top = offset + size;
        allocations++;
        bytesAllocated += top - region.previousTop();   // the padding before it included
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
        } else if (path == 1 && !isOwnSegment(region)) {
            stack.deallocate(memory.asSlice(region.start(), region.size()));
        } else {
            stack.deallocateOffset(region.start());
        }
        long oldTop = top;
        live.removeLast();
        wasPopped(region);
        discardAbove(live.size());
        top = region.previousTop();
        deallocations++;
        bytesFreed += oldTop - top;   // the padding before it included
        if (zeroOnRelease) {
            assertBytes(top, oldTop - top, (byte) 0, "zeroed on pop");
        }
    }

    /**
     * Pops the top and pushes back a request that ends where it ended, so that the stack has the depth and the used
     * bytes it had, then takes a checkpoint or opens a scope there: those taken at that depth before the pop were
     * discarded by it and must be refused, though a new one now stands at the same depth and top.
     */
    private void popAndPushBack() {
        if (live.isEmpty()) {
            return;
        }
        Region region = live.getLast();
        int depth = live.size();
        List<Checkpoint> staleCheckpoints = checkpoints.stream().filter(c -> c.saved().depth == depth)
                .map(ModelCheckpoint::checkpoint).toList();
        List<Scope> staleScopes = scopes.stream().filter(c -> c.saved().depth == depth).map(ModelScope::scope)
                .toList();
        popTop();
        allocate(random.nextBoolean(), region.end() - region.previousTop(), 1);
        if (random.nextBoolean()) {
            takeCheckpoint();
        } else {
            openScope();
        }
        for (Checkpoint stale : staleCheckpoints) {
            operation = () -> "restore(" + stale + "), discarded by a pop and the depth and top pushed back";
            expectFailure(ErrorCode.INVALID_CHECKPOINT, () -> stack.restore(stale), "cannot be restored");
        }
        for (Scope stale : staleScopes) {
            operation = () -> "close " + stale + ", discarded by a pop and the depth and top pushed back";
            expectFailure(ErrorCode.INVALID_CHECKPOINT, stale::close, "cannot be closed");
            assertFalse(stale.isClosed(), "a scope whose close failed stays open");
        }
    }

    private void deallocateBelowTheTop() {
        if (live.size() < 2) {
            return;
        }
        Region topRegion = live.getLast();
        Region region = live.get(random.nextInt(live.size() - 1));
        boolean viaOffset = random.nextBoolean();
        MemorySegment given = isOwnSegment(region) ? region.segment()
                : memory.asSlice(region.start(), region.size());
        boolean sameStart = region.start() == topRegion.start();
        if (viaOffset ? sameStart : sameStart && !isOwnSegment(region) && !isOwnSegment(topRegion)
                && region.size() == topRegion.size()) {
            return;
        }
        operation = () -> "deallocate below the top " + region;
        String expected = "expected the top allocation, index " + (live.size() - 1) + " (offset "
                + topRegion.start() + ", " + topRegion.size() + " bytes), but was given the allocation at index ";
        expectFailure(ErrorCode.OUT_OF_ORDER, viaOffset
                ? () -> stack.deallocateOffset(region.start())
                : () -> stack.deallocate(given), expected);
    }

    private void deallocateWhatIsNotLive() {
        long offset = random.nextLong(-8, capacity + 8);
        for (Region region : live) {
            if (region.start() == offset) {
                return;
            }
        }
        operation = () -> "deallocateOffset(" + offset + "), not a live start";
        boolean popped = offset >= top && offset <= capacity;
        expectFailure(popped ? ErrorCode.DOUBLE_FREE : ErrorCode.FOREIGN_SEGMENT,
                () -> stack.deallocateOffset(offset));
    }

    private void takeCheckpoint() {
        operation = () -> "checkpoint()";
        ModelCheckpoint checkpoint = new ModelCheckpoint(stack.checkpoint(), new Saved(live.size(), top));
        assertEquals(live.size(), checkpoint.checkpoint().depth());
        assertEquals(top, checkpoint.checkpoint().usedBytes());
        if (checkpoints.size() == MAX_CHECKPOINTS) {
            checkpoints.set(random.nextInt(MAX_CHECKPOINTS), checkpoint);
        } else {
            checkpoints.add(checkpoint);
        }
    }

    private void restoreCheckpoint() {
        if (checkpoints.isEmpty()) {
            return;
        }
        int index = random.nextInt(checkpoints.size());
        ModelCheckpoint checkpoint = checkpoints.get(index);
        operation = () -> "restore(" + checkpoint.checkpoint()
                + (checkpoint.saved().discarded ? ", discarded)" : ")");
        if (checkpoint.saved().discarded) {
            expectFailure(ErrorCode.INVALID_CHECKPOINT, () -> stack.restore(checkpoint.checkpoint()),
                    checkpoint.checkpoint() + " cannot be restored", "the checkpoint was");
            checkpoints.remove(index);
            return;
        }
        popAbove(checkpoint.saved(), () -> stack.restore(checkpoint.checkpoint()));
    }

    private void restoreForeignCheckpoint() {
        boolean anotherStack = random.nextBoolean();
        Checkpoint foreign = anotherStack ? other.checkpoint() : new ForeignCheckpoint(top, live.size());
        operation = () -> "restore(" + foreign + ")";
        expectFailure(ErrorCode.INVALID_CHECKPOINT, () -> stack.restore(foreign),
                anotherStack ? "the checkpoint was taken on another stack" : "so it was not taken by a"
                        + " StackAllocator");
    }

    private void openScope() {
        if (scopes.size() == MAX_SCOPES) {
            return;
        }
        operation = () -> "scope()";
        scopes.add(new ModelScope(stack.scope(), new Saved(live.size(), top)));
    }

    private void closeScope() {
        if (scopes.isEmpty()) {
            return;
        }
        int index = random.nextInt(5) == 0 ? random.nextInt(scopes.size()) : scopes.size() - 1;
        ModelScope scope = scopes.remove(index);
        operation = () -> "close " + scope.scope();
        if (scope.saved().discarded) {
            expectFailure(ErrorCode.INVALID_CHECKPOINT, scope.scope()::close, scope.scope() + " cannot be"
                    + " closed", "the scope was");
            assertFalse(scope.scope().isClosed(), "a scope whose close failed stays open");
            if (random.nextInt(4) == 0) {
                scopes.add(scope);
            }
            return;
        }
        popAbove(scope.saved(), scope.scope()::close);
        assertTrue(scope.scope().isClosed());
        if (random.nextInt(4) == 0) {
            long used = stack.usedBytes();
            scope.scope().close();
            assertEquals(used, stack.usedBytes(), "a second close is a no-op");
        }
    }

    /** Checked mode: gives back a segment that was popped already. */
    private void deallocatePopped() {
        if (popped.isEmpty()) {
            return;
        }
        MemorySegment stale = popped.get(random.nextInt(popped.size()));
        operation = () -> "deallocate a popped segment " + stale;
        assertFalse(stale.scope().isAlive(), "a popped segment is dead");
        expectFailure(ErrorCode.USE_AFTER_FREE, () -> stack.deallocate(stale), "is no longer alive");
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

    private void popAbove(Saved saved, Runnable release) {
        long expectedTop = saved.depth == 0 ? 0 : live.get(saved.depth - 1).end();
        assertEquals(expectedTop, saved.top, "a valid checkpoint's top is the end of the allocation below it");
        popTo(saved.depth, saved.top, release);
    }

    /** A bulk release: verifies the stamps of what it pops, runs it, then updates the model. */
    private void popTo(int depth, long newTop, Runnable release) {
        for (int i = live.size() - 1; i >= depth; i--) {
            verifyStamp(live.get(i));
        }
        release.run();
        long oldTop = top;
        List<Region> above = live.subList(depth, live.size());
        above.forEach(this::wasPopped);
        above.clear();
        discardAbove(depth);
        top = newTop;
        resets++;
        bytesFreed += oldTop - newTop;
        if (zeroOnRelease) {
            assertBytes(newTop, oldTop - newTop, (byte) 0, "zeroed on release");
        }
    }

    /**
     * Marks every checkpoint and scope above {@code depth} discarded. Most are then forgotten, as a program would
     * forget them; the few kept exercise the error path.
     */
    private void discardAbove(int depth) {
        for (ModelCheckpoint checkpoint : checkpoints) {
            if (checkpoint.saved().depth > depth) {
                checkpoint.saved().discarded = true;
            }
        }
        for (ModelScope scope : scopes) {
            if (scope.saved().depth > depth) {
                scope.saved().discarded = true;
            }
        }
        checkpoints.removeIf(checkpoint -> checkpoint.saved().discarded && random.nextInt(8) != 0);
        scopes.removeIf(scope -> scope.saved().discarded && random.nextInt(8) != 0);
    }

    /** In checked mode, a popped segment is dead; a few are kept to be given back again. */
    private void wasPopped(Region region) {
        if (isOwnSegment(region)) {
            assertFalse(region.segment().scope().isAlive(), "checked mode closes a popped segment's arena");
            if (popped.size() == 8) {
                popped.removeFirst();
            }
            popped.add(region.segment());
        }
    }

    /** Tells whether the region's segment has an arena of its own (checked mode, segment path). */
    private boolean isOwnSegment(Region region) {
        return checked && region.segment() != null;
    }

    /** The bytes of a live region: its own segment in checked mode, else its slice of the block. */
    private MemorySegment bytesOf(Region region) {
        return isOwnSegment(region) ? region.segment() : memory.asSlice(region.start(), region.size());
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
                    peak, failed, resets, 0, 0), stats);
        }
    }

    private void verifyStamp(Region region) {
        assertBytes(bytesOf(region), region.size(), region.stamp(), "stamp of live region " + region);
    }

    private void assertBytes(long offset, long length, byte value, String what) {
        assertBytes(memory.asSlice(offset, length), length, value, what + " (block offset " + offset + ")");
    }

    private static void assertBytes(MemorySegment bytes, long length, byte value, String what) {
        long pattern8 = (value & 0xFFL) * 0x0101010101010101L;
        long i = 0;
        for (; i + 8 <= length; i += 8) {
            if (bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != pattern8) {
                fail(what + ": bytes at " + i + " are not all " + value);
            }
        }
        for (; i < length; i++) {
            if (bytes.get(ValueLayout.JAVA_BYTE, i) != value) {
                fail(what + ": byte at " + i + " is not " + value);
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
        return random.nextInt(1025, (int) capacity / 2);
    }

    private long randomAlignment() {
        return random.nextInt(50) == 0 ? 1L << random.nextInt(7, 13) : 1L << random.nextInt(7);
    }

    @Override
    public void close() {
        stack.close();
        other.close();
    }
}
