package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Failure;
import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;

/**
 * Every error the stack allocator throws, as text: what happened, the numbers involved, what to do. Each method
 * builds an {@link AllocationException} and returns it; none records, counts or changes anything. The allocator
 * calls them under its guard, with the stack exactly as the failed call found it, and throws the result with
 * {@code throw Events.allocationError(...)}.
 */
final class StackErrors {

    private StackErrors() {
    }

    /** A capacity below one byte, given to {@code create}. */
    static AllocationException invalidCapacity(long capacity, long blockAlignment) {
        return Failure.of(ErrorCode.INVALID_SIZE)
                .allocator("StackAllocator")
                .request(capacity, blockAlignment)
                .details("the capacity must be at least 1 byte, was " + capacity)
                .suggest("Pass the most bytes the stack must hold at its deepest, for example 64 * 1024.")
                .build();
    }

    /**
     * A push that {@link StackEntries#pushEntry(long, long)} refused: an invalid size or alignment, too few bytes above
     * the top, or as many live allocations as the stack can track.
     */
    static AllocationException refused(StackAllocator stack, long byteSize, long byteAlignment) {
        long capacity = stack.capacityBytes();
        long top = stack.top();
        long limit = stack.limit();
        long available = limit - top;
        long used = stack.usedInPart();
        AllocationException invalid = Requests.invalidRequest(stack.toString(), byteSize, byteAlignment, available,
                used);
        if (invalid != null) {
            return invalid;
        }
        long base = stack.segment().address();
        long start = Requests.alignUp(base + top, byteAlignment) - base;
        int depth = stack.liveDepth();
        Failure error = Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(stack.toString())
                .request(byteSize, byteAlignment)
                .memory(available, used);
        if (byteSize <= limit - start) {
            return error.details("the stack already holds " + depth + " live allocations, the most it can track")
                    .suggest("Pop allocations, or restore a checkpoint, before allocating more.")
                    .build();
        }
        long padding = start - top;
        error.details("the request needs " + byteSize + " bytes" + (padding > 0 ? " plus " + padding
                + " bytes of alignment padding" : "") + " at offset " + top + " but only " + available
                + " bytes remain above the " + depth + " live allocation" + (depth == 1 ? "" : "s"));
        ConfigOrigin origin = stack.config().origin();
        if (stack instanceof ThreadStack thread && byteSize <= capacity) {
            return regionFull(error, thread, start + byteSize - stack.floor());
        }
        if (byteSize > capacity) {
            String larger = "The request is larger than the whole stack (" + capacity + " bytes): ";
            error.suggest(origin, larger + "create the stack with a capacity of at least " + byteSize
                            + " bytes (StackAllocator.create(" + byteSize + ")), or allocate this object elsewhere.",
                    larger + "raise @Allocator(size = " + byteSize + ") on " + Failure.ANNOTATED_CLASS
                            + ", or allocate this object elsewhere.");
        } else {
            long needed = start + byteSize;
            error.suggest(origin, "Increase the capacity to at least " + needed + " bytes (StackAllocator.create("
                    + needed + ")), or more if the stack can get deeper than it is now.",
                    "Raise @Allocator(size = " + needed + ") on " + Failure.ANNOTATED_CLASS
                            + ", or more if the stack can get deeper than it is now.");
            error.suggest("Close scopes, restore checkpoints and deallocate temporaries as soon as their work is"
                    + " done, so that their memory is popped before the next allocation.");
        }
        error.suggest("Allocate large or long-lived buffers from a BumpAllocator or PoolAllocator, and keep the"
                + " stack for short-lived scratch memory.");
        return error.build();
    }

    /** The end of {@link #refused}: one thread's stack of a thread-safe stack found no free region to grow into. */
    private static AllocationException regionFull(Failure error, ThreadStack thread, long needed) {
        StackRegions regions = thread.regions();
        long region = regions.size();
        long capacity = regions.capacity();
        boolean last = thread.limit() >= capacity;
        error.details("this thread's stack holds the regions [" + thread.floor() + ", " + thread.limit()
                + ") of the thread-safe stack (regions of " + region + " bytes) and "
                + (last ? "they end at the end of the block" : "the next region is held by another thread's stack")
                + "; this thread's stack would need " + needed + " bytes");
        ConfigOrigin origin = thread.config().origin();
        long regionNeeded = Math.min(capacity, (needed + StackConfig.REGION_ALIGNMENT - 1)
                & -StackConfig.REGION_ALIGNMENT);
        error.suggest(origin, "Give each thread larger regions: StackConfig.withRegionSize(" + regionNeeded
                        + ") (now " + region + "), and a capacity of at least that many bytes per thread that"
                        + " pushes at once (now " + capacity + ").",
                "Raise @Allocator(size = ...) on " + Failure.ANNOTATED_CLASS + " so that each thread's region ("
                        + region + " bytes, capacity / (4 x processors) by default) holds " + regionNeeded
                        + " bytes.");
        error.suggest("Pop allocations, or restore a checkpoint, before allocating more; allocate large buffers"
                + " from a BumpAllocator or PoolAllocator.");
        return error.build();
    }

    /** A thread's first push on a thread-safe stack found every region held by other threads' stacks. */
    static AllocationException noFreeRegion(ThreadStack stack, long byteSize, long byteAlignment) {
        StackRegions regions = stack.regions();
        long capacity = regions.capacity();
        return Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(stack.toString())
                .request(byteSize, byteAlignment)
                .memory(0, 0)
                .details("every one of the " + regions.count() + " regions of " + regions.size()
                        + " bytes is held by a thread whose stack is not empty, so this thread's stack has no region"
                        + " to push into")
                .suggest(stack.config().origin(), "Raise the capacity (now " + capacity + " bytes), or make the"
                                + " regions smaller with StackConfig.withRegionSize(...) (now " + regions.size()
                                + "), so that there is a region for every thread that holds allocations at once.",
                        "Raise @Allocator(size = ...) on " + Failure.ANNOTATED_CLASS + ": there is a region of "
                                + regions.size() + " bytes for every thread that holds allocations at once.")
                .suggest("Pop each thread's allocations as soon as its work is done: an empty stack gives its"
                        + " region back.")
                .build();
    }

    /** A call on a thread-safe stack about another thread's stack: its allocation, checkpoint or scope. */
    static AllocationException wrongThread(String allocator, String what, Thread holder) {
        Thread current = Thread.currentThread();
        return Failure.of(ErrorCode.WRONG_THREAD)
                .allocator(allocator)
                .details("thread \"" + current.getName() + "\" (id " + current.threadId() + ") tried to " + what
                        + " of thread \"" + holder.getName() + "\" (id " + holder.threadId() + "): each thread has a"
                        + " stack of its own on a thread-safe stack, with its own LIFO order, checkpoints and scopes")
                .suggest("Pop, restore and close scopes on the thread that pushed, took or opened them.")
                .suggest("To hand memory to another thread, allocate it from a thread-safe PoolAllocator or"
                        + " BumpAllocator instead.")
                .build();
    }

    /** A call on one thread's stack of a thread-safe stack ({@code threadStack()}) from another thread. */
    static AllocationException notItsThread(ThreadStack stack) {
        Thread current = Thread.currentThread();
        Thread owner = stack.thread();
        return Failure.of(ErrorCode.WRONG_THREAD)
                .allocator(stack.describeStack())
                .details("thread \"" + current.getName() + "\" (id " + current.threadId() + ") called the stack of"
                        + " thread \"" + owner.getName() + "\" (id " + owner.threadId() + "), which threadStack()"
                        + " returned to that thread: a thread's stack is bound to its thread")
                .suggest("Call threadStack() on each thread for that thread's own stack, or call the thread-safe"
                        + " stack itself, which finds the calling thread's stack.")
                .build();
    }

    /** A segment given to {@code deallocate} that is not the top allocation as it was handed out. */
    static AllocationException deallocation(StackAllocator stack, MemorySegment segment) {
        long base = stack.segment().address();
        long offset = segment.address() - base;
        long size = segment.byteSize();
        String given = "the segment (" + size + " bytes at address 0x" + Long.toHexString(segment.address())
                + (segment.isNative() ? "" : ", on the heap") + ")";
        if (stack.isChecked() && !segment.scope().isAlive()) {
            return useAfterFree(stack, size, given);
        }
        int part = stack.isChecked() && segment.isNative() ? stack.liveEntryOf(segment) : -1;
        if (!stack.inBlock(segment) && part < 0) {
            return foreign(stack, size, given + " is not inside this stack's block [0x"
                    + Long.toHexString(base) + ", 0x" + Long.toHexString(base + stack.capacityBytes()) + ")"
                    + (stack.isChecked() ? " nor a live allocation of this stack" : "") + "; " + expected(stack));
        }
        int index = stack.indexBelowTop(segment);
        if (index >= 0) {
            return outOfOrder(stack, size, index);
        }
        if (part >= 0) {
            return foreign(stack, size, given + " lies inside the live allocation at "
                    + describe(stack, part) + " but is not that allocation as it was handed out (a slice of it?); "
                    + expected(stack));
        }
        if (offset >= stack.top()) {
            return alreadyPopped(stack, size, given + ", at offset " + offset + " of this stack's block,");
        }
        return foreign(stack, size, notLive(stack, given + ", at offset " + offset
                + " of this stack's block,"));
    }

    /** An offset given to {@code deallocateOffset} that does not start the top allocation. */
    static AllocationException deallocation(StackAllocator stack, long offset) {
        long capacity = stack.capacityBytes();
        if (offset < 0 || offset > capacity) {
            return foreign(stack, -1, "the offset " + offset + " is not inside this stack's block of "
                    + capacity + " bytes; " + expected(stack));
        }
        int index = stack.indexBelowTop(offset);
        if (index >= 0) {
            return outOfOrder(stack, -1, index);
        }
        if (offset >= stack.top()) {
            return alreadyPopped(stack, -1, "the offset " + offset);
        }
        return foreign(stack, -1, notLive(stack, "the offset " + offset));
    }

    /** A segment or offset at or above the top: popped already (or never handed out). */
    private static AllocationException alreadyPopped(StackAllocator stack, long size, String given) {
        Failure error = failure(ErrorCode.DOUBLE_FREE, stack);
        if (size >= 0) {
            error.request(size, 1);
        }
        return error.details(given + " is at or above the top (" + stack.top() + " bytes used): it was popped"
                        + " already, by a deallocation, a checkpoint restore, a scope close or a reset (or it was"
                        + " never handed out); " + expected(stack))
                .suggest("Give back each allocation once: a deallocation, checkpoint restore, scope close or reset"
                        + " that popped it already gave it back.")
                .build();
    }

    /** A checkpoint given to {@code restore} that is not a valid checkpoint of this stack. */
    static AllocationException invalidCheckpoint(StackAllocator stack, Checkpoint checkpoint) {
        Failure error = failure(ErrorCode.INVALID_CHECKPOINT, stack);
        if (!(checkpoint instanceof StackCheckpoint saved)) {
            return error.details(checkpoint + " cannot be restored: its class is " + checkpoint.getClass().getName()
                            + ", so it was not taken by a StackAllocator")
                    .suggest("Restore a checkpoint on the allocator that took it: a stack restores only what its"
                            + " own checkpoint() returned.")
                    .build();
        }
        if (saved.owner != stack) {
            return error.details(checkpoint + " cannot be restored: the checkpoint was taken on another stack, "
                            + saved.owner)
                    .suggest("Restore a checkpoint on the stack that took it.")
                    .build();
        }
        return error.details(checkpoint + " cannot be restored: " + discarded(stack, "checkpoint", "taken",
                        saved.depth))
                .suggest("Restore checkpoints in reverse order of creation (close nested scopes before outer ones),"
                        + " and do not deallocate allocations older than a checkpoint that is still in use.")
                .suggest("Take a new checkpoint after the allocations below the old one were popped, or after"
                        + " reset().")
                .build();
    }

    /** A scope whose close found an allocation that was live when it opened popped since. */
    static AllocationException invalidScope(StackAllocator stack, StackScope scope) {
        return failure(ErrorCode.INVALID_CHECKPOINT, stack)
                .details(scope + " cannot be closed: " + discarded(stack, "scope", "opened", scope.depth))
                .suggest("Close scopes in reverse order of opening, as try-with-resources does, and do not"
                        + " deallocate allocations older than a scope that is still open.")
                .suggest("Open a new scope after the allocations below the old one were popped, or after reset().")
                .build();
    }

    /** Why a checkpoint or scope saved at {@code savedDepth} no longer covers live allocations. */
    private static String discarded(StackAllocator stack, String what, String saved, int savedDepth) {
        int depth = stack.liveDepth();
        String how = " (by a deallocation, the restore of an older checkpoint, the close of an enclosing scope, or"
                + " reset)";
        if (savedDepth > depth) {
            return "the " + what + " was " + saved + " at depth " + savedDepth + " but only " + depth
                    + " allocation" + (depth == 1 ? " is" : "s are") + " live now: allocations it covered were"
                    + " popped since" + how + ", which discarded it";
        }
        return "the allocation at index " + (savedDepth - 1) + " just below the " + what + " was popped since" + how
                + " and index " + (savedDepth - 1) + " now holds a newer allocation, so the " + what
                + " was discarded";
    }

    private static AllocationException useAfterFree(StackAllocator stack, long size, String given) {
        return failure(ErrorCode.USE_AFTER_FREE, stack)
                .request(size, 1)
                .details(given + " is no longer alive: its allocation was already popped (by a deallocation, a"
                        + " checkpoint restore, a scope close or a reset), which closed its arena; "
                        + expected(stack))
                .suggest("Do not keep a segment past the deallocation, scope close, checkpoint restore or reset"
                        + " that pops it.")
                .suggest("Give back each allocation once.")
                .build();
    }

    private static AllocationException outOfOrder(StackAllocator stack, long size, int index) {
        int topIndex = stack.liveDepth() - 1;
        int above = topIndex - index;
        return failure(ErrorCode.OUT_OF_ORDER, stack)
                .request(size >= 0 ? size : stack.sizeOf(index), 1)
                .details(expected(stack) + ", but was given the allocation at " + describe(stack, index)
                        + ", which has " + above + " live allocation" + (above == 1 ? "" : "s") + " above it")
                .suggest("Deallocate in reverse order of allocation: give back index " + topIndex + " (offset "
                        + stack.start(topIndex) + ") first.")
                .suggest("To pop several allocations at once, take a checkpoint (or open a scope) before them and"
                        + " restore it.")
                .build();
    }

    private static AllocationException foreign(StackAllocator stack, long size, String details) {
        Failure error = failure(ErrorCode.FOREIGN_SEGMENT, stack);
        if (size >= 0) {
            error.request(size, 1);
        }
        return error.details(details)
                .suggest("Give back each allocation exactly as this stack returned it (not a slice of it), to the"
                        + " stack that returned it.")
                .suggest("Give back each allocation once: a deallocation, checkpoint restore, scope close or reset"
                        + " that popped it already gave it back.")
                .build();
    }

    /** Starts an error about {@code stack}, with its memory state. */
    private static Failure failure(ErrorCode code, StackAllocator stack) {
        return Failure.of(code)
                .allocator(stack.toString())
                .memory(stack.limit() - stack.top(), stack.usedInPart());
    }

    private static String notLive(StackAllocator stack, String given) {
        return given + " does not start a live allocation (it may have been a slice, or popped and overwritten); "
                + expected(stack);
    }

    private static String describe(StackAllocator stack, int i) {
        return "index " + i + " (offset " + stack.start(i) + ", " + stack.sizeOf(i) + " bytes)";
    }

    private static String expected(StackAllocator stack) {
        int depth = stack.liveDepth();
        return depth == 0 ? "the stack is empty, so nothing can be deallocated"
                : "expected the top allocation, " + describe(stack, depth - 1);
    }
}
