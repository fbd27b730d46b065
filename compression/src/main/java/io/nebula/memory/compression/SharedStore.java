package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The thread-safe {@link CompressedStore}. Compression, the expensive part of a put, runs outside any lock with a
 * {@link CodecWorker} taken from a pool (a codec instance is not thread-safe, so each concurrent caller gets its
 * own); placing the finished block, freeing and compaction take the write lock; gets verify and decompress under
 * the read lock, in parallel with each other, with a pooled worker too. The chunks are thread-safe bump arenas, so
 * that their memory is accessible from every thread.
 */
final class SharedStore implements CompressedStore {

    private final StoreConfig config;
    private final BlockTable table;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Lock readLock = lock.readLock();
    private final Lock writeLock = lock.writeLock();
    private final ConcurrentLinkedQueue<CodecWorker> workers = new ConcurrentLinkedQueue<>();
    private final LongAdder gets = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private volatile boolean closed;

    SharedStore(StoreConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        workers.add(newWorker());
        this.table = new BlockTable(config.chunkBytes(), true);
    }

    @Override
    public StoreConfig config() {
        return config;
    }

    @Override
    public long put(MemorySegment data) {
        checkOpen();
        Segments.checkInput(data, this);
        CodecWorker worker = takeWorker();
        try {
            MemorySegment block = worker.compose(data);
            writeLock.lock();
            try {
                checkOpen();
                return table.add(block, this);
            } finally {
                writeLock.unlock();
            }
        } finally {
            giveBack(worker);
        }
    }

    @Override
    public long get(long handle, MemorySegment destination) {
        checkOpen();
        CodecWorker worker = takeWorker();
        try {
            readLock.lock();
            try {
                checkOpen();
                int slot = table.resolve(handle, this);
                MemorySegment target = Segments.checkDestination(destination, table.rawLength(slot), this);
                return read(slot, target, worker);
            } finally {
                readLock.unlock();
            }
        } finally {
            giveBack(worker);
        }
    }

    @Override
    public MemorySegment get(long handle, SegmentAllocator allocator, long byteAlignment) {
        Objects.requireNonNull(allocator, "allocator");
        checkOpen();
        CodecWorker worker = takeWorker();
        try {
            readLock.lock();
            try {
                checkOpen();
                int slot = table.resolve(handle, this);
                MemorySegment target = allocator.allocate(table.rawLength(slot), byteAlignment);
                read(slot, Segments.checkDestination(target, table.rawLength(slot), this), worker);
                return target;
            } finally {
                readLock.unlock();
            }
        } finally {
            giveBack(worker);
        }
    }

    private long read(int slot, MemorySegment target, CodecWorker worker) {
        MemorySegment block = table.block(slot);
        BlockFormat.verify(block, worker.crc(), this);
        if (BlockFormat.rawLength(block) != table.rawLength(slot)) {
            throw BlockFormat.undecodable(block, this, "does not match the " + table.rawLength(slot)
                    + " bytes that were put", null);
        }
        worker.decode(block, target, this);
        gets.increment();
        bytesOut.add(target.byteSize());
        return target.byteSize();
    }

    @Override
    public long decompressedSize(long handle) {
        checkOpen();
        readLock.lock();
        try {
            checkOpen();
            return table.rawLength(table.resolve(handle, this));
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long storedSize(long handle) {
        checkOpen();
        readLock.lock();
        try {
            checkOpen();
            return table.length(table.resolve(handle, this));
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public boolean contains(long handle) {
        checkOpen();
        readLock.lock();
        try {
            checkOpen();
            return table.contains(handle);
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public void free(long handle) {
        checkOpen();
        writeLock.lock();
        try {
            checkOpen();
            table.remove(table.resolve(handle, this));
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public StoreStatistics statistics() {
        readLock.lock();
        try {
            return table.statistics(gets.sum(), bytesOut.sum());
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long usedBytes() {
        readLock.lock();
        try {
            return table.usedBytes();
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long availableBytes() {
        readLock.lock();
        try {
            return table.reservedBytes() - table.usedBytes();
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public long capacityBytes() {
        readLock.lock();
        try {
            return table.reservedBytes();
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            table.close();
        } finally {
            writeLock.unlock();
        }
        closeIdleWorkers();
    }

    private CodecWorker takeWorker() {
        CodecWorker worker = workers.poll();
        return worker != null ? worker : newWorker();
    }

    private void giveBack(CodecWorker worker) {
        workers.offer(worker);
        if (closed) {
            closeIdleWorkers();
        }
    }

    private void closeIdleWorkers() {
        CodecWorker worker;
        while ((worker = workers.poll()) != null) {
            worker.close();
        }
    }

    private CodecWorker newWorker() {
        return new CodecWorker(config.codec(), config.implementation(), true, config);
    }

    private void checkOpen() {
        if (closed) {
            throw StoreErrors.closed(this);
        }
    }

    @Override
    public String toString() {
        return "CompressedStore[codec=" + config.codec() + ", thread-safe, blocks=" + table.liveBlocks()
                + ", stored=" + table.liveStoredBytes() + " bytes, reserved=" + table.reservedBytes() + " bytes]";
    }
}
