package io.nebula.memory.bump;

import java.util.OptionalInt;

/**
 * How a {@link BumpAllocator} behaves. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * BumpConfig config = BumpConfig.defaults().withTrackStats(true).withFillPattern((byte) 0xAA);
 * }</pre>
 *
 * @param trackStats  count allocations, bytes and resets ({@link BumpAllocator#statistics()}); costs a few
 *                    increments per allocation
 * @param fillPattern a byte written over every new allocation, to make use of uninitialised memory visible in a
 *                    debugger or a test; empty for none (the default)
 * @param zeroOnReset write zeros over released memory on {@code reset()} and {@code restore()}, so that the
 *                    next user of those bytes sees zeros; makes a release cost O(bytes released) instead of O(1)
 */
public record BumpConfig(boolean trackStats, OptionalInt fillPattern, boolean zeroOnReset) {

    private static final BumpConfig DEFAULTS = new BumpConfig(false, OptionalInt.empty(), false);

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the fill pattern is not a byte value (-128 to 255)
     */
    public BumpConfig {
        java.util.Objects.requireNonNull(fillPattern, "fillPattern");
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
    public static BumpConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy with statistics on or off.
     *
     * @param on whether to track statistics
     * @return the new configuration
     */
    public BumpConfig withTrackStats(boolean on) {
        return new BumpConfig(on, fillPattern, zeroOnReset);
    }

    /**
     * Returns a copy that writes {@code pattern} over every new allocation.
     *
     * @param pattern the byte to write
     * @return the new configuration
     */
    public BumpConfig withFillPattern(byte pattern) {
        return new BumpConfig(trackStats, OptionalInt.of(pattern & 0xFF), zeroOnReset);
    }

    /**
     * Returns a copy that writes no fill pattern.
     *
     * @return the new configuration
     */
    public BumpConfig withoutFillPattern() {
        return new BumpConfig(trackStats, OptionalInt.empty(), zeroOnReset);
    }

    /**
     * Returns a copy with zero-on-reset on or off.
     *
     * @param on whether to zero released memory
     * @return the new configuration
     */
    public BumpConfig withZeroOnReset(boolean on) {
        return new BumpConfig(trackStats, fillPattern, on);
    }
}
