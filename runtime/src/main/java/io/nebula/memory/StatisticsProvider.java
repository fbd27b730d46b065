package io.nebula.memory;

import java.util.Optional;

/** An allocator that can count what it does. */
public interface StatisticsProvider {

    /**
     * Returns a snapshot of the allocator's counters, or empty when the allocator was configured without
     * statistics ({@code trackStats = false}).
     *
     * @return the current statistics, if tracked
     */
    Optional<AllocationStatistics> statistics();
}
