package io.nebula.memory.stress;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import java.lang.foreign.MemorySegment;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress tests of the thread-safe bump arena: the compare-and-set allocation of a fixed arena, the moves of a
 * growable arena from chunk to chunk (sealed under the lock while other threads claim by compare-and-set), and the
 * thread buffers: their reservation, their growth in place, and their retirement by a reset. The arenas of the
 * first tests are under 4 KiB, so they have no thread buffers and every request is claimed on its own.
 */
public final class BumpStress {

    private BumpStress() {
    }

    static BumpAllocator sharedArena() {
        return BumpAllocator.create(256, BumpConfig.defaults().withThreadSafe(true).withLeakPolicy(LeakPolicy.IGNORE));
    }

    /** A thread-safe growable arena whose first chunk has {@code capacity} bytes, new chunks doubling up to 256. */
    static BumpAllocator growableArena(long capacity) {
        return BumpAllocator.create(capacity, BumpConfig.defaults().withThreadSafe(true).withGrowth(256, 4096)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    /**
     * A thread-safe fixed arena of 1 KiB whose threads reserve buffers of 256 bytes: a request over 32 bytes
     * (alignment slack included) that does not fit in its thread's buffer is claimed on its own.
     */
    static BumpAllocator bufferedArena() {
        return BumpAllocator.create(1024, BumpConfig.defaults().withThreadSafe(true).withThreadBufferBytes(256)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    /** 0 when {@code segment} lies in {@code chunk}, 1 otherwise. */
    static long chunkOf(MemorySegment segment, MemorySegment chunk) {
        long offset = segment.address() - chunk.address();
        return offset >= 0 && offset < chunk.byteSize() ? 0 : 1;
    }

    /** Two threads allocate at once: they must get disjoint ranges, in either order. */
    @JCStressTest
    @Outcome(id = {"0, 16, 32", "16, 0, 32"}, expect = ACCEPTABLE, desc = "disjoint ranges, either order")
    @Outcome(expect = FORBIDDEN, desc = "overlapping ranges or lost update")
    @State
    public static class ConcurrentAllocations {
        private final BumpAllocator arena = sharedArena();

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(JJJ_Result r) {
            r.r1 = arena.allocateOffset(16, 8);
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(JJJ_Result r) {
            r.r2 = arena.allocateOffset(16, 8);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = arena.usedBytes();
            arena.close();
        }
    }

    /** Alignment padding under contention: each range aligned, disjoint, and the total consistent. */
    @JCStressTest
    @Outcome(id = {"0, 16, 24", "8, 0, 16"}, expect = ACCEPTABLE, desc = "first wins: the other is padded")
    @Outcome(expect = FORBIDDEN, desc = "misaligned, overlapping or lost update")
    @State
    public static class ConcurrentAlignedAllocations {
        private final BumpAllocator arena = sharedArena();

        /**
         * Allocates 8 bytes aligned to 8.
         *
         * @param r result
         */
        @Actor
        public void small(JJJ_Result r) {
            r.r1 = arena.allocateOffset(8, 8);
        }

        /**
         * Allocates 8 bytes aligned to 16.
         *
         * @param r result
         */
        @Actor
        public void aligned(JJJ_Result r) {
            r.r2 = arena.allocateOffset(8, 16);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = arena.usedBytes();
            arena.close();
        }
    }

    /** An allocation racing a reset lands wholly before it (and is released) or wholly after it. */
    @JCStressTest
    @Outcome(id = "16, 0", expect = ACCEPTABLE, desc = "allocated, then reset released it")
    @Outcome(id = "0, 16", expect = ACCEPTABLE, desc = "reset, then allocated from the start")
    @Outcome(expect = FORBIDDEN, desc = "a torn release")
    @State
    public static class AllocationRacingReset {
        private final BumpAllocator arena = sharedArena();

        /** Starts with 16 bytes in use. */
        public AllocationRacingReset() {
            arena.allocateOffset(16, 8);
        }

        /**
         * Allocates.
         *
         * @param r result
         */
        @Actor
        public void allocate(JJ_Result r) {
            r.r1 = arena.allocateOffset(16, 8);
        }

        /** Resets. */
        @Actor
        public void reset() {
            arena.reset();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJ_Result r) {
            r.r2 = arena.usedBytes();
            arena.close();
        }
    }

    /**
     * Two threads race for the last 16 bytes of the first chunk: one gets them, the other moves the arena to a new
     * chunk and gets its first 16 bytes; never both the same range, never two new chunks.
     */
    @JCStressTest
    @Outcome(id = {"16, 100, 48", "100, 16, 48"}, expect = ACCEPTABLE,
            desc = "one takes the rest of the first chunk, the other the start of the second")
    @Outcome(expect = FORBIDDEN, desc = "overlapping ranges, a lost update or a chunk too many")
    @State
    public static class ConcurrentAllocationsAtAChunkBoundary {
        private final BumpAllocator arena = growableArena(32);
        private final MemorySegment first = arena.segment();

        /** Starts with 16 of the first chunk's 32 bytes in use. */
        public ConcurrentAllocationsAtAChunkBoundary() {
            arena.allocate(16, 8);
        }

        private long where(MemorySegment s) {
            return chunkOf(s, first) == 0 ? s.address() - first.address() : 100 + s.address() - arena.segment()
                    .address();
        }

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(JJJ_Result r) {
            r.r1 = where(arena.allocate(16, 8));
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(JJJ_Result r) {
            r.r2 = where(arena.allocate(16, 8));
        }

        /**
         * After both: the first chunk counts in full, 16 bytes of the second are used.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = arena.chunkCount() == 2 ? arena.usedBytes() : -arena.chunkCount();
            arena.close();
        }
    }

    /**
     * A small request races a large one that moves the arena to a new chunk: the small one lands in the old chunk
     * before it is sealed, or in the new chunk after the large one; never in a sealed chunk.
     */
    @JCStressTest
    @Outcome(id = "0, 164", expect = ACCEPTABLE, desc = "small in the first chunk, then the move")
    @Outcome(id = "1, 176", expect = ACCEPTABLE, desc = "the move, then small after large in the new chunk")
    @Outcome(expect = FORBIDDEN, desc = "a claim on a sealed chunk, or a lost update")
    @State
    public static class AllocationRacingAMoveToANewChunk {
        private final BumpAllocator arena = growableArena(64);
        private final MemorySegment first = arena.segment();

        /** Starts with 16 of the first chunk's 64 bytes in use. */
        public AllocationRacingAMoveToANewChunk() {
            arena.allocate(16, 8);
        }

        /**
         * Allocates 8 bytes, which fit in the first chunk.
         *
         * @param r result
         */
        @Actor
        public void small(JJ_Result r) {
            r.r1 = chunkOf(arena.allocate(8, 8), first);
        }

        /** Allocates 100 bytes, which need a new chunk of 128. */
        @Actor
        public void large() {
            arena.allocate(100, 8);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJ_Result r) {
            r.r2 = arena.usedBytes();
            arena.close();
        }
    }

    /**
     * An allocation races a restore to a checkpoint in an earlier chunk: it lands in the later chunk before the
     * restore (and is released by it) or in the earlier chunk after it; never in a chunk the restore made spare.
     */
    @JCStressTest
    @Outcome(id = "1, 16", expect = ACCEPTABLE, desc = "allocated in the second chunk, then released")
    @Outcome(id = "0, 32", expect = ACCEPTABLE, desc = "restored, then allocated in the first chunk")
    @Outcome(expect = FORBIDDEN, desc = "an allocation in a spare chunk, or a torn release")
    @State
    public static class AllocationRacingARestoreIntoAnEarlierChunk {
        private final BumpAllocator arena = growableArena(64);
        private final MemorySegment first = arena.segment();
        private final Checkpoint checkpoint;

        /** Takes a checkpoint 16 bytes into the first chunk, then fills it and moves to a second chunk. */
        public AllocationRacingARestoreIntoAnEarlierChunk() {
            arena.allocate(16, 8);
            checkpoint = arena.checkpoint();
            arena.allocate(48, 8);
            arena.allocate(16, 8);
        }

        /**
         * Allocates.
         *
         * @param r result
         */
        @Actor
        public void allocate(JJ_Result r) {
            r.r1 = chunkOf(arena.allocate(16, 8), first);
        }

        /** Restores the checkpoint in the first chunk. */
        @Actor
        public void restore() {
            arena.restore(checkpoint);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJ_Result r) {
            r.r2 = arena.usedBytes();
            arena.close();
        }
    }

    /**
     * Two threads allocate twice each from an arena with thread buffers: each reserves a buffer of its own with one
     * compare-and-set and makes its second allocation right after its first, inside the buffer.
     */
    @JCStressTest
    @Outcome(id = {"0, 256, 512", "256, 0, 512"}, expect = ACCEPTABLE, desc = "one buffer each, either order")
    @Outcome(expect = FORBIDDEN, desc = "a shared buffer, a second allocation outside its buffer, or a lost update")
    @State
    public static class ThreadBufferReservations {
        private final BumpAllocator arena = bufferedArena();

        private long twice() {
            long first = arena.allocateOffset(16, 8);
            long second = arena.allocateOffset(16, 8);
            return second == first + 16 ? first : -1 - second;
        }

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(JJJ_Result r) {
            r.r1 = twice();
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(JJJ_Result r) {
            r.r2 = twice();
        }

        /**
         * After both: two buffers reserved, counted in full.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = arena.usedBytes();
            arena.close();
        }
    }

    /**
     * A thread's buffer grows in place while nothing was reserved after it, racing another thread's reservation: 16
     * and 224 bytes fill all but 16 bytes of the thread's buffer, and 24 more do not fit; the other thread
     * allocates 16 bytes. The results: where the 24 bytes landed from the start of the buffer, where the other
     * thread's 16 landed, and the used bytes.
     */
    @JCStressTest
    @Outcome(id = "240, 512, 768", expect = ACCEPTABLE, desc = "grown in place, then the other buffer after it")
    @Outcome(id = "240, 0, 768", expect = ACCEPTABLE, desc = "the other buffer first, then grown in place")
    @Outcome(id = "512, 256, 768", expect = ACCEPTABLE,
            desc = "the other buffer right after this one: a new buffer, 16 bytes given up")
    @Outcome(expect = FORBIDDEN, desc = "a buffer grown over another's, or a lost update")
    @State
    public static class ThreadBufferGrowingInPlace {
        private final BumpAllocator arena = bufferedArena();

        /**
         * Allocates 16, 224 and 24 bytes and reports where the last landed from the first.
         *
         * @param r result
         */
        @Actor
        public void grows(JJJ_Result r) {
            long first = arena.allocateOffset(16, 8);
            arena.allocateOffset(224, 8);
            r.r1 = arena.allocateOffset(24, 8) - first;
        }

        /**
         * Allocates 16 bytes.
         *
         * @param r result
         */
        @Actor
        public void reserves(JJJ_Result r) {
            r.r2 = arena.allocateOffset(16, 8);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = arena.usedBytes();
            arena.close();
        }
    }

    /**
     * A reset races a thread that allocates from its buffer: the reset retires the buffer, so an allocation that
     * starts after the reset returned reserves a new buffer from the start; it never bumps on through the retired
     * one. The results: whether the first allocation came before the reset (it lies above the buffer the
     * constructor reserved; after the reset, the first buffer starts at 0), where the second landed (0: a new buffer
     * from the start, 1: right after the first, in the same buffer), and whether the reset had returned before the
     * second began.
     */
    @JCStressTest
    @Outcome(id = {"1, 1, 0", "1, 0, 0", "1, 0, 1"}, expect = ACCEPTABLE,
            desc = "first before the reset; the second in the old buffer only if the reset was not seen done")
    @Outcome(id = {"0, 1, 0", "0, 1, 1"}, expect = ACCEPTABLE, desc = "both after the reset, in a new buffer")
    @Outcome(id = "1, 1, 1", expect = FORBIDDEN, desc = "a retired buffer used after the reset returned")
    @Outcome(expect = FORBIDDEN, desc = "an allocation anywhere else")
    @State
    public static class ThreadBufferRacingReset {
        private final BumpAllocator arena = bufferedArena();
        private volatile boolean resetDone;

        /** Starts with a buffer in use, [0, 256), reserved by the thread that builds the state. */
        public ThreadBufferRacingReset() {
            arena.allocateOffset(8, 8);
        }

        /**
         * Allocates 16 bytes twice.
         *
         * @param r result
         */
        @Actor
        public void allocate(JJJ_Result r) {
            long first = arena.allocateOffset(16, 8);
            boolean seen = resetDone;
            long second = arena.allocateOffset(16, 8);
            r.r1 = first != 0 ? 1 : 0;
            r.r2 = second == 0 ? 0 : second == first + 16 ? 1 : 2;
            r.r3 = seen ? 1 : 0;
        }

        /** Resets, then says so. */
        @Actor
        public void reset() {
            arena.reset();
            resetDone = true;
        }

        /** Frees the arena. */
        @Arbiter
        public void after() {
            arena.close();
        }
    }
}
