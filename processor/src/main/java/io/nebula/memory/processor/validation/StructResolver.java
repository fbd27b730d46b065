package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.annotation.Array;
import io.nebula.memory.annotation.Endianness;
import io.nebula.memory.annotation.Struct;
import io.nebula.memory.processor.diagnostics.ErrorReporter;
import io.nebula.memory.processor.diagnostics.Message;
import io.nebula.memory.processor.model.Field;
import io.nebula.memory.processor.model.FieldType;
import io.nebula.memory.processor.model.GeneratedKind;
import io.nebula.memory.processor.model.LayoutCalculator;
import io.nebula.memory.processor.model.Member;
import io.nebula.memory.processor.model.Names;
import io.nebula.memory.processor.model.Primitive;
import io.nebula.memory.processor.model.StructModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Resolves {@code @Struct} records into {@link StructModel}s, nested structs first, reporting every problem on
 * the element and annotation value at fault. One resolver serves one round: it remembers each struct it has
 * resolved, so a struct nested in several others is validated and reported once.
 *
 * <p>Resolution runs in three passes per record. A component whose type is not resolved yet defers the record
 * to the next round before anything is reported. Nested structs are resolved next, which finds cycles. Only
 * then is the record itself checked, every problem reported, and the layout computed.
 */
public final class StructResolver {
    /** The names of the methods of a generated view; a component cannot take one of them. */
    public static final Set<String> RESERVED_NAMES =
            Set.of("segment", "offset", "moveTo", "moveToElement", "toRecord", "set");

    private static final String STRUCT = Struct.class.getCanonicalName();
    /** The names of the layout's padding members, which a component cannot take. */
    private static final Pattern PADDING_NAME = Pattern.compile(Pattern.quote(Member.Padding.NAME_PREFIX) + "[0-9]+");
    private static final String ARRAY = Array.class.getCanonicalName();

    private final Elements elements;
    private final Types types;
    private final ErrorReporter reporter;
    private final Set<String> invalidInEarlierRounds;
    private final GeneratedTypes generated;
    private final Map<String, Resolution> resolved = new HashMap<>();
    private final List<Frame> stack = new ArrayList<>();
    private final Set<String> cyclic = new HashSet<>();

    /** A record being resolved, and the component whose type is being resolved. */
    private static final class Frame {
        final TypeElement type;
        RecordComponentElement component;

        Frame(TypeElement type) {
            this.type = type;
        }
    }

    /**
     * Creates a resolver for one round.
     *
     * @param elements the element utilities
     * @param types the type utilities
     * @param reporter where errors go
     * @param invalidInEarlierRounds the names of structs found invalid in earlier rounds, whose errors have been
     *     reported already; the resolver adds the structs it finds invalid
     * @param generated where every resolution is recorded, for the allocators that use the structs
     */
    public StructResolver(Elements elements, Types types, ErrorReporter reporter, Set<String> invalidInEarlierRounds,
            GeneratedTypes generated) {
        this.elements = elements;
        this.types = types;
        this.reporter = reporter;
        this.invalidInEarlierRounds = invalidInEarlierRounds;
        this.generated = generated;
    }

    /**
     * Resolves an element annotated with {@code @Struct}.
     *
     * @param element the annotated element
     * @return the outcome; errors, if any, have been reported
     */
    public Resolution resolve(TypeElement element) {
        if (element.getKind() != ElementKind.RECORD) {
            AnnotationMirror struct = Annotations.find(element, STRUCT).orElseThrow();
            reporter.error(Message.STRUCT_NOT_RECORD, element, struct, null,
                    element.getQualifiedName(), kindName(element), element.getSimpleName());
            return new Resolution.Invalid();
        }
        return resolveRecord(element);
    }

    private Resolution resolveRecord(TypeElement type) {
        String name = type.getQualifiedName().toString();
        Resolution known = resolved.get(name);
        if (known != null) {
            return known;
        }
        if (invalidInEarlierRounds.contains(name)) {
            generated.struct(type, new Resolution.Invalid());
            return new Resolution.Invalid();
        }
        Frame frame = new Frame(type);
        stack.add(frame);
        Resolution result;
        try {
            result = resolveComponents(type, frame);
        } finally {
            stack.removeLast();
        }
        if (cyclic.contains(name)) {
            result = new Resolution.Invalid();
        }
        if (result instanceof Resolution.Invalid) {
            invalidInEarlierRounds.add(name);
        }
        resolved.put(name, result);
        generated.struct(type, result);
        return result;
    }

    private Resolution resolveComponents(TypeElement type, Frame frame) {
        List<? extends RecordComponentElement> components = type.getRecordComponents();
        for (RecordComponentElement component : components) {
            TypeMirror element = elementType(component.asType());
            if (element.getKind() == TypeKind.ERROR) {
                return new Resolution.Deferred(type.getSimpleName() + "." + component.getSimpleName(),
                        component.asType().toString());
            }
        }
        for (RecordComponentElement component : components) {
            frame.component = component;
            Optional<TypeElement> nested = structRecord(elementType(component.asType()));
            if (nested.isEmpty()) {
                continue;
            }
            int index = indexOnStack(nested.get());
            if (index >= 0) {
                reportCycle(index);
            } else if (resolveRecord(nested.get()) instanceof Resolution.Deferred deferred) {
                return deferred;
            }
        }
        return validate(type, components);
    }

    private Resolution validate(TypeElement type, List<? extends RecordComponentElement> components) {
        // Reported, but no reason not to generate: the code is right, only javac's lint objects to it.
        generated.reportAuxiliary(GeneratedKind.STRUCT_CLASS, type, Annotations.find(type, STRUCT).orElseThrow(),
                reporter);
        int errorsBefore = reporter.errorCount();
        boolean nestedInvalid = false;
        AnnotationMirror struct = Annotations.find(type, STRUCT).orElseThrow();
        ClassName recordType = ClassName.get(type);
        ClassName generatedType = GeneratedKind.STRUCT_CLASS.nameFor(recordType);

        if (!type.getTypeParameters().isEmpty()) {
            reporter.error(Message.STRUCT_GENERIC, type, type.getQualifiedName(),
                    type.getTypeParameters().stream().map(Object::toString)
                            .collect(Collectors.joining(", ", "<", ">")));
        }
        if (components.isEmpty()) {
            reporter.error(Message.STRUCT_EMPTY, type, type.getQualifiedName(), type.getSimpleName());
        }
        inaccessibility(type).ifPresent(why -> reporter.error(Message.STRUCT_INACCESSIBLE, type,
                type.getQualifiedName(), why, generatedType.simpleName()));

        boolean packed = (Boolean) Annotations.value(struct, "packed").orElse(false);
        Endianness byteOrder = Annotations.value(struct, "byteOrder")
                .map(value -> Endianness.valueOf(((VariableElement) value).getSimpleName().toString()))
                .orElse(Endianness.NATIVE);
        long alignment = ((Number) Annotations.value(struct, "alignment").orElse(Struct.UNSET)).longValue();
        long declaredSize = ((Number) Annotations.value(struct, "size").orElse(Struct.UNSET)).longValue();
        boolean alignmentValid = true;
        if (alignment != Struct.UNSET && (alignment < 1 || Long.bitCount(alignment) != 1)) {
            alignmentValid = false;
            long lower = alignment < 1 ? 1 : Long.highestOneBit(alignment);
            reporter.error(Message.ALIGNMENT_NOT_POWER_OF_TWO, type, struct,
                    Annotations.explicitValue(struct, "alignment").orElse(null), "alignment", alignment, lower,
                    lower * 2);
        }

        List<LayoutCalculator.Input> inputs = new ArrayList<>();
        Map<String, RecordComponentElement> generatedNames = new HashMap<>();
        for (RecordComponentElement component : components) {
            checkName(component, generatedNames);
            Optional<LayoutCalculator.Input> input = field(type, component, packed);
            if (input.isPresent()) {
                inputs.add(input.get());
            } else if (reporter.errorCount() == errorsBefore) {
                nestedInvalid = true;
            }
        }
        if (reporter.errorCount() > errorsBefore || nestedInvalid || components.isEmpty()) {
            return new Resolution.Invalid();
        }

        LayoutCalculator.Result layout;
        try {
            layout = LayoutCalculator.compute(inputs, packed, alignmentValid ? alignment : Struct.UNSET);
        } catch (LayoutCalculator.OverflowException e) {
            RecordComponentElement component = components.stream()
                    .filter(c -> c.getSimpleName().contentEquals(e.field())).findFirst().orElseThrow();
            reporter.error(Message.SIZE_OVERFLOW, component, type.getQualifiedName(), e.field());
            return new Resolution.Invalid();
        }
        if (alignmentValid && alignment != Struct.UNSET && alignment < layout.naturalAlignment()) {
            reporter.error(Message.ALIGNMENT_BELOW_NATURAL, type, struct,
                    Annotations.explicitValue(struct, "alignment").orElse(null), alignment, type.getSimpleName(),
                    layout.naturalAlignment(), layout.naturalAlignmentField());
        }
        if (declaredSize != Struct.UNSET && declaredSize != layout.size()) {
            reporter.error(Message.SIZE_MISMATCH, type, struct,
                    Annotations.explicitValue(struct, "size").orElse(null), declaredSize, type.getSimpleName(),
                    layout.size(), LayoutCalculator.describe(layout.members()) + ", aligned to "
                            + layout.alignment());
        }
        if (reporter.errorCount() > errorsBefore) {
            return new Resolution.Invalid();
        }
        return new Resolution.Valid(new StructModel(type, recordType, generatedType,
                AllocatorResolver.effectivelyPublic(type), packed, byteOrder, layout.members(), layout.size(),
                layout.alignment(), layout.naturalAlignment(), generated.javaLangShadowedIn(recordType.packageName())));
    }

    /** The field of a component, or empty after reporting why not (or silently, for an invalid nested struct). */
    private Optional<LayoutCalculator.Input> field(TypeElement type, RecordComponentElement component,
            boolean packed) {
        TypeMirror declared = component.asType();
        Optional<AnnotationMirror> array = Annotations.find(component, ARRAY);
        String name = component.getSimpleName().toString();
        if (declared.getKind() != TypeKind.ARRAY) {
            if (array.isPresent()) {
                reporter.error(Message.ARRAY_ON_NON_ARRAY, component, array.get(), null, name, declared);
                return Optional.empty();
            }
            return fieldType(type, component, declared, packed)
                    .map(fieldType -> new LayoutCalculator.Input(name, fieldType, Field.SCALAR));
        }
        TypeMirror element = ((ArrayType) declared).getComponentType();
        if (element.getKind() == TypeKind.ARRAY) {
            reporter.error(Message.UNSUPPORTED_TYPE, component, name, declared,
                    " Flatten it into one array of length N * M.");
            return Optional.empty();
        }
        Optional<FieldType> fieldType = fieldType(type, component, element, packed);
        if (array.isEmpty()) {
            reporter.error(Message.ARRAY_WITHOUT_LENGTH, component, name, element, name);
            return Optional.empty();
        }
        Optional<AnnotationValue> lengthValue = Annotations.explicitValue(array.get(), "length");
        if (lengthValue.isEmpty()) {
            return Optional.empty(); // javac reports the missing element value itself
        }
        int length = (Integer) lengthValue.get().getValue();
        if (length < 1) {
            reporter.error(Message.ARRAY_LENGTH_NOT_POSITIVE, component, array.get(), lengthValue.get(), name, length);
            return Optional.empty();
        }
        return fieldType.map(t -> new LayoutCalculator.Input(name, t, length));
    }

    private Optional<FieldType> fieldType(TypeElement type, RecordComponentElement component, TypeMirror mirror,
            boolean packed) {
        if (mirror.getKind().isPrimitive()) {
            return Optional.of(new FieldType.OfPrimitive(Primitive.valueOf(mirror.getKind().name())));
        }
        Optional<TypeElement> nested = structRecord(mirror);
        if (nested.isPresent()) {
            if (!(resolved.get(nested.get().getQualifiedName().toString()) instanceof Resolution.Valid valid)) {
                return Optional.empty(); // invalid or cyclic: its errors are reported on it
            }
            if (packed && valid.model().alignment() > 1) {
                reporter.error(Message.PACKED_NESTED, component, type.getSimpleName(), component.getSimpleName(),
                        nested.get().getSimpleName(), valid.model().alignment());
                return Optional.empty();
            }
            return Optional.of(new FieldType.OfStruct(valid.model()));
        }
        reporter.error(Message.UNSUPPORTED_TYPE, component, component.getSimpleName(), mirror, hint(mirror));
        return Optional.empty();
    }

    private String hint(TypeMirror mirror) {
        if (mirror.getKind() != TypeKind.DECLARED) {
            return "";
        }
        TypeElement type = (TypeElement) ((DeclaredType) mirror).asElement();
        try {
            return " Use the primitive " + types.unboxedType(mirror) + " instead.";
        } catch (IllegalArgumentException notBoxed) {
            // not a boxed primitive: fall through to the other hints
        }
        if (type.getQualifiedName().contentEquals("java.lang.String")) {
            return " For fixed-length text, use @Array(length = N) byte[] (for UTF-8) or char[] (for UTF-16).";
        }
        if (type.getKind() == ElementKind.RECORD) {
            return " Did you mean to annotate " + type.getSimpleName() + " with @Struct to lay it out inline?";
        }
        if (type.getKind() == ElementKind.ENUM) {
            return " Store its ordinal in a byte or an int.";
        }
        TypeElement iterable = elements.getTypeElement("java.lang.Iterable");
        TypeElement map = elements.getTypeElement("java.util.Map");
        if ((iterable != null && types.isAssignable(types.erasure(mirror), types.erasure(iterable.asType())))
                || (map != null && types.isAssignable(types.erasure(mirror), types.erasure(map.asType())))) {
            return " For a collection, use an inline array with @Array(length = N).";
        }
        return "";
    }

    private void checkName(RecordComponentElement component, Map<String, RecordComponentElement> generatedNames) {
        String name = component.getSimpleName().toString();
        if (RESERVED_NAMES.contains(name)) {
            reporter.error(Message.RESERVED_NAME, component, name, name);
            return;
        }
        if (PADDING_NAME.matcher(name).matches()) {
            reporter.error(Message.RESERVED_PADDING_NAME, component, name, Member.Padding.NAME_PREFIX);
            return;
        }
        String generated = Names.offsetConstant(name);
        RecordComponentElement other = generatedNames.putIfAbsent(generated, component);
        if (other != null) {
            reporter.error(Message.NAME_CLASH, component, name, other.getSimpleName(), generated);
        }
    }

    private void reportCycle(int start) {
        List<Frame> cycle = stack.subList(start, stack.size());
        for (int i = 0; i < cycle.size(); i++) {
            StringBuilder path = new StringBuilder();
            for (int j = 0; j < cycle.size(); j++) {
                Frame frame = cycle.get((i + j) % cycle.size());
                path.append(frame.type.getSimpleName()).append('.').append(frame.component.getSimpleName())
                        .append(" -> ");
            }
            Frame frame = cycle.get(i);
            path.append(frame.type.getSimpleName());
            reporter.error(Message.STRUCT_CYCLE, frame.component, frame.type.getSimpleName(), path);
            cyclic.add(frame.type.getQualifiedName().toString());
        }
    }

    private int indexOnStack(TypeElement type) {
        for (int i = 0; i < stack.size(); i++) {
            if (stack.get(i).type.getQualifiedName().contentEquals(type.getQualifiedName())) {
                return i;
            }
        }
        return -1;
    }

    /** The record behind a type, if it is a record annotated with {@code @Struct}. */
    private static Optional<TypeElement> structRecord(TypeMirror mirror) {
        if (mirror.getKind() != TypeKind.DECLARED) {
            return Optional.empty();
        }
        TypeElement type = (TypeElement) ((DeclaredType) mirror).asElement();
        if (type.getKind() == ElementKind.RECORD && Annotations.find(type, STRUCT).isPresent()) {
            return Optional.of(type);
        }
        return Optional.empty();
    }

    private static TypeMirror elementType(TypeMirror mirror) {
        TypeMirror element = mirror;
        while (element.getKind() == TypeKind.ARRAY) {
            element = ((ArrayType) element).getComponentType();
        }
        return element;
    }

    private static Optional<String> inaccessibility(TypeElement type) {
        if (type.getNestingKind() == NestingKind.LOCAL) {
            return Optional.of("local to a method");
        }
        for (Element e = type; e instanceof TypeElement t; e = t.getEnclosingElement()) {
            if (t.getModifiers().contains(Modifier.PRIVATE)) {
                return Optional.of(t == type ? "private" : "nested in the private " + t.getSimpleName());
            }
        }
        return Optional.empty();
    }

    private static String kindName(Element element) {
        return switch (element.getKind()) {
            case INTERFACE -> "an interface";
            case ENUM -> "an enum";
            case ANNOTATION_TYPE -> "an annotation type";
            default -> "a " + element.getKind().name().toLowerCase(Locale.ROOT);
        };
    }
}
