/**
 * Java Flight Recorder events of the allocators. Record them with
 * {@code java -XX:StartFlightRecording:filename=app.jfr ...} and read them with {@code jfr print --events
 * nebula.memory.* app.jfr}, or stream them with {@code jdk.jfr.consumer.RecordingStream}.
 *
 * <table>
 *   <caption>Events</caption>
 *   <tr><th>Name</th><th>When</th></tr>
 *   <tr><td>{@value io.nebula.memory.jfr.AllocationErrorEvent#NAME}</td><td>an allocator throws (out of memory,
 *       double free, ...)</td></tr>
 *   <tr><td>{@value io.nebula.memory.jfr.ReleaseEvent#NAME}</td><td>reset, checkpoint restore, scope
 *       close (arena, stack)</td></tr>
 *   <tr><td>{@value io.nebula.memory.jfr.GrowthEvent#NAME}</td><td>a pool or a growable arena adds a chunk</td></tr>
 *   <tr><td>{@value io.nebula.memory.jfr.LeakEvent#NAME}</td><td>an allocator closes with live
 *       allocations or open scopes</td></tr>
 *   <tr><td>{@value io.nebula.memory.jfr.LongWaitEvent#NAME}</td><td>an async arena serves a request that
 *       waited at least the configured threshold</td></tr>
 *   <tr><td>{@value io.nebula.memory.jfr.StatisticsEvent#NAME}</td><td>every second, per open allocator that
 *       tracks statistics</td></tr>
 * </table>
 *
 * <p>Every event is emitted off the allocation fast path: a disabled event costs one check on the paths above.
 */
package io.nebula.memory.jfr;
