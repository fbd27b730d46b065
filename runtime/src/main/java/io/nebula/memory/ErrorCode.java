package io.nebula.memory;

/** What went wrong in an {@link AllocationException}. */
public enum ErrorCode {
    /** The allocator has too little free memory left for the request. */
    OUT_OF_MEMORY("Out of memory"),
    /** The requested size is negative, too large for the allocator, or not the pool's block size. */
    INVALID_SIZE("Invalid size"),
    /** The requested alignment is not a positive power of two, or exceeds what the allocator supports. */
    INVALID_ALIGNMENT("Invalid alignment"),
    /** The segment given back was not handed out by this allocator. */
    FOREIGN_SEGMENT("Foreign segment"),
    /** The block given back is already free. */
    DOUBLE_FREE("Double free"),
    /** A stack allocation was given back while a later one is still live. */
    OUT_OF_ORDER("Out-of-order deallocation"),
    /**
     * A checkpoint or scope was discarded by an earlier restore, scope close or reset, or belongs to another
     * allocator.
     */
    INVALID_CHECKPOINT("Invalid checkpoint"),
    /** A segment given back does not have the size or alignment of the layout it was said to have. */
    LAYOUT_MISMATCH("Layout mismatch"),
    /** The allocator was used after {@code close()}. */
    CLOSED("Allocator closed"),
    /** A confined (not thread-safe) allocator was used from a thread other than the one that created it. */
    WRONG_THREAD("Wrong thread"),
    /** Memory was still allocated when the allocator was closed, and the leak policy says to fail. */
    LEAK("Memory leak"),
    /**
     * A segment was used after the allocation it came from was released: detected in checked mode, and in any mode
     * when a write into a freed pool block broke the pool's free list.
     */
    USE_AFTER_FREE("Use after free");

    private final String title;

    ErrorCode(String title) {
        this.title = title;
    }

    /**
     * Returns a short human-readable title, used as the first line of error messages.
     *
     * @return the title
     */
    public String title() {
        return title;
    }
}
