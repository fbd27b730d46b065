package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static io.nebula.memory.processor.Compilations.source;

import com.google.testing.compile.Compilation;
import org.junit.jupiter.api.Test;

/**
 * The generated struct classes' javadoc under doclint, as a project that compiles its generated sources with
 * {@code -Xdoclint:all -Werror} (the examples do) sees it: the class javadoc says once what the accessors share,
 * the members carry no {@code @param} or {@code @return} lines, and {@code @SuppressWarnings("doclint:missing")}
 * keeps doclint's {@code missing} group quiet while its other groups still check the generated docs.
 */
class GeneratedDocsTest {
    private static final String[] DOCLINT = {"--release", "25", "-Xlint:all", "-Xdoclint:all", "-Werror"};

    @Test
    void generatedStructClassesPassEveryDoclintGroupWithWarningsAsErrors() {
        Compilation compilation = javac().withOptions((Object[]) DOCLINT).withProcessors(new NebulaProcessor())
                .compile(source("net.Protocol",
                        "package net;",
                        "import io.nebula.memory.annotation.*;",
                        "/** Wire formats. */",
                        "public final class Protocol {",
                        "    /** Not instantiated. */",
                        "    private Protocol() {}",
                        "    /**",
                        "     * An address.",
                        "     * @param octets the octets",
                        "     * @param port the port",
                        "     */",
                        "    @Struct(packed = true, byteOrder = Endianness.BIG_ENDIAN)",
                        "    public record Address(@Array(length = 4) byte[] octets, short port) {}",
                        "    /**",
                        "     * A header.",
                        "     * @param version the version",
                        "     * @param length the length",
                        "     * @param source the source",
                        "     * @param tag the tag",
                        "     * @param flags the flags",
                        "     * @param last whether it is the last",
                        "     */",
                        "    @Struct(byteOrder = Endianness.BIG_ENDIAN)",
                        "    public record Header(byte version, int length, Address source,",
                        "            @Array(length = 2) char[] tag, @Array(length = 3) boolean[] flags, boolean last) {}",
                        "}"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("net.Protocol_HeaderStruct").contentsAsUtf8String()
                .contains("@SuppressWarnings(\"doclint:missing\")\npublic final class Protocol_HeaderStruct {");
        assertThat(compilation).generatedSourceFile("net.Protocol_HeaderStruct").contentsAsUtf8String()
                .doesNotContain("@param");
    }

    @Test
    void theSuppressionLeavesDoclintsReferenceAndHtmlChecksOn() {
        Compilation compilation = javac().withOptions((Object[]) DOCLINT).compile(source("geo.Broken",
                "package geo;",
                "/** A class whose members need no @param lines. */",
                "@SuppressWarnings(\"doclint:missing\")",
                "public final class Broken {",
                "    private Broken() {}",
                "    /** {@return {@code x}, from {@link Missing}} */",
                "    public static int x(int unused) { return 0; }",
                "    /** Writes <b>y. */",
                "    public static void y(int value) {}",
                "}"));

        assertThat(compilation).failed();
        assertThat(compilation).hadErrorContaining("reference not found").inFile(compilation.sourceFiles().getFirst())
                .onLineContaining("{@link Missing}");
        assertThat(compilation).hadErrorContaining("element not closed: b").inFile(compilation.sourceFiles().getFirst())
                .onLineContaining("Writes <b>y.");
        assertThat(compilation).hadErrorCount(2);
    }
}
