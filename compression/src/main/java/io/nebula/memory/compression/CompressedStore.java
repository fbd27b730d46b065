package io.nebula.memory.compression;

import io.nebula.memory.MemoryUsage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * A store of compressed blocks in native memory: {@link #put(MemorySegment) put} the bytes of a segment and keep a
 * {@code long} handle; {@link #get(long, MemorySegment) get} them back into a segment (or into memory from any
 * allocator, to read as a struct view); {@link #free(long) free} them. Its memory comes from the library's own
 * {@link io.nebula.memory.bump.BumpAllocator}s, in chunks that it compacts as blocks are freed.
 * <pre>{@code
 * try (CompressedStore store = CompressedStore.create()) {             // LZ4, confined
 *     long handle = store.put(parsed);                                 // compressed, checksummed, copied in
 *     MemorySegment back = store.get(handle, arena);                  // decompressed into the arena
 *     store.free(handle);
 *     System.out.println(store.statistics().toJson());
 * }
 * }</pre>
 *
 * <h2>Integrity</h2>
 * Every block carries a header with its codec, lengths and a CRC32C of the header and the compressed payload (see
 * the format in the package documentation); {@code get} verifies it before any codec reads the payload, and checks
 * that the payload decodes to exactly the recorded length. A block changed in memory after it was written is
 * {@link CompressionError#CORRUPT_DATA}, never wrong data.
 *
 * <h2>Threads</h2>
 * {@link StoreConfig#threadSafe() Confined} by default: only the creating thread may call it, and any other gets
 * {@link CompressionError#WRONG_THREAD}. A thread-safe store compresses outside its lock (each thread with a codec
 * instance of its own from a pool), places blocks under a write lock, and decompresses under a read lock, so gets
 * run in parallel with each other.
 *
 * <h2>Costs</h2>
 * {@code put}: the codec's compression, a CRC32C of the block, one copy of the block into a chunk. {@code get}: the
 * CRC32C of the stored block and the codec's decompression. {@code free}: O(1), except when it leaves a chunk less
 * than half live, which copies that chunk's live blocks (less than half a chunk). Data that the codec does not
 * shrink is stored as it is ({@link Codec#NONE}): its cost is a copy and a 24-byte header.
 *
 * <h2>Memory</h2>
 * As {@link MemoryUsage}: {@link #usedBytes()} counts the chunks' bytes in use (live blocks, freed blocks not yet
 * reclaimed by compaction, padding to 8 bytes), {@link #capacityBytes()} the native memory the store holds.
 * {@link #close()} frees all of it.
 */
public sealed interface CompressedStore extends MemoryUsage, AutoCloseable permits ConfinedStore, SharedStore {

    /**
     * Creates a confined LZ4 store with 1 MiB chunks: {@link StoreConfig#defaults()}.
     *
     * @return the store, confined to the calling thread
     */
    static CompressedStore create() {
        return create(StoreConfig.defaults());
    }

    /**
     * Creates a store.
     *
     * @param config the codec, chunk size and thread safety
     * @return the store: confined to the calling thread unless {@code config.threadSafe()}
     * @throws CompressionException {@link CompressionError#CODEC_UNAVAILABLE} when {@code config} asks for a native
     *     codec that cannot run here
     */
    static CompressedStore create(StoreConfig config) {
        return config.threadSafe() ? new SharedStore(config) : new ConfinedStore(config);
    }

    /**
     * Returns the configuration this store was created with.
     *
     * @return the configuration
     */
    StoreConfig config();

    /**
     * Compresses the bytes of {@code data} into a new block and returns its handle. {@code data} is only read; it
     * may be any segment of at most 1 GiB, native or heap, that the calling thread can access.
     *
     * @param data the bytes to store
     * @return the block's handle, valid until {@link #free(long)} or {@link #close()}
     * @throws CompressionException {@link CompressionError#TOO_LARGE}, {@link CompressionError#INACCESSIBLE_SEGMENT},
     *     {@link CompressionError#CLOSED} or {@link CompressionError#WRONG_THREAD}
     * @throws io.nebula.memory.AllocationException when native memory for a new chunk cannot be reserved
     */
    long put(MemorySegment data);

    /**
     * Decompresses a block into the start of {@code destination}. Bytes of {@code destination} past the data are
     * not touched.
     *
     * @param handle      a handle from {@link #put(MemorySegment)}
     * @param destination at least {@link #decompressedSize(long)} bytes, writable
     * @return the bytes written: the block's decompressed size
     * @throws CompressionException {@link CompressionError#INVALID_HANDLE}, {@link CompressionError#CORRUPT_DATA}
     *     (the block's memory changed since it was written), {@link CompressionError#INVALID_DESTINATION},
     *     {@link CompressionError#INACCESSIBLE_SEGMENT}, {@link CompressionError#CLOSED} or
     *     {@link CompressionError#WRONG_THREAD}
     */
    long get(long handle, MemorySegment destination);

    /**
     * Decompresses a block into memory allocated from {@code allocator}, aligned to 8 bytes: enough for any struct
     * of Java primitives, so a generated view can be laid over it ({@code PointStruct.view(segment)}).
     *
     * @param handle    a handle from {@link #put(MemorySegment)}
     * @param allocator where the memory comes from: an arena, a pool, any {@link SegmentAllocator}
     * @return a new segment of exactly the block's decompressed size
     * @throws CompressionException as {@link #get(long, MemorySegment)}
     */
    default MemorySegment get(long handle, SegmentAllocator allocator) {
        return get(handle, allocator, 8);
    }

    /**
     * Decompresses a block into memory allocated from {@code allocator} with the given alignment.
     *
     * @param handle        a handle from {@link #put(MemorySegment)}
     * @param allocator     where the memory comes from
     * @param byteAlignment the alignment of the new segment, a power of two
     * @return a new segment of exactly the block's decompressed size
     * @throws CompressionException as {@link #get(long, MemorySegment)}
     */
    MemorySegment get(long handle, SegmentAllocator allocator, long byteAlignment);

    /**
     * Returns the number of bytes the block decompresses to.
     *
     * @param handle a handle from {@link #put(MemorySegment)}
     * @return the size of the data that was put
     * @throws CompressionException {@link CompressionError#INVALID_HANDLE}, {@link CompressionError#CLOSED} or
     *     {@link CompressionError#WRONG_THREAD}
     */
    long decompressedSize(long handle);

    /**
     * Returns the number of bytes the block occupies: its 24-byte header and its compressed payload.
     *
     * @param handle a handle from {@link #put(MemorySegment)}
     * @return the block's size
     * @throws CompressionException as {@link #decompressedSize(long)}
     */
    long storedSize(long handle);

    /**
     * Tells whether {@code handle} names a block of this store that has not been freed.
     *
     * @param handle any {@code long}
     * @return {@code true} for a live handle
     * @throws CompressionException {@link CompressionError#CLOSED} or {@link CompressionError#WRONG_THREAD}
     */
    boolean contains(long handle);

    /**
     * Frees a block. Its handle is invalid from now on: using it again, freeing it again included, is
     * {@link CompressionError#INVALID_HANDLE}.
     *
     * @param handle a handle from {@link #put(MemorySegment)}
     * @throws CompressionException {@link CompressionError#INVALID_HANDLE}, {@link CompressionError#CLOSED} or
     *     {@link CompressionError#WRONG_THREAD}
     */
    void free(long handle);

    /**
     * Returns the store's counters: puts, gets, frees, bytes in and stored, the compression ratio, compactions.
     *
     * @return a snapshot of the counters
     * @throws CompressionException {@link CompressionError#WRONG_THREAD} on a confined store
     */
    StoreStatistics statistics();

    /**
     * Tells whether {@link #close()} has been called.
     *
     * @return {@code true} once the store is closed
     */
    boolean isClosed();

    /**
     * Frees all the store's native memory, and every handle with it. Closing a closed store does nothing. A
     * confined store is closed by the thread that created it.
     *
     * @throws CompressionException {@link CompressionError#WRONG_THREAD} on a confined store
     */
    @Override
    void close();
}
