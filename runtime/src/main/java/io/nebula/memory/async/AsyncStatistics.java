package io.nebula.memory.async;

import io.nebula.memory.internal.Json;

import java.time.Duration;

/**
 * A snapshot of an {@link AsyncArena}'s counters, taken by {@link AsyncArena#statistics()}. Every count is
 * consistent with the others: the snapshot is taken under the arena's lock.
 *
 * @param capacityBytes    the budget
 * @param leasedBytes      bytes held by open leases and handles now, rounded up to whole granules
 * @param peakLeasedBytes  the largest {@code leasedBytes} seen
 * @param grants           requests served: leases and handles handed out
 * @param releases         leases and handles given back
 * @param waitersNow       requests queued now
 * @param peakWaiters      the longest the queue has been
 * @param waited           served requests that had to wait in the queue
 * @param totalWaitNanos   the time served requests spent in the queue, summed
 * @param longestWaitNanos the longest time one served request spent in the queue
 * @param abandoned        queued requests that left without memory: cancelled, timed out or interrupted
 * @param failed           requests refused: larger than the budget, invalid, or failed by {@code close()}
 */
public record AsyncStatistics(long capacityBytes, long leasedBytes, long peakLeasedBytes, long grants,
                              long releases, long waitersNow, long peakWaiters, long waited, long totalWaitNanos,
                              long longestWaitNanos, long abandoned, long failed) {

    /**
     * Returns the time served requests spent waiting, summed.
     *
     * @return the total wait
     */
    public Duration totalWait() {
        return Duration.ofNanos(totalWaitNanos);
    }

    /**
     * Returns the longest time one served request waited.
     *
     * @return the longest wait
     */
    public Duration longestWait() {
        return Duration.ofNanos(longestWaitNanos);
    }

    /**
     * Returns the mean wait of the served requests that waited.
     *
     * @return the mean wait, zero when none waited
     */
    public Duration averageWait() {
        return waited == 0 ? Duration.ZERO : Duration.ofNanos(totalWaitNanos / waited);
    }

    /**
     * Renders the snapshot as a JSON object, with the component names as keys.
     *
     * @return a JSON object such as {@code {"capacityBytes":65536,"leasedBytes":4096,...}}
     */
    public String toJson() {
        return Json.object()
                .member("capacityBytes", capacityBytes)
                .member("leasedBytes", leasedBytes)
                .member("peakLeasedBytes", peakLeasedBytes)
                .member("grants", grants)
                .member("releases", releases)
                .member("waitersNow", waitersNow)
                .member("peakWaiters", peakWaiters)
                .member("waited", waited)
                .member("totalWaitNanos", totalWaitNanos)
                .member("longestWaitNanos", longestWaitNanos)
                .member("abandoned", abandoned)
                .member("failed", failed)
                .toString();
    }
}
