package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.LeakReport;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.Resettable;
import io.nebula.memory.StatisticsProvider;

import java.lang.foreign.Arena;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every allocator shares: its arena, its threading (confined to an owner thread, or shared behind a lock for
 * the calls that need one), its statistics recorder, and the way it closes. Not API: the allocators are final
 * classes, and this class may change without notice.
 *
 * <p>The ownership checks are final methods on fields of this class, so that a subclass's hot path inlines them
 * to one comparison, as if the fields were its own.
 */
public abstract class AllocatorBase implements Allocator, MemoryUsage, Resettable, StatisticsProvider {

    /** Whether several threads may use the allocator. */
    protected final boolean shared;
    /** The arena that owns the allocator's native memory: shared when {@link #shared}, confined otherwise. */
    protected final Arena arena;
    /** Shared allocators only: serialises the calls that are not lock-free; {@code null} when confined. */
    protected final ReentrantLock lock;
    /** The statistics, or {@code null} when not tracked. */
    protected final StatisticsRecorder stats;

    private final LeakPolicy leakPolicy;
    /** Confined allocators: the thread that may use the allocator; {@code null} once closed. */
    private Thread owner;
    /** Shared allocators: set once by close. */
    private volatile boolean closed;

    /**
     * Creates the arena, the lock and the statistics recorder, and makes the calling thread the owner of a confined
     * allocator.
     *
     * @param shared     whether several threads may use the allocator
     * @param trackStats whether to record statistics
     * @param leakPolicy what {@link #close()} does with live allocations
     */
    protected AllocatorBase(boolean shared, boolean trackStats, LeakPolicy leakPolicy) {
        this.shared = shared;
        this.arena = newArena();
        this.lock = shared ? new ReentrantLock() : null;
        this.stats = trackStats ? StatisticsRecorder.create(shared) : null;
        this.leakPolicy = leakPolicy;
        this.owner = shared ? null : Thread.currentThread();
    }

    /**
     * Creates an arena with this allocator's threading, for memory with a lifetime of its own (checked mode).
     *
     * @return a new shared arena for a shared allocator, a new confined one otherwise
     */
    protected final Arena newArena() {
        return shared ? Arena.ofShared() : Arena.ofConfined();
    }

    /**
     * Confined allocators: checks that the caller is the owner thread and the allocator is open. One comparison.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    protected final void checkOwner() {
        if (owner != Thread.currentThread()) {
            throw Events.allocationError(owner == null ? Ownership.closed(toString()) : Ownership.wrongThread(toString(), owner));
        }
    }

    /**
     * Shared allocators: checks that the allocator is open (a call may still race {@link #close()}).
     *
     * @throws AllocationException {@link ErrorCode#CLOSED}
     */
    protected final void checkNotClosed() {
        if (closed) {
            throw Events.allocationError(Ownership.closed(toString()));
        }
    }

    /**
     * Checks that the allocator may be used by the calling thread: {@link #checkNotClosed()} when shared,
     * {@link #checkOwner()} when confined.
     *
     * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    protected final void checkOpen() {
        if (shared) {
            checkNotClosed();
        } else {
            checkOwner();
        }
    }

    /** Takes the lock of a shared allocator; does nothing for a confined one. */
    protected final void lockIfShared() {
        if (shared) {
            lock.lock();
        }
    }

    /** Releases the lock taken by {@link #lockIfShared()}. */
    protected final void unlockIfShared() {
        if (shared) {
            lock.unlock();
        }
    }

    /** Starts the periodic statistics event; a subclass calls it last in its constructor. */
    protected final void trackStatistics() {
        if (stats != null) {
            Events.track(this);
        }
    }

    @Override
    public final boolean isClosed() {
        return shared ? closed : owner == null;
    }

    @Override
    public final Optional<AllocationStatistics> statistics() {
        return stats == null ? Optional.empty() : Optional.of(stats.snapshot(usedBytes()));
    }

    /**
     * Frees the native memory: every segment handed out becomes inaccessible. Closing again does nothing. What is
     * still allocated (each allocator's class documentation says what counts) is reported under the config's
     * {@link LeakPolicy}. A shared allocator may be closed by any thread, once the others are done with it.
     *
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from a thread other than a confined allocator's
     *     owner, or {@link ErrorCode#LEAK} when allocations are live and the leak policy is {@code FAIL} (the memory
     *     is freed all the same)
     */
    @Override
    public final void close() {
        LeakReport leaks;
        lockIfShared();
        try {
            if (isClosed()) {
                return;
            }
            if (!shared && owner != Thread.currentThread()) {
                throw Events.allocationError(Ownership.wrongThread(toString(), owner));
            }
            leaks = leakReport();
            if (shared) {
                closed = true;
            } else {
                owner = null;
            }
            releaseCheckedArenas();
            arena.close();
        } finally {
            unlockIfShared();
        }
        if (stats != null) {
            Events.untrack(this);
        }
        Leaks.report(leakPolicy, leaks);
    }

    /**
     * Describes what is still allocated; called by {@link #close()} before anything is freed.
     *
     * @return the report, with zero live allocations when nothing leaked
     */
    protected abstract LeakReport leakReport();

    /** Closes the arenas that checked mode created besides {@link #arena}; called by {@link #close()}. */
    protected abstract void releaseCheckedArenas();
}
