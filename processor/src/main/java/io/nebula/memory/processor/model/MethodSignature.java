package io.nebula.memory.processor.model;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The signature of a user method or constructor the generated code overrides or mirrors, with every type already
 * resolved to the name the generated source writes (types generated in this round included).
 *
 * @param name the method's name ({@code <init>} for a constructor)
 * @param isPublic whether it is public
 * @param isProtected whether it is protected
 * @param typeVariables its type parameters, with their bounds
 * @param returnType its return type ({@code void} for a constructor)
 * @param parameters its parameters
 * @param varargs whether the last parameter is variable arity
 * @param thrown the exceptions it declares
 */
public record MethodSignature(String name, boolean isPublic, boolean isProtected, List<TypeVariableName> typeVariables,
        TypeName returnType, List<ParameterSpec> parameters, boolean varargs, List<TypeName> thrown) {

    /** Copies the lists. */
    public MethodSignature {
        typeVariables = List.copyOf(typeVariables);
        parameters = List.copyOf(parameters);
        thrown = List.copyOf(thrown);
    }

    /**
     * The parameter names, comma-separated, as the arguments of a call passing them on.
     *
     * @return for example {@code x, y}
     */
    public String arguments() {
        return parameters.stream().map(ParameterSpec::name).collect(Collectors.joining(", "));
    }

    /**
     * Whether the method is variable-arity over a generic element type, so that passing the array on needs
     * {@code @SuppressWarnings("unchecked")}.
     *
     * @return {@code true} for {@code T...} or {@code List<T>...}
     */
    public boolean hasGenericVarargs() {
        if (!varargs || parameters.isEmpty()) {
            return false;
        }
        TypeName element = ((ArrayTypeName) parameters.getLast().type()).componentType();
        return element instanceof TypeVariableName || element instanceof ParameterizedTypeName;
    }
}
