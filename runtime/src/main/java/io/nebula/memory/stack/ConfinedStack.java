package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.Scope;
import io.nebula.memory.internal.Lifecycle;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The stack confined to the thread that created it: every call checks that thread (one comparison, which also
 * covers "closed") and then works on plain fields, with no lock and no fence. The operations themselves are
 * {@link StackAllocator}'s; this class is the confined contract around them.
 */
final class ConfinedStack extends StackAllocator {

    private final Lifecycle.Confined life;

    ConfinedStack(long capacity, StackConfig config) {
        this(capacity, config, Lifecycle.confined(config.trackStats(), config.leakPolicy()));
    }

    private ConfinedStack(long capacity, StackConfig config, Lifecycle.Confined life) {
        super(capacity, config, life);
        this.life = life;
        life.startTracking(this);
    }

    @Override
    public long allocateOffset(long byteSize, long byteAlignment) {
        life.checkOwner(this);
        return pushOffset(byteSize, byteAlignment);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        life.checkOwner(this);
        if (isChecked()) {
            return pushChecked(byteSize, byteAlignment);
        }
        return segment().asSlice(pushOffset(byteSize, byteAlignment), byteSize);
    }

    @Override
    public void deallocate(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        life.checkOwner(this);
        pop(segment);
    }

    @Override
    public void deallocateOffset(long offset) {
        life.checkOwner(this);
        pop(offset);
    }

    @Override
    public Checkpoint checkpoint() {
        life.checkOwner(this);
        return saveCheckpoint();
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        life.checkOwner(this);
        restoreCheckpoint(checkpoint);
    }

    @Override
    public Scope scope() {
        life.checkOwner(this);
        return openScope();
    }

    @Override
    void closeScope(StackScope scope) {
        life.checkOwner(this);
        closeOpenScope(scope);
    }

    @Override
    public void reset() {
        life.checkOwner(this);
        popAll();
    }

    @Override
    public int depth() {
        return liveDepth();
    }

    @Override
    public long usedBytes() {
        return top();
    }

    @Override
    Lifecycle lifecycle() {
        return life;
    }

    @Override
    boolean isLiveChecked(MemorySegment segment) {
        return liveEntryOf(segment) >= 0;
    }

    @Override
    public String toString() {
        return describe("");
    }
}
