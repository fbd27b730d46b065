package io.nebula.memory.async;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Failure;

/** The errors of the async package, built as plain values; the caller records and throws or fails a future. */
final class AsyncErrors {

    private AsyncErrors() {
    }

    static AllocationException invalidCapacity(long capacity, long granule) {
        return Failure.of(ErrorCode.INVALID_SIZE)
                .allocator("AsyncArena")
                .request(capacity, granule)
                .details("the budget is " + capacity + " bytes, less than one " + granule + "-byte granule")
                .suggest("Give the arena a budget of at least " + granule + " bytes.")
                .suggest("Or choose a smaller granule with AsyncConfig.withGranuleBytes(...).")
                .build();
    }

    static AllocationException invalidSize(String arena, long size, long alignment, long available, long used) {
        return Failure.of(ErrorCode.INVALID_SIZE)
                .allocator(arena)
                .request(size, alignment)
                .memory(available, used)
                .details("a request must be zero bytes or more, was " + size)
                .suggest("Pass a non-negative size.")
                .build();
    }

    static AllocationException invalidAlignment(String arena, long size, long alignment, long available,
                                                long used) {
        return Failure.of(ErrorCode.INVALID_ALIGNMENT)
                .allocator(arena)
                .request(size, alignment)
                .memory(available, used)
                .details("the alignment must be a positive power of two, was " + alignment)
                .suggest("Pass a power of two such as 8, 16 or 64, or the layout's byteAlignment().")
                .build();
    }

    static AllocationException overBudget(String arena, long size, long alignment, long charge,
                                          boolean alignmentCharged, long capacity, long available, long used) {
        return Failure.of(ErrorCode.INVALID_SIZE)
                .allocator(arena)
                .request(size, alignment)
                .memory(available, used)
                .details("the request is charged " + charge + " bytes (" + size + " bytes rounded up to whole"
                        + " granules" + (alignmentCharged ? ", alignment included" : "") + ") but the whole budget is "
                        + capacity + " bytes, so it could never be served; it was refused instead of queued")
                .suggest("Create the arena with a budget of at least " + charge + " bytes (AsyncArena.create("
                        + charge + ", config)).")
                .suggest("Or split the work into leases that each fit in the budget.")
                .build();
    }

    static AllocationException closed(String arena, long size, long alignment, boolean queued) {
        return Failure.of(ErrorCode.CLOSED)
                .allocator(arena)
                .request(size, alignment)
                .details(queued ? "the arena was closed while the request waited for memory; it will never be"
                        + " served" : "the arena is closed; it serves no more requests")
                .suggest("Close the arena only after the tasks that request memory from it have finished.")
                .suggest("Treat CLOSED as a shutdown signal: stop the task instead of retrying.")
                .build();
    }

    static AllocationException leaseFull(String lease, long size, long alignment, long available, long used,
                                         long capacity) {
        return Failure.of(ErrorCode.OUT_OF_MEMORY)
                .allocator(lease)
                .request(size, alignment)
                .memory(available, used)
                .details("the request needs " + size + " bytes (alignment " + alignment + ") after " + used
                        + " bytes used, but the lease holds only " + capacity + " bytes")
                .suggest("Lease at least " + (used + size + alignment - 1) + " bytes for this work.")
                .suggest("Call reset() on the lease to reuse its bytes when the earlier allocations are done.")
                .build();
    }

    static AllocationException released(String holder) {
        return Failure.of(ErrorCode.CLOSED)
                .allocator(holder)
                .details("it was closed and its bytes given back to the arena's budget")
                .suggest("Use a lease or handle only until you close it; request a new one for later work.")
                .build();
    }

    static AllocationException foreign(String lease, long address, long size) {
        return Failure.of(ErrorCode.FOREIGN_SEGMENT)
                .allocator(lease)
                .details("the segment (" + size + " bytes at address 0x" + Long.toHexString(address)
                        + ") does not lie in this lease's bytes")
                .suggest("Give a segment back to the lease that allocated it.")
                .build();
    }

    static AllocationException arenaClosed(String holder, String arena) {
        return Failure.of(ErrorCode.CLOSED)
                .allocator(holder)
                .details("its arena, " + arena + ", was closed and its native memory freed")
                .suggest("Close the arena only after every lease and handle taken from it is closed.")
                .build();
    }
}
