package io.nebula.memory.stack;

import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackConfigTest {

    @Test
    void defaultsAreConfinedUncheckedAndWarnOfLeaks() {
        StackConfig config = StackConfig.defaults();
        assertFalse(config.threadSafe());
        assertFalse(config.trackStats());
        assertEquals(OptionalInt.empty(), config.fillPattern());
        assertFalse(config.zeroOnRelease());
        assertFalse(config.checked());
        assertEquals(LeakPolicy.WARN, config.leakPolicy());
        assertSame(config, StackConfig.defaults());
    }

    @Test
    void withersChangeOneComponentEach() {
        StackConfig config = StackConfig.defaults()
                .withThreadSafe(true)
                .withTrackStats(true)
                .withFillPattern((byte) 0xAA)
                .withZeroOnRelease(true)
                .withChecked(true)
                .withLeakPolicy(LeakPolicy.FAIL);
        OptionalInt aa = OptionalInt.of(0xAA);
        assertEquals(new StackConfig(true, true, aa, true, true, LeakPolicy.FAIL), config);
        assertEquals(new StackConfig(false, true, aa, true, true, LeakPolicy.FAIL), config.withThreadSafe(false));
        assertEquals(new StackConfig(true, false, aa, true, true, LeakPolicy.FAIL), config.withTrackStats(false));
        assertEquals(new StackConfig(true, true, OptionalInt.empty(), true, true, LeakPolicy.FAIL),
                config.withoutFillPattern());
        assertEquals(new StackConfig(true, true, aa, false, true, LeakPolicy.FAIL), config.withZeroOnRelease(false));
        assertEquals(new StackConfig(true, true, aa, true, false, LeakPolicy.FAIL), config.withChecked(false));
        assertEquals(new StackConfig(true, true, aa, true, true, LeakPolicy.IGNORE),
                config.withLeakPolicy(LeakPolicy.IGNORE));
    }

    @Test
    void regionSizeIsAutomaticByDefaultRoundedToCacheLinesAndAtMostTheCapacity() {
        StackConfig config = StackConfig.defaults();
        assertEquals(0, config.regionSize());
        long processors = Runtime.getRuntime().availableProcessors();
        long perThread = (1L << 30) / (4 * processors);
        assertEquals(Math.min(1024 * 1024, perThread & -64), config.effectiveRegionSize(1L << 30));
        assertEquals(256, config.effectiveRegionSize(256 * 4 * processors - 1), "at least 256 bytes");
        assertEquals(100, config.effectiveRegionSize(100), "a small stack is one region");
        assertEquals(192, config.withRegionSize(200).effectiveRegionSize(4096), "rounded down to 64 bytes");
        assertEquals(4096, config.withRegionSize(10_000).effectiveRegionSize(4096));
        assertThrows(IllegalArgumentException.class, () -> config.withRegionSize(63));
        assertThrows(IllegalArgumentException.class, () -> config.withRegionSize(-1));
    }

    @Test
    void fillPatternIsStoredAsAnUnsignedByte() {
        assertEquals(OptionalInt.of(0xFF), StackConfig.defaults().withFillPattern((byte) -1).fillPattern());
        assertEquals(OptionalInt.of(0), StackConfig.defaults().withFillPattern((byte) 0).fillPattern());
    }

    @Test
    void constructorAcceptsEveryByteValueAndRejectsOthers() {
        assertTrue(config(OptionalInt.of(-128)).fillPattern().isPresent());
        assertTrue(config(OptionalInt.of(255)).fillPattern().isPresent());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> config(OptionalInt.of(256)));
        assertEquals("fillPattern must be a byte value (-128 to 255), was 256", high.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config(OptionalInt.of(-129)));
        assertThrows(NullPointerException.class, () -> config(null));
        assertThrows(NullPointerException.class,
                () -> new StackConfig(false, false, OptionalInt.empty(), false, false, null));
    }

    private static StackConfig config(OptionalInt fillPattern) {
        return new StackConfig(false, false, fillPattern, false, false, LeakPolicy.WARN);
    }
}
