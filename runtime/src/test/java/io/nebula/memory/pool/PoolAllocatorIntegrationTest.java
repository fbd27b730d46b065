package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakWarnings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pool used the way a program uses one: scopes of work, then close, and the thread rules. */
@ExtendWith(LeakWarnings.class)
class PoolAllocatorIntegrationTest {

    private static final StructLayout NODE = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("key"),
            ValueLayout.JAVA_LONG.withName("next"),
            ValueLayout.JAVA_INT.withName("value"),
            MemoryLayout.paddingLayout(4));

    @Test
    void everyBlockComesBackAfterScopesOfWorkEvenWhenAScopeFails() {
        PoolConfig config = PoolConfig.defaults().withAllowGrowth(true).withTrackStats(true);
        Random random = new Random(42);
        try (PoolAllocator pool = PoolAllocator.create(NODE.byteSize(), NODE.byteAlignment(), 16, config)) {
            int failedScopes = 0;
            for (int scope = 0; scope < 500; scope++) {
                List<MemorySegment> segments = new ArrayList<>();
                List<Long> handles = new ArrayList<>();
                try {
                    int count = 1 + random.nextInt(40);
                    for (int i = 0; i < count; i++) {
                        switch (i % 4) {
                            case 0 -> segments.add(pool.allocate(NODE));
                            case 1 -> segments.add(pool.allocateFrom(ValueLayout.JAVA_LONG, i, i + 1L));
                            case 2 -> handles.add(pool.allocateHandle());
                            default -> segments.add(pool.allocate(NODE, node -> node.set(ValueLayout.JAVA_INT, 16, 7)));
                        }
                    }
                    if (scope % 7 == 0) {
                        pool.allocate(NODE, failing());
                    }
                } catch (IllegalStateException expected) {
                    failedScopes++;
                } finally {
                    Collections.shuffle(segments, random);
                    segments.forEach(pool::deallocate);
                    handles.forEach(pool::deallocateHandle);
                }
                assertEquals(0, pool.usedBytes(), "after scope " + scope);
            }
            assertEquals(72, failedScopes);
            assertEquals(pool.blockCount(), pool.freeBlocks());
            assertEquals(pool.capacityBytes(), pool.availableBytes());
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(stats.allocations(), stats.deallocations(), stats::toJson);
            assertEquals(0, stats.currentBytes());
            assertTrue(stats.growths() >= 1, stats::toJson);
        }
    }

    private static Consumer<MemorySegment> failing() {
        return segment -> {
            throw new IllegalStateException("the scope's work failed");
        };
    }

    @Test
    void afterCloseNothingThePoolHandedOutIsReachable() {
        PoolAllocator pool = PoolAllocator.create(32, 8, 4, PoolConfig.defaults().withAllowGrowth(true));
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            segments.add(pool.allocate());
        }
        long handle = pool.allocateHandle();
        segments.add(pool.segmentOf(handle));
        segments.add(pool.segment());
        pool.deallocate(segments.getFirst());
        assertEquals(3, pool.chunkCount());

        pool.close();

        for (MemorySegment segment : segments) {
            assertFalse(segment.scope().isAlive());
            assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0), segment::toString);
            assertThrows(IllegalStateException.class, () -> segment.fill((byte) 0), segment::toString);
        }
        AllocationException e = assertThrows(AllocationException.class, pool::allocate);
        assertEquals(ErrorCode.CLOSED, e.code());
        assertEquals("PoolAllocator[blockSize=32, stride=32, blocks=12, free=2, chunks=3, closed]", e.allocator());
    }

    @Test
    void anotherThreadGetsWrongThreadAndChangesNothing() throws InterruptedException {
        try (PoolAllocator pool = PoolAllocator.create(32, 8, 4)) {
            MemorySegment block = pool.allocate();
            long handle = pool.allocateHandle();
            PoolState before = PoolState.of(pool);
            List<Runnable> calls = List.of(pool::allocate, pool::allocateHandle, () -> pool.allocate(8, 8),
                    () -> pool.deallocate(block), () -> pool.deallocateHandle(handle), pool::reset, pool::close);
            List<Throwable> failures = new ArrayList<>();
            Throwable[] access = new Throwable[1];
            Thread intruder = new Thread(() -> {
                for (Runnable call : calls) {
                    try {
                        call.run();
                        failures.add(null);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
                try {
                    block.get(ValueLayout.JAVA_BYTE, 0);
                } catch (Throwable t) {
                    access[0] = t;
                }
            }, "intruder");
            intruder.start();
            intruder.join();

            assertEquals(calls.size(), failures.size());
            Thread self = Thread.currentThread();
            for (Throwable failure : failures) {
                AllocationException e = assertInstanceOf(AllocationException.class, failure);
                assertEquals(ErrorCode.WRONG_THREAD, e.code());
                assertEquals("the allocator is confined to thread \"" + self.getName() + "\" (id " + self.threadId()
                        + ") but was used from thread \"intruder\" (id " + intruder.threadId() + ")", e.details());
            }
            assertInstanceOf(WrongThreadException.class, access[0], "the segments are confined too");
            assertEquals(before, PoolState.of(pool));
            assertFalse(pool.isClosed());
            pool.deallocate(block);
            pool.deallocateHandle(handle);
            assertEquals(4, pool.freeBlocks());
        }
    }
}
