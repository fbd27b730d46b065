package io.nebula.memory.compression;

import io.airlift.compress.v3.Compressor;
import io.airlift.compress.v3.Decompressor;
import io.airlift.compress.v3.lz4.Lz4JavaCompressor;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.lz4.Lz4NativeCompressor;
import io.airlift.compress.v3.lz4.Lz4NativeDecompressor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The FFM LZ4 codec against the format: round trips of every shape of data, both directions against aircompressor's
 * LZ4 and against liblz4, the format's end rules in what it writes, and malformed blocks refused with a typed
 * error.
 */
class Lz4BlockCodecTest {

    /** Inputs of every shape the compressor must handle: the fuzz and the cross-checks run over all of them. */
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

    static Stream<byte[]> inputStream() {
        return inputs().stream();
    }

    /** The inputs that aircompressor hashes into a table as large as ours: over 2 KiB. */
    static Stream<byte[]> inputsOverTwoKiB() {
        return inputs().stream().filter(data -> data.length > 2048);
    }

    private static byte[] compress(byte[] data) {
        byte[] out = new byte[Lz4BlockCompressor.maxCompressedLength(data.length)];
        int length = new Lz4BlockCompressor().compress(MemorySegment.ofArray(data), MemorySegment.ofArray(out));
        return java.util.Arrays.copyOf(out, length);
    }

    private static byte[] decompress(byte[] block, int rawLength) {
        byte[] out = new byte[rawLength];
        int written = new Lz4BlockDecompressor().decompress(MemorySegment.ofArray(block), MemorySegment.ofArray(out));
        assertEquals(rawLength, written);
        return out;
    }

    private static byte[] compressWith(Compressor compressor, byte[] data) {
        byte[] out = new byte[compressor.maxCompressedLength(data.length)];
        int length = compressor.compress(data, 0, data.length, out, 0, out.length);
        return java.util.Arrays.copyOf(out, length);
    }

    private static byte[] decompressWith(Decompressor decompressor, byte[] block, int rawLength) {
        byte[] out = new byte[rawLength];
        assertEquals(rawLength, decompressor.decompress(block, 0, block.length, out, 0, out.length));
        return out;
    }

    @ParameterizedTest
    @MethodSource("inputStream")
    void roundTripsAndKeepsTheFormatsEndRules(byte[] data) {
        byte[] block = compress(data);
        assertTrue(block.length <= Lz4BlockCompressor.maxCompressedLength(data.length));
        assertTrue(java.util.Arrays.equals(data, decompress(block, data.length)), () -> data.length + " bytes");
        Lz4Sequences.check(block, data.length);
    }

    @ParameterizedTest
    @MethodSource("inputStream")
    void aircompressorReadsWhatItWritesAndTheReverse(byte[] data) {
        assertTrue(java.util.Arrays.equals(data, decompressWith(new Lz4JavaDecompressor(), compress(data),
                data.length)));
        assertTrue(java.util.Arrays.equals(data, decompress(compressWith(new Lz4JavaCompressor(), data),
                data.length)));
    }

    @ParameterizedTest
    @MethodSource("inputStream")
    void liblz4ReadsWhatItWritesAndTheReverse(byte[] data) {
        assumeTrue(Codec.LZ4.isNativeAvailable(), "liblz4 (aircompressor's bundled copy) cannot load here");
        assertTrue(java.util.Arrays.equals(data, decompressWith(new Lz4NativeDecompressor(), compress(data),
                data.length)));
        assertTrue(java.util.Arrays.equals(data, decompress(compressWith(new Lz4NativeCompressor(), data),
                data.length)));
    }

    /**
     * The same algorithm as aircompressor's, so the same bytes and the same ratio, once aircompressor's table is as
     * large as ours (it shrinks it for inputs of 2 KiB or less).
     */
    @ParameterizedTest
    @MethodSource("inputsOverTwoKiB")
    void writesTheSameBytesAsAircompressor(byte[] data) {
        assertTrue(java.util.Arrays.equals(compressWith(new Lz4JavaCompressor(), data), compress(data)),
                () -> data.length + " bytes");
    }

    @Test
    void oneInstanceGivesTheSameBytesWhateverItCompressedBefore() {
        Lz4BlockCompressor compressor = new Lz4BlockCompressor();
        byte[] data = DataSets.TEXT.generate(10_000, 3).toArray(ValueLayout.JAVA_BYTE);
        byte[] first = compress(data);
        byte[] other = DataSets.STRUCTS.generate(50_000, 3).toArray(ValueLayout.JAVA_BYTE);
        compressor.compress(MemorySegment.ofArray(other),
                MemorySegment.ofArray(new byte[Lz4BlockCompressor.maxCompressedLength(other.length)]));
        byte[] out = new byte[Lz4BlockCompressor.maxCompressedLength(data.length)];
        int length = compressor.compress(MemorySegment.ofArray(data), MemorySegment.ofArray(out));
        assertTrue(java.util.Arrays.equals(first, java.util.Arrays.copyOf(out, length)));
    }

    @Test
    void readsAndWritesNativeAndReadOnlySegments() {
        byte[] data = DataSets.TEXT.generate(20_000, 5).toArray(ValueLayout.JAVA_BYTE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(data.length).copyFrom(MemorySegment.ofArray(data)).asReadOnly();
            MemorySegment out = arena.allocate(Lz4BlockCompressor.maxCompressedLength(data.length));
            int length = new Lz4BlockCompressor().compress(in, out);
            MemorySegment back = arena.allocate(data.length);
            assertEquals(data.length, new Lz4BlockDecompressor().decompress(out.asSlice(0, length).asReadOnly(),
                    back));
            assertEquals(-1, back.mismatch(in));
        }
    }

    private static CompressionException refused(byte[] block, int rawLength) {
        return assertThrows(CompressionException.class, () -> new Lz4BlockDecompressor()
                .decompress(MemorySegment.ofArray(block), MemorySegment.ofArray(new byte[rawLength])));
    }

    @Test
    void refusesEachKindOfMalformedSequenceWithItsNumbers() {
        CompressionException empty = refused(new byte[0], 10);
        assertEquals(CompressionError.CORRUPT_DATA, empty.code());
        assertTrue(empty.details().contains("sequence token is expected"), empty.getMessage());

        CompressionException literals = refused(new byte[] {(byte) 0x50, 1, 2}, 5);
        assertTrue(literals.details().contains("has 5 literals but 2 payload bytes remain"), literals.getMessage());
        assertEquals(0, literals.offset());

        CompressionException tooLong = refused(new byte[] {(byte) 0x30, 1, 2, 3}, 2);
        assertTrue(tooLong.details().contains("2 output bytes (of 2)"), tooLong.getMessage());

        CompressionException extension = refused(new byte[] {(byte) 0xF0, (byte) 255}, 1000);
        assertTrue(extension.details().contains("literal length of the sequence at byte 0 runs past"),
                extension.getMessage());

        CompressionException offsetZero = refused(new byte[] {(byte) 0x10, 7, 0, 0, 0x00}, 10);
        assertTrue(offsetZero.details().contains("match offset of 0 at output byte 1"), offsetZero.getMessage());
        assertEquals(2, offsetZero.offset());

        CompressionException before = refused(new byte[] {(byte) 0x10, 7, 2, 0, 0x00}, 10);
        assertTrue(before.details().contains("match offset of 2 at output byte 1; it must be 1 to 1"),
                before.getMessage());

        CompressionException halfOffset = refused(new byte[] {(byte) 0x10, 7, 1}, 10);
        assertTrue(halfOffset.details().contains("ends inside the match offset"), halfOffset.getMessage());

        CompressionException match = refused(new byte[] {(byte) 0x1F, 7, 1, 0, 100, 0x00}, 50);
        assertTrue(match.details().contains("copies a match of 119 bytes at output byte 1, past the output's 50"),
                match.getMessage());

        CompressionException matchExtension = refused(new byte[] {(byte) 0x1F, 7, 1, 0, (byte) 255}, 5000);
        assertTrue(matchExtension.details().contains("match length of the sequence at byte 0 runs past"),
                matchExtension.getMessage());

        CompressionException noEnd = refused(new byte[] {(byte) 0x10, 7, 1, 0}, 10);
        assertTrue(noEnd.details().contains("ends after 5 decoded bytes"), noEnd.getMessage());
    }

    @Test
    void aSnapshotWithAMalformedPayloadNamesTheBlockAndThePayloadByte() {
        byte[] payload = {(byte) 0x10, 7, 2, 0, 0x00};
        byte[] block = new byte[BlockFormat.HEADER_BYTES + payload.length];
        System.arraycopy(payload, 0, block, BlockFormat.HEADER_BYTES, payload.length);
        BlockFormat.writeHeader(MemorySegment.ofArray(block), Codec.LZ4, 10, payload.length,
                new java.util.zip.CRC32C());
        Snapshot snapshot = Snapshot.from(MemorySegment.ofArray(block));
        try (io.nebula.memory.bump.BumpAllocator arena = io.nebula.memory.bump.BumpAllocator.create(64)) {
            CompressionException e = assertThrows(CompressionException.class, () -> snapshot.restore(arena));
            assertEquals(CompressionError.CORRUPT_DATA, e.code());
            assertEquals(BlockFormat.HEADER_BYTES + 2, e.offset());
            assertTrue(e.details().startsWith("the LZ4 payload of 5 bytes, recorded as 10 raw bytes, is malformed at"
                    + " its byte 2: the sequence at byte 0 has a match offset of 2 at output byte 1"), e.getMessage());
            assertEquals(0, arena.usedBytes());
        }
    }

    @Test
    void aHugeLengthExtensionStopsAtTheOutputSize() {
        byte[] block = new byte[100_000];
        block[0] = (byte) 0xF0;
        java.util.Arrays.fill(block, 1, block.length, (byte) 255);
        CompressionException e = refused(block, 1000);
        assertEquals(CompressionError.CORRUPT_DATA, e.code());
    }

    @Test
    void overlappingMatchesOfEveryShortOffsetRepeatTheirPattern() {
        for (int offset = 1; offset < 15; offset++) {
            for (int matchLength = 4; matchLength <= 40; matchLength++) {
                // offset literals, then one match of matchLength at that offset, then 5 literals
                int raw = offset + matchLength + 5;
                byte[] expected = new byte[raw];
                for (int i = 0; i < offset; i++) {
                    expected[i] = (byte) (i + 1);
                }
                for (int i = offset; i < offset + matchLength; i++) {
                    expected[i] = expected[i - offset];
                }
                for (int i = offset + matchLength; i < raw; i++) {
                    expected[i] = (byte) (100 + i);
                }
                java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
                int m = matchLength - 4;
                block.write((offset << 4) | Math.min(m, 15));
                block.write(expected, 0, offset);
                block.write(offset);
                block.write(0);
                if (m >= 15) {
                    block.write(m - 15);
                }
                block.write(5 << 4);
                block.write(expected, offset + matchLength, 5);
                byte[] bytes = block.toByteArray();
                // aircompressor refuses these blocks: their match ends too near the end for a conforming writer.
                assertTrue(java.util.Arrays.equals(expected, decompress(bytes, raw)), offset + "/" + matchLength);
            }
        }
    }

    @Test
    void randomCorruptionOfRealBlocksIsRefusedOrDecodesInBounds() {
        SplittableRandom random = new SplittableRandom(11);
        List<byte[]> inputs = inputs();
        for (int round = 0; round < 4000; round++) {
            byte[] data = inputs.get(random.nextInt(inputs.size()));
            if (data.length > 70_000) {
                continue;
            }
            byte[] block = compress(data);
            int changes = random.nextInt(1, 4);
            for (int c = 0; c < changes && block.length > 0; c++) {
                int at = random.nextInt(block.length);
                block[at] = random.nextBoolean() ? (byte) random.nextInt() : (byte) (block[at] ^ (1 << random.nextInt(8)));
            }
            if (random.nextInt(8) == 0 && block.length > 0) {
                block = java.util.Arrays.copyOf(block, random.nextInt(block.length));
            }
            int rawLength = random.nextInt(4) == 0 ? random.nextInt(data.length + 100) : data.length;
            byte[] out = new byte[rawLength];
            try {
                int written = new Lz4BlockDecompressor().decompress(MemorySegment.ofArray(block),
                        MemorySegment.ofArray(out));
                assertTrue(written >= 0 && written <= rawLength, () -> written + " of " + rawLength);
            } catch (CompressionException expected) {
                assertEquals(CompressionError.CORRUPT_DATA, expected.code());
                assertTrue(expected.offset() >= 0 && expected.offset() <= block.length, expected::getMessage);
            }
        }
    }
}
