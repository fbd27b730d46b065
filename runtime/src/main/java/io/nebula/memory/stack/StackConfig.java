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
 * @param threadSafe    let any thread use the stack: each thread that pushes gets a stack of its own in a region
 *                      of the one block (its own LIFO order, checkpoints and scopes; no lock and no atomic per push
 *                      or pop inside the region), and the native memory belongs to a shared
 *                      {@link java.lang.foreign.Arena} (see {@link StackAllocator})
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
 * @param regionSize    thread-safe stacks only: the bytes of one region, the part of the block a thread takes when
 *                      its stack goes from empty to non-empty (and grows by the next region when that one is free);
 *                      0, the default, picks {@link #regionSizeFor(long)}; rounded down to a multiple of 64 and
 *                      at most the capacity. Ignored by a confined stack
 * @param origin        where the configuration was written, for the text of error suggestions
 */
public record StackConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                          boolean checked, LeakPolicy leakPolicy, long regionSize, ConfigOrigin origin) {

    private static final StackConfig DEFAULTS =
            new StackConfig(false, false, OptionalInt.empty(), false, false, LeakPolicy.WARN, 0, ConfigOrigin.code());

    /** The smallest region the automatic rule picks, unless the whole stack is smaller. */
    static final long MIN_AUTO_REGION = 256;
    /** The largest region the automatic rule picks. */
    static final long MAX_AUTO_REGION = 1024 * 1024;
    /** Regions start on cache-line boundaries. */
    static final long REGION_ALIGNMENT = 64;

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the fill pattern is not a byte value (-128 to 255), or
     *     {@code regionSize} is neither 0 nor at least 64
     * @throws NullPointerException when {@code fillPattern}, {@code leakPolicy} or {@code origin} is {@code null}
     */
    public StackConfig {
        if (regionSize != 0 && regionSize < REGION_ALIGNMENT) {
            throw new IllegalArgumentException("regionSize must be 0 (automatic) or at least " + REGION_ALIGNMENT
                    + " bytes, was " + regionSize);
        }
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
        this(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, 0, ConfigOrigin.code());
    }

    /**
     * A configuration with the automatic region size: the canonical constructor with {@code regionSize} 0.
     *
     * @param threadSafe as for the canonical constructor
     * @param trackStats as for the canonical constructor
     * @param fillPattern as for the canonical constructor
     * @param zeroOnRelease as for the canonical constructor
     * @param checked as for the canonical constructor
     * @param leakPolicy as for the canonical constructor
     * @param origin as for the canonical constructor
     */
    public StackConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                       boolean checked, LeakPolicy leakPolicy, ConfigOrigin origin) {
        this(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, 0, origin);
    }

    /**
     * The automatic region size of a thread-safe stack of {@code capacity} bytes:
     * {@code capacity / (4 x processors)}, at least 256 bytes (or the whole stack when smaller), at most 1 MiB,
     * rounded down to a multiple of 64. Four regions per processor let each running thread hold a region and grow
     * into the next one.
     *
     * @param capacity the stack's capacity, at least one byte
     * @return the region size in bytes
     */
    public static long regionSizeFor(long capacity) {
        long perThread = capacity / (4L * Runtime.getRuntime().availableProcessors());
        long bounded = Math.min(MAX_AUTO_REGION, Math.max(MIN_AUTO_REGION, perThread));
        return regionOf(capacity, bounded);
    }

    /**
     * The region size a thread-safe stack of {@code capacity} bytes uses with this configuration.
     *
     * @param capacity the stack's capacity, at least one byte
     * @return {@link #regionSize()} rounded down to a multiple of 64 and at most {@code capacity}, or
     *     {@link #regionSizeFor(long)} when it is 0
     */
    public long effectiveRegionSize(long capacity) {
        return regionSize == 0 ? regionSizeFor(capacity) : regionOf(capacity, regionSize);
    }

    private static long regionOf(long capacity, long size) {
        return size >= capacity ? capacity : Math.max(REGION_ALIGNMENT, size & -REGION_ALIGNMENT);
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
        return new StackConfig(on, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, regionSize, origin);
    }

    /**
     * Returns a copy with statistics on or off.
     *
     * @param on whether to track statistics
     * @return the new configuration
     */
    public StackConfig withTrackStats(boolean on) {
        return new StackConfig(threadSafe, on, fillPattern, zeroOnRelease, checked, leakPolicy, regionSize, origin);
    }

    /**
     * Returns a copy that writes {@code pattern} over every new allocation.
     *
     * @param pattern the byte to write
     * @return the new configuration
     */
    public StackConfig withFillPattern(byte pattern) {
        return new StackConfig(threadSafe, trackStats, OptionalInt.of(pattern & 0xFF), zeroOnRelease, checked,
                leakPolicy, regionSize, origin);
    }

    /**
     * Returns a copy that writes no fill pattern.
     *
     * @return the new configuration
     */
    public StackConfig withoutFillPattern() {
        return new StackConfig(threadSafe, trackStats, OptionalInt.empty(), zeroOnRelease, checked, leakPolicy,
                regionSize, origin);
    }

    /**
     * Returns a copy with zero-on-release on or off.
     *
     * @param on whether to zero popped memory
     * @return the new configuration
     */
    public StackConfig withZeroOnRelease(boolean on) {
        return new StackConfig(threadSafe, trackStats, fillPattern, on, checked, leakPolicy, regionSize, origin);
    }

    /**
     * Returns a copy with checked mode on or off.
     *
     * @param on whether to detect use after a pop, restore, scope close or reset
     * @return the new configuration
     */
    public StackConfig withChecked(boolean on) {
        return new StackConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, on, leakPolicy, regionSize, origin);
    }

    /**
     * Returns a copy with another leak policy.
     *
     * @param policy what {@code close()} does with live allocations
     * @return the new configuration
     * @throws NullPointerException when {@code policy} is {@code null}
     */
    public StackConfig withLeakPolicy(LeakPolicy policy) {
        return new StackConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, policy, regionSize, origin);
    }

    /**
     * Returns a copy whose thread-safe stacks use regions of {@code bytes} bytes (see {@link #regionSize()}).
     *
     * @param bytes the region size, 0 for the automatic rule or at least 64
     * @return the new configuration
     * @throws IllegalArgumentException when {@code bytes} is neither 0 nor at least 64
     */
    public StackConfig withRegionSize(long bytes) {
        return new StackConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, bytes, origin);
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
        return new StackConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, regionSize,
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
                .member("regionSize", regionSize)
                .toString();
    }
}
