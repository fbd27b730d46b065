package io.nebula.memory.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Emitted when a growing pool or a growable arena adds a chunk. */
@Name(GrowthEvent.NAME)
@Label("Growth")
@Category({"nebula-memory"})
@Description("A pool added a chunk of blocks, or a growable arena a chunk")
@StackTrace(true)
public final class GrowthEvent extends Event {

    /** The event's name. */
    public static final String NAME = "nebula.memory.Growth";

    @Label("Allocator")
    String allocator;

    @Label("Chunk Size")
    @DataAmount
    long chunkBytes;

    @Label("Capacity After")
    @DataAmount
    long capacityBytes;

    GrowthEvent() {
    }

    /**
     * Emits the event if enabled.
     *
     * @param allocator     the allocator; its description is taken only when the event is recorded
     * @param chunkBytes    bytes in the new chunk
     * @param capacityBytes the allocator's capacity after growing
     */
    public static void emit(Object allocator, long chunkBytes, long capacityBytes) {
        GrowthEvent event = new GrowthEvent();
        if (event.isEnabled()) {
            event.allocator = allocator.toString();
            event.chunkBytes = chunkBytes;
            event.capacityBytes = capacityBytes;
            event.commit();
        }
    }
}
