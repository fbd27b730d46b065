package io.nebula.memory;

import java.util.List;

/**
 * What was still allocated when an allocator closed.
 *
 * @param allocator        the allocator's description
 * @param liveAllocations  allocations (pool blocks, stack entries or open bump scopes) still live
 * @param liveBytes        bytes they hold
 * @param allocationSites  in checked mode, where each live allocation was made (the first ten at most); otherwise
 *                         empty
 */
public record LeakReport(String allocator, long liveAllocations, long liveBytes,
                         List<StackTraceElement[]> allocationSites) {

    /** The most allocation sites a report keeps. */
    public static final int MAX_SITES = 10;

    /**
     * Copies the site list.
     */
    public LeakReport {
        allocationSites = List.copyOf(allocationSites);
    }

    /**
     * Renders the report for a log or an exception message.
     *
     * @return a multi-line description
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(allocator).append(" closed with ").append(liveAllocations).append(" live allocation(s) holding ")
                .append(liveBytes).append(" bytes");
        if (allocationSites.isEmpty()) {
            sb.append(" (enable checked mode to see where they were allocated)");
        }
        int n = 0;
        for (StackTraceElement[] site : allocationSites) {
            sb.append("\n   allocation ").append(++n).append(':');
            for (int i = 0; i < Math.min(site.length, 8); i++) {
                sb.append("\n      at ").append(site[i]);
            }
        }
        return sb.toString();
    }
}
