package io.nebula.memory.compression;

import io.airlift.compress.v3.deflate.DeflateNativeCompressor;
import io.airlift.compress.v3.deflate.DeflateNativeDecompressor;
import io.airlift.compress.v3.lz4.Lz4NativeCompressor;
import io.airlift.compress.v3.lz4.Lz4NativeDecompressor;
import io.airlift.compress.v3.snappy.SnappyJavaCompressor;
import io.airlift.compress.v3.snappy.SnappyJavaDecompressor;
import io.airlift.compress.v3.snappy.SnappyNativeCompressor;
import io.airlift.compress.v3.snappy.SnappyNativeDecompressor;
import io.airlift.compress.v3.zstd.ZstdJavaCompressor;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import io.airlift.compress.v3.zstd.ZstdNativeCompressor;
import io.airlift.compress.v3.zstd.ZstdNativeDecompressor;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A compression algorithm, and every fact about it in one table: the id recorded in each block's header, whether
 * its Java implementation calls {@code sun.misc.Unsafe}, and the native library of its
 * {@link CodecImplementation#NATIVE} implementation.
 *
 * <table>
 *   <caption>The codecs</caption>
 *   <tr><th>codec</th><th>id</th><th>{@code JAVA} implementation</th><th>Unsafe warning</th>
 *       <th>{@code NATIVE} library</th></tr>
 *   <tr><td>{@link #NONE}</td><td>0</td><td>a copy</td><td>no</td><td>none (always the copy)</td></tr>
 *   <tr><td>{@link #LZ4} (default)</td><td>1</td><td>nebula-memory's own, on the FFM API</td><td>no</td>
 *       <td>liblz4</td></tr>
 *   <tr><td>{@link #ZSTD}</td><td>2</td><td>aircompressor {@code ZstdJavaCompressor}, level 3</td><td>yes</td>
 *       <td>libzstd, level 3</td></tr>
 *   <tr><td>{@link #SNAPPY}</td><td>3</td><td>aircompressor {@code SnappyJavaCompressor}</td><td>yes</td>
 *       <td>libsnappy</td></tr>
 *   <tr><td>{@link #DEFLATE}</td><td>4</td><td>the JDK's {@link java.util.zip.Deflater}, raw DEFLATE, level 1
 *       </td><td>no</td><td>libdeflate, level 1</td></tr>
 * </table>
 *
 * <p>A block whose data does not get smaller is stored with {@link #NONE} whatever the chosen codec, so that
 * incompressible data (random bytes, data compressed already) costs its header and a copy, never more.
 */
public enum Codec {
    /** No compression: the payload is the data itself. Also used for any block that a codec does not shrink. */
    NONE(0, "none", false, "", () -> true),
    /**
     * LZ4: fast to compress and decompress, a moderate ratio. The default: what a store of hot data needs is
     * speed, and its Java implementation is nebula-memory's own, on the FFM API alone, so the default prints no
     * warning. That implementation pays a bounds check on every access: it is the fastest codec here without
     * {@code sun.misc.Unsafe}, but in most measurements slower than aircompressor's Java Snappy, which uses it;
     * for more speed, use the native implementation (liblz4).
     */
    LZ4(1, "LZ4", false, "liblz4", Lz4NativeCompressor::isEnabled),
    /** Zstandard at level 3: a much better ratio than LZ4, slower to compress, fast to decompress. */
    ZSTD(2, "Zstandard", true, "libzstd", ZstdNativeCompressor::isEnabled),
    /** Snappy: close to LZ4 in speed and ratio; for data exchanged with systems that speak Snappy. */
    SNAPPY(3, "Snappy", true, "libsnappy", SnappyNativeCompressor::isEnabled),
    /**
     * Raw DEFLATE (RFC 1951) at level 1. Its Java implementation is the JDK's zlib, which prints no warning;
     * slower than LZ4, with a better ratio.
     */
    DEFLATE(4, "DEFLATE", false, "libdeflate", DeflateNativeCompressor::isEnabled);

    /** The DEFLATE level of both implementations: the fastest. */
    static final int DEFLATE_LEVEL = 1;
    /** The Zstandard level of both implementations: aircompressor's Java codec has only its default, 3. */
    static final int ZSTD_LEVEL = 3;

    private static final List<Codec> BY_ID = List.of(values());

    private final int id;
    private final String displayName;
    private final boolean javaUsesUnsafe;
    private final String nativeLibrary;
    private final BooleanSupplier nativeEnabled;

    Codec(int id, String displayName, boolean javaUsesUnsafe, String nativeLibrary, BooleanSupplier nativeEnabled) {
        this.id = id;
        this.displayName = displayName;
        this.javaUsesUnsafe = javaUsesUnsafe;
        this.nativeLibrary = nativeLibrary;
        this.nativeEnabled = nativeEnabled;
    }

    /**
     * Returns the id that block headers record for this codec. Ids never change meaning.
     *
     * @return the id, 0 to 4
     */
    public int id() {
        return id;
    }

    /**
     * Returns the algorithm's usual name, such as {@code Zstandard}.
     *
     * @return the display name
     */
    public String displayName() {
        return displayName;
    }

    /**
     * Tells whether the {@link CodecImplementation#JAVA} implementation calls {@code sun.misc.Unsafe}, and so
     * makes JDK 24 and later print a warning on first use unless {@code --sun-misc-unsafe-memory-access=allow}
     * is given.
     *
     * @return {@code true} for Zstandard and Snappy (aircompressor's Java codecs); {@code false} for the default,
     *     LZ4, whose Java implementation is nebula-memory's own on the FFM API
     */
    public boolean javaImplementationUsesUnsafe() {
        return javaUsesUnsafe;
    }

    /**
     * Returns the C library behind the {@link CodecImplementation#NATIVE} implementation.
     *
     * @return the library's name, such as {@code liblz4}; empty for {@link #NONE}
     */
    public String nativeLibrary() {
        return nativeLibrary;
    }

    /**
     * Tells whether the {@link CodecImplementation#NATIVE} implementation can run in this JVM: aircompressor
     * bundles the library for this platform and could load it. Asking loads the library, which is a restricted
     * FFM operation (see {@link CodecImplementation#NATIVE}).
     *
     * @return {@code true} when a store may use this codec natively
     */
    public boolean isNativeAvailable() {
        try {
            return nativeEnabled.getAsBoolean();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * Returns the codec whose header id is {@code id}.
     *
     * @param id an id read from a header
     * @return the codec, or {@code null} when no codec has that id
     */
    static Codec ofId(int id) {
        return id >= 0 && id < BY_ID.size() ? BY_ID.get(id) : null;
    }

    /**
     * Creates a codec instance: state (hash tables, zlib streams) for one thread at a time.
     *
     * @param implementation Java or native
     * @return a new instance; close it to free what it holds
     * @throws CompressionException {@link CompressionError#CODEC_UNAVAILABLE} when the native library cannot run
     */
    BlockCodec newBlockCodec(CodecImplementation implementation) {
        if (this == NONE) {
            return new CopyBlockCodec();
        }
        if (implementation == CodecImplementation.NATIVE) {
            if (!isNativeAvailable()) {
                throw unavailable();
            }
            return switch (this) {
                case LZ4 -> new AirliftBlockCodec(this, new Lz4NativeCompressor(), new Lz4NativeDecompressor());
                case ZSTD -> new AirliftBlockCodec(this, new ZstdNativeCompressor(ZSTD_LEVEL),
                        new ZstdNativeDecompressor());
                case SNAPPY -> new AirliftBlockCodec(this, new SnappyNativeCompressor(),
                        new SnappyNativeDecompressor());
                case DEFLATE -> new AirliftBlockCodec(this, new DeflateNativeCompressor(DEFLATE_LEVEL),
                        new DeflateNativeDecompressor());
                case NONE -> throw new AssertionError(this);
            };
        }
        return switch (this) {
            case LZ4 -> new Lz4BlockCodec();
            case ZSTD -> new AirliftBlockCodec(this, new ZstdJavaCompressor(), new ZstdJavaDecompressor());
            case SNAPPY -> new AirliftBlockCodec(this, new SnappyJavaCompressor(), new SnappyJavaDecompressor());
            case DEFLATE -> new JdkDeflateBlockCodec(DEFLATE_LEVEL);
            case NONE -> throw new AssertionError(this);
        };
    }

    private CompressionException unavailable() {
        return new CompressionException(CompressionError.CODEC_UNAVAILABLE, "",
                -1, "the native " + displayName + " codec (" + nativeLibrary + ") cannot be loaded on "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                        + ", or native library loading is disabled",
                List.of("Use CodecImplementation.JAVA, which runs everywhere.",
                        "aircompressor bundles its libraries for Linux (amd64, aarch64, ppc64le) and macOS (aarch64)"
                                + " only; check that -Dio.airlift.compress.v3.disable-native is not set and that"
                                + " java.io.tmpdir is writable (the library is extracted there)."),
                null);
    }
}
