package io.nebula.memory.processor.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.Endianness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layout algorithm on its own, without a compiler. */
class LayoutCalculatorTest {
    private static LayoutCalculator.Input field(String name, Primitive primitive) {
        return new LayoutCalculator.Input(name, new FieldType.OfPrimitive(primitive), Field.SCALAR);
    }

    @Test
    void fieldsAreAlignedAndTheSizeIsRoundedUpToTheLargestAlignment() throws Exception {
        LayoutCalculator.Result result = LayoutCalculator.compute(
                List.of(field("a", Primitive.BYTE), field("b", Primitive.INT), field("c", Primitive.SHORT)), false, -1);
        assertEquals(12, result.size());
        assertEquals(4, result.alignment());
        assertEquals("a: byte @0, $pad0 @1 (3 bytes), b: int @4, c: short @8, $pad1 @10 (2 bytes)",
                LayoutCalculator.describe(result.members()));
    }

    @Test
    void packedFieldsFollowOneAnotherWithoutPadding() throws Exception {
        LayoutCalculator.Result result = LayoutCalculator.compute(
                List.of(field("a", Primitive.BYTE), field("b", Primitive.LONG)), true, -1);
        assertEquals(9, result.size());
        assertEquals(1, result.alignment());
        assertEquals("a: byte @0, b: long @1", LayoutCalculator.describe(result.members()));
    }

    @Test
    void anExplicitAlignmentAddsTrailingPadding() throws Exception {
        LayoutCalculator.Result result = LayoutCalculator.compute(List.of(field("a", Primitive.INT)), false, 32);
        assertEquals(32, result.size());
        assertEquals(32, result.alignment());
        assertEquals(4, result.naturalAlignment());
    }

    @Test
    void arraysAreLaidOutInlineAtTheirElementAlignment() throws Exception {
        LayoutCalculator.Result result = LayoutCalculator.compute(List.of(field("tag", Primitive.BYTE),
                new LayoutCalculator.Input("values", new FieldType.OfPrimitive(Primitive.DOUBLE), 3)), false, -1);
        assertEquals(32, result.size());
        assertEquals("tag: byte @0, $pad0 @1 (7 bytes), values: double[3] @8",
                LayoutCalculator.describe(result.members()));
    }

    @Test
    void aSizeBeyondALongNamesTheFieldWhereItOverflowed() {
        StructModel huge = new StructModel(null, ClassName.get("p", "Huge"), ClassName.get("p", "HugeStruct"), true,
                false, Endianness.NATIVE, List.of(), 1L << 62, 8, 8, java.util.Set.of());
        LayoutCalculator.OverflowException overflow = assertThrows(LayoutCalculator.OverflowException.class,
                () -> LayoutCalculator.compute(List.of(field("tag", Primitive.BYTE),
                        new LayoutCalculator.Input("hugeOnes", new FieldType.OfStruct(huge), 4)), false, -1));
        assertEquals("hugeOnes", overflow.field());
    }
}
