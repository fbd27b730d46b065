package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.testing.compile.Compilation;
import io.nebula.memory.processor.Compilations.Toolchain;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Where errors land under each compiler. javac places them on the element and annotation value at fault. ECJ's
 * messager places nothing on a record, its components or its implicit members: the processor moves such errors to
 * the nearest enclosing type ECJ can place, so they keep a file and a line; a top-level record has none.
 */
class PlacementTest {

    private static JavaFileObject holder() {
        return Compilations.source("bad.Holder", "package bad;", "import io.nebula.memory.annotation.*;",
                "public final class Holder {",
                "    private Holder() {}",
                "    @Struct record Shapes(int id,",
                "            String name) {}",
                "}");
    }

    private static Diagnostic<? extends JavaFileObject> onlyError(Compilation compilation) {
        List<Diagnostic<? extends JavaFileObject>> errors = compilation.errors();
        assertEquals(1, errors.size(), () -> "errors: " + errors);
        return errors.getFirst();
    }

    @Test
    void javacPlacesAComponentErrorOnTheComponent() {
        JavaFileObject file = holder();
        Compilation compilation = Compilations.compile(Toolchain.JAVAC, file);
        assertThat(compilation).hadErrorContaining("[nebula/UnsupportedType] Component name").inFile(file)
                .onLineContaining("String name");
    }

    @Test
    void ecjPlacesAComponentErrorOfANestedRecordOnTheEnclosingType() {
        JavaFileObject file = holder();
        Compilation compilation = Compilations.compile(Toolchain.ECJ, file);
        onlyError(compilation);
        assertThat(compilation).hadErrorContaining("[nebula/UnsupportedType] Component name").inFile(file)
                .onLineContaining("public final class Holder");
    }

    @Test
    void ecjCannotPlaceAnErrorOnATopLevelRecordAndTheMessageNamesIt() {
        Compilation compilation = Compilations.compile(Toolchain.ECJ, Compilations.source("bad.Shapes",
                "package bad;", "import io.nebula.memory.annotation.*;", "@Struct record Shapes(String name) {}"));
        Diagnostic<? extends JavaFileObject> error = onlyError(compilation);
        assertNull(error.getSource(), "ECJ 3.46 places nothing on a record");
        assertThat(compilation).hadErrorContaining("Component name has type java.lang.String");
    }

    @Test
    void bothPlaceAParameterErrorOnTheParameter() {
        for (Toolchain toolchain : Toolchain.values()) {
            JavaFileObject file = Compilations.source("bad.Handler", "package bad;",
                    "import io.nebula.memory.annotation.*;",
                    "@Allocator(kind = AllocatorKind.BUMP, size = 64)",
                    "abstract class Handler {",
                    "    @Struct record P(int x) {}",
                    "    @Alloc abstract Handler_PStruct.View p(",
                    "            int y);",
                    "}");
            Compilation compilation = Compilations.compile(toolchain, file);
            onlyError(compilation);
            assertThat(compilation).hadErrorContaining("[nebula/UnknownInitialiser] Parameter y").inFile(file)
                    .onLineContaining("int y");
        }
    }
}
