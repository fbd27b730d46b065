package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeVariableName;
import com.palantir.javapoet.WildcardTypeName;
import io.nebula.memory.processor.model.GeneratedKind;
import io.nebula.memory.processor.model.MethodSignature;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;

/**
 * Turns the types of user signatures into the names generated code writes. A type the compiler has not resolved
 * yet, because this processor generates it in this round, is resolved through {@link GeneratedTypes}; any other
 * unresolved type makes the signature unresolved, and its class waits for the next round.
 */
final class Signatures {
    private final GeneratedTypes generated;

    Signatures(GeneratedTypes generated) {
        this.generated = generated;
    }

    /** Whether a type mentions a type the compiler has not resolved. */
    static boolean hasErrors(TypeMirror type) {
        return switch (type.getKind()) {
            case ERROR -> true;
            case ARRAY -> hasErrors(((ArrayType) type).getComponentType());
            case DECLARED -> ((DeclaredType) type).getTypeArguments().stream().anyMatch(Signatures::hasErrors);
            case WILDCARD -> {
                WildcardType wildcard = (WildcardType) type;
                yield wildcard.getExtendsBound() != null && hasErrors(wildcard.getExtendsBound())
                        || wildcard.getSuperBound() != null && hasErrors(wildcard.getSuperBound());
            }
            default -> false;
        };
    }

    /**
     * The name of a type in generated code.
     *
     * @param type the type
     * @param user the class whose source mentions it
     * @return the name, or empty when it mentions a type nobody has generated yet
     */
    Optional<TypeName> type(TypeMirror type, TypeElement user) {
        if (!hasErrors(type)) {
            return Optional.of(TypeName.get(type));
        }
        switch (type.getKind()) {
            case ERROR -> {
                Optional<GeneratedTypes.Written> written = generated.resolve(type.toString(), user);
                if (written.isPresent()) {
                    ClassName name = written.get().claim().name();
                    return Optional.of(written.get().view() ? GeneratedKind.viewOf(name) : name);
                }
                return declared((DeclaredType) type, user);
            }
            case ARRAY -> {
                return type(((ArrayType) type).getComponentType(), user).map(ArrayTypeName::of);
            }
            case DECLARED -> {
                return declared((DeclaredType) type, user);
            }
            case WILDCARD -> {
                WildcardType wildcard = (WildcardType) type;
                if (wildcard.getExtendsBound() != null) {
                    return type(wildcard.getExtendsBound(), user).map(WildcardTypeName::subtypeOf);
                }
                return type(wildcard.getSuperBound(), user).map(WildcardTypeName::supertypeOf);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** A parameterized type whose arguments mention generated types; ECJ reports such a type as an error type. */
    private Optional<TypeName> declared(DeclaredType type, TypeElement user) {
        if (!(type.asElement() instanceof TypeElement element) || element.asType().getKind() == TypeKind.ERROR
                || type.getTypeArguments().isEmpty()) {
            return Optional.empty();
        }
        List<TypeName> arguments = new ArrayList<>();
        for (TypeMirror argument : type.getTypeArguments()) {
            Optional<TypeName> name = type(argument, user);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            arguments.add(name.get());
        }
        return Optional.of(ParameterizedTypeName.get(ClassName.get(element), arguments.toArray(TypeName[]::new)));
    }

    /**
     * The signature of a method or constructor.
     *
     * @param method the method
     * @param user the class declaring it
     * @return the signature, or empty when a type in it is not resolved yet
     */
    Optional<MethodSignature> of(ExecutableElement method, TypeElement user) {
        List<TypeVariableName> typeVariables = new ArrayList<>();
        for (TypeParameterElement parameter : method.getTypeParameters()) {
            Optional<TypeVariableName> variable = typeVariable(parameter, user);
            if (variable.isEmpty()) {
                return Optional.empty();
            }
            typeVariables.add(variable.get());
        }
        Optional<TypeName> returned = type(method.getReturnType(), user);
        if (returned.isEmpty()) {
            return Optional.empty();
        }
        List<ParameterSpec> parameters = new ArrayList<>();
        for (VariableElement parameter : method.getParameters()) {
            Optional<TypeName> type = type(parameter.asType(), user);
            if (type.isEmpty()) {
                return Optional.empty();
            }
            parameters.add(ParameterSpec.builder(type.get(), parameter.getSimpleName().toString()).build());
        }
        List<TypeName> thrown = new ArrayList<>();
        for (TypeMirror exception : method.getThrownTypes()) {
            Optional<TypeName> type = type(exception, user);
            if (type.isEmpty()) {
                return Optional.empty();
            }
            thrown.add(type.get());
        }
        return Optional.of(new MethodSignature(method.getSimpleName().toString(),
                method.getModifiers().contains(Modifier.PUBLIC), method.getModifiers().contains(Modifier.PROTECTED),
                typeVariables, returned.get(), parameters, method.isVarArgs(), thrown));
    }

    /**
     * A type parameter with its bounds.
     *
     * @param parameter the type parameter
     * @param user the class whose source declares it
     * @return the type variable, or empty when a bound is not resolved yet
     */
    Optional<TypeVariableName> typeVariable(TypeParameterElement parameter, TypeElement user) {
        List<TypeName> bounds = new ArrayList<>();
        for (TypeMirror bound : parameter.getBounds()) {
            if (bound.getKind() == TypeKind.DECLARED
                    && ((TypeElement) ((DeclaredType) bound).asElement()).getQualifiedName()
                            .contentEquals("java.lang.Object")) {
                continue;
            }
            Optional<TypeName> name = bound.getKind() == TypeKind.TYPEVAR
                    ? Optional.of(TypeVariableName.get(((TypeVariable) bound).asElement().getSimpleName().toString()))
                    : type(bound, user);
            if (name.isEmpty()) {
                return Optional.empty();
            }
            bounds.add(name.get());
        }
        return Optional.of(TypeVariableName.get(parameter.getSimpleName().toString(), bounds.toArray(TypeName[]::new)));
    }
}
