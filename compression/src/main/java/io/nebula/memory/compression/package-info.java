/**
 * Compression on top of the nebula-memory allocators: a {@link io.nebula.memory.compression.CompressedStore} of
 * compressed blocks in native memory, and {@link io.nebula.memory.compression.Snapshot}s of a bump arena's bytes.
 *
 * <h2>Codecs</h2>
 * LZ4, the default, and Snappy are the module's own implementations of their block formats on the FFM API; DEFLATE
 * comes from the JDK's {@code java.util.zip}; Zstandard is native only. The native implementations of all four are
 * aircompressor's ({@code io.airlift:aircompressor-v3}), which calls the C libraries through the FFM API. See
 * {@link io.nebula.memory.compression.Codec} for the table of codecs. Every codec but Zstandard has a pure-Java
 * implementation, the default, which needs no command-line flag; the native one
 * ({@link io.nebula.memory.compression.CodecImplementation#NATIVE}) needs {@code --enable-native-access}.
 *
 * <h2>What you will see on first use</h2>
 * In the Java implementation, nothing: every access that a store or snapshot makes goes through the FFM API, so
 * the JDK prints no deprecation or restricted-method warning, and no flag is needed. A store or
 * snapshot configured with Zstandard in Java fails at creation with a
 * {@link io.nebula.memory.compression.CompressionError#CODEC_UNAVAILABLE} error that says what to do: the only Java
 * Zstandard there is, aircompressor's, accesses raw addresses outside the FFM API, so Zstandard runs natively
 * (libzstd) or not at all. A native codec started without {@code --enable-native-access=ALL-UNNAMED} (or the module that holds
 * aircompressor) makes the JVM print, once:
 * <pre>
 * WARNING: A restricted method in java.lang.foreign.SymbolLookup has been called
 * WARNING: java.lang.foreign.SymbolLookup::libraryLookup has been called by io.airlift.compress.v3.internal.NativeLoader in an unnamed module (file:...)
 * WARNING: Use --enable-native-access=ALL-UNNAMED to avoid a warning for callers in this module
 * WARNING: Restricted methods will be blocked in a future release unless native access is enabled
 * </pre>
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
