package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakReport;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.Resettable;
import io.nebula.memory.Scope;
import io.nebula.memory.StatisticsProvider;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Lifecycle;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.SegmentRequests;
import io.nebula.memory.internal.StatisticsRecorder;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.Optional;

/**
 * A LIFO allocator: allocation pushes onto one block of native memory, deallocation pops the most recent
 * allocation, and restoring a {@link Checkpoint} or closing a {@link Scope} pops everything allocated after it at
 * once.
 *
 * <p>Best for scratch memory whose lifetime follows the call stack: recursive descent, tree walks, temporary
 * buffers of a computation that nests.
 * <pre>{@code
 * try (StackAllocator stack = StackAllocator.create(64 * 1024)) {
 *     MemorySegment a = stack.allocate(ValueLayout.JAVA_LONG, 4);
 *     MemorySegment b = stack.allocate(256);
 *     stack.deallocate(b);                                 // the top: fine
 *     try (Scope _ = stack.scope()) {
 *         MemorySegment scratch = stack.allocate(4096);    // popped when the scope closes
 *     }
 *     stack.deallocate(a);
 * }                                                        // native memory freed
 * }</pre>
 *
 * <p>Only the top allocation can be deallocated: giving back any other one throws {@link ErrorCode#OUT_OF_ORDER},
 * naming the allocation expected and the one given, and changes nothing.
 *
 * <h2>Checkpoints and scopes</h2>
 * {@link #checkpoint()} saves the depth and the top; {@link #restore(Checkpoint)} pops every allocation made after
 * it. A checkpoint stays valid for as long as every allocation that was live when it was taken is still live; it
 * survives being restored to, so it can be restored again. Once one of those allocations is popped (by a
 * deallocation, the restore of an older checkpoint, the close of an enclosing scope, or a reset) the checkpoint is
 * discarded for good, even if the stack later grows past its depth again. A checkpoint taken on an empty stack
 * covers no allocation and so stays valid until the stack is closed, across resets: restoring it empties the stack.
 * A checkpoint of another allocator, or a {@code Checkpoint} the stack did not create, cannot be restored.
 *
 * <p>{@link #scope()} opens a checkpoint that restores itself when closed. Scopes nest; close them in reverse order,
 * as try-with-resources does. A scope whose close fails (because an enclosing scope was closed first, for example)
 * stays open and the stack is unchanged.
 *
 * <h2>Costs</h2>
 * <ul>
 *   <li>{@link #allocateOffset(long, long)}: an alignment round-up, a bounds check and four stores (the top, the
 *       depth and one entry in each of two bookkeeping arrays on the Java heap): no locks, no heap allocation
 *       except when the arrays double, once per doubling of the greatest depth reached. Thread-safe: the same on
 *       the calling thread's stack (the creating thread's found in a field, another platform thread's in a slot
 *       picked by its id, else through a {@code ThreadLocal}; none through {@link #threadStack()}), plus, unless the
 *       thread keeps its region while empty, a compare-and-set when the push makes that stack non-empty and a
 *       release store when a pop empties it.</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller.</li>
 *   <li>Bookkeeping: 16 bytes of Java heap per live allocation, and 12 per depth up to the deepest checkpoint or
 *       scope, sized for the greatest depths reached and never shrunk. It is not counted in
 *       {@link #usedBytes()}, which reports native memory only.</li>
 *   <li>{@link #deallocate(MemorySegment)}, {@link #deallocateOffset(long)}: a comparison with the top entry, two
 *       stores, and one comparison with the depth of the innermost checkpoint or scope. A pop below that depth
 *       also discards the checkpoints and scopes above it: a store per depth discarded. The error path walks the
 *       live allocations to name the one given.</li>
 *   <li>{@link #checkpoint()}, {@link #scope()}: one small heap object each, which the JIT removes when it does not
 *       escape (a scope in try-with-resources), and three stores when no checkpoint or scope is live at the current
 *       depth yet; closing a scope: a comparison of its epoch, then what a restore costs.</li>
 *   <li>{@link #restore(Checkpoint)}, closing a scope, {@link #reset()}: O(1), however many allocations they
 *       pop.</li>
 *   <li>With {@link StackConfig#fillPattern()}: every allocation also costs a fill of its bytes. With
 *       {@link StackConfig#zeroOnRelease()}: every pop also costs a fill of the bytes it pops.</li>
 * </ul>
 *
 * <h2>Lifetimes</h2>
 * Unchecked, a segment handed out stays accessible until the stack is closed, even after it was popped: the FFM
 * API offers no unrestricted way to revoke one slice of a live arena. Using a popped segment reads and writes the
 * bytes of whatever is allocated there next; {@link StackConfig#withFillPattern(byte) a fill pattern} makes such
 * bugs visible, and checked mode (below) turns them into exceptions. After {@link #close()} every segment handed
 * out is inaccessible.
 *
 * <h2>Threads</h2>
 * By default a stack is confined to the thread that created it: a call from any other thread throws
 * {@link ErrorCode#WRONG_THREAD}, and its segments can only be accessed from that thread. The confined paths take
 * no lock.
 *
 * <p>With {@link StackConfig#threadSafe()} the stack is <em>per-thread stacks over one budget</em>, the design of
 * LWJGL's {@code MemoryStack} and the JDK's internal {@code BufferStack}: the capacity is one native block, cut
 * into regions of {@link StackConfig#effectiveRegionSize(long)} bytes (by default {@code capacity / (4 x
 * processors)}, between 256 bytes and 1 MiB). Each thread that pushes gets a stack of its own: when it goes from
 * empty to non-empty it takes a free region with one compare-and-set; a push that does not fit takes the next
 * region when that one is free; when the stack empties again (by a pop, a restore, a scope close or
 * {@link #reset()}) it gives its regions back, except that a platform thread keeps its first region while empty,
 * as long as fewer than half the regions are kept so (a kept region goes to another thread once its thread has
 * ended with an empty stack). Inside its regions a thread pushes and pops with plain loads and stores, no lock and
 * no atomic. So ten thousand virtual threads that each push and pop need no more regions than are live at once.
 * <ul>
 *   <li>LIFO order, checkpoints and scopes are per thread: a thread pops only its own allocations, in its own
 *       order, whatever other threads pushed meanwhile. Deallocating another thread's allocation, restoring its
 *       checkpoint or closing its scope throws {@link ErrorCode#WRONG_THREAD} and changes nothing.</li>
 *   <li>{@link #reset()} pops the calling thread's stack only; other threads' stacks are untouched.</li>
 *   <li>A push that finds no free region (every region held by a thread with a non-empty stack), or that does not
 *       fit in its regions when the next one is held, throws {@link ErrorCode#OUT_OF_MEMORY} naming the region
 *       size and what to change ({@link StackConfig#withRegionSize(long)} or the capacity).</li>
 *   <li>{@link #usedBytes()} and {@link #depth()} add up every thread's stack (bytes pushed, padding included, and
 *       live allocations); {@link #availableBytes()} is the capacity minus that, though one push is limited to its
 *       thread's regions. They, the statistics and the leak report are exact once the threads are quiescent.</li>
 *   <li>Segments may be read and written by any thread (the block belongs to a shared arena); {@link #close()} may
 *       be called by any thread once the others are done, and reports what every thread's stack still holds.</li>
 *   <li>Each call first finds the calling thread's stack; {@link #threadStack()} returns that stack itself, bound
 *       to the thread, so that a loop that holds it pays no look-up.</li>
 * </ul>
 * Which to pick: a thread-safe stack when many threads (or virtual threads) need scratch memory from one budget,
 * with each thread taking {@link #threadStack()} once per task for its hot loops; a confined stack per thread when
 * each thread lives long and its budget is its own (no region taken per first push).
 *
 * <h2>Checked mode</h2>
 * With {@link StackConfig#checked()} (or {@code -Dnebula.memory.checked=true}), every segment returned by
 * {@link #allocate(long, long)} comes from a JDK arena of its own ({@link Arena#ofConfined()}, or
 * {@link Arena#ofShared()} when thread-safe) that is closed when the allocation is popped, by a deallocation, a
 * checkpoint restore, a scope close, a reset or {@link #close()}: a stale segment throws
 * {@link IllegalStateException} on its next access instead of reading newer data, and giving it back throws
 * {@link ErrorCode#USE_AFTER_FREE}. The stack's accounting (top, depth, entries) is exactly as unchecked, so
 * out-of-memory and out-of-order errors happen exactly where they would unchecked. It costs a JDK arena and a zeroed
 * native allocation per allocation, a captured stack trace per allocation (for leak reports), and an arena close per
 * pop; a shared arena's close costs tens of microseconds: a debugging mode. Offsets from
 * {@link #allocateOffset(long, long)} index {@link #segment()}, which lives until {@link #close()}: checked mode
 * cannot check them.
 *
 * <h2>Leaks</h2>
 * Closing a stack that still holds allocations reports them under the config's {@link io.nebula.memory.LeakPolicy}:
 * their count (the depth) and bytes (the top, padding included), the number of scopes still open, and in checked
 * mode where each allocation was made. The native memory is freed whatever the policy.
 *
 * <h2>Statistics</h2>
 * With {@link StackConfig#trackStats()}, deallocations count pops; checkpoint restores, scope closes and resets
 * count as bulk releases ({@code resets}). Bytes count the alignment padding before each allocation on both sides
 * ({@code bytesAllocated} and {@code bytesFreed}), so they balance.
 */
public abstract sealed class StackAllocator extends StackEntries
        implements Allocator, MemoryUsage, Resettable, StatisticsProvider
        permits ConfinedStack, SharedStack, ThreadStack {

    /** Alignment of the backing block: one cache line. */
    private static final long BLOCK_ALIGNMENT = 64;

    private final StackConfig config;
    private final boolean fill;
    private final byte pattern;
    /** The lifecycle's recorder, or {@code null}: kept here so the hot paths read it without an indirection. */
    private final StatisticsRecorder stats;
    /** Scopes opened and not yet closed successfully; changed only under the implementation's guard. */
    private int openScopes;

    /** Reserves the block in {@code life}'s arena, which owns it. */
    StackAllocator(long capacity, StackConfig config, Lifecycle life) {
        this(NativeMemory.reserve(life.arena(), capacity, BLOCK_ALIGNMENT, "StackAllocator"), config, life);
    }

    /** Works in {@code block}, which {@code life}'s arena owns: one thread's stack of a thread-safe stack. */
    StackAllocator(MemorySegment block, StackConfig config, Lifecycle life) {
        super(block, config.zeroOnRelease(), CheckedMode.effective(config.checked()));
        this.config = config;
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.stats = life.stats();
    }

    /**
     * Creates a confined stack allocator of {@code capacity} bytes with the default configuration.
     *
     * @param capacity the bytes to reserve, at least one
     * @return the allocator, confined to the calling thread
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code capacity < 1}, or
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     */
    public static StackAllocator create(long capacity) {
        return create(capacity, StackConfig.defaults());
    }

    /**
     * Creates a stack allocator of {@code capacity} bytes.
     *
     * @param capacity the bytes to reserve, at least one
     * @param config   the configuration
     * @return the allocator: confined to the calling thread unless {@code config.threadSafe()}
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code capacity < 1}, or
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     * @throws NullPointerException when {@code config} is {@code null}
     */
    public static StackAllocator create(long capacity, StackConfig config) {
        Objects.requireNonNull(config, "config");
        if (capacity < 1) {
            throw Events.allocationError(StackErrors.invalidCapacity(capacity, BLOCK_ALIGNMENT));
        }
        return config.threadSafe() ? new SharedStack(capacity, config) : new ConfinedStack(capacity, config);
    }

    /**
     * Returns the configuration this allocator was created with.
     *
     * @return the configuration
     */
    public final StackConfig config() {
        return config;
    }

    /**
     * Tells whether checked mode is on, by the config or by {@code -Dnebula.memory.checked=true}.
     *
     * @return {@code true} in checked mode
     */
    public final boolean isChecked() {
        return checkedMode();
    }

    /**
     * Returns the whole backing block. Offsets returned by {@link #allocateOffset(long, long)} index into it; in
     * checked mode, segments returned by {@link #allocate(long, long)} do not.
     *
     * @return the backing segment, {@link #capacityBytes()} bytes long
     */
    public final MemorySegment segment() {
        return block();
    }

    /**
     * Allocates like {@link #allocate(long, long)} but returns the offset of the new memory in {@link #segment()}
     * instead of a segment: the zero-garbage path for hot loops. Give it back with {@link #deallocateOffset(long)}.
     * Checked mode cannot detect a use of the offset after its allocation was popped.
     * <pre>{@code
     * MemorySegment block = stack.segment();
     * long p = stack.allocateOffset(8, 8);
     * block.set(ValueLayout.JAVA_LONG, p, 42L);
     * stack.deallocateOffset(p);
     * }</pre>
     *
     * @param byteSize      the size in bytes, zero or more
     * @param byteAlignment the alignment of the resulting address, a power of two
     * @return the offset of the allocation in {@link #segment()}
     * @throws AllocationException as {@link #allocate(long, long)}
     */
    public abstract long allocateOffset(long byteSize, long byteAlignment);

    /**
     * {@inheritDoc}
     *
     * <p>Pushes the allocation on the stack. Costs one {@link #allocateOffset(long, long)} and one {@code asSlice};
     * in checked mode, a JDK arena and its allocation.
     */
    @Override
    public abstract MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * {@inheritDoc}
     *
     * <p>Checks the count before allocating: a negative count, or one whose array would overflow a {@code long},
     * is a bad size like {@code allocate(-1, 8)} (where the JDK's default method throws
     * {@link IllegalArgumentException}).
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code count} is negative or the array's size
     *     overflows, or any error of {@link #allocate(long, long)}
     * @throws IllegalArgumentException when the element layout's size is not a multiple of its alignment
     * @throws NullPointerException when {@code elementLayout} is {@code null}
     */
    @Override
    public final MemorySegment allocate(MemoryLayout elementLayout, long count) {
        return allocate(arrayBytes(elementLayout, count), elementLayout.byteAlignment());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks the count and the source before allocating (the JDK's default method allocates first and checks the
     * source while copying it, which would cost the allocation): a call that throws has allocated nothing.
     *
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when {@code elementCount} is negative or the
     *     array's size overflows, or any error of {@link #allocate(long, long)}
     * @throws IllegalArgumentException when the layouts differ in size, a layout's alignment is larger than its
     *     size, or the source is not aligned for {@code sourceElementLayout}
     * @throws IndexOutOfBoundsException when the elements do not lie inside {@code source}
     * @throws IllegalStateException when {@code source}'s scope is closed
     * @throws WrongThreadException when the calling thread cannot access {@code source}
     * @throws NullPointerException when an argument is {@code null}
     */
    @Override
    public final MemorySegment allocateFrom(ValueLayout elementLayout, MemorySegment source,
                                            ValueLayout sourceElementLayout, long sourceOffset, long elementCount) {
        return SegmentRequests.allocateFrom(this, arrayBytes(elementLayout, elementCount), elementLayout, source,
                sourceElementLayout, sourceOffset, elementCount);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Checks {@code value} before allocating: a call that throws has allocated nothing.
     *
     * @throws IllegalArgumentException when {@code value} is not a native segment
     * @throws AllocationException any error of {@link #allocate(long, long)}
     * @throws NullPointerException when an argument is {@code null}
     */
    @Override
    public final MemorySegment allocateFrom(AddressLayout layout, MemorySegment value) {
        return SegmentRequests.allocateFrom(this, layout, value);
    }

    /** The bytes of an array of {@code count} elements, or the counted {@link ErrorCode#INVALID_SIZE}. */
    private long arrayBytes(MemoryLayout elementLayout, long count) {
        long bytes = SegmentRequests.arrayBytes(elementLayout, count);
        if (bytes < 0) {
            if (stats != null) {
                stats.failed();
            }
            throw Events.allocationError(SegmentRequests.invalidCount(toString(), elementLayout, count,
                    availableBytes(), usedBytes()));
        }
        return bytes;
    }

    /**
     * Pops the top allocation, which must be {@code segment}: the segment exactly as {@link #allocate(long, long)}
     * returned it (same address and size, not a slice of it). On a thread-safe stack the top is the calling
     * thread's most recent allocation.
     *
     * @param segment the top allocation
     * @throws AllocationException {@link ErrorCode#OUT_OF_ORDER} when {@code segment} is a live allocation with
     *     others above it, {@link ErrorCode#DOUBLE_FREE} when it lies at or above the top (popped already), in
     *     checked mode {@link ErrorCode#USE_AFTER_FREE} when it was already popped, {@link ErrorCode#FOREIGN_SEGMENT}
     *     when it is not a live allocation of this stack otherwise (on a thread-safe stack in checked mode, also when
     *     it is another thread's: checked segments lie outside the block, so their thread cannot be told from their
     *     address), {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}; the stack is then unchanged
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public abstract void deallocate(MemorySegment segment);

    /**
     * Pops the top allocation, which must start at {@code offset}: the counterpart of
     * {@link #allocateOffset(long, long)}, without a segment object. When several live allocations start at
     * {@code offset} (a zero-byte allocation shares its start with the next one), the top one is popped.
     *
     * @param offset the offset of the top allocation in {@link #segment()}
     * @throws AllocationException {@link ErrorCode#OUT_OF_ORDER} when {@code offset} starts a live allocation with
     *     others above it, {@link ErrorCode#DOUBLE_FREE} when it is at or above the top (popped already),
     *     {@link ErrorCode#FOREIGN_SEGMENT} when it starts no live allocation otherwise, {@link ErrorCode#CLOSED}
     *     or {@link ErrorCode#WRONG_THREAD}; the stack is then unchanged
     */
    public abstract void deallocateOffset(long offset);

    /**
     * Saves the current depth and top. Pair it with {@link #restore(Checkpoint)}, or use {@link #scope()}. On a
     * thread-safe stack the checkpoint is of the calling thread's stack, and only that thread may restore it.
     *
     * @return a checkpoint at the current depth and top
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public abstract Checkpoint checkpoint();

    /**
     * Pops every allocation made after {@code checkpoint} was taken (on a thread-safe stack: by the calling thread,
     * which must be the one that took it). The checkpoint stays valid and
     * may be restored again; checkpoints taken after it are discarded once an allocation they covered is popped.
     *
     * @param checkpoint a valid checkpoint of this stack: every allocation that was live when it was taken is
     *                   still live
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when the checkpoint was taken by another
     *     allocator, or was discarded because an allocation it covered was popped;
     *     {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}; the stack is then unchanged
     * @throws NullPointerException when {@code checkpoint} is {@code null}
     */
    public abstract void restore(Checkpoint checkpoint);

    /**
     * Opens a scope: a checkpoint restored when the scope closes. A scope belongs to the thread that opens it;
     * closing it fails, and leaves it open, when an allocation that was live when it opened has been popped since.
     *
     * @return the scope, to use in try-with-resources
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public abstract Scope scope();

    /**
     * Returns the calling thread's own stack, for a thread that pushes and pops in a loop.
     *
     * <p>On a thread-safe stack every call finds the calling thread's stack first: the creating thread's in a
     * field, another platform thread's in a slot picked by its id, a virtual thread's through a
     * {@code ThreadLocal}. The stack this returns is that thread's stack itself, so its calls skip the look-up and
     * cost what the creating thread's calls cost. It is a {@code StackAllocator} like any other, bound to the calling
     * thread:
     * <ul>
     *   <li>any other thread's call on it throws {@link ErrorCode#WRONG_THREAD}; pass the thread-safe stack
     *       itself between threads, and let each thread call {@code threadStack()} for its own;</li>
     *   <li>pushes, pops, checkpoints, scopes and {@link #reset()} work on the calling thread's stack, exactly as
     *       the same calls on the thread-safe stack from that thread do, and mix with them freely: a checkpoint taken
     *       through one may be restored through the other;</li>
     *   <li>{@link #depth()} and {@link #usedBytes()} are the thread's own; {@link #capacityBytes()},
     *       {@link #availableBytes()}, {@link #statistics()}, {@link #owns(MemorySegment)} and {@link #isClosed()}
     *       answer for the whole thread-safe stack;</li>
     *   <li>{@link #close()} ends the thread's use of the stack for now: what the thread's stack still holds is a
     *       leak, reported as the leak policy says and then popped, and every region it holds goes back to the
     *       budget, the one a thread keeps while its stack is empty included, so that other threads can take it.
     *       The thread-safe stack stays open and owns the memory: the thread's next push, through either stack,
     *       takes a region again. Closing the thread-safe stack frees the memory and reports what every thread
     *       still holds; calls on the thread's stack after that throw {@link ErrorCode#CLOSED}.</li>
     * </ul>
     * A confined stack is its owner's own stack already, and returns itself.
     * <pre>{@code
     * StackAllocator mine = shared.threadStack();      // once per task, on the thread that runs it
     * for (Request request : batch) {
     *     try (Scope _ = mine.scope()) {
     *         handle(request, mine);
     *     }
     * }
     * }</pre>
     *
     * @return the calling thread's stack
     * @throws AllocationException {@link ErrorCode#CLOSED}, or {@link ErrorCode#WRONG_THREAD} from a thread other
     *     than a confined stack's owner or the thread a thread's stack belongs to
     */
    public abstract StackAllocator threadStack();

    /**
     * Pops every allocation; on a thread-safe stack, every allocation of the calling thread's stack, leaving other
     * threads' stacks untouched (a reset of the whole budget would pop memory other threads are using). Discards
     * every checkpoint and scope of a non-empty stack; unlike
     * {@code BumpAllocator.reset()}, a checkpoint taken (or a scope opened) on the empty stack survives, as the class
     * documentation says. O(1), or O(bytes used) with {@link StackConfig#zeroOnRelease()}.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public abstract void reset();

    /**
     * Returns the number of live allocations.
     *
     * @return the depth of the stack, 0 when empty
     */
    public abstract int depth();

    /**
     * {@inheritDoc}
     *
     * <p>For a stack: the top offset, alignment padding between allocations included.
     */
    @Override
    public abstract long usedBytes();

    @Override
    public final long availableBytes() {
        return capacityBytes() - budgetUsedBytes();
    }

    /** The bytes used of the whole block: {@link #usedBytes()}, except for one thread's stack of a thread-safe one. */
    long budgetUsedBytes() {
        return usedBytes();
    }

    @Override
    public final long capacityBytes() {
        return block().byteSize();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Unchecked: every segment inside the backing block. Checked: also the live segments handed out by
     * {@link #allocate(long, long)}, and their slices.
     *
     * @throws NullPointerException when {@code segment} is {@code null}
     */
    @Override
    public final boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (isClosed() || !segment.isNative()) {
            return false;
        }
        return inBlock(segment) || isChecked() && isLiveChecked(segment);
    }

    @Override
    public final boolean isClosed() {
        return lifecycle().isClosed();
    }

    @Override
    public final Optional<AllocationStatistics> statistics() {
        return lifecycle().statistics(budgetUsedBytes());
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a stack: the live allocations and the bytes they hold, padding included, the scopes still open, and in
     * checked mode where each allocation was made. {@link #depth()} and {@link #usedBytes()} keep reporting what
     * was live at the close. A thread-safe stack may be closed by any thread, once the others are done with it;
     * another thread's call throws {@link ErrorCode#CLOSED} when the close happens-before it (a join, a lock, any
     * hand-off between the threads), while a call racing the close may still push or pop, in the freed block, whose
     * segment then refuses every access.
     *
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from a thread other than a confined stack's owner,
     *     or {@link ErrorCode#LEAK} when allocations are live and the leak policy is {@code FAIL} (the memory is
     *     freed all the same)
     * <p>On a thread's stack returned by {@link #threadStack()}, {@code close()} gives the thread's regions back
     * and leaves the thread-safe stack open, as {@code threadStack()} describes; the {@code LEAK} error leaves the
     * thread's stack as it was.
     */
    @Override
    public void close() {
        lifecycle().close(this, this::leakReport, this::releaseResources);
    }

    /** Called once by the close sequence, after the report and after the lifecycle is marked closed. */
    private void releaseResources() {
        closing();
        closeCheckedArenas();
    }


    // ---- What the two implementations supply, and the operations they run under their guard -----------------

    /** The implementation's lifecycle: the slow paths' view of it (the hot paths use the exact type). */
    abstract Lifecycle lifecycle();

    /** Checked mode: tells, under the guard, whether {@code segment} belongs to a live allocation's own arena. */
    abstract boolean isLiveChecked(MemorySegment segment);

    /** Forgets what the hot paths cache of the lifecycle; called once, first, when the stack closes. */
    abstract void closing();

    /** Closes {@code scope}: checks the guard, then {@link #closeOpenScope(StackScope)}. */
    abstract void closeScope(StackScope scope);

    /** Pushes an allocation for the offset path: the entry, checked mode's record, the fill and the statistics. */
    final long pushOffset(long byteSize, long byteAlignment) {
        long start = pushEntry(byteSize, byteAlignment);
        if (start < 0 && (!makeRoom(byteSize, byteAlignment) || (start = pushEntry(byteSize, byteAlignment)) < 0)) {
            throw Events.allocationError(refused(byteSize, byteAlignment));
        }
        if (checkedMode()) {
            recordSite();
        }
        if (fill) {
            MemoryKernels.fill(block(), start, byteSize, pattern);
        }
        if (stats != null) {
            stats.allocated(takenByTop(), usedInPart());
        }
        return start;
    }

    /** Checked mode: pushes an allocation whose segment comes from an arena of its own. */
    final MemorySegment pushChecked(long byteSize, long byteAlignment) {
        MemorySegment segment;
        try {
            segment = pushCheckedEntry(byteSize, byteAlignment, lifecycle());
            if (segment == null && makeRoom(byteSize, byteAlignment)) {
                segment = pushCheckedEntry(byteSize, byteAlignment, lifecycle());
            }
        } catch (OutOfMemoryError systemRefused) {
            if (stats != null) {
                stats.failed();
            }
            throw Events.allocationError(NativeMemory.checkedSegmentRefused(describe(""), byteSize, byteAlignment,
                    limit() - top(), usedInPart(), systemRefused));
        }
        if (segment == null) {
            throw Events.allocationError(refused(byteSize, byteAlignment));
        }
        if (fill) {
            MemoryKernels.fill(segment, 0, byteSize, pattern);
        }
        if (stats != null) {
            stats.allocated(takenByTop(), usedInPart());
        }
        return segment;
    }

    /**
     * Called when a push was refused: makes room for it if it can (one thread's stack of a thread-safe stack takes
     * the next region) and tells whether it did, so the push is tried once more.
     */
    boolean makeRoom(long byteSize, long byteAlignment) {
        return false;
    }

    /** Counts a failed allocation that {@link #refused(long, long)} does not see. */
    final void countFailure() {
        if (stats != null) {
            stats.failed();
        }
    }

    private AllocationException refused(long byteSize, long byteAlignment) {
        if (stats != null) {
            stats.failed();
        }
        return StackErrors.refused(this, byteSize, byteAlignment);
    }

    /** Pops the top allocation, which must be {@code segment}. */
    final void pop(MemorySegment segment) {
        if (!isTop(segment)) {
            throw Events.allocationError(StackErrors.deallocation(this, segment));
        }
        popTop();
    }

    /** Pops the top allocation, which must start at {@code offset}. */
    final void pop(long offset) {
        if (!isTopOffset(offset)) {
            throw Events.allocationError(StackErrors.deallocation(this, offset));
        }
        popTop();
    }

    private void popTop() {
        long size = popEntry();
        if (stats != null) {
            stats.deallocated(size);
        }
    }

    /** A checkpoint at the current depth and top, on the frame at this depth. */
    final StackCheckpoint saveCheckpoint() {
        frameHere();
        return new StackCheckpoint(this, liveDepth(), epoch(), top());
    }

    /** Pops every allocation made after {@code checkpoint}, which must be a valid checkpoint of this stack. */
    final void restoreCheckpoint(Checkpoint checkpoint) {
        if (!(checkpoint instanceof StackCheckpoint saved) || saved.owner != this
                || !isLive(saved.depth, saved.epoch)) {
            throw Events.allocationError(StackErrors.invalidCheckpoint(this, checkpoint));
        }
        popTo(saved.depth, saved.usedBytes, "restore");
    }

    /** A scope at the current depth and top, on the frame at this depth, counted as open. */
    final StackScope openScope() {
        frameHere();
        StackScope scope = new StackScope(this, liveDepth(), epoch(), top());
        openScopes++;
        return scope;
    }

    /** Pops what {@code scope} holds and marks it closed, or leaves it open when it was discarded. */
    final void closeOpenScope(StackScope scope) {
        if (scope.isClosed()) {
            return;
        }
        if (!isLive(scope.depth, scope.epoch)) {
            throw Events.allocationError(StackErrors.invalidScope(this, scope));
        }
        popTo(scope.depth, scope.usedBytes, "restore");
        scope.markClosed();
        openScopes--;
    }

    /** Pops every allocation. */
    final void popAll() {
        popTo(0, 0, "reset");
    }

    private void popTo(int depth, long usedBytes, String kind) {
        long released = truncate(depth, usedBytes);
        if (stats != null) {
            stats.released(released);
        }
        Events.release(this, kind, released);
    }

    /** Describes the stack (under the guard when confined); {@code extra} goes after the depth. */
    final String describe(String extra) {
        return "StackAllocator[capacity=" + capacityBytes() + ", used=" + usedBytes() + ", depth=" + depth()
                + extra + (config.threadSafe() ? ", thread-safe" : "") + (isChecked() ? ", checked" : "")
                + (isClosed() ? ", closed" : "") + "]";
    }

    /** Scopes opened on this stack and not yet closed. */
    final int openScopes() {
        return openScopes;
    }

    /** Called once by the close sequence, under the guard, before anything is freed. */
    LeakReport leakReport() {
        return new LeakReport(describe(""), liveDepth(), openScopes, usedInPart(), sites(LeakReport.MAX_SITES));
    }
}
