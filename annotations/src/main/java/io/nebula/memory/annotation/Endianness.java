package io.nebula.memory.annotation;

/**
 * The byte order of the multi-byte fields of a {@link Struct}.
 *
 * <p>Single-byte fields ({@code byte}, {@code boolean}) have no byte order. A nested struct keeps the byte
 * order it declares itself: the order of the enclosing struct does not propagate into it.
 */
public enum Endianness {
    /** The byte order of the platform, {@link java.nio.ByteOrder#nativeOrder()}: the fastest and the default. */
    NATIVE,
    /** Least significant byte first, whatever the platform, as in most file formats and on x86 and AArch64. */
    LITTLE_ENDIAN,
    /** Most significant byte first, whatever the platform, as in network protocol headers. */
    BIG_ENDIAN
}
