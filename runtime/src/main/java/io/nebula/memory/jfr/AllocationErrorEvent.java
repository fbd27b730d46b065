package io.nebula.memory.jfr;

import io.nebula.memory.AllocationException;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Emitted when an allocator throws an {@link AllocationException}. */
@Name(AllocationErrorEvent.NAME)
@Label("Allocation Error")
@Category({"nebula-memory"})
@Description("An allocator refused a request or detected misuse")
@StackTrace(true)
public final class AllocationErrorEvent extends Event {

    /** The event's name. */
    public static final String NAME = "nebula.memory.AllocationError";

    @Label("Allocator")
    String allocator;

    @Label("Code")
    String code;

    @Label("Requested Size")
    @DataAmount
    long requestedSize;

    @Label("Requested Alignment")
    long requestedAlignment;

    @Label("Available")
    @DataAmount
    long availableBytes;

    @Label("Used")
    @DataAmount
    long usedBytes;

    AllocationErrorEvent() {
    }

    /**
     * Emits the event for {@code error} if the event is enabled.
     *
     * @param error the error being thrown
     */
    public static void emit(AllocationException error) {
        AllocationErrorEvent event = new AllocationErrorEvent();
        if (event.isEnabled()) {
            event.allocator = error.allocator();
            event.code = error.code().name();
            event.requestedSize = error.request().map(AllocationException.Request::byteSize).orElse(-1L);
            event.requestedAlignment = error.request().map(AllocationException.Request::byteAlignment).orElse(-1L);
            event.availableBytes = error.availableBytes();
            event.usedBytes = error.usedBytes();
            event.commit();
        }
    }
}
