package io.nebula.memory.async;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A range of an arena's block handed to one lease or handle: its offset, the bytes charged to the budget, and
 * whether it has been given back. Giving back happens exactly once, whoever tries first (a close racing a close, or
 * a completion racing a cancellation).
 */
final class Grant {

    private static final VarHandle RETURNED;

    static {
        try {
            RETURNED = MethodHandles.lookup().findVarHandle(Grant.class, "returned", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long offset;
    final long charge;
    @SuppressWarnings("unused") // through RETURNED
    private volatile boolean returned;

    Grant(long offset, long charge) {
        this.offset = offset;
        this.charge = charge;
    }

    /** Marks the grant given back; {@code true} for the one caller that does it. */
    boolean markReturned() {
        return RETURNED.compareAndSet(this, false, true);
    }

    boolean isReturned() {
        return returned;
    }
}
