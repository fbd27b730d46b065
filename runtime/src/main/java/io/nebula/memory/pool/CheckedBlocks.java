package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.internal.CheckedMode;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.NativeMemory;
import io.nebula.memory.simd.MemoryKernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checked mode: the record of the blocks a pool has handed out (where each was allocated, and for a block handed out
 * as a segment, the JDK arena that backs that segment), and the pool's checked allocation and deallocation paths.
 * Closing the arena when the block comes back makes every copy of the segment throw on access, instead of aliasing
 * the block's next owner. The pool's accounting is unchanged: these paths take and give back blocks through the
 * pool's own {@code release}, {@code untag} and {@code free}.
 *
 * <p>Safe for concurrent use when built for a thread-safe pool: concurrent maps, and shared arenas, which any thread
 * may access and close.
 */
final class CheckedBlocks {

    /**
     * A block handed out.
     *
     * @param handle  the block's handle in the pool
     * @param address the address of its segment, or 0 for a block handed out by handle
     * @param arena   the arena of its segment, or {@code null} for a block handed out by handle
     * @param site    where it was allocated
     */
    record Entry(long handle, long address, Arena arena, StackTraceElement[] site) { }

    private final PoolAllocator pool;
    private final boolean threadSafe;
    /** Every block handed out, by handle. */
    private final Map<Long, Entry> byHandle;
    /** The blocks handed out as segments, by segment address. */
    private final Map<Long, Entry> byAddress;

    CheckedBlocks(PoolAllocator pool, boolean threadSafe) {
        this.pool = pool;
        this.threadSafe = threadSafe;
        this.byHandle = threadSafe ? new ConcurrentHashMap<>() : new HashMap<>();
        this.byAddress = threadSafe ? new ConcurrentHashMap<>() : new HashMap<>();
    }

    /**
     * The segment of a block about to be taken, in an arena of its own: reserved before the pool takes the block,
     * so that a refusal by the system leaves the pool untouched.
     *
     * @param arena   the segment's arena
     * @param segment the segment, the fill pattern written over it
     */
    record Reservation(Arena arena, MemorySegment segment) { }

    /**
     * Reserves the segment for a block of {@code byteSize} bytes, before the block is taken.
     *
     * @throws AllocationException {@code OUT_OF_MEMORY} (counted as a failed allocation) when the system refuses
     *     the memory; nothing changed then
     */
    Reservation reserve(long byteSize) {
        Arena arena = threadSafe ? Arena.ofShared() : Arena.ofConfined();
        MemorySegment segment;
        try {
            segment = NativeMemory.allocate(arena, byteSize, pool.blockAlignment);
        } catch (OutOfMemoryError e) {
            arena.close();
            pool.failed();
            throw Events.allocationError(PoolErrors.checkedSegmentFailure(pool, byteSize, e));
        }
        if (pool.fill) {
            MemoryKernels.fill(segment, 0, segment.byteSize(), pool.pattern);
        }
        return new Reservation(arena, segment);
    }

    /** Hands out the block just taken as the reserved segment, and records it. */
    MemorySegment handOut(long handle, Reservation reservation) {
        Entry entry = new Entry(handle, reservation.segment().address(), reservation.arena(),
                CheckedMode.captureSite());
        byHandle.put(handle, entry);
        byAddress.put(entry.address(), entry);
        return reservation.segment();
    }

    /**
     * Gives back a segment backed by an arena of its own, closing that arena, or else a slice of a chunk (a block
     * handed out by handle).
     */
    void deallocate(MemorySegment segment) {
        if (!segment.scope().isAlive()) {
            throw Events.allocationError(PoolErrors.useAfterFree(pool, segment));
        }
        ChunkTable table = pool.table();
        Entry entry = find(segment);
        if (entry != null) {
            int chunk = Handles.chunk(entry.handle());
            long offset = Handles.offset(entry.handle());
            pool.untag(table, chunk, offset, segment);
            if (!byHandle.remove(entry.handle(), entry)) {
                throw Events.allocationError(PoolErrors.useAfterFree(pool, segment));   // another thread was first
            }
            // Closed before it is forgotten by address: a thread that gives the segment back at the same time either
            // still finds the entry (and loses the claim above) or finds the segment's scope closed (below).
            entry.arena().close();
            byAddress.remove(entry.address(), entry);
            pool.free(table, chunk, offset, segment.byteSize(), segment);
            return;
        }
        if (!segment.scope().isAlive()) {
            throw Events.allocationError(PoolErrors.useAfterFree(pool, segment));   // given back meanwhile
        }
        int chunk = table.chunkContaining(segment.address());
        if (chunk < 0 || !segment.isNative() || segment.byteSize() > pool.blockSize) {
            throw Events.allocationError(PoolErrors.foreignSegment(pool, table, segment, chunk));
        }
        release(table, chunk, segment.address() - table.bases[chunk], segment.byteSize(), segment);
    }

    /** Gives back a block of a chunk (by handle or slice), and forgets where it was allocated. */
    void release(ChunkTable table, int chunk, long offset, long byteSize, MemorySegment segment) {
        long handle = Handles.of(chunk, offset);
        Entry entry = byHandle.remove(handle);
        if (entry != null && entry.arena() != null) {
            byHandle.put(handle, entry);
            throw Events.allocationError(PoolErrors.handedOutAsCheckedSegment(pool, handle, segment));
        }
        try {
            pool.release(table, chunk, offset, byteSize, segment);
        } catch (AllocationException e) {
            if (entry != null) {
                byHandle.put(handle, entry);
            }
            throw e;
        }
    }

    /** Records a block handed out by handle. */
    void handedOut(long handle) {
        byHandle.put(handle, new Entry(handle, 0, null, CheckedMode.captureSite()));
    }

    /** Returns the entry of a segment handed out and not yet given back, or {@code null}. */
    Entry find(MemorySegment segment) {
        Entry entry = byAddress.get(segment.address());
        return entry != null && entry.arena().scope().equals(segment.scope()) ? entry : null;
    }

    /**
     * Forgets a block that its scope gives back, and closes the arena of its segment when it was handed out as one.
     * The caller has claimed the block (its scope tag), so no other thread gives it back at the same time. When the
     * arena cannot be closed, nothing is forgotten and the exception propagates.
     */
    void releaseForScope(long handle) {
        Entry entry = byHandle.get(handle);
        if (entry == null) {
            return;
        }
        if (entry.arena() != null) {
            entry.arena().close();
            byAddress.remove(entry.address(), entry);
        }
        byHandle.remove(handle, entry);
    }

    /** Closes the arena of every segment handed out and forgets every block: for reset and close. */
    void releaseAll() {
        for (Entry entry : byAddress.values()) {
            entry.arena().close();
        }
        byAddress.clear();
        byHandle.clear();
    }

    /** Returns where live blocks were allocated, at most {@code max} of them. */
    List<StackTraceElement[]> sites(int max) {
        List<StackTraceElement[]> sites = new ArrayList<>();
        for (Entry entry : byHandle.values()) {
            if (sites.size() == max) {
                break;
            }
            sites.add(entry.site());
        }
        return sites;
    }
}
