package io.nebula.memory.stack;

/**
 * A marker that releases itself: everything allocated between {@link StackAllocator#frame()} and
 * {@link #close()} is popped on close. Frames nest; close them in reverse order, as try-with-resources does.
 * <pre>{@code
 * try (StackFrame frame = stack.frame()) {
 *     MemorySegment tmp = stack.allocate(1024);
 *     ...
 * } // tmp's bytes are popped here
 * }</pre>
 *
 * <p>A frame belongs to the thread that opens it, even on a thread-safe stack, where it releases what every thread
 * allocated after it opened. A frame still open when the stack closes is named in the leak report.
 */
public final class StackFrame implements AutoCloseable {

    private final StackAllocator stack;
    private final StackMarker marker;
    /** Written by {@link StackAllocator#closeFrame(StackFrame)}, under the stack's lock when it is thread-safe. */
    volatile boolean closed;

    StackFrame(StackAllocator stack, StackMarker marker) {
        this.stack = stack;
        this.marker = marker;
    }

    /**
     * Returns the marker this frame releases to.
     *
     * @return the marker
     */
    public StackMarker marker() {
        return marker;
    }

    /**
     * Tells whether the frame has been closed successfully.
     *
     * @return {@code true} once {@link #close()} has released the frame
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Pops everything allocated since the frame opened. Closing again does nothing. When the release fails the
     * frame stays open and the stack is unchanged.
     *
     * @throws io.nebula.memory.AllocationException {@link io.nebula.memory.ErrorCode#INVALID_CHECKPOINT} when an
     *     allocation that was live when the frame opened has been popped since (an enclosing frame was closed
     *     first, the allocation was deallocated, or the stack was reset);
     *     {@link io.nebula.memory.ErrorCode#CLOSED} or {@link io.nebula.memory.ErrorCode#WRONG_THREAD}
     */
    @Override
    public void close() {
        if (!closed) {
            stack.closeFrame(this);
        }
    }

    @Override
    public String toString() {
        return "StackFrame[" + marker + (closed ? ", closed" : "") + "]";
    }
}
