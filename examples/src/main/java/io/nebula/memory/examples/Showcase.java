package io.nebula.memory.examples;

/** Placeholder replaced below. */
public final class Showcase {
    private Showcase() {
    }

    /**
     * Runs the showcase.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("showcase");
    }
}
