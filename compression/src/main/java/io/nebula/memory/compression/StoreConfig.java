package io.nebula.memory.compression;

import java.util.Objects;

/**
 * How a {@link CompressedStore} compresses and where it keeps its blocks. Immutable; start from {@link #defaults()}.
 * <pre>{@code
 * StoreConfig config = StoreConfig.defaults()
 *         .withCodec(Codec.ZSTD)            // LZ4 by default
 *         .withChunkBytes(4 << 20)          // 1 MiB by default
 *         .withThreadSafe(true);            // confined by default
 * }</pre>
 *
 * @param codec          the codec of new blocks; a block it would not shrink is stored as {@link Codec#NONE}
 * @param implementation Java (the default: no flag needed) or native (see {@link CodecImplementation})
 * @param chunkBytes     the size of each bump arena that holds blocks, {@value #MIN_CHUNK_BYTES} bytes to 1 GiB;
 *                       a block larger than a quarter of it gets an arena of its own
 * @param threadSafe     whether any thread may use the store (a read-write lock, gets in parallel); otherwise
 *                       only the thread that created it
 */
public record StoreConfig(Codec codec, CodecImplementation implementation, long chunkBytes, boolean threadSafe) {

    /** The smallest chunk: 4 KiB. */
    public static final long MIN_CHUNK_BYTES = 4096;
    /** The largest chunk: 1 GiB. */
    public static final long MAX_CHUNK_BYTES = 1L << 30;
    /** The default chunk: 1 MiB. */
    public static final long DEFAULT_CHUNK_BYTES = 1L << 20;

    /**
     * Validates the components.
     *
     * @throws NullPointerException     when {@code codec} or {@code implementation} is {@code null}
     * @throws IllegalArgumentException when {@code chunkBytes} is out of range
     */
    public StoreConfig {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(implementation, "implementation");
        if (chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunkBytes must be between " + MIN_CHUNK_BYTES + " and "
                    + MAX_CHUNK_BYTES + ", was " + chunkBytes);
        }
    }

    /**
     * Returns the defaults: LZ4, Java implementation, 1 MiB chunks, confined.
     *
     * @return the default configuration
     */
    public static StoreConfig defaults() {
        return new StoreConfig(Codec.LZ4, CodecImplementation.JAVA, DEFAULT_CHUNK_BYTES, false);
    }

    /**
     * Returns a copy with another codec.
     *
     * @param value the codec of new blocks
     * @return the new configuration
     */
    public StoreConfig withCodec(Codec value) {
        return new StoreConfig(value, implementation, chunkBytes, threadSafe);
    }

    /**
     * Returns a copy with another implementation.
     *
     * @param value Java or native
     * @return the new configuration
     */
    public StoreConfig withImplementation(CodecImplementation value) {
        return new StoreConfig(codec, value, chunkBytes, threadSafe);
    }

    /**
     * Returns a copy with another chunk size.
     *
     * @param value bytes per chunk
     * @return the new configuration
     */
    public StoreConfig withChunkBytes(long value) {
        return new StoreConfig(codec, implementation, value, threadSafe);
    }

    /**
     * Returns a copy that is thread-safe or confined.
     *
     * @param value {@code true} for a store that any thread may use
     * @return the new configuration
     */
    public StoreConfig withThreadSafe(boolean value) {
        return new StoreConfig(codec, implementation, chunkBytes, value);
    }
}
