package io.nebula.memory.async;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The async arena on one thread: what it grants, in which order, and how requests leave the queue. */
class AsyncArenaTest {

    private static final AsyncConfig QUIET = AsyncConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE);

    private static AllocationException failure(CompletableFuture<?> future) {
        CompletionException e = assertThrows(CompletionException.class, future::join);
        return assertInstanceOf(AllocationException.class, e.getCause());
    }

    @Test
    void aLeaseIsABumpArenaOverItsBytesAndGivesThemBackOnClose() {
        try (AsyncArena arena = AsyncArena.create(4096, QUIET)) {
            CompletableFuture<Lease> future = arena.lease(1000);
            assertTrue(future.isDone(), "a request that fits is served at once");
            try (Lease lease = future.join()) {
                assertEquals(1000, lease.capacityBytes());
                assertEquals(1024, arena.usedBytes(), "charged in whole 64-byte granules");
                assertEquals(0, lease.segment().address() % 64);
                MemorySegment a = lease.allocate(10, 1);
                MemorySegment b = lease.allocate(ValueLayout.JAVA_LONG);
                assertEquals(0, b.address() % 8);
                assertEquals(24, lease.usedBytes());
                assertTrue(lease.owns(a) && lease.owns(b));
                b.set(ValueLayout.JAVA_LONG, 0, 42L);
                assertEquals(42L, b.get(ValueLayout.JAVA_LONG, 0));
                lease.reset();
                assertEquals(0, lease.usedBytes());
                AllocationException full = assertThrows(AllocationException.class, () -> lease.allocate(1001, 1));
                assertEquals(ErrorCode.OUT_OF_MEMORY, full.code());
                assertTrue(full.getMessage().contains("the lease holds only 1000 bytes"), full.getMessage());
            }
            assertEquals(0, arena.usedBytes());
            AsyncStatistics stats = arena.statistics();
            assertEquals(1, stats.grants());
            assertEquals(1, stats.releases());
            assertEquals(1024, stats.peakLeasedBytes());
        }
    }

    @Test
    void aLeaseRefusesBadCountsAndSourcesAsTheAllocatorsDoWithoutSpendingItsBytes() {
        try (AsyncArena arena = AsyncArena.create(4096, QUIET); Lease lease = arena.lease(256).join()) {
            ValueLayout.OfInt element = ValueLayout.JAVA_INT;
            MemorySegment source = MemorySegment.ofArray(new int[] {1, 2});
            assertEquals(ErrorCode.INVALID_SIZE,
                    assertThrows(AllocationException.class, () -> lease.allocate(element, -1)).code());
            assertEquals(ErrorCode.INVALID_SIZE,
                    assertThrows(AllocationException.class, () -> lease.allocate(element, Long.MAX_VALUE)).code());
            assertEquals(ErrorCode.INVALID_SIZE, assertThrows(AllocationException.class,
                    () -> lease.allocateFrom(element, source, element, 0, -1)).code());
            assertThrows(IndexOutOfBoundsException.class, () -> lease.allocateFrom(element, source, element, 0, 5));
            assertThrows(IllegalArgumentException.class,
                    () -> lease.allocateFrom(ValueLayout.ADDRESS, MemorySegment.ofArray(new int[] {1})));
            assertThrows(NullPointerException.class, () -> lease.allocate(null, 1));
            assertEquals(0, lease.usedBytes(), "a refused call spends none of the lease");
            MemorySegment copy = lease.allocateFrom(element, source, element, 0, 2);
            assertEquals(2, copy.getAtIndex(element, 1));
        }
    }

    @Test
    void aClosedLeaseRefusesWorkAndClosingTwiceGivesBackOnce() {
        try (AsyncArena arena = AsyncArena.create(4096, QUIET)) {
            Lease lease = arena.lease(100).join();
            lease.close();
            lease.close();
            assertTrue(lease.isClosed());
            assertEquals(0, arena.usedBytes());
            assertEquals(1, arena.statistics().releases());
            assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, () -> lease.allocate(8)).code());
        }
    }

    @Test
    void aRequestWaitsUntilMemoryComesBackAndIsServedThen() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            Lease first = arena.lease(1024).join();
            CompletableFuture<Lease> second = arena.lease(512);
            assertFalse(second.isDone());
            assertEquals(1, arena.waiters());
            first.close();
            assertTrue(second.isDone(), "the give-back serves the waiter before it returns");
            second.join().close();
            AsyncStatistics stats = arena.statistics();
            assertEquals(1, stats.waited());
            assertEquals(1, stats.peakWaiters());
            assertEquals(0, stats.waitersNow());
            assertTrue(stats.longestWaitNanos() > 0 && stats.longestWaitNanos() <= stats.totalWaitNanos());
        }
    }

    @Test
    void requestsAreServedInArrivalOrderSoALargeOneIsNotOvertaken() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            Lease held = arena.lease(512).join();
            Lease other = arena.lease(256).join();
            CompletableFuture<Lease> large = arena.lease(1024);
            CompletableFuture<Lease> small = arena.lease(64);
            assertFalse(small.isDone(), "256 bytes are free, but the small request waits behind the large one");
            held.close();
            assertFalse(large.isDone());
            assertFalse(small.isDone(), "still behind the large one");
            other.close();
            assertTrue(large.isDone());
            assertFalse(small.isDone(), "the large one took the whole budget");
            large.join().close();
            assertTrue(small.isDone());
            small.join().close();
        }
    }

    @Test
    void theQueueIsServedInOrderForAsLongAsTheHeadFits() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            Lease all = arena.lease(1024).join();
            List<CompletableFuture<Lease>> queue = new ArrayList<>();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int index = i;
                CompletableFuture<Lease> f = arena.lease(256);
                f.thenRun(() -> order.add(index));
                queue.add(f);
            }
            all.close();
            assertEquals(List.of(0, 1, 2, 3), order);
            queue.get(1).join().close();
            assertEquals(List.of(0, 1, 2, 3, 4), order);
            for (int i = 0; i < 5; i++) {
                queue.get(i).join().close();
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5), order);
            queue.get(5).join().close();
            assertEquals(0, arena.usedBytes());
        }
    }

    @Test
    void aCancelledWaiterLeavesTheQueueAndTheOnesBehindItMoveUp() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            Lease held = arena.lease(768).join();
            CompletableFuture<Lease> large = arena.lease(1024);
            CompletableFuture<Lease> small = arena.lease(256);
            assertFalse(small.isDone());
            assertTrue(large.cancel(false));
            assertTrue(small.isDone(), "with the large head gone, the small one fits in what is free");
            assertEquals(1, arena.statistics().abandoned());
            small.join().close();
            held.close();
            assertEquals(0, arena.usedBytes());
            assertEquals(0, arena.waiters());
        }
    }

    @Test
    void aTimedOutWaiterLeavesTheQueueWithNothingLeased() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            Lease held = arena.lease(1024).join();
            CompletableFuture<Lease> waiting = arena.lease(512).orTimeout(1, TimeUnit.MILLISECONDS);
            CompletionException e = assertThrows(CompletionException.class, waiting::join);
            assertInstanceOf(TimeoutException.class, e.getCause());
            assertEquals(0, arena.waiters(), "the timeout removed it before join returned");
            held.close();
            assertEquals(0, arena.usedBytes());
            AsyncStatistics stats = arena.statistics();
            assertEquals(1, stats.abandoned());
            assertEquals(1, stats.grants());
        }
    }

    @Test
    void theBlockingFormTimesOutAndLeavesTheQueue() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            Lease held = arena.lease(1024).join();
            assertThrows(TimeoutException.class, () -> arena.leaseBlocking(64, Duration.ofMillis(1)));
            assertThrows(TimeoutException.class, () -> arena.leaseBlocking(64, Duration.ZERO));
            assertEquals(0, arena.waiters());
            held.close();
            assertEquals(2, arena.statistics().abandoned());
        }
    }

    @Test
    void theBlockingFormReturnsAtOnceWhenTheBudgetHasRoom() throws Exception {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET);
             Lease lease = arena.leaseBlocking(100, Duration.ZERO)) {
            assertEquals(100, lease.capacityBytes());
        }
    }

    @Test
    void aRequestLargerThanTheWholeBudgetFailsAtOnceWithTheNumbers() {
        try (AsyncArena arena = AsyncArena.create(4096, QUIET)) {
            AllocationException e = failure(arena.lease(5000));
            assertEquals(ErrorCode.INVALID_SIZE, e.code());
            assertTrue(e.getMessage().contains("the request is charged 5056 bytes (5000 bytes rounded up to whole"
                    + " granules) but the whole budget is 4096 bytes, so it could never be served"), e.getMessage());
            assertTrue(e.suggestions().getFirst().contains("AsyncArena.create(5056, config)"), e.getMessage());
            assertEquals(5000, e.request().orElseThrow().byteSize());
            assertEquals(0, arena.waiters());
            assertThrows(AllocationException.class, () -> arena.leaseBlocking(5000, Duration.ofSeconds(1)));
            assertEquals(2, arena.statistics().failed());
        }
    }

    @Test
    void invalidRequestsFailTheirFuture() {
        try (AsyncArena arena = AsyncArena.create(4096, QUIET)) {
            assertEquals(ErrorCode.INVALID_SIZE, failure(arena.lease(-1)).code());
            assertEquals(ErrorCode.INVALID_ALIGNMENT, failure(arena.allocate(8, 3)).code());
            assertEquals(ErrorCode.INVALID_SIZE, failure(arena.allocate(-8, 8)).code());
            assertEquals(ErrorCode.INVALID_SIZE, failure(arena.allocate(8, 8192)).code());
            assertEquals(ErrorCode.INVALID_SIZE,
                    assertThrows(AllocationException.class, () -> AsyncArena.create(63)).code());
        }
    }

    @Test
    void closeFailsEveryWaiterWithClosedAndLaterRequestsToo() {
        AsyncArena arena = AsyncArena.create(1024, QUIET);
        Lease held = arena.lease(1024).join();
        CompletableFuture<Lease> first = arena.lease(100);
        CompletableFuture<Handle<Integer>> second = arena.allocate(HandleType.of(ValueLayout.JAVA_INT));
        arena.close();
        AllocationException e = failure(first);
        assertEquals(ErrorCode.CLOSED, e.code());
        assertTrue(e.getMessage().contains("the arena was closed while the request waited for memory"),
                e.getMessage());
        assertEquals(ErrorCode.CLOSED, failure(second).code());
        assertEquals(ErrorCode.CLOSED, failure(arena.lease(8)).code());
        assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, () -> held.allocate(8)).code());
        assertThrows(IllegalStateException.class, () -> held.segment().get(ValueLayout.JAVA_BYTE, 0),
                "the block is freed");
        held.close();
        assertEquals(0, arena.usedBytes());
        assertEquals(0, arena.waiters());
        arena.close();
    }

    @Test
    void closeWithOpenLeasesFailsUnderTheFailPolicyAfterFreeingEverything() {
        AsyncArena arena = AsyncArena.create(1024, AsyncConfig.defaults().withLeakPolicy(LeakPolicy.FAIL));
        arena.lease(100).join();
        arena.lease(200).join();
        CompletableFuture<Lease> waiting = arena.lease(1024);
        AllocationException leak = assertThrows(AllocationException.class, arena::close);
        assertEquals(ErrorCode.LEAK, leak.code());
        assertTrue(leak.getMessage().contains("closed with 2 live allocation(s) holding 384 bytes"),
                leak.getMessage());
        assertTrue(arena.isClosed());
        assertEquals(ErrorCode.CLOSED, failure(waiting).code());
    }

    @Test
    void aHandleReadsAndWritesItsValueLikeTheRustHandle() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            try (Handle<Integer> answer = arena.allocate(HandleType.of(ValueLayout.JAVA_INT), 42).join()) {
                int value = answer.read(v -> v);
                assertEquals(42, value);
                assertEquals(43, answer.update(v -> v + 1));
                assertEquals(43, answer.segment().get(ValueLayout.JAVA_INT, 0));
                assertEquals(64, arena.usedBytes());
            }
            Handle<Long> closed = arena.allocate(HandleType.of(ValueLayout.JAVA_LONG), 7L).join();
            closed.close();
            assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, closed::read).code());
            assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, () -> closed.write(1L)).code());
            assertEquals(0, arena.usedBytes());
        }
    }

    /** A struct in the shape the processor generates: a layout, and read/write at an offset. */
    private record Point(int x, long y) {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("x"),
                MemoryLayout.paddingLayout(4), ValueLayout.JAVA_LONG.withName("y"));

        static Point read(MemorySegment s, long offset) {
            return new Point(s.get(ValueLayout.JAVA_INT, offset), s.get(ValueLayout.JAVA_LONG, offset + 8));
        }

        static void write(MemorySegment s, long offset, Point p) {
            s.set(ValueLayout.JAVA_INT, offset, p.x());
            s.set(ValueLayout.JAVA_LONG, offset + 8, p.y());
        }
    }

    @Test
    void aHandleHoldsAStructThroughItsReaderAndWriter() {
        HandleType<Point> point = HandleType.of(Point.LAYOUT, Point::read, Point::write);
        try (AsyncArena arena = AsyncArena.create(1024, QUIET);
             Handle<Point> p = arena.allocate(point, new Point(1, 2)).join()) {
            assertEquals(new Point(1, 2), p.read());
            p.write(new Point(3, -4));
            assertEquals(-4L, p.read(Point::y));
            assertEquals(16, p.segment().byteSize());
            assertEquals(0, p.segment().address() % 8);
        }
    }

    @Test
    void aRawHandleIsAlignedBeyondTheGranuleAndCopiesBytes() {
        try (AsyncArena arena = AsyncArena.create(4096, QUIET);
             Handle<MemorySegment> raw = arena.allocate(100, 256).join()) {
            assertEquals(0, raw.segment().address() % 256);
            assertEquals(100, raw.segment().byteSize());
            assertEquals(320, arena.usedBytes(), "100 bytes plus up to 192 of alignment, in whole granules");
            raw.write(MemorySegment.ofArray(new byte[] {1, 2, 3}));
            byte[] back = raw.read().asSlice(0, 3).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(new byte[] {1, 2, 3}, back);
        }
    }

    @Test
    void zeroByteRequestsAreChargedOneGranule() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET);
             Handle<MemorySegment> empty = arena.allocate(0, 8).join();
             Lease none = arena.lease(0).join()) {
            assertEquals(0, empty.segment().byteSize());
            try (Handle<MemorySegment> one = arena.allocate(1).join()) {
                assertEquals(1, one.segment().byteSize());
                assertEquals(192, arena.usedBytes());
            }
            assertEquals(0, none.capacityBytes());
            assertEquals(128, arena.usedBytes());
            assertEquals(ErrorCode.OUT_OF_MEMORY,
                    assertThrows(AllocationException.class, () -> none.allocate(1, 1 << 30)).code());
        }
    }

    @Test
    void aWriterThatThrowsFailsTheFutureAndGivesTheBytesBack() {
        HandleType<String> broken = HandleType.of(ValueLayout.JAVA_INT, (s, o) -> "x",
                (s, o, v) -> {
                    throw new IllegalArgumentException("no strings here");
                });
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> arena.allocate(broken, "value").join());
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertEquals(0, arena.usedBytes());
            assertEquals(0, arena.statistics().grants());
        }
    }

    @Test
    void aFutureCompletedByItsHolderBeforeTheGrantGivesTheGrantBack() {
        try (AsyncArena arena = AsyncArena.create(1024, QUIET)) {
            Lease held = arena.lease(1024).join();
            CompletableFuture<Lease> waiting = arena.lease(512);
            Lease substitute = arena.lease(0).completeOnTimeout(null, 0, TimeUnit.NANOSECONDS).join();
            assertEquals(null, substitute);
            assertTrue(waiting.completeExceptionally(new CancellationException("gave up")));
            held.close();
            assertEquals(0, arena.usedBytes());
            assertEquals(0, arena.waiters());
        }
    }

    @Test
    void aLongChainOfCallbacksThatEachGiveBackDoesNotDeepenTheStack() {
        try (AsyncArena arena = AsyncArena.create(64, QUIET)) {
            Lease first = arena.lease(64).join();
            int n = 20_000;
            List<CompletableFuture<Void>> done = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                done.add(arena.lease(64).thenAccept(Lease::close));
            }
            first.close();
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
            assertEquals(0, arena.usedBytes());
            assertEquals(n + 1, arena.statistics().grants());
        }
    }

    @Test
    void zeroOnReleaseHandsOutZeros() {
        try (AsyncArena arena = AsyncArena.create(64, QUIET.withZeroOnRelease(true))) {
            try (Lease lease = arena.lease(64).join()) {
                lease.segment().fill((byte) 0x5A);
            }
            try (Lease lease = arena.lease(64).join()) {
                assertEquals(-1, lease.segment().mismatch(MemorySegment.ofArray(new byte[64])));
            }
        }
    }

    @Test
    void aFragmentedBudgetServesTheHeadOnceTheRangesMerge() {
        try (AsyncArena arena = AsyncArena.create(256, QUIET)) {
            Lease a = arena.lease(64).join();
            Lease b = arena.lease(64).join();
            Lease c = arena.lease(64).join();
            Lease d = arena.lease(64).join();
            a.close();
            c.close();
            CompletableFuture<Lease> wide = arena.lease(128);
            assertFalse(wide.isDone(), "128 bytes are free, but in two pieces");
            b.close();
            assertTrue(wide.isDone(), "a, b and c merged");
            wide.join().close();
            d.close();
            assertEquals(0, arena.usedBytes());
        }
    }

    @Test
    void configAndStatisticsRenderAsJson() {
        assertEquals("{\"granuleBytes\":64,\"leakPolicy\":\"WARN\",\"longWaitNanos\":10000000,"
                + "\"zeroOnRelease\":false}", AsyncConfig.defaults().toJson());
        try (AsyncArena arena = AsyncArena.create(1024, QUIET.withGranuleBytes(128))) {
            Lease held = arena.lease(1000).join();
            assertEquals("{\"capacityBytes\":1024,\"leasedBytes\":1024,\"peakLeasedBytes\":1024,\"grants\":1,"
                    + "\"releases\":0,\"waitersNow\":0,\"peakWaiters\":0,\"waited\":0,\"totalWaitNanos\":0,"
                    + "\"longestWaitNanos\":0,\"abandoned\":0,\"failed\":0}", arena.statistics().toJson());
            held.close();
        }
    }

    @Test
    void configChecksItsComponents() {
        assertThrows(IllegalArgumentException.class, () -> AsyncConfig.defaults().withGranuleBytes(48));
        assertThrows(IllegalArgumentException.class, () -> AsyncConfig.defaults().withGranuleBytes(4));
        assertThrows(IllegalArgumentException.class, () -> AsyncConfig.defaults().withLongWait(Duration.ofNanos(-1)));
        AsyncConfig config = AsyncConfig.defaults().withGranuleBytes(4096).withLongWait(Duration.ZERO);
        assertEquals(4096, config.granuleBytes());
        assertSame(LeakPolicy.WARN, config.leakPolicy());
        try (AsyncArena arena = AsyncArena.create(10_000, config.withLeakPolicy(LeakPolicy.IGNORE))) {
            assertEquals(8192, arena.capacityBytes(), "rounded down to whole granules");
        }
    }
}
