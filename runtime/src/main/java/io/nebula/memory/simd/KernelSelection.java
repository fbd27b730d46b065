package io.nebula.memory.simd;

import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The choice of {@link KernelVariant}, made once when {@link MemoryKernels} initialises, and why.
 *
 * @param variant    the variant in use
 * @param vectorBits the width of the preferred byte species when {@code variant} is {@link KernelVariant#VECTOR},
 *                   else {@code 0}
 * @param reason     why this variant, in words a user can act on
 */
record KernelSelection(KernelVariant variant, int vectorBits, String reason) {

    /** The system property that forces a variant: {@code vector}, {@code bulk} or {@code auto} (the default). */
    static final String PROPERTY = "nebula.memory.kernels";

    /** The module the Vector variant needs in the boot layer. */
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** Narrower species do not beat the JDK bulk operations, which already move 8 bytes at a time. */
    static final int MIN_VECTOR_BITS = 128;

    /**
     * Selects for this JVM, from {@link #PROPERTY}, the boot layer, the compiler and the preferred species.
     *
     * @return the selection
     */
    static KernelSelection detect() {
        return select(System.getProperty(PROPERTY),
                ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(),
                CompilerProbe::missingOptimizingCompiler,
                // A lambda, not a method reference: linking one would resolve VectorKernels before the check.
                () -> VectorKernels.preferredBitSize());
    }

    /**
     * Selects from the given facts. The suppliers are called only when needed, in particular
     * {@code preferredBits} only when {@code vectorModule} is {@code true}, since it loads Vector API classes.
     *
     * @param property          the value of {@link #PROPERTY}, or {@code null}
     * @param vectorModule      whether {@value #VECTOR_MODULE} is in the boot layer
     * @param compilerProblem   {@code null} when C2 is in use, else why not
     * @param preferredBits     the width of the preferred byte species
     * @return the selection
     */
    static KernelSelection select(String property, boolean vectorModule, Supplier<String> compilerProblem,
                                  IntSupplier preferredBits) {
        String requested = property == null ? "auto" : property.strip().toLowerCase(Locale.ROOT);
        String forced = "-D" + PROPERTY + "=" + requested;
        switch (requested) {
            case "bulk":
                return bulk("forced by " + forced);
            case "vector":
                return vectorModule
                        ? new KernelSelection(KernelVariant.VECTOR, preferredBits.getAsInt(), "forced by " + forced)
                        : bulk(forced + " ignored: " + missingModule());
            case "auto":
                return automatic("", vectorModule, compilerProblem, preferredBits);
            default:
                return automatic("-D" + PROPERTY + "=" + property + " ignored: expected vector, bulk or auto; ",
                        vectorModule, compilerProblem, preferredBits);
        }
    }

    private static KernelSelection automatic(String prefix, boolean vectorModule, Supplier<String> compilerProblem,
                                             IntSupplier preferredBits) {
        if (!vectorModule) {
            return bulk(prefix + missingModule());
        }
        String problem = compilerProblem.get();
        if (problem != null) {
            return bulk(prefix + problem + ", and the Vector API is slow without C2");
        }
        int bits = preferredBits.getAsInt();
        if (bits < MIN_VECTOR_BITS) {
            return bulk(prefix + "the preferred vector species has " + bits + " bits, fewer than "
                    + MIN_VECTOR_BITS);
        }
        return new KernelSelection(KernelVariant.VECTOR, bits,
                prefix + VECTOR_MODULE + " is in the boot layer, C2 is in use, the preferred species has "
                        + bits + " bits");
    }

    private static String missingModule() {
        return VECTOR_MODULE + " is not in the boot layer (start the JVM with --add-modules " + VECTOR_MODULE
                + " to use the Vector API kernels)";
    }

    private static KernelSelection bulk(String reason) {
        return new KernelSelection(KernelVariant.BULK, 0, reason);
    }
}
