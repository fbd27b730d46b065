package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeVariableName;
import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.annotation.MemoryScope;
import io.nebula.memory.processor.diagnostics.ErrorReporter;
import io.nebula.memory.processor.diagnostics.Message;
import io.nebula.memory.processor.model.AllocMethod;
import io.nebula.memory.processor.model.AllocMethod.Allocation;
import io.nebula.memory.processor.model.AllocMethod.Initialiser;
import io.nebula.memory.processor.model.AllocatorModel;
import io.nebula.memory.processor.model.GeneratedKind;
import io.nebula.memory.processor.model.RuntimeTypes;
import io.nebula.memory.processor.model.MethodSignature;
import io.nebula.memory.processor.model.StructRef;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Resolves {@code @Allocator} classes, with their {@code @Alloc} and {@code @MemoryScope} methods, into
 * {@link AllocatorModel}s, reporting every problem on the element and annotation value at fault.
 *
 * <p>Resolution runs in two passes. First the types the class refers to: a struct of this compilation is read
 * from its model through {@link GeneratedTypes} (so the class generates in the round its structs do, even while
 * their classes do not exist yet), an invalid struct makes the class invalid without a word (the struct's own error
 * says why), and a type nobody has generated yet defers the class to the next round. Then every rule is checked and
 * every problem reported; the class is valid only if none was. The lifetime check of its scopes reports without
 * invalidating it.
 */
public final class AllocatorResolver {
    private static final String ALLOCATOR = Allocator.class.getCanonicalName();
    private static final String ALLOC = Alloc.class.getCanonicalName();
    private static final String MEMORY_SCOPE = MemoryScope.class.getCanonicalName();
    private static final String MEMORY_SEGMENT = "java.lang.foreign.MemorySegment";
    /** The default alignment of blocks given by size. */
    private static final long DEFAULT_BLOCK_ALIGNMENT = 8;

    private final Elements elements;
    private final Types types;
    private final ErrorReporter reporter;
    private final StructRefs structs;
    private final ScopeEscapeCheck escapes;
    private final Signatures signatures;
    private final GeneratedTypes generated;

    /**
     * Creates a resolver.
     *
     * @param elements the element utilities
     * @param types the type utilities
     * @param reporter where errors go
     * @param escapes the lifetime check of scoped methods
     * @param generated the types this compilation generates
     */
    public AllocatorResolver(Elements elements, Types types, ErrorReporter reporter, ScopeEscapeCheck escapes,
            GeneratedTypes generated) {
        this.elements = elements;
        this.types = types;
        this.reporter = reporter;
        this.structs = new StructRefs(elements, new ScopedTypes(elements, types), generated);
        this.escapes = escapes;
        this.signatures = new Signatures(generated);
        this.generated = generated;
    }

    /**
     * Resolves a type annotated with {@code @Allocator}.
     *
     * @param type the annotated type
     * @return the outcome; errors, if any, have been reported
     */
    public AllocatorResolution resolve(TypeElement type) {
        AnnotationMirror annotation = Annotations.find(type, ALLOCATOR).orElseThrow();
        if (type.getKind() != ElementKind.CLASS) {
            reporter.error(Message.ALLOCATOR_NOT_CLASS, type, annotation, null, type.getQualifiedName(),
                    kindName(type));
            return new AllocatorResolution.Invalid();
        }
        generated.reportAuxiliary(GeneratedKind.ALLOCATOR_SUBCLASS, type, annotation, reporter);
        generated.register(GeneratedKind.ALLOCATOR_SUBCLASS, type);
        Optional<AllocatorResolution> unresolved = unresolved(type, annotation);
        if (unresolved.isPresent()) {
            return unresolved.get();
        }
        return new Validation(type, annotation).run();
    }

    // ------------------------------------------------------------------------------------------------ deferral

    /**
     * What the class refers to that is not ready: a type nobody has generated yet (wait a round), or a struct that
     * is invalid (whose own errors say why, so this class reports nothing more and is skipped).
     */
    private Optional<AllocatorResolution> unresolved(TypeElement type, AnnotationMirror annotation) {
        Optional<AllocatorResolution> block = unresolvedStruct(type.getSimpleName() + " @Allocator(block)",
                Annotations.explicitValue(annotation, "block"));
        if (block.isPresent()) {
            return block;
        }
        for (ExecutableElement constructor : ElementFilter.constructorsIn(type.getEnclosedElements())) {
            if (!constructor.getModifiers().contains(Modifier.PRIVATE)
                    && signatures.of(constructor, type).isEmpty()) {
                return Optional.of(new AllocatorResolution.Deferred(type.getSimpleName() + "(...)",
                        firstError(constructor)));
            }
        }
        for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
            boolean alloc = Annotations.find(method, ALLOC).isPresent();
            if (!alloc && Annotations.find(method, MEMORY_SCOPE).isEmpty()) {
                continue;
            }
            String where = type.getSimpleName() + "." + method.getSimpleName() + "()";
            if (signatures.of(method, type).isEmpty()) {
                return Optional.of(new AllocatorResolution.Deferred(where, firstError(method)));
            }
            if (alloc) {
                Optional<TypeElement> record = structs.recordOfView(method.getReturnType(), type);
                if (record.isPresent()) {
                    switch (structs.ofRecord(record.get())) {
                        case StructRefs.Lookup.Broken b -> {
                            return Optional.of(new AllocatorResolution.Invalid());
                        }
                        case StructRefs.Lookup.Pending p -> {
                            return Optional.of(new AllocatorResolution.Deferred(where,
                                    method.getReturnType().toString()));
                        }
                        case StructRefs.Lookup.Found f -> {
                        }
                    }
                }
                Optional<AllocatorResolution> struct = unresolvedStruct(where,
                        Annotations.explicitValue(Annotations.find(method, ALLOC).orElseThrow(), "struct"));
                if (struct.isPresent()) {
                    return struct;
                }
            }
        }
        return Optional.empty();
    }

    private static String firstError(ExecutableElement method) {
        List<TypeMirror> mentioned = new ArrayList<>();
        mentioned.add(method.getReturnType());
        method.getParameters().forEach(p -> mentioned.add(p.asType()));
        mentioned.addAll(method.getThrownTypes());
        method.getTypeParameters().forEach(p -> mentioned.addAll(p.getBounds()));
        return mentioned.stream().filter(Signatures::hasErrors).map(TypeMirror::toString).findFirst()
                .orElse("a type");
    }

    private Optional<AllocatorResolution> unresolvedStruct(String where, Optional<AnnotationValue> value) {
        if (value.isEmpty() || !(value.get().getValue() instanceof TypeMirror mirror)) {
            return Optional.empty(); // not given, or not a class literal: javac reports the latter itself
        }
        if (mirror.getKind() == TypeKind.ERROR) {
            return Optional.of(new AllocatorResolution.Deferred(where, mirror.toString()));
        }
        if (mirror.getKind() == TypeKind.DECLARED
                && ((DeclaredType) mirror).asElement() instanceof TypeElement record && StructRefs.isStruct(record)) {
            return switch (structs.ofRecord(record)) {
                case StructRefs.Lookup.Broken b -> Optional.of(new AllocatorResolution.Invalid());
                case StructRefs.Lookup.Pending p -> Optional.of(new AllocatorResolution.Deferred(where,
                        record.getSimpleName() + "'s struct class"));
                case StructRefs.Lookup.Found f -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------------------------------------- validation

    /** The validation of one class. */
    private final class Validation {
        private final TypeElement type;
        private final AnnotationMirror annotation;
        private final int errorsBefore;
        private AllocatorKind kind;

        Validation(TypeElement type, AnnotationMirror annotation) {
            this.type = type;
            this.annotation = annotation;
            this.errorsBefore = reporter.errorCount();
        }

        AllocatorResolution run() {
            ClassName generatedType = GeneratedKind.ALLOCATOR_SUBCLASS.nameFor(ClassName.get(type));
            if (type.getModifiers().contains(Modifier.FINAL)) {
                reporter.error(Message.ALLOCATOR_FINAL, type, annotation, null, type.getQualifiedName());
            }
            Optional<String> inaccessible = inaccessibility();
            inaccessible.ifPresent(why -> reporter.error(Message.ALLOCATOR_INACCESSIBLE, type, annotation,
                    null, type.getQualifiedName(), why));
            List<ExecutableElement> constructors = ElementFilter.constructorsIn(type.getEnclosedElements()).stream()
                    .filter(c -> !c.getModifiers().contains(Modifier.PRIVATE)).toList();
            // A private class's implicit constructor is private too: that follows from the first error.
            if (constructors.isEmpty() && inaccessible.isEmpty()) {
                reporter.error(Message.ALLOCATOR_NO_CONSTRUCTOR, type, annotation, null, type.getQualifiedName());
            }
            Optional<AnnotationValue> kindValue = Annotations.explicitValue(annotation, "kind");
            if (kindValue.isEmpty() || !(kindValue.get().getValue() instanceof VariableElement constant)) {
                return new AllocatorResolution.Invalid(); // javac reports the missing kind itself
            }
            kind = AllocatorKind.valueOf(constant.getSimpleName().toString());
            for (ClassName runtime : runtimeClasses()) {
                if (elements.getTypeElement(runtime.canonicalName()) == null) {
                    reporter.error(Message.RUNTIME_MISSING, type, annotation, null, runtime.canonicalName());
                    return new AllocatorResolution.Invalid();
                }
            }
            factoryClashes(constructors);
            Optional<AllocatorModel.Settings> settings = settings();
            boolean implementsAccessor = accessor(generatedType);
            Optional<ExecutableElement> superClose = superClose(generatedType);
            abstractMethods();
            List<ExecutableElement> scopes = new ArrayList<>();
            List<AllocMethod> allocs = new ArrayList<>();
            for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
                Annotations.find(method, MEMORY_SCOPE).ifPresent(scope -> {
                    if (scope(method, scope)) {
                        scopes.add(method);
                    }
                });
                Optional<AnnotationMirror> alloc = Annotations.find(method, ALLOC);
                if (alloc.isPresent() && settings.isPresent() && Annotations.find(method, MEMORY_SCOPE).isEmpty()) {
                    alloc(method, alloc.get(), settings.get()).ifPresent(allocs::add);
                }
            }
            if (reporter.errorCount() > errorsBefore || settings.isEmpty()) {
                return new AllocatorResolution.Invalid();
            }
            for (ExecutableElement scope : scopes) {
                escapes.check(type, scope); // its findings leave the class valid: the subclass does not depend on them
            }
            List<TypeVariableName> typeVariables = type.getTypeParameters().stream()
                    .map(p -> signatures.typeVariable(p, type).orElseThrow()).toList();
            return new AllocatorResolution.Valid(new AllocatorModel(type, ClassName.get(type), typeVariables,
                    generatedType, effectivelyPublic(type), settings.get(),
                    constructors.stream().map(this::methodSignature).toList(), allocs,
                    scopes.stream().map(this::methodSignature).toList(), implementsAccessor,
                    superClose.map(close -> methodSignature(close).thrown()), allocatorFactory(),
                    generated.javaLangShadowedIn(generatedType.packageName())));
        }

        /**
         * A struct to name in an example: one the class already uses (its pool block, or the view an {@code @Alloc}
         * method returns), or {@code Point} when it uses none.
         */
        private String structHint() {
            Optional<AnnotationValue> block = Annotations.explicitValue(annotation, "block");
            if (block.isPresent() && block.get().getValue() instanceof DeclaredType declared) {
                return declared.asElement().getSimpleName().toString();
            }
            for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
                Optional<TypeElement> record = structs.recordOfView(method.getReturnType(), type);
                if (record.isPresent()) {
                    return record.get().getSimpleName().toString();
                }
            }
            return "Point";
        }

        /**
         * Reports a method of the class hierarchy that the static factory {@code create(...)} of a constructor would
         * hide or clash with: a method named {@code create} with the constructor's parameter types.
         */
        private void factoryClashes(List<ExecutableElement> constructors) {
            for (ExecutableElement method : ElementFilter.methodsIn(elements.getAllMembers(type))) {
                if (!method.getSimpleName().contentEquals("create")
                        || method.getModifiers().contains(Modifier.PRIVATE)) {
                    continue;
                }
                for (ExecutableElement constructor : constructors) {
                    if (sameErasures(method.getParameters(), constructor.getParameters())) {
                        reporter.error(Message.MEMBER_NAME_CLASH, owned(method), type.getSimpleName(),
                                signature(method), "its static factory " + signature(constructor).replaceFirst(
                                        "^<init>", "create") + " for the constructor with these parameters");
                        return;
                    }
                }
            }
        }

        private boolean sameErasures(List<? extends VariableElement> a, List<? extends VariableElement> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!types.isSameType(types.erasure(a.get(i).asType()), types.erasure(b.get(i).asType()))) {
                    return false;
                }
            }
            return true;
        }

        /** The signature of a method whose types deferral has checked. */
        private MethodSignature methodSignature(ExecutableElement method) {
            return signatures.of(method, type).orElseThrow();
        }

        /** A name for the subclass's allocator factory that no member of the class hierarchy has. */
        private String allocatorFactory() {
            String name = "newAllocator";
            while (hasMember(name)) {
                name = name + "_";
            }
            return name;
        }

        private boolean hasMember(String name) {
            return elements.getAllMembers(type).stream().anyMatch(m -> m.getSimpleName().contentEquals(name));
        }

        private List<ClassName> runtimeClasses() {
            return RuntimeTypes.requiredBy(kind);
        }

        // ------------------------------------------------------------------------------------------ settings

        private Optional<AllocatorModel.Settings> settings() {
            int before = reporter.errorCount();
            long size = 0;
            long blockSize = 0;
            long blockAlignment = 0;
            int blockCount = 0;
            Optional<StructRef> block = Optional.empty();
            Set<AllocatorKind> bumpAndStack = EnumSet.of(AllocatorKind.BUMP, AllocatorKind.STACK);
            Set<AllocatorKind> pool = EnumSet.of(AllocatorKind.POOL);
            Set<AllocatorKind> every = EnumSet.allOf(AllocatorKind.class);
            for (String parameter : List.of("size", "blockSize", "blockAlignment", "block", "blockCount",
                    "threadSafe", "checked")) {
                Set<AllocatorKind> users = switch (parameter) {
                    case "size" -> bumpAndStack;
                    case "threadSafe", "checked" -> every;
                    default -> pool;
                };
                Optional<AnnotationValue> value = Annotations.explicitValue(annotation, parameter);
                if (value.isPresent() && !users.contains(kind)) {
                    reporter.error(Message.ALLOCATOR_PARAMETER_UNUSED, type, annotation, value.get(), parameter,
                            kind, users.stream().map(Enum::name).collect(Collectors.joining(" and ")));
                }
            }
            if (kind == AllocatorKind.POOL) {
                Optional<AnnotationValue> blockValue = Annotations.explicitValue(annotation, "block");
                Optional<AnnotationValue> sizeValue = Annotations.explicitValue(annotation, "blockSize");
                Optional<AnnotationValue> alignmentValue = Annotations.explicitValue(annotation, "blockAlignment");
                if (blockValue.isPresent()) {
                    block = struct(type, annotation, blockValue.get(), "block");
                    block.ifPresent(struct -> {
                        if (sizeValue.isPresent()) {
                            reporter.error(Message.ALLOCATOR_PARAMETER_CONFLICT, type, annotation, sizeValue.get(),
                                    "block", "blockSize");
                        }
                        if (alignmentValue.isPresent()) {
                            reporter.error(Message.ALLOCATOR_PARAMETER_CONFLICT, type, annotation,
                                    alignmentValue.get(), "block", "blockAlignment");
                        }
                    });
                    blockSize = block.map(StructRef::size).orElse(0L);
                    blockAlignment = block.map(StructRef::alignment).orElse(0L);
                } else if (sizeValue.isPresent()) {
                    blockSize = positive(sizeValue.get(), "blockSize");
                    blockAlignment = alignmentValue.map(v -> alignment(v, "blockAlignment"))
                            .orElse(DEFAULT_BLOCK_ALIGNMENT);
                } else {
                    reporter.error(Message.ALLOCATOR_PARAMETER_MISSING, type, annotation, null, kind,
                            "blockSize or block, and blockCount",
                            "@Allocator(kind = AllocatorKind.POOL, block = " + structHint() + ".class, blockCount"
                                    + " = 1024)");
                }
                Optional<AnnotationValue> countValue = Annotations.explicitValue(annotation, "blockCount");
                if (countValue.isPresent()) {
                    blockCount = (int) positive(countValue.get(), "blockCount");
                } else if (blockValue.isPresent() || sizeValue.isPresent()) {
                    reporter.error(Message.ALLOCATOR_PARAMETER_MISSING, type, annotation, null, kind, "blockCount",
                            "@Allocator(kind = AllocatorKind.POOL, blockSize = 64, blockCount = 1024)");
                }
            } else {
                Optional<AnnotationValue> sizeValue = Annotations.explicitValue(annotation, "size");
                if (sizeValue.isPresent()) {
                    size = positive(sizeValue.get(), "size");
                } else {
                    reporter.error(Message.ALLOCATOR_PARAMETER_MISSING, type, annotation, null, kind,
                            "size, its capacity in bytes",
                            "@Allocator(kind = AllocatorKind." + kind + ", size = 4096)");
                }
            }
            OptionalInt fillPattern = OptionalInt.empty();
            Optional<AnnotationValue> fillValue = Annotations.explicitValue(annotation, "fillPattern");
            if (fillValue.isPresent()) {
                int pattern = (Integer) fillValue.get().getValue();
                if (pattern < Byte.MIN_VALUE || pattern > 0xFF) {
                    reporter.error(Message.FILL_PATTERN_RANGE, type, annotation, fillValue.get(), pattern);
                } else {
                    fillPattern = OptionalInt.of(pattern);
                }
            }
            if (reporter.errorCount() > before) {
                return Optional.empty();
            }
            return Optional.of(new AllocatorModel.Settings(kind, size, blockSize, blockAlignment, block, blockCount,
                    flag("threadSafe"), flag("trackStats"), fillPattern, flag("checked")));
        }

        private boolean flag(String name) {
            return (Boolean) Annotations.value(annotation, name).orElse(false);
        }

        private long positive(AnnotationValue value, String name) {
            long number = ((Number) value.getValue()).longValue();
            if (number < 1) {
                reporter.error(Message.SIZE_NOT_POSITIVE, type, annotation, value, name, number);
            }
            return number;
        }

        private long alignment(AnnotationValue value, String name) {
            long alignment = ((Number) value.getValue()).longValue();
            if (alignment < 1 || Long.bitCount(alignment) != 1) {
                long lower = alignment < 1 ? 1 : Long.highestOneBit(alignment);
                reporter.error(Message.ALIGNMENT_NOT_POWER_OF_TWO, type, annotation, value, name, alignment, lower,
                        lower * 2);
            }
            return alignment;
        }

        /** The struct a class value names, or empty after reporting that it is not one. */
        private Optional<StructRef> struct(Element element, AnnotationMirror mirror, AnnotationValue value,
                String name) {
            TypeMirror named = (TypeMirror) value.getValue();
            if (named.getKind() == TypeKind.DECLARED && ((DeclaredType) named).asElement() instanceof TypeElement record
                    && StructRefs.isStruct(record)) {
                return structs.ofRecord(record) instanceof StructRefs.Lookup.Found(StructRef struct)
                        ? Optional.of(struct) : Optional.empty(); // found: deferral waited for it
            }
            reporter.error(Message.NOT_A_STRUCT, element, mirror, value, name, named);
            return Optional.empty();
        }

        // ----------------------------------------------------------------------------------- class structure

        private Optional<String> inaccessibility() {
            if (type.getNestingKind() == NestingKind.LOCAL) {
                return Optional.of("local to a method");
            }
            if (type.getNestingKind() == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)
                    && type.getEnclosingElement().getKind() == ElementKind.CLASS) {
                return Optional.of("an inner class (it needs an enclosing instance)");
            }
            for (Element e = type; e instanceof TypeElement t; e = t.getEnclosingElement()) {
                if (t.getModifiers().contains(Modifier.PRIVATE)) {
                    return Optional.of(t == type ? "private" : "nested in the private " + t.getSimpleName());
                }
            }
            return Optional.empty();
        }

        /** Whether the class declares an abstract {@code allocator()} to implement; reports one it cannot. */
        private boolean accessor(ClassName generatedType) {
            TypeMirror allocatorType = elements.getTypeElement(RuntimeTypes.allocatorClass(kind).canonicalName())
                    .asType();
            boolean implementsAccessor = false;
            for (ExecutableElement method : ElementFilter.methodsIn(elements.getAllMembers(type))) {
                if (!method.getSimpleName().contentEquals("allocator") || !method.getParameters().isEmpty()) {
                    continue;
                }
                Set<Modifier> modifiers = method.getModifiers();
                if (modifiers.contains(Modifier.ABSTRACT) && !modifiers.contains(Modifier.PRIVATE)
                        && method.getTypeParameters().isEmpty()
                        && types.isAssignable(allocatorType, method.getReturnType())) {
                    implementsAccessor = true;
                } else {
                    reporter.error(Message.ALLOCATOR_ACCESSOR, owned(method), type.getSimpleName(),
                            generatedType.simpleName(), RuntimeTypes.allocatorClass(kind).simpleName());
                }
            }
            return implementsAccessor;
        }

        /** The concrete {@code close()} to call from the generated one, if any; reports a final one. */
        private Optional<ExecutableElement> superClose(ClassName generatedType) {
            for (ExecutableElement method : ElementFilter.methodsIn(elements.getAllMembers(type))) {
                if (!method.getSimpleName().contentEquals("close") || !method.getParameters().isEmpty()
                        || method.getModifiers().contains(Modifier.STATIC)) {
                    continue;
                }
                if (method.getModifiers().contains(Modifier.FINAL)) {
                    reporter.error(Message.FINAL_CLOSE, owned(method), type.getSimpleName(),
                            generatedType.simpleName());
                } else if (!method.getModifiers().contains(Modifier.ABSTRACT)
                        && !method.getModifiers().contains(Modifier.PRIVATE)) {
                    return Optional.of(method);
                }
            }
            return Optional.empty();
        }

        /** Reports every abstract method the generated subclass would leave unimplemented. */
        private void abstractMethods() {
            List<ExecutableElement> members = ElementFilter.methodsIn(elements.getAllMembers(type));
            for (ExecutableElement method : members) {
                if (!method.getModifiers().contains(Modifier.ABSTRACT)
                        || Annotations.find(method, ALLOC).isPresent()
                        || Annotations.find(method, MEMORY_SCOPE).isPresent() // reported as a scope
                        || (method.getParameters().isEmpty() && (method.getSimpleName().contentEquals("allocator")
                                || method.getSimpleName().contentEquals("close")))) {
                    continue;
                }
                boolean implemented = members.stream().anyMatch(other -> other != method
                        && !other.getModifiers().contains(Modifier.ABSTRACT)
                        && elements.overrides(other, method, type));
                if (!implemented) {
                    reporter.error(Message.ABSTRACT_NOT_ALLOC, owned(method), signature(method),
                            type.getSimpleName());
                }
            }
        }

        /** The method itself if the class declares it, else the class: errors point at the user's source. */
        private Element owned(ExecutableElement method) {
            return method.getEnclosingElement().equals(type) ? method : type;
        }

        // ------------------------------------------------------------------------------------- @MemoryScope

        private boolean scope(ExecutableElement method, AnnotationMirror scope) {
            if (Annotations.find(method, ALLOC).isPresent()) {
                reporter.error(Message.SCOPE_ON_ALLOC, method, scope, null, signature(method));
                return false;
            }
            if (method.getParameters().isEmpty() && method.getSimpleName().contentEquals("close")) {
                reporter.error(Message.MEMBER_NAME_CLASH, method, scope, null, type.getSimpleName(),
                        "@MemoryScope close()", "its close() frees the allocator, and a scope around that would"
                                + " restore memory already freed");
                return false;
            }
            if (method.getParameters().isEmpty() && method.getSimpleName().contentEquals("allocator")) {
                return false; // reported as an allocator() the subclass cannot implement
            }
            Set<Modifier> modifiers = method.getModifiers();
            for (Modifier modifier : List.of(Modifier.STATIC, Modifier.PRIVATE, Modifier.FINAL, Modifier.ABSTRACT)) {
                if (modifiers.contains(modifier)) {
                    String fix = switch (modifier) {
                        case STATIC -> "Make it an instance method";
                        case ABSTRACT -> "Give it a body, or make it an @Alloc method";
                        default -> "Remove " + modifier.toString().toLowerCase(Locale.ROOT);
                    };
                    reporter.error(Message.SCOPE_NOT_OVERRIDABLE, method, scope, null, signature(method),
                            modifier.toString().toLowerCase(Locale.ROOT), fix);
                    return false;
                }
            }
            return true;
        }

        // ------------------------------------------------------------------------------------------- @Alloc

        private Optional<AllocMethod> alloc(ExecutableElement method, AnnotationMirror alloc,
                AllocatorModel.Settings settings) {
            int before = reporter.errorCount();
            for (Modifier modifier : List.of(Modifier.STATIC, Modifier.PRIVATE, Modifier.FINAL)) {
                if (method.getModifiers().contains(modifier)) {
                    reporter.error(Message.ALLOC_UNSUPPORTED_METHOD, method, alloc, null, signature(method),
                            modifier.toString(), switch (modifier) {
                                case STATIC -> "Make it an abstract instance method, without a body";
                                case PRIVATE -> "Make it abstract and at least package-private, without a body";
                                default -> "Remove final and make it abstract, without a body";
                            });
                    return Optional.empty();
                }
            }
            if (!method.getModifiers().contains(Modifier.ABSTRACT)) {
                reporter.error(Message.ALLOC_NOT_ABSTRACT, method, alloc, null, signature(method));
                return Optional.empty();
            }
            if (!method.getTypeParameters().isEmpty()) {
                reporter.error(Message.ALLOC_UNSUPPORTED_METHOD, method, alloc, null, signature(method),
                        "generic", "Remove its type parameters");
                return Optional.empty();
            }
            Optional<AnnotationValue> countValue = Annotations.explicitValue(alloc, "count");
            Optional<AnnotationValue> structValue = Annotations.explicitValue(alloc, "struct");
            Optional<AnnotationValue> bytesValue = Annotations.explicitValue(alloc, "bytes");
            Optional<AnnotationValue> alignmentValue = Annotations.explicitValue(alloc, "alignment");
            int count = 1;
            if (countValue.isPresent()) {
                count = (Integer) countValue.get().getValue();
                if (count < 1) {
                    reporter.error(Message.SIZE_NOT_POSITIVE, method, alloc, countValue.get(), "count", count);
                }
            }
            TypeMirror returned = method.getReturnType();
            Optional<TypeElement> viewed = structs.recordOfView(returned, type);
            Allocation allocation;
            Initialiser initialiser = new Initialiser.None();
            if (viewed.isPresent()) {
                for (String name : List.of("struct", "bytes", "alignment")) {
                    Annotations.explicitValue(alloc, name).ifPresent(value -> reporter.error(
                            Message.ALLOC_PARAMETER_UNUSED, method, alloc, value, name, signature(method),
                            returned));
                }
                StructRef struct = ((StructRefs.Lookup.Found) structs.ofRecord(viewed.get())).struct();
                allocation = new Allocation.StructView(struct, count);
                initialiser = initialiser(method, viewed.get(), count);
            } else if (isMemorySegment(returned)) {
                if (structValue.isPresent() == bytesValue.isPresent()) {
                    String struct = structValue.map(v -> v.getValue() instanceof DeclaredType d
                            ? d.asElement().getSimpleName().toString() : structHint()).orElseGet(this::structHint);
                    reporter.error(Message.ALLOC_SEGMENT_SHAPE, method, alloc, null, signature(method), struct,
                            structValue.isPresent() ? "both are given" : "neither is given");
                    return Optional.empty();
                }
                if (!method.getParameters().isEmpty()) {
                    reporter.error(Message.UNSUPPORTED_INITIALISER, method.getParameters().getFirst(),
                            method.getParameters().getFirst().getSimpleName(),
                            "a MemorySegment allocation takes no parameters. Remove them, or return the View of"
                                    + " a @Struct record to initialise its fields");
                }
                if (structValue.isPresent()) {
                    alignmentValue.ifPresent(value -> reporter.error(Message.ALLOC_PARAMETER_UNUSED, method, alloc,
                            value, "alignment", signature(method), "the struct's layout"));
                    Optional<StructRef> struct = struct(method, alloc, structValue.get(), "struct");
                    if (struct.isEmpty()) {
                        return Optional.empty();
                    }
                    allocation = new Allocation.StructSegment(struct.get(), count);
                } else {
                    countValue.ifPresent(value -> reporter.error(Message.ALLOC_PARAMETER_UNUSED, method, alloc,
                            value, "count", signature(method), "bytes"));
                    long bytes = ((Number) bytesValue.get().getValue()).longValue();
                    if (bytes < 1) {
                        reporter.error(Message.SIZE_NOT_POSITIVE, method, alloc, bytesValue.get(), "bytes", bytes);
                    }
                    long alignment = alignmentValue.map(value -> {
                        long a = ((Number) value.getValue()).longValue();
                        if (a < 1 || Long.bitCount(a) != 1) {
                            long lower = a < 1 ? 1 : Long.highestOneBit(a);
                            reporter.error(Message.ALIGNMENT_NOT_POWER_OF_TWO, method, alloc, value, "alignment", a,
                                    lower,
                                    lower * 2);
                        }
                        return a;
                    }).orElse(1L);
                    allocation = new Allocation.Bytes(bytes, alignment);
                }
            } else {
                String view = returned.getKind() == TypeKind.DECLARED
                        && ((DeclaredType) returned).asElement() instanceof TypeElement record
                        && StructRefs.isStruct(record)
                        ? GeneratedKind.viewOf(GeneratedKind.STRUCT_CLASS.nameFor(ClassName.get(record)))
                                .simpleNames().stream().collect(Collectors.joining("."))
                        : GeneratedKind.viewOf(ClassName.get("", structHint() + "Struct")).simpleNames().stream()
                                .collect(Collectors.joining("."));
                reporter.error(Message.ALLOC_RETURN_TYPE, method, alloc, null, signature(method), returned, view,
                        view.substring(0, view.length() - ".View".length()).replaceFirst("Struct$", ""));
                return Optional.empty();
            }
            if (reporter.errorCount() > before) {
                return Optional.empty();
            }
            if (!fits(method, alloc, countValue.orElse(null), allocation, settings)) {
                return Optional.empty();
            }
            return Optional.of(new AllocMethod(methodSignature(method), allocation, initialiser));
        }

        private Initialiser initialiser(ExecutableElement method, TypeElement record, int count) {
            List<? extends VariableElement> parameters = method.getParameters();
            if (parameters.isEmpty()) {
                return new Initialiser.None();
            }
            if (count > 1) {
                reporter.error(Message.UNSUPPORTED_INITIALISER, parameters.getFirst(),
                        parameters.getFirst().getSimpleName(), "an allocation of " + count + " structs is zeroed,"
                                + " not initialised. Remove the parameters, and set the elements through the"
                                + " view");
                return new Initialiser.None();
            }
            if (parameters.size() == 1 && types.isSameType(parameters.getFirst().asType(), record.asType())) {
                return new Initialiser.Value(parameters.getFirst().getSimpleName().toString());
            }
            for (VariableElement parameter : parameters) {
                if (types.isSameType(parameter.asType(), record.asType())) {
                    reporter.error(Message.UNSUPPORTED_INITIALISER, parameter, parameter.getSimpleName(),
                            "a parameter of type " + record.getSimpleName() + " sets every field, so it must be"
                                    + " the only parameter. Remove the others, or take one parameter per component"
                                    + " instead");
                    return new Initialiser.None();
                }
            }
            List<? extends RecordComponentElement> components = record.getRecordComponents();
            List<String> names = new ArrayList<>();
            for (VariableElement parameter : parameters) {
                String name = parameter.getSimpleName().toString();
                Optional<? extends RecordComponentElement> component = components.stream()
                        .filter(c -> c.getSimpleName().contentEquals(name)).findFirst();
                if (component.isEmpty()) {
                    String hint = components.stream()
                            .filter(c -> c.getSimpleName().toString().equalsIgnoreCase(name))
                            .map(c -> " Did you mean " + c.getSimpleName() + "?").findFirst().orElse("");
                    reporter.error(Message.UNKNOWN_INITIALISER, parameter, name, record.getSimpleName(),
                            components.stream().map(c -> c.getSimpleName().toString())
                                    .collect(Collectors.joining(", ")), hint);
                } else if (!types.isSameType(parameter.asType(), component.get().asType())) {
                    reporter.error(Message.MISTYPED_INITIALISER, parameter, name, parameter.asType(),
                            record.getSimpleName(), component.get().asType());
                } else if (component.get().asType().getKind() == TypeKind.ARRAY) {
                    reporter.error(Message.UNSUPPORTED_INITIALISER, parameter, name, "array component " + name
                            + " is set element by element. Take the whole " + record.getSimpleName()
                            + " as the only parameter, or set the elements through the view");
                } else {
                    names.add(name);
                }
            }
            return new Initialiser.Fields(names);
        }

        private boolean fits(ExecutableElement method, AnnotationMirror alloc, AnnotationValue countValue,
                Allocation allocation, AllocatorModel.Settings settings) {
            long size;
            try {
                size = switch (allocation) {
                    case Allocation.StructView(StructRef struct, int count) ->
                            Math.multiplyExact(struct.size(), (long) count);
                    case Allocation.StructSegment(StructRef struct, int count) ->
                            Math.multiplyExact(struct.size(), (long) count);
                    case Allocation.Bytes bytes -> bytes.byteSize();
                };
            } catch (ArithmeticException e) {
                StructRef struct = allocation instanceof Allocation.StructView view ? view.struct()
                        : ((Allocation.StructSegment) allocation).struct();
                int count = allocation instanceof Allocation.StructView view ? view.count()
                        : ((Allocation.StructSegment) allocation).count();
                reporter.error(Message.ALLOC_SIZE_OVERFLOW, method, alloc, countValue, signature(method), count,
                        struct.recordType().simpleName(), struct.size());
                return false;
            }
            String what = size + " bytes" + (allocation.alignment() > 1 ? " aligned to " + allocation.alignment()
                    : "");
            if (settings.kind() != AllocatorKind.POOL) {
                if (size > settings.size()) {
                    reporter.error(Message.NEVER_FITS, method, alloc, countValue, signature(method), what,
                            "the " + settings.kind() + " allocator holds " + settings.size() + " bytes. Raise"
                                    + " @Allocator(size) to at least " + size + ", or allocate less");
                    return false;
                }
                return true;
            }
            if (size > settings.blockSize()) {
                reporter.error(Message.NEVER_FITS, method, alloc, countValue, signature(method), what,
                        "a block of the pool holds " + settings.blockSize() + " bytes. Size the blocks for it"
                                + " (blockSize = " + size + "), or allocate less");
                return false;
            }
            if (allocation.alignment() > settings.blockAlignment()) {
                reporter.error(Message.NEVER_FITS, method, alloc, countValue, signature(method), what,
                        "the pool's blocks are aligned to " + settings.blockAlignment() + ". Raise"
                                + " blockAlignment to " + allocation.alignment());
                return false;
            }
            if (size != settings.blockSize()) {
                reporter.error(Message.POOL_SIZE_MISMATCH, method, alloc, countValue, signature(method), size,
                        settings.blockSize());
                return false;
            }
            return true;
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Whether a type and every type enclosing it is public, so that its generated type is public too. */
    static boolean effectivelyPublic(TypeElement type) {
        for (Element e = type; e instanceof TypeElement t; e = t.getEnclosingElement()) {
            if (!t.getModifiers().contains(Modifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isMemorySegment(TypeMirror mirror) {
        return mirror.getKind() == TypeKind.DECLARED && ((TypeElement) ((DeclaredType) mirror).asElement())
                .getQualifiedName().contentEquals(MEMORY_SEGMENT);
    }

    /** A method as messages name it: {@code name(int, java.lang.String)}. */
    static String signature(ExecutableElement method) {
        return method.getSimpleName() + method.getParameters().stream()
                .map(p -> p.asType().toString()).collect(Collectors.joining(", ", "(", ")"));
    }

    private static String kindName(Element element) {
        return switch (element.getKind()) {
            case INTERFACE -> "an interface";
            case ENUM -> "an enum";
            case RECORD -> "a record";
            case ANNOTATION_TYPE -> "an annotation type";
            default -> "a " + element.getKind().name().toLowerCase(Locale.ROOT);
        };
    }
}
