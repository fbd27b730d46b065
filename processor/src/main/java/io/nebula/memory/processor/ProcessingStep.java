package io.nebula.memory.processor;

import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * The processing of one family of annotations, run by {@link NebulaProcessor} once per round.
 *
 * <p>A step reports every problem itself and never throws for bad input. When an element refers to a type
 * that does not exist yet (one another processor may generate in this round), the step returns the type
 * declaring it, and the processor hands that type's annotated elements back in the next round.
 */
public interface ProcessingStep {
    /**
     * The canonical names of the annotations this step processes.
     *
     * @return the annotation names
     */
    Set<String> annotations();

    /**
     * Processes the elements annotated in this round, plus those deferred from the previous round.
     *
     * @param elementsByAnnotation the annotated elements, by canonical annotation name
     * @return the types to process again in the next round, because they refer to unresolved types
     */
    Set<TypeElement> process(Map<String, Set<Element>> elementsByAnnotation);

    /**
     * Reports, after the last round, why a type deferred until then could not be processed.
     *
     * @param type a type returned by {@link #process} in the last round that processed anything
     */
    void reportUnprocessed(TypeElement type);
}
