package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.LeakReport;
import io.nebula.memory.StatisticsProvider;

import java.lang.foreign.Arena;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What every allocator shares, held by composition: the arena that owns its native memory, its statistics, its
 * leak policy, and the way it closes. One final class per concurrency contract: {@link Confined} for an allocator
 * confined to its owner thread, {@link Shared} for a thread-safe one. An allocator holds the exact type, so the
 * check on its hot path is a monomorphic call to a small final method.
 *
 * <p>Not API: the package is not exported, and the allocators are sealed types of their own packages.
 */
public abstract sealed class Lifecycle permits Lifecycle.Confined, Lifecycle.Shared {

    private final Arena arena;
    private final StatisticsRecorder stats;
    private final LeakPolicy leakPolicy;

    private Lifecycle(Arena arena, boolean trackStats, boolean threadSafe, LeakPolicy leakPolicy) {
        this.arena = arena;
        this.stats = trackStats ? StatisticsRecorder.create(threadSafe) : null;
        this.leakPolicy = leakPolicy;
    }

    /**
     * The lifecycle of an allocator confined to the calling thread.
     *
     * @param trackStats whether to record statistics
     * @param leakPolicy what {@link #close} does with live allocations
     * @return a lifecycle owned by the calling thread, with a confined arena
     */
    public static Confined confined(boolean trackStats, LeakPolicy leakPolicy) {
        return new Confined(trackStats, leakPolicy);
    }

    /**
     * The lifecycle of a thread-safe allocator.
     *
     * @param trackStats whether to record statistics
     * @param leakPolicy what {@link #close} does with live allocations
     * @return a lifecycle with a shared arena and a lock
     */
    public static Shared shared(boolean trackStats, LeakPolicy leakPolicy) {
        return new Shared(trackStats, leakPolicy);
    }

    /**
     * Returns the arena that owns the allocator's native memory, created with this lifecycle and closed by
     * {@link #close}.
     *
     * @return the arena
     */
    public final Arena arena() {
        return arena;
    }

    /**
     * Creates an arena with the allocator's threading, for memory with a lifetime of its own (checked mode).
     *
     * @return a new confined or shared arena
     */
    public abstract Arena newArena();

    /**
     * Returns the statistics recorder.
     *
     * @return the recorder, or {@code null} when statistics are not tracked
     */
    public final StatisticsRecorder stats() {
        return stats;
    }

    /**
     * Tells whether {@link #close} has run.
     *
     * @return {@code true} once closed
     */
    public abstract boolean isClosed();

    /**
     * Takes a snapshot of the statistics.
     *
     * @param usedBytes the allocator's used bytes now
     * @return the snapshot, or empty when statistics are not tracked
     */
    public final Optional<AllocationStatistics> statistics(long usedBytes) {
        return stats == null ? Optional.empty() : Optional.of(stats.snapshot(usedBytes));
    }

    /**
     * Starts the periodic statistics event for the allocator when it tracks statistics; the allocator calls it
     * last in its constructor.
     *
     * @param allocator the allocator
     */
    public final void startTracking(StatisticsProvider allocator) {
        if (stats != null) {
            Events.track(allocator);
        }
    }

    /**
     * Closes the allocator: reports what is live, releases checked-mode arenas, frees the native memory, and
     * applies the leak policy. Closing again does nothing.
     *
     * @param allocator        the allocator, for messages and the statistics event
     * @param leakReport       describes what is still live; called once, before anything is freed
     * @param releaseResources closes what the allocator holds besides the arena (checked-mode arenas); called
     *                         once, after the report
     * @throws AllocationException {@link ErrorCode#WRONG_THREAD} from a thread other than a confined allocator's
     *     owner, or {@link ErrorCode#LEAK} under {@link LeakPolicy#FAIL} (the memory is freed all the same)
     */
    public final void close(StatisticsProvider allocator, Supplier<LeakReport> leakReport,
                            Runnable releaseResources) {
        LeakReport leaks = closeOnce(allocator, leakReport, releaseResources);
        if (leaks == null) {
            return;
        }
        if (stats != null) {
            Events.untrack(allocator);
        }
        Leaks.report(leakPolicy, leaks);
    }

    /** Marks the lifecycle closed and frees the memory; returns the leak report, or {@code null} if closed already. */
    abstract LeakReport closeOnce(Object allocator, Supplier<LeakReport> leakReport, Runnable releaseResources);

    final LeakReport free(Supplier<LeakReport> leakReport, Runnable releaseResources, Runnable markClosed) {
        LeakReport leaks = leakReport.get();
        markClosed.run();
        releaseResources.run();
        arena.close();
        return leaks;
    }

    /** The lifecycle of an allocator confined to one thread: no lock, one comparison per check. */
    public static final class Confined extends Lifecycle {

        /** The thread that may use the allocator; {@code null} once closed. */
        private Thread owner;

        private Confined(boolean trackStats, LeakPolicy leakPolicy) {
            super(Arena.ofConfined(), trackStats, false, leakPolicy);
            this.owner = Thread.currentThread();
        }

        /**
         * Checks that the caller is the owner thread and the allocator is open: one comparison.
         *
         * @param allocator the allocator, described only when the check fails
         * @throws AllocationException {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
         */
        public void checkOwner(Object allocator) {
            if (owner != Thread.currentThread()) {
                throw ownerFailure(allocator);
            }
        }

        private AllocationException ownerFailure(Object allocator) {
            return Events.allocationError(owner == null ? Ownership.closed(allocator.toString())
                    : Ownership.wrongThread(allocator.toString(), owner));
        }

        @Override
        public Arena newArena() {
            return Arena.ofConfined();
        }

        @Override
        public boolean isClosed() {
            return owner == null;
        }

        @Override
        LeakReport closeOnce(Object allocator, Supplier<LeakReport> leakReport, Runnable releaseResources) {
            if (owner == null) {
                return null;
            }
            if (owner != Thread.currentThread()) {
                throw Events.allocationError(Ownership.wrongThread(allocator.toString(), owner));
            }
            return free(leakReport, releaseResources, () -> owner = null);
        }
    }

    /**
     * The lifecycle of a thread-safe allocator: a volatile closed flag, and a lock for the calls that are not
     * lock-free (close among them).
     */
    public static final class Shared extends Lifecycle {

        private final ReentrantLock lock = new ReentrantLock();
        private volatile boolean closed;

        private Shared(boolean trackStats, LeakPolicy leakPolicy) {
            super(Arena.ofShared(), trackStats, true, leakPolicy);
        }

        /**
         * Checks that the allocator is open; a call may still race {@link #close}, which each allocator documents.
         *
         * @param allocator the allocator, described only when the check fails
         * @throws AllocationException {@link ErrorCode#CLOSED}
         */
        public void checkNotClosed(Object allocator) {
            if (closed) {
                throw Events.allocationError(Ownership.closed(allocator.toString()));
            }
        }

        /** Takes the allocator's lock. */
        public void lock() {
            lock.lock();
        }

        /** Releases the allocator's lock. */
        public void unlock() {
            lock.unlock();
        }

        /**
         * Tells whether the calling thread holds the lock.
         *
         * @return {@code true} inside {@link #lock()} and {@link #unlock()}
         */
        public boolean holdsLock() {
            return lock.isHeldByCurrentThread();
        }

        @Override
        public Arena newArena() {
            return Arena.ofShared();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        LeakReport closeOnce(Object allocator, Supplier<LeakReport> leakReport, Runnable releaseResources) {
            lock.lock();
            try {
                if (closed) {
                    return null;
                }
                return free(leakReport, releaseResources, () -> closed = true);
            } finally {
                lock.unlock();
            }
        }
    }
}
