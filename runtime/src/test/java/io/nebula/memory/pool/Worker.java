package io.nebula.memory.pool;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A thread that stays alive between the calls a test makes on it, so that a test can hold a thread's cache of free
 * blocks ({@link PoolAllocator#threadCache()}) while another thread works, and end the thread when it wants to. Each
 * call runs on the worker's thread and returns when it is done (its writes happen before the call returns), and
 * what it threw is thrown again on the calling thread. {@link #end()} ends the thread and waits until it has
 * ended, so that {@link Thread#isAlive()} is then {@code false}.
 */
final class Worker implements AutoCloseable {

    /** A body that may throw anything. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    private static final FutureTask<Void> STOP = new FutureTask<>(() -> null);

    private final LinkedBlockingQueue<FutureTask<?>> tasks = new LinkedBlockingQueue<>();
    private final Thread thread;

    private Worker(Thread.Builder builder) {
        this.thread = builder.start(this::loop);
    }

    /** A worker on a platform thread named {@code name}. */
    static Worker platform(String name) {
        return new Worker(Thread.ofPlatform().name(name));
    }

    /** A worker on a virtual thread named {@code name}. */
    static Worker virtual(String name) {
        return new Worker(Thread.ofVirtual().name(name));
    }

    private void loop() {
        try {
            while (true) {
                FutureTask<?> task = tasks.take();
                if (task == STOP) {
                    return;
                }
                task.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The worker's thread. */
    Thread thread() {
        return thread;
    }

    /** Starts {@code body} on the worker's thread: {@link #await(FutureTask)} waits for it. */
    <T> FutureTask<T> submit(Callable<T> body) throws InterruptedException {
        FutureTask<T> task = new FutureTask<>(body);
        tasks.put(task);
        return task;
    }

    /** Waits for a task {@link #submit submitted} to a worker and returns its result, or throws what it threw. */
    static <T> T await(FutureTask<T> task) throws Exception {
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Runs {@code body} on the worker's thread and returns its result, or throws what it threw. */
    <T> T call(Callable<T> body) throws Exception {
        return await(submit(body));
    }

    /** Runs {@code body} on the worker's thread, and throws what it threw. */
    void run(Body body) throws Exception {
        call(() -> {
            body.run();
            return null;
        });
    }

    /** Ends the worker's thread and waits until it has ended. */
    void end() throws InterruptedException {
        if (thread.isAlive()) {
            tasks.put(STOP);
            thread.join();
        }
    }

    /** Ends the worker's thread, as {@link #end()}; an interrupt while waiting is rethrown unchecked. */
    @Override
    public void close() {
        try {
            end();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while ending " + thread, e);
        }
    }
}
