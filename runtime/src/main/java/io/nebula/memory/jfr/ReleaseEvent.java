package io.nebula.memory.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Emitted when an allocator releases memory in bulk: a reset, a checkpoint restore, or the close of an arena's or a
 * stack's scope.
 */
@Name(ReleaseEvent.NAME)
@Label("Bulk Release")
@Category({"nebula-memory"})
@Description("Memory released in bulk by reset, checkpoint restore or scope close")
@StackTrace(false)
public final class ReleaseEvent extends Event {

    /** The event's name. */
    public static final String NAME = "nebula.memory.Release";

    @Label("Allocator")
    String allocator;

    @Label("Kind")
    String kind;

    @Label("Released")
    @DataAmount
    long releasedBytes;

    ReleaseEvent() {
    }

    /**
     * Emits the event if enabled.
     *
     * @param allocator     the allocator; its description is taken only when the event is recorded
     * @param kind          {@code reset}, or {@code restore} for a checkpoint restored or a scope closed
     * @param releasedBytes bytes released
     */
    public static void emit(Object allocator, String kind, long releasedBytes) {
        ReleaseEvent event = new ReleaseEvent();
        if (event.isEnabled()) {
            event.allocator = allocator.toString();
            event.kind = kind;
            event.releasedBytes = releasedBytes;
            event.commit();
        }
    }
}
