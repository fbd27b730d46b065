package io.nebula.memory;

/**
 * Reports how much of an allocator's memory is in use. Figures are in bytes and include alignment padding and
 * internal bookkeeping kept in native memory; they are exact at the moment of the call.
 */
public interface MemoryUsage {

    /**
     * Returns the bytes currently handed out, padding included.
     *
     * @return bytes in use
     */
    long usedBytes();

    /**
     * Returns the bytes that can still be handed out without growing.
     *
     * @return bytes available
     */
    long availableBytes();

    /**
     * Returns the native memory the allocator currently owns: {@code usedBytes() + availableBytes()}.
     *
     * @return bytes owned
     */
    default long capacityBytes() {
        return usedBytes() + availableBytes();
    }
}
