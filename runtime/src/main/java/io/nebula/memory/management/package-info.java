/**
 * JMX monitoring of allocators, opt-in per allocator: {@link io.nebula.memory.management.AllocatorMXBeans#register}
 * publishes an {@link io.nebula.memory.management.AllocatorMXBean} under
 * {@code io.nebula.memory:type=Allocator,name=<name>}, visible in JConsole, VisualVM or any JMX client.
 */
package io.nebula.memory.management;
