package io.nebula.memory;

import java.util.List;
import java.util.Objects;

/**
 * What was still allocated when an allocator closed.
 *
 * @param allocator        the allocator's description
 * @param liveAllocations  allocations still live: pool blocks or stack entries (an arena does not count its
 *                         allocations one by one, so for an arena this is zero)
 * @param openScopes       scopes opened and never closed
 * @param liveBytes        bytes the live allocations and open scopes hold: for an arena, the bytes allocated
 *                         since the outermost open scope opened
 * @param allocationSites  in checked mode, where each live allocation was made (the first ten at most); otherwise
 *                         empty
 */
public record LeakReport(String allocator, long liveAllocations, long openScopes, long liveBytes,
                         List<StackTraceElement[]> allocationSites) {

    /** The most allocation sites a report keeps. */
    public static final int MAX_SITES = 10;

    /**
     * Checks the description and copies the site list.
     *
     * @throws NullPointerException when {@code allocator}, {@code allocationSites} or one of the sites is
     *     {@code null}
     */
    public LeakReport {
        Objects.requireNonNull(allocator, "allocator");
        allocationSites = List.copyOf(allocationSites);
    }

    /**
     * Tells whether nothing was left: no live allocation and no open scope.
     *
     * @return {@code true} when the allocator closed clean
     */
    public boolean isEmpty() {
        return liveAllocations == 0 && openScopes == 0;
    }

    /**
     * Renders the report for a log or an exception message.
     *
     * @return a multi-line description
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(allocator).append(" closed with ");
        if (liveAllocations > 0) {
            sb.append(liveAllocations).append(" live allocation(s)");
        }
        if (openScopes > 0) {
            sb.append(liveAllocations > 0 ? " and " : "").append(openScopes).append(" open scope(s)");
        }
        sb.append(" holding ").append(liveBytes).append(" bytes");
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
