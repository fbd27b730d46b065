package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StackAllocator#threadStack()}: the calling thread's own stack, bound to that thread, sharing the thread-safe
 * stack's budget, statistics and close.
 */
class ThreadStackTest {

    private static final StackConfig THREAD_SAFE = StackConfig.defaults().withThreadSafe(true).withTrackStats(true);

    @Test
    void aConfinedStackIsItsOwnersStackAndRefusesOtherThreads() throws Exception {
        StackAllocator stack = StackAllocator.create(1024);
        assertSame(stack, stack.threadStack());

        AllocationException e = onAnotherThread(() -> assertThrows(AllocationException.class, stack::threadStack));
        assertEquals(ErrorCode.WRONG_THREAD, e.code());

        stack.close();
        assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, stack::threadStack).code());
    }

    @Test
    void eachThreadGetsOneStackOfItsOwnOnEveryCall() throws Exception {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE)) {
            StackAllocator mine = stack.threadStack();
            assertSame(mine, stack.threadStack());
            assertSame(mine, mine.threadStack());
            StackAllocator[] theirs = onAnotherThread(() -> new StackAllocator[] {
                    stack.threadStack(), stack.threadStack()});
            assertSame(theirs[0], theirs[1]);
            assertNotSame(mine, theirs[0]);
            assertTrue(mine.config().threadSafe());
            assertSame(stack.segment(), mine.segment());
        }
    }

    @Test
    void callsThroughTheThreadsStackAndThroughTheThreadSafeStackWorkOnTheSameStack() {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            StackAllocator mine = stack.threadStack();
            MemorySegment a = mine.allocate(16, 8);
            long b = stack.allocateOffset(32, 8);
            assertEquals(2, mine.depth());
            mine.deallocateOffset(b);
            stack.deallocate(a);
            assertEquals(0, mine.depth());

            Checkpoint checkpoint = stack.checkpoint();
            mine.allocate(64);
            mine.restore(checkpoint);
            assertEquals(0, stack.depth());

            try (Scope _ = mine.scope()) {
                stack.allocate(128);
                mine.allocate(8);
                assertEquals(2, stack.depth());
            }
            assertEquals(0, stack.depth());

            mine.allocate(24);
            stack.reset();
            assertEquals(0, mine.depth(), "a reset through either pops the calling thread's stack");
        }
    }

    @Test
    void everyCallFromAnotherThreadIsRefusedAndChangesNothing() throws Exception {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            StackAllocator mine = stack.threadStack();
            MemorySegment top = mine.allocate(16);
            long used = mine.usedBytes();
            Checkpoint checkpoint = mine.checkpoint();
            Thread.currentThread().setName("owner-of-the-stack");

            AllocationException e = onAnotherThread(() -> {
                Thread.currentThread().setName("a-borrower");
                return assertThrows(AllocationException.class, () -> mine.allocate(8));
            });
            assertEquals(ErrorCode.WRONG_THREAD, e.code());
            assertTrue(e.getMessage().contains("thread \"a-borrower\""), e.getMessage());
            assertTrue(e.getMessage().contains("the stack of thread \"owner-of-the-stack\""), e.getMessage());
            assertTrue(e.getMessage().contains("Call threadStack() on each thread"), e.getMessage());
            for (ThrowingCall call : new ThrowingCall[] {
                    () -> mine.allocateOffset(8, 8), () -> mine.deallocate(top), mine::checkpoint,
                    () -> mine.restore(checkpoint), mine::scope, mine::reset, mine::threadStack,
                    () -> mine.deallocateOffset(top.address() - mine.segment().address())}) {
                AllocationException refused = onAnotherThread(() -> assertThrows(AllocationException.class,
                        call::run));
                assertEquals(ErrorCode.WRONG_THREAD, refused.code());
            }

            assertEquals(1, mine.depth());
            assertEquals(used, mine.usedBytes());
            mine.deallocate(top);
        }
    }

    @Test
    void aThreadsStackRefusesAnotherThreadsAllocationsAndCheckpoints() throws Exception {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            StackAllocator mine = stack.threadStack();
            mine.allocate(8);
            whileAnotherThreadHolds(stack, own -> new Object[] {
                    own.checkpoint(), own.allocate(32), own.allocateOffset(16, 8)}, theirs -> {
                AllocationException e = assertThrows(AllocationException.class,
                        () -> mine.deallocate((MemorySegment) theirs[1]));
                assertEquals(ErrorCode.WRONG_THREAD, e.code());
                assertTrue(e.getMessage().contains("of thread \"other\""), e.getMessage());
                assertEquals(ErrorCode.WRONG_THREAD, assertThrows(AllocationException.class,
                        () -> mine.deallocateOffset((long) theirs[2])).code());
                assertEquals(ErrorCode.WRONG_THREAD, assertThrows(AllocationException.class,
                        () -> mine.restore((Checkpoint) theirs[0])).code());
                assertEquals(1, mine.depth());
                assertEquals(3, stack.depth());
            });
            mine.reset();
        }
    }

    @Test
    void depthAndUsedBytesAreTheThreadsOwnWhileTheBudgetAndStatisticsAreTheWholeStacks() throws Exception {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.IGNORE))) {
            StackAllocator mine = stack.threadStack();
            mine.allocate(64, 8);
            whileAnotherThreadHolds(stack, own -> own.allocate(256, 8), _ -> {
                assertEquals(1, mine.depth());
                assertEquals(64, mine.usedBytes());
                assertEquals(2, stack.depth());
                assertEquals(320, stack.usedBytes());
                assertEquals(stack.capacityBytes(), mine.capacityBytes());
                assertEquals(stack.capacityBytes() - 320, mine.availableBytes());
                assertEquals(stack.availableBytes(), mine.availableBytes());
                AllocationStatistics statistics = mine.statistics().orElseThrow();
                assertEquals(2, statistics.allocations());
                assertEquals(320, statistics.currentBytes());
                assertEquals(stack.statistics(), mine.statistics());
            });
        }
    }

    @Test
    void inCheckedModeAThreadsStackOwnsWhatTheThreadSafeStackOwns() throws Exception {
        StackConfig checked = THREAD_SAFE.withChecked(true).withLeakPolicy(LeakPolicy.IGNORE);
        try (StackAllocator stack = StackAllocator.create(64 * 1024, checked)) {
            StackAllocator mine = stack.threadStack();
            MemorySegment own = mine.allocate(16);
            MemorySegment theirs = onAnotherThread(() -> stack.threadStack().allocate(32));
            assertTrue(mine.owns(own));
            assertTrue(mine.owns(theirs), "another thread's live checked segment is the stack's");
            assertEquals(stack.owns(theirs), mine.owns(theirs));
            mine.deallocate(own);
            assertFalse(mine.owns(own), "a popped checked segment is no one's");
            assertFalse(stack.owns(own));
        }
    }

    @Test
    void closingAThreadsStackGivesBackItsRegionsAndLeavesTheThreadSafeStackOpen() throws Exception {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            SharedStack shared = (SharedStack) stack;
            StackAllocator mine = stack.threadStack();
            mine.deallocate(mine.allocate(40));
            assertEquals(1, shared.regionsHeld(), "an empty thread's stack keeps one region");

            mine.close();
            assertEquals(0, shared.regionsHeld(), "the close gave the kept region back");
            assertFalse(stack.isClosed());
            assertFalse(mine.isClosed(), "a thread's stack answers for the thread-safe stack, which is open");
            mine.close();
            assertEquals(0, shared.regionsHeld(), "closing again gives back nothing more");

            MemorySegment again = mine.allocate(24);
            assertEquals(1, shared.regionsHeld(), "the next push takes a region again");
            assertTrue(mine.owns(again));
            mine.deallocate(again);

            AllocationException e = onAnotherThread(() -> assertThrows(AllocationException.class, mine::close));
            assertEquals(ErrorCode.WRONG_THREAD, e.code());
        }
    }

    @Test
    void closingAThreadsStackThatStillHoldsAllocationsIsALeak() {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            SharedStack shared = (SharedStack) stack;
            StackAllocator mine = stack.threadStack();
            MemorySegment held = mine.allocate(40);
            AllocationException leak = assertThrows(AllocationException.class, mine::close);
            assertEquals(ErrorCode.LEAK, leak.code());
            assertTrue(leak.details().contains("1 live allocation"), leak.getMessage());
            assertEquals(1, mine.depth(), "the refused close changed nothing");
            assertEquals(1, shared.regionsHeld());
            assertTrue(mine.owns(held));
            mine.deallocate(held);
        }
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.IGNORE))) {
            SharedStack shared = (SharedStack) stack;
            StackAllocator mine = stack.threadStack();
            mine.allocate(40);
            mine.scope();
            mine.allocate(8);
            mine.close();
            assertEquals(0, mine.depth(), "what the thread held is popped");
            assertEquals(0, mine.usedBytes());
            assertEquals(0, shared.regionsHeld());
            assertEquals(0, stack.usedBytes());
        }
    }

    @Test
    void aThreadsStackIsClosedWithTheThreadSafeStack() {
        StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL));
        StackAllocator mine = stack.threadStack();
        MemorySegment held = mine.allocate(40);

        AllocationException leak = assertThrows(AllocationException.class, stack::close);
        assertEquals(ErrorCode.LEAK, leak.code(), "the thread-safe stack reports what the thread's stack holds");
        assertTrue(mine.isClosed());
        assertFalse(mine.owns(held));
        for (ThrowingCall call : new ThrowingCall[] {
                () -> mine.allocate(8), () -> mine.deallocate(held), mine::scope, mine::threadStack, mine::reset}) {
            assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, call::run).code());
        }
        assertEquals(ErrorCode.CLOSED, assertThrows(AllocationException.class, stack::threadStack).code());
    }

    @Test
    void aVirtualThreadGetsAStackOfItsOwnAndGivesItsRegionBackWhenEmpty() throws Exception {
        try (StackAllocator stack = StackAllocator.create(64 * 1024, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            SharedStack shared = (SharedStack) stack;
            try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<Integer> held = executor.submit(() -> {
                    StackAllocator own = stack.threadStack();
                    try (Scope _ = own.scope()) {
                        own.allocate(100);
                        return shared.regionsHeld();
                    }
                });
                assertEquals(1, held.get());
            }
            assertEquals(0, shared.regionsHeld(), "a virtual thread keeps no region once its stack is empty");
        }
    }

    @Test
    void aThreadsStackAllocatesThroughTheSegmentAllocatorMethods() {
        try (StackAllocator stack = StackAllocator.create(4096, THREAD_SAFE.withLeakPolicy(LeakPolicy.FAIL))) {
            StackAllocator mine = stack.threadStack();
            try (Scope _ = mine.scope()) {
                MemorySegment text = mine.allocateFrom("hello");
                assertEquals("hello", text.getString(0));
                assertInstanceOf(ThreadStack.class, mine);
                assertTrue(stack.owns(text));
            }
            assertEquals(0, stack.depth());
        }
    }

    /** A call expected to throw. */
    @FunctionalInterface
    private interface ThrowingCall {
        void run();
    }

    /**
     * Runs {@code push} on the own stack of a platform thread named "other", then {@code check} on this thread with
     * what it returned while the other thread still holds it, then lets the other thread reset its stack and end.
     */
    private static <T> void whileAnotherThreadHolds(StackAllocator stack, Function<StackAllocator, T> push,
                                                    Consumer<T> check) throws Exception {
        CyclicBarrier pushed = new CyclicBarrier(2);
        CyclicBarrier checked = new CyclicBarrier(2);
        List<T> theirs = new ArrayList<>();
        Thread other = Thread.ofPlatform().name("other").start(() -> {
            try {
                StackAllocator own = stack.threadStack();
                theirs.add(push.apply(own));
                pushed.await();
                checked.await();
                own.reset();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        pushed.await();
        try {
            check.accept(theirs.getFirst());
        } finally {
            checked.await();
            other.join();
        }
    }

    private static <T> T onAnotherThread(Callable<T> action) throws Exception {
        try (ExecutorService executor = Executors.newSingleThreadExecutor()) {
            return executor.submit(action).get();
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }
}
