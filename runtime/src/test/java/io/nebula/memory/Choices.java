package io.nebula.memory;

import java.util.SplittableRandom;

/**
 * Where a model-based test takes its decisions from: a seeded random generator for the model tests, or the bytes of
 * a fuzzer's input for the fuzz targets, which then drive the same models. The methods are those of
 * {@link SplittableRandom} the models use, with its contracts (bounds exclusive).
 */
public interface Choices {

    /**
     * Returns a value in {@code [0, bound)}.
     *
     * @param bound the exclusive upper bound, positive
     * @return the value
     */
    int nextInt(int bound);

    /**
     * Returns a value in {@code [origin, bound)}.
     *
     * @param origin the least value
     * @param bound  the exclusive upper bound, above {@code origin}
     * @return the value
     */
    int nextInt(int origin, int bound);

    /**
     * Returns a value in {@code [origin, bound)}.
     *
     * @param origin the least value
     * @param bound  the exclusive upper bound, above {@code origin}
     * @return the value
     */
    long nextLong(long origin, long bound);

    /**
     * Returns a value in {@code [0, bound)}.
     *
     * @param bound the exclusive upper bound, positive
     * @return the value
     */
    default long nextLong(long bound) {
        return nextLong(0, bound);
    }

    /**
     * Returns any value.
     *
     * @return the value
     */
    long nextLong();

    /**
     * Returns any value.
     *
     * @return the value
     */
    int nextInt();

    /**
     * Returns {@code true} or {@code false}.
     *
     * @return the value
     */
    boolean nextBoolean();

    /**
     * The system property of the long mode: every model-based run makes this many times its usual operations,
     * {@value}. The usual runs of each allocator add up to 1.5 to 1.7 million operations, so
     * {@code -Dnebula.model.scale=7} (what CI runs) gives each allocator more than 10^7.
     */
    String SCALE = "nebula.model.scale";

    /**
     * Returns how many operations a model-based run makes: {@code usual} times the long mode's scale (1 by default).
     *
     * @param usual the count of the normal build
     * @return the count to run
     */
    static int operations(int usual) {
        return Math.multiplyExact(usual, Integer.getInteger(SCALE, 1));
    }

    /**
     * Choices from a random generator seeded with {@code seed}: the same seed, the same choices.
     *
     * @param seed the seed
     * @return the choices
     */
    static Choices seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new Choices() {
            @Override
            public int nextInt(int bound) {
                return random.nextInt(bound);
            }

            @Override
            public int nextInt(int origin, int bound) {
                return random.nextInt(origin, bound);
            }

            @Override
            public long nextLong(long origin, long bound) {
                return random.nextLong(origin, bound);
            }

            @Override
            public long nextLong() {
                return random.nextLong();
            }

            @Override
            public int nextInt() {
                return random.nextInt();
            }

            @Override
            public boolean nextBoolean() {
                return random.nextBoolean();
            }
        };
    }
}
