package io.nebula.memory;

/**
 * What {@code close()} does when memory is still allocated: pool blocks not given back, stack allocations not
 * popped, or bump scopes not closed. The native memory is freed in every case; the policy only decides how loudly
 * the leak is reported. In checked mode the report names where each live allocation was made.
 */
public enum LeakPolicy {
    /** Say nothing. */
    IGNORE,
    /** Log the report at {@code WARNING} through {@link System.Logger} (logger name {@code io.nebula.memory}). */
    WARN,
    /** Throw an {@link AllocationException} with {@link ErrorCode#LEAK} from {@code close()}. */
    FAIL
}
