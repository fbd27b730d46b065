package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nebula.memory.processor.Compilations.assertErrorAt;
import static io.nebula.memory.processor.Compilations.compile;
import static io.nebula.memory.processor.Compilations.source;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every rule of the struct checks: one error, on the offending declaration, saying what is wrong and what to
 * do; bad structs are skipped while good ones still generate.
 */
@ParameterizedClass
@EnumSource(Toolchain.class)
class ValidationErrorsTest {
    @Parameter
    Toolchain toolchain;


    private static JavaFileObject shapes(String... body) {
        String[] lines = new String[body.length + 3];
        lines[0] = "package bad;";
        lines[1] = "import io.nebula.memory.annotation.*;";
        lines[2] = "import java.util.List;";
        System.arraycopy(body, 0, lines, 3, body.length);
        return source("bad.Shapes", lines);
    }

    private Compilation compileShapes(String... body) {
        return compile(toolchain, shapes(body));
    }

    @Test
    void aStructOnAClassIsRejected() {
        JavaFileObject file = shapes("@Struct final class Shapes { int x; }");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/StructNotRecord] @Struct applies to records only,"
                + " but bad.Shapes is a class", file, "@Struct final class Shapes");
    }

    @Test
    void aStructOnAnInterfaceIsRejected() {
        Compilation compilation = compileShapes("@Struct interface Shapes {}");
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("bad.Shapes is an interface");
    }

    @Test
    void anUnsupportedComponentTypeNamesTheSupportedTypes() {
        JavaFileObject file = shapes("@Struct record Shapes(int id, String name) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/UnsupportedType] Component name has type"
                + " java.lang.String, which has no native layout. Supported: byte, short, char, int, long, float,"
                + " double, boolean, a @Struct record", file, "String name");
        assertThat(compilation).hadErrorContaining("use @Array(length = N) byte[]");
    }

    @Test
    void aBoxedComponentSuggestsItsPrimitive() {
        JavaFileObject file = shapes("@Struct record Shapes(Integer count) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "Use the primitive int instead.", file, "Integer count");
    }

    @Test
    void aCollectionComponentSuggestsAnInlineArray() {
        JavaFileObject file = shapes("@Struct record Shapes(List<Integer> values) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "For a collection, use an inline array with @Array(length = N).",
                file, "List<Integer> values");
    }

    @Test
    void aRecordThatIsNotAStructSuggestsAnnotatingIt() {
        JavaFileObject file = shapes(
                "@Struct record Shapes(Plain plain) {}",
                "record Plain(int x) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "Did you mean to annotate Plain with @Struct", file, "Plain plain");
    }

    @Test
    void aStructContainingItselfNamesTheCycle() {
        JavaFileObject file = shapes("@Struct record Shapes(int value, Shapes next) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/StructCycle] Struct Shapes contains itself:"
                + " Shapes.next -> Shapes", file, "Shapes next");
    }

    @Test
    void aCycleThroughOtherStructsIsReportedOnEveryStructInIt() {
        JavaFileObject file = shapes(
                "@Struct record Shapes(A a) {",
                "    @Struct record A(int x, B b) {}",
                "    @Struct record B(@Array(length = 2) A[] as) {}",
                "}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(2);
        assertErrorAt(toolchain, compilation, "Struct A contains itself: A.b -> B.as -> A", file, "B b");
        assertErrorAt(toolchain, compilation, "Struct B contains itself: B.as -> A.b -> B", file, "A[] as");
    }

    @Test
    void anArrayWithoutLengthIsRejected() {
        JavaFileObject file = shapes("@Struct record Shapes(int[] values) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/MissingArrayLength] Array component values has no"
                + " fixed length", file, "int[] values");
        assertThat(compilation).hadErrorContaining("@Array(length = 16) int[] values");
    }

    @Test
    void aLengthBelowOneIsRejectedOnTheAnnotationValue() {
        JavaFileObject file = shapes("@Struct record Shapes(", "    @Array(length = 0) long[] values) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/ArrayLength] @Array(length = 0) on values: the length"
                + " must be at least 1", file, "@Array(length = 0)");
        if (toolchain.hasTreeApi()) {
            // On the value itself, not on the annotation: line 5 is "    @Array(length = 0) ...", the 0 at column 21.
            assertThat(compilation).hadErrorContaining("[nebula/ArrayLength]").inFile(file).onLine(5).atColumn(21);
        }
    }

    @Test
    void aComponentNamedLikeThePaddingIsRejected() {
        JavaFileObject file = shapes("@Struct record Shapes(byte a, long $pad0) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/ReservedName] Component $pad0 has a name of the form"
                + " $pad<n>, which the struct layout gives its padding. Rename the component", file, "long $pad0");
    }

    @Test
    void anArrayAnnotationOnAScalarIsRejected() {
        JavaFileObject file = shapes("@Struct record Shapes(@Array(length = 4) int value) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/ArrayOnNonArray]", file, "int value");
    }

    @Test
    void anArrayAnnotationOutsideAStructIsRejected() {
        JavaFileObject file = shapes("record Shapes(@Array(length = 4) int[] values) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/ArrayOutsideStruct] @Array on values has no effect",
                file, "int[] values");
    }

    @Test
    void aMultiDimensionalArrayIsRejected() {
        JavaFileObject file = shapes("@Struct record Shapes(@Array(length = 4) int[][] grid) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "Flatten it into one array of length N * M.", file, "int[][] grid");
    }

    @Test
    void aSizeThatOverflowsALongIsRejected() {
        JavaFileObject file = shapes(
                "@Struct record Shapes(@Array(length = 2147483647) Big[] bigs) {",
                "    @Struct record Big(@Array(length = 2147483647) long[] a, @Array(length = 2147483647) long[] b) {}",
                "}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/SizeOverflow] Struct bad.Shapes is too large",
                file, "Big[] bigs");
    }

    @Test
    void anAlignmentThatIsNotAPowerOfTwoIsRejectedOnTheValue() {
        JavaFileObject file = shapes("@Struct(alignment = 12)", "record Shapes(int x) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/Alignment] alignment = 12 is not a power of two. Use a"
                + " power of two, for example 8 or 16", file, "alignment = 12");
    }

    @Test
    void anAlignmentBelowTheNaturalAlignmentIsRejected() {
        JavaFileObject file = shapes("@Struct(alignment = 2)", "record Shapes(byte tag, long value) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "alignment = 2 is below the natural alignment of Shapes, which"
                + " is 8 (field value)", file, "alignment = 2");
    }

    @Test
    void aDeclaredSizeThatDiffersShowsBothSizesAndThePadding() {
        JavaFileObject file = shapes("@Struct(size = 12)", "record Shapes(byte tag, long value) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/SizeMismatch] size = 12, but the computed layout of"
                + " Shapes is 16 bytes: tag: byte @0, $pad0 @1 (7 bytes), value: long @8, aligned to 8. Change the"
                + " fields, or declare size = 16", file, "size = 12");
    }

    @Test
    void anEmptyStructIsRejected() {
        JavaFileObject file = shapes("@Struct record Shapes() {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/EmptyStruct] @Struct record bad.Shapes has no"
                + " components", file, "record Shapes()");
    }

    @Test
    void aGenericStructIsRejected() {
        JavaFileObject file = shapes("@Struct record Shapes<T>(int x) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/GenericStruct] @Struct record bad.Shapes declares type"
                + " parameters <T>", file, "record Shapes<T>");
    }

    @Test
    void aPrivateStructIsRejected() {
        JavaFileObject file = shapes("final class Shapes {", "    @Struct private record Hidden(int x) {}", "}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/InaccessibleStruct] @Struct record bad.Shapes.Hidden"
                + " is private", file, "record Hidden");
    }

    @Test
    void aNonPackedStructInAPackedOneIsRejected() {
        JavaFileObject file = shapes(
                "@Struct(packed = true) record Shapes(byte tag, Inner inner) {",
                "    @Struct record Inner(int x) {}",
                "}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/PackedNested] Packed struct Shapes cannot hold inner at"
                + " an unaligned offset: Inner has alignment 4. Declare Inner with @Struct(packed = true)",
                        file, "Inner inner");
    }

    @Test
    void aComponentNamedLikeAViewMethodIsRejected() {
        JavaFileObject file = shapes("@Struct record Shapes(long offset) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/ReservedName] Component offset has the name of the"
                + " generated method View.offset()", file, "long offset");
    }

    @Test
    void componentsWhoseGeneratedNamesCollideAreRejected() {
        JavaFileObject file = shapes("@Struct record Shapes(int fooBar, int foo_bar) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/NameClash] Components foo_bar and fooBar both generate"
                + " the member OFFSET_FOO_BAR", file, "int foo_bar");
    }

    @Test
    void componentsWhoseStaticAccessorsCollideAreRejected() {
        // OFFSET_A_B and OFFSET_AB differ, but both components would get getAB and setAB.
        JavaFileObject file = shapes("@Struct record Shapes(int aB, int AB) {}");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).hadErrorCount(1);
        assertErrorAt(toolchain, compilation, "[nebula/NameClash] Components AB and aB both generate"
                + " the member getAB", file, "int AB");
    }

    @Test
    void everyProblemOfAStructIsReportedNotOnlyTheFirst() {
        Compilation compilation = compileShapes("@Struct(alignment = 3) record Shapes(String a, int[] b) {}");
        assertThat(compilation).hadErrorCount(3);
    }

    @Test
    void aBadStructIsSkippedWhileTheOthersStillGenerate() {
        Compilation compilation = compile(toolchain, 
                shapes("@Struct record Shapes(String name) {}"),
                source("good.Point", "package good;", "import io.nebula.memory.annotation.Struct;",
                        "@Struct public record Point(int x, int y) {}"),
                source("good.User", "package good;",
                        "final class User { long size() { return PointStruct.SIZE; } }"));
        // Had PointStruct not been generated, User would add a "cannot find symbol" error.
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[nebula/UnsupportedType] Component name");
    }

    @Test
    void aStructNestingABadStructIsSkippedWithoutASecondError() {
        Compilation compilation = compileShapes(
                "@Struct record Shapes(Inner inner) {",
                "    @Struct record Inner(String name) {}",
                "}");
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("Component name has type java.lang.String");
    }
}
