package io.nebula.memory.async;

import io.nebula.memory.LeakPolicy;
import io.nebula.memory.internal.Json;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AsyncArena} behaves. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * AsyncConfig config = AsyncConfig.defaults().withLongWait(Duration.ofMillis(50)).withZeroOnRelease(true);
 * }</pre>
 *
 * <p>There is no switch for statistics: the arena updates its counters under the lock its waiter queue takes
 * anyway, so they cost nothing worth saving, and {@link AsyncArena#statistics()} always answers.
 *
 * @param granuleBytes  the unit of the budget, a power of two from 8 to 1 MiB (64 by default): every lease and
 *                      handle is charged a whole number of granules and starts on a granule boundary, so its
 *                      memory is aligned to the granule
 * @param leakPolicy    what {@link AsyncArena#close()} does when leases or handles are still open
 * @param longWait      a request that waits at least this long before it is served records a
 *                      {@code nebula.memory.LongWait} flight-recorder event (10 ms by default)
 * @param zeroOnRelease zero a lease's or handle's bytes when it is given back, so that the next holder never
 *                      sees another request's data; costs O(bytes) per release, outside the arena's lock
 */
public record AsyncConfig(long granuleBytes, LeakPolicy leakPolicy, Duration longWait, boolean zeroOnRelease) {

    /** The largest granule. */
    public static final long MAX_GRANULE = 1 << 20;

    private static final AsyncConfig DEFAULTS = new AsyncConfig(64, LeakPolicy.WARN, Duration.ofMillis(10), false);

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the granule is not a power of two from 8 to {@link #MAX_GRANULE}, or
     *     the long-wait threshold is negative
     * @throws NullPointerException when {@code leakPolicy} or {@code longWait} is {@code null}
     */
    public AsyncConfig {
        Objects.requireNonNull(leakPolicy, "leakPolicy");
        Objects.requireNonNull(longWait, "longWait");
        if (granuleBytes < 8 || granuleBytes > MAX_GRANULE || Long.bitCount(granuleBytes) != 1) {
            throw new IllegalArgumentException("granuleBytes must be a power of two from 8 to " + MAX_GRANULE
                    + ", was " + granuleBytes);
        }
        if (longWait.isNegative()) {
            throw new IllegalArgumentException("longWait must not be negative, was " + longWait);
        }
    }

    /**
     * Returns the defaults: 64-byte granules, leaks logged as warnings, a 10 ms long-wait threshold, no zeroing.
     *
     * @return the default configuration
     */
    public static AsyncConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with another granule.
     *
     * @param bytes the granule, a power of two from 8 to {@link #MAX_GRANULE}
     * @return the new configuration
     * @throws IllegalArgumentException when {@code bytes} is not such a power of two
     */
    public AsyncConfig withGranuleBytes(long bytes) {
        return new AsyncConfig(bytes, leakPolicy, longWait, zeroOnRelease);
    }

    /**
     * Returns a copy with another leak policy.
     *
     * @param policy what {@code close()} does with leases and handles still open
     * @return the new configuration
     * @throws NullPointerException when {@code policy} is {@code null}
     */
    public AsyncConfig withLeakPolicy(LeakPolicy policy) {
        return new AsyncConfig(granuleBytes, policy, longWait, zeroOnRelease);
    }

    /**
     * Returns a copy with another long-wait threshold.
     *
     * @param threshold the wait from which a served request records a flight-recorder event; zero records every
     *                  request that waited at all
     * @return the new configuration
     * @throws IllegalArgumentException when {@code threshold} is negative
     * @throws NullPointerException when {@code threshold} is {@code null}
     */
    public AsyncConfig withLongWait(Duration threshold) {
        return new AsyncConfig(granuleBytes, leakPolicy, threshold, zeroOnRelease);
    }

    /**
     * Returns a copy with zero-on-release on or off.
     *
     * @param on whether given-back bytes are zeroed
     * @return the new configuration
     */
    public AsyncConfig withZeroOnRelease(boolean on) {
        return new AsyncConfig(granuleBytes, leakPolicy, longWait, on);
    }

    /**
     * Renders the configuration as a JSON object, with the component names as keys and the threshold in
     * nanoseconds.
     *
     * @return a JSON object such as
     *     {@code {"granuleBytes":64,"leakPolicy":"WARN","longWaitNanos":10000000,"zeroOnRelease":false}}
     */
    public String toJson() {
        return Json.object()
                .member("granuleBytes", granuleBytes)
                .member("leakPolicy", leakPolicy.name())
                .member("longWaitNanos", longWait.toNanos())
                .member("zeroOnRelease", zeroOnRelease)
                .toString();
    }
}
