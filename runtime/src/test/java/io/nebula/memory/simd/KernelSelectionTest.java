package io.nebula.memory.simd;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The variant follows the property, the boot layer, the compiler and the species, in that order. */
class KernelSelectionTest {

    private static final Supplier<String> C2 = () -> null;
    private static final IntSupplier BITS_512 = () -> 512;
    private static final Supplier<String> NEVER_PROBED = () -> fail("the compiler must not be probed");
    private static final IntSupplier NEVER_LOADED = () -> fail("Vector API classes must not be loaded");

    @Test
    void everythingInPlaceSelectsVectorWithTheSpeciesWidth() {
        KernelSelection selection = KernelSelection.select(null, true, C2, BITS_512);
        assertEquals(KernelVariant.VECTOR, selection.variant());
        assertEquals(512, selection.vectorBits());
        assertEquals("jdk.incubator.vector is in the boot layer, C2 is in use, the preferred species has 512 bits",
                selection.reason());
        assertEquals(selection, KernelSelection.select(" Auto ", true, C2, BITS_512));
    }

    @Test
    void withoutTheModuleNoVectorClassIsTouchedAndTheReasonSaysWhatToAdd() {
        KernelSelection selection = KernelSelection.select(null, false, NEVER_PROBED, NEVER_LOADED);
        assertEquals(KernelVariant.BULK, selection.variant());
        assertEquals(0, selection.vectorBits());
        assertTrue(selection.reason().contains("--add-modules jdk.incubator.vector"), selection.reason());
    }

    @Test
    void withoutC2TheFallbackIsChosen() {
        KernelSelection selection = KernelSelection.select(null, true, () -> "the JVM runs interpreted only (-Xint)",
                NEVER_LOADED);
        assertEquals(KernelVariant.BULK, selection.variant());
        assertEquals("the JVM runs interpreted only (-Xint), and the Vector API is slow without C2",
                selection.reason());
    }

    @Test
    void narrowSpeciesFallBack() {
        assertEquals(KernelVariant.BULK, KernelSelection.select(null, true, C2, () -> 64).variant());
        assertEquals(KernelVariant.VECTOR, KernelSelection.select(null, true, C2, () -> 128).variant());
    }

    @Test
    void thePropertyForcesBulkAnywhere() {
        KernelSelection selection = KernelSelection.select("bulk", true, NEVER_PROBED, NEVER_LOADED);
        assertEquals(KernelVariant.BULK, selection.variant());
        assertEquals("forced by -Dnebula.memory.kernels=bulk", selection.reason());
    }

    @Test
    void thePropertyForcesVectorPastTheCompilerAndSpeciesChecksButNotPastAMissingModule() {
        KernelSelection forced = KernelSelection.select("VECTOR", true, NEVER_PROBED, () -> 64);
        assertEquals(KernelVariant.VECTOR, forced.variant());
        assertEquals(64, forced.vectorBits());

        KernelSelection impossible = KernelSelection.select("vector", false, NEVER_PROBED, NEVER_LOADED);
        assertEquals(KernelVariant.BULK, impossible.variant());
        assertTrue(impossible.reason().startsWith("-Dnebula.memory.kernels=vector ignored: jdk.incubator.vector is"
                + " not in the boot layer"), impossible.reason());
    }

    @Test
    void anUnknownPropertyValueIsReportedAndIgnored() {
        KernelSelection selection = KernelSelection.select("simd", true, C2, BITS_512);
        assertEquals(KernelVariant.VECTOR, selection.variant());
        assertTrue(selection.reason().startsWith(
                "-Dnebula.memory.kernels=simd ignored: expected vector, bulk or auto; "), selection.reason());
    }

    @Test
    void vmInfoRevealsTheInterpreterAndC1Only() {
        assertNull(CompilerProbe.fromVmInfo("mixed mode, sharing"));
        assertNull(CompilerProbe.fromVmInfo("compiled mode, sharing"));
        assertEquals("the JVM runs interpreted only (-Xint)", CompilerProbe.fromVmInfo("interpreted mode, sharing"));
        assertTrue(CompilerProbe.fromVmInfo("mixed mode, emulated-client, sharing").contains("C1 only"));
    }

    @Test
    void hotSpotFlagsRevealEveryC1OnlyLevel() {
        Map<String, String> tiered = Map.of("UseCompiler", "true", "TieredCompilation", "true",
                "TieredStopAtLevel", "4", "CompilationMode", "default");
        assertNull(CompilerProbe.fromFlags(tiered::get));
        assertNull(CompilerProbe.fromFlags(name -> null), "a VM without these flags");
        assertNull(CompilerProbe.fromFlags(with(tiered, "TieredCompilation", "false", "TieredStopAtLevel", "1")::get),
                "C2 only: the stop level does not apply");
        for (String level : new String[] {"0", "1", "2", "3"}) {
            assertEquals("the JVM compiles with C1 only (-XX:TieredStopAtLevel=" + level + ")",
                    CompilerProbe.fromFlags(with(tiered, "TieredStopAtLevel", level)::get));
        }
        assertEquals("the JVM compiles with C1 only (-XX:CompilationMode=quick-only)",
                CompilerProbe.fromFlags(with(tiered, "CompilationMode", "quick-only")::get));
        assertEquals("the JVM has no JIT compiler enabled (-XX:-UseCompiler or -Xint)",
                CompilerProbe.fromFlags(with(tiered, "UseCompiler", "false")::get));
    }

    @Test
    void thisTestJvmHasC2() {
        assertNull(CompilerProbe.missingOptimizingCompiler(), System.getProperty("java.vm.info"));
    }

    private static Map<String, String> with(Map<String, String> flags, String... overrides) {
        Map<String, String> copy = new HashMap<>(flags);
        for (int i = 0; i < overrides.length; i += 2) {
            copy.put(overrides[i], overrides[i + 1]);
        }
        return copy;
    }
}
