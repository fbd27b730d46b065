package io.nebula.memory.compression;

import io.airlift.compress.v3.deflate.DeflateNativeCompressor;
import io.airlift.compress.v3.deflate.DeflateNativeDecompressor;
import io.airlift.compress.v3.lz4.Lz4NativeCompressor;
import io.airlift.compress.v3.lz4.Lz4NativeDecompressor;
import io.airlift.compress.v3.snappy.SnappyNativeCompressor;
import io.airlift.compress.v3.snappy.SnappyNativeDecompressor;
import io.airlift.compress.v3.zstd.ZstdNativeCompressor;
import io.airlift.compress.v3.zstd.ZstdNativeDecompressor;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A compression algorithm, and every fact about it in one table: the id recorded in each block's header, whether it
 * has a {@link CodecImplementation#JAVA} implementation, and the native library of its
 * {@link CodecImplementation#NATIVE} implementation. Every Java implementation accesses memory through the FFM
 * API alone, bounds- and liveness-checked: LZ4 and Snappy are nebula-memory's own, DEFLATE is the JDK's, and
 * Zstandard has none.
 *
 * <table>
 *   <caption>The codecs</caption>
 *   <tr><th>codec</th><th>id</th><th>{@code JAVA} implementation</th><th>{@code NATIVE} library</th></tr>
 *   <tr><td>{@link #NONE}</td><td>0</td><td>a copy</td><td>none (always the copy)</td></tr>
 *   <tr><td>{@link #LZ4} (default)</td><td>1</td><td>nebula-memory's own, on the FFM API</td><td>liblz4</td></tr>
 *   <tr><td>{@link #ZSTD}</td><td>2</td><td>none: native only</td><td>libzstd, level 3</td></tr>
 *   <tr><td>{@link #SNAPPY}</td><td>3</td><td>nebula-memory's own, on the FFM API</td><td>libsnappy</td></tr>
 *   <tr><td>{@link #DEFLATE}</td><td>4</td><td>the JDK's {@link java.util.zip.Deflater}, raw DEFLATE, level 1
 *       </td><td>libdeflate, level 1</td></tr>
 * </table>
 *
 * <p>A block whose data does not get smaller is stored with {@link #NONE} whatever the chosen codec, so that
 * incompressible data (random bytes, data compressed already) costs its header and a copy, never more.
 */
public enum Codec {
    /** No compression: the payload is the data itself. Also used for any block that a codec does not shrink. */
    NONE(0, "none", true, "", () -> true),
    /**
     * LZ4: fast to compress and decompress, a moderate ratio. The default: what a store of hot data needs is
     * speed, and its Java implementation is nebula-memory's own, on the FFM API alone, so the default needs no flag
     * and prints nothing. That implementation pays a bounds check on every access; for more speed, use the native
     * implementation (liblz4).
     */
    LZ4(1, "LZ4", true, "liblz4", Lz4NativeCompressor::isEnabled),
    /**
     * Zstandard at level 3: a much better ratio than LZ4, slower to compress, fast to decompress. Native only
     * (libzstd): the one Java implementation there is, aircompressor's, reads and writes raw addresses outside the
     * FFM API's checks, so a store
     * or snapshot that asks for it with {@link CodecImplementation#JAVA} fails with
     * {@link CompressionError#CODEC_UNAVAILABLE}.
     */
    ZSTD(2, "Zstandard", false, "libzstd", ZstdNativeCompressor::isEnabled),
    /**
     * Snappy: close to LZ4 in speed and ratio; for data exchanged with systems that speak Snappy. Its Java
     * implementation is nebula-memory's own, on the FFM API alone; its blocks are Snappy's raw format, which
     * libsnappy reads and writes.
     */
    SNAPPY(3, "Snappy", true, "libsnappy", SnappyNativeCompressor::isEnabled),
    /**
     * Raw DEFLATE (RFC 1951) at level 1. Its Java implementation is the JDK's zlib; slower than LZ4, with a better
     * ratio.
     */
    DEFLATE(4, "DEFLATE", true, "libdeflate", DeflateNativeCompressor::isEnabled);

    /** The DEFLATE level of both implementations: the fastest. */
    static final int DEFLATE_LEVEL = 1;
    /** The Zstandard level: libzstd's default, 3. */
    static final int ZSTD_LEVEL = 3;

    private static final List<Codec> BY_ID = List.of(values());

    private final int id;
    private final String displayName;
    private final boolean hasJava;
    private final String nativeLibrary;
    private final BooleanSupplier nativeEnabled;

    Codec(int id, String displayName, boolean hasJava, String nativeLibrary, BooleanSupplier nativeEnabled) {
        this.id = id;
        this.displayName = displayName;
        this.hasJava = hasJava;
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
     * Tells whether the codec has a {@link CodecImplementation#JAVA} implementation, which runs in any JVM with no
     * command-line flag. Each accesses memory through the FFM API alone.
     *
     * @return {@code false} for Zstandard alone, which runs only natively
     */
    public boolean hasJavaImplementation() {
        return hasJava;
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
     * @param source         what the instance is for (a store's configuration, a snapshot), for error messages
     * @return a new instance; close it to free what it holds
     * @throws CompressionException {@link CompressionError#CODEC_UNAVAILABLE} when the native library cannot run,
     *     or for the Java implementation of a codec that has none
     */
    BlockCodec newBlockCodec(CodecImplementation implementation, Object source) {
        if (this == NONE) {
            return new CopyBlockCodec();
        }
        if (implementation == CodecImplementation.NATIVE) {
            if (!isNativeAvailable()) {
                throw nativeUnavailable(source);
            }
            return switch (this) {
                case LZ4 -> FfmBlockCodec.airlift(this, new Lz4NativeCompressor(), new Lz4NativeDecompressor());
                case ZSTD -> FfmBlockCodec.airlift(this, new ZstdNativeCompressor(ZSTD_LEVEL),
                        new ZstdNativeDecompressor());
                case SNAPPY -> FfmBlockCodec.airlift(this, new SnappyNativeCompressor(),
                        new SnappyNativeDecompressor());
                case DEFLATE -> FfmBlockCodec.airlift(this, new DeflateNativeCompressor(DEFLATE_LEVEL),
                        new DeflateNativeDecompressor());
                case NONE -> throw new AssertionError(this);
            };
        }
        return switch (this) {
            case LZ4 -> FfmBlockCodec.lz4();
            case SNAPPY -> FfmBlockCodec.snappy();
            case DEFLATE -> new JdkDeflateBlockCodec(DEFLATE_LEVEL);
            case ZSTD -> throw noJavaImplementation(source);
            case NONE -> throw new AssertionError(this);
        };
    }

    private CompressionException noJavaImplementation(Object source) {
        return new CompressionException(CompressionError.CODEC_UNAVAILABLE, String.valueOf(source), -1,
                displayName + " has no Java implementation (CodecImplementation.JAVA): the only one there is,"
                        + " aircompressor's, reads and writes raw addresses outside the FFM API's bounds and liveness"
                        + " checks, which nebula-memory does not do; "
                        + displayName + " runs only natively, with " + nativeLibrary,
                List.of("Use CodecImplementation.NATIVE (StoreConfig.withImplementation, or the Snapshot methods"
                                + " that take an implementation) and start the JVM with"
                                + " --enable-native-access=ALL-UNNAMED (or the name of the module that holds"
                                + " aircompressor).",
                        "Or choose a codec with a Java implementation: Codec.LZ4 (the default), Codec.SNAPPY or"
                                + " Codec.DEFLATE."),
                null);
    }

    private CompressionException nativeUnavailable(Object source) {
        return new CompressionException(CompressionError.CODEC_UNAVAILABLE, String.valueOf(source),
                -1, "the native " + displayName + " codec (" + nativeLibrary + ") cannot be loaded on "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                        + ", or native library loading is disabled",
                List.of(hasJava ? "Use CodecImplementation.JAVA, which runs everywhere."
                                : displayName + " has no Java implementation: choose Codec.LZ4, Codec.SNAPPY or"
                                        + " Codec.DEFLATE with CodecImplementation.JAVA, which run everywhere.",
                        "aircompressor bundles its libraries for Linux (amd64, aarch64, ppc64le) and macOS (aarch64)"
                                + " only; check that -Dio.airlift.compress.v3.disable-native is not set and that"
                                + " java.io.tmpdir is writable (the library is extracted there)."),
                null);
    }
}
