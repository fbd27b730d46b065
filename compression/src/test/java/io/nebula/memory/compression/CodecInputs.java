package io.nebula.memory.compression;

import io.airlift.compress.v3.Compressor;
import io.airlift.compress.v3.Decompressor;
import io.nebula.memory.bump.BumpAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntBiFunction;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the tests of the module's own codecs (LZ4, Snappy) share: inputs of every shape, round trips through a codec
 * or through aircompressor's, and random corruption of real blocks.
 */
final class CodecInputs {

    private CodecInputs() {
    }

    /** Inputs of every shape a compressor must handle: the fuzz and the cross-checks run over all of them. */
    static List<byte[]> inputs() {
        List<byte[]> inputs = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int size = 0; size <= 16; size++) {
            inputs.add(DataSets.TEXT.generate(size, size).toArray(ValueLayout.JAVA_BYTE));
            inputs.add(new byte[size]);
            inputs.add(DataSets.RANDOM.generate(size, size).toArray(ValueLayout.JAVA_BYTE));
        }
        for (int size : new int[] {17, 100, 4096, 65535, 65536, 65537, 70_000, 300_000}) {
            for (DataSets set : DataSets.values()) {
                inputs.add(set.generate(size, size).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        for (int i = 0; i < 40; i++) {
            inputs.add(repetitive(random, random.nextInt(1, 200_000)));
        }
        inputs.add(farMatches(65535));
        inputs.add(farMatches(65534));
        inputs.add(farMatches(65536));
        inputs.add(farMatches(70_000));
        return inputs;
    }

    /** Short random patterns repeated with small offsets (1 to 16), mixed with random runs and long literals. */
    static byte[] repetitive(SplittableRandom random, int size) {
        byte[] bytes = new byte[size];
        int at = 0;
        while (at < size) {
            int kind = random.nextInt(4);
            int run = Math.min(size - at, random.nextInt(1, 2000));
            if (kind == 0) {
                for (int i = 0; i < run; i++) {
                    bytes[at + i] = (byte) random.nextInt();
                }
            } else {
                int period = kind == 1 ? random.nextInt(1, 9) : random.nextInt(1, 300);
                for (int i = 0; i < Math.min(period, run); i++) {
                    bytes[at + i] = (byte) random.nextInt(4);
                }
                for (int i = period; i < run; i++) {
                    bytes[at + i] = bytes[at + i - period];
                }
            }
            at += run;
        }
        return bytes;
    }

    /** Random bytes whose only repetition is {@code distance} bytes back: the offset limit, or just past it. */
    static byte[] farMatches(int distance) {
        byte[] bytes = DataSets.RANDOM.generate(distance + 5000, distance).toArray(ValueLayout.JAVA_BYTE);
        System.arraycopy(bytes, 100, bytes, 100 + distance, 4000);
        return bytes;
    }

    /** Compresses {@code data} with one of the module's codecs; the block is exactly as long as written. */
    static byte[] compress(FfmBlockCodec codec, byte[] data) {
        byte[] out = new byte[codec.maxCompressedLength(data.length)];
        int length = codec.compress(MemorySegment.ofArray(data), MemorySegment.ofArray(out));
        return Arrays.copyOf(out, length);
    }

    /** Decompresses {@code block} with one of the module's codecs, asserting that it fills {@code rawLength}. */
    static byte[] decompress(FfmBlockCodec codec, byte[] block, int rawLength) {
        byte[] out = new byte[rawLength];
        assertEquals(rawLength, codec.decompress(MemorySegment.ofArray(block), MemorySegment.ofArray(out)));
        return out;
    }

    /** Compresses {@code data} with an aircompressor codec. */
    static byte[] compressWith(Compressor compressor, byte[] data) {
        byte[] out = new byte[compressor.maxCompressedLength(data.length)];
        int length = compressor.compress(data, 0, data.length, out, 0, out.length);
        return Arrays.copyOf(out, length);
    }

    /** Decompresses {@code block} with an aircompressor codec, asserting that it fills {@code rawLength}. */
    static byte[] decompressWith(Decompressor decompressor, byte[] block, int rawLength) {
        byte[] out = new byte[rawLength];
        assertEquals(rawLength, decompressor.decompress(block, 0, block.length, out, 0, out.length));
        return out;
    }

    /**
     * Changes 1 to 3 bytes of real blocks (and sometimes cuts them short, or gives the wrong output size) in
     * {@code rounds} rounds: each must be refused with {@link CompressionError#CORRUPT_DATA} at a byte of the block,
     * or decode to at most the output's size; any other exception (an {@code IndexOutOfBoundsException} above all)
     * fails the test.
     */
    static void corruptRandomly(long seed, int rounds, UnaryOperator<byte[]> compress,
                                ToIntBiFunction<MemorySegment, MemorySegment> decompress) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> inputs = inputs();
        for (int round = 0; round < rounds; round++) {
            byte[] data = inputs.get(random.nextInt(inputs.size()));
            if (data.length > 70_000) {
                continue;
            }
            byte[] block = compress.apply(data);
            int changes = random.nextInt(1, 4);
            for (int c = 0; c < changes && block.length > 0; c++) {
                int at = random.nextInt(block.length);
                block[at] = random.nextBoolean() ? (byte) random.nextInt() : (byte) (block[at] ^ (1 << random.nextInt(8)));
            }
            if (random.nextInt(8) == 0 && block.length > 0) {
                block = Arrays.copyOf(block, random.nextInt(block.length));
            }
            int rawLength = random.nextInt(4) == 0 ? random.nextInt(data.length + 100) : data.length;
            byte[] out = new byte[rawLength];
            try {
                int written = decompress.applyAsInt(MemorySegment.ofArray(block), MemorySegment.ofArray(out));
                assertTrue(written >= 0 && written <= rawLength, () -> written + " of " + rawLength);
            } catch (CompressionException expected) {
                assertEquals(CompressionError.CORRUPT_DATA, expected.code());
                int blockLength = block.length;
                assertTrue(expected.offset() >= 0 && expected.offset() <= blockLength, expected::getMessage);
            }
        }
    }

    /**
     * Returns {@code offset} distinct bytes, then a match of {@code length} bytes at that offset (the pattern
     * repeated), then {@code tail} other bytes: what a block of one literal run, one overlapping match and a last
     * literal run decodes to.
     */
    static byte[] repeatedPattern(int offset, int length, int tail) {
        byte[] expected = new byte[offset + length + tail];
        for (int i = 0; i < offset; i++) {
            expected[i] = (byte) (i + 1);
        }
        for (int i = offset; i < offset + length; i++) {
            expected[i] = expected[i - offset];
        }
        for (int i = offset + length; i < expected.length; i++) {
            expected[i] = (byte) (100 + i);
        }
        return expected;
    }

    /**
     * Restores a snapshot whose header is right but whose {@code codec} payload is malformed: the restore must fail
     * with {@link CompressionError#CORRUPT_DATA} and leave the arena empty.
     *
     * @return the error, for the caller to check its offset and details
     */
    static CompressionException restoreMalformed(Codec codec, byte[] payload, int rawLength) {
        byte[] block = new byte[BlockFormat.HEADER_BYTES + payload.length];
        System.arraycopy(payload, 0, block, BlockFormat.HEADER_BYTES, payload.length);
        BlockFormat.writeHeader(MemorySegment.ofArray(block), codec, rawLength, payload.length, new CRC32C());
        Snapshot snapshot = Snapshot.from(MemorySegment.ofArray(block));
        try (BumpAllocator arena = BumpAllocator.create(Math.max(64, rawLength))) {
            CompressionException e = assertThrows(CompressionException.class, () -> snapshot.restore(arena));
            assertEquals(CompressionError.CORRUPT_DATA, e.code());
            assertEquals(0, arena.usedBytes());
            return e;
        }
    }

    /** Compresses from a read-only native segment and decompresses from another into a native segment. */
    static void roundTripThroughNativeAndReadOnlySegments(FfmBlockCodec codec) {
        byte[] data = DataSets.TEXT.generate(20_000, 5).toArray(ValueLayout.JAVA_BYTE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(data.length).copyFrom(MemorySegment.ofArray(data)).asReadOnly();
            MemorySegment out = arena.allocate(codec.maxCompressedLength(data.length));
            int length = codec.compress(in, out);
            MemorySegment back = arena.allocate(data.length);
            assertEquals(data.length, codec.decompress(out.asSlice(0, length).asReadOnly(), back));
            assertEquals(-1, back.mismatch(in));
        }
    }
}
