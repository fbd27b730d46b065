package io.nebula.memory.pool;

import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolConfigTest {

    private static final OptionalInt NONE = OptionalInt.empty();
    private static final long UNBOUNDED = Long.MAX_VALUE;

    @Test
    void defaultsAreConfinedUntrackedUnfilledFixedUncheckedAndWarnOfLeaks() {
        PoolConfig config = PoolConfig.defaults();
        assertFalse(config.threadSafe());
        assertFalse(config.trackStats());
        assertEquals(NONE, config.fillPattern());
        assertFalse(config.zeroOnRelease());
        assertFalse(config.allowGrowth());
        assertEquals(UNBOUNDED, config.maxBlocks());
        assertFalse(config.checked());
        assertEquals(LeakPolicy.WARN, config.leakPolicy());
    }

    @Test
    void eachWitherChangesOnlyItsComponent() {
        PoolConfig base = PoolConfig.defaults();
        assertEquals(new PoolConfig(true, false, NONE, false, false, UNBOUNDED, false, LeakPolicy.WARN),
                base.withThreadSafe(true));
        assertEquals(new PoolConfig(false, true, NONE, false, false, UNBOUNDED, false, LeakPolicy.WARN),
                base.withTrackStats(true));
        assertEquals(new PoolConfig(false, false, OptionalInt.of(0xAA), false, false, UNBOUNDED, false,
                LeakPolicy.WARN), base.withFillPattern((byte) 0xAA));
        assertEquals(base, base.withFillPattern((byte) 1).withoutFillPattern());
        assertEquals(new PoolConfig(false, false, NONE, true, false, UNBOUNDED, false, LeakPolicy.WARN),
                base.withZeroOnRelease(true));
        assertEquals(new PoolConfig(false, false, NONE, false, true, UNBOUNDED, false, LeakPolicy.WARN),
                base.withAllowGrowth(true));
        assertEquals(new PoolConfig(false, false, NONE, false, false, 100, false, LeakPolicy.WARN),
                base.withMaxBlocks(100));
        assertEquals(new PoolConfig(false, false, NONE, false, false, UNBOUNDED, true, LeakPolicy.WARN),
                base.withChecked(true));
        assertEquals(new PoolConfig(false, false, NONE, false, false, UNBOUNDED, false, LeakPolicy.FAIL),
                base.withLeakPolicy(LeakPolicy.FAIL));
    }

    @Test
    void withersChainWithoutLosingEarlierChanges() {
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true).withAllowGrowth(true)
                .withMaxBlocks(64).withFillPattern((byte) -1).withZeroOnRelease(true).withChecked(true)
                .withLeakPolicy(LeakPolicy.IGNORE);
        assertTrue(config.threadSafe());
        assertTrue(config.trackStats());
        assertTrue(config.allowGrowth());
        assertEquals(64, config.maxBlocks());
        assertEquals(OptionalInt.of(0xFF), config.fillPattern());
        assertTrue(config.zeroOnRelease());
        assertTrue(config.checked());
        assertEquals(LeakPolicy.IGNORE, config.leakPolicy());
    }

    @Test
    void rejectsAFillPatternThatIsNotAByte() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PoolConfig(false, false, OptionalInt.of(256), false, false, 1, false, LeakPolicy.WARN));
        assertEquals("fillPattern must be a byte value (-128 to 255), was 256", e.getMessage());
    }

    @Test
    void rejectsAMaxBlocksBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolConfig.defaults().withMaxBlocks(0));
        assertEquals("maxBlocks must be at least 1, was 0", e.getMessage());
    }

    @Test
    void rejectsANullFillPatternOrLeakPolicy() {
        assertThrows(NullPointerException.class,
                () -> new PoolConfig(false, false, null, false, false, 1, false, LeakPolicy.WARN));
        assertThrows(NullPointerException.class, () -> PoolConfig.defaults().withLeakPolicy(null));
    }
}
