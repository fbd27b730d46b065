package io.nebula.memory.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.nebula.memory.processor.Compilations.compile;
import static io.nebula.memory.processor.Compilations.golden;
import static io.nebula.memory.processor.Compilations.source;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import org.junit.jupiter.api.Test;
import io.nebula.memory.processor.Compilations.Toolchain;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generated sources, compared with golden files under {@code src/test/resources/goldens/}. The
 * compilations run with {@code -Xlint:all -Werror}, so a pass also means the generated code is warning-free.
 */
@ParameterizedClass
@EnumSource(Toolchain.class)
class GoldenSourcesTest {
    @Parameter
    Toolchain toolchain;


    @Test
    void aSmallStructGeneratesConstantsStaticAccessorsConversionsAllocationAndAView() {
        Compilation compilation = compile(toolchain, source("geo.Point",
                "package geo;",
                "import io.nebula.memory.annotation.Struct;",
                "@Struct public record Point(int x, int y) {}"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("geo.PointStruct")
                .contentsAsUtf8String().isEqualTo(golden("geo/PointStruct.java", toolchain));
        // The same comparison through the compiler's trees, insensitive to formatting.
        assertThat(compilation).generatedSourceFile("geo.PointStruct")
                .hasSourceEquivalentTo(JavaFileObjects.forSourceString("geo.PointStruct",
                        golden("geo/PointStruct.java", toolchain)));
    }

    @Test
    void aNestedPackedBigEndianStructWithArraysUsesUnalignedOrderedLayoutsAndNestedViews() {
        Compilation compilation = compile(toolchain, 
                source("net.Protocol",
                        "package net;",
                        "import io.nebula.memory.annotation.*;",
                        "public final class Protocol {",
                        "    private Protocol() {}",
                        "    @Struct(packed = true, byteOrder = Endianness.BIG_ENDIAN)",
                        "    public record Address(@Array(length = 4) byte[] octets, short port) {}",
                        "    @Struct(packed = true, byteOrder = Endianness.BIG_ENDIAN, size = 16)",
                        "    public record Header(byte version, int length, Address source,",
                        "            @Array(length = 2) char[] tag, boolean last) {}",
                        "}"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("net.Protocol_HeaderStruct")
                .contentsAsUtf8String().isEqualTo(golden("net/Protocol_HeaderStruct.java", toolchain));
        assertThat(compilation).generatedSourceFile("net.Protocol_AddressStruct")
                .contentsAsUtf8String().isEqualTo(golden("net/Protocol_AddressStruct.java", toolchain));
    }

    @Test
    void aPackagePrivateRecordGetsAPackagePrivateStructClass() {
        Compilation compilation = compile(toolchain, source("geo.Local",
                "package geo;",
                "import io.nebula.memory.annotation.Struct;",
                "@Struct record Local(long id) {}"));

        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("geo.LocalStruct")
                .contentsAsUtf8String().contains("\nfinal class LocalStruct {");
    }
}
