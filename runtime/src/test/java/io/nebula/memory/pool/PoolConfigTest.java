package io.nebula.memory.pool;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolConfigTest {

    @Test
    void defaultsTrackNothingFillNothingAndNeverGrow() {
        PoolConfig config = PoolConfig.defaults();
        assertFalse(config.trackStats());
        assertEquals(OptionalInt.empty(), config.fillPattern());
        assertFalse(config.zeroOnReset());
        assertFalse(config.allowGrowth());
        assertEquals(Long.MAX_VALUE, config.maxBlocks());
    }

    @Test
    void eachWitherChangesOnlyItsComponent() {
        PoolConfig base = PoolConfig.defaults();
        assertEquals(new PoolConfig(true, OptionalInt.empty(), false, false, Long.MAX_VALUE),
                base.withTrackStats(true));
        assertEquals(new PoolConfig(false, OptionalInt.of(0xAA), false, false, Long.MAX_VALUE),
                base.withFillPattern((byte) 0xAA));
        assertEquals(base, base.withFillPattern((byte) 1).withoutFillPattern());
        assertEquals(new PoolConfig(false, OptionalInt.empty(), true, false, Long.MAX_VALUE),
                base.withZeroOnReset(true));
        assertEquals(new PoolConfig(false, OptionalInt.empty(), false, true, Long.MAX_VALUE),
                base.withAllowGrowth(true));
        assertEquals(new PoolConfig(false, OptionalInt.empty(), false, false, 100), base.withMaxBlocks(100));
    }

    @Test
    void withersChainWithoutLosingEarlierChanges() {
        PoolConfig config = PoolConfig.defaults().withTrackStats(true).withAllowGrowth(true).withMaxBlocks(64)
                .withFillPattern((byte) -1).withZeroOnReset(true);
        assertTrue(config.trackStats());
        assertTrue(config.allowGrowth());
        assertEquals(64, config.maxBlocks());
        assertEquals(OptionalInt.of(0xFF), config.fillPattern());
        assertTrue(config.zeroOnReset());
    }

    @Test
    void rejectsAFillPatternThatIsNotAByte() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PoolConfig(false, OptionalInt.of(256), false, false, 1));
        assertEquals("fillPattern must be a byte value (-128 to 255), was 256", e.getMessage());
    }

    @Test
    void rejectsAMaxBlocksBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolConfig.defaults().withMaxBlocks(0));
        assertEquals("maxBlocks must be at least 1, was 0", e.getMessage());
    }

    @Test
    void rejectsANullFillPattern() {
        assertThrows(NullPointerException.class, () -> new PoolConfig(false, null, false, false, 1));
    }
}
