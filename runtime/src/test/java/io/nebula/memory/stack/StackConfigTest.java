package io.nebula.memory.stack;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackConfigTest {

    @Test
    void defaultsTrackNothingFillNothingAndZeroNothing() {
        StackConfig config = StackConfig.defaults();
        assertFalse(config.trackStats());
        assertEquals(OptionalInt.empty(), config.fillPattern());
        assertFalse(config.zeroOnRelease());
        assertSame(config, StackConfig.defaults());
    }

    @Test
    void withersChangeOneComponentEach() {
        StackConfig config = StackConfig.defaults()
                .withTrackStats(true)
                .withFillPattern((byte) 0xAA)
                .withZeroOnRelease(true);
        assertEquals(new StackConfig(true, OptionalInt.of(0xAA), true), config);
        assertEquals(new StackConfig(false, OptionalInt.of(0xAA), true), config.withTrackStats(false));
        assertEquals(new StackConfig(true, OptionalInt.empty(), true), config.withoutFillPattern());
        assertEquals(new StackConfig(true, OptionalInt.of(0xAA), false), config.withZeroOnRelease(false));
    }

    @Test
    void fillPatternIsStoredAsAnUnsignedByte() {
        assertEquals(OptionalInt.of(0xFF), StackConfig.defaults().withFillPattern((byte) -1).fillPattern());
        assertEquals(OptionalInt.of(0), StackConfig.defaults().withFillPattern((byte) 0).fillPattern());
    }

    @Test
    void constructorAcceptsEveryByteValueAndRejectsOthers() {
        assertTrue(new StackConfig(false, OptionalInt.of(-128), false).fillPattern().isPresent());
        assertTrue(new StackConfig(false, OptionalInt.of(255), false).fillPattern().isPresent());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> new StackConfig(false, OptionalInt.of(256), false));
        assertEquals("fillPattern must be a byte value (-128 to 255), was 256", high.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StackConfig(false, OptionalInt.of(-129), false));
        assertThrows(NullPointerException.class, () -> new StackConfig(false, null, false));
    }
}
