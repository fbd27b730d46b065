package io.nebula.memory.management;

/**
 * The JMX view of one {@link io.nebula.memory.async.AsyncArena}: its budget, its queue and its waits. Every
 * figure comes from one consistent snapshot of the arena's statistics per attribute read.
 */
public interface AsyncArenaMXBean {

    /**
     * Returns the arena's description, such as {@code AsyncArena[capacity=65536, leased=4096, waiters=3]}.
     *
     * @return the description
     */
    String getDescription();

    /**
     * Returns the budget.
     *
     * @return capacity in bytes
     */
    long getCapacityBytes();

    /**
     * Returns the bytes held by open leases and handles.
     *
     * @return leased bytes
     */
    long getLeasedBytes();

    /**
     * Returns the largest number of bytes leased at once.
     *
     * @return peak leased bytes
     */
    long getPeakLeasedBytes();

    /**
     * Returns the requests waiting now.
     *
     * @return the queue's length
     */
    long getWaiters();

    /**
     * Returns the longest the queue has been.
     *
     * @return peak waiters
     */
    long getPeakWaiters();

    /**
     * Returns the requests served.
     *
     * @return the count
     */
    long getGrants();

    /**
     * Returns the served requests that had to wait.
     *
     * @return the count
     */
    long getWaited();

    /**
     * Returns the time served requests spent waiting, summed, in nanoseconds.
     *
     * @return total wait
     */
    long getTotalWaitNanos();

    /**
     * Returns the longest time one served request waited, in nanoseconds.
     *
     * @return longest wait
     */
    long getLongestWaitNanos();

    /**
     * Returns the queued requests that left without memory: cancelled, timed out or interrupted.
     *
     * @return the count
     */
    long getAbandoned();

    /**
     * Returns whether the arena is closed.
     *
     * @return {@code true} once closed
     */
    boolean isClosed();

    /**
     * Returns the statistics as JSON.
     *
     * @return the JSON object of {@link io.nebula.memory.async.AsyncStatistics#toJson()}
     */
    String getStatisticsJson();

    /**
     * Returns the configuration as JSON.
     *
     * @return the JSON object of {@link io.nebula.memory.async.AsyncConfig#toJson()}
     */
    String getConfigJson();
}
