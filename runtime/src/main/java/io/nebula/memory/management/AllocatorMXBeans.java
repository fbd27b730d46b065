package io.nebula.memory.management;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Allocator;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.StatisticsProvider;
import io.nebula.memory.async.AsyncArena;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Publishes allocators as MXBeans on the platform MBean server.
 * <pre>{@code
 * try (BumpAllocator arena = BumpAllocator.create(1 << 20, BumpConfig.defaults().withTrackStats(true));
 *      AllocatorMXBeans.Registration jmx = AllocatorMXBeans.register("request-arena", arena)) {
 *     ...
 * }
 * }</pre>
 */
public final class AllocatorMXBeans {

    /** The JMX domain of every allocator bean. */
    public static final String DOMAIN = "io.nebula.memory";

    private AllocatorMXBeans() {
    }

    /** A published bean; closing it unregisters the bean. */
    public interface Registration extends AutoCloseable {

        /**
         * Returns the bean's name.
         *
         * @return the object name
         */
        ObjectName objectName();

        /**
         * Unregisters the bean; closing again does nothing.
         *
         * @throws IllegalStateException when JMX cannot unregister the bean (someone else unregistered it already,
         *     or its deregistration failed)
         */
        @Override
        void close();
    }

    /**
     * Returns the object name an allocator registered under {@code name} gets.
     *
     * @param name the allocator's name
     * @return {@code io.nebula.memory:type=Allocator,name=<name>}, the name quoted when needed
     * @throws IllegalArgumentException when the name cannot form an object name
     * @throws NullPointerException when {@code name} is {@code null}
     */
    public static ObjectName objectName(String name) {
        return objectName("Allocator", name);
    }

    private static ObjectName objectName(String type, String name) {
        Objects.requireNonNull(name, "name");
        try {
            return new ObjectName(DOMAIN + ":type=" + type + ",name=" + ObjectName.quote(name));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("cannot form a JMX name from \"" + name + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the object name an async arena registered under {@code name} gets.
     *
     * @param name the arena's name
     * @return {@code io.nebula.memory:type=AsyncArena,name=<name>}, the name quoted when needed
     * @throws IllegalArgumentException when the name cannot form an object name
     * @throws NullPointerException when {@code name} is {@code null}
     */
    public static ObjectName asyncArenaName(String name) {
        return objectName("AsyncArena", name);
    }

    /**
     * Publishes an async arena under {@code name}, as an {@link AsyncArenaMXBean}.
     * <pre>{@code
     * try (AsyncArena budget = AsyncArena.create(64 << 20);
     *      AllocatorMXBeans.Registration jmx = AllocatorMXBeans.register("request-budget", budget)) {
     *     ...
     * }
     * }</pre>
     *
     * @param name  a name unique among the published async arenas
     * @param arena the arena
     * @return the registration; close it when the arena closes
     * @throws IllegalArgumentException when the name is already taken
     * @throws IllegalStateException    when JMX refuses the bean
     * @throws NullPointerException     when {@code name} or {@code arena} is {@code null}
     */
    public static Registration register(String name, AsyncArena arena) {
        Objects.requireNonNull(arena, "arena");
        return publish(asyncArenaName(name), new AsyncBean(arena));
    }

    /**
     * Publishes {@code allocator} under {@code name}.
     *
     * @param name      a name unique among the published allocators
     * @param allocator the allocator
     * @param <A>       an allocator that reports usage and statistics
     * @return the registration; close it when the allocator closes
     * @throws IllegalArgumentException when the name is already taken
     * @throws IllegalStateException    when JMX refuses the bean
     * @throws NullPointerException     when {@code name} or {@code allocator} is {@code null}
     */
    public static <A extends Allocator & MemoryUsage & StatisticsProvider> Registration register(String name,
                                                                                               A allocator) {
        Objects.requireNonNull(allocator, "allocator");
        return publish(objectName(name), new Bean<>(allocator));
    }

    private static Registration publish(ObjectName objectName, Object bean) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.registerMBean(bean, objectName);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalArgumentException("a bean is already registered as " + objectName
                    + "; choose another name or close the earlier registration", e);
        } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
            throw new IllegalStateException("JMX refused the allocator bean " + objectName, e);
        }
        return new Registration() {
            private boolean closed;

            @Override
            public ObjectName objectName() {
                return objectName;
            }

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    server.unregisterMBean(objectName);
                } catch (InstanceNotFoundException | MBeanRegistrationException e) {
                    throw new IllegalStateException("could not unregister " + objectName, e);
                }
            }
        };
    }

    private static final class Bean<A extends Allocator & MemoryUsage & StatisticsProvider>
            implements AllocatorMXBean {
        private final A allocator;

        Bean(A allocator) {
            this.allocator = allocator;
        }

        @Override
        public String getDescription() {
            return allocator.toString();
        }

        @Override
        public long getUsedBytes() {
            return allocator.usedBytes();
        }

        @Override
        public long getAvailableBytes() {
            return allocator.availableBytes();
        }

        @Override
        public long getCapacityBytes() {
            return allocator.capacityBytes();
        }

        @Override
        public boolean isClosed() {
            return allocator.isClosed();
        }

        private long stat(ToLongFunction<AllocationStatistics> counter) {
            Optional<AllocationStatistics> s = allocator.statistics();
            return s.isPresent() ? counter.applyAsLong(s.get()) : -1;
        }

        @Override
        public long getAllocations() {
            return stat(AllocationStatistics::allocations);
        }

        @Override
        public long getDeallocations() {
            return stat(AllocationStatistics::deallocations);
        }

        @Override
        public long getPeakBytes() {
            return stat(AllocationStatistics::peakBytes);
        }

        @Override
        public long getFailedAllocations() {
            return stat(AllocationStatistics::failedAllocations);
        }

        @Override
        public long getResets() {
            return stat(AllocationStatistics::resets);
        }

        @Override
        public long getWastedBytes() {
            return stat(AllocationStatistics::wastedBytes);
        }

        @Override
        public String getStatisticsJson() {
            return allocator.statistics().map(AllocationStatistics::toJson).orElse(null);
        }
    }

    private static final class AsyncBean implements AsyncArenaMXBean {
        private final AsyncArena arena;

        AsyncBean(AsyncArena arena) {
            this.arena = arena;
        }

        @Override
        public String getDescription() {
            return arena.toString();
        }

        @Override
        public long getCapacityBytes() {
            return arena.capacityBytes();
        }

        @Override
        public long getLeasedBytes() {
            return arena.usedBytes();
        }

        @Override
        public long getPeakLeasedBytes() {
            return arena.statistics().peakLeasedBytes();
        }

        @Override
        public long getWaiters() {
            return arena.waiters();
        }

        @Override
        public long getPeakWaiters() {
            return arena.statistics().peakWaiters();
        }

        @Override
        public long getGrants() {
            return arena.statistics().grants();
        }

        @Override
        public long getWaited() {
            return arena.statistics().waited();
        }

        @Override
        public long getTotalWaitNanos() {
            return arena.statistics().totalWaitNanos();
        }

        @Override
        public long getLongestWaitNanos() {
            return arena.statistics().longestWaitNanos();
        }

        @Override
        public long getAbandoned() {
            return arena.statistics().abandoned();
        }

        @Override
        public boolean isClosed() {
            return arena.isClosed();
        }

        @Override
        public String getStatisticsJson() {
            return arena.statistics().toJson();
        }

        @Override
        public String getConfigJson() {
            return arena.config().toJson();
        }
    }
}
