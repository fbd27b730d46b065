package io.nebula.memory.processor.validation;

import io.nebula.memory.processor.model.AllocatorModel;

/** The outcome of resolving one {@code @Allocator} class. */
public sealed interface AllocatorResolution {
    /**
     * The class is valid.
     *
     * @param model the model of the class
     */
    record Valid(AllocatorModel model) implements AllocatorResolution {
    }

    /** The class is invalid; its errors have been reported. */
    record Invalid() implements AllocatorResolution {
    }

    /**
     * The class refers to a type that does not exist yet, typically a struct class the processor generates in
     * this round: retry in the next round.
     *
     * @param where the declaration that refers to it
     * @param type the unresolved type as written
     */
    record Deferred(String where, String type) implements AllocatorResolution {
    }
}
