package io.nebula.memory.jfr;

import io.nebula.memory.LeakReport;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Emitted when an allocator closes while memory is still allocated or a scope is still open. */
@Name(LeakEvent.NAME)
@Label("Leak at Close")
@Category({"nebula-memory"})
@Description("An allocator closed with live allocations or open scopes")
@StackTrace(true)
public final class LeakEvent extends Event {

    /** The event's name. */
    public static final String NAME = "nebula.memory.Leak";

    @Label("Allocator")
    String allocator;

    @Label("Live Allocations")
    long liveAllocations;

    @Label("Open Scopes")
    long openScopes;

    @Label("Live Bytes")
    @DataAmount
    long liveBytes;

    LeakEvent() {
    }

    /**
     * Emits the event if enabled.
     *
     * @param report what was live at close
     */
    public static void emit(LeakReport report) {
        LeakEvent event = new LeakEvent();
        if (event.isEnabled()) {
            event.allocator = report.allocator();
            event.liveAllocations = report.liveAllocations();
            event.openScopes = report.openScopes();
            event.liveBytes = report.liveBytes();
            event.commit();
        }
    }
}
