package io.nebula.memory.stack;

import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.internal.Json;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a {@link StackAllocator} behaves. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * StackConfig config = StackConfig.defaults().withTrackStats(true).withFillPattern((byte) 0xAA);
 * }</pre>
 *
 * @param threadSafe    let any thread use the stack: every call takes one lock, and the native memory belongs to
 *                      a shared {@link java.lang.foreign.Arena}. The threads then share one LIFO order (see
 *                      {@link StackAllocator}); a stack per thread is usually what recursion wants
 * @param trackStats    count allocations, pops, bytes and bulk releases ({@link StackAllocator#statistics()});
 *                      costs a few increments per call (striped counters when thread-safe)
 * @param fillPattern   a byte written over every new allocation, to make use of uninitialised memory visible in a
 *                      debugger or a test; empty for none (the default)
 * @param zeroOnRelease write zeros over every byte that is popped, by a deallocation, a checkpoint restore, a
 *                      scope close or a reset, so that the next user of those bytes sees zeros; makes each pop cost
 *                      O(bytes popped) instead of O(1)
 * @param checked       checked mode: a segment obtained before a pop, checkpoint restore, scope close or reset and used
 *                      after it throws instead of reading newer data; costs a JDK arena per allocation (see
 *                      {@link StackAllocator}). Also forced on by {@code -Dnebula.memory.checked=true}
 * @param leakPolicy    what {@code close()} does when allocations are still live
 * @param origin        where the configuration was written, for the text of error suggestions
 */
public record StackConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                          boolean checked, LeakPolicy leakPolicy, ConfigOrigin origin) {

    private static final StackConfig DEFAULTS =
            new StackConfig(false, false, OptionalInt.empty(), false, false, LeakPolicy.WARN, ConfigOrigin.code());

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the fill pattern is not a byte value (-128 to 255)
     * @throws NullPointerException when {@code fillPattern}, {@code leakPolicy} or {@code origin} is {@code null}
     */
    public StackConfig {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(fillPattern, "fillPattern");
        Objects.requireNonNull(leakPolicy, "leakPolicy");
        if (fillPattern.isPresent() && (fillPattern.getAsInt() < Byte.MIN_VALUE || fillPattern.getAsInt() > 0xFF)) {
            throw new IllegalArgumentException("fillPattern must be a byte value (-128 to 255), was "
                    + fillPattern.getAsInt());
        }
    }

    /**
     * A configuration written in code: the canonical constructor with {@link ConfigOrigin#code()}.
     *
     * @param threadSafe as for the canonical constructor
     * @param trackStats as for the canonical constructor
     * @param fillPattern as for the canonical constructor
     * @param zeroOnRelease as for the canonical constructor
     * @param checked as for the canonical constructor
     * @param leakPolicy as for the canonical constructor
     */
    public StackConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                       boolean checked, LeakPolicy leakPolicy) {
        this(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, ConfigOrigin.code());
    }

    /**
     * Returns the defaults: confined, no statistics, no fill pattern, no zeroing, unchecked, leaks logged as
     * warnings.
     *
     * @return the default configuration
     */
    public static StackConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy that is thread-safe or confined.
     *
     * @param on whether several threads share the stack
     * @return the new configuration
     */
    public StackConfig withThreadSafe(boolean on) {
        return new StackConfig(on, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, origin);
    }

    /**
     * Returns a copy with statistics on or off.
     *
     * @param on whether to track statistics
     * @return the new configuration
     */
    public StackConfig withTrackStats(boolean on) {
        return new StackConfig(threadSafe, on, fillPattern, zeroOnRelease, checked, leakPolicy, origin);
    }

    /**
     * Returns a copy that writes {@code pattern} over every new allocation.
     *
     * @param pattern the byte to write
     * @return the new configuration
     */
    public StackConfig withFillPattern(byte pattern) {
        return new StackConfig(threadSafe, trackStats, OptionalInt.of(pattern & 0xFF), zeroOnRelease, checked,
                leakPolicy, origin);
    }

    /**
     * Returns a copy that writes no fill pattern.
     *
     * @return the new configuration
     */
    public StackConfig withoutFillPattern() {
        return new StackConfig(threadSafe, trackStats, OptionalInt.empty(), zeroOnRelease, checked, leakPolicy, origin);
    }

    /**
     * Returns a copy with zero-on-release on or off.
     *
     * @param on whether to zero popped memory
     * @return the new configuration
     */
    public StackConfig withZeroOnRelease(boolean on) {
        return new StackConfig(threadSafe, trackStats, fillPattern, on, checked, leakPolicy, origin);
    }

    /**
     * Returns a copy with checked mode on or off.
     *
     * @param on whether to detect use after a pop, restore, scope close or reset
     * @return the new configuration
     */
    public StackConfig withChecked(boolean on) {
        return new StackConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, on, leakPolicy, origin);
    }

    /**
     * Returns a copy with another leak policy.
     *
     * @param policy what {@code close()} does with live allocations
     * @return the new configuration
     * @throws NullPointerException when {@code policy} is {@code null}
     */
    public StackConfig withLeakPolicy(LeakPolicy policy) {
        return new StackConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, policy, origin);
    }

    /**
     * Returns a copy that says where it was written, so that errors name what to change there (see
     * {@link ConfigOrigin}); generated {@code _Memory} classes name their {@code @Allocator} class.
     *
     * @param origin where the configuration was written
     * @return the new configuration
     * @throws NullPointerException when {@code origin} is {@code null}
     */
    public StackConfig withOrigin(ConfigOrigin origin) {
        return new StackConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy,
                Objects.requireNonNull(origin, "origin"));
    }

    /**
     * Renders the configuration as a JSON object, with the component names as keys and the fill pattern as its
     * number or {@code null}. A running service can log or expose exactly how each stack is set up.
     *
     * @return a JSON object such as {@code {"threadSafe":false,"trackStats":true,"fillPattern":null,...}}
     */
    public String toJson() {
        return Json.object()
                .member("threadSafe", threadSafe)
                .member("trackStats", trackStats)
                .member("fillPattern", fillPattern)
                .member("zeroOnRelease", zeroOnRelease)
                .member("checked", checked)
                .member("leakPolicy", leakPolicy.name())
                .toString();
    }
}
