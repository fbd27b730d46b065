package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Layout truth: for every shape, the generated layout, size, alignment and offsets equal a hand-built
 * {@link MemoryLayout#structLayout}, and values cross between generated accessors and hand-written FFM access
 * in both directions.
 */
@ParameterizedClass
@EnumSource(Toolchain.class)
class LayoutTruthTest {
    @Parameter
    Toolchain toolchain;

    private static Compilations.Loaded loaded;

    @BeforeParameterizedClassInvocation
    static void compileShapes(Toolchain toolchain) {
        Compilation compilation = Compilations.compile(toolchain, Compilations.source("shapes.Shapes",
                "package shapes;",
                "import io.nebula.memory.annotation.*;",
                "public final class Shapes {",
                "    private Shapes() {}",
                "    @Struct public record Mixed(byte a, long b, short c, int d, char e, float f, double g,",
                "            boolean h) {}",
                "    @Struct public record Vec(float x, float y, float z) {}",
                "    @Struct public record Particle(Vec position, byte kind, double mass,",
                "            @Array(length = 3) float[] velocity) {}",
                "    @Struct public record Header(int version, @Array(length = 5) byte[] name,",
                "            @Array(length = 2) Vec[] corners, @Array(length = 3) long[] ids) {}",
                "    @Struct(packed = true) public record Packed(byte a, int b, short c, long d) {}",
                "    @Struct(alignment = 64) public record Line(int a, byte b) {}",
                "    @Struct(byteOrder = Endianness.BIG_ENDIAN) public record Net(short port, int address) {}",
                "}"));
        assertThat(compilation).succeededWithoutWarnings();
        loaded = Compilations.load(compilation);
    }

    private static final StructLayout MIXED = MemoryLayout.structLayout(
            JAVA_BYTE.withName("a"), MemoryLayout.paddingLayout(7).withName("$pad0"),
            JAVA_LONG.withName("b"), JAVA_SHORT.withName("c"), MemoryLayout.paddingLayout(2).withName("$pad1"),
            JAVA_INT.withName("d"), JAVA_CHAR.withName("e"), MemoryLayout.paddingLayout(2).withName("$pad2"),
            JAVA_FLOAT.withName("f"), JAVA_DOUBLE.withName("g"), JAVA_BOOLEAN.withName("h"),
            MemoryLayout.paddingLayout(7).withName("$pad3"));
    private static final StructLayout VEC = MemoryLayout.structLayout(
            JAVA_FLOAT.withName("x"), JAVA_FLOAT.withName("y"), JAVA_FLOAT.withName("z"));
    private static final StructLayout PARTICLE = MemoryLayout.structLayout(
            VEC.withName("position"), JAVA_BYTE.withName("kind"), MemoryLayout.paddingLayout(3).withName("$pad0"),
            JAVA_DOUBLE.withName("mass"), MemoryLayout.sequenceLayout(3, JAVA_FLOAT).withName("velocity"),
            MemoryLayout.paddingLayout(4).withName("$pad1"));
    private static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_INT.withName("version"), MemoryLayout.sequenceLayout(5, JAVA_BYTE).withName("name"),
            MemoryLayout.paddingLayout(3).withName("$pad0"),
            MemoryLayout.sequenceLayout(2, VEC).withName("corners"), MemoryLayout.paddingLayout(4).withName("$pad1"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("ids"));
    private static final StructLayout PACKED = MemoryLayout.structLayout(
            JAVA_BYTE.withName("a"), JAVA_INT_UNALIGNED.withName("b"), JAVA_SHORT_UNALIGNED.withName("c"),
            JAVA_LONG_UNALIGNED.withName("d"));
    private static final StructLayout LINE = MemoryLayout.structLayout(
            JAVA_INT.withName("a"), JAVA_BYTE.withName("b"), MemoryLayout.paddingLayout(59).withName("$pad0"))
            .withByteAlignment(64);
    private static final StructLayout NET = MemoryLayout.structLayout(
            JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN).withName("port"),
            MemoryLayout.paddingLayout(2).withName("$pad0"),
            JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withName("address"));

    private static String struct(String record) {
        return "shapes.Shapes_" + record + "Struct";
    }

    /** Size, alignment, every offset and the whole layout equal the hand-built one. */
    private static void assertSameLayout(String record, StructLayout expected) {
        String type = struct(record);
        StructLayout generated = (StructLayout) loaded.constant(type, "LAYOUT");
        assertEquals(expected, generated, record + ": generated layout");
        assertEquals(expected.byteSize(), loaded.constant(type, "SIZE"), record + ": SIZE");
        assertEquals(expected.byteAlignment(), loaded.constant(type, "ALIGNMENT"), record + ": ALIGNMENT");
        for (MemoryLayout member : expected.memberLayouts()) {
            String name = member.name().orElseThrow();
            if (name.startsWith("$pad")) {
                continue;
            }
            long offset = expected.byteOffset(groupElement(name));
            assertEquals(offset, generated.byteOffset(groupElement(name)), record + "." + name + ": layout offset");
            assertEquals(offset, loaded.constant(type, "OFFSET_" + name.toUpperCase(java.util.Locale.ROOT)),
                    record + "." + name + ": OFFSET constant");
        }
    }

    @Test
    void mixedSizesArePaddedToEachFieldsNaturalAlignment() {
        assertSameLayout("Mixed", MIXED);
        assertEquals(48L, MIXED.byteSize());
    }

    @Test
    void nestedStructsAndArraysAreInline() {
        assertSameLayout("Vec", VEC);
        assertSameLayout("Particle", PARTICLE);
        assertSameLayout("Header", HEADER);
        assertEquals(40L, PARTICLE.byteSize());
        assertEquals(64L, HEADER.byteSize());
    }

    @Test
    void packedStructsHaveNoPaddingAndAlignmentOne() {
        assertSameLayout("Packed", PACKED);
        assertEquals(15L, PACKED.byteSize());
        assertEquals(1L, PACKED.byteAlignment());
    }

    @Test
    void anExplicitAlignmentRoundsTheSizeUp() {
        assertSameLayout("Line", LINE);
        assertEquals(64L, LINE.byteSize());
    }

    @Test
    void aByteOrderIsPartOfTheLayout() {
        assertSameLayout("Net", NET);
    }

    @Test
    void mixedValuesCrossBetweenGeneratedAndHandWrittenAccessInBothDirections() {
        String type = struct("Mixed");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(MIXED, 2);
            long at = MIXED.byteSize(); // the second element, so that the view's offset is exercised
            Object second = loaded.call(type, "view", segment, at);
            loaded.call(second, "a", (byte) -7);
            loaded.call(second, "b", 0x0102030405060708L);
            loaded.call(second, "c", (short) -300);
            loaded.call(second, "d", 123_456_789);
            loaded.call(second, "e", 'é');
            loaded.call(second, "f", 1.5f);
            loaded.call(second, "g", -2.25);
            loaded.call(second, "h", true);
            assertEquals((byte) -7, segment.get(JAVA_BYTE, at + offset(MIXED, "a")));
            assertEquals(0x0102030405060708L, segment.get(JAVA_LONG, at + offset(MIXED, "b")));
            assertEquals((short) -300, segment.get(JAVA_SHORT, at + offset(MIXED, "c")));
            assertEquals(123_456_789, segment.get(JAVA_INT, at + offset(MIXED, "d")));
            assertEquals('é', segment.get(JAVA_CHAR, at + offset(MIXED, "e")));
            assertEquals(1.5f, segment.get(JAVA_FLOAT, at + offset(MIXED, "f")));
            assertEquals(-2.25, segment.get(JAVA_DOUBLE, at + offset(MIXED, "g")));
            assertEquals(true, segment.get(JAVA_BOOLEAN, at + offset(MIXED, "h")));

            segment.set(JAVA_BYTE, offset(MIXED, "a"), (byte) 9);
            segment.set(JAVA_LONG, offset(MIXED, "b"), -1L);
            segment.set(JAVA_SHORT, offset(MIXED, "c"), (short) 7);
            segment.set(JAVA_INT, offset(MIXED, "d"), -5);
            segment.set(JAVA_CHAR, offset(MIXED, "e"), 'z');
            segment.set(JAVA_FLOAT, offset(MIXED, "f"), -0.5f);
            segment.set(JAVA_DOUBLE, offset(MIXED, "g"), 1e300);
            segment.set(JAVA_BYTE, offset(MIXED, "h"), (byte) 1);
            Object first = loaded.call(type, "view", segment);
            assertEquals((byte) 9, loaded.call(first, "a"));
            assertEquals(-1L, loaded.call(first, "b"));
            assertEquals((short) 7, loaded.call(first, "c"));
            assertEquals(-5, loaded.call(first, "d"));
            assertEquals('z', loaded.call(first, "e"));
            assertEquals(-0.5f, loaded.call(first, "f"));
            assertEquals(1e300, loaded.call(first, "g"));
            assertEquals(true, loaded.call(first, "h"));
        }
    }

    @Test
    void packedValuesAreWrittenUnalignedWhereTheHandWrittenLayoutExpectsThem() {
        String type = struct("Packed");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(PACKED.byteSize() + 1);
            long at = 1; // odd: every multi-byte field is misaligned
            Object view = loaded.call(type, "view", segment, at);
            loaded.call(view, "b", 0xCAFEBABE);
            loaded.call(view, "c", (short) 0x1234);
            loaded.call(view, "d", Long.MIN_VALUE + 3);
            assertEquals(0xCAFEBABE, segment.get(JAVA_INT_UNALIGNED, at + offset(PACKED, "b")));
            assertEquals((short) 0x1234, segment.get(JAVA_SHORT_UNALIGNED, at + offset(PACKED, "c")));
            assertEquals(Long.MIN_VALUE + 3, segment.get(JAVA_LONG_UNALIGNED, at + offset(PACKED, "d")));

            segment.set(JAVA_LONG_UNALIGNED, at + offset(PACKED, "d"), 42L);
            assertEquals(42L, loaded.call(view, "d"));
        }
    }

    @Test
    void bigEndianFieldsAreStoredMostSignificantByteFirst() {
        String type = struct("Net");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(NET);
            Object view = loaded.call(type, "view", segment);
            loaded.call(view, "address", 0x0A000001);
            loaded.call(view, "port", (short) 8080);
            assertEquals((byte) 0x0A, segment.get(JAVA_BYTE, 4));
            assertEquals((byte) 0x01, segment.get(JAVA_BYTE, 7));
            assertEquals((short) 8080, segment.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 0));
        }
    }

    @Test
    void arrayAndNestedElementsCrossBetweenGeneratedAndHandWrittenAccess() {
        String header = struct("Header");
        String particle = struct("Particle");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(HEADER);
            Object view = loaded.call(header, "view", segment);
            for (long i = 0; i < 3; i++) {
                loaded.call(view, "ids", i, 100 + i);
            }
            loaded.call(view, "name", 4L, (byte) 'x');
            long corner1 = HEADER.byteOffset(groupElement("corners"), MemoryLayout.PathElement.sequenceElement(1),
                    groupElement("y"));
            segment.set(JAVA_FLOAT, corner1, 3.5f);
            for (long i = 0; i < 3; i++) {
                assertEquals(100 + i, segment.get(JAVA_LONG, HEADER.byteOffset(groupElement("ids"),
                        MemoryLayout.PathElement.sequenceElement(i))));
            }
            assertEquals((byte) 'x', segment.get(JAVA_BYTE, HEADER.byteOffset(groupElement("name"),
                    MemoryLayout.PathElement.sequenceElement(4))));
            Object corner = loaded.call(view, "corners", 1L);
            assertEquals(corner1, (long) loaded.call(corner, "offset")
                    + (long) loaded.constant(struct("Vec"), "OFFSET_Y"));
            assertEquals(3.5f, loaded.call(corner, "y"));

            MemorySegment p = arena.allocate(PARTICLE);
            Object particleView = loaded.call(particle, "view", p);
            loaded.call(particleView, "velocity", 2L, 9.75f);
            assertEquals(9.75f, p.get(JAVA_FLOAT, PARTICLE.byteOffset(groupElement("velocity"),
                    MemoryLayout.PathElement.sequenceElement(2))));
            p.set(JAVA_FLOAT, PARTICLE.byteOffset(groupElement("position"), groupElement("z")), -1f);
            assertEquals(-1f, loaded.call(loaded.call(particleView, "position"), "z"));
            assertEquals(loaded.constant(particle, "OFFSET_POSITION"),
                    loaded.call(loaded.call(particleView, "position"), "offset"));
        }
    }

    private static long offset(GroupLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }
}
