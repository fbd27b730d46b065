package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakReport;
import io.nebula.memory.internal.AllocatorBase;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Failure;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Leaks;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.internal.Ownership;
import io.nebula.memory.internal.Requests;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A LIFO allocator: allocation pushes onto one block of native memory, deallocation pops the most recent
 * allocation, and a {@link StackMarker} or {@link StackFrame} pops everything allocated after it at once.
 *
 * <p>Best for scratch memory whose lifetime follows the call stack: recursive descent, tree walks, temporary
 * buffers of a computation that nests.
 * <pre>{@code
 * try (StackAllocator stack = StackAllocator.create(64 * 1024)) {
 *     MemorySegment a = stack.allocate(ValueLayout.JAVA_LONG, 4);
 *     MemorySegment b = stack.allocate(256);
 *     stack.deallocate(b);                                 // the top: fine
 *     try (StackFrame frame = stack.frame()) {
 *         MemorySegment scratch = stack.allocate(4096);    // popped when the frame closes
 *     }
 *     stack.deallocate(a);
 * }                                                        // native memory freed
 * }</pre>
 *
 * <p>Only the top allocation can be deallocated: giving back any other one throws {@link ErrorCode#OUT_OF_ORDER},
 * naming the allocation expected and the one given, and changes nothing.
 *
 * <h2>Costs</h2>
 * <ul>
 *   <li>{@link #allocateOffset(long, long)}: an alignment round-up, a bounds check and five stores (the top, the
 *       depth and one entry in each of three bookkeeping arrays on the Java heap): no locks, no heap allocation
 *       except when the arrays double, once per doubling of the greatest depth reached. Thread-safe: the same
 *       under one lock.</li>
 *   <li>{@link #allocate(long, long)}: the same plus one {@code asSlice}, a small heap object when the segment
 *       escapes the caller.</li>
 *   <li>Bookkeeping: 24 bytes of Java heap per live allocation, sized for the greatest depth reached and never
 *       shrunk. It is not counted in {@link #usedBytes()}, which reports native memory only.</li>
 *   <li>{@link #deallocate(MemorySegment)}, {@link #deallocateOffset(long)}: a comparison with the top entry and
 *       two stores. The error path walks the live allocations to name the one given.</li>
 *   <li>{@link #marker()}, {@link #frame()}: one small heap object each.</li>
 *   <li>{@link #release(StackMarker)}, {@link #reset()}: O(1), however many allocations they pop.</li>
 *   <li>With {@link StackConfig#fillPattern()}: every allocation also costs a fill of its bytes. With
 *       {@link StackConfig#zeroOnRelease()}: every release also costs a fill of the bytes it pops.</li>
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
 * <p>With {@link StackConfig#threadSafe()} any thread may call any method: every call that reads or changes the
 * stack takes one {@link ReentrantLock}, so each call is atomic, and the native memory belongs to a shared arena
 * created once and closed once. A shared stack still has <em>one</em> LIFO order, not one per thread: the top is
 * the most recent allocation of any thread, so deallocating anything but that global top throws
 * {@link ErrorCode#OUT_OF_ORDER}, whichever thread allocated it. Markers and frames are global too: releasing a
 * marker pops what <em>every</em> thread allocated after it, and {@link #reset()} pops everything. Pushes and pops
 * of several threads interleave correctly only when the threads agree on an order, for example by holding a lock
 * of their own around each push-use-pop sequence. For recursion on several threads, give each thread a confined
 * stack of its own: cheaper, and each thread keeps its own LIFO order.
 *
 * <h2>Checked mode</h2>
 * With {@link StackConfig#checked()} (or {@code -Dnebula.memory.checked=true}), every segment returned by
 * {@link #allocate(long, long)} comes from a JDK arena of its own ({@link Arena#ofConfined()}, or
 * {@link Arena#ofShared()} when thread-safe) that is closed when the allocation is popped, by a deallocation, a
 * marker release, a frame close, a reset or {@link #close()}: a stale segment throws {@link IllegalStateException}
 * on its next access instead of reading newer data, and giving it back throws {@link ErrorCode#USE_AFTER_FREE}.
 * The stack's accounting (top, depth, entries) is exactly as unchecked, so out-of-memory and out-of-order errors
 * happen exactly where they would unchecked. It costs a JDK arena and a zeroed native allocation per allocation, a
 * captured stack trace per allocation (for leak reports), and an arena close per pop; a shared arena's close costs
 * tens of microseconds: a debugging mode. Offsets from {@link #allocateOffset(long, long)} index {@link #segment()},
 * which lives until {@link #close()}: checked mode cannot check them.
 *
 * <h2>Leaks</h2>
 * Closing a stack that still holds allocations reports them under the config's {@link io.nebula.memory.LeakPolicy}:
 * their count (the depth) and bytes (the top, padding included), the frames opened and never closed, and in checked
 * mode where each allocation was made. The native memory is freed whatever the policy.
 *
 * <h2>Statistics</h2>
 * With {@link StackConfig#trackStats()}, deallocations count pops; marker releases, frame closes and resets count
 * as bulk releases ({@code resets}), with the bytes they popped, padding included, in {@code bytesFreed}.
 */
public final class StackAllocator extends AllocatorBase {

    /** Alignment of the backing block: one cache line. */
    private static final long BLOCK_ALIGNMENT = 64;

    /** The largest array length every JVM supports. */
    private static final int MAX_DEPTH = Integer.MAX_VALUE - 8;

    private final MemorySegment memory;
    private final long base;
    private final long capacity;
    private final StackConfig config;
    private final boolean checked;
    /** {@code shared || checked}: the hot paths branch once on it to leave the confined unchecked path as it was. */
    private final boolean guarded;
    private final boolean fill;
    private final byte pattern;
    private final boolean zeroOnRelease;
    /** Bytes in use, padding included: the offset where the next allocation's padding starts. */
    private long top;

    /*
     * One entry per live allocation, bottom first, in parallel arrays: where it starts, where the top was before
     * it (so popping it restores the top, padding included), and a serial number unique over the stack's life,
     * which tells a marker whether the allocation below it is still the one it saw. An allocation's end is the
     * next entry's previous top, or the top for the top entry.
     */
    private long[] starts = new long[16];
    private long[] previousTops = new long[16];
    private long[] serials = new long[16];
    private int depth;
    private long nextSerial = 1;
    /** Checked mode only: per entry, its own arena and segment (none for offsets) and its allocation site. */
    private CheckedEntry[] checkedEntries;
    /** Frames opened and not yet closed. */
    private int openFrames;

    /**
     * What checked mode keeps per live allocation.
     *
     * @param arena   the arena that owns {@code segment}, closed when the allocation is popped; {@code null} for an
     *                allocation made by {@link #allocateOffset(long, long)}
     * @param segment the segment handed out, or {@code null} for an offset
     * @param site    where the allocation was made
     */
    private record CheckedEntry(Arena arena, MemorySegment segment, StackTraceElement[] site) {
    }

    private StackAllocator(long capacity, StackConfig config) {
        super(config.threadSafe(), config.trackStats(), config.leakPolicy());
        this.capacity = capacity;
        this.config = config;
        this.checked = CheckedMode.effective(config.checked());
        this.guarded = shared || checked;
        this.memory = NativeMemory.reserve(arena, capacity, BLOCK_ALIGNMENT, "StackAllocator");
        this.base = memory.address();
        this.fill = config.fillPattern().isPresent();
        this.pattern = (byte) config.fillPattern().orElse(0);
        this.zeroOnRelease = config.zeroOnRelease();
        this.checkedEntries = checked ? new CheckedEntry[starts.length] : null;
        trackStatistics();
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
     */
    public static StackAllocator create(long capacity, StackConfig config) {
        Objects.requireNonNull(config, "config");
        if (capacity < 1) {
            throw Events.allocationError(Failure.of(ErrorCode.INVALID_SIZE)
                    .allocator("StackAllocator")
                    .request(capacity, BLOCK_ALIGNMENT)
                    .details("the capacity must be at least 1 byte, was " + capacity)
                    .suggest("Pass the most bytes the stack must hold at its deepest, for example 64 * 1024.")
                    .build());
        }
        return new StackAllocator(capacity, config);
    }

    /**
     * Returns the configuration this allocator was created with.
     *
     * @return the configuration
     */
    public StackConfig config() {
        return config;
    }

    /**
     * Tells whether checked mode is on, by the config or by {@code -Dnebula.memory.checked=true}.
     *
     * @return {@code true} in checked mode
     */
    public boolean isChecked() {
        return checked;
    }

    /**
     * Returns the whole backing block. Offsets returned by {@link #allocateOffset(long, long)} index into it; in
     * checked mode, segments returned by {@link #allocate(long, long)} do not.
     *
     * @return the backing segment, {@link #capacityBytes()} bytes long
     */
    public MemorySegment segment() {
        return memory;
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
    public long allocateOffset(long byteSize, long byteAlignment) {
        if (guarded) {
            return allocateOffsetGuarded(byteSize, byteAlignment);
        }
        checkOwner();
        long start = push(byteSize, byteAlignment);
        if (fill) {
            MemoryKernels.fill(memory, start, byteSize, pattern);
        }
        if (stats != null) {
            stats.allocated(byteSize, top);
        }
        return start;
    }

    private long allocateOffsetGuarded(long byteSize, long byteAlignment) {
        enter();
        try {
            long start = push(byteSize, byteAlignment);
            if (checked) {
                checkedEntries[depth - 1] = new CheckedEntry(null, null, CheckedMode.captureSite());
            }
            if (fill) {
                MemoryKernels.fill(memory, start, byteSize, pattern);
            }
            if (stats != null) {
                stats.allocated(byteSize, top);
            }
            return start;
        } finally {
            exit();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Pushes the allocation on the stack. Costs one {@link #allocateOffset(long, long)} and one {@code asSlice};
     * in checked mode, a JDK arena and its allocation.
     */
    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (checked) {
            return allocateChecked(byteSize, byteAlignment);
        }
        return memory.asSlice(allocateOffset(byteSize, byteAlignment), byteSize);
    }

    private MemorySegment allocateChecked(long byteSize, long byteAlignment) {
        enter();
        try {
            push(byteSize, byteAlignment);
            int n = depth - 1;
            Arena own = newArena();
            MemorySegment segment;
            try {
                segment = own.allocate(byteSize, byteAlignment);
            } catch (RuntimeException | OutOfMemoryError e) {
                own.close();
                top = previousTops[n];
                depth = n;
                throw e;
            }
            checkedEntries[n] = new CheckedEntry(own, segment, CheckedMode.captureSite());
            if (fill) {
                MemoryKernels.fill(segment, 0, segment.byteSize(), pattern);
            }
            if (stats != null) {
                stats.allocated(byteSize, top);
            }
            return segment;
        } finally {
            exit();
        }
    }

    /** Pushes an entry for a new allocation and moves the top past it; writes nothing into the memory. */
    private long push(long byteSize, long byteAlignment) {
        long current = top;
        long start = Requests.alignUp(base + current, byteAlignment) - base;
        if (byteSize < 0 || !Requests.isPowerOfTwo(byteAlignment) || byteSize > capacity - start) {
            throw Events.allocationError(allocationFailure(byteSize, byteAlignment));
        }
        int n = depth;
        if (n == starts.length) {
            grow(byteSize, byteAlignment);
        }
        starts[n] = start;
        previousTops[n] = current;
        serials[n] = nextSerial++;
        depth = n + 1;
        top = start + byteSize;
        return start;
    }

    /**
     * Pops the top allocation, which must be {@code segment}: the segment exactly as {@link #allocate(long, long)}
     * returned it (same address and size, not a slice of it). On a thread-safe stack the top is the most recent
     * allocation of any thread.
     *
     * @param segment the top allocation
     * @throws AllocationException {@link ErrorCode#OUT_OF_ORDER} when {@code segment} is a live allocation with
     *     others above it, {@link ErrorCode#FOREIGN_SEGMENT} when it is not a live allocation of this stack, in
     *     checked mode {@link ErrorCode#USE_AFTER_FREE} when it was already popped, {@link ErrorCode#CLOSED} or
     *     {@link ErrorCode#WRONG_THREAD}; the stack is then unchanged
     */
    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (guarded) {
            deallocateGuarded(segment);
            return;
        }
        checkOwner();
        int n = depth - 1;
        long offset = segment.address() - base;
        if (n < 0 || offset != starts[n] || segment.byteSize() != top - offset || !segment.isNative()) {
            throw Events.allocationError(deallocationFailure(segment));
        }
        pop(n);
    }

    private void deallocateGuarded(MemorySegment segment) {
        enter();
        try {
            int n = depth - 1;
            if (n < 0 || !isEntry(n, segment)) {
                throw Events.allocationError(deallocationFailure(segment));
            }
            popGuarded(n);
        } finally {
            exit();
        }
    }

    /** Tells whether {@code segment} is live allocation {@code i} exactly as it was handed out. */
    private boolean isEntry(int i, MemorySegment segment) {
        CheckedEntry entry = checked ? checkedEntries[i] : null;
        if (entry != null && entry.segment() != null) {
            MemorySegment handedOut = entry.segment();
            return segment.scope().equals(handedOut.scope()) && segment.address() == handedOut.address()
                    && segment.byteSize() == handedOut.byteSize();
        }
        return segment.isNative() && segment.address() - base == starts[i] && segment.byteSize() == sizeOf(i);
    }

    /**
     * Pops the top allocation, which must start at {@code offset}: the counterpart of
     * {@link #allocateOffset(long, long)}, without a segment object. When several live allocations start at
     * {@code offset} (a zero-byte allocation shares its start with the next one), the top one is popped.
     *
     * @param offset the offset of the top allocation in {@link #segment()}
     * @throws AllocationException {@link ErrorCode#OUT_OF_ORDER} when {@code offset} starts a live allocation with
     *     others above it, {@link ErrorCode#FOREIGN_SEGMENT} when it starts no live allocation,
     *     {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}; the stack is then unchanged
     */
    public void deallocateOffset(long offset) {
        if (guarded) {
            deallocateOffsetGuarded(offset);
            return;
        }
        checkOwner();
        int n = depth - 1;
        if (n < 0 || offset != starts[n]) {
            throw Events.allocationError(deallocationFailure(offset));
        }
        pop(n);
    }

    private void deallocateOffsetGuarded(long offset) {
        enter();
        try {
            int n = depth - 1;
            if (n < 0 || offset != starts[n]) {
                throw Events.allocationError(deallocationFailure(offset));
            }
            popGuarded(n);
        } finally {
            exit();
        }
    }

    private void pop(int n) {
        long start = starts[n];
        long end = top;
        long previous = previousTops[n];
        if (zeroOnRelease && end > previous) {
            MemoryKernels.fill(memory, previous, end - previous, (byte) 0);
        }
        depth = n;
        top = previous;
        if (stats != null) {
            stats.deallocated(end - start);
        }
    }

    private void popGuarded(int n) {
        if (checked) {
            closeEntries(n, n + 1);
        }
        pop(n);
    }

    /** Checked mode: closes the arenas of entries {@code from} (inclusive) to {@code to} (exclusive). */
    private void closeEntries(int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            CheckedEntry entry = checkedEntries[i];
            if (entry != null && entry.arena() != null) {
                entry.arena().close();
            }
            checkedEntries[i] = null;
        }
    }

    /**
     * Saves the current state. Pair it with {@link #release(StackMarker)}, or use {@link #frame()}. On a
     * thread-safe stack the marker covers what every thread allocated before it.
     *
     * @return a marker at the current depth and top
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public StackMarker marker() {
        enter();
        try {
            return newMarker();
        } finally {
            exit();
        }
    }

    private StackMarker newMarker() {
        int n = depth;
        return new StackMarker(this, n, n == 0 ? 0 : serials[n - 1], top);
    }

    /**
     * Pops every allocation made after {@code marker} was taken, by any thread. The marker stays valid and may be
     * released again; markers taken after it are discarded once an allocation they covered is popped.
     *
     * @param marker a valid marker of this stack: every allocation that was live when it was taken is still live
     * @throws AllocationException {@link ErrorCode#INVALID_CHECKPOINT} when the marker belongs to another stack or
     *     was discarded because an allocation it covered was popped; {@link ErrorCode#CLOSED} or
     *     {@link ErrorCode#WRONG_THREAD}; the stack is then unchanged
     */
    public void release(StackMarker marker) {
        Objects.requireNonNull(marker, "marker");
        enter();
        try {
            releaseMarker(marker);
        } finally {
            exit();
        }
    }

    private void releaseMarker(StackMarker marker) {
        int d = marker.depth;
        if (marker.owner != this || d > depth || (d > 0 && serials[d - 1] != marker.below)) {
            throw Events.allocationError(invalidMarker(marker));
        }
        releaseTo(d, marker.offset, "release");
    }

    /**
     * Opens a frame: a marker released when the frame closes. A frame belongs to the thread that opens it.
     *
     * @return the frame, to use in try-with-resources
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    public StackFrame frame() {
        enter();
        try {
            StackFrame frame = new StackFrame(this, newMarker());
            openFrames++;
            return frame;
        } finally {
            exit();
        }
    }

    /** Releases a frame's marker and marks the frame closed, atomically; does nothing for a closed frame. */
    void closeFrame(StackFrame frame) {
        enter();
        try {
            if (!frame.closed) {
                releaseMarker(frame.marker());
                frame.closed = true;
                openFrames--;
            }
        } finally {
            exit();
        }
    }

    /**
     * Pops every allocation, of every thread. Discards every marker taken on a non-empty stack. O(1), or O(bytes
     * used) with {@link StackConfig#zeroOnRelease()}.
     *
     * <p>Unlike {@code BumpAllocator.reset()}, which discards every checkpoint, a marker taken on the empty stack
     * survives a reset: it covers no allocation, so nothing it depends on was popped, and releasing it later empties
     * the stack exactly as a reset does. The same holds for a frame opened on the empty stack.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    public void reset() {
        enter();
        try {
            releaseTo(0, 0, "reset");
        } finally {
            exit();
        }
    }

    private void releaseTo(int newDepth, long offset, String kind) {
        long released = top - offset;
        if (zeroOnRelease && released > 0) {
            MemoryKernels.fill(memory, offset, released, (byte) 0);
        }
        if (checked) {
            closeEntries(newDepth, depth);
        }
        depth = newDepth;
        top = offset;
        if (stats != null) {
            stats.released(released);
        }
        Events.release(this, kind, released);
    }

    /**
     * Returns the number of live allocations.
     *
     * @return the depth of the stack, 0 when empty
     */
    public int depth() {
        if (shared) {
            lock.lock();
            try {
                return depth;
            } finally {
                lock.unlock();
            }
        }
        return depth;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Unchecked: every segment inside the backing block. Checked: also the live segments handed out by
     * {@link #allocate(long, long)}, and their slices.
     */
    @Override
    public boolean owns(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (isClosed() || !segment.isNative()) {
            return false;
        }
        long offset = segment.address() - base;
        if (offset >= 0 && offset <= capacity && segment.byteSize() <= capacity - offset) {
            return true;
        }
        return checked && liveEntryOf(segment) >= 0;
    }

    /** Checked mode: the index of the live allocation whose arena {@code segment} belongs to, or -1. */
    private int liveEntryOf(MemorySegment segment) {
        if (shared) {
            lock.lock();
        }
        try {
            for (int i = depth - 1; i >= 0; i--) {
                CheckedEntry entry = checkedEntries[i];
                if (entry != null && entry.arena() != null && segment.scope().equals(entry.arena().scope())) {
                    return i;
                }
            }
            return -1;
        } finally {
            if (shared) {
                lock.unlock();
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a stack: the top offset, alignment padding between allocations included.
     */
    @Override
    public long usedBytes() {
        if (shared) {
            lock.lock();
            try {
                return top;
            } finally {
                lock.unlock();
            }
        }
        return top;
    }

    @Override
    public long availableBytes() {
        return capacity - usedBytes();
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a stack: the live allocations and the bytes they hold, padding included, frames never closed, and in
     * checked mode where each allocation was made. {@link #depth()} and {@link #usedBytes()} keep reporting what
     * was live at the close.
     */
    @Override
    protected LeakReport leakReport() {
        List<StackTraceElement[]> sites = new ArrayList<>();
        if (checked) {
            for (int i = 0; i < depth && sites.size() < LeakReport.MAX_SITES; i++) {
                CheckedEntry entry = checkedEntries[i];
                if (entry != null) {
                    sites.add(entry.site());
                }
            }
        }
        String allocator = describe(openFrames > 0 ? ", frames never closed=" + openFrames : "");
        return new LeakReport(allocator, depth, top, sites);
    }

    @Override
    protected void releaseCheckedArenas() {
        if (checked) {
            closeEntries(0, depth);
        }
    }

    @Override
    public String toString() {
        if (shared) {
            lock.lock();
            try {
                return describe("");
            } finally {
                lock.unlock();
            }
        }
        return describe("");
    }

    private String describe(String extra) {
        return "StackAllocator[capacity=" + capacity + ", used=" + top + ", depth=" + depth + extra
                + (shared ? ", thread-safe" : "") + (checked ? ", checked" : "") + (isClosed() ? ", closed" : "")
                + "]";
    }

    /**
     * Starts a call that reads or changes the stack: takes the lock of a thread-safe stack and checks that it is
     * open, or checks that a confined stack is used by its owner. Pair with {@link #exit()} in a finally block.
     */
    private void enter() {
        if (shared) {
            lock.lock();
            if (isClosed()) {
                lock.unlock();
                throw Events.allocationError(Ownership.closed(toString()));
            }
        } else {
            checkOwner();
        }
    }

    /** Ends a call started by {@link #enter()}. */
    private void exit() {
        if (shared) {
            lock.unlock();
        }
    }

    private void grow(long byteSize, long byteAlignment) {
        int length = starts.length;
        if (length >= MAX_DEPTH) {
            if (stats != null) {
                stats.failed();
            }
            throw Events.allocationError(Failure.of(ErrorCode.OUT_OF_MEMORY)
                    .allocator(toString())
                    .request(byteSize, byteAlignment)
                    .memory(availableBytes(), usedBytes())
                    .details("the stack already holds " + depth + " live allocations, the most it can track")
                    .suggest("Pop allocations, or release a marker, before allocating more.")
                    .build());
        }
        int newLength = (int) Math.min(2L * length, MAX_DEPTH);
        long[] newStarts = Arrays.copyOf(starts, newLength);
        long[] newPreviousTops = Arrays.copyOf(previousTops, newLength);
        long[] newSerials = Arrays.copyOf(serials, newLength);
        CheckedEntry[] newCheckedEntries = checked ? Arrays.copyOf(checkedEntries, newLength) : null;
        starts = newStarts;
        previousTops = newPreviousTops;
        serials = newSerials;
        checkedEntries = newCheckedEntries;
    }

    /** The size of live allocation {@code i}: up to the next entry's previous top, or to the top. */
    private long sizeOf(int i) {
        return (i == depth - 1 ? top : previousTops[i + 1]) - starts[i];
    }

    private String describe(int i) {
        return "index " + i + " (offset " + starts[i] + ", " + sizeOf(i) + " bytes)";
    }

    private String expected() {
        return depth == 0 ? "the stack is empty, so nothing can be deallocated"
                : "expected the top allocation, " + describe(depth - 1);
    }

    private AllocationException allocationFailure(long byteSize, long byteAlignment) {
        if (stats != null) {
            stats.failed();
        }
        AllocationException invalid = Requests.invalidRequest(toString(), byteSize, byteAlignment,
                availableBytes(), usedBytes());
        if (invalid != null) {
            return invalid;
        }
        long start = Requests.alignUp(base + top, byteAlignment) - base;
        long padding = start - top;
        Failure error = Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(toString())
                .request(byteSize, byteAlignment)
                .memory(availableBytes(), usedBytes())
                .details("the request needs " + byteSize + " bytes" + (padding > 0 ? " plus " + padding
                        + " bytes of alignment padding" : "") + " at offset " + top + " but only "
                        + availableBytes() + " bytes remain above the " + depth + " live allocation"
                        + (depth == 1 ? "" : "s"));
        if (byteSize > capacity) {
            error.suggest("The request is larger than the whole stack (" + capacity + " bytes): create the stack"
                    + " with a capacity of at least " + byteSize + " bytes (StackAllocator.create(" + byteSize
                    + ")), or allocate this object elsewhere.");
        } else {
            long needed = start + byteSize;
            error.suggest("Increase the capacity to at least " + needed + " bytes (StackAllocator.create("
                    + needed + ")), or more if the stack can get deeper than it is now.");
            error.suggest("Close frames, release markers and deallocate temporaries as soon as their work is done,"
                    + " so that their memory is popped before the next allocation.");
        }
        error.suggest("Allocate large or long-lived buffers from a BumpAllocator or PoolAllocator, and keep the"
                + " stack for short-lived scratch memory.");
        return error.build();
    }

    private AllocationException deallocationFailure(MemorySegment segment) {
        long offset = segment.address() - base;
        long size = segment.byteSize();
        String given = "the segment (" + size + " bytes at address 0x" + Long.toHexString(segment.address())
                + (segment.isNative() ? "" : ", on the heap") + ")";
        if (checked && !segment.scope().isAlive()) {
            return useAfterFree(size, given);
        }
        if (!owns(segment)) {
            return foreign(size, given + " is not inside this stack's block [0x" + Long.toHexString(base) + ", 0x"
                    + Long.toHexString(base + capacity) + ")" + (checked ? " nor a live allocation of this stack" : "")
                    + "; " + expected());
        }
        for (int i = depth - 2; i >= 0; i--) {
            if (isEntry(i, segment)) {
                return outOfOrder(size, i);
            }
        }
        int part = checked ? liveEntryOf(segment) : -1;
        if (part >= 0) {
            return foreign(size, given + " lies inside the live allocation at " + describe(part)
                    + " but is not that allocation as it was handed out (a slice of it?); " + expected());
        }
        return foreign(size, notLive(given + ", at offset " + offset + " of this stack's block,", offset));
    }

    private AllocationException useAfterFree(long size, String given) {
        return Failure.of(ErrorCode.USE_AFTER_FREE)
                .allocator(toString())
                .request(size, 1)
                .memory(availableBytes(), usedBytes())
                .details(given + " is no longer alive: its allocation was already popped (by a deallocation, a"
                        + " marker release, a frame close or a reset), which closed its arena; " + expected())
                .suggest("Do not keep a segment past the deallocation, frame close, marker release or reset that"
                        + " pops it.")
                .suggest("Give back each allocation once.")
                .build();
    }

    private AllocationException deallocationFailure(long offset) {
        if (offset < 0 || offset > capacity) {
            return foreign(-1, "the offset " + offset + " is not inside this stack's block of " + capacity
                    + " bytes; " + expected());
        }
        for (int i = depth - 2; i >= 0; i--) {
            if (starts[i] == offset) {
                return outOfOrder(-1, i);
            }
        }
        return foreign(-1, notLive("the offset " + offset, offset));
    }

    private String notLive(String given, long offset) {
        String why = offset >= top
                ? " is at or above the top (" + top + " bytes used), so it was already popped or never handed out"
                : " does not start a live allocation (it may have been a slice, or popped and overwritten)";
        return given + why + "; " + expected();
    }

    private AllocationException outOfOrder(long size, int index) {
        int above = depth - 1 - index;
        int topIndex = depth - 1;
        return Failure.of(ErrorCode.OUT_OF_ORDER)
                .allocator(toString())
                .request(size >= 0 ? size : sizeOf(index), 1)
                .memory(availableBytes(), usedBytes())
                .details(expected() + ", but was given the allocation at " + describe(index) + ", which has "
                        + above + " live allocation" + (above == 1 ? "" : "s") + " above it")
                .suggest("Deallocate in reverse order of allocation: give back index " + topIndex + " (offset "
                        + starts[topIndex] + ") first.")
                .suggest("To pop several allocations at once, take a marker (or open a frame) before them and"
                        + " release it.")
                .build();
    }

    private AllocationException foreign(long size, String details) {
        Failure error = Failure.of(ErrorCode.FOREIGN_SEGMENT)
                .allocator(toString());
        if (size >= 0) {
            error.request(size, 1);
        }
        return error.memory(availableBytes(), usedBytes())
                .details(details)
                .suggest("Give back each allocation exactly as this stack returned it (not a slice of it), to the"
                        + " stack that returned it.")
                .suggest("Give back each allocation once: a deallocation, marker release, frame close or reset"
                        + " that popped it already gave it back.")
                .build();
    }

    private AllocationException invalidMarker(StackMarker marker) {
        String why;
        if (marker.owner != this) {
            why = "the marker was taken on another stack, " + marker.owner;
        } else if (marker.depth > depth) {
            why = "the marker was taken at depth " + marker.depth + " but only " + depth + " allocation"
                    + (depth == 1 ? " is" : "s are") + " live now: allocations it covered were popped since (by a"
                    + " deallocation, the release of an older marker or frame, or reset), which discarded it";
        } else {
            why = "the allocation at index " + (marker.depth - 1) + " just below the marker was popped since (by a"
                    + " deallocation, the release of an older marker or frame, or reset) and index "
                    + (marker.depth - 1) + " now holds a newer allocation, so the marker was discarded";
        }
        return Failure.of(ErrorCode.INVALID_CHECKPOINT)
                .allocator(toString())
                .memory(availableBytes(), usedBytes())
                .details(marker + " cannot be released: " + why)
                .suggest("Release markers in reverse order of creation (close nested frames before outer ones),"
                        + " and do not deallocate allocations older than a marker that is still in use.")
                .suggest("Take a new marker after the allocations below the old one were popped, or after reset().")
                .build();
    }
}
