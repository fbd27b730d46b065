package io.nebula.memory.simd;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.Function;

/**
 * Tells whether C2, HotSpot's optimising compiler, compiles hot code in this JVM, from supported APIs only.
 *
 * <p>The Vector API is fast only when C2 intrinsifies it; under C1 or the interpreter it is hundreds of times
 * slower than the JDK bulk operations while still reporting a wide species. Two sources are read:
 * <ol>
 *   <li>the {@code java.vm.info} system property, free: {@code "interpreted mode"} under {@code -Xint},
 *       {@code "emulated-client"} under {@code -XX:TieredStopAtLevel=1} or {@code -XX:CompilationMode=quick-only};
 *   <li>when that finds nothing and {@code jdk.management} is in the boot layer, the VM flags {@code UseCompiler},
 *       {@code CompilationMode}, {@code TieredCompilation} and {@code TieredStopAtLevel} through
 *       {@link HotSpotDiagnosticMXBean}, which also catches {@code -XX:TieredStopAtLevel=2} and {@code 3}. The
 *       bean costs some 20 ms and a few hundred classes once, so it is consulted only when the Vector variant is
 *       otherwise possible.
 * </ol>
 * A JVM that is not HotSpot has no such flags and is trusted to optimise, as its {@code java.vm.info} allows.
 */
final class CompilerProbe {

    private CompilerProbe() {
    }

    /**
     * Probes this JVM.
     *
     * @return {@code null} when C2 is in use, else why it is not, in words a user can act on
     */
    static String missingOptimizingCompiler() {
        String reason = fromVmInfo(System.getProperty("java.vm.info", ""));
        if (reason != null || ModuleLayer.boot().findModule("jdk.management").isEmpty()) {
            return reason;
        }
        return fromFlags(HotSpotFlags::value);
    }

    /**
     * Reads the compilation mode from the {@code java.vm.info} system property.
     *
     * @param vmInfo the property's value
     * @return {@code null} when it shows no restriction, else why C2 is not in use
     */
    static String fromVmInfo(String vmInfo) {
        String info = vmInfo.toLowerCase(Locale.ROOT);
        if (info.contains("interpreted mode")) {
            return "the JVM runs interpreted only (-Xint)";
        }
        if (info.contains("emulated-client")) {
            return "the JVM compiles with C1 only (-XX:TieredStopAtLevel=1 or -XX:CompilationMode=quick-only)";
        }
        return null;
    }

    /**
     * Reads the compilation mode from HotSpot's VM flags.
     *
     * @param flag the value of a VM flag by name, {@code null} when the VM has no such flag
     * @return {@code null} when C2 is in use or the flags are unknown, else why C2 is not in use
     */
    static String fromFlags(Function<String, String> flag) {
        if ("false".equals(flag.apply("UseCompiler"))) {
            return "the JVM has no JIT compiler enabled (-XX:-UseCompiler or -Xint)";
        }
        if ("quick-only".equals(flag.apply("CompilationMode"))) {
            return "the JVM compiles with C1 only (-XX:CompilationMode=quick-only)";
        }
        String stopAt = flag.apply("TieredStopAtLevel");
        if ("true".equals(flag.apply("TieredCompilation")) && stopAt != null && Integer.parseInt(stopAt) < 4) {
            return "the JVM compiles with C1 only (-XX:TieredStopAtLevel=" + stopAt + ")";
        }
        return null;
    }

    /** Access to HotSpot's flags; loaded only when {@code jdk.management} is in the boot layer. */
    private static final class HotSpotFlags {

        private HotSpotFlags() {
        }

        static String value(String name) {
            try {
                HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                return bean == null ? null : bean.getVMOption(name).getValue();
            } catch (IllegalArgumentException | SecurityException e) {
                return null; // not HotSpot, or a flag this VM does not have
            }
        }
    }
}
