package io.nebula.memory.stack;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a {@link StackAllocator} behaves. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * StackConfig config = StackConfig.defaults().withTrackStats(true).withFillPattern((byte) 0xAA);
 * }</pre>
 *
 * @param trackStats    count allocations, pops, bytes and bulk releases ({@link StackAllocator#statistics()});
 *                      costs a few increments per call
 * @param fillPattern   a byte written over every new allocation, to make use of uninitialised memory visible in a
 *                      debugger or a test; empty for none (the default)
 * @param zeroOnRelease write zeros over every byte that is popped, by a deallocation, a marker release, a frame
 *                      close or a reset, so that the next user of those bytes sees zeros; makes each release cost
 *                      O(bytes released) instead of O(1)
 */
public record StackConfig(boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease) {

    private static final StackConfig DEFAULTS = new StackConfig(false, OptionalInt.empty(), false);

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the fill pattern is not a byte value (-128 to 255)
     */
    public StackConfig {
        Objects.requireNonNull(fillPattern, "fillPattern");
        if (fillPattern.isPresent() && (fillPattern.getAsInt() < Byte.MIN_VALUE || fillPattern.getAsInt() > 0xFF)) {
            throw new IllegalArgumentException("fillPattern must be a byte value (-128 to 255), was "
                    + fillPattern.getAsInt());
        }
    }

    /**
     * Returns the defaults: no statistics, no fill pattern, no zeroing.
     *
     * @return the default configuration
     */
    public static StackConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with statistics on or off.
     *
     * @param on whether to track statistics
     * @return the new configuration
     */
    public StackConfig withTrackStats(boolean on) {
        return new StackConfig(on, fillPattern, zeroOnRelease);
    }

    /**
     * Returns a copy that writes {@code pattern} over every new allocation.
     *
     * @param pattern the byte to write
     * @return the new configuration
     */
    public StackConfig withFillPattern(byte pattern) {
        return new StackConfig(trackStats, OptionalInt.of(pattern & 0xFF), zeroOnRelease);
    }

    /**
     * Returns a copy that writes no fill pattern.
     *
     * @return the new configuration
     */
    public StackConfig withoutFillPattern() {
        return new StackConfig(trackStats, OptionalInt.empty(), zeroOnRelease);
    }

    /**
     * Returns a copy with zero-on-release on or off.
     *
     * @param on whether to zero popped memory
     * @return the new configuration
     */
    public StackConfig withZeroOnRelease(boolean on) {
        return new StackConfig(trackStats, fillPattern, on);
    }
}
