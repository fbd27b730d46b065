package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.Struct;
import io.nebula.memory.processor.model.GeneratedKind;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.IntersectionType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * What a type says about scoped memory: whether a value of it <em>is</em> native memory (a segment, a struct
 * view, a buffer), whether it can <em>hold</em> any (a container, an object with such fields), or whether it is a
 * plain value that cannot (primitives, strings, records of values, collections of values).
 */
final class ScopedTypes {
    private static final String MEMORY_SEGMENT = "java.lang.foreign.MemorySegment";
    private static final String BUFFER = "java.nio.Buffer";
    private static final Set<String> VALUE_TYPES = Set.of("java.lang.String", "java.lang.Boolean", "java.lang.Byte",
            "java.lang.Character", "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float",
            "java.lang.Double", "java.lang.Void", "java.lang.Number", "java.lang.Class", "java.lang.StringBuilder",
            "java.lang.StringBuffer", "java.lang.CharSequence", "java.math.BigInteger", "java.math.BigDecimal",
            "java.util.UUID");
    /** Types of {@code java.util} that may read their source lazily, so never count as values. */
    private static final Set<String> LAZY_UTIL_TYPES = Set.of("java.util.Iterator", "java.util.ListIterator",
            "java.util.Spliterator", "java.util.PrimitiveIterator", "java.util.Enumeration", "java.util.Scanner");

    private final Elements elements;
    private final Types types;
    private final GeneratedTypes generated;

    ScopedTypes(Elements elements, Types types) {
        this(elements, types, null);
    }

    /** Also recognises struct views generated in this round, still unresolved in user code. */
    ScopedTypes(Elements elements, Types types, GeneratedTypes generated) {
        this.elements = elements;
        this.types = types;
        this.generated = generated;
    }

    /**
     * Whether a value of the type is native memory itself: a {@code MemorySegment}, a struct view or a
     * {@code java.nio.Buffer}.
     */
    boolean isMemory(TypeMirror type) {
        if (type.getKind() == TypeKind.ERROR) {
            return generated != null && generated.resolve(type.toString(), null)
                    .filter(GeneratedTypes.Written::view).isPresent();
        }
        if (type.getKind() != TypeKind.DECLARED) {
            return type.getKind() == TypeKind.TYPEVAR && isMemory(((TypeVariable) type).getUpperBound());
        }
        TypeElement element = (TypeElement) ((DeclaredType) type).asElement();
        return isSubtype(type, MEMORY_SEGMENT) || isSubtype(type, BUFFER) || viewedRecord(element).isPresent();
    }

    /**
     * The record whose generated view a class is: the class's {@code toRecord()} returns a {@code @Struct} record
     * whose view, named by {@link GeneratedKind}, is this very class.
     */
    Optional<TypeElement> viewedRecord(TypeElement candidate) {
        if (candidate.getNestingKind() != NestingKind.MEMBER) {
            return Optional.empty(); // a view is a member class of its struct class
        }
        for (ExecutableElement method : ElementFilter.methodsIn(candidate.getEnclosedElements())) {
            if (!method.getSimpleName().contentEquals("toRecord") || !method.getParameters().isEmpty()
                    || method.getReturnType().getKind() != TypeKind.DECLARED) {
                continue;
            }
            TypeElement record = (TypeElement) ((DeclaredType) method.getReturnType()).asElement();
            if (record.getKind() == ElementKind.RECORD
                    && Annotations.find(record, Struct.class.getCanonicalName()).isPresent()
                    && GeneratedKind.viewOf(GeneratedKind.STRUCT_CLASS.nameFor(ClassName.get(record)))
                            .equals(ClassName.get(candidate))) {
                return Optional.of(record);
            }
        }
        return Optional.empty();
    }

    /** Whether a value of the type cannot reference native memory: it is a plain value, copied out of memory. */
    boolean isValue(TypeMirror type) {
        return isValue(type, new HashSet<>());
    }

    private boolean isValue(TypeMirror type, Set<String> seen) {
        switch (type.getKind()) {
            case BOOLEAN, BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE, VOID, NULL, NONE -> {
                return true;
            }
            case ARRAY -> {
                return isValue(((ArrayType) type).getComponentType(), seen);
            }
            case TYPEVAR -> {
                return isValue(((TypeVariable) type).getUpperBound(), seen);
            }
            case WILDCARD -> {
                TypeMirror bound = ((WildcardType) type).getExtendsBound();
                return bound != null && isValue(bound, seen);
            }
            case INTERSECTION -> {
                return ((IntersectionType) type).getBounds().stream().anyMatch(b -> isValue(b, seen));
            }
            case DECLARED -> {
                return isDeclaredValue((DeclaredType) type, seen);
            }
            default -> {
                return false;
            }
        }
    }

    private boolean isDeclaredValue(DeclaredType type, Set<String> seen) {
        TypeElement element = (TypeElement) type.asElement();
        String name = element.getQualifiedName().toString();
        if (element.getKind() == ElementKind.ENUM || VALUE_TYPES.contains(name) || name.startsWith("java.time.")) {
            return true;
        }
        if (isMemory(type)) {
            return false;
        }
        if (element.getKind() == ElementKind.RECORD) {
            if (!seen.add(name)) {
                return true; // a recursive record: decided by its other components
            }
            for (RecordComponentElement component : element.getRecordComponents()) {
                TypeMirror componentType = types.asMemberOf(type, component.getAccessor()) instanceof
                        javax.lang.model.type.ExecutableType accessor ? accessor.getReturnType() : component.asType();
                if (!isValue(componentType, seen)) {
                    return false;
                }
            }
            return true;
        }
        String pkg = elements.getPackageOf(element).getQualifiedName().toString();
        if (pkg.equals("java.util") && !LAZY_UTIL_TYPES.contains(name)) {
            return type.getTypeArguments().stream().allMatch(argument -> isValue(argument, seen));
        }
        return false;
    }

    /**
     * Whether an object of a class can keep a reference it is given: a record with a component, or a class with an
     * instance field (its own or inherited), that is not a plain value.
     */
    boolean canKeep(TypeMirror type) {
        if (type.getKind() != TypeKind.DECLARED) {
            return !isValue(type);
        }
        if (isValue(type)) {
            return false;
        }
        for (TypeElement c = (TypeElement) ((DeclaredType) type).asElement(); c != null; c = superclass(c)) {
            for (VariableElement field : ElementFilter.fieldsIn(c.getEnclosedElements())) {
                if (!field.getModifiers().contains(Modifier.STATIC) && !isValue(field.asType())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static TypeElement superclass(TypeElement type) {
        TypeMirror superclass = type.getSuperclass();
        return superclass.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) superclass).asElement()
                : null;
    }

    /**
     * Whether the type shows that it can carry native memory: it is memory, or an array, a type argument, a bound or
     * a record component of it is. {@code Object} and other opaque types do not show it.
     */
    boolean mentionsMemory(TypeMirror type) {
        return mentionsMemory(type, new HashSet<>());
    }

    private boolean mentionsMemory(TypeMirror type, Set<String> seen) {
        return switch (type.getKind()) {
            case ARRAY -> mentionsMemory(((ArrayType) type).getComponentType(), seen);
            case TYPEVAR -> mentionsMemory(((TypeVariable) type).getUpperBound(), seen);
            case WILDCARD -> ((WildcardType) type).getExtendsBound() != null
                    && mentionsMemory(((WildcardType) type).getExtendsBound(), seen);
            case INTERSECTION -> ((IntersectionType) type).getBounds().stream().anyMatch(b -> mentionsMemory(b, seen));
            case DECLARED, ERROR -> {
                DeclaredType declared = (DeclaredType) type;
                if (isMemory(type)) {
                    yield true;
                }
                if (!(declared.asElement() instanceof TypeElement element)) {
                    yield false;
                }
                if (declared.getTypeArguments().stream().anyMatch(argument -> mentionsMemory(argument, seen))) {
                    yield true;
                }
                if (element.getKind() == ElementKind.RECORD && seen.add(element.getQualifiedName().toString())) {
                    for (RecordComponentElement component : element.getRecordComponents()) {
                        if (mentionsMemory(component.asType(), seen)) {
                            yield true;
                        }
                    }
                }
                yield false;
            }
            default -> false;
        };
    }

    private boolean isSubtype(TypeMirror type, String name) {
        TypeElement target = elements.getTypeElement(name);
        return target != null && types.isAssignable(types.erasure(type), types.erasure(target.asType()));
    }

    /** A short display name: simple names, with type arguments, such as {@code List<PointStruct.View>}. */
    static String display(TypeMirror type) {
        return switch (type.getKind()) {
            case ERROR -> type.toString(); // as written: the type does not exist yet
            case DECLARED -> {
                DeclaredType declared = (DeclaredType) type;
                StringBuilder name = new StringBuilder(declared.asElement().getSimpleName());
                for (Element e = declared.asElement().getEnclosingElement(); e instanceof TypeElement outer;
                        e = outer.getEnclosingElement()) {
                    name.insert(0, outer.getSimpleName() + ".");
                }
                if (!declared.getTypeArguments().isEmpty()) {
                    name.append(declared.getTypeArguments().stream().map(ScopedTypes::display)
                            .collect(java.util.stream.Collectors.joining(", ", "<", ">")));
                }
                yield name.toString();
            }
            case ARRAY -> display(((ArrayType) type).getComponentType()) + "[]";
            case WILDCARD -> {
                WildcardType wildcard = (WildcardType) type;
                yield wildcard.getExtendsBound() != null ? "? extends " + display(wildcard.getExtendsBound())
                        : wildcard.getSuperBound() != null ? "? super " + display(wildcard.getSuperBound()) : "?";
            }
            default -> type.toString();
        };
    }

    /** The type of a name, or {@code null} when the compilation cannot see it. */
    TypeElement typeElement(String name) {
        return elements.getTypeElement(name);
    }

    /** A noun phrase for a type name: {@code an Optional}, {@code a List}. */
    static String article(String name) {
        if (name.isEmpty()) {
            return "an anonymous class";
        }
        return ("AEIOU".indexOf(Character.toUpperCase(name.charAt(0))) >= 0 ? "an " : "a ") + name;
    }

    /** Whether an element is a local variable, parameter or other variable that lives in a method's frame. */
    static boolean isFrameVariable(Element element) {
        return element != null && switch (element.getKind()) {
            case LOCAL_VARIABLE, PARAMETER, RESOURCE_VARIABLE, EXCEPTION_PARAMETER, BINDING_VARIABLE -> true;
            default -> false;
        };
    }
}
