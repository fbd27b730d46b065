package io.nebula.memory.management;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import org.junit.jupiter.api.Test;

import javax.management.JMX;
import javax.management.MBeanServer;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllocatorMXBeansTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void aRegisteredAllocatorIsReadableThroughJmxAndGoneAfterClose() {
        try (BumpAllocator arena = BumpAllocator.create(4096, BumpConfig.defaults().withTrackStats(true))) {
            AllocatorMXBeans.Registration registration = AllocatorMXBeans.register("request arena", arena);
            assertEquals("io.nebula.memory:type=Allocator,name=\"request arena\"",
                    registration.objectName().toString());
            AllocatorMXBean bean = JMX.newMXBeanProxy(server, registration.objectName(), AllocatorMXBean.class);
            arena.allocate(100);
            assertEquals(100, bean.getUsedBytes());
            assertEquals(3996, bean.getAvailableBytes());
            assertEquals(4096, bean.getCapacityBytes());
            assertEquals(1, bean.getAllocations());
            assertEquals(100, bean.getPeakBytes());
            assertTrue(bean.getStatisticsJson().startsWith("{\"allocations\":1,"));
            assertFalse(bean.isClosed());
            assertTrue(bean.getDescription().startsWith("BumpAllocator[capacity=4096"));

            IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                    () -> AllocatorMXBeans.register("request arena", arena));
            assertTrue(taken.getMessage().contains("already registered"), taken.getMessage());

            registration.close();
            registration.close();
            assertFalse(server.isRegistered(registration.objectName()));
        }
    }

    @Test
    void untrackedStatisticsReadAsMinusOne() {
        try (BumpAllocator arena = BumpAllocator.create(64);
             AllocatorMXBeans.Registration registration = AllocatorMXBeans.register("plain", arena)) {
            AllocatorMXBean bean = JMX.newMXBeanProxy(server, registration.objectName(), AllocatorMXBean.class);
            assertEquals(-1, bean.getAllocations());
            assertEquals(-1, bean.getResets());
            assertNull(bean.getStatisticsJson());
        }
    }
}
