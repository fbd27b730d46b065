package io.nebula.memory.compression;

import io.nebula.memory.bump.BumpAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The block format read back from bytes: every single-byte change, every truncation, wrong ids and lengths. */
class BlockFormatTest {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The implementation that runs {@code codec} everywhere it can: Java, or native for Zstandard. */
    static CodecImplementation implementation(Codec codec) {
        return codec.hasJavaImplementation() ? CodecImplementation.JAVA : CodecImplementation.NATIVE;
    }

    /** A small snapshot container of real data, in its own heap array. */
    private static byte[] container(Codec codec) {
        try (BumpAllocator arena = BumpAllocator.create(4096); Arena memory = Arena.ofConfined()) {
            long at = arena.allocateOffset(300, 1);
            MemorySegment.copy(DataSets.TEXT.generate(300, 11), 0, arena.segment(), at, 300);
            return Snapshot.take(arena, codec, implementation(codec), memory).toSegment().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static CompressionException restoreFails(byte[] bytes) {
        return restoreFails(bytes, CodecImplementation.JAVA);
    }

    private static CompressionException restoreFails(byte[] bytes, CodecImplementation implementation) {
        return assertThrows(CompressionException.class, () -> {
            try (BumpAllocator arena = BumpAllocator.create(4096)) {
                Snapshot.from(MemorySegment.ofArray(bytes)).restore(arena, implementation);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void everySingleByteChangeIsDetected(Codec codec) {
        byte[] original = container(codec);
        Set<CompressionError> seen = EnumSet.noneOf(CompressionError.class);
        for (int i = 0; i < original.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] damaged = original.clone();
                damaged[i] ^= (byte) (1 << bit);
                seen.add(restoreFails(damaged, implementation(codec)).code());
            }
            byte[] damaged = original.clone();
            damaged[i] = (byte) ~damaged[i];
            seen.add(restoreFails(damaged, implementation(codec)).code());
        }
        assertTrue(Set.of(CompressionError.CORRUPT_DATA, CompressionError.TRUNCATED, CompressionError.SIZE_MISMATCH,
                CompressionError.UNSUPPORTED_FORMAT).containsAll(seen), seen::toString);
        assertTrue(seen.contains(CompressionError.CORRUPT_DATA));
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void everyTruncationIsDetected(Codec codec) {
        byte[] original = container(codec);
        for (int length = 0; length < original.length; length++) {
            byte[] truncated = java.util.Arrays.copyOf(original, length);
            CompressionException e = restoreFails(truncated);
            assertEquals(CompressionError.TRUNCATED, e.code(), e::getMessage);
        }
        byte[] longer = java.util.Arrays.copyOf(original, original.length + 1);
        assertEquals(CompressionError.SIZE_MISMATCH, restoreFails(longer).code());
    }

    @Test
    void truncationSaysHowManyBytesAreMissing() {
        byte[] original = container(Codec.LZ4);
        CompressionException e = restoreFails(java.util.Arrays.copyOf(original, original.length - 10));
        assertTrue(e.getMessage().contains("read the remaining 10 bytes"), e.getMessage());
        assertEquals(original.length - 10, e.offset());
        CompressionException header = restoreFails(new byte[10]);
        assertTrue(header.details().contains("fewer than the 24 of a block header"), header.getMessage());
    }

    /** Rewrites the checksum, as a writer of another version would: then the field checks must still hold. */
    private static void reseal(byte[] bytes) {
        MemorySegment block = MemorySegment.ofArray(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 20);
        crc.update(bytes, 24, bytes.length - 24);
        block.set(INT, BlockFormat.OFFSET_CHECKSUM, (int) crc.getValue());
    }

    @Test
    void anUnknownCodecOrVersionIsUnsupportedNotCorrupt() {
        for (int id = Codec.values().length; id < 256; id++) {
            byte[] bytes = container(Codec.LZ4);
            bytes[(int) BlockFormat.OFFSET_CODEC] = (byte) id;
            reseal(bytes);
            CompressionException e = restoreFails(bytes);
            assertEquals(CompressionError.UNSUPPORTED_FORMAT, e.code());
            assertTrue(e.details().contains("codec id is " + id), e.getMessage());
        }
        byte[] future = container(Codec.LZ4);
        future[(int) BlockFormat.OFFSET_VERSION] = 2;
        reseal(future);
        assertEquals(CompressionError.UNSUPPORTED_FORMAT, restoreFails(future).code());
        byte[] flagged = container(Codec.LZ4);
        flagged[(int) BlockFormat.OFFSET_FLAGS] = 1;
        reseal(flagged);
        assertEquals(CompressionError.UNSUPPORTED_FORMAT, restoreFails(flagged).code());
    }

    @Test
    void aPayloadDecodedWithTheWrongCodecIsRejectedNotReturned() {
        for (Codec writer : EnumSet.of(Codec.LZ4, Codec.ZSTD, Codec.SNAPPY, Codec.DEFLATE)) {
            for (Codec reader : EnumSet.complementOf(EnumSet.of(writer))) {
                byte[] bytes = container(writer);
                bytes[(int) BlockFormat.OFFSET_CODEC] = (byte) reader.id();
                reseal(bytes);
                CompressionException e = restoreFails(bytes, implementation(reader));
                assertTrue(e.code() == CompressionError.CORRUPT_DATA || e.code() == CompressionError.SIZE_MISMATCH,
                        () -> writer + " read as " + reader + ": " + e.getMessage());
            }
        }
    }

    @Test
    void aRawLengthThatTheCodecDisagreesWithIsASizeMismatch() {
        byte[] bytes = container(Codec.LZ4);
        MemorySegment block = MemorySegment.ofArray(bytes);
        block.set(INT, BlockFormat.OFFSET_RAW_LENGTH, 299);
        reseal(bytes);
        CompressionException e = restoreFails(bytes);
        assertTrue(e.code() == CompressionError.CORRUPT_DATA || e.code() == CompressionError.SIZE_MISMATCH,
                e::getMessage);
        assertTrue(e.getMessage().contains("recorded as 299 raw bytes"), e.getMessage());
    }

    @Test
    void aNonBlockIsRecognisedByItsMagic() {
        byte[] text = DataSets.TEXT.generate(100, 1).toArray(ValueLayout.JAVA_BYTE);
        CompressionException e = restoreFails(text);
        assertEquals(CompressionError.CORRUPT_DATA, e.code());
        assertTrue(e.details().contains("not the block magic"), e.getMessage());
        assertEquals(0, e.offset());
    }
}
