package io.nebula.memory.processor.validation;

import io.nebula.memory.processor.model.StructModel;

/** The outcome of resolving one struct record. */
public sealed interface Resolution {
    /**
     * The struct is valid.
     *
     * @param model the model of the struct
     */
    record Valid(StructModel model) implements Resolution {
    }

    /** The struct is invalid; its errors have been reported. */
    record Invalid() implements Resolution {
    }

    /**
     * The struct refers to a type that does not exist yet, perhaps one another processor generates in this
     * round: retry in the next round.
     *
     * @param component the component whose type is unresolved, as {@code Record.component}
     * @param type the unresolved type as written
     */
    record Deferred(String component, String type) implements Resolution {
    }
}
