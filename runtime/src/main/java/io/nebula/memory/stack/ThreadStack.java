package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Leaks;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.Ownership;
import io.nebula.memory.internal.Requests;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One thread's stack inside a thread-safe {@link SharedStack}: the bookkeeping of {@link StackAllocator} over the
 * shared block, pushing only into the regions this thread holds. Only its thread touches its fields, so pushes and
 * pops are plain loads and stores: the {@link SharedStack} passes each call to the calling thread's stack, and
 * {@link #threadStack()} hands the stack itself to its thread, whose every call checks that thread.
 *
 * <p>The stack holds a run of adjacent regions while it is non-empty and none while it is empty (but see
 * {@link #keepsRegion}): the push that makes it non-empty takes one region with one compare-and-set
 * ({@link StackRegions#take(ThreadStack, int)}), a push that does not fit takes the next region when it is free,
 * and the pop (or restore, scope close, reset) that empties it gives the regions back with one release store each.
 * So a virtual thread holds no region once its stack is empty, and ten thousand of them need no more regions than
 * have non-empty stacks at once.
 */
final class ThreadStack extends StackAllocator {

    private final StackRegions regions;
    private final Lifecycle.Shared life;
    private final Thread thread;
    /** The first and last region held while non-empty; {@code first} is -1 when none is held. */
    private int first = -1;
    private int last = -1;
    /** The region this stack held last: tried first when it takes one again. */
    private int hint;
    /**
     * Keeps its first region while empty: a platform thread's stack admitted by
     * {@link StackRegions#admitKeeper()} (at most half the regions are kept so), whose pushes and pops then take
     * no compare-and-set at all. Its region goes to another thread once it has ended with an empty stack
     * ({@link StackRegions#take(ThreadStack, int)}).
     */
    private final boolean keepsRegion;

    /** The calling thread's stack in {@code block}, whose regions are {@code regions}. */
    ThreadStack(MemorySegment block, StackConfig config, Lifecycle.Shared life, StackRegions regions) {
        super(block, config, life);
        this.regions = regions;
        this.life = life;
        this.thread = Thread.currentThread();
        this.hint = regions.nextHint();
        this.keepsRegion = !thread.isVirtual() && regions.admitKeeper();
        moveTo(0, 0);
    }

    /** The thread this stack belongs to. */
    Thread thread() {
        return thread;
    }

    /** The regions of the thread-safe stack this one belongs to. */
    StackRegions regions() {
        return regions;
    }

    @Override
    public long allocateOffset(long byteSize, long byteAlignment) {
        checkThread();
        return allocateOffsetOnThread(byteSize, byteAlignment);
    }

    /** {@link #allocateOffset} on this stack's thread, which the caller has established. */
    long allocateOffsetOnThread(long byteSize, long byteAlignment) {
        checkOpen();
        if (first < 0) {
            return firstPushOffset(byteSize, byteAlignment);
        }
        return pushOffset(byteSize, byteAlignment);
    }

    private long firstPushOffset(long byteSize, long byteAlignment) {
        takeRegion(byteSize, byteAlignment);
        try {
            return pushOffset(byteSize, byteAlignment);
        } catch (RuntimeException | Error e) {
            giveBackIfEmpty();
            throw e;
        }
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        checkThread();
        return allocateOnThread(byteSize, byteAlignment);
    }

    /** {@link #allocate} on this stack's thread, which the caller has established. */
    MemorySegment allocateOnThread(long byteSize, long byteAlignment) {
        if (!isChecked()) {
            return segment().asSlice(allocateOffsetOnThread(byteSize, byteAlignment), byteSize);
        }
        checkOpen();
        if (first < 0) {
            takeRegion(byteSize, byteAlignment);
        }
        try {
            return pushChecked(byteSize, byteAlignment);
        } catch (RuntimeException | Error e) {
            giveBackIfEmpty();
            throw e;
        }
    }

    /** Takes a region for the first push of an empty stack, or throws the typed error. */
    private void takeRegion(long byteSize, long byteAlignment) {
        int region = regions.take(this, hint);
        if (region < 0) {
            countFailure();
            throw Events.allocationError(StackErrors.noFreeRegion(this, byteSize, byteAlignment));
        }
        first = region;
        last = region;
        hint = region;
        moveTo(regions.start(region), regions.end(region));
    }

    /** Grows into the next regions while they are free and the request does not fit. */
    @Override
    boolean makeRoom(long byteSize, long byteAlignment) {
        if (first < 0 || byteSize < 0 || byteSize > capacityBytes()
                || !Requests.isPowerOfTwo(byteAlignment)) {
            return false;
        }
        long base = segment().address();
        long start = Requests.alignUp(base + top(), byteAlignment) - base;
        boolean grew = false;
        while (byteSize > limit() - start && regions.takeNext(this, last)) {
            last++;
            raiseLimit(regions.end(last));
            grew = true;
        }
        return grew;
    }

    /**
     * Gives the regions back once the stack is empty; a stack that {@link #keepsRegion} gives back all but its
     * first.
     */
    private void giveBackIfEmpty() {
        if (liveDepth() != 0 || first < 0) {
            return;
        }
        if (keepsRegion) {
            if (last != first) {
                int from = first + 1;
                int to = last;
                last = first;
                moveTo(regions.start(first), regions.end(first));
                regions.giveBack(from, to);
            }
        } else {
            giveBackAll();
        }
    }

    /** Gives back every region this stack holds; it holds none afterwards, until its next push. */
    private void giveBackAll() {
        if (first < 0) {
            return;
        }
        int from = first;
        int to = last;
        first = -1;
        last = -1;
        moveTo(0, 0);
        regions.giveBack(from, to);
    }

    /** Tells whether this stack can be given up: its thread has ended with the stack empty. */
    boolean abandoned() {
        return !thread.isAlive() && liveDepth() == 0;
    }

    @Override
    public void deallocate(MemorySegment segment) {
        checkThread();
        deallocateOnThread(segment);
    }

    /** {@link #deallocate} on this stack's thread, which the caller has established. */
    void deallocateOnThread(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        checkOpen();
        if (!isChecked() && !isTop(segment) && segment.isNative() && inBlock(segment)) {
            checkHolder(segment.address() - segment().address(), "deallocate");
        }
        pop(segment);
        if (liveDepth() == 0 && (!keepsRegion || last != first)) {
            giveBackIfEmpty();
        }
    }

    @Override
    public void deallocateOffset(long offset) {
        checkThread();
        deallocateOffsetOnThread(offset);
    }

    /** {@link #deallocateOffset} on this stack's thread, which the caller has established. */
    void deallocateOffsetOnThread(long offset) {
        checkOpen();
        if (!isTopOffset(offset)) {
            checkHolder(offset, "deallocateOffset");
        }
        pop(offset);
        if (liveDepth() == 0 && (!keepsRegion || last != first)) {
            giveBackIfEmpty();
        }
    }

    /**
     * Throws {@code WRONG_THREAD} when {@code offset} lies in a region another thread's stack holds. The give-backs
     * skip it for the top entry, which lies in the regions this stack holds: only a give-back that is about to fail
     * needs to know whose region it named.
     */
    private void checkHolder(long offset, String call) {
        if (holds(offset)) {
            return;
        }
        ThreadStack holder = regions.holderOf(offset);
        if (holder != null && holder != this) {
            throw Events.allocationError(StackErrors.wrongThread(describeStack(), call + " offset " + offset
                    + ", which lies in a region held by another thread's stack,", holder.thread()));
        }
    }

    @Override
    public Checkpoint checkpoint() {
        checkThread();
        return checkpointOnThread();
    }

    /** {@link #checkpoint} on this stack's thread, which the caller has established. */
    Checkpoint checkpointOnThread() {
        checkOpen();
        return saveCheckpoint();
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        checkThread();
        restoreOnThread(checkpoint);
    }

    /** {@link #restore} on this stack's thread, which the caller has established. */
    void restoreOnThread(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        checkOpen();
        if (checkpoint instanceof StackCheckpoint saved && saved.owner instanceof ThreadStack other && other != this
                && other.regions == regions) {
            throw Events.allocationError(StackErrors.wrongThread(describeStack(), "restore a checkpoint taken",
                    other.thread));
        }
        restoreCheckpoint(checkpoint);
        giveBackIfEmpty();
    }

    @Override
    public Scope scope() {
        checkThread();
        return scopeOnThread();
    }

    /** {@link #scope} on this stack's thread, which the caller has established. */
    Scope scopeOnThread() {
        checkOpen();
        return openScope();
    }

    @Override
    void closeScope(StackScope scope) {
        if (Thread.currentThread() != thread) {
            throw Events.allocationError(StackErrors.wrongThread(toString(), "close a scope", thread));
        }
        checkOpen();
        closeOpenScope(scope);
        giveBackIfEmpty();
    }

    /** Itself, from its own thread. */
    @Override
    public StackAllocator threadStack() {
        checkThread();
        checkOpen();
        return this;
    }

    @Override
    public void reset() {
        checkThread();
        resetOnThread();
    }

    /** {@link #reset} on this stack's thread, which the caller has established. */
    void resetOnThread() {
        checkOpen();
        popAll();
        giveBackIfEmpty();
    }

    @Override
    public int depth() {
        return liveDepth();
    }

    @Override
    public long usedBytes() {
        return usedInPart();
    }

    /** The bytes pushed by every thread of the thread-safe stack: what its budget has left is measured by these. */
    @Override
    long budgetUsedBytes() {
        return regions.usedBytes();
    }

    /**
     * Ends this thread's use of the thread-safe stack for now: what this stack still holds is a leak, reported as the
     * leak policy says (under {@code FAIL} the error leaves the stack as it was) and then popped; every region it
     * holds goes back, the one it keeps while empty included. The thread-safe stack stays open and owns the memory:
     * this thread's next push takes a region again.
     *
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from another thread, {@link ErrorCode#CLOSED} once
     *     the thread-safe stack is closed, or {@link ErrorCode#LEAK} when allocations or scopes are live and the leak
     *     policy is {@code FAIL}
     */
    @Override
    public void close() {
        checkThread();
        checkOpen();
        Leaks.report(config().leakPolicy(), leakReport());
        popAll();
        giveBackAll();
    }

    /** Tells whether {@code offset} lies in the regions this stack holds. */
    boolean holds(long offset) {
        return first >= 0 && offset >= floor() && offset < limit();
    }

    @Override
    void closing() {
    }

    @Override
    Lifecycle lifecycle() {
        return life;
    }

    /** Any thread's live allocation: {@link #owns} answers as the thread-safe stack's does. */
    @Override
    boolean isLiveChecked(MemorySegment segment) {
        return regions.isLiveChecked(segment);
    }

    /**
     * Throws {@code WRONG_THREAD} on a call from another thread than this stack's, which only a stack that
     * {@link #threadStack()} returned can get ({@code CLOSED} instead once the thread-safe stack is closed). The
     * {@link SharedStack} has found this stack by the calling thread, and calls the {@code ...OnThread} methods,
     * which skip the comparison: paid on that path too, it cost a push and pop 1.4 times the time.
     */
    private void checkThread() {
        if (Thread.currentThread() != thread) {
            checkOpen();
            throw Events.allocationError(StackErrors.notItsThread(this));
        }
    }

    /**
     * Throws {@code CLOSED}, describing the whole thread-safe stack, once it is closed: a plain load of
     * {@link StackRegions#closed()}, which every call ordered after the close sees (not the lifecycle's volatile
     * flag, which would cost every push and pop its fields' reloads).
     */
    private void checkOpen() {
        if (regions.closed()) {
            throw Events.allocationError(Ownership.closed(describeStack()));
        }
    }

    /** Describes the whole thread-safe stack as {@link SharedStack#toString()} does. */
    String describeStack() {
        return "StackAllocator[capacity=" + regions.capacity() + ", used=" + regions.usedBytes() + ", depth="
                + regions.depth() + ", thread-safe" + (isChecked() ? ", checked" : "")
                + (isClosed() ? ", closed" : "") + "]";
    }

    @Override
    public String toString() {
        return describe(", thread=" + thread.getName() + (first < 0 ? ", no region"
                : ", regions " + first + "-" + last + " [" + floor() + ", " + limit() + ")"));
    }
}
