package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;

/**
 * The confined {@link CompressedStore}: one thread, no lock. Every call checks that the caller is the owner, a
 * comparison that also covers "closed" (a closed store has no owner).
 */
final class ConfinedStore implements CompressedStore {

    private final StoreConfig config;
    private final BlockTable table;
    private final CodecWorker worker;
    private Thread owner;
    private long gets;
    private long bytesOut;

    ConfinedStore(StoreConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.worker = new CodecWorker(config.codec(), config.implementation(), false, config);
        this.table = new BlockTable(config.chunkBytes(), false);
        this.owner = Thread.currentThread();
    }

    @Override
    public StoreConfig config() {
        return config;
    }

    @Override
    public long put(MemorySegment data) {
        checkOwner();
        Segments.checkInput(data, this);
        MemorySegment block = worker.compose(data);
        return table.add(block, this);
    }

    @Override
    public long get(long handle, MemorySegment destination) {
        checkOwner();
        int slot = table.resolve(handle, this);
        MemorySegment target = Segments.checkDestination(destination, table.rawLength(slot), this);
        return read(slot, target);
    }

    @Override
    public MemorySegment get(long handle, SegmentAllocator allocator, long byteAlignment) {
        Objects.requireNonNull(allocator, "allocator");
        checkOwner();
        int slot = table.resolve(handle, this);
        MemorySegment target = allocator.allocate(table.rawLength(slot), byteAlignment);
        read(slot, Segments.checkDestination(target, table.rawLength(slot), this));
        return target;
    }

    private long read(int slot, MemorySegment target) {
        MemorySegment block = table.block(slot);
        BlockFormat.verify(block, worker.crc(), this);
        if (BlockFormat.rawLength(block) != table.rawLength(slot)) {
            throw BlockFormat.undecodable(block, description(), "does not match the " + table.rawLength(slot)
                    + " bytes that were put", null);
        }
        worker.decode(block, target, this);
        gets++;
        bytesOut += target.byteSize();
        return target.byteSize();
    }

    /**
     * Returns the block of {@code handle} in the store's memory, writable: for the tests that damage a stored
     * block and for diagnostics. Not part of the API.
     */
    MemorySegment storedBlock(long handle) {
        checkOwner();
        return table.block(table.resolve(handle, this));
    }

    @Override
    public long decompressedSize(long handle) {
        checkOwner();
        return table.rawLength(table.resolve(handle, this));
    }

    @Override
    public long storedSize(long handle) {
        checkOwner();
        return table.length(table.resolve(handle, this));
    }

    @Override
    public boolean contains(long handle) {
        checkOwner();
        return table.contains(handle);
    }

    @Override
    public void free(long handle) {
        checkOwner();
        table.remove(table.resolve(handle, this));
    }

    @Override
    public StoreStatistics statistics() {
        checkOwner();
        return table.statistics(gets, bytesOut);
    }

    @Override
    public long usedBytes() {
        return table.usedBytes();
    }

    @Override
    public long availableBytes() {
        return table.reservedBytes() - table.usedBytes();
    }

    @Override
    public long capacityBytes() {
        return table.reservedBytes();
    }

    @Override
    public boolean isClosed() {
        return owner == null;
    }

    @Override
    public void close() {
        if (owner == null) {
            return;
        }
        checkOwner();
        owner = null;
        table.close();
        worker.close();
    }

    private void checkOwner() {
        if (owner != Thread.currentThread()) {
            throw owner == null ? StoreErrors.closed(this) : StoreErrors.wrongThread(owner, this);
        }
    }

    private String description() {
        return "CompressedStore[codec=" + config.codec() + ", confined, blocks=" + table.liveBlocks() + ", stored="
                + table.liveStoredBytes() + " bytes, reserved=" + table.reservedBytes() + " bytes]";
    }

    @Override
    public String toString() {
        return description();
    }
}
