package io.nebula.memory.async;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakReport;
import io.nebula.memory.MemoryUsage;
import io.nebula.memory.internal.Events;
import io.nebula.memory.internal.Leaks;
import io.nebula.memory.internal.NativeMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A memory budget shared by concurrent tasks, with back-pressure instead of failure: a task asks for memory and
 * gets a {@link CompletableFuture} that completes when the budget can serve it. When the budget is exhausted the
 * request waits, without blocking a thread, until another task gives memory back.
 * <pre>{@code
 * try (AsyncArena budget = AsyncArena.create(64 << 20, AsyncConfig.defaults())) {
 *     budget.lease(256 * 1024)
 *           .orTimeout(2, TimeUnit.SECONDS)                  // a waiter that times out leaves the queue
 *           .thenAcceptAsync(lease -> {
 *               try (lease) {                                // a bump arena over the leased bytes
 *                   MemorySegment body = lease.allocate(4096, 8);
 *                   ...
 *               }                                            // the bytes go back; the next waiter is served
 *           }, executor);
 *
 *     try (Lease lease = budget.leaseBlocking(4096, Duration.ofSeconds(1))) {   // on a virtual thread
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <h2>What a request gets</h2>
 * <ul>
 *   <li>{@link #lease(long)}: a {@link Lease}, a bump arena over the leased bytes that gives all of them back on
 *       close; {@link #leaseBlocking(long, Duration)} is its blocking form, for virtual threads.</li>
 *   <li>{@link #allocate(HandleType)}: a {@link Handle}, one typed value or struct with {@code read} and
 *       {@code write}; {@link #allocate(long, long)} for raw bytes.</li>
 * </ul>
 * Each is charged its size rounded up to whole granules ({@link AsyncConfig#granuleBytes()}, 64 bytes by default)
 * and starts on a granule boundary. The budget is one block of native memory, reserved at creation; a grant is a
 * contiguous range of it, chosen best-fit, and given-back ranges merge with their free neighbours.
 *
 * <h2>Fairness, cancellation, failure</h2>
 * <ul>
 *   <li>Requests are served in arrival order: a request waits behind the ones queued before it even when it would
 *       fit, so a large request is never overtaken, and starved, by a stream of small ones.</li>
 *   <li>A request that cannot fit is queued until earlier grants come back. Because a grant is contiguous, a
 *       request may also wait while enough bytes are free in several pieces; it is served once the pieces
 *       between them come back.</li>
 *   <li>Cancelling the future, or its timing out ({@code orTimeout}), removes the request from the queue. When a
 *       cancellation races the grant, the memory goes back to the budget: nothing leaks either way.</li>
 *   <li>A request larger than the whole budget fails at once with {@link ErrorCode#INVALID_SIZE}; a negative size
 *       with {@code INVALID_SIZE}; an alignment that is not a power of two with {@code INVALID_ALIGNMENT}. These
 *       arrive as an exceptionally completed future, never as a throw.</li>
 *   <li>{@link #close()} fails every waiting future with {@link ErrorCode#CLOSED} and frees the block; leases and
 *       handles still open are reported under the configured {@link io.nebula.memory.LeakPolicy}, and their
 *       segments become inaccessible.</li>
 * </ul>
 *
 * <h2>Threads and costs</h2>
 * Every method is thread-safe. The queue and the free ranges sit behind one lock, held for O(log ranges) per
 * request or give-back, never while a future completes: a future is completed after the lock is released, by the
 * thread whose give-back served it, so callbacks attached with {@code thenApply} and the like may run on that
 * thread. Do not block in such callbacks; attach them with the {@code *Async} forms when they do real work. A give-back
 * that serves other requests from inside such a callback hands their completion to the outer give-back on the same
 * thread, so a chain of callbacks that each close a lease does not deepen the stack.
 *
 * <h2>Observability</h2>
 * {@link #statistics()} (waiters now and at peak, waits, bytes leased now and at peak), a
 * {@code nebula.memory.LongWait} flight-recorder event for a request served after waiting at least
 * {@link AsyncConfig#longWait()}, and a JMX bean through
 * {@link io.nebula.memory.management.AllocatorMXBeans#register(String, AsyncArena)}.
 */
public final class AsyncArena implements MemoryUsage, AutoCloseable {

    private final AsyncConfig config;
    private final Arena memory;
    private final MemorySegment block;
    private final long capacity;
    private final long granule;
    private final long longWaitNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Deliveries waiting on the current thread while it completes others: keeps nested give-backs flat. */
    private final ThreadLocal<ArrayDeque<Waiter<?>>> delivering = new ThreadLocal<>();

    // Guarded by lock.
    private final FreeRanges free;
    private Waiter<?> head;
    private Waiter<?> tail;
    private long peakLeasedBytes;
    private long grants;
    private long releases;
    private long peakWaiters;
    private long waited;
    private long totalWaitNanos;
    private long longestWaitNanos;
    private long abandoned;
    private long failed;
    // Written under lock, read without it.
    private volatile boolean closed;
    private volatile long leasedBytes;
    private volatile long waitersNow;

    private AsyncArena(long capacity, AsyncConfig config) {
        this.config = config;
        this.granule = config.granuleBytes();
        this.capacity = capacity;
        this.longWaitNanos = config.longWait().toNanos();
        this.memory = Arena.ofShared();
        this.block = NativeMemory.reserve(memory, capacity, Math.max(granule, 64), "AsyncArena");
        this.free = new FreeRanges(capacity);
    }

    /**
     * Creates an arena with a budget of {@code capacity} bytes and the default configuration.
     *
     * @param capacity the budget in bytes, at least one granule (64 bytes)
     * @return the arena
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when the budget is under one granule, or
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     */
    public static AsyncArena create(long capacity) {
        return create(capacity, AsyncConfig.defaults());
    }

    /**
     * Creates an arena with a budget of {@code capacity} bytes, rounded down to whole granules, reserved at once as
     * one block of native memory.
     *
     * @param capacity the budget in bytes, at least one granule
     * @param config   the configuration
     * @return the arena
     * @throws AllocationException {@link ErrorCode#INVALID_SIZE} when the budget is under one granule, or
     *     {@link ErrorCode#OUT_OF_MEMORY} when the native memory cannot be reserved
     * @throws NullPointerException when {@code config} is {@code null}
     */
    public static AsyncArena create(long capacity, AsyncConfig config) {
        Objects.requireNonNull(config, "config");
        long granule = config.granuleBytes();
        if (capacity < granule) {
            throw Events.allocationError(AsyncErrors.invalidCapacity(capacity, granule));
        }
        return new AsyncArena(capacity & -granule, config);
    }

    /**
     * Returns the configuration this arena was created with.
     *
     * @return the configuration
     */
    public AsyncConfig config() {
        return config;
    }

    /**
     * Leases {@code bytes} bytes as a bump arena of their own, when the budget can serve them.
     *
     * @param bytes the bytes to lease, zero or more; charged at least one granule
     * @return a future that completes with the lease, in arrival order with the other requests; or exceptionally
     *     with an {@link AllocationException}: {@link ErrorCode#INVALID_SIZE} at once when {@code bytes} is negative
     *     or exceeds the whole budget, {@link ErrorCode#CLOSED} when the arena is or becomes closed. Cancel it (or
     *     let {@code orTimeout} time it out) to leave the queue.
     */
    public CompletableFuture<Lease> lease(long bytes) {
        return request(bytes, granule, grant -> new Lease(this, block.asSlice(grant.offset, bytes), grant));
    }

    /**
     * Leases {@code bytes} bytes, blocking the calling thread until the budget serves them: the form for virtual
     * threads, where blocking is cheap.
     *
     * @param bytes   the bytes to lease, zero or more
     * @param timeout how long to wait at most; zero or negative waits not at all
     * @return the lease
     * @throws InterruptedException when the thread is interrupted while waiting; the request leaves the queue, and
     *     memory granted at the same moment goes back to the budget
     * @throws TimeoutException     when the budget did not serve the request in time; the request leaves the queue
     * @throws AllocationException  as {@link #lease(long)} fails its future
     * @throws NullPointerException when {@code timeout} is {@code null}
     */
    public Lease leaseBlocking(long bytes, Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Lease> future = lease(bytes);
        try {
            return future.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        } catch (TimeoutException e) {
            if (future.cancel(false)) {
                throw e;
            }
            return settled(future);
        } catch (InterruptedException e) {
            if (!future.cancel(false)) {
                try {
                    settled(future).close();
                } catch (RuntimeException ignored) {
                    // the request failed as well: nothing to give back
                }
            }
            throw e;
        }
    }

    /**
     * Allocates a handle to {@code byteSize} raw bytes, when the budget can serve them; as
     * {@link #allocate(long, long)} with alignment 1 (the bytes still start on a granule boundary).
     *
     * @param byteSize the size in bytes, zero or more
     * @return a future of the handle, as {@link #lease(long)}
     */
    public CompletableFuture<Handle<MemorySegment>> allocate(long byteSize) {
        return allocate(byteSize, 1);
    }

    /**
     * Allocates a handle to {@code byteSize} raw bytes aligned to {@code byteAlignment}, when the budget can serve
     * them. Reading the handle copies the bytes out, writing copies bytes in; {@link Handle#segment()} is the memory
     * itself.
     *
     * @param byteSize      the size in bytes, zero or more
     * @param byteAlignment the alignment, a power of two; above the granule it costs up to the difference in budget
     * @return a future of the handle, as {@link #lease(long)}
     */
    public CompletableFuture<Handle<MemorySegment>> allocate(long byteSize, long byteAlignment) {
        if (byteSize < 0 || byteAlignment <= 0 || Long.bitCount(byteAlignment) != 1) {
            return request(byteSize, byteAlignment, grant -> {
                throw new AssertionError("an invalid request is never granted");
            });
        }
        return allocate(HandleType.bytes(byteSize, byteAlignment));
    }

    /**
     * Allocates a handle to one value of {@code type}, when the budget can serve it. Its bytes hold whatever the
     * previous holder left (zeros with {@link AsyncConfig#zeroOnRelease()}); write before reading, or use
     * {@link #allocate(HandleType, Object)}.
     *
     * @param type the value's layout, reader and writer
     * @param <T>  the value's type
     * @return a future of the handle, as {@link #lease(long)}
     * @throws NullPointerException when {@code type} is {@code null}
     */
    public <T> CompletableFuture<Handle<T>> allocate(HandleType<T> type) {
        Objects.requireNonNull(type, "type");
        long size = type.layout().byteSize();
        long alignment = type.layout().byteAlignment();
        return request(size, alignment, grant -> new Handle<>(this, type, slice(grant, size, alignment), grant));
    }

    /**
     * Allocates a handle to one value of {@code type} and writes {@code initial} into it before completing: the
     * counterpart of the Rust crate's {@code arena.alloc(42).await}.
     * <pre>{@code
     * Handle<Integer> answer = arena.allocate(HandleType.of(ValueLayout.JAVA_INT), 42).join();
     * int value = answer.read(v -> v);
     * }</pre>
     *
     * @param type    the value's layout, reader and writer
     * @param initial the first value
     * @param <T>     the value's type
     * @return a future of the handle, as {@link #lease(long)}; when the writer throws, the future fails with its
     *     exception and the bytes go back
     * @throws NullPointerException when {@code type} or {@code initial} is {@code null}
     */
    public <T> CompletableFuture<Handle<T>> allocate(HandleType<T> type, T initial) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(initial, "initial");
        long size = type.layout().byteSize();
        long alignment = type.layout().byteAlignment();
        return request(size, alignment, grant -> {
            MemorySegment segment = slice(grant, size, alignment);
            type.writer().write(segment, 0, initial);
            return new Handle<>(this, type, segment, grant);
        });
    }

    /**
     * Returns the number of requests waiting for memory now.
     *
     * @return the queue's length
     */
    public long waiters() {
        return waitersNow;
    }

    /**
     * Returns the bytes held by open leases and handles, in whole granules.
     *
     * @return the leased bytes
     */
    @Override
    public long usedBytes() {
        return leasedBytes;
    }

    /**
     * Returns the budget not leased now. A request of this size may still wait: the free bytes may lie in several
     * pieces, and earlier requests are served first.
     *
     * @return the free bytes
     */
    @Override
    public long availableBytes() {
        return capacity - leasedBytes;
    }

    /**
     * Returns the budget.
     *
     * @return the capacity in bytes, a whole number of granules
     */
    @Override
    public long capacityBytes() {
        return capacity;
    }

    /**
     * Takes a consistent snapshot of the arena's counters.
     *
     * @return the statistics
     */
    public AsyncStatistics statistics() {
        lock.lock();
        try {
            return new AsyncStatistics(capacity, leasedBytes, peakLeasedBytes, grants, releases, waitersNow,
                    peakWaiters, waited, totalWaitNanos, longestWaitNanos, abandoned, failed);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells whether {@link #close()} has been called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the arena: fails every waiting future with {@link ErrorCode#CLOSED}, frees the block (the segments of
     * leases and handles still open become inaccessible) and reports those leases and handles under the configured
     * leak policy. Later requests fail with {@code CLOSED}; closing a lease or handle afterwards does nothing.
     * Closing again does nothing.
     *
     * @throws AllocationException {@link ErrorCode#LEAK} when leases or handles are open and the leak policy is
     *     {@code FAIL} (the waiters are failed and the memory freed all the same)
     */
    @Override
    public void close() {
        List<Waiter<?>> pending = new ArrayList<>();
        LeakReport report;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Waiter<?> w = head; w != null; w = w.next) {
                w.queued = false;
                pending.add(w);
            }
            head = null;
            tail = null;
            waitersNow = 0;
            failed += pending.size();
            report = new LeakReport(toString(), grants - releases, 0, leasedBytes, List.of());
        } finally {
            lock.unlock();
        }
        for (Waiter<?> w : pending) {
            w.future.completeExceptionally(Events.allocationError(
                    AsyncErrors.closed(toString(), w.size, w.alignment, true)));
        }
        memory.close();
        Leaks.report(config.leakPolicy(), report);
    }

    @Override
    public String toString() {
        return "AsyncArena[capacity=" + capacity + ", leased=" + leasedBytes + ", waiters=" + waitersNow
                + (closed ? ", closed" : "") + "]";
    }

    /** Gives a grant back, once: from a lease's or handle's close. */
    void giveBack(Grant grant) {
        if (grant.markReturned()) {
            release(grant, false);
        }
    }

    private <R> CompletableFuture<R> request(long size, long alignment, Function<Grant, R> make) {
        AllocationException invalid = validate(size, alignment);
        if (invalid != null) {
            lock.lock();
            try {
                failed++;
            } finally {
                lock.unlock();
            }
            return CompletableFuture.failedFuture(Events.allocationError(invalid));
        }
        Waiter<R> waiter = new Waiter<>(size, alignment, charge(size, alignment), make);
        boolean served = false;
        lock.lock();
        try {
            if (closed) {
                failed++;
                return CompletableFuture.failedFuture(
                        Events.allocationError(AsyncErrors.closed(toString(), size, alignment, false)));
            }
            if (head == null) {
                long offset = free.take(waiter.charge);
                if (offset >= 0) {
                    grantTo(waiter, offset, 0);
                    served = true;
                }
            }
            if (!served) {
                waiter.since = System.nanoTime();
                enqueue(waiter);
            }
        } finally {
            lock.unlock();
        }
        if (served) {
            deliverOne(waiter);
        } else {
            waiter.future.whenComplete((result, failure) -> {
                if (failure != null) {
                    abandon(waiter);
                }
            });
        }
        return waiter.future;
    }

    private AllocationException validate(long size, long alignment) {
        if (size < 0) {
            return AsyncErrors.invalidSize(toString(), size, alignment, availableBytes(), usedBytes());
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            return AsyncErrors.invalidAlignment(toString(), size, alignment, availableBytes(), usedBytes());
        }
        boolean overflows = size > Long.MAX_VALUE / 2 || alignment > Long.MAX_VALUE / 2;
        long charge = overflows ? Math.max(size, alignment) : charge(size, alignment);
        if (charge > capacity) {
            return AsyncErrors.overBudget(toString(), size, alignment, charge, alignment > granule, capacity,
                    availableBytes(), usedBytes());
        }
        return null;
    }

    /** The bytes a request is charged: whole granules, room for an alignment above the granule included. */
    private long charge(long size, long alignment) {
        long extra = alignment > granule ? alignment - granule : 0;
        return (Math.max(size + extra, 1) + granule - 1) & -granule;
    }

    private MemorySegment slice(Grant grant, long size, long alignment) {
        long base = block.address();
        long start = ((base + grant.offset + alignment - 1) & -alignment) - base;
        return block.asSlice(start, size);
    }

    private void enqueue(Waiter<?> w) {
        w.queued = true;
        w.prev = tail;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        waitersNow++;
        peakWaiters = Math.max(peakWaiters, waitersNow);
    }

    private void unlink(Waiter<?> w) {
        if (w.prev == null) {
            head = w.next;
        } else {
            w.prev.next = w.next;
        }
        if (w.next == null) {
            tail = w.prev;
        } else {
            w.next.prev = w.prev;
        }
        w.prev = null;
        w.next = null;
        w.queued = false;
        waitersNow--;
    }

    /** Under the lock: hands {@code w} the range at {@code offset} and counts it. */
    private void grantTo(Waiter<?> w, long offset, long now) {
        w.grant = new Grant(offset, w.charge);
        leasedBytes += w.charge;
        peakLeasedBytes = Math.max(peakLeasedBytes, leasedBytes);
        grants++;
        if (w.since != 0) {
            w.waitNanos = now - w.since;
            waited++;
            totalWaitNanos += w.waitNanos;
            longestWaitNanos = Math.max(longestWaitNanos, w.waitNanos);
        }
        w.waitersLeft = waitersNow;
    }

    /** Under the lock: serves the queue from its head for as long as the head fits. */
    private List<Waiter<?>> collect() {
        List<Waiter<?>> granted = null;
        long now = 0;
        while (head != null) {
            Waiter<?> w = head;
            if (w.future.isDone()) {          // cancelled; its own callback will find it gone
                unlink(w);
                abandoned++;
                continue;
            }
            long offset = free.take(w.charge);
            if (offset < 0) {
                break;
            }
            unlink(w);
            if (now == 0) {
                now = System.nanoTime();
            }
            grantTo(w, offset, now);
            if (granted == null) {
                granted = new ArrayList<>(4);
            }
            granted.add(w);
        }
        return granted == null ? List.of() : granted;
    }

    private void abandon(Waiter<?> w) {
        List<Waiter<?>> granted;
        lock.lock();
        try {
            if (!w.queued) {
                return;
            }
            boolean wasHead = head == w;
            unlink(w);
            abandoned++;
            granted = wasHead ? collect() : List.of();
        } finally {
            lock.unlock();
        }
        deliver(granted);
    }

    private void release(Grant grant, boolean undelivered) {
        if (config.zeroOnRelease() && !closed) {
            try {
                block.asSlice(grant.offset, grant.charge).fill((byte) 0);
            } catch (IllegalStateException raced) {
                if (!closed) {
                    throw raced;
                }
            }
        }
        List<Waiter<?>> granted;
        lock.lock();
        try {
            leasedBytes -= grant.charge;
            if (undelivered) {
                grants--;
                abandoned++;
            } else {
                releases++;
            }
            if (closed) {
                return;
            }
            free.give(grant.offset, grant.charge);
            granted = collect();
        } finally {
            lock.unlock();
        }
        deliver(granted);
    }

    /**
     * Completes granted requests outside the lock. A delivery that gives memory back from a callback, and so grants
     * more, queues those on the outer delivery of the same thread instead of recursing.
     */
    private void deliver(List<Waiter<?>> granted) {
        if (granted.isEmpty()) {
            return;
        }
        ArrayDeque<Waiter<?>> pending = delivering.get();
        if (pending != null) {
            pending.addAll(granted);
            return;
        }
        pending = new ArrayDeque<>(granted);
        delivering.set(pending);
        try {
            Waiter<?> w;
            while ((w = pending.poll()) != null) {
                deliverOne(w);
            }
        } finally {
            delivering.remove();
        }
    }

    private <R> void deliverOne(Waiter<R> w) {
        if (w.since != 0 && w.waitNanos >= longWaitNanos) {
            Events.longWait(this, w.size, w.waitNanos, w.waitersLeft);
        }
        Grant grant = w.grant;
        if (w.future.isDone()) {
            undelivered(grant);
            return;
        }
        R result;
        try {
            result = w.make.apply(grant);
        } catch (RuntimeException | Error e) {
            undelivered(grant);
            w.future.completeExceptionally(e);
            return;
        }
        if (!w.future.complete(result)) {
            undelivered(grant);
        }
    }

    private void undelivered(Grant grant) {
        if (grant.markReturned()) {
            release(grant, true);
        }
    }

    private static <R> R settled(CompletableFuture<R> done) {
        try {
            return done.join();
        } catch (CompletionException e) {
            throw rethrown(e.getCause());
        }
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(cause);
    }
}
