/**
 * Compression on top of the nebula-memory allocators: a {@link io.nebula.memory.compression.CompressedStore} of
 * compressed blocks in native memory, and {@link io.nebula.memory.compression.Snapshot}s of a bump arena's bytes.
 *
 * <h2>Codecs</h2>
 * LZ4, the default, is the module's own implementation of the LZ4 block format on the FFM API; Zstandard and Snappy
 * come from aircompressor ({@code io.airlift:aircompressor-v3}), which compresses {@code MemorySegment}s directly;
 * DEFLATE from the JDK's {@code java.util.zip}. The native implementations of all four are aircompressor's. See
 * {@link io.nebula.memory.compression.Codec} for the table of codecs. Each has a pure-Java implementation, the
 * default, which needs no command-line flag, and a native one
 * ({@link io.nebula.memory.compression.CodecImplementation#NATIVE}) that needs {@code --enable-native-access}.
 *
 * <h2>What you will see on first use</h2>
 * With the defaults, nothing: nebula-memory's own code, its LZ4 codec included, uses no {@code sun.misc.Unsafe}.
 * aircompressor's Java Zstandard and Snappy codecs, which a store uses only when configured with them, do, so on
 * JDK 24 and later the JVM prints, once, when their first block is compressed:
 * <pre>
 * WARNING: A terminally deprecated method in sun.misc.Unsafe has been called
 * WARNING: sun.misc.Unsafe::putInt has been called by io.airlift.compress.v3.zstd.ZstdFrameCompressor (file:...)
 * WARNING: Please consider reporting this to the maintainers of class io.airlift.compress.v3.zstd.ZstdFrameCompressor
 * WARNING: sun.misc.Unsafe::putInt will be removed in a future release
 * </pre>
 * Start the JVM with {@code --sun-misc-unsafe-memory-access=allow} to silence it, or use
 * {@link io.nebula.memory.compression.Codec#LZ4} or {@link io.nebula.memory.compression.Codec#DEFLATE}, which warn
 * about nothing.
 *
 * <h2>The block format</h2>
 * Every block, in a store or as a snapshot, is a 24-byte little-endian header followed by the payload:
 * <table>
 *   <caption>The block header</caption>
 *   <tr><th>offset</th><th>bytes</th><th>field</th></tr>
 *   <tr><td>0</td><td>4</td><td>magic {@code N B L K}</td></tr>
 *   <tr><td>4</td><td>1</td><td>format version, 1</td></tr>
 *   <tr><td>5</td><td>1</td><td>codec id: 0 none, 1 LZ4, 2 Zstandard, 3 Snappy, 4 DEFLATE</td></tr>
 *   <tr><td>6</td><td>2</td><td>flags, zero</td></tr>
 *   <tr><td>8</td><td>4</td><td>raw length, at most 1 GiB</td></tr>
 *   <tr><td>12</td><td>4</td><td>payload length</td></tr>
 *   <tr><td>16</td><td>4</td><td>reserved, zero</td></tr>
 *   <tr><td>20</td><td>4</td><td>CRC32C of bytes 0 to 19 and of the payload</td></tr>
 * </table>
 * Reading checks the lengths against the input and the checksum before any codec sees the payload, and the decoded
 * length after; every failure is a {@link io.nebula.memory.compression.CompressionException} with a
 * {@link io.nebula.memory.compression.CompressionError} code.
 */
package io.nebula.memory.compression;
