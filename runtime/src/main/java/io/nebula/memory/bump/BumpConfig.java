package io.nebula.memory.bump;

import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.internal.Json;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a {@link BumpAllocator} behaves. Immutable; start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * BumpConfig config = BumpConfig.defaults().withTrackStats(true).withFillPattern((byte) 0xAA);
 * BumpConfig growing = BumpConfig.defaults().withGrowth(1 << 20, 64L << 20);   // chunks up to 1 MiB, 64 MiB in all
 * }</pre>
 *
 * @param threadSafe    let any thread use the arena: each thread allocates inside a thread buffer of its own,
 *                      reserved from the arena with one compare-and-set, and the native memory belongs to shared
 *                      {@link java.lang.foreign.Arena}s
 * @param trackStats    count allocations, bytes, releases and growths ({@link BumpAllocator#statistics()}); costs a
 *                      few increments per allocation (striped counters when thread-safe)
 * @param fillPattern   a byte written over every new allocation, to make use of uninitialised memory visible in a
 *                      debugger or a test; empty for none (the default)
 * @param zeroOnRelease make every byte released by {@code reset()}, {@code restore()} or a scope's close read as
 *                      zero when it is handed out again; costs O(bytes released) per release (thread-safe arenas
 *                      zero each new allocation instead, since released bytes may already be in another thread's
 *                      hands)
 * @param checked       checked mode: a segment obtained before a restore or reset and used after it throws instead
 *                      of reading newer data; costs a JDK arena allocation per allocation (see
 *                      {@link BumpAllocator}). Also forced on by {@code -Dnebula.memory.checked=true}
 * @param leakPolicy    what {@code close()} does when scopes are still open
 * @param growth        empty for a fixed arena (the default): one block of the capacity given at creation, and
 *                      {@code OUT_OF_MEMORY} when it is full. Present for a growable arena, which chains a new chunk
 *                      when the current one is full (see {@link Growth})
 * @param threadBufferBytes a thread-safe arena's thread buffer size: each thread reserves a slice of the arena
 *                      this large with one compare-and-set and allocates inside it without atomics (see
 *                      {@link BumpAllocator}); {@link #AUTOMATIC_THREAD_BUFFER} (0, the default) picks it from the
 *                      capacity. Ignored by confined arenas
 * @param origin        where the configuration was written, for the text of error suggestions
 */
public record BumpConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                         boolean checked, LeakPolicy leakPolicy, Optional<Growth> growth, long threadBufferBytes,
                         ConfigOrigin origin) {

    /**
     * The {@link #threadBufferBytes()} that picks the size from the capacity: a 64th of it (of the first chunk's,
     * for a growable arena), rounded down to 64 bytes, at most 64 KiB; none at all (every request claimed on its
     * own by compare-and-set) for an arena under 4 KiB, so that one thread's buffer never holds most of it.
     */
    public static final long AUTOMATIC_THREAD_BUFFER = 0;

    private static final BumpConfig DEFAULTS =
            new BumpConfig(false, false, OptionalInt.empty(), false, false, LeakPolicy.WARN, Optional.empty(),
                    AUTOMATIC_THREAD_BUFFER, ConfigOrigin.code());

    /**
     * How a growable arena grows. The capacity given to {@link BumpAllocator#create(long, BumpConfig)} is the size
     * of the first chunk; when a request does not fit in the rest of the current chunk, the arena moves to a new
     * chunk (or to a spare one it kept, see below). New chunks double: the first new chunk is twice the capacity,
     * each later one twice the previous new one (or more, in powers of two, when the request needs it), never more
     * than {@code maxChunkBytes}. A request larger than {@code maxChunkBytes} gets a chunk of its own, its size
     * rounded up to 64 bytes. The bytes reserved in all chunks together never exceed {@code limitBytes}: the last
     * chunk is cut short to stay within it, and a request that cannot fit in what the limit leaves fails with
     * {@link io.nebula.memory.ErrorCode#OUT_OF_MEMORY}.
     *
     * <p>Chunks released by a {@code restore} or a scope's close stay reserved, as spares that later growth uses
     * before reserving anything new. {@code reset()} keeps the largest chunk and frees the others, unless
     * {@code keepAllChunks}.
     *
     * @param maxChunkBytes the largest chunk growth reserves for ordinary requests, at least 1
     * @param limitBytes    the most bytes the arena may reserve in all its chunks together, at least 1;
     *                      {@link Long#MAX_VALUE} for no limit beyond native memory
     * @param keepAllChunks make {@code reset()} keep every chunk for reuse instead of freeing all but the largest:
     *                      no native allocation at all in a steady state, at the price of holding the peak
     *                      footprint until {@code close()}
     */
    public record Growth(long maxChunkBytes, long limitBytes, boolean keepAllChunks) {

        /**
         * Checks the components.
         *
         * @throws IllegalArgumentException when {@code maxChunkBytes < 1} or {@code limitBytes < 1}
         */
        public Growth {
            if (maxChunkBytes < 1) {
                throw new IllegalArgumentException("maxChunkBytes must be at least 1, was " + maxChunkBytes);
            }
            if (limitBytes < 1) {
                throw new IllegalArgumentException("limitBytes must be at least 1, was " + limitBytes);
            }
        }
    }

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException when the fill pattern is not a byte value (-128 to 255), or
     *     {@code threadBufferBytes} is negative
     * @throws NullPointerException when {@code fillPattern}, {@code leakPolicy}, {@code growth} or {@code origin} is
     *     {@code null}
     */
    public BumpConfig {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(fillPattern, "fillPattern");
        Objects.requireNonNull(leakPolicy, "leakPolicy");
        Objects.requireNonNull(growth, "growth");
        if (fillPattern.isPresent() && (fillPattern.getAsInt() < Byte.MIN_VALUE || fillPattern.getAsInt() > 0xFF)) {
            throw new IllegalArgumentException("fillPattern must be a byte value (-128 to 255), was "
                    + fillPattern.getAsInt());
        }
        if (threadBufferBytes < 0) {
            throw new IllegalArgumentException("threadBufferBytes must be 0 (automatic) or a size in bytes, was "
                    + threadBufferBytes);
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
     * @param growth as for the canonical constructor
     */
    public BumpConfig(boolean threadSafe, boolean trackStats, OptionalInt fillPattern, boolean zeroOnRelease,
                      boolean checked, LeakPolicy leakPolicy, Optional<Growth> growth) {
        this(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, growth, AUTOMATIC_THREAD_BUFFER,
                ConfigOrigin.code());
    }

    /**
     * Returns the defaults: confined, no statistics, no fill pattern, no zeroing, unchecked, leaks logged as
     * warnings, a fixed arena, thread buffers sized automatically.
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
        return new BumpConfig(on, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy,
                growth, threadBufferBytes, origin);
    }

    /**
     * Returns a copy with statistics on or off.
     *
     * @param on whether to track statistics
     * @return the new configuration
     */
    public BumpConfig withTrackStats(boolean on) {
        return new BumpConfig(threadSafe, on, fillPattern, zeroOnRelease, checked, leakPolicy,
                growth, threadBufferBytes, origin);
    }

    /**
     * Returns a copy that writes {@code pattern} over every new allocation.
     *
     * @param pattern the byte to write
     * @return the new configuration
     */
    public BumpConfig withFillPattern(byte pattern) {
        return new BumpConfig(threadSafe, trackStats, OptionalInt.of(pattern & 0xFF), zeroOnRelease, checked,
                leakPolicy, growth, threadBufferBytes, origin);
    }

    /**
     * Returns a copy that writes no fill pattern.
     *
     * @return the new configuration
     */
    public BumpConfig withoutFillPattern() {
        return new BumpConfig(threadSafe, trackStats, OptionalInt.empty(), zeroOnRelease, checked, leakPolicy,
                growth, threadBufferBytes, origin);
    }

    /**
     * Returns a copy with zero-on-release on or off.
     *
     * @param on whether released memory reads as zero when handed out again
     * @return the new configuration
     */
    public BumpConfig withZeroOnRelease(boolean on) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, on, checked, leakPolicy,
                growth, threadBufferBytes, origin);
    }

    /**
     * Returns a copy with checked mode on or off.
     *
     * @param on whether to detect use after restore or reset
     * @return the new configuration
     */
    public BumpConfig withChecked(boolean on) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, on, leakPolicy,
                growth, threadBufferBytes, origin);
    }

    /**
     * Returns a copy with another leak policy.
     *
     * @param policy what {@code close()} does with open scopes
     * @return the new configuration
     * @throws NullPointerException when {@code policy} is {@code null}
     */
    public BumpConfig withLeakPolicy(LeakPolicy policy) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, policy,
                growth, threadBufferBytes, origin);
    }

    /**
     * Returns a copy for a growable arena: chunks of at most {@code maxChunkBytes} for ordinary requests, at most
     * {@code limitBytes} reserved in all, and {@code reset()} keeping only the largest chunk (see {@link Growth}).
     *
     * @param maxChunkBytes the largest chunk growth reserves for ordinary requests, at least 1
     * @param limitBytes    the most bytes reserved in all chunks together, at least 1; {@link Long#MAX_VALUE} for
     *                      no limit
     * @return the new configuration
     * @throws IllegalArgumentException when either bound is below 1
     */
    public BumpConfig withGrowth(long maxChunkBytes, long limitBytes) {
        return withGrowth(new Growth(maxChunkBytes, limitBytes, false));
    }

    /**
     * Returns a copy for a growable arena that grows as {@code growth} says.
     *
     * @param growth how the arena grows
     * @return the new configuration
     * @throws NullPointerException when {@code growth} is {@code null}
     */
    public BumpConfig withGrowth(Growth growth) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy,
                Optional.of(growth), threadBufferBytes, origin);
    }

    /**
     * Returns a copy for a fixed arena: one block, no growth.
     *
     * @return the new configuration
     */
    public BumpConfig withoutGrowth() {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy,
                Optional.empty(), threadBufferBytes, origin);
    }

    /**
     * Returns a copy whose growable arena keeps every chunk at {@code reset()} ({@code true}) or only the largest
     * ({@code false}, the default).
     *
     * @param on whether {@code reset()} keeps every chunk
     * @return the new configuration
     * @throws IllegalStateException when this configuration has no growth: call {@link #withGrowth(long, long)}
     *     first
     */
    public BumpConfig withKeepAllChunks(boolean on) {
        Growth current = growth.orElseThrow(() -> new IllegalStateException(
                "keepAllChunks applies to a growable arena: call withGrowth(maxChunkBytes, limitBytes) first"));
        return withGrowth(new Growth(current.maxChunkBytes(), current.limitBytes(), on));
    }

    /**
     * Renders the configuration as a JSON object, with the component names as keys (the origin excepted): the fill
     * pattern as its number or {@code null}, the growth as an object or {@code null} for a fixed arena. A running
     * service can log or expose exactly how each arena is set up.
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
                .memberJson("growth", growth.map(g -> Json.object()
                        .member("maxChunkBytes", g.maxChunkBytes())
                        .member("limitBytes", g.limitBytes())
                        .member("keepAllChunks", g.keepAllChunks())
                        .toString()).orElse("null"))
                .member("threadBufferBytes", threadBufferBytes)
                .toString();
    }

    /**
     * Returns a copy whose thread-safe arena gives each thread buffers of {@code bytes} (see
     * {@link #threadBufferBytes()}). Larger buffers mean fewer compare-and-sets on the shared position and more
     * bytes reserved but not yet used by each thread; a thread gives up at most an eighth of a buffer when it
     * moves to a new one.
     *
     * @param bytes the buffer size in bytes, or {@link #AUTOMATIC_THREAD_BUFFER} to pick it from the capacity
     * @return the new configuration
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public BumpConfig withThreadBufferBytes(long bytes) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, growth, bytes,
                origin);
    }

    /**
     * Returns a copy that says where it was written, so that errors name what to change there (see
     * {@link ConfigOrigin}); generated {@code _Memory} classes name their {@code @Allocator} class.
     *
     * @param origin where the configuration was written
     * @return the new configuration
     * @throws NullPointerException when {@code origin} is {@code null}
     */
    public BumpConfig withOrigin(ConfigOrigin origin) {
        return new BumpConfig(threadSafe, trackStats, fillPattern, zeroOnRelease, checked, leakPolicy, growth,
                threadBufferBytes, Objects.requireNonNull(origin, "origin"));
    }
}
