package io.nebula.memory.pool;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scopes on a thread-safe pool under real threads. Each thread opens and closes nested scopes, allocates inside and
 * outside them, gives blocks back by hand, and hands blocks to other threads, which give them back by hand (and may
 * take the same blocks again, in their own scopes). Every block gets an ownership stamp when it is handed out,
 * written into the block and claimed in a table of owners, and checked in both places before it is given back: a
 * scope that gave back a block it no longer held would let the pool hand that block to a second owner, which fails
 * the claim or the stamp check. The count of deallocations the pool records must equal the blocks given back by hand
 * plus, for each scope, exactly the blocks its thread took in it and still held when it closed.
 */
class PoolScopeConcurrencyTest {

    private static final long BLOCK = 64;
    private static final int BLOCKS_PER_CHUNK = 32;
    private static final int MAX_BLOCKS = 1024;
    private static final int MAX_DEPTH = 4;
    private static final int HELD_PER_SCOPE = 8;
    private static final int OPERATIONS = 200_000;

    /** A block a thread holds: by handle ({@code segment == null}) or by segment, and its stamp. */
    private record Held(long handle, MemorySegment segment, long stamp) { }

    /** A block handed to another thread to give back; {@code lender} counts the lender scope's blocks out. */
    private record Lent(Held held, AtomicInteger lender) { }

    /** An open scope as a thread knows it: the blocks it holds, and how many it lent that are not back yet. */
    private record OpenScope(Scope scope, List<Held> held, AtomicInteger lent) { }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void eachThreadsScopesGiveBackExactlyTheBlocksThatThreadStillHolds(int threadCount) throws Exception {
        new Stress(threadCount).run();
    }

    private static final class Stress {
        private final int threadCount;
        private final long seed = System.nanoTime();
        private final PoolAllocator pool;
        private final AtomicLongArray owners = new AtomicLongArray(MAX_BLOCKS);
        private final List<Queue<Lent>> inboxes = new ArrayList<>();
        private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong givenBackByHand = new AtomicLong();
        private final AtomicLong givenBackByScopes = new AtomicLong();
        private final AtomicLong scopesClosed = new AtomicLong();
        private final AtomicInteger finished = new AtomicInteger();

        Stress(int threadCount) {
            this.threadCount = threadCount;
            PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true)
                    .withAllowGrowth(true).withMaxBlocks(MAX_BLOCKS).withLeakPolicy(LeakPolicy.FAIL);
            this.pool = PoolAllocator.create(BLOCK, 8, BLOCKS_PER_CHUNK, config);
            for (int t = 0; t < threadCount; t++) {
                inboxes.add(new ConcurrentLinkedQueue<>());
            }
        }

        void run() throws Exception {
            CyclicBarrier start = new CyclicBarrier(threadCount);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    try {
                        work(id, OPERATIONS / threadCount, start);
                    } catch (Throwable e) {
                        failures.add(e);
                        finished.incrementAndGet();
                    }
                }, "pool-scope-stress-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertTrue(failures.isEmpty(), () -> threadCount + " threads, seed=" + seed + ": " + failures);

            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertTrue(scopesClosed.get() > 1000, "scopes were exercised: " + scopesClosed);
            assertTrue(givenBackByScopes.get() > 1000, "scopes gave blocks back: " + givenBackByScopes);
            assertEquals(givenBackByHand.get() + givenBackByScopes.get(), stats.deallocations(),
                    "every deallocation is one by hand or one a scope owed");
            assertEquals(stats.allocations(), stats.deallocations(), "every block was given back");
            assertEquals(stats.bytesAllocated(), stats.bytesFreed());
            assertEquals(0, pool.usedBytes());
            assertFalse(pool.toString().contains("open scope"), pool::toString);
            for (int i = 0; i < owners.length(); i++) {
                assertEquals(0, owners.get(i), "block " + i + " still claimed");
            }
            pool.close();   // LeakPolicy.FAIL: throws if the pool's count of blocks in use drifted
        }

        private void work(int id, int operations, CyclicBarrier start) throws Exception {
            SplittableRandom random = new SplittableRandom(seed + id);
            Queue<Lent> inbox = inboxes.get(id);
            List<OpenScope> scopes = new ArrayList<>();
            List<Held> unscoped = new ArrayList<>();
            long sequence = 0;
            start.await();
            for (int op = 0; op < operations; op++) {
                drain(inbox);
                List<Held> current = scopes.isEmpty() ? unscoped : scopes.getLast().held;
                int r = random.nextInt(100);
                if (r < 8 && scopes.size() < MAX_DEPTH) {
                    scopes.add(new OpenScope(pool.scope(), new ArrayList<>(), new AtomicInteger()));
                } else if (r < 16 && !scopes.isEmpty()) {
                    close(scopes.removeLast(), inbox);
                } else if (r < 60 && current.size() < HELD_PER_SCOPE) {
                    current.add(allocate(random, (long) (id + 1) << 48 | ++sequence));
                } else if (r < 90 && !current.isEmpty()) {
                    giveBack(current.remove(random.nextInt(current.size())));
                } else if (!current.isEmpty() && threadCount > 1) {
                    int to = (id + 1 + random.nextInt(threadCount - 1)) % threadCount;
                    Held lent = current.remove(random.nextInt(current.size()));
                    AtomicInteger lender = scopes.isEmpty() ? null : scopes.getLast().lent;
                    if (lender != null) {
                        lender.incrementAndGet();
                    }
                    inboxes.get(to).add(new Lent(lent, lender));
                }
            }
            while (!scopes.isEmpty()) {
                close(scopes.removeLast(), inbox);
            }
            for (Held held : unscoped) {
                giveBack(held);
            }
            finished.incrementAndGet();
            while (finished.get() < threadCount) {
                giveUpIfAnotherThreadFailed();
                drain(inbox);
                Thread.yield();   // let the receivers run: there may be more threads than cores
            }
            drain(inbox);
        }

        /** Closes a scope once every block it lent is back, giving back what other threads send meanwhile. */
        private void close(OpenScope scope, Queue<Lent> inbox) {
            while (scope.lent.get() > 0) {
                giveUpIfAnotherThreadFailed();
                drain(inbox);
                Thread.yield();   // let the receivers run: there may be more threads than cores
            }
            for (Held held : scope.held) {
                release(held);
            }
            scope.scope.close();
            givenBackByScopes.addAndGet(scope.held.size());
            scopesClosed.incrementAndGet();
        }

        /** A failed thread stops giving back what it was lent: waiting for it would never end. */
        private void giveUpIfAnotherThreadFailed() {
            if (!failures.isEmpty()) {
                throw new IllegalStateException("another thread failed");
            }
        }

        private void drain(Queue<Lent> inbox) {
            Lent lent;
            while ((lent = inbox.poll()) != null) {
                giveBack(lent.held);
                if (lent.lender != null) {
                    lent.lender.decrementAndGet();
                }
            }
        }

        private Held allocate(SplittableRandom random, long stamp) {
            Held held;
            if (random.nextBoolean()) {
                held = new Held(pool.allocateHandle(), null, stamp);
            } else {
                MemorySegment segment = pool.allocate(16 + random.nextInt((int) BLOCK - 15), 8);
                ChunkTable table = pool.table();
                int chunk = table.chunkContaining(segment.address());
                held = new Held(Handles.of(chunk, segment.address() - table.bases[chunk]), segment, stamp);
            }
            int index = index(held.handle);
            long previous = owners.compareAndExchange(index, 0, stamp);
            if (previous != 0) {
                throw new AssertionError("block " + index + " handed to " + Long.toHexString(stamp) + " while "
                        + Long.toHexString(previous) + " holds it");
            }
            MemorySegment chunk = pool.segmentOf(held.handle);
            chunk.set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(held.handle), stamp);
            chunk.set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(held.handle) + 8, ~stamp);
            return held;
        }

        /** Checks the block's stamp and gives up the claim on it: the caller gives it back next. */
        private void release(Held held) {
            MemorySegment chunk = pool.segmentOf(held.handle);
            long offset = PoolAllocator.offsetOf(held.handle);
            long first = chunk.get(ValueLayout.JAVA_LONG, offset);
            long second = chunk.get(ValueLayout.JAVA_LONG, offset + 8);
            if (first != held.stamp || second != ~held.stamp) {
                throw new AssertionError("block 0x" + Long.toHexString(held.handle) + " of "
                        + Long.toHexString(held.stamp) + " was overwritten: " + Long.toHexString(first));
            }
            int index = index(held.handle);
            if (!owners.compareAndSet(index, held.stamp, 0)) {
                throw new AssertionError("block " + index + " is claimed by " + Long.toHexString(owners.get(index))
                        + ", not by its holder " + Long.toHexString(held.stamp));
            }
        }

        private void giveBack(Held held) {
            release(held);
            if (held.segment == null) {
                pool.deallocateHandle(held.handle);
            } else {
                pool.deallocate(held.segment);
            }
            givenBackByHand.incrementAndGet();
        }

        private static int index(long handle) {
            return Handles.chunk(handle) * BLOCKS_PER_CHUNK + (int) (PoolAllocator.offsetOf(handle) / BLOCK);
        }
    }
}
