package io.nebula.memory.stress;

import io.nebula.memory.LeakPolicy;
import io.nebula.memory.async.AsyncArena;
import io.nebula.memory.async.AsyncConfig;
import io.nebula.memory.async.Lease;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

import java.util.concurrent.CompletableFuture;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress tests of the async arena's races: a grant against a cancellation of the same request, and two closes of
 * one lease. Whatever the interleaving, every byte must come back exactly once.
 */
public final class AsyncArenaStress {

    private static final AsyncConfig CONFIG = AsyncConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE);

    private AsyncArenaStress() {
    }

    /**
     * One thread gives back the lease a queued request waits for, while another cancels that request. Either the
     * cancel wins (and the grant, if made, goes back) or the request is delivered; never both, never a lost byte.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "cancelled; the budget is whole again")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "delivered first, then closed by the arbiter")
    @Outcome(expect = FORBIDDEN, desc = "bytes leaked, a waiter stuck in the queue, or a double delivery")
    @State
    public static class GrantVersusCancel {
        private final AsyncArena arena = AsyncArena.create(64, CONFIG);
        private final Lease held = arena.lease(64).join();
        private final CompletableFuture<Lease> waiting = arena.lease(64);

        /**
         * Gives the budget back, which grants it to the waiting request.
         */
        @Actor
        public void release() {
            held.close();
        }

        /**
         * Cancels the waiting request.
         *
         * @param r result
         */
        @Actor
        public void cancel(III_Result r) {
            r.r1 = waiting.cancel(false) ? 1 : 0;
        }

        /**
         * After both: closes a delivered lease, then reads what is still leased and queued.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            if (r.r1 == 0) {
                waiting.join().close();
            }
            r.r2 = (int) arena.usedBytes();
            r.r3 = (int) (arena.waiters() + arena.statistics().grants() - arena.statistics().releases());
            arena.close();
        }
    }

    /** Two threads close the same lease: its bytes go back once. */
    @JCStressTest
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "given back once")
    @Outcome(expect = FORBIDDEN, desc = "given back twice or not at all")
    @State
    public static class DoubleClose {
        private final AsyncArena arena = AsyncArena.create(128, CONFIG);
        private final Lease lease = arena.lease(64).join();

        /** First close. */
        @Actor
        public void first() {
            lease.close();
        }

        /** Second close. */
        @Actor
        public void second() {
            lease.close();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(II_Result r) {
            r.r1 = (int) arena.usedBytes();
            r.r2 = (int) arena.statistics().releases();
            arena.close();
        }
    }
}
