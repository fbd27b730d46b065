package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.LeakReport;
import io.nebula.memory.StatisticsProvider;
import io.nebula.memory.jfr.AllocationErrorEvent;
import io.nebula.memory.jfr.GrowthEvent;
import io.nebula.memory.jfr.LeakEvent;
import io.nebula.memory.jfr.LongWaitEvent;
import io.nebula.memory.jfr.ReleaseEvent;
import io.nebula.memory.jfr.StatisticsEvent;

/**
 * The one door to the flight-recorder events. The event classes extend {@code jdk.jfr.Event}, so loading one in
 * a runtime image without the {@code jdk.jfr} module (a trimmed jlink image) would fail; this class checks once
 * whether the module is present and otherwise emits nothing, so the allocators work either way.
 */
public final class Events {

    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private Events() {
    }

    /**
     * Records an allocator error where the allocator throws it: {@code throw Events.allocationError(error);}.
     *
     * @param error the error being thrown
     * @return {@code error}
     */
    public static AllocationException allocationError(AllocationException error) {
        if (AVAILABLE) {
            AllocationErrorEvent.emit(error);
        }
        return error;
    }

    /**
     * Records a bulk release.
     *
     * @param allocator     the allocator; described only when the event is recorded
     * @param kind          {@code reset}, {@code restore} or {@code release}
     * @param releasedBytes bytes released
     */
    public static void release(Object allocator, String kind, long releasedBytes) {
        if (AVAILABLE) {
            ReleaseEvent.emit(allocator, kind, releasedBytes);
        }
    }

    /**
     * Records a pool growth.
     *
     * @param allocator     the allocator; described only when the event is recorded
     * @param chunkBytes    bytes in the new chunk
     * @param capacityBytes the capacity after growing
     */
    public static void growth(Object allocator, long chunkBytes, long capacityBytes) {
        if (AVAILABLE) {
            GrowthEvent.emit(allocator, chunkBytes, capacityBytes);
        }
    }

    /**
     * Records a leak at close.
     *
     * @param report what was live
     */
    public static void leak(LeakReport report) {
        if (AVAILABLE) {
            LeakEvent.emit(report);
        }
    }

    /**
     * Starts the periodic statistics event for an allocator.
     *
     * @param allocator an allocator that tracks statistics
     */
    public static void track(StatisticsProvider allocator) {
        if (AVAILABLE) {
            StatisticsEvent.track(allocator);
        }
    }

    /**
     * Stops the periodic statistics event for an allocator.
     *
     * @param allocator the allocator
     */
    public static void untrack(StatisticsProvider allocator) {
        if (AVAILABLE) {
            StatisticsEvent.untrack(allocator);
        }
    }

    /**
     * Records a request to an async arena that was served after a long wait.
     *
     * @param arena          the arena; described only when the event is recorded
     * @param requestedBytes the bytes requested
     * @param waitNanos      how long the request waited
     * @param waitersLeft    the requests still queued when it was served
     */
    public static void longWait(Object arena, long requestedBytes, long waitNanos, long waitersLeft) {
        if (AVAILABLE) {
            LongWaitEvent.emit(arena, requestedBytes, waitNanos, waitersLeft);
        }
    }
}
