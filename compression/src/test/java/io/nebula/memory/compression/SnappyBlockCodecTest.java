package io.nebula.memory.compression;

import io.airlift.compress.v3.snappy.SnappyJavaCompressor;
import io.airlift.compress.v3.snappy.SnappyJavaDecompressor;
import io.airlift.compress.v3.snappy.SnappyNativeCompressor;
import io.airlift.compress.v3.snappy.SnappyNativeDecompressor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.stream.Stream;

import static io.nebula.memory.compression.CodecInputs.compressWith;
import static io.nebula.memory.compression.CodecInputs.decompressWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The FFM Snappy codec against the format: round trips of every shape of data, both directions against
 * aircompressor's Snappy and against libsnappy, the elements a libsnappy-style writer emits, and malformed blocks
 * refused with a typed error.
 */
class SnappyBlockCodecTest {

    static Stream<byte[]> inputStream() {
        return CodecInputs.inputs().stream();
    }

    private static byte[] compress(byte[] data) {
        return CodecInputs.compress(FfmBlockCodec.snappy(), data);
    }

    private static byte[] decompress(byte[] block, int rawLength) {
        return CodecInputs.decompress(FfmBlockCodec.snappy(), block, rawLength);
    }

    @ParameterizedTest
    @MethodSource("inputStream")
    void roundTripsWithinTheBoundAndWritesLibsnappysElements(byte[] data) {
        byte[] block = compress(data);
        assertTrue(block.length <= SnappyBlockCompressor.maxCompressedLength(data.length));
        assertArrayEquals(data, decompress(block, data.length), () -> data.length + " bytes");
        checkElements(block, data.length);
    }

    @ParameterizedTest
    @MethodSource("inputStream")
    void aircompressorReadsWhatItWritesAndTheReverse(byte[] data) {
        assertArrayEquals(data, decompressWith(new SnappyJavaDecompressor(), compress(data), data.length));
        assertArrayEquals(data, decompress(compressWith(new SnappyJavaCompressor(), data), data.length));
    }

    @ParameterizedTest
    @MethodSource("inputStream")
    void libsnappyReadsWhatItWritesAndTheReverse(byte[] data) {
        assumeTrue(Codec.SNAPPY.isNativeAvailable(), "libsnappy (aircompressor's bundled copy) cannot load here");
        assertArrayEquals(data, decompressWith(new SnappyNativeDecompressor(), compress(data), data.length));
        assertArrayEquals(data, decompress(compressWith(new SnappyNativeCompressor(), data), data.length));
    }

    /**
     * Walks a block written by the compressor: the varint is the data's length, every element is the shortest
     * form libsnappy would write (copy-1 for 4 to 11 bytes under 2048 back, copy-2 otherwise, no copy-4), copies
     * are 4 to 64 bytes and reach back at most into their own 64 KiB fragment, and the elements cover the data.
     */
    private static void checkElements(byte[] block, int rawLength) {
        int ip = 0;
        long declared = 0;
        int b;
        do {
            b = block[ip] & 0xFF;
            declared |= (long) (b & 0x7F) << (7 * ip);
            ip++;
        } while (b >= 0x80);
        assertEquals(rawLength, declared);
        int op = 0;
        while (ip < block.length) {
            int tag = block[ip++] & 0xFF;
            switch (tag & 3) {
                case 0 -> {
                    int n = tag >>> 2;
                    if (n >= 60) {
                        int bytes = n - 59;
                        n = 0;
                        for (int i = 0; i < bytes; i++) {
                            n |= (block[ip++] & 0xFF) << (8 * i);
                        }
                        assertTrue(n >= 60 && n >>> (8 * (bytes - 1)) != 0, "literal length in too many bytes");
                    }
                    ip += n + 1;
                    op += n + 1;
                }
                case 1 -> {
                    int offset = (tag >>> 5) << 8 | (block[ip++] & 0xFF);
                    checkCopy(op, offset, ((tag >>> 2) & 7) + 4);
                    op += ((tag >>> 2) & 7) + 4;
                }
                case 2 -> {
                    int offset = (block[ip] & 0xFF) | (block[ip + 1] & 0xFF) << 8;
                    ip += 2;
                    int length = (tag >>> 2) + 1;
                    checkCopy(op, offset, length);
                    assertTrue(length > 11 || offset >= 2048, "a copy-2 where a copy-1 fits");
                    op += length;
                }
                default -> throw new AssertionError("a copy-4 element at byte " + (ip - 1));
            }
        }
        assertEquals(block.length, ip);
        assertEquals(rawLength, op);
    }

    private static void checkCopy(int op, int offset, int length) {
        assertTrue(length >= 4 && length <= 64, "copy of " + length);
        assertTrue(offset >= 1 && offset <= op % SnappyBlockCompressor.FRAGMENT_BYTES,
                "offset " + offset + " at output byte " + op + " leaves its fragment");
    }

    @Test
    void oneInstanceGivesTheSameBytesWhateverItCompressedBefore() {
        FfmBlockCodec codec = FfmBlockCodec.snappy();
        byte[] data = DataSets.TEXT.generate(10_000, 3).toArray(ValueLayout.JAVA_BYTE);
        byte[] first = compress(data);
        CodecInputs.compress(codec, DataSets.STRUCTS.generate(150_000, 3).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(first, CodecInputs.compress(codec, data));
    }

    /** The same algorithm as aircompressor's Snappy (a port of libsnappy's), so the same bytes and ratio. */
    @ParameterizedTest
    @MethodSource("inputStream")
    void writesTheSameBytesAsAircompressor(byte[] data) {
        assertArrayEquals(compressWith(new SnappyJavaCompressor(), data), compress(data), () -> data.length + " bytes");
    }

    @Test
    void readsAndWritesNativeAndReadOnlySegments() {
        CodecInputs.roundTripThroughNativeAndReadOnlySegments(FfmBlockCodec.snappy());
    }

    private static CompressionException refused(int[] block, int rawLength) {
        byte[] bytes = new byte[block.length];
        for (int i = 0; i < block.length; i++) {
            bytes[i] = (byte) block[i];
        }
        CompressionException e = assertThrows(CompressionException.class, () -> new SnappyBlockDecompressor()
                .decompress(MemorySegment.ofArray(bytes), MemorySegment.ofArray(new byte[rawLength])));
        assertEquals(CompressionError.CORRUPT_DATA, e.code());
        assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e::getMessage);
        return e;
    }

    private static void assertDetails(CompressionException e, String expected) {
        assertTrue(e.details().contains(expected), e::getMessage);
    }

    @Test
    void refusesEachKindOfMalformedElementWithItsNumbers() {
        assertDetails(refused(new int[0], 10), "a varint at byte 0, runs past the end of the payload");
        assertDetails(refused(new int[] {0x80, 0x80, 0x80, 0x80, 0x80, 0}, 10), "is longer than 5 bytes");
        assertDetails(refused(new int[] {9, 0, 'a'}, 10), "declares 9 uncompressed bytes but 10 are recorded");

        CompressionException literals = refused(new int[] {5, 4 << 2, 'a', 'b'}, 5);
        assertDetails(literals, "the literal element at byte 1 has 5 literals but 2 payload bytes remain and 5 output");
        assertEquals(1, literals.offset());
        assertDetails(refused(new int[] {2, 2 << 2, 'a', 'b', 'c'}, 2), "has 3 literals but 3 payload bytes remain"
                + " and 2 output bytes (of 2)");
        assertDetails(refused(new int[] {100, 61 << 2, 99}, 100), "the payload ends inside the literal length of"
                + " the element at byte 1: 2 bytes needed, 1 remain");
        assertDetails(refused(new int[] {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 63 << 2, 0xFF, 0xFF, 0xFF, 0xFF}, 10),
                "declares 4294967295 uncompressed bytes");

        assertDetails(refused(new int[] {10, 0, 'a', 1, 0}, 10), "the copy at byte 3 has an offset of 0 at output"
                + " byte 1; it must be 1 to 1");
        assertDetails(refused(new int[] {10, 0, 'a', 2 | (3 << 2), 2, 0}, 10), "has an offset of 2 at output byte 1");
        assertDetails(refused(new int[] {10, 0, 'a', 3, 0, 0, 0, 0x80}, 10), "has an offset of 2147483648");
        assertDetails(refused(new int[] {10, 0, 'a', 1 | (7 << 2), 1}, 10), "the copy at byte 3 copies 11 bytes at"
                + " output byte 1, past the output's 10 bytes");
        assertDetails(refused(new int[] {10, 0, 'a', 2, 1}, 10), "the payload ends inside the offset of the element"
                + " at byte 3: 2 bytes needed, 1 remain");
        assertDetails(refused(new int[] {10, 0, 'a', 3, 1, 0, 0}, 10), "4 bytes needed, 3 remain");
        assertDetails(refused(new int[] {10, 0, 'a', 1}, 10), "1 bytes needed, 0 remain");
    }

    @Test
    void aBlockThatEndsEarlyDecodesToFewerBytes() {
        byte[] block = {10, 0, 'a', 1, 1};
        assertEquals(5, FfmBlockCodec.snappy().decompress(MemorySegment.ofArray(block),
                MemorySegment.ofArray(new byte[10])));
    }

    @Test
    void aSnapshotWithAMalformedPayloadNamesTheBlockAndThePayloadByte() {
        CompressionException e = CodecInputs.restoreMalformed(Codec.SNAPPY, new byte[] {10, 0, 'a', 1, 2}, 10);
        assertEquals(BlockFormat.HEADER_BYTES + 3, e.offset());
        assertTrue(e.details().startsWith("the Snappy payload of 5 bytes, recorded as 10 raw bytes, is malformed"
                + " at its byte 3: the copy at byte 3 has an offset of 2 at output byte 1"), e.getMessage());
    }

    @Test
    void overlappingCopiesOfEveryShortOffsetAndLengthRepeatTheirPattern() {
        for (int offset = 1; offset < 20; offset++) {
            for (int length = 1; length <= 64; length++) {
                byte[] expected = CodecInputs.repeatedPattern(offset, length, 3);
                ByteArrayOutputStream block = new ByteArrayOutputStream();
                block.write(expected.length);
                block.write((offset - 1) << 2);
                block.write(expected, 0, offset);
                block.write(2 | (length - 1) << 2);
                block.write(offset);
                block.write(0);
                block.write(2 << 2);
                block.write(expected, offset + length, 3);
                assertArrayEquals(expected, decompress(block.toByteArray(), expected.length), offset + "/" + length);
            }
        }
    }

    @Test
    void aHugeLiteralLengthIsRefusedBeforeAByteMoves() {
        assertDetails(refused(new int[] {100, 63 << 2, 0xFF, 0xFF, 0xFF, 0xFF, 'a'}, 100),
                "the literal element at byte 1 has 4294967296 literals");
    }

    @Test
    void randomCorruptionOfRealBlocksIsRefusedOrDecodesInBounds() {
        FfmBlockCodec codec = FfmBlockCodec.snappy();
        CodecInputs.corruptRandomly(13, 6000, data -> CodecInputs.compress(codec, data), codec::decompress);
    }

    @Test
    void writesOneVarintAndOneLiteralForTinyInputs() {
        assertArrayEquals(new byte[] {0}, compress(new byte[0]));
        assertArrayEquals(new byte[] {3, 2 << 2, 'a', 'b', 'c'}, compress(new byte[] {'a', 'b', 'c'}));
        byte[] zeros = compress(new byte[200]);
        assertTrue(zeros.length < 20, () -> Arrays.toString(zeros));
    }
}
