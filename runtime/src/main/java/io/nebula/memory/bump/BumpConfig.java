package io.nebula.memory.bump;

import io.nebula.memory.LeakPolicy;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a {@link BumpAllocator} behaves. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * BumpConfig config = BumpConfig.defaults().withTrackStats(true).withFillPattern((byte) 0xAA);
 * }</pre>
 *
 * @param threadSafe  share the arena between threads: allocation becomes a lock-free compare-and-set on the bump
 *                    offset, and the native memory belongs to a shared {@link java.lang.foreign.Arena}
 * @param trackStats  count allocations, bytes and resets ({@link BumpAllocator#statistics()}); costs a few
 *                    increments per allocation (striped counters when thread-safe)
 * @param fillPattern a byte written over every new allocation, to make use of uninitialised memory visible in a
 *                    debugger or a test; empty for none (the default)
 * @param zeroOnReset make every byte released by {@code reset()} or {@code restore()} read as zero when it is
 *                    handed out again; costs O(bytes released) per release (thread-safe arenas zero each new
 *                    allocation instead, since released bytes may already be in another thread's hands)
 * @param checked     checked mode: a segment obtained before a restore or reset and used after it throws instead of
 *                    reading newer data; costs a JDK arena allocation per allocation (see {@link BumpAllocator}).
 *                    Also forced on by {@code -Dnebula.memory.checked=true}
 * @param leakPolicy  what {@code close()} does when scopes are still open
 */
public record BumpConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnReset,
                         boolean checked, LeakPolicy leakPolicy) {

    private static final BumpConfig DEFAULTS =
            new BumpConfig(false, false, OptionalInt.empty(), false, false, LeakPolicy.WARN);

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the fill pattern is not a byte value (-128 to 255)
     */
    public BumpConfig {
        Objects.requireNonNull(fillPattern, "fillPattern");
        Objects.requireNonNull(leakPolicy, "leakPolicy");
        if (fillPattern.isPresent() && (fillPattern.getAsInt() < Byte.MIN_VALUE || fillPattern.getAsInt() > 0xFF)) {
            throw new IllegalArgumentException("fillPattern must be a byte value (-128 to 255), was "
                    + fillPattern.getAsInt());
        }
    }

    /**
     * Returns the defaults: confined, no statistics, no fill pattern, no zeroing, unchecked, leaks logged as
     * warnings.
     *
     * @return the default configuration
     */
    public static BumpConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy that is thread-safe or confined.
     *
     * @param on whether several threads share the arena
     * @return the new configuration
     */
    public BumpConfig withThreadSafe(boolean on) {
        return new BumpConfig(on, trackStats, fillPattern, zeroOnReset, checked, leakPolicy);
    }

    /**
     * Returns a copy with statistics on or off.
     *
     * @param on whether to track statistics
     * @return the new configuration
     */
    public BumpConfig withTrackStats(boolean on) {
        return new BumpConfig(threadSafe, on, fillPattern, zeroOnReset, checked, leakPolicy);
    }

    /**
     * Returns a copy that writes {@code pattern} over every new allocation.
     *
     * @param pattern the byte to write
     * @return the new configuration
     */
    public BumpConfig withFillPattern(byte pattern) {
        return new BumpConfig(threadSafe, trackStats, OptionalInt.of(pattern & 0xFF), zeroOnReset, checked,
                leakPolicy);
    }

    /**
     * Returns a copy that writes no fill pattern.
     *
     * @return the new configuration
     */
    public BumpConfig withoutFillPattern() {
        return new BumpConfig(threadSafe, trackStats, OptionalInt.empty(), zeroOnReset, checked, leakPolicy);
    }

    /**
     * Returns a copy with zero-on-reset on or off.
     *
     * @param on whether to zero released memory
     * @return the new configuration
     */
    public BumpConfig withZeroOnReset(boolean on) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, on, checked, leakPolicy);
    }

    /**
     * Returns a copy with checked mode on or off.
     *
     * @param on whether to detect use after restore or reset
     * @return the new configuration
     */
    public BumpConfig withChecked(boolean on) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnReset, on, leakPolicy);
    }

    /**
     * Returns a copy with another leak policy.
     *
     * @param policy what {@code close()} does with open scopes
     * @return the new configuration
     */
    public BumpConfig withLeakPolicy(LeakPolicy policy) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnReset, checked, policy);
    }
}
