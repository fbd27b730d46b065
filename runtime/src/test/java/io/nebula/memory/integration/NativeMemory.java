package io.nebula.memory.integration;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads how much native memory the JVM has malloc'ed for the FFM API, from Native Memory Tracking: FFM arenas
 * allocate under NMT's "Other" category. The test JVM runs with {@code -XX:NativeMemoryTracking=summary}.
 */
final class NativeMemory {

    private static final Pattern OTHER = Pattern.compile("Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private NativeMemory() {
    }

    /**
     * Returns the committed kilobytes of NMT's "Other" category.
     *
     * @return committed KB
     * @throws IllegalStateException when NMT is not enabled
     */
    static long otherCommittedKb() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName diagnostics = new ObjectName("com.sun.management:type=DiagnosticCommand");
            String summary = (String) server.invoke(diagnostics, "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher m = OTHER.matcher(summary);
            if (!m.find()) {
                throw new IllegalStateException("run the tests with -XX:NativeMemoryTracking=summary; NMT said: "
                        + summary.lines().findFirst().orElse(""));
            }
            return Long.parseLong(m.group(2));
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("cannot read native memory tracking", e);
        }
    }
}
