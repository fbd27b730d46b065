package io.nebula.memory.compression;

/**
 * Which implementation of a {@link Codec} compresses and decompresses: both read and write the same format, so a
 * block written by one is read by the other.
 */
public enum CodecImplementation {
    /**
     * Pure Java, the default: runs in any JVM with no command-line flag and prints nothing. LZ4, the default codec,
     * and Snappy are nebula-memory's own implementations on the FFM API ({@code MemorySegment} accesses, no
     * restricted method), DEFLATE is the JDK's own {@link java.util.zip.Deflater}; none accesses raw addresses.
     * Zstandard has no Java implementation (see {@link Codec#hasJavaImplementation()}): a store or snapshot that asks
     * for it fails with {@link CompressionError#CODEC_UNAVAILABLE}.
     */
    JAVA,
    /**
     * The codec's C library (liblz4, libzstd, libsnappy, libdeflate), bundled in aircompressor's jar for Linux
     * (amd64, aarch64, ppc64le) and macOS (aarch64) and called through the FFM API. Faster, but the JVM must run
     * with {@code --enable-native-access=ALL-UNNAMED} (or the module that holds aircompressor) or it prints a
     * "restricted method" warning, and refuses with {@code --illegal-native-access=deny}. On a platform without
     * the library the store fails at creation with {@link CompressionError#CODEC_UNAVAILABLE}. The only implementation
     * of {@link Codec#ZSTD}.
     */
    NATIVE
}
