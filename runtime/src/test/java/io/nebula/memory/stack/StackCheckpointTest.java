package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakWarnings;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;

import static io.nebula.memory.stack.StackAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(LeakWarnings.class)
class StackCheckpointTest {

    /** A {@link Checkpoint} that no allocator created. */
    private record UserCheckpoint(long usedBytes, int depth) implements Checkpoint {
    }

    @Nested
    class Checkpoints {

        @Test
        void checkpointSavesTheDepthAndTheUsedBytes() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(10, 1);
                stack.allocate(6, 8);
                Checkpoint checkpoint = stack.checkpoint();
                assertEquals(2, checkpoint.depth());
                assertEquals(22, checkpoint.usedBytes());
                assertEquals("StackCheckpoint[depth=2, usedBytes=22]", checkpoint.toString());
                assertNotSame(checkpoint, stack.checkpoint(), "each call takes a checkpoint of its own");
            }
        }

        @Test
        void restorePopsEverythingAboveTheCheckpointAndKeepsTheCheckpointValid() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                MemorySegment below = stack.allocate(10, 1);
                Checkpoint checkpoint = stack.checkpoint();
                stack.allocate(6, 8);
                stack.allocate(30, 2);
                stack.restore(checkpoint);
                assertEquals(10, stack.usedBytes());
                assertEquals(1, stack.depth());
                stack.allocate(50, 1);
                stack.restore(checkpoint);
                assertEquals(10, stack.usedBytes());
                stack.restore(checkpoint);
                assertEquals(1, stack.depth());
                stack.deallocate(below);
            }
        }

        @Test
        void restoringAnOuterCheckpointDiscardsTheInnerOnes() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                Checkpoint outer = stack.checkpoint();
                stack.allocate(8, 8);
                Checkpoint inner = stack.checkpoint();
                stack.allocate(8, 8);
                stack.restore(outer);
                AllocationException e = assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(inner),
                        "Allocator: StackAllocator[capacity=256, used=8, depth=1]",
                        "StackCheckpoint[depth=2, usedBytes=16] cannot be restored: the checkpoint was taken at"
                                + " depth 2 but only 1 allocation is live now",
                        "(by a deallocation, the restore of an older checkpoint, the close of an enclosing scope,"
                                + " or reset), which discarded it",
                        "1. Restore checkpoints in reverse order of creation (close nested scopes before outer"
                                + " ones)",
                        "2. Take a new checkpoint after the allocations below the old one were popped");
                assertEquals(2, e.suggestions().size());
            }
        }

        @Test
        void checkpointStaysDiscardedWhenTheStackGrowsBackPastItsDepth() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                Checkpoint checkpoint = stack.checkpoint();
                stack.deallocateOffset(0);
                stack.allocate(8, 8);
                stack.allocate(8, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(checkpoint),
                        "StackCheckpoint[depth=1, usedBytes=8] cannot be restored: the allocation at index 0 just"
                                + " below the checkpoint was popped since",
                        "index 0 now holds a newer allocation, so the checkpoint was discarded");
            }
        }

        @Test
        void popsAboveTheCheckpointDoNotDiscardIt() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                Checkpoint checkpoint = stack.checkpoint();
                long above = stack.allocateOffset(8, 8);
                stack.deallocateOffset(above);
                stack.allocate(24, 8);
                stack.restore(checkpoint);
                assertEquals(8, stack.usedBytes());
            }
        }

        @Test
        void resetDiscardsCheckpointsOfANonEmptyStack() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                Checkpoint checkpoint = stack.checkpoint();
                stack.reset();
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(checkpoint),
                        "the checkpoint was taken at depth 1 but only 0 allocations are live now");
                stack.allocate(8, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(checkpoint),
                        "the allocation at index 0 just below the checkpoint was popped since");
            }
        }

        @Test
        void checkpointOfTheEmptyStackAlwaysEmptiesIt() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                Checkpoint empty = stack.checkpoint();
                stack.allocate(8, 8);
                stack.reset();
                stack.allocate(8, 8);
                stack.allocate(8, 8);
                stack.restore(empty);
                assertEquals(0, stack.usedBytes());
                assertEquals(0, stack.depth());
            }
        }

        @Test
        void checkpointOfAnotherStackIsInvalid() {
            try (StackAllocator stack = StackAllocator.create(256); StackAllocator other = StackAllocator.create(64)) {
                Checkpoint foreign = other.checkpoint();
                stack.allocate(8, 8);
                AllocationException e = assertFails(ErrorCode.INVALID_CHECKPOINT, stack,
                        () -> stack.restore(foreign),
                        "StackCheckpoint[depth=0, usedBytes=0] cannot be restored: the checkpoint was taken on"
                                + " another stack, StackAllocator[capacity=64, used=0, depth=0]",
                        "1. Restore a checkpoint on the stack that took it.");
                assertEquals(1, e.suggestions().size());
            }
        }

        @Test
        void checkpointOfAnotherKindIsInvalidAndSaysSo() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(8, 8);
                UserCheckpoint mine = new UserCheckpoint(0, 0);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(mine),
                        "UserCheckpoint[usedBytes=0, depth=0] cannot be restored: its class is "
                                + UserCheckpoint.class.getName() + ", so it was not taken by a StackAllocator",
                        "1. Restore a checkpoint on the allocator that took it: a stack restores only what its own"
                                + " checkpoint() returned.");
            }
        }

        @Test
        void nullCheckpointIsRejected() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                assertThrows(NullPointerException.class, () -> stack.restore(null));
            }
        }
    }

    @Nested
    class Scopes {

        @Test
        void closingAScopePopsWhatWasAllocatedInside() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                stack.allocate(4, 1);
                try (Scope scope = stack.scope()) {
                    assertEquals("StackScope[depth=1, usedBytes=4]", scope.toString());
                    stack.allocate(64, 64);
                    stack.allocate(8, 8);
                    assertEquals(3, stack.depth());
                }
                assertEquals(4, stack.usedBytes());
                assertEquals(1, stack.depth());
            }
        }

        @Test
        void scopesNest() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                try (Scope outer = stack.scope()) {
                    stack.allocate(16, 8);
                    try (Scope inner = stack.scope()) {
                        stack.allocate(32, 8);
                        assertEquals("StackScope[depth=1, usedBytes=16]", inner.toString());
                    }
                    assertEquals(16, stack.usedBytes());
                    assertFalse(outer.isClosed());
                }
                assertEquals(0, stack.usedBytes());
            }
        }

        @Test
        void closingTwiceIsANoOp() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                Scope scope = stack.scope();
                stack.allocate(8, 8);
                scope.close();
                assertTrue(scope.isClosed());
                stack.allocate(24, 8);
                scope.close();
                assertEquals(24, stack.usedBytes(), "the second close released nothing");
            }
        }

        @Test
        void closingAnInnerScopeAfterItsOuterScopeFailsAndLeavesItOpen() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                Scope outer = stack.scope();
                stack.allocate(8, 8);
                Scope inner = stack.scope();
                stack.allocate(8, 8);
                outer.close();
                stack.allocate(16, 8);
                AllocationException e = assertFails(ErrorCode.INVALID_CHECKPOINT, stack, inner::close,
                        "StackScope[depth=1, usedBytes=8] cannot be closed: the allocation at index 0 just below"
                                + " the scope was popped since",
                        "index 0 now holds a newer allocation, so the scope was discarded",
                        "1. Close scopes in reverse order of opening, as try-with-resources does",
                        "2. Open a new scope after the allocations below the old one were popped, or after"
                                + " reset().");
                assertEquals(2, e.suggestions().size());
                assertFalse(inner.isClosed());
                assertEquals("StackScope[depth=1, usedBytes=8]", inner.toString());
                assertEquals("StackScope[depth=0, usedBytes=0, closed]", outer.toString());
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, inner::close, "cannot be closed");
                assertFalse(inner.isClosed(), "a scope whose close failed can be closed again, and fails again");
            }
        }

        @Test
        void aScopeOpenedAboveADeallocatedAllocationSaysItWasOpenedDeeper() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                long offset = stack.allocateOffset(8, 8);
                Scope scope = stack.scope();
                stack.deallocateOffset(offset);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, scope::close,
                        "StackScope[depth=1, usedBytes=8] cannot be closed: the scope was opened at depth 1 but only"
                                + " 0 allocations are live now");
            }
        }

        @Test
        void aScopeOfTheEmptyStackSurvivesResets() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                Scope scope = stack.scope();
                stack.allocate(8, 8);
                stack.reset();
                stack.allocate(16, 8);
                scope.close();
                assertTrue(scope.isClosed());
                assertEquals(0, stack.depth());
            }
        }

        @Test
        void aScopeIsAScopeOfTheStackAndOnlyCloses() {
            try (StackAllocator stack = StackAllocator.create(256)) {
                Scope scope = stack.scope();
                assertInstanceOf(StackScope.class, scope);
                assertFalse(scope instanceof Checkpoint, "a scope is not a checkpoint to restore by hand");
                scope.close();
            }
        }
    }

    /**
     * Checkpoints and scopes are frames told apart by an epoch, not by a number per allocation: the cases where the
     * stack is popped below a frame and pushed back to the same depth and top, so that only the epoch tells the new
     * frame from the discarded one. Each on the confined and the thread-safe stack.
     */
    @Nested
    class Frames {

        private static StackAllocator stack(boolean threadSafe) {
            return StackAllocator.create(256, StackConfig.defaults().withThreadSafe(threadSafe));
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void aCheckpointPoppedBelowStaysDiscardedWhenANewOneTakesItsPlaceAtTheSameDepthAndTop(boolean threadSafe) {
            try (StackAllocator stack = stack(threadSafe)) {
                long first = stack.allocateOffset(8, 8);
                Checkpoint stale = stack.checkpoint();
                stack.deallocateOffset(first);
                long again = stack.allocateOffset(8, 8);
                assertEquals(first, again, "the same depth and top as when the stale checkpoint was taken");
                Checkpoint fresh = stack.checkpoint();
                assertEquals(stale.depth(), fresh.depth());
                assertEquals(stale.usedBytes(), fresh.usedBytes());
                stack.allocate(16, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(stale),
                        "the allocation at index 0 just below the checkpoint was popped since");
                assertEquals(2, stack.depth(), "a refused restore pops nothing");
                stack.restore(fresh);
                assertEquals(1, stack.depth());
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(stale), "cannot be restored");
            }
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void aScopeWhoseAllocationBelowWasReplacedCannotBeClosed(boolean threadSafe) {
            try (StackAllocator stack = stack(threadSafe)) {
                MemorySegment below = stack.allocate(8, 8);
                Scope scope = stack.scope();
                stack.deallocate(below);
                stack.allocate(8, 8);
                stack.allocate(24, 8);
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, scope::close,
                        "StackScope[depth=1, usedBytes=8] cannot be closed: the allocation at index 0 just below"
                                + " the scope was popped since");
                assertFalse(scope.isClosed());
                assertEquals(2, stack.depth(), "a refused close pops nothing");
            }
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void aScopeWhoseAllocationBelowWasReplacedCannotBeClosedAfterAnotherScopeReusedItsPlace(
                boolean threadSafe) {
            try (StackAllocator stack = stack(threadSafe)) {
                MemorySegment below = stack.allocate(8, 8);
                Scope stale = stack.scope();
                stack.deallocate(below);
                stack.allocate(8, 8);
                try (Scope fresh = stack.scope()) {
                    assertEquals(stale.toString(), fresh.toString(), "the same depth and used bytes");
                    stack.allocate(24, 8);
                    assertFails(ErrorCode.INVALID_CHECKPOINT, stack, stale::close, "cannot be closed");
                    assertEquals(2, stack.depth());
                }
                assertEquals(1, stack.depth());
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, stale::close, "cannot be closed");
            }
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void aResetDiscardsAFrameThatANewCheckpointThenTakesAgain(boolean threadSafe) {
            try (StackAllocator stack = stack(threadSafe)) {
                stack.allocate(8, 8);
                Scope scope = stack.scope();
                Checkpoint checkpoint = stack.checkpoint();
                stack.reset();
                stack.allocate(8, 8);
                Checkpoint fresh = stack.checkpoint();
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(checkpoint), "cannot be");
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, scope::close, "cannot be closed");
                stack.restore(fresh);
                stack.reset();
            }
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void restoringAnOuterCheckpointDiscardsAnInnerFrameThatIsThenTakenAgain(boolean threadSafe) {
            try (StackAllocator stack = stack(threadSafe)) {
                stack.allocate(8, 8);
                Checkpoint outer = stack.checkpoint();
                stack.allocate(8, 8);
                Checkpoint inner = stack.checkpoint();
                stack.restore(outer);
                stack.allocate(8, 8);
                Checkpoint again = stack.checkpoint();
                assertEquals(inner.usedBytes(), again.usedBytes());
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(inner), "cannot be restored");
                stack.restore(again);
                stack.restore(outer);
                assertEquals(1, stack.depth());
                stack.reset();
            }
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void checkpointsAndScopesAtOneDepthShareAFrameAndStayValidTogether(boolean threadSafe) {
            try (StackAllocator stack = stack(threadSafe)) {
                stack.allocate(8, 8);
                Checkpoint first = stack.checkpoint();
                Scope scope = stack.scope();
                Checkpoint second = stack.checkpoint();
                stack.allocate(16, 8);
                stack.restore(first);
                stack.allocate(16, 8);
                stack.restore(second);
                stack.allocate(16, 8);
                scope.close();
                assertTrue(scope.isClosed());
                stack.restore(first);
                stack.restore(second);
                assertEquals(1, stack.depth());
                stack.reset();
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(first), "cannot be restored");
                assertFails(ErrorCode.INVALID_CHECKPOINT, stack, () -> stack.restore(second), "cannot be restored");
            }
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void checkpointsTakenAgainAndAgainAtOneDepthKeepOneFrame(boolean threadSafe) {
            try (StackAllocator stack = stack(threadSafe)) {
                stack.allocate(8, 8);
                Checkpoint first = stack.checkpoint();
                StackEntries frames = ((StackCheckpoint) first).owner;   // the calling thread's own stack
                int live = frames.liveFrames();
                assertEquals(2, live, "the empty stack's frame and the one at depth 1");
                for (int i = 0; i < 10_000; i++) {
                    Checkpoint checkpoint = stack.checkpoint();
                    stack.allocate(8, 8);
                    try (Scope _ = stack.scope()) {
                        stack.allocate(8, 8);
                    }
                    stack.restore(checkpoint);
                }
                assertEquals(live, frames.liveFrames(), "checkpoints at one depth share its frame");
                stack.restore(first);
                stack.reset();
                assertEquals(1, frames.liveFrames(), "a reset leaves the empty stack's frame only");
            }
        }
    }
}
