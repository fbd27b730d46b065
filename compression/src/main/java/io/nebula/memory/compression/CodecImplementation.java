package io.nebula.memory.compression;

/**
 * Which implementation of a {@link Codec} compresses and decompresses: both read and write the same format, so a
 * block written by one is read by the other.
 */
public enum CodecImplementation {
    /**
     * Pure Java, the default: runs in any JVM with no command-line flag. LZ4, the default codec, is nebula-memory's
     * own implementation on the FFM API, and DEFLATE uses the JDK's own {@link java.util.zip.Deflater}: neither uses
     * {@code sun.misc.Unsafe} and neither prints anything. aircompressor's Java Zstandard and Snappy codecs, used
     * only when a store is configured with them, call {@code sun.misc.Unsafe} internally, so JDK 24 and later print
     * a four-line "terminally deprecated method in sun.misc.Unsafe" warning when their first block is compressed,
     * unless the JVM runs with {@code --sun-misc-unsafe-memory-access=allow}.
     */
    JAVA,
    /**
     * The codec's C library (liblz4, libzstd, libsnappy, libdeflate), bundled in aircompressor's jar for Linux
     * (amd64, aarch64, ppc64le) and macOS (aarch64) and called through the FFM API. Faster, but the JVM must run
     * with {@code --enable-native-access=ALL-UNNAMED} (or the module that holds aircompressor) or it prints a
     * "restricted method" warning, and refuses with {@code --illegal-native-access=deny}. On a platform without
     * the library the store fails at creation with {@link CompressionError#CODEC_UNAVAILABLE}.
     */
    NATIVE
}
