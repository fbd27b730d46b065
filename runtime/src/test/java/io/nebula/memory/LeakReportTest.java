package io.nebula.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A leak report's checks and its copy of the sites. */
class LeakReportTest {

    @Test
    void aNullDescriptionOrSiteListIsRefusedWithNullPointerException() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> new LeakReport(null, 1, 0, 16, List.of()));
        assertEquals("allocator", e.getMessage());
        assertThrows(NullPointerException.class, () -> new LeakReport("BumpAllocator[]", 1, 0, 16, null));
        List<StackTraceElement[]> aNullSite = new ArrayList<>();
        aNullSite.add(null);
        assertThrows(NullPointerException.class, () -> new LeakReport("BumpAllocator[]", 1, 0, 16, aNullSite));
    }

    @Test
    void theSiteListIsCopied() {
        List<StackTraceElement[]> sites = new ArrayList<>();
        LeakReport report = new LeakReport("PoolAllocator[]", 1, 0, 16, sites);
        sites.add(new StackTraceElement[0]);
        assertTrue(report.allocationSites().isEmpty());
        assertTrue(report.describe().startsWith("PoolAllocator[] closed with 1 live allocation(s) holding 16 bytes"),
                report.describe());
    }
}
