package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.LeakReport;

/** Applies a {@link LeakPolicy} to a {@link LeakReport} when an allocator closes. */
public final class Leaks {

    private static final System.Logger LOG = System.getLogger("io.nebula.memory");

    private Leaks() {
    }

    /**
     * Reports a leak as the policy says; does nothing when nothing is live.
     *
     * @param policy the allocator's leak policy
     * @param report what was live at close
     * @throws AllocationException {@link ErrorCode#LEAK} under {@link LeakPolicy#FAIL}
     */
    public static void report(LeakPolicy policy, LeakReport report) {
        if (report.isEmpty()) {
            return;
        }
        Events.leak(report);
        switch (policy) {
            case IGNORE -> { }
            case WARN -> LOG.log(System.Logger.Level.WARNING, report.describe());
            case FAIL -> throw Events.allocationError(Failure.of(ErrorCode.LEAK)
                    .allocator(report.allocator())
                    .details(report.describe())
                    .suggest("Give back every allocation and close every scope before closing the allocator.")
                    .suggest("Run with -D" + CheckedMode.PROPERTY + "=true to see where each leaked allocation "
                            + "was made.")
                    .suggest("If dropping live allocations at close is intended, use LeakPolicy.IGNORE.")
                    .build());
        }
    }
}
