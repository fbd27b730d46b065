package io.nebula.memory.processor.generation;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import com.palantir.javapoet.TypeVariableName;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.processor.model.AllocMethod;
import io.nebula.memory.processor.model.AllocMethod.Allocation;
import io.nebula.memory.processor.model.AllocMethod.Initialiser;
import io.nebula.memory.processor.model.AllocatorModel;
import io.nebula.memory.processor.model.MethodSignature;
import io.nebula.memory.processor.model.RuntimeTypes;
import io.nebula.memory.processor.model.StructRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Generates the subclass of an {@link AllocatorModel}: the owned allocator, one factory per constructor, the
 * allocator accessor, {@code close()}, the {@code @Alloc} implementations and the {@code @MemoryScope} overrides.
 *
 * <p>A scope is the hand-written pattern and nothing more: open the allocator's scope in a try-with-resources
 * statement around the call to the superclass method. Everything a scope emits is in {@link ScopeCode}, the one
 * place to change when the runtime's vocabulary for scopes changes.
 */
public final class AllocatorWriter {

    private final GeneratedAnnotation generated;

    /**
     * Creates a writer.
     *
     * @param generated the {@code @Generated} annotation of generated types
     */
    public AllocatorWriter(GeneratedAnnotation generated) {
        this.generated = generated;
    }

    /**
     * Generates the source file of the subclass.
     *
     * @param model the validated class
     * @return the file, with the class as its only originating element
     */
    public JavaFile write(AllocatorModel model) {
        return JavaFile.builder(model.generatedType().packageName(), new Generation(model).type())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
    }

    /**
     * What the scopes emit: the class javadoc's sentence about them and the statement that opens one. Every kind
     * opens the allocator's own {@link RuntimeTypes#SCOPE scope} in a try-with-resources statement around the call,
     * as a hand-written scope would: the allocator gives back what the call allocated (a bump or stack allocator
     * everything allocated since the scope opened, a pool the blocks the calling thread took), and the checks of
     * the allocator's configuration (checked mode, the owner thread) hold for the generated code as for any other.
     * The only code that names the runtime's scope type.
     */
    private static final class ScopeCode {
        private static final ClassName SCOPE = RuntimeTypes.SCOPE;

        private final AllocatorKind kind;

        ScopeCode(AllocatorModel.Settings settings) {
            this.kind = settings.kind();
        }

        CodeBlock javadoc() {
            return switch (kind) {
                case BUMP, STACK -> CodeBlock.of("A {@code @MemoryScope} method opens a {@link $T} of the allocator"
                        + " on entry and closes it\non exit, releasing everything the call allocated.\n", SCOPE);
                case POOL -> CodeBlock.of("A {@code @MemoryScope} method opens a {@link $T} of the pool on entry"
                        + " and closes it on\nexit, giving back every block the calling thread took in the call.\n",
                        SCOPE);
            };
        }

        /** Opens the scope around the statements that follow, up to the matching {@code endControlFlow()}. */
        void open(MethodSpec.Builder method, Names names) {
            method.beginControlFlow("try ($T _ = $L.scope())", SCOPE, names.field("allocator"));
        }
    }

    /** The generation of one subclass. */
    private final class Generation {
        private final AllocatorModel model;
        private final AllocatorModel.Settings settings;
        private final ClassName allocatorClass;
        private final ClassName self;
        private final List<TypeVariableName> typeVariables;
        private final TypeName selfType;
        private final TypeName superType;
        private final ScopeCode scopes;

        Generation(AllocatorModel model) {
            this.model = model;
            this.settings = model.settings();
            this.allocatorClass = RuntimeTypes.allocatorClass(settings.kind());
            this.self = model.generatedType();
            this.typeVariables = model.typeVariables();
            TypeName[] arguments = typeVariables.stream().map(v -> TypeVariableName.get(v.name()))
                    .toArray(TypeName[]::new);
            this.selfType = typeVariables.isEmpty() ? self : ParameterizedTypeName.get(self, arguments);
            this.superType = typeVariables.isEmpty() ? model.annotatedType()
                    : ParameterizedTypeName.get(model.annotatedType(), arguments);
            this.scopes = new ScopeCode(settings);
        }

        TypeSpec type() {
            TypeSpec.Builder type = TypeSpec.classBuilder(self)
                    .addOriginatingElement(model.element())
                    .addModifiers(modifiers(Modifier.FINAL))
                    .addTypeVariables(typeVariables)
                    .superclass(superType)
                    .addSuperinterface(AutoCloseable.class)
                    .addJavadoc(classJavadoc());
            type.avoidClashesWithNestedClasses(model.element());
            type.alwaysQualify(model.qualifiedNames().toArray(String[]::new));
            generated.addTo(type);
            type.addField(allocatorClass, "allocator", Modifier.PRIVATE, Modifier.FINAL);
            for (MethodSignature constructor : model.constructors()) {
                type.addMethod(constructor(constructor));
            }
            for (MethodSignature constructor : model.constructors()) {
                type.addMethod(factory(constructor));
            }
            type.addMethod(newAllocator());
            type.addMethod(accessor());
            type.addMethod(close());
            for (AllocMethod alloc : model.allocs()) {
                type.addMethod(alloc(alloc));
            }
            for (MethodSignature scope : model.scopes()) {
                type.addMethod(scope(scope));
            }
            return type.build();
        }

        private Modifier[] modifiers(Modifier... more) {
            List<Modifier> modifiers = new ArrayList<>();
            if (model.isPublic()) {
                modifiers.add(Modifier.PUBLIC);
            }
            modifiers.addAll(List.of(more));
            return modifiers.toArray(Modifier[]::new);
        }

        private CodeBlock classJavadoc() {
            CodeBlock.Builder doc = CodeBlock.builder()
                    .add("{@link $T} with its own {@link $T}: $L.\n\n", model.annotatedType(), allocatorClass,
                            describeAllocator())
                    .add("<p>Create it with {@code create(...)}, one per constructor of {@code $L}, and close it"
                            + " to free\nthe native memory. ", model.annotatedType().simpleName());
            if (!model.scopes().isEmpty()) {
                // Only then is Scope imported for code as well: ECJ reports an import used by javadoc alone.
                doc.add(scopes.javadoc());
            }
            if (!settings.threadSafe()) {
                return doc.add("\n<p>Confined to the thread that created it.\n").build();
            }
            return doc.add("\n<p>Thread-safe: any thread may call it. $L\n", switch (settings.kind()) {
                case BUMP -> "A scope releases what every thread allocated\nwhile it was open, so overlapping"
                        + " scopes on several threads release each other's memory.";
                case STACK -> "Each thread pushes onto a stack of its own within the\nbudget, so a scope releases"
                        + " only what its own thread allocated in it.";
                case POOL -> "Each thread's scopes give back the blocks that thread took.";
            }).build();
        }

        private String describeAllocator() {
            return switch (settings.kind()) {
                case BUMP, STACK -> settings.size() + " bytes";
                case POOL -> settings.blockCount() + " blocks of " + settings.blockSize() + " bytes"
                        + settings.block().map(b -> " (one " + b.recordType().simpleName() + " each)").orElse("");
            };
        }

        // ------------------------------------------------------------------------------------- construction

        private MethodSpec constructor(MethodSignature constructor) {
            Names names = new Names(constructor);
            MethodSpec.Builder method = MethodSpec.constructorBuilder()
                    .addModifiers(Modifier.PRIVATE)
                    .addTypeVariables(constructor.typeVariables())
                    .addParameter(allocatorClass, names.allocator)
                    .addParameters(constructor.parameters())
                    .varargs(constructor.varargs())
                    .addExceptions(constructor.thrown())
                    .addStatement("this.allocator = $L", names.allocator);
            return method.addStatement("super($L)", constructor.arguments()).build();
        }

        private MethodSpec factory(MethodSignature constructor) {
            Names names = new Names(constructor);
            MethodSpec.Builder method = MethodSpec.methodBuilder("create");
            if (model.isPublic() && (constructor.isPublic() || constructor.isProtected())) {
                method.addModifiers(Modifier.PUBLIC);
            }
            method.addModifiers(Modifier.STATIC)
                    .addJavadoc("Creates a new allocator of $L, then the object through\n", describeAllocator())
                    .addJavadoc("{@link $T#$L($L)};\ncloses the allocator again if the constructor throws.\n\n",
                            model.annotatedType(), model.annotatedType().simpleName(),
                            javadocParameters(constructor))
                    .addTypeVariables(typeVariables)
                    .addTypeVariables(constructor.typeVariables())
                    .returns(selfType)
                    .addParameters(constructor.parameters())
                    .varargs(constructor.varargs())
                    .addExceptions(constructor.thrown());
            for (ParameterSpec parameter : constructor.parameters()) {
                method.addJavadoc("@param $L as for the constructor\n", parameter.name());
            }
            method.addJavadoc("@return the new object, owning its allocator; close it to free the native memory\n");
            String separator = constructor.parameters().isEmpty() ? "" : ", ";
            return method.addStatement("$T $L = $L()", allocatorClass, names.allocator, model.allocatorFactory())
                    .beginControlFlow("try")
                    .addStatement("return new $T$L($L$L$L)", self, typeVariables.isEmpty() ? "" : "<>",
                            names.allocator, separator, constructor.arguments())
                    .nextControlFlow("catch ($T $L)", Throwable.class, names.failure)
                    .addStatement("$L.close()", names.allocator)
                    .addStatement("throw $L", names.failure)
                    .endControlFlow()
                    .build();
        }

        private MethodSpec newAllocator() {
            CodeBlock config = config();
            CodeBlock create = switch (settings.kind()) {
                case BUMP, STACK -> CodeBlock.of("$T.create($LL$L)", allocatorClass, settings.size(), config);
                case POOL -> settings.block()
                        .map(b -> CodeBlock.of("$T.create($T.SIZE, $T.ALIGNMENT, $L$L)", allocatorClass,
                                b.structClass(), b.structClass(), settings.blockCount(), config))
                        .orElseGet(() -> CodeBlock.of("$T.create($LL, $LL, $L$L)", allocatorClass,
                                settings.blockSize(), settings.blockAlignment(), settings.blockCount(), config));
            };
            return MethodSpec.methodBuilder(model.allocatorFactory())
                    .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .returns(allocatorClass)
                    .addStatement("return $L", create)
                    .build();
        }

        /**
         * The configuration argument, with a leading comma: the defaults, the settings of the annotation, and the
         * annotated class as the origin, so that the runtime's errors name the {@code @Allocator} attribute to
         * change rather than a config method the user never called.
         */
        private CodeBlock config() {
            CodeBlock.Builder config = CodeBlock.builder().add(", $T.defaults()",
                    RuntimeTypes.configClass(settings.kind()));
            if (settings.threadSafe()) {
                config.add(".withThreadSafe(true)");
            }
            if (settings.trackStats()) {
                config.add(".withTrackStats(true)");
            }
            if (settings.fillPattern().isPresent()) {
                config.add(".withFillPattern((byte) 0x$L)",
                        String.format(Locale.ROOT, "%02X", settings.fillPattern().getAsInt() & 0xFF));
            }
            if (settings.checked()) {
                config.add(".withChecked(true)");
            }
            return config.add("\n.withOrigin($T.allocatorAnnotation($S))", RuntimeTypes.CONFIG_ORIGIN,
                    model.annotatedType().canonicalName()).build();
        }

        private MethodSpec accessor() {
            MethodSpec.Builder method = MethodSpec.methodBuilder("allocator")
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("The allocator this object owns, for its statistics, its usage or direct"
                            + " allocation.\n\n@return the allocator, closed with this object\n")
                    .returns(allocatorClass)
                    .addStatement("return allocator");
            if (model.implementsAccessor()) {
                method.addAnnotation(Override.class);
            }
            return method.build();
        }

        private MethodSpec close() {
            MethodSpec.Builder method = MethodSpec.methodBuilder("close")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC);
            if (model.superClose().isEmpty()) {
                return method.addJavadoc("Frees the allocator's native memory. Memory allocated through this"
                                + " object must not be used\nafterwards; closing again does nothing.\n")
                        .addStatement("allocator.close()")
                        .build();
            }
            return method.addJavadoc("Runs {@link $T#close()}, then frees the allocator's native memory whatever it"
                                    + " throws.\n", model.annotatedType())
                    .addExceptions(model.superClose().get())
                    .beginControlFlow("try")
                    .addStatement("super.close()")
                    .nextControlFlow("finally")
                    .addStatement("allocator.close()")
                    .endControlFlow()
                    .build();
        }

        // ------------------------------------------------------------------------------------------- @Alloc

        private MethodSpec alloc(AllocMethod alloc) {
            MethodSignature declared = alloc.signature();
            String source = new Names(declared).field("allocator");
            CodeBlock body = switch (alloc.allocation()) {
                case Allocation.StructView(StructRef struct, int count) when count > 1 ->
                        CodeBlock.of("$T.view($T.allocateArray($L, $LL))", struct.structClass(), struct.structClass(),
                                source, count);
                case Allocation.StructView(StructRef struct, int count) ->
                        structView(struct, source, alloc.initialiser());
                case Allocation.StructSegment(StructRef struct, int count) ->
                        CodeBlock.of("$T.allocateArray($L, $LL)", struct.structClass(), source, count);
                case Allocation.Bytes(long byteSize, long alignment) ->
                        CodeBlock.of("$L.allocate($LL, $LL).fill((byte) 0)", source, byteSize, alignment);
            };
            return overriding(declared).addStatement("return $L", body).build();
        }

        private CodeBlock structView(StructRef struct, String source, Initialiser initialiser) {
            return switch (initialiser) {
                case Initialiser.None none -> CodeBlock.of("$T.allocate($L)", struct.structClass(), source);
                case Initialiser.Value(String parameter) ->
                        CodeBlock.of("$T.allocate($L, $L)", struct.structClass(), source, parameter);
                case Initialiser.Fields(List<String> components) -> {
                    CodeBlock.Builder chain = CodeBlock.builder()
                            .add("$T.allocate($L)", struct.structClass(), source);
                    for (String component : components) {
                        chain.add(".$L($L)", component, component);
                    }
                    yield chain.build();
                }
            };
        }

        // ------------------------------------------------------------------------------------- @MemoryScope

        private MethodSpec scope(MethodSignature declared) {
            Names names = new Names(declared);
            MethodSpec.Builder method = overriding(declared);
            if (declared.hasGenericVarargs()) {
                // The override passes the varargs array on untouched, so it cannot pollute the heap.
                method.addAnnotation(AnnotationSpec.builder(SuppressWarnings.class)
                        .addMember("value", "$S", "unchecked").build());
            }
            CodeBlock call = CodeBlock.of("super.$L($L)", declared.name(), declared.arguments());
            scopes.open(method, names);
            if (declared.returnType().equals(TypeName.VOID)) {
                method.addStatement("$L", call);
            } else {
                method.addStatement("return $L", call);
            }
            return method.endControlFlow().build();
        }

        // ---------------------------------------------------------------------------------------- signatures

        /** An override of a method: its access, type variables, parameters, exceptions and return type. */
        private MethodSpec.Builder overriding(MethodSignature declared) {
            MethodSpec.Builder method = MethodSpec.methodBuilder(declared.name())
                    .addAnnotation(Override.class);
            if (declared.isPublic()) {
                method.addModifiers(Modifier.PUBLIC);
            } else if (declared.isProtected()) {
                method.addModifiers(Modifier.PROTECTED);
            }
            return method.addTypeVariables(declared.typeVariables())
                    .returns(declared.returnType())
                    .addParameters(declared.parameters())
                    .varargs(declared.varargs())
                    .addExceptions(declared.thrown());
        }

        private static String javadocParameters(MethodSignature executable) {
            return String.join(", ", executable.parameters().stream().map(p -> javadocType(p.type())).toList());
        }

        private static String javadocType(TypeName name) {
            if (name instanceof ArrayTypeName array) {
                return javadocType(array.componentType()) + "[]";
            }
            if (name instanceof ParameterizedTypeName parameterized) {
                return parameterized.rawType().canonicalName();
            }
            if (name instanceof TypeVariableName) {
                return "Object";
            }
            return name instanceof ClassName className ? className.canonicalName() : name.toString();
        }
    }

    /** Local names for generated code that cannot clash with the parameters of the method they appear in. */
    private static final class Names {
        private final Set<String> taken = new HashSet<>();
        final String allocator;
        final String failure;

        Names(MethodSignature executable) {
            for (ParameterSpec parameter : executable.parameters()) {
                taken.add(parameter.name());
            }
            this.allocator = free("allocator");
            this.failure = free("failure");
        }

        /** The name, or the name with trailing underscores if a parameter has it. */
        String free(String name) {
            String candidate = name;
            while (taken.contains(candidate)) {
                candidate = candidate + "_";
            }
            return candidate;
        }

        /** A field of the generated class, qualified with {@code this} if a parameter shadows it. */
        String field(String name) {
            return taken.contains(name) ? "this." + name : name;
        }
    }
}
