package io.nebula.memory.compression;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.airlift.compress.v3.lz4.Lz4JavaCompressor;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.snappy.SnappyJavaCompressor;
import io.airlift.compress.v3.snappy.SnappyJavaDecompressor;
import io.nebula.memory.bump.BumpAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Fuzz targets for everything that reads blocks: arbitrary bytes must end in a {@link CompressionException} or in
 * exactly the data that was written; any other exception, a crash or a hang is a finding.
 *
 * <p>{@code mvn verify} replays the committed inputs in {@code src/test/resources/.../BlockFuzzTestInputs/} as
 * regression tests. To fuzz one target for its {@code maxDuration}:
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_INSTRUMENT='io.nebula.memory.**,io.airlift.compress.**' mvn -pl compression -am test \
 *     -Dtest=BlockFuzzTest#snapshotFrom -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 * {@code JAZZER_INSTRUMENT} adds aircompressor's classes to the coverage Jazzer steers by (by default it instruments
 * only the project's own class directories), so that it explores the decoders. A failing input is written to the
 * inputs folder, where it stays as a regression test once committed; the working corpus goes to
 * {@code .cifuzz-corpus/}, ignored by git.
 */
class BlockFuzzTest {

    /** The largest arena a fuzzed snapshot may claim: keeps each run fast. */
    private static final int MAX_ARENA = 1 << 20;

    /** Arbitrary bytes read as a snapshot: refused with a typed error, or restored to their recorded size. */
    @FuzzTest(maxDuration = "30s")
    void snapshotFrom(byte[] bytes) {
        Snapshot snapshot;
        try {
            snapshot = Snapshot.from(MemorySegment.ofArray(bytes));
        } catch (CompressionException expected) {
            return;
        }
        restoreAndCheck(snapshot, -1);
    }

    /**
     * An arbitrary payload inside a header whose checksum is right, so that the codecs themselves see garbage: the
     * result must be a typed error or exactly the recorded number of bytes.
     */
    @FuzzTest(maxDuration = "30s")
    void arbitraryPayload(FuzzedDataProvider data) {
        Codec codec = data.pickValue(Codec.values());
        int rawLength = data.consumeInt(0, MAX_ARENA);
        byte[] payload = data.consumeRemainingAsBytes();
        byte[] block = new byte[BlockFormat.HEADER_BYTES + payload.length];
        System.arraycopy(payload, 0, block, BlockFormat.HEADER_BYTES, payload.length);
        BlockFormat.writeHeader(MemorySegment.ofArray(block), codec, rawLength, payload.length, new CRC32C());
        Snapshot snapshot;
        try {
            snapshot = Snapshot.from(MemorySegment.ofArray(block));
        } catch (CompressionException expected) {
            return;
        }
        restoreAndCheck(snapshot, rawLength);
    }

    /** The codecs a store runs in its default, Java implementation: all but Zstandard, which is native only. */
    private static final Codec[] JAVA_CODECS =
            java.util.Arrays.stream(Codec.values()).filter(Codec::hasJavaImplementation).toArray(Codec[]::new);

    /** Arbitrary data through a store and back, with any codec that has a Java implementation: the same bytes. */
    @FuzzTest(maxDuration = "30s")
    void roundTrip(FuzzedDataProvider data) {
        Codec codec = data.pickValue(JAVA_CODECS);
        byte[] bytes = data.consumeRemainingAsBytes();
        try (CompressedStore store = CompressedStore.create(StoreConfig.defaults().withCodec(codec));
             Arena arena = Arena.ofConfined()) {
            MemorySegment input = MemorySegment.ofArray(bytes);
            long handle = store.put(input);
            MemorySegment back = store.get(handle, arena);
            if (back.byteSize() != bytes.length || input.mismatch(back) != -1) {
                throw new AssertionError(codec + " changed " + bytes.length + " bytes");
            }
        }
    }

    /**
     * Arbitrary bytes given to the LZ4 decoder itself, with an arbitrary output size: a typed error, or at most that
     * many bytes written and nothing outside the output (the segments' bounds checks would throw).
     */
    @FuzzTest(maxDuration = "30s")
    void lz4Decoder(FuzzedDataProvider data) {
        decodeInBounds(FfmBlockCodec.lz4(), data);
    }

    /** Arbitrary bytes given to the Snappy decoder itself, as {@link #lz4Decoder}. */
    @FuzzTest(maxDuration = "30s")
    void snappyDecoder(FuzzedDataProvider data) {
        decodeInBounds(FfmBlockCodec.snappy(), data);
    }

    private static void decodeInBounds(FfmBlockCodec codec, FuzzedDataProvider data) {
        int rawLength = data.consumeInt(0, MAX_ARENA);
        byte[] block = data.consumeRemainingAsBytes();
        int written;
        try {
            written = codec.decompress(MemorySegment.ofArray(block), MemorySegment.ofArray(new byte[rawLength]));
        } catch (CompressionException expected) {
            if (expected.code() != CompressionError.CORRUPT_DATA || expected.offset() < 0
                    || expected.offset() > block.length) {
                throw new AssertionError("unexpected error for " + block.length + " bytes", expected);
            }
            return;
        }
        if (written < 0 || written > rawLength) {
            throw new AssertionError("wrote " + written + " of " + rawLength + " bytes");
        }
    }

    /**
     * Inputs up to this size get a smaller hash table in aircompressor, so other (equally valid) blocks; above it, it
     * writes exactly the LZ4 codec's bytes.
     */
    private static final int AIRCOMPRESSOR_SMALL_TABLE = 2048;

    /**
     * Arbitrary data compressed by the LZ4 codec: aircompressor writes the same bytes (past its small tables), and
     * both decoders read them back to the data.
     */
    @FuzzTest(maxDuration = "30s")
    void lz4AgainstAircompressor(byte[] bytes) {
        byte[] ours = new byte[Lz4BlockCompressor.maxCompressedLength(bytes.length)];
        int length = new Lz4BlockCompressor().compress(MemorySegment.ofArray(bytes), MemorySegment.ofArray(ours));
        byte[] theirs = new byte[ours.length];
        int theirLength = new Lz4JavaCompressor().compress(bytes, 0, bytes.length, theirs, 0, theirs.length);
        if (bytes.length > AIRCOMPRESSOR_SMALL_TABLE && !Arrays.equals(ours, 0, length, theirs, 0, theirLength)) {
            throw new AssertionError("aircompressor writes other bytes for " + bytes.length + " bytes");
        }
        byte[] back = new byte[bytes.length];
        int written = new Lz4BlockDecompressor().decompress(MemorySegment.ofArray(ours).asSlice(0, length),
                MemorySegment.ofArray(back));
        if (written != bytes.length || !Arrays.equals(bytes, back)) {
            throw new AssertionError("the round trip changed " + bytes.length + " bytes");
        }
        byte[] theirsBack = new byte[bytes.length];
        new Lz4JavaDecompressor().decompress(ours, 0, length, theirsBack, 0, theirsBack.length);
        if (!Arrays.equals(bytes, theirsBack)) {
            throw new AssertionError("aircompressor reads other bytes from " + bytes.length + " bytes");
        }
    }

    /**
     * Arbitrary data compressed by the Snappy codec: aircompressor's Snappy writes the same bytes, and both decoders
     * read them back to the data.
     */
    @FuzzTest(maxDuration = "30s")
    void snappyAgainstAircompressor(byte[] bytes) {
        FfmBlockCodec codec = FfmBlockCodec.snappy();
        byte[] ours = new byte[codec.maxCompressedLength(bytes.length)];
        int length = codec.compress(MemorySegment.ofArray(bytes), MemorySegment.ofArray(ours));
        byte[] theirs = new byte[new SnappyJavaCompressor().maxCompressedLength(bytes.length)];
        int theirLength = new SnappyJavaCompressor().compress(bytes, 0, bytes.length, theirs, 0, theirs.length);
        if (!Arrays.equals(ours, 0, length, theirs, 0, theirLength)) {
            throw new AssertionError("aircompressor writes other Snappy bytes for " + bytes.length + " bytes");
        }
        byte[] back = new byte[bytes.length];
        byte[] theirsBack = new byte[bytes.length];
        int written = codec.decompress(MemorySegment.ofArray(ours).asSlice(0, length), MemorySegment.ofArray(back));
        new SnappyJavaDecompressor().decompress(ours, 0, length, theirsBack, 0, theirsBack.length);
        if (written != bytes.length || !Arrays.equals(bytes, back) || !Arrays.equals(bytes, theirsBack)) {
            throw new AssertionError("a Snappy round trip changed " + bytes.length + " bytes");
        }
    }

    private static void restoreAndCheck(Snapshot snapshot, long expectedBytes) {
        if (snapshot.arenaBytes() > MAX_ARENA) {
            return;
        }
        try (BumpAllocator arena = BumpAllocator.create(Math.max(1, snapshot.arenaBytes()))) {
            try {
                snapshot.restore(arena);
            } catch (CompressionException expected) {
                if (arena.usedBytes() != 0) {
                    throw new AssertionError("a failed restore left " + arena.usedBytes() + " bytes in the arena");
                }
                return;
            }
            if (arena.usedBytes() != snapshot.arenaBytes()
                    || (expectedBytes >= 0 && arena.usedBytes() != expectedBytes)) {
                throw new AssertionError("restored " + arena.usedBytes() + " bytes of " + snapshot.arenaBytes());
            }
        }
    }
}
