package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The block format, the one layout of every block a store keeps and of every snapshot container: a 24-byte header
 * followed by the payload. All fields are little-endian and may sit at any alignment.
 *
 * <table>
 *   <caption>The header</caption>
 *   <tr><th>offset</th><th>bytes</th><th>field</th></tr>
 *   <tr><td>0</td><td>4</td><td>magic: the bytes {@code N B L K}</td></tr>
 *   <tr><td>4</td><td>1</td><td>format version, 1</td></tr>
 *   <tr><td>5</td><td>1</td><td>codec id ({@link Codec#id()})</td></tr>
 *   <tr><td>6</td><td>2</td><td>flags, zero</td></tr>
 *   <tr><td>8</td><td>4</td><td>raw length: the bytes the payload decompresses to, at most {@link #MAX_RAW_BYTES}
 *       </td></tr>
 *   <tr><td>12</td><td>4</td><td>payload length: the bytes after the header</td></tr>
 *   <tr><td>16</td><td>4</td><td>reserved, zero</td></tr>
 *   <tr><td>20</td><td>4</td><td>CRC32C of header bytes 0 to 19 followed by the payload</td></tr>
 * </table>
 *
 * <p>The checksum covers the compressed payload, not the decompressed data, for two reasons: corrupt bytes are
 * rejected before any codec reads them (LZ4 has no checksum of its own and decodes a changed byte into wrong data
 * without complaint), and the cost is proportional to the stored bytes, which compression made smaller. A block
 * whose payload is intact decodes to exactly its data, which the decoder checks by length. Reading checks, in this
 * order: the size of the input against the header, the magic, the version, the payload length against the input
 * (shorter is {@link CompressionError#TRUNCATED}, longer {@link CompressionError#SIZE_MISMATCH}), the checksum
 * ({@link CompressionError#CORRUPT_DATA}), then the codec and the reserved fields. Any single changed byte is
 * therefore reported: in the magic, version or lengths by the field checks, anywhere else by the CRC, which
 * detects every error of up to 32 consecutive bits.
 */
final class BlockFormat {

    /** Bytes of the header. */
    static final int HEADER_BYTES = 24;
    /** The most bytes one block holds: 1 GiB. */
    static final int MAX_RAW_BYTES = 1 << 30;
    /** The format version this library writes and reads. */
    static final int VERSION = 1;
    /** The magic, {@code N B L K}, as a little-endian int. */
    static final int MAGIC = 'N' | 'B' << 8 | 'L' << 16 | 'K' << 24;

    static final long OFFSET_MAGIC = 0;
    static final long OFFSET_VERSION = 4;
    static final long OFFSET_CODEC = 5;
    static final long OFFSET_FLAGS = 6;
    static final long OFFSET_RAW_LENGTH = 8;
    static final long OFFSET_PAYLOAD_LENGTH = 12;
    static final long OFFSET_RESERVED = 16;
    static final long OFFSET_CHECKSUM = 20;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BlockFormat() {
    }

    /**
     * Writes a header at the start of {@code block}, whose payload is already in place after it, checksum included.
     *
     * @param block         header and payload, at least {@code HEADER_BYTES + payloadLength} bytes
     * @param codec         the codec that produced the payload
     * @param rawLength     the bytes the payload decompresses to
     * @param payloadLength the bytes of the payload
     * @param crc           a checksum object to reuse
     */
    static void writeHeader(MemorySegment block, Codec codec, int rawLength, int payloadLength, CRC32C crc) {
        block.set(INT, OFFSET_MAGIC, MAGIC);
        block.set(ValueLayout.JAVA_BYTE, OFFSET_VERSION, (byte) VERSION);
        block.set(ValueLayout.JAVA_BYTE, OFFSET_CODEC, (byte) codec.id());
        block.set(SHORT, OFFSET_FLAGS, (short) 0);
        block.set(INT, OFFSET_RAW_LENGTH, rawLength);
        block.set(INT, OFFSET_PAYLOAD_LENGTH, payloadLength);
        block.set(INT, OFFSET_RESERVED, 0);
        block.set(INT, OFFSET_CHECKSUM, checksum(block, payloadLength, crc));
    }

    /** The CRC32C of header bytes 0 to 19 and the payload. */
    private static int checksum(MemorySegment block, int payloadLength, CRC32C crc) {
        ByteBuffer bytes = block.asByteBuffer();
        crc.reset();
        bytes.limit((int) OFFSET_CHECKSUM);
        crc.update(bytes);
        bytes.limit(HEADER_BYTES + payloadLength).position(HEADER_BYTES);
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /**
     * Checks that {@code block} is exactly one intact block of a format this library reads.
     *
     * @param block  the bytes to check; must be accessible as a {@code ByteBuffer} (native or {@code byte[]})
     * @param crc    a checksum object to reuse
     * @param source what the block is, for error messages: its {@code toString()} is called only on error
     * @throws CompressionException {@link CompressionError#TRUNCATED}, {@link CompressionError#SIZE_MISMATCH},
     *     {@link CompressionError#CORRUPT_DATA} or {@link CompressionError#UNSUPPORTED_FORMAT}
     */
    static void verify(MemorySegment block, CRC32C crc, Object source) {
        long size = block.byteSize();
        if (size < HEADER_BYTES) {
            throw error(CompressionError.TRUNCATED, source, size,
                    "the input has " + size + " bytes, fewer than the " + HEADER_BYTES + " of a block header",
                    "Pass the whole block: header and payload, as toSegment() returned them.",
                    "If the bytes come from a file or the network, check that the read was complete.");
        }
        int magic = block.get(INT, OFFSET_MAGIC);
        if (magic != MAGIC) {
            throw error(CompressionError.CORRUPT_DATA, source, OFFSET_MAGIC,
                    "the input starts with 0x" + hex(Integer.reverseBytes(magic))
                            + ", not the block magic 0x4e424c4b (\"NBLK\")",
                    "Check that these bytes are a block or a snapshot written by nebula-memory, from its start.",
                    "Do not use the data: if it is one, its first bytes were overwritten.");
        }
        int version = Byte.toUnsignedInt(block.get(ValueLayout.JAVA_BYTE, OFFSET_VERSION));
        if (version != VERSION) {
            throw error(CompressionError.UNSUPPORTED_FORMAT, source, OFFSET_VERSION,
                    "the block has format version " + version + "; this library reads version " + VERSION,
                    "Read it with the nebula-memory version that wrote it, if it is newer.",
                    "If this version wrote it, the header is corrupt: do not use the data.");
        }
        long payloadLength = Integer.toUnsignedLong(block.get(INT, OFFSET_PAYLOAD_LENGTH));
        long expected = HEADER_BYTES + payloadLength;
        if (size < expected) {
            throw error(CompressionError.TRUNCATED, source, size,
                    "the header announces a payload of " + payloadLength + " bytes (a block of " + expected
                            + " bytes) but the input has " + size + " bytes",
                    "Pass the whole block; if it was read from a file or a socket, read the remaining "
                            + (expected - size) + " bytes.",
                    "If the input is complete, its header is corrupt: do not use the data.");
        }
        if (size > expected) {
            throw error(CompressionError.SIZE_MISMATCH, source, expected,
                    "the header announces a block of " + expected + " bytes (" + payloadLength
                            + " of payload) but the input has " + size + " bytes",
                    "Pass exactly one block: slice the input to the block's bytes (toSegment().byteSize()).",
                    "If the input is exactly one block, its header is corrupt: do not use the data.");
        }
        int recorded = block.get(INT, OFFSET_CHECKSUM);
        int actual = checksum(block, (int) payloadLength, crc);
        if (recorded != actual) {
            throw error(CompressionError.CORRUPT_DATA, source, OFFSET_CHECKSUM,
                    "the CRC32C of the header and payload is 0x" + hex(actual) + " but the header records 0x"
                            + hex(recorded),
                    "Do not use this data: it changed after it was written (a storage or transfer error, or a"
                            + " stray write into its memory).",
                    "Write it again from its source, or use another copy.");
        }
        int codecId = Byte.toUnsignedInt(block.get(ValueLayout.JAVA_BYTE, OFFSET_CODEC));
        Codec codec = Codec.ofId(codecId);
        if (codec == null) {
            throw error(CompressionError.UNSUPPORTED_FORMAT, source, OFFSET_CODEC,
                    "the block's codec id is " + codecId + "; this library knows ids 0 to "
                            + (Codec.values().length - 1),
                    "Read it with the nebula-memory version that wrote it.");
        }
        int flags = Short.toUnsignedInt(block.get(SHORT, OFFSET_FLAGS));
        int reserved = block.get(INT, OFFSET_RESERVED);
        if (flags != 0 || reserved != 0) {
            throw error(CompressionError.UNSUPPORTED_FORMAT, source, flags != 0 ? OFFSET_FLAGS : OFFSET_RESERVED,
                    "the block sets flags 0x" + Integer.toHexString(flags) + " and reserved 0x" + hex(reserved)
                            + "; version " + VERSION + " defines none",
                    "Read it with the nebula-memory version that wrote it.");
        }
        long rawLength = Integer.toUnsignedLong(block.get(INT, OFFSET_RAW_LENGTH));
        if (rawLength > MAX_RAW_BYTES || (codec == Codec.NONE && rawLength != payloadLength)) {
            throw error(CompressionError.CORRUPT_DATA, source, OFFSET_RAW_LENGTH,
                    "the header records " + rawLength + " raw bytes for " + payloadLength + " bytes of "
                            + codec.displayName() + " payload, which no writer produces",
                    "Do not use this data: it was not written by nebula-memory's writer.");
        }
    }

    /** Returns the codec of a verified block. */
    static Codec codec(MemorySegment block) {
        return Codec.ofId(Byte.toUnsignedInt(block.get(ValueLayout.JAVA_BYTE, OFFSET_CODEC)));
    }

    /** Returns the raw length of a verified block. */
    static int rawLength(MemorySegment block) {
        return block.get(INT, OFFSET_RAW_LENGTH);
    }

    /** Returns the payload length of a verified block. */
    static int payloadLength(MemorySegment block) {
        return block.get(INT, OFFSET_PAYLOAD_LENGTH);
    }

    /** The error for a payload that its codec rejected or decoded to another length. */
    static CompressionException undecodable(MemorySegment block, Object source, String what, Throwable cause) {
        Codec codec = codec(block);
        return new CompressionException(cause == null ? CompressionError.SIZE_MISMATCH : CompressionError.CORRUPT_DATA,
                String.valueOf(source), HEADER_BYTES,
                "the " + codec.displayName() + " payload of " + payloadLength(block) + " bytes, recorded as "
                        + rawLength(block) + " raw bytes, " + what,
                List.of("Do not use this data: its checksum matches, so it was written this way, not damaged"
                                + " afterwards; it does not come from nebula-memory's writer.",
                        "If it does, report it with the block's bytes: it is a codec bug."),
                cause);
    }

    /**
     * The error for a payload that its codec found malformed at a known place.
     *
     * @param payloadOffset where in the payload the codec found the fault
     * @param what          the fault, with its numbers
     */
    static CompressionException undecodable(MemorySegment block, Object source, long payloadOffset, String what,
                                            Throwable cause) {
        Codec codec = codec(block);
        return new CompressionException(CompressionError.CORRUPT_DATA, String.valueOf(source),
                HEADER_BYTES + payloadOffset,
                "the " + codec.displayName() + " payload of " + payloadLength(block) + " bytes, recorded as "
                        + rawLength(block) + " raw bytes, is malformed at its byte " + payloadOffset + ": " + what,
                List.of("Do not use this data: its checksum matches, so it was written this way, not damaged"
                                + " afterwards; it does not come from nebula-memory's writer.",
                        "If it does, report it with the block's bytes: it is a codec bug."),
                cause);
    }

    static CompressionException error(CompressionError code, Object source, long offset, String details,
                                      String... suggestions) {
        return new CompressionException(code, String.valueOf(source), offset, details, List.of(suggestions), null);
    }

    private static String hex(int value) {
        return String.format("%08x", value);
    }
}
