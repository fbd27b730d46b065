package io.nebula.memory.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** Emitted when a request to an async arena was served after waiting at least the arena's long-wait threshold. */
@Name(LongWaitEvent.NAME)
@Label("Async Arena Long Wait")
@Category({"nebula-memory"})
@Description("A request waited in an async arena's queue for memory at least as long as the configured threshold")
@StackTrace(false)
public final class LongWaitEvent extends Event {

    /** The event's name. */
    public static final String NAME = "nebula.memory.LongWait";

    @Label("Arena")
    String arena;

    @Label("Requested")
    @DataAmount
    long requestedBytes;

    @Label("Wait")
    @Timespan(Timespan.NANOSECONDS)
    long waitNanos;

    @Label("Waiters Left")
    long waitersLeft;

    LongWaitEvent() {
    }

    /**
     * Emits the event if enabled.
     *
     * @param arena          the arena; its description is taken only when the event is recorded
     * @param requestedBytes the bytes the request asked for
     * @param waitNanos      how long it waited
     * @param waitersLeft    the requests still queued behind it when it was served
     */
    public static void emit(Object arena, long requestedBytes, long waitNanos, long waitersLeft) {
        LongWaitEvent event = new LongWaitEvent();
        if (event.isEnabled()) {
            event.arena = arena.toString();
            event.requestedBytes = requestedBytes;
            event.waitNanos = waitNanos;
            event.waitersLeft = waitersLeft;
            event.commit();
        }
    }
}
