package io.nebula.memory.processor.validation;

import java.util.HashMap;
import java.util.Map;
import javax.lang.model.element.Element;

/**
 * The values of the local variables at a point of {@link ScopeEscapeAnalysis}; {@code null} stands for a point
 * that cannot be reached.
 */
final class FlowState {
    final Map<Element, FlowValue> variables;

    FlowState(Map<Element, FlowValue> variables) {
        this.variables = variables;
    }

    FlowState copy() {
        return new FlowState(new HashMap<>(variables));
    }

    static FlowState join(FlowState a, FlowState b) {
        if (a == null) {
            return b == null ? null : b.copy();
        }
        if (b == null) {
            return a.copy();
        }
        FlowState result = a.copy();
        b.variables.forEach((variable, value) -> result.variables.merge(variable, value, FlowValue::join));
        return result;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FlowState state && state.variables.equals(variables);
    }

    @Override
    public int hashCode() {
        return variables.hashCode();
    }
}
