package io.nebula.memory.internal;

/**
 * The global switch for checked mode: the system property {@value #PROPERTY}, read once when this class loads,
 * turns checked mode on for every allocator created afterwards, whatever its config says. A test suite runs with
 * {@code -Dnebula.memory.checked=true} to catch use-after-release bugs without changing code.
 */
public final class CheckedMode {

    /** The system property that forces checked mode on. */
    public static final String PROPERTY = "nebula.memory.checked";

    private static final boolean FORCED = Boolean.getBoolean(PROPERTY);

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** The protection domain of the runtime's own classes: frames from it are the library's, not the user's. */
    private static final java.security.ProtectionDomain RUNTIME = CheckedMode.class.getProtectionDomain();

    private CheckedMode() {
    }

    /**
     * Returns whether an allocator whose config says {@code configured} runs checked.
     *
     * @param configured the config's {@code checked} flag
     * @return {@code true} when checked mode is on
     */
    public static boolean effective(boolean configured) {
        return configured || FORCED;
    }

    /**
     * Captures the caller's stack for a leak report, without the allocator's own frames nor those of the
     * {@link java.lang.foreign.SegmentAllocator} default methods that called it ({@code allocate(layout)},
     * {@code allocateFrom(...)}).
     *
     * @return the stack, innermost user frame first
     */
    public static StackTraceElement[] captureSite() {
        return WALKER.walk(frames -> frames
                .dropWhile(f -> f.getDeclaringClass().getProtectionDomain() == RUNTIME
                        || f.getDeclaringClass() == java.lang.foreign.SegmentAllocator.class)
                .limit(16)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toArray(StackTraceElement[]::new));
    }
}
