package io.nebula.memory.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static io.nebula.memory.processor.Compilations.source;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Structs that refer to types another processor generates are deferred to the round where those exist. */
@ParameterizedClass
@EnumSource(Toolchain.class)
class DeferralTest {
    @Parameter
    Toolchain toolchain;


    /** Generates the {@code @Struct} record {@code app.Vec} in its first round, as another processor might. */
    private static final class VecGenerator extends AbstractProcessor {
        private boolean done;

        @Override
        public Set<String> getSupportedAnnotationTypes() {
            return Set.of("*");
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latestSupported();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            if (!done) {
                done = true;
                try (Writer writer = processingEnv.getFiler().createSourceFile("app.Vec").openWriter()) {
                    writer.write("package app;\n@io.nebula.memory.annotation.Struct\n"
                            + "public record Vec(float x, float y) {}\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return false;
        }
    }

    @Test
    void aStructNestingAGeneratedStructIsGeneratedInALaterRound() {
        Compilation compilation = (toolchain == Toolchain.JAVAC
                ? javac().withOptions("--release", "25", "-Xlint:all,-processing", "-Werror")
                : Compilations.compiler(toolchain))
                // The generator runs first: NebulaProcessor claims @Struct, after which a "*" processor is not called.
                .withProcessors(new VecGenerator(), new NebulaProcessor())
                .compile(source("app.Body", "package app;", "import io.nebula.memory.annotation.*;",
                        "@Struct public record Body(Vec position, @Array(length = 2) Vec[] corners) {}"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("app.BodyStruct")
                .contentsAsUtf8String().contains("VecStruct.LAYOUT.withName(\"position\")");
        assertThat(compilation).generatedSourceFile("app.VecStruct");
    }

    @Test
    void anAllocatorUsingADeferredStructWaitsWithItAndGeneratesInTheSameRound() {
        Compilation compilation = (toolchain == Toolchain.JAVAC
                ? javac().withOptions("--release", "25", "-Xlint:all,-processing", "-Werror")
                : Compilations.compiler(toolchain))
                .withProcessors(new VecGenerator(), new NebulaProcessor())
                .compile(source("app.Body", "package app;", "import io.nebula.memory.annotation.*;",
                                "@Struct public record Body(Vec position) {}"),
                        source("app.Bodies", "package app;", "import io.nebula.memory.annotation.*;",
                                "@Allocator(kind = AllocatorKind.BUMP, size = 256)",
                                "public abstract class Bodies {",
                                "    @Alloc protected abstract BodyStruct.View body();",
                                "    @MemoryScope public float x() { return body().position().x(); }",
                                "}"));

        assertThat(compilation).succeeded();
        assertThat(compilation).generatedSourceFile("app.Bodies_Memory");
        assertThat(compilation).generatedSourceFile("app.BodyStruct");
    }

    @Test
    void aStructReferringToATypeThatNeverAppearsIsReportedAfterTheLastRound() {
        JavaFileObject file = source("app.Body", "package app;", "import io.nebula.memory.annotation.*;",
                "@Struct public record Body(int id, missing.Thing thing) {}");
        Compilation compilation = Compilations.compiler(toolchain).withProcessors(new NebulaProcessor()).compile(file);

        assertThat(compilation).failed();
        Compilations.assertErrorAt(toolchain, compilation, "[nebula/UnresolvedType] Did not generate the struct code"
                + " of app.Body: component Body.thing has the type missing.Thing", file, "record Body");
        assertThat(compilation.errors().stream().filter(e -> e.getMessage(null).contains("nebula/")).count())
                .isEqualTo(1L);
    }
}
