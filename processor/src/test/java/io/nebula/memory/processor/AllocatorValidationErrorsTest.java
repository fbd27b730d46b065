package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nebula.memory.processor.Compilations.compile;
import static io.nebula.memory.processor.Compilations.source;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every rule of the {@code @Allocator}, {@code @MemoryScope} and {@code @Alloc} checks: one error, on the
 * offending declaration and annotation value, saying what is wrong and what to do.
 */
@ParameterizedClass
@EnumSource(Toolchain.class)
class AllocatorValidationErrorsTest {
    @Parameter
    Toolchain toolchain;

    private static final JavaFileObject POINT = source("bad.Point",
            "package bad;",
            "import io.nebula.memory.annotation.Struct;",
            "@Struct public record Point(int x, int y) {}");

    private static JavaFileObject handler(String... body) {
        String[] lines = new String[body.length + 3];
        lines[0] = "package bad;";
        lines[1] = "import io.nebula.memory.annotation.*;";
        lines[2] = "import java.lang.foreign.MemorySegment;";
        System.arraycopy(body, 0, lines, 3, body.length);
        return source("bad.Handler", lines);
    }

    /** A file {@code bad/Outer.java}, for allocator classes nested in another class. */
    private static JavaFileObject outer(String... body) {
        String[] lines = new String[body.length + 2];
        lines[0] = "package bad;";
        lines[1] = "import io.nebula.memory.annotation.*;";
        System.arraycopy(body, 0, lines, 2, body.length);
        return source("bad.Outer", lines);
    }

    /** Compiles, expecting exactly one error, with the text, on the line. */
    private void assertOneError(JavaFileObject file, String text, String line) {
        Compilation compilation = compile(toolchain, POINT, file);
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining(text).inFile(file).onLineContaining(line);
    }

    private static JavaFileObject bump(String... members) {
        String[] lines = new String[members.length + 2];
        lines[0] = "@Allocator(kind = AllocatorKind.BUMP, size = 64)";
        lines[1] = "abstract class Handler {";
        System.arraycopy(members, 0, lines, 2, members.length);
        lines[lines.length - 1] = members[members.length - 1] + " }";
        return handler(lines);
    }

    // ---------------------------------------------------------------------------------------------- @MemoryScope

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "static int run() { return 0; }|static|Make it an instance method",
            "private int run() { return 0; }|private|Remove private",
            "final int run() { return 0; }|final|Remove final",
            "abstract int run();|abstract|Give it a body, or make it an @Alloc method"})
    void aScopeOnAMethodTheSubclassCannotOverrideIsRejected(String method, String modifier, String fix) {
        assertOneError(bump("@MemoryScope " + method),
                "[nebula/ScopeNotOverridable] @MemoryScope method run() is " + modifier
                        + ", so the generated subclass cannot override it to open and close the scope. " + fix,
                method);
    }

    @Test
    void aScopeInAClassWithoutAnAllocatorIsRejected() {
        assertOneError(handler("class Handler {", "    @MemoryScope int run() { return 0; }", "}"),
                "[nebula/NoAllocator] @MemoryScope needs an allocator, but Handler is not annotated with"
                        + " @Allocator", "int run()");
    }

    @Test
    void anAllocInAClassWithoutAnAllocatorIsRejected() {
        assertOneError(handler("abstract class Handler {", "    @Alloc abstract PointStruct.View p();", "}"),
                "[nebula/NoAllocator] @Alloc needs an allocator", "PointStruct.View p()");
    }

    @Test
    void aScopeReturningAViewIsOneErrorOnTheReturnedExpression() {
        JavaFileObject file = bump("@Alloc abstract PointStruct.View p();",
                "@MemoryScope PointStruct.View leak() {",
                "    return p();",
                "}");
        if (toolchain.hasTreeApi()) {
            assertOneError(file, "[nebula/ScopeEscape] @MemoryScope method leak() lets memory allocated in the scope"
                    + " by p() escape: it is returned. The scope frees that memory when the method returns",
                    "return p();");
        } else {
            assertOneError(file, "[nebula/ScopeEscape] @MemoryScope method leak() returns PointStruct.View, a type"
                    + " that carries native memory", "PointStruct.View leak()");
        }
    }

    @Test
    void aScopeReturningASegmentItDidNotAllocateIsNotAnEscapeWhereTheBodyIsRead() {
        JavaFileObject file = bump("@MemoryScope MemorySegment none() { return MemorySegment.NULL; }");
        if (toolchain.hasTreeApi()) {
            assertThat(compile(toolchain, POINT, file)).succeededWithoutWarnings();
        } else {
            // The documented cost of the return-type check under ECJ: the body is not read.
            assertOneError(file, "[nebula/ScopeEscape] @MemoryScope method none() returns MemorySegment", "none()");
        }
    }

    // ------------------------------------------------------------------------------------------------ @Allocator

    @Test
    void anAllocatorOnAFinalClassIsRejected() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.BUMP, size = 64)", "final class Handler {}"),
                "[nebula/AllocatorFinalClass] @Allocator class bad.Handler is final, so no subclass can own its"
                        + " allocator. Remove final", "@Allocator");
    }

    @Test
    void anAllocatorOnAnInterfaceIsRejected() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.BUMP, size = 64)", "interface Handler {}"),
                "[nebula/AllocatorNotClass] @Allocator applies to abstract classes, but bad.Handler is an"
                        + " interface", "@Allocator");
    }

    @Test
    void anAllocatorOnAClassWithOnlyPrivateConstructorsIsRejected() {
        assertOneError(bump("private Handler() {}"),
                "[nebula/AllocatorNoConstructor] @Allocator class bad.Handler has no constructor its subclass can"
                        + " call: every constructor is private. Make one at least package-private", "@Allocator");
    }

    @Test
    void anAllocatorOnAnInnerClassIsRejected() {
        assertOneError(outer("public class Outer {", "    @Allocator(kind = AllocatorKind.BUMP, size = 64)",
                        "    abstract class Handler {}", "}"),
                "[nebula/AllocatorInaccessible] @Allocator class bad.Outer.Handler is an inner class (it needs an"
                        + " enclosing instance)", "@Allocator");
    }

    @Test
    void aBumpAllocatorWithoutASizeSaysWhatItNeeds() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.BUMP)", "abstract class Handler {}"),
                "[nebula/AllocatorParameter] A BUMP allocator needs size, its capacity in bytes. For example:"
                        + " @Allocator(kind = AllocatorKind.BUMP, size = 4096)", "@Allocator");
    }

    @Test
    void aParameterTheKindDoesNotUseIsRejected() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.BUMP, size = 64,", "        blockCount = 4)",
                        "abstract class Handler {}"),
                "[nebula/AllocatorParameter] blockCount has no meaning for a BUMP allocator (it applies to POOL)",
                "blockCount = 4");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "kind = AllocatorKind.BUMP, size = 0|size = 0|size = 0",
            "kind = AllocatorKind.STACK, size = -8|size = -8|size = -8",
            "kind = AllocatorKind.POOL, blockSize = 0, blockCount = 4|blockSize = 0|blockSize = 0",
            "kind = AllocatorKind.POOL, blockSize = 8, blockCount = 0|blockCount = 0|blockCount = 0"})
    void aSizeOrCountBelowOneIsRejectedOnItsValue(String arguments, String message, String line) {
        assertOneError(handler("@Allocator(" + arguments + ")", "abstract class Handler {}"),
                "[nebula/SizeNotPositive] " + message + ": it must be at least 1", line);
    }

    @Test
    void anAllocCountBelowOneIsRejected() {
        assertOneError(bump("@Alloc(count = 0) abstract PointStruct.View p();"),
                "[nebula/SizeNotPositive] count = 0: it must be at least 1", "count = 0");
    }

    @Test
    void aBlockAlignmentThatIsNotAPowerOfTwoIsRejected() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.POOL, blockSize = 24, blockCount = 4,",
                        "        blockAlignment = 12)", "abstract class Handler {}"),
                "[nebula/Alignment] blockAlignment = 12 is not a power of two. Use a power of two, for example 8"
                        + " or 16",
                "blockAlignment = 12");
    }

    @Test
    void anAllocAlignmentThatIsNotAPowerOfTwoIsRejected() {
        assertOneError(bump("@Alloc(bytes = 8, alignment = 3) abstract MemorySegment raw();"),
                "[nebula/Alignment] alignment = 3 is not a power of two", "alignment = 3");
    }

    @Test
    void aFillPatternThatIsNotAByteIsRejected() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.BUMP, size = 64, fillPattern = 256)",
                        "abstract class Handler {}"),
                "[nebula/FillPattern] fillPattern = 256 is not a byte value", "fillPattern = 256");
    }

    @Test
    void anAbstractMethodThatIsNotAllocIsRejected() {
        assertOneError(bump("abstract int compute();"),
                "[nebula/AbstractNotAlloc] Abstract method compute() of @Allocator class Handler is not an @Alloc"
                        + " method", "abstract int compute()");
    }

    @Test
    void anAllocatorAccessorOfAnIncompatibleTypeIsRejected() {
        assertOneError(bump("abstract io.nebula.memory.pool.PoolAllocator allocator();"),
                "[nebula/AllocatorAccessor] Handler declares allocator(), which the generated Handler_Memory"
                        + " implements to return its BumpAllocator", "allocator()");
    }

    @Test
    void aFinalCloseIsRejected() {
        assertOneError(bump("public final void close() {}"),
                "[nebula/FinalClose] Handler declares a final close()", "void close()");
    }

    // ---------------------------------------------------------------------------------------------------- @Alloc

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "static PointStruct.View p() { return null; }|static|Make it an abstract instance method, without a body",
            "private PointStruct.View p() { return null; }|private|Make it abstract and at least package-private,"
                    + " without a body",
            "final PointStruct.View p() { return null; }|final|Remove final and make it abstract, without a body"})
    void anAllocThatCannotBeAbstractSaysSoInsteadOfAskingForAbstract(String method, String modifier, String fix) {
        assertOneError(bump("@Alloc " + method), "[nebula/AllocMethod] @Alloc method p() is " + modifier
                + ", so the generated subclass cannot implement it. " + fix, "PointStruct.View p()");
    }

    @Test
    void aRecordParameterBesideOthersIsToldItMustBeTheOnlyOne() {
        assertOneError(bump("@Alloc abstract PointStruct.View p(Point value, int x);"),
                "[nebula/UnsupportedInitialiser] Parameter value cannot initialise the allocation: a parameter of"
                        + " type Point sets every field, so it must be the only parameter", "Point value");
    }

    @Test
    void aPrivateNestedAllocatorIsOneError() {
        assertOneError(outer("public class Outer {", "    @Allocator(kind = AllocatorKind.BUMP, size = 64)",
                        "    private abstract static class Handler {}", "}"),
                "[nebula/AllocatorInaccessible] @Allocator class bad.Outer.Handler is private", "@Allocator");
    }

    @Test
    void aSegmentWithBothLayoutsNamesTheStructGiven() {
        assertOneError(bump("@Alloc(struct = Point.class, bytes = 8) abstract MemorySegment raw();"),
                "[nebula/AllocSegmentShape] @Alloc method raw() returns a MemorySegment, so it needs the layout to"
                        + " allocate: give exactly one of struct = Point.class or bytes = N (both are given)",
                "MemorySegment raw()");
    }

    @Test
    void aPoolWithoutBlocksSuggestsTheStructTheClassAllocates() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.POOL)",
                        "abstract class Handler {",
                        "    @Struct record Particle(float x, float y) {}",
                        "    @Alloc abstract Handler_ParticleStruct.View p();",
                        "}"),
                "[nebula/AllocatorParameter] A POOL allocator needs blockSize or block, and blockCount. For"
                        + " example: @Allocator(kind = AllocatorKind.POOL, block = Particle.class, blockCount = 1024)",
                "@Allocator");
    }

    @Test
    void aUserMethodNamedLikeAFactoryIsANameClash() {
        assertOneError(bump("static Object create() { return null; }"),
                "[nebula/NameClash] Handler declares create(), which the generated subclass declares too: its"
                        + " static factory create() for the constructor with these parameters. Rename it",
                "Object create()");
    }

    @Test
    void anAllocWithABodyIsRejected() {
        assertOneError(bump("@Alloc PointStruct.View p() { return null; }"),
                "[nebula/AllocNotAbstract] @Alloc method p() has a body, but the generated subclass implements"
                        + " @Alloc methods. Declare it abstract", "PointStruct.View p()");
    }

    @Test
    void anUnknownInitialiserNameListsTheComponentsAndSuggestsTheClosest() {
        assertOneError(bump("@Alloc abstract PointStruct.View p(int x, int Y);"),
                "[nebula/UnknownInitialiser] Parameter Y names no component of Point, whose components are x, y."
                        + " Did you mean y? Name each parameter after the component it initialises", "int Y");
    }

    @Test
    void aMistypedInitialiserNamesTheComponentsType() {
        assertOneError(bump("@Alloc abstract PointStruct.View p(int x, long y);"),
                "[nebula/MistypedInitialiser] Parameter y has type long, but component y of Point has type int."
                        + " Declare the parameter as int", "long y");
    }

    @Test
    void anUnsupportedReturnTypeListsTheSupportedOnes() {
        assertOneError(bump("@Alloc abstract Point p();"),
                "[nebula/AllocReturnType] @Alloc method p() returns bad.Point. Return the View of a @Struct record",
                "Point p()");
    }

    @Test
    void aSegmentWithoutALayoutIsRejected() {
        assertOneError(bump("@Alloc abstract MemorySegment raw();"),
                "[nebula/AllocSegmentShape] @Alloc method raw() returns a MemorySegment, so it needs the layout",
                "MemorySegment raw()");
    }

    @Test
    void aStructLargerThanTheBumpAllocatorCanNeverFit() {
        assertOneError(bump("@Alloc(count = 9) abstract PointStruct.View points();"),
                "[nebula/NeverFits] @Alloc method points() allocates 72 bytes aligned to 4, which can never fit:"
                        + " the BUMP allocator holds 64 bytes. Raise @Allocator(size) to at least 72", "count = 9");
    }

    @Test
    void aStructLargerThanAPoolBlockCanNeverFit() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.POOL, blockSize = 4, blockCount = 8)",
                        "abstract class Handler {", "    @Alloc abstract PointStruct.View p();", "}"),
                "[nebula/NeverFits] @Alloc method p() allocates 8 bytes aligned to 4, which can never fit: a block"
                        + " of the pool holds 4 bytes", "PointStruct.View p()");
    }

    @Test
    void aCountWhoseSizeOverflowsIsRejected() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.BUMP, size = 64)", "abstract class Handler {",
                        "    @Struct record Big(@Array(length = 1 << 30) long[] values) {}",
                        "    @Alloc(count = 1 << 30) abstract Handler_BigStruct.View big();", "}"),
                "[nebula/AllocSizeOverflow] @Alloc method big() allocates 1073741824 x Big of 8589934592 bytes,"
                        + " which overflows a long. Reduce count", "count = 1 << 30");
    }

    @Test
    void aPoolAllocationSmallerThanABlockIsRejected() {
        assertOneError(handler("@Allocator(kind = AllocatorKind.POOL, blockSize = 64, blockCount = 8)",
                        "abstract class Handler {", "    @Alloc abstract PointStruct.View p();", "}"),
                "[nebula/PoolSizeMismatch] @Alloc method p() allocates 8 bytes from a pool of 64-byte blocks; every"
                        + " call takes a whole block, so the sizes must be equal", "PointStruct.View p()");
    }

    @Test
    void badClassesAreSkippedWhileGoodOnesStillGenerate() {
        Compilation compilation = compile(toolchain, POINT, bump("@Alloc abstract PointStruct.View p(int z);"),
                source("bad.Good", "package bad;", "import io.nebula.memory.annotation.*;",
                        "@Allocator(kind = AllocatorKind.BUMP, size = 64)",
                        "abstract class Good { @Alloc abstract PointStruct.View p(); }"),
                source("bad.Use", "package bad;", "class Use { Good_Memory good = Good_Memory.create(); }"));
        assertThat(compilation).hadErrorCount(1); // Use compiles: Good_Memory was generated
        assertThat(compilation).hadErrorContaining("[nebula/UnknownInitialiser] Parameter z");
    }

    @Test
    void anAllocatorUsingAStructOfTheSameCompilationGeneratesDespiteAnUnrelatedError() {
        JavaFileObject broken = source("bad.Broken", "package bad;", "import io.nebula.memory.annotation.*;",
                "@Struct record Broken(String name) {}");
        Compilation compilation = compile(toolchain, POINT, broken,
                source("bad.Good", "package bad;", "import io.nebula.memory.annotation.*;",
                        "@Allocator(kind = AllocatorKind.BUMP, size = 64)",
                        "abstract class Good { @Alloc abstract PointStruct.View p(); }"),
                source("bad.Use", "package bad;", "class Use { Good_Memory good = Good_Memory.create(); }"));
        assertThat(compilation).hadErrorCount(1); // none in Use: Good_Memory was generated
        Compilations.assertErrorAt(toolchain, compilation, "[nebula/UnsupportedType]", broken, "String name");
    }

    @Test
    void anAllocatorUsingABrokenStructReportsNothingMore() {
        JavaFileObject broken = source("bad.Broken", "package bad;", "import io.nebula.memory.annotation.*;",
                "@Struct record Broken(String name) {}");
        Compilation compilation = compile(toolchain, broken, handler("@Allocator(kind = AllocatorKind.BUMP, size = 64)",
                "abstract class Handler { @Alloc abstract BrokenStruct.View p(); }"));
        assertThat(compilation).failed();
        assertEquals(1L, compilation.errors().stream().filter(e -> e.getMessage(null).contains("nebula/")).count());
        assertThat(compilation).hadErrorContaining("[nebula/UnsupportedType]");
    }

    @Test
    void twoRecordsMappingToOneGeneratedNameAreOneNameClash() {
        JavaFileObject nested = source("bad.Outer", "package bad;", "import io.nebula.memory.annotation.*;",
                "class Outer { @Struct record Point(int x) {} }");
        JavaFileObject flat = source("bad.Outer_Point", "package bad;", "import io.nebula.memory.annotation.*;",
                "@Struct record Outer_Point(int y) {}");
        Compilation compilation = compile(toolchain, nested, flat);
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[nebula/NameClash]");
        assertThat(compilation).hadErrorContaining("both map to the generated name bad.Outer_PointStruct");
    }

    @Test
    void anAllocatorUsingAStructWhoseNameIsTakenReportsNothingMore() {
        Compilation compilation = compile(toolchain, source("bad.Point", "package bad;",
                        "import io.nebula.memory.annotation.*;", "@Struct record Point(int x) {}"),
                source("bad.PointStruct", "package bad;", "class PointStruct {}"),
                handler("@Allocator(kind = AllocatorKind.BUMP, size = 64)",
                        "abstract class Handler { @Alloc abstract PointStruct.View p(); }"));
        assertThat(compilation).failed();
        assertEquals(1L, compilation.errors().stream().filter(e -> e.getMessage(null).contains("nebula/")).count());
        assertThat(compilation).hadErrorContaining("[nebula/NameClash] The class bad.PointStruct already exists");
    }

    @Test
    void aHandWrittenClassWithTheGeneratedNameIsANameClash() {
        Compilation compilation = compile(toolchain, source("bad.Point", "package bad;",
                "import io.nebula.memory.annotation.*;",
                "@Struct record Point(int x) {}"), source("bad.PointStruct", "package bad;", "class PointStruct {}"));
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[nebula/NameClash] The class bad.PointStruct already exists,"
                + " but it is the name of the code generated for bad.Point");
    }

    @Test
    void aScopeOnAnAllocMethodIsOneError() {
        assertOneError(bump("@Alloc @MemoryScope abstract PointStruct.View p();"),
                "[nebula/ScopeOnAlloc] @MemoryScope method p() is also an @Alloc method, whose memory belongs to its"
                        + " caller", "PointStruct.View p()");
    }

    @Test
    void aScopedAllocatorAccessorIsOneError() {
        assertOneError(bump("@MemoryScope public io.nebula.memory.bump.BumpAllocator allocator() { return null; }"),
                "[nebula/AllocatorAccessor] Handler declares allocator(), which the generated Handler_Memory"
                        + " implements to return its BumpAllocator", "allocator()");
    }

    @Test
    void aScopedCloseIsANameClashNotAnErrorInGeneratedCode() {
        assertOneError(bump("@MemoryScope public void close() {}"),
                "[nebula/NameClash] Handler declares @MemoryScope close(), which the generated subclass declares"
                        + " too", "void close()");
    }

    @Test
    void anAllocatorUsingAStructThatNeverCompilesSaysWhatCouldNotBeResolved() {
        JavaFileObject file = handler("@Allocator(kind = AllocatorKind.BUMP, size = 64)",
                "abstract class Handler { @Alloc abstract MissingStruct.View p(); }");
        Compilation compilation = compile(toolchain, file);
        assertThat(compilation).failed();
        assertThat(compilation).hadErrorContaining("[nebula/UnresolvedType] Did not generate the subclass of"
                + " bad.Handler: Handler.p() refers to MissingStruct.View").inFile(file);
    }
}
