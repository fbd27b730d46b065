package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * What one thread needs to write and read blocks: an instance of each codec it meets, a checksum object and a
 * scratch segment in which {@link #compose(MemorySegment)} builds a block before the store places it. Used by one
 * thread at a time; a thread-safe store keeps a pool of them.
 *
 * <p>The scratch memory comes from a {@link BumpAllocator} (thread-safe when the worker may move between threads,
 * so that its segment is accessible from all of them) and grows when a larger block comes; a worker's memory is
 * freed by {@link #close()}.
 */
final class CodecWorker implements AutoCloseable {

    /** The smallest scratch: a 64 KiB block and its bound fit without growing. */
    private static final long MIN_SCRATCH_BYTES = 128 * 1024;

    private final Codec codec;
    private final CodecImplementation implementation;
    private final boolean threadSafe;
    /** What the worker is for, for the errors of {@link #compose(MemorySegment)}. */
    private final Object source;
    private final BlockCodec[] instances = new BlockCodec[Codec.values().length];
    private final CRC32C crc = new CRC32C();
    private BumpAllocator scratchArena;
    private MemorySegment scratch;
    /** {@code scratch} from {@link BlockFormat#HEADER_BYTES} on: where the codec writes the payload. */
    private MemorySegment payloadArea;

    /**
     * Creates a worker that writes blocks with {@code codec}.
     *
     * @param source what the worker is for (a store's configuration, an arena), for error messages
     * @throws CompressionException {@link CompressionError#CODEC_UNAVAILABLE} when the codec cannot run in
     *     {@code implementation}: a native library that cannot load, or Zstandard in Java
     */
    CodecWorker(Codec codec, CodecImplementation implementation, boolean threadSafe, Object source) {
        this.codec = codec;
        this.implementation = implementation;
        this.threadSafe = threadSafe;
        this.source = source;
        instance(codec, source);
    }

    /** Returns this worker's instance of {@code c}, created on first use. */
    private BlockCodec instance(Codec c, Object source) {
        BlockCodec instance = instances[c.id()];
        if (instance == null) {
            instance = c.newBlockCodec(implementation, source);
            instances[c.id()] = instance;
        }
        return instance;
    }

    /** Returns the checksum object, for {@link BlockFormat#verify}. */
    CRC32C crc() {
        return crc;
    }

    /**
     * Compresses {@code data} into a complete block (header and payload) at the start of the scratch segment. A
     * payload that would not be smaller than the data is replaced by the data itself, with codec
     * {@link Codec#NONE}.
     *
     * @param data alive, accessible, at most {@link BlockFormat#MAX_RAW_BYTES} bytes (the caller checks)
     * @return the block: a slice of the scratch segment, valid until the next call
     */
    MemorySegment compose(MemorySegment data) {
        int rawLength = (int) data.byteSize();
        BlockCodec instance = instance(codec, source);
        int bound = Math.max(instance.maxCompressedLength(rawLength), rawLength);
        ensureScratch(BlockFormat.HEADER_BYTES + (long) bound);
        Codec used = codec;
        int payloadLength;
        if (rawLength == 0) {
            used = Codec.NONE;
            payloadLength = 0;
        } else if (instance.acceptsDirectly(data)) {
            payloadLength = instance.compress(data, payloadArea);
        } else {
            try (BumpAllocator copy = newArena(rawLength)) {
                MemorySegment input = copy.allocate(rawLength, 8);
                MemorySegment.copy(data, 0, input, 0, rawLength);
                payloadLength = instance.compress(input, payloadArea);
            }
        }
        if (used != Codec.NONE && payloadLength >= rawLength) {
            used = Codec.NONE;
            payloadLength = rawLength;
            MemorySegment.copy(data, 0, scratch, BlockFormat.HEADER_BYTES, rawLength);
        }
        BlockFormat.writeHeader(scratch, used, rawLength, payloadLength, crc);
        return scratch.asSlice(0, BlockFormat.HEADER_BYTES + (long) payloadLength);
    }

    /**
     * Decodes a verified block into {@code destination}.
     *
     * @param block       a block that passed {@link BlockFormat#verify}
     * @param destination exactly the block's raw length, writable, alive and accessible
     * @param source      what the block is, for error messages
     * @throws CompressionException {@link CompressionError#CORRUPT_DATA} when the codec rejects the payload,
     *     {@link CompressionError#SIZE_MISMATCH} when it decodes to another length than recorded,
     *     {@link CompressionError#CODEC_UNAVAILABLE} when the block's codec cannot run in this worker's
     *     implementation
     */
    void decode(MemorySegment block, MemorySegment destination, Object source) {
        int rawLength = BlockFormat.rawLength(block);
        if (rawLength == 0) {
            return;
        }
        BlockCodec instance = instance(BlockFormat.codec(block), source);
        MemorySegment payload = block.asSlice(BlockFormat.HEADER_BYTES, BlockFormat.payloadLength(block));
        if (instance.acceptsDirectly(payload) && instance.acceptsDirectly(destination)) {
            decodeInto(instance, block, payload, destination, source);
            return;
        }
        try (BumpAllocator copy = newArena(payload.byteSize() + rawLength + 8)) {
            MemorySegment input = copy.allocate(payload.byteSize(), 8);
            MemorySegment.copy(payload, 0, input, 0, payload.byteSize());
            MemorySegment output = copy.allocate(rawLength, 8);
            decodeInto(instance, block, input, output, source);
            MemorySegment.copy(output, 0, destination, 0, rawLength);
        }
    }

    private static void decodeInto(BlockCodec instance, MemorySegment block, MemorySegment payload,
                                   MemorySegment destination, Object source) {
        int written;
        try {
            written = instance.decompress(payload, destination);
        } catch (CompressionException e) {
            // The LZ4 or Snappy decoder's own error: the fault and where in the payload it is.
            throw BlockFormat.undecodable(block, source, e.offset(), e.details(), e);
        } catch (RuntimeException e) {
            // aircompressor's native codecs throw MalformedInputException or IllegalArgumentException
            // on a malformed payload, the JDK's Inflater DataFormatException (wrapped by the DEFLATE codec).
            throw BlockFormat.undecodable(block, source, "is rejected by the codec: " + e, e);
        }
        if (written != destination.byteSize()) {
            throw BlockFormat.undecodable(block, source, "decodes to " + written + " bytes", null);
        }
    }

    /** Makes the scratch segment at least {@code bytes} long. */
    private void ensureScratch(long bytes) {
        if (scratch != null && scratch.byteSize() >= bytes) {
            return;
        }
        long capacity = Math.max(MIN_SCRATCH_BYTES, scratch == null ? bytes : Math.max(bytes, 2 * scratch.byteSize()));
        capacity = Math.min(capacity, Math.max(bytes, Integer.MAX_VALUE));
        BumpAllocator grown = newArena(capacity);
        if (scratchArena != null) {
            scratchArena.close();
        }
        scratchArena = grown;
        scratch = grown.allocate(capacity, 64);
        payloadArea = scratch.asSlice(BlockFormat.HEADER_BYTES,
                Math.min(capacity - BlockFormat.HEADER_BYTES, Integer.MAX_VALUE));
    }

    private BumpAllocator newArena(long capacity) {
        return BumpAllocator.create(capacity, BumpConfig.defaults().withThreadSafe(threadSafe));
    }

    /** Frees the scratch memory and the codecs' native state. */
    @Override
    public void close() {
        if (scratchArena != null) {
            scratchArena.close();
            scratchArena = null;
            scratch = null;
            payloadArea = null;
        }
        for (int i = 0; i < instances.length; i++) {
            if (instances[i] != null) {
                instances[i].close();
                instances[i] = null;
            }
        }
    }
}
