package io.nebula.memory.jfr;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.StatisticsProvider;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Emitted periodically (every second by default) for every open allocator that tracks statistics. For a confined
 * allocator the figures are read without synchronisation from the recorder's thread, so they may be a moment
 * stale; they are never torn.
 */
@Name(StatisticsEvent.NAME)
@Label("Allocator Statistics")
@Category({"nebula-memory"})
@Description("Periodic snapshot of an allocator's statistics")
@StackTrace(false)
@Period("1 s")
public final class StatisticsEvent extends Event {

    /** The event's name. */
    public static final String NAME = "nebula.memory.Statistics";

    private static final Set<StatisticsProvider> TRACKED =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    static {
        FlightRecorder.addPeriodicEvent(StatisticsEvent.class, StatisticsEvent::emitAll);
    }

    @Label("Allocator")
    String allocator;

    @Label("Allocations")
    long allocations;

    @Label("Deallocations")
    long deallocations;

    @Label("Bytes Allocated")
    @DataAmount
    long bytesAllocated;

    @Label("Bytes Freed")
    @DataAmount
    long bytesFreed;

    @Label("Current")
    @DataAmount
    long currentBytes;

    @Label("Peak")
    @DataAmount
    long peakBytes;

    @Label("Failed Allocations")
    long failedAllocations;

    @Label("Bulk Releases")
    long resets;

    @Label("Growths")
    long growths;

    @Label("Wasted")
    @DataAmount
    long wastedBytes;

    StatisticsEvent() {
    }

    /**
     * Starts emitting periodic statistics for {@code allocator}. Held weakly: an allocator that is dropped without
     * being closed stops being reported when it is collected.
     *
     * @param allocator an allocator that tracks statistics
     */
    public static void track(StatisticsProvider allocator) {
        TRACKED.add(allocator);
    }

    /**
     * Stops emitting statistics for {@code allocator}; called on close.
     *
     * @param allocator the allocator
     */
    public static void untrack(StatisticsProvider allocator) {
        TRACKED.remove(allocator);
    }

    private static void emitAll() {
        StatisticsProvider[] providers;
        synchronized (TRACKED) {
            providers = TRACKED.toArray(StatisticsProvider[]::new);
        }
        for (StatisticsProvider provider : providers) {
            Optional<AllocationStatistics> snapshot = provider.statistics();
            if (snapshot.isEmpty()) {
                continue;
            }
            AllocationStatistics s = snapshot.get();
            StatisticsEvent event = new StatisticsEvent();
            event.allocator = provider.toString();
            event.allocations = s.allocations();
            event.deallocations = s.deallocations();
            event.bytesAllocated = s.bytesAllocated();
            event.bytesFreed = s.bytesFreed();
            event.currentBytes = s.currentBytes();
            event.peakBytes = s.peakBytes();
            event.failedAllocations = s.failedAllocations();
            event.resets = s.resets();
            event.growths = s.growths();
            event.wastedBytes = s.wastedBytes();
            event.commit();
        }
    }

}
