package io.nebula.memory.pool;

import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.internal.Json;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * How a {@link PoolAllocator} behaves. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * PoolConfig config = PoolConfig.defaults().withAllowGrowth(true).withMaxBlocks(1 << 20);
 * }</pre>
 *
 * <p>There is no zero-on-allocate switch: {@code withFillPattern((byte) 0)} hands out every block zeroed.
 *
 * @param threadSafe  let several threads use the pool: allocation and deallocation become lock-free, through
 *                    caches of free blocks that threads share out by thread id, in front of a version-tagged
 *                    free list, and the chunks belong to a shared
 *                    {@link java.lang.foreign.Arena} (see {@link PoolAllocator}); confined to the creating thread
 *                    otherwise
 * @param trackStats  count allocations, deallocations, resets and growths ({@link PoolAllocator#statistics()});
 *                    costs a few increments per call (striped counters when thread-safe)
 * @param fillPattern a byte written over every block handed out, to make use of uninitialised memory visible in
 *                    a debugger or a test; empty for none (the default). Costs one {@code fill} of the block
 *                    size per allocation
 * @param zeroOnRelease make released blocks read as zero when they are handed out again, and leave none of their
 *                    data behind: a block given back ({@code deallocate}, {@code deallocateHandle}, a scope's
 *                    close) is zeroed then (one {@code fill} of the block size), except, on a thread-safe pool,
 *                    the 8 bytes of its free-list link, which are zeroed when the block is handed out again (a
 *                    confined pool keeps its links on the heap); a reset writes zeros over
 *                    the blocks handed out since the last reset, and costs O(bytes handed out) instead of
 *                    O(blocks / 64)
 * @param allowGrowth when every block is in use, reserve another chunk of the creation-time block count instead
 *                    of failing with {@code OUT_OF_MEMORY}; off by default
 * @param maxBlocks   the most blocks the pool may ever hold, over all its chunks; growth stops there (the last
 *                    chunk is cut short to meet it exactly). At least one; {@link Long#MAX_VALUE}, the default,
 *                    means no bound beyond native memory
 * @param checked     checked mode: a segment given back (or released by {@code reset()}) and used afterwards throws
 *                    instead of reading or writing the block's next owner's data; costs a JDK arena per segment
 *                    handed out (see {@link PoolAllocator}). Also forced on by {@code -Dnebula.memory.checked=true}
 * @param leakPolicy  what {@code close()} does when blocks are still handed out
 * @param origin      where the configuration was written, for the text of error suggestions
 */
public record PoolConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                         boolean allowGrowth, long maxBlocks, boolean checked, LeakPolicy leakPolicy,
                         ConfigOrigin origin) {

    private static final PoolConfig DEFAULTS = new PoolConfig(false, false, OptionalInt.empty(), false, false,
            Long.MAX_VALUE, false, LeakPolicy.WARN, ConfigOrigin.code());

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the fill pattern is not a byte value (-128 to 255) or
     *     {@code maxBlocks < 1}
     * @throws NullPointerException when {@code fillPattern}, {@code leakPolicy} or {@code origin} is {@code null}
     */
    public PoolConfig {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(fillPattern, "fillPattern");
        Objects.requireNonNull(leakPolicy, "leakPolicy");
        if (fillPattern.isPresent() && (fillPattern.getAsInt() < Byte.MIN_VALUE || fillPattern.getAsInt() > 0xFF)) {
            throw new IllegalArgumentException("fillPattern must be a byte value (-128 to 255), was "
                    + fillPattern.getAsInt());
        }
        if (maxBlocks < 1) {
            throw new IllegalArgumentException("maxBlocks must be at least 1, was " + maxBlocks);
        }
    }

    /**
     * A configuration written in code: the canonical constructor with {@link ConfigOrigin#code()}.
     *
     * @param threadSafe as for the canonical constructor
     * @param trackStats as for the canonical constructor
     * @param fillPattern as for the canonical constructor
     * @param zeroOnRelease as for the canonical constructor
     * @param allowGrowth as for the canonical constructor
     * @param maxBlocks as for the canonical constructor
     * @param checked as for the canonical constructor
     * @param leakPolicy as for the canonical constructor
     */
    public PoolConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                      boolean allowGrowth, long maxBlocks, boolean checked, LeakPolicy leakPolicy) {
        this(threadSafe, trackStats, fillPattern, zeroOnRelease, allowGrowth, maxBlocks, checked, leakPolicy,
                ConfigOrigin.code());
    }

    /**
     * Returns the defaults: confined, no statistics, no fill pattern, no zeroing, a fixed number of blocks,
     * unchecked, leaks logged as warnings.
     *
     * @return the default configuration
     */
    public static PoolConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy that is thread-safe or confined.
     *
     * @param on whether several threads share the pool
     * @return the new configuration
     */
    public PoolConfig withThreadSafe(boolean on) {
        return new PoolConfig(on, trackStats, fillPattern, zeroOnRelease, allowGrowth, maxBlocks, checked,
                leakPolicy, origin);
    }

    /**
     * Returns a copy with statistics on or off.
     *
     * @param on whether to track statistics
     * @return the new configuration
     */
    public PoolConfig withTrackStats(boolean on) {
        return new PoolConfig(threadSafe, on, fillPattern, zeroOnRelease, allowGrowth, maxBlocks, checked,
                leakPolicy, origin);
    }

    /**
     * Returns a copy that writes {@code pattern} over every block handed out.
     *
     * @param pattern the byte to write
     * @return the new configuration
     */
    public PoolConfig withFillPattern(byte pattern) {
        return new PoolConfig(threadSafe, trackStats, OptionalInt.of(pattern & 0xFF), zeroOnRelease, allowGrowth,
                maxBlocks, checked, leakPolicy, origin);
    }

    /**
     * Returns a copy that writes no fill pattern.
     *
     * @return the new configuration
     */
    public PoolConfig withoutFillPattern() {
        return new PoolConfig(threadSafe, trackStats, OptionalInt.empty(), zeroOnRelease, allowGrowth, maxBlocks,
                checked, leakPolicy, origin);
    }

    /**
     * Returns a copy with zero-on-release on or off.
     *
     * @param on whether released blocks (given back, or released by {@code reset()}) read as zero when handed out
     *           again
     * @return the new configuration
     */
    public PoolConfig withZeroOnRelease(boolean on) {
        return new PoolConfig(threadSafe, trackStats, fillPattern, on, allowGrowth, maxBlocks, checked, leakPolicy,
                origin);
    }

    /**
     * Returns a copy with growth on or off.
     *
     * @param on whether a full pool reserves another chunk instead of failing
     * @return the new configuration
     */
    public PoolConfig withAllowGrowth(boolean on) {
        return new PoolConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, on, maxBlocks, checked, leakPolicy,
                origin);
    }

    /**
     * Returns a copy with another bound on the total number of blocks.
     *
     * @param max the most blocks the pool may hold, at least one
     * @return the new configuration
     * @throws IllegalArgumentException when {@code max < 1}
     */
    public PoolConfig withMaxBlocks(long max) {
        return new PoolConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, allowGrowth, max, checked,
                leakPolicy, origin);
    }

    /**
     * Returns a copy with checked mode on or off.
     *
     * @param on whether to detect use of a block after it was given back
     * @return the new configuration
     */
    public PoolConfig withChecked(boolean on) {
        return new PoolConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, allowGrowth, maxBlocks, on,
                leakPolicy, origin);
    }

    /**
     * Returns a copy with another leak policy.
     *
     * @param policy what {@code close()} does with blocks still handed out
     * @return the new configuration
     * @throws NullPointerException when {@code policy} is {@code null}
     */
    public PoolConfig withLeakPolicy(LeakPolicy policy) {
        return new PoolConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, allowGrowth, maxBlocks, checked,
                policy, origin);
    }

    /**
     * Returns a copy that says where it was written, so that errors name what to change there (see
     * {@link ConfigOrigin}); generated {@code _Memory} classes name their {@code @Allocator} class.
     *
     * @param origin where the configuration was written
     * @return the new configuration
     * @throws NullPointerException when {@code origin} is {@code null}
     */
    public PoolConfig withOrigin(ConfigOrigin origin) {
        return new PoolConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, allowGrowth, maxBlocks, checked,
                leakPolicy, Objects.requireNonNull(origin, "origin"));
    }

    /**
     * Renders the configuration as a JSON object, with the component names as keys and the fill pattern as its
     * number or {@code null}. A running service can log or expose exactly how each pool is set up.
     *
     * @return a JSON object such as {@code {"threadSafe":false,"trackStats":true,"fillPattern":null,...}}
     */
    public String toJson() {
        return Json.object()
                .member("threadSafe", threadSafe)
                .member("trackStats", trackStats)
                .member("fillPattern", fillPattern)
                .member("zeroOnRelease", zeroOnRelease)
                .member("allowGrowth", allowGrowth)
                .member("maxBlocks", maxBlocks)
                .member("checked", checked)
                .member("leakPolicy", leakPolicy.name())
                .toString();
    }
}
