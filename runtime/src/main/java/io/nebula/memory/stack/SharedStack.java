package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Lifecycle;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The thread-safe stack: every call that reads or changes it takes the lifecycle's one lock and checks, under it,
 * that the stack is open, so each call is atomic and the threads share one LIFO order. The operations themselves
 * are {@link StackAllocator}'s; this class is the thread-safe contract around them.
 */
final class SharedStack extends StackAllocator {

    private final Lifecycle.Shared life;

    SharedStack(long capacity, StackConfig config) {
        this(capacity, config, Lifecycle.shared(config.trackStats(), config.leakPolicy()));
    }

    private SharedStack(long capacity, StackConfig config, Lifecycle.Shared life) {
        super(capacity, config, life);
        this.life = life;
        life.startTracking(this);
    }

    @Override
    public long allocateOffset(long byteSize, long byteAlignment) {
        life.lock();
        try {
            life.checkNotClosed(this);
            return pushOffset(byteSize, byteAlignment);
        } finally {
            life.unlock();
        }
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (isChecked()) {
            life.lock();
            try {
                life.checkNotClosed(this);
                return pushChecked(byteSize, byteAlignment);
            } finally {
                life.unlock();
            }
        }
        return segment().asSlice(allocateOffset(byteSize, byteAlignment), byteSize);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        life.lock();
        try {
            life.checkNotClosed(this);
            pop(segment);
        } finally {
            life.unlock();
        }
    }

    @Override
    public void deallocateOffset(long offset) {
        life.lock();
        try {
            life.checkNotClosed(this);
            pop(offset);
        } finally {
            life.unlock();
        }
    }

    @Override
    public Checkpoint checkpoint() {
        life.lock();
        try {
            life.checkNotClosed(this);
            return saveCheckpoint();
        } finally {
            life.unlock();
        }
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        life.lock();
        try {
            life.checkNotClosed(this);
            restoreCheckpoint(checkpoint);
        } finally {
            life.unlock();
        }
    }

    @Override
    public Scope scope() {
        life.lock();
        try {
            life.checkNotClosed(this);
            return openScope();
        } finally {
            life.unlock();
        }
    }

    @Override
    void closeScope(StackScope scope) {
        life.lock();
        try {
            life.checkNotClosed(this);
            closeOpenScope(scope);
        } finally {
            life.unlock();
        }
    }

    @Override
    public void reset() {
        life.lock();
        try {
            life.checkNotClosed(this);
            popAll();
        } finally {
            life.unlock();
        }
    }

    @Override
    public int depth() {
        life.lock();
        try {
            return liveDepth();
        } finally {
            life.unlock();
        }
    }

    @Override
    public long usedBytes() {
        life.lock();
        try {
            return top();
        } finally {
            life.unlock();
        }
    }

    /** Nothing to forget: every call checks the lifecycle under the lock. */
    @Override
    void closing() {
    }

    @Override
    Lifecycle lifecycle() {
        return life;
    }

    @Override
    boolean isLiveChecked(MemorySegment segment) {
        life.lock();
        try {
            return liveEntryOf(segment) >= 0;
        } finally {
            life.unlock();
        }
    }

    @Override
    public String toString() {
        life.lock();
        try {
            return describe("");
        } finally {
            life.unlock();
        }
    }
}
