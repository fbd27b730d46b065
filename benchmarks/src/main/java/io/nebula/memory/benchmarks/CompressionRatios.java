package io.nebula.memory.benchmarks;

import io.nebula.memory.compression.Codec;
import io.nebula.memory.compression.CodecImplementation;
import io.nebula.memory.compression.CompressedStore;
import io.nebula.memory.compression.DataSets;
import io.nebula.memory.compression.StoreConfig;
import io.nebula.memory.compression.StoreStatistics;

/**
 * Prints the compression ratio of the store for every codec, data set and size that {@link CompressionBenchmark}
 * measures, and a few more: data bytes per stored byte, the 24-byte header included. Zstandard runs natively (it has
 * no Java implementation; both implementations of the others write the same format, and LZ4's and Snappy's write the
 * same bytes as aircompressor's). Sizes are exact, so this is a program, not a benchmark: {@code java
 * --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.nebula.memory.benchmarks.CompressionRatios}.
 */
public final class CompressionRatios {

    private static final int[] SIZES = {4096, 65536, 1 << 20};

    private CompressionRatios() {
    }

    /**
     * Prints the table, in Markdown.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        StringBuilder header = new StringBuilder("| data set | size |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (Codec codec : Codec.values()) {
            if (codec != Codec.NONE) {
                header.append(' ').append(codec).append(" |");
                rule.append("---:|");
            }
        }
        System.out.println(header);
        System.out.println(rule);
        for (DataSets data : DataSets.values()) {
            for (int size : SIZES) {
                StringBuilder row = new StringBuilder("| " + data.name().toLowerCase() + " | " + label(size) + " |");
                for (Codec codec : Codec.values()) {
                    if (codec == Codec.NONE) {
                        continue;
                    }
                    StoreConfig config = StoreConfig.defaults().withCodec(codec).withImplementation(
                            codec.hasJavaImplementation() ? CodecImplementation.JAVA : CodecImplementation.NATIVE);
                    try (CompressedStore store = CompressedStore.create(config)) {
                        store.put(data.generate(size, 42));
                        StoreStatistics stats = store.statistics();
                        row.append(String.format(" %.2f |", stats.ratio()));
                    }
                }
                System.out.println(row);
            }
        }
    }

    private static String label(int size) {
        return size >= 1 << 20 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
    }
}
