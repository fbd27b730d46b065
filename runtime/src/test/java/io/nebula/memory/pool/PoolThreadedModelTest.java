package io.nebula.memory.pool;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Choices;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operations on one thread-safe pool from several real threads, against a plain model: which thread holds
 * each block, which of a thread's scopes took it. Every block handed out must be claimed by nobody else (a block is
 * never handed out twice) and keep the stamp its holder wrote until it is given back, by hand, by its scope, or by
 * the thread it was passed to. The threads stop at a barrier every phase; then, with no thread working, the pool's
 * counts and statistics must equal the model's exactly, whatever its caches of free blocks hold. At the end every
 * block is back and closing the pool reports no leak. Seeded: rerun with {@code -Dnebula.test.seed=<seed>}.
 */
class PoolThreadedModelTest {

    private static final int PHASES = 8;
    private static final int MAILBOXES = 8;

    static Stream<Arguments> pools() {
        PoolConfig base = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true)
                .withLeakPolicy(LeakPolicy.FAIL);
        return Stream.of(
                Arguments.of("fixed", 256, base, 2, 60_000),
                Arguments.of("fixed", 256, base, 4, 60_000),
                Arguments.of("fixed", 512, base, 8, 60_000),
                Arguments.of("growing, zero on release", 32, base.withAllowGrowth(true).withZeroOnRelease(true), 4,
                        40_000),
                Arguments.of("filled, growing", 64, base.withAllowGrowth(true).withFillPattern((byte) 0x3C), 2,
                        40_000),
                Arguments.of("checked, growing", 64, base.withAllowGrowth(true).withChecked(true), 2, 2_000));
    }

    @ParameterizedTest(name = "{0}, {1} blocks, {3} threads")
    @MethodSource("pools")
    void threadsSharingOnePoolAgreeWithAModel(String name, int blocks, PoolConfig config, int threads,
                                              int operations) throws Exception {
        long seed = Long.getLong("nebula.test.seed", ThreadLocalRandom.current().nextLong());
        new Run(blocks, config, threads, Choices.operations(operations) / threads, seed).run();
    }

    /** A block a thread holds: by handle ({@code segment == null}) or by segment, its stamp, and its scope. */
    private record Held(long handle, MemorySegment segment, long stamp, Scope scope) { }

    private static final class Run {
        private static final long BLOCK = 64;
        private final int threadCount;
        private final int perPhase;
        private final long seed;
        private final PoolConfig config;
        private final int chunkBlocks;
        private final PoolAllocator pool;
        /** The stamp of each block's holder, by the block's handle. */
        private final ConcurrentHashMap<Long, Long> claims = new ConcurrentHashMap<>();
        private final AtomicReferenceArray<Held> mailboxes = new AtomicReferenceArray<>(MAILBOXES);
        private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        /** Blocks claimed or about to be: at least the blocks in use at any moment. */
        private final AtomicLong reserved = new AtomicLong();
        private final AtomicLong mostReserved = new AtomicLong();
        private final long[] allocations;
        private final long[] deallocations;
        private final List<List<Held>> held = new ArrayList<>();

        Run(int blocks, PoolConfig config, int threadCount, int operations, long seed) {
            this.threadCount = threadCount;
            this.perPhase = operations / PHASES;
            this.seed = seed;
            this.config = config;
            this.chunkBlocks = blocks;
            this.pool = PoolAllocator.create(BLOCK, 8, blocks, config);
            this.allocations = new long[threadCount];
            this.deallocations = new long[threadCount];
            for (int t = 0; t < threadCount; t++) {
                held.add(new ArrayList<>());
            }
        }

        /** At most this many blocks held per thread, and in mailboxes: a fixed pool is never exhausted. */
        private int maxHeld() {
            return config.allowGrowth() ? 3 * chunkBlocks / threadCount : (chunkBlocks - MAILBOXES) / threadCount;
        }

        void run() throws Exception {
            CyclicBarrier phaseEnd = new CyclicBarrier(threadCount + 1);
            CyclicBarrier phaseStart = new CyclicBarrier(threadCount + 1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().name("pool-model-" + t).start(() -> {
                    SplittableRandom random = new SplittableRandom(seed + id);
                    try {
                        for (int phase = 0; phase < PHASES; phase++) {
                            phaseStart.await();
                            try {
                                work(id, random, phase == PHASES - 1);
                            } catch (Throwable e) {
                                failures.add(e);
                            }
                            phaseEnd.await();
                        }
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }));
            }
            try (pool) {
                for (int phase = 0; phase < PHASES; phase++) {
                    phaseStart.await();
                    phaseEnd.await();
                    int done = phase;
                    assertTrue(failures.isEmpty(), () -> "seed=" + seed + ", phase " + done + ": " + failures);
                    checkQuiescent();
                }
                for (Thread worker : workers) {
                    worker.join();
                }
                for (int slot = 0; slot < MAILBOXES; slot++) {
                    Held left = mailboxes.getAndSet(slot, null);
                    if (left != null) {
                        giveBack(0, left);
                    }
                }
                checkQuiescent();
                assertEquals(0, pool.usedBytes(), "every block is back, seed=" + seed);
                assertEquals(pool.blockCount(), pool.freeBlocks());
                assertTrue(claims.isEmpty(), "seed=" + seed);
            }   // LeakPolicy.FAIL: a count in use that drifted from the model throws here
        }

        /** With every thread stopped: the pool's counts and statistics equal the model's. */
        private void checkQuiescent() {
            long inUse = held.stream().mapToLong(List::size).sum();
            for (int slot = 0; slot < MAILBOXES; slot++) {
                inUse += mailboxes.get(slot) == null ? 0 : 1;
            }
            long stride = pool.stride();
            String where = "seed=" + seed + ", " + pool;
            assertEquals(inUse, claims.size(), where);
            assertEquals(inUse * stride, pool.usedBytes(), where);
            assertEquals(pool.blockCount() - inUse, pool.freeBlocks(), where);
            assertEquals((pool.blockCount() - inUse) * stride, pool.availableBytes(), where);
            AllocationStatistics stats = pool.statistics().orElseThrow();
            long allocated = sum(allocations);
            long deallocated = sum(deallocations);
            assertEquals(allocated, stats.allocations(), where);
            assertEquals(deallocated, stats.deallocations(), where);
            assertEquals(allocated - deallocated, inUse, where);
            assertEquals(inUse * stride, stats.currentBytes(), where);
            assertEquals(0, stats.failedAllocations(), where);
            assertTrue(stats.peakBytes() <= pool.capacityBytes(), where);
            assertEquals(0, pool.capacityBytes() % (chunkBlocks * stride), where);
            long mostBlocks = (mostReserved.get() + chunkBlocks - 1) / chunkBlocks * chunkBlocks;
            assertTrue(pool.blockCount() <= Math.max(chunkBlocks, mostBlocks),
                    () -> "the pool grew while blocks were free: " + where + ", at most " + mostReserved.get()
                            + " blocks were in use");
        }

        private void work(int id, SplittableRandom random, boolean last) {
            List<Held> mine = held.get(id);
            List<Scope> scopes = new ArrayList<>();
            long sequence = (long) id << 40;
            for (int op = 0; op < perPhase; op++) {
                int r = random.nextInt(100);
                if (r < 3 && scopes.size() < 4) {
                    scopes.add(pool.scope());
                } else if (r < 6 && !scopes.isEmpty()) {
                    closeScope(id, mine, scopes.removeLast());
                } else if (r < 50 && mine.size() < maxHeld()) {
                    mine.add(allocate(id, random, ++sequence, scopes.isEmpty() ? null : scopes.getLast()));
                } else if (r < 58 && !mine.isEmpty()) {
                    int at = random.nextInt(mine.size());
                    if (mine.get(at).scope() == null) {   // a block of an open scope stays with its thread
                        Held received = mailboxes.getAndSet(random.nextInt(MAILBOXES), mine.remove(at));
                        if (received != null) {
                            mine.add(received);
                        }
                    }
                } else if (!mine.isEmpty()) {
                    giveBack(id, mine.remove(random.nextInt(mine.size())));
                }
            }
            while (!scopes.isEmpty()) {
                closeScope(id, mine, scopes.removeLast());
            }
            if (last) {
                while (!mine.isEmpty()) {
                    giveBack(id, mine.removeLast());
                }
            }
        }

        private Held allocate(int id, SplittableRandom random, long stamp, Scope scope) {
            mostReserved.accumulateAndGet(reserved.incrementAndGet(), Math::max);
            long handle;
            MemorySegment segment = null;
            if (random.nextBoolean()) {
                handle = pool.allocateHandle();
            } else {
                segment = random.nextBoolean() ? pool.allocate() : pool.allocate(8 + random.nextInt(57), 8);
                handle = BlockHandles.handleOf(pool, segment);
            }
            allocations[id]++;
            Long before = claims.putIfAbsent(handle, stamp);
            if (before != null) {
                throw new AssertionError("block " + Long.toHexString(handle) + " handed to " + Long.toHexString(stamp)
                        + " while " + Long.toHexString(before) + " holds it, seed=" + seed);
            }
            if (config.fillPattern().isPresent()) {
                byte found = pool.segmentOf(handle).get(ValueLayout.JAVA_BYTE, PoolAllocator.offsetOf(handle) + 63);
                assertEquals((byte) config.fillPattern().getAsInt(), found, "the block is filled, seed=" + seed);
            }
            if (config.zeroOnRelease()) {
                assertEquals(0L, pool.segmentOf(handle).get(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle)),
                        "the block is zeroed, its link included, seed=" + seed);
            }
            pool.segmentOf(handle).set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle) + 8, stamp);
            return new Held(handle, segment, stamp, scope);
        }

        private void checkStamp(Held block) {
            long found = pool.segmentOf(block.handle()).get(ValueLayout.JAVA_LONG,
                    PoolAllocator.offsetOf(block.handle()) + 8);
            if (found != block.stamp()) {
                throw new AssertionError("block " + Long.toHexString(block.handle()) + " of "
                        + Long.toHexString(block.stamp()) + " was overwritten by " + Long.toHexString(found)
                        + ", seed=" + seed);
            }
            if (!claims.remove(block.handle(), block.stamp())) {
                throw new AssertionError("block " + Long.toHexString(block.handle()) + " is not claimed by its holder"
                        + ", seed=" + seed);
            }
        }

        private void giveBack(int id, Held block) {
            checkStamp(block);
            if (block.segment() == null) {
                pool.deallocateHandle(block.handle());
            } else {
                pool.deallocate(block.segment());
            }
            deallocations[id]++;
            reserved.decrementAndGet();
        }

        /** Closes a scope: the blocks the thread still holds from it are given back by the close. */
        private void closeScope(int id, List<Held> mine, Scope scope) {
            List<Held> taken = new ArrayList<>();
            for (Held block : mine) {
                if (block.scope() == scope) {
                    checkStamp(block);
                    taken.add(block);
                }
            }
            mine.removeAll(taken);
            scope.close();
            deallocations[id] += taken.size();
            reserved.addAndGet(-taken.size());
        }
    }

    private static long sum(long[] values) {
        long sum = 0;
        for (long value : values) {
            sum += value;
        }
        return sum;
    }
}
