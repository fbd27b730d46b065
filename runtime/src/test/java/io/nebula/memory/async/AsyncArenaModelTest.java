package io.nebula.memory.async;

import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random requests, cancellations and give-backs on one thread, checked after every step against what the arena
 * promises: requests are served in arrival order, leased bytes are the sum of the open grants' charges, no two open
 * leases share a byte, and a request never waits on an empty budget.
 */
class AsyncArenaModelTest {

    private static final long GRANULE = 64;

    /** A request as the model sees it. */
    private static final class Request {
        final long bytes;
        final CompletableFuture<Lease> future;
        boolean cancelled;
        boolean closed;

        Request(long bytes, CompletableFuture<Lease> future) {
            this.bytes = bytes;
            this.future = future;
        }

        long charge() {
            return Math.max(GRANULE, (bytes + GRANULE - 1) / GRANULE * GRANULE);
        }

        boolean open() {
            return !cancelled && !closed && future.isDone() && !future.isCompletedExceptionally();
        }
    }

    @Test
    void randomRunsKeepEveryPromise() {
        for (long seed = 0; seed < 20; seed++) {
            run(seed);
        }
    }

    private static void run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long capacity = GRANULE * (4 + random.nextInt(60));
        List<Request> requests = new ArrayList<>();
        try (AsyncArena arena = AsyncArena.create(capacity, AsyncConfig.defaults().withLeakPolicy(LeakPolicy.FAIL))) {
            for (int step = 0; step < 2_000; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    long bytes = random.nextLong(capacity / 2 + 1);
                    requests.add(new Request(bytes, arena.lease(bytes)));
                } else if (op < 8) {
                    List<Request> open = requests.stream().filter(Request::open).toList();
                    if (!open.isEmpty()) {
                        Request r = open.get(random.nextInt(open.size()));
                        r.future.join().close();
                        r.closed = true;
                    }
                } else {
                    List<Request> pending = requests.stream().filter(r -> !r.future.isDone()).toList();
                    if (!pending.isEmpty()) {
                        Request r = pending.get(random.nextInt(pending.size()));
                        assertTrue(r.future.cancel(false));
                        r.cancelled = true;
                    }
                }
                check(arena, requests, "seed " + seed + " step " + step);
            }
            for (Request r : requests) {
                if (!r.future.isDone()) {
                    r.future.cancel(false);
                    r.cancelled = true;
                } else if (r.open()) {
                    r.future.join().close();
                    r.closed = true;
                }
            }
            assertEquals(0, arena.usedBytes());
            assertEquals(0, arena.waiters());
        }
    }

    private static void check(AsyncArena arena, List<Request> requests, String where) {
        boolean seenPending = false;
        long leased = 0;
        long waiting = 0;
        List<Lease> open = new ArrayList<>();
        for (Request r : requests) {
            if (r.cancelled) {
                continue;
            }
            if (!r.future.isDone()) {
                seenPending = true;
                waiting++;
                continue;
            }
            assertFalse(seenPending, where + ": a request was served before an earlier one still waiting");
            if (r.open()) {
                leased += r.charge();
                open.add(r.future.join());
            }
        }
        assertEquals(leased, arena.usedBytes(), where + ": leased bytes");
        assertEquals(waiting, arena.waiters(), where + ": waiters");
        if (leased == 0) {
            assertEquals(0, waiting, where + ": a request waits on an empty budget");
        }
        open.sort((a, b) -> Long.compare(a.segment().address(), b.segment().address()));
        for (int i = 1; i < open.size(); i++) {
            Lease before = open.get(i - 1);
            long end = before.segment().address() + Math.max(GRANULE, before.capacityBytes());
            assertTrue(end <= open.get(i).segment().address(), where + ": two open leases overlap");
        }
    }
}
