package io.nebula.memory.compression;

import io.airlift.compress.v3.lz4.Lz4JavaCompressor;
import io.airlift.compress.v3.lz4.Lz4JavaDecompressor;
import io.airlift.compress.v3.lz4.Lz4NativeCompressor;
import io.airlift.compress.v3.lz4.Lz4NativeDecompressor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.Stream;

import static io.nebula.memory.compression.CodecInputs.compressWith;
import static io.nebula.memory.compression.CodecInputs.decompressWith;
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

    static Stream<byte[]> inputStream() {
        return CodecInputs.inputs().stream();
    }

    /** The inputs that aircompressor hashes into a table as large as ours: over 2 KiB. */
    static Stream<byte[]> inputsOverTwoKiB() {
        return CodecInputs.inputs().stream().filter(data -> data.length > 2048);
    }

    private static byte[] compress(byte[] data) {
        return CodecInputs.compress(FfmBlockCodec.lz4(), data);
    }

    private static byte[] decompress(byte[] block, int rawLength) {
        return CodecInputs.decompress(FfmBlockCodec.lz4(), block, rawLength);
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
        CodecInputs.roundTripThroughNativeAndReadOnlySegments(FfmBlockCodec.lz4());
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
        CompressionException e = CodecInputs.restoreMalformed(Codec.LZ4, new byte[] {(byte) 0x10, 7, 2, 0, 0x00}, 10);
        assertEquals(BlockFormat.HEADER_BYTES + 2, e.offset());
        assertTrue(e.details().startsWith("the LZ4 payload of 5 bytes, recorded as 10 raw bytes, is malformed at"
                + " its byte 2: the sequence at byte 0 has a match offset of 2 at output byte 1"), e.getMessage());
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
                byte[] expected = CodecInputs.repeatedPattern(offset, matchLength, 5);
                int raw = expected.length;
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
        CodecInputs.corruptRandomly(11, 4000, Lz4BlockCodecTest::compress,
                (block, out) -> new Lz4BlockDecompressor().decompress(block, out));
    }
}
