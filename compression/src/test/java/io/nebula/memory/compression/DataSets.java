package io.nebula.memory.compression;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The real data the tests and benchmarks compress, generated deterministically from a seed: English text, an array
 * of 32-byte order records, random bytes and zeros. Public so that the benchmarks (through this module's test jar)
 * measure exactly what the tests check.
 */
public enum DataSets {
    /**
     * English prose: a word Markov chain (each word chosen among those that follow the previous one) trained on
     * {@code allocators.txt}, 6.6 KB written for these tests, so that long texts are not copies of one paragraph.
     * Its vocabulary is small (565 distinct words), so long texts compress somewhat better than varied real
     * prose.
     */
    TEXT,
    /**
     * Order records of 32 bytes, as an application keeps them: {@code long id} (sequential), {@code long
     * timestampMillis} (increasing by a few ms), {@code double price} (cents, 1 to 500), {@code int quantity} (1
     * to 20, mostly small), {@code int status} (one of 4).
     */
    STRUCTS,
    /** Uniformly random bytes: incompressible. */
    RANDOM,
    /** All zeros. */
    ZEROS;

    /** The size of one record of {@link #STRUCTS}. */
    public static final int RECORD_BYTES = 32;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Returns {@code size} bytes of this data set, the same for the same size and seed.
     *
     * @param size bytes
     * @param seed the random seed
     * @return a heap segment over a new {@code byte[]}
     */
    public MemorySegment generate(int size, long seed) {
        byte[] bytes = new byte[size];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        SplittableRandom random = new SplittableRandom(seed);
        switch (this) {
            case TEXT -> {
                byte[] text = Markov.INSTANCE.text(size, random).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(text, 0, bytes, 0, size);
            }
            case STRUCTS -> {
                long timestamp = 1_767_225_600_000L;
                byte[] record = new byte[RECORD_BYTES];
                MemorySegment r = MemorySegment.ofArray(record);
                for (int at = 0, id = 1; at < size; at += RECORD_BYTES, id++) {
                    timestamp += random.nextInt(1, 40);
                    r.set(LONG, 0, id);
                    r.set(LONG, 8, timestamp);
                    r.set(DOUBLE, 16, random.nextInt(100, 50_000) / 100.0);
                    int q = random.nextInt(100) < 70 ? random.nextInt(1, 4) : random.nextInt(4, 21);
                    r.set(INT, 24, q);
                    r.set(INT, 28, random.nextInt(100) < 85 ? 1 : random.nextInt(4));
                    System.arraycopy(record, 0, bytes, at, Math.min(RECORD_BYTES, size - at));
                }
            }
            case RANDOM -> random.nextBytes(bytes);
            case ZEROS -> { }
        }
        return segment;
    }

    /** The text resource, as the tests and benchmarks read it. */
    public static String corpus() {
        try (InputStream in = DataSets.class.getResourceAsStream("allocators.txt")) {
            if (in == null) {
                throw new IllegalStateException("allocators.txt is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A first-order word chain over the corpus. */
    private static final class Markov {
        static final Markov INSTANCE = new Markov(corpus());

        private final List<String> words = new ArrayList<>();
        private final Map<String, List<String>> next = new HashMap<>();

        private Markov(String corpus) {
            for (String w : corpus.split("\\s+")) {
                if (!w.isEmpty()) {
                    words.add(w);
                }
            }
            for (int i = 0; i + 1 < words.size(); i++) {
                next.computeIfAbsent(words.get(i), k -> new ArrayList<>()).add(words.get(i + 1));
            }
        }

        String text(int size, SplittableRandom random) {
            StringBuilder sb = new StringBuilder(size + 64);
            String b = words.get(random.nextInt(words.size() - 1));
            sb.append(b);
            int column = sb.length();
            while (sb.length() < size) {
                List<String> candidates = next.get(b);
                String c;
                if (candidates == null) {
                    int restart = random.nextInt(words.size() - 2);
                    c = words.get(restart);
                } else {
                    c = candidates.get(random.nextInt(candidates.size()));
                }
                if (column + c.length() + 1 > 116) {
                    sb.append('\n');
                    column = 0;
                } else {
                    sb.append(' ');
                    column++;
                }
                sb.append(c);
                column += c.length();
                b = c;
            }
            return sb.toString();
        }
    }
}
