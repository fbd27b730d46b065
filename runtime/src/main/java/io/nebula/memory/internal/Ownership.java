package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;

/** The errors for using a closed allocator, or a confined allocator from another thread. */
public final class Ownership {

    private Ownership() {
    }

    /**
     * Builds the error for a call on a closed allocator.
     *
     * @param allocator the allocator's description
     * @return the error to throw
     */
    public static AllocationException closed(String allocator) {
        return Failure.of(ErrorCode.CLOSED)
                .allocator(allocator)
                .details("the allocator was closed and its native memory freed")
                .suggest("Do not use an allocator after close(); create a new one.")
                .suggest("If a try-with-resources block closed it too early, widen the block.")
                .build();
    }

    /**
     * Builds the error for a confined allocator used from a thread that does not own it.
     *
     * @param allocator the allocator's description
     * @param owner     the owning thread
     * @return the error to throw
     */
    public static AllocationException wrongThread(String allocator, Thread owner) {
        Thread current = Thread.currentThread();
        return Failure.of(ErrorCode.WRONG_THREAD)
                .allocator(allocator)
                .details("the allocator is confined to thread \"" + owner.getName() + "\" (id " + owner.threadId()
                        + ") but was used from thread \"" + current.getName() + "\" (id " + current.threadId() + ")")
                .suggest("Create the allocator with threadSafe = true in its config to share it between threads.")
                .suggest("Or give each thread an allocator of its own.")
                .build();
    }
}
