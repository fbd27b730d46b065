package io.nebula.memory.pool;

import io.nebula.memory.internal.CheckedMode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checked mode's record of the blocks a pool has handed out: where each was allocated, and for a block handed out
 * as a segment, the JDK arena that backs that segment. Closing the arena when the block comes back makes every copy
 * of the segment throw on access, instead of aliasing the block's next owner.
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

    private final boolean shared;
    /** Every block handed out, by handle. */
    private final Map<Long, Entry> byHandle;
    /** The blocks handed out as segments, by segment address. */
    private final Map<Long, Entry> byAddress;

    CheckedBlocks(boolean shared) {
        this.shared = shared;
        this.byHandle = shared ? new ConcurrentHashMap<>() : new HashMap<>();
        this.byAddress = shared ? new ConcurrentHashMap<>() : new HashMap<>();
    }

    /** Records a block handed out by handle. */
    void handedOut(long handle) {
        byHandle.put(handle, new Entry(handle, 0, null, CheckedMode.captureSite()));
    }

    /**
     * Backs a block with a zeroed segment of {@code byteSize} bytes in an arena of its own, and records it.
     *
     * @throws OutOfMemoryError when the system refuses the memory; nothing is recorded then
     */
    MemorySegment segmentFor(long handle, long byteSize, long byteAlignment) {
        Arena arena = shared ? Arena.ofShared() : Arena.ofConfined();
        MemorySegment segment;
        try {
            segment = arena.allocate(byteSize, byteAlignment);
        } catch (OutOfMemoryError | RuntimeException e) {
            arena.close();
            throw e;
        }
        Entry entry = new Entry(handle, segment.address(), arena, CheckedMode.captureSite());
        byHandle.put(handle, entry);
        byAddress.put(entry.address(), entry);
        return segment;
    }

    /** Returns the entry of a segment handed out and not yet given back, or {@code null}. */
    Entry find(MemorySegment segment) {
        Entry entry = byAddress.get(segment.address());
        return entry != null && entry.arena().scope().equals(segment.scope()) ? entry : null;
    }

    /** Forgets a segment's block; {@code false} when another thread gave it back first. */
    boolean remove(Entry entry) {
        if (!byAddress.remove(entry.address(), entry)) {
            return false;
        }
        byHandle.remove(entry.handle(), entry);
        return true;
    }

    /** Forgets a block given back by handle; returns what was recorded for it, or {@code null}. */
    Entry forget(long handle) {
        return byHandle.remove(handle);
    }

    /** Records again an entry that {@link #forget(long)} removed, when giving the block back failed. */
    void restore(Entry entry) {
        byHandle.put(entry.handle(), entry);
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
