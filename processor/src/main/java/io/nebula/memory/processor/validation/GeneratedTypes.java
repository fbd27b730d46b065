package io.nebula.memory.processor.validation;

import com.palantir.javapoet.ClassName;
import io.nebula.memory.processor.diagnostics.ErrorReporter;
import io.nebula.memory.processor.diagnostics.Message;
import io.nebula.memory.processor.model.GeneratedKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.util.Elements;

/**
 * The types this compilation generates, across rounds, resolved both ways from the models: which annotated type
 * claims which generated name ({@link GeneratedKind} forms the names), and which struct resolution stands behind
 * each record. A name written in user code before its type exists (an error type such as {@code PointStruct.View}
 * in round one) is looked up here, by Java's scoping rules, never taken apart.
 */
public final class GeneratedTypes {
    /** A generated name and who claims it. */
    public record Claim(GeneratedKind kind, ClassName name, TypeElement source) {
    }

    /** A name written in user code, resolved: the claim, and whether it names the claim's view class. */
    public record Written(Claim claim, boolean view) {
    }

    private final Elements elements;
    /** The result of {@link #javaLangShadowedIn} by package, for this round. */
    private final Map<String, Set<String>> shadowed = new HashMap<>();
    private final SourceFiles sourceFiles;
    private final Map<String, Claim> claims = new LinkedHashMap<>();
    /** The claimed classes and their views by canonical name, in claim order: what {@link #resolve} matches. */
    private final Map<String, List<Written>> byQualifiedName = new HashMap<>();
    /** The same by the names relative to their package ({@code PointStruct.View}). */
    private final Map<String, List<Written>> byRelativeName = new HashMap<>();
    /**
     * The simple names of the types in {@code java.lang}, listed once: looking up {@code java.lang.X} for every
     * type name of a package would make javac search every location for names that mostly do not exist.
     */
    private Set<String> javaLang;
    private final Map<String, Resolution> structs = new HashMap<>();
    private final Set<String> written = new HashSet<>();
    private final Set<String> reportedAuxiliary = new HashSet<>();
    private final ScopedTypes scopedTypes;

    /**
     * Creates the registry of one compilation.
     *
     * @param environment the processing environment
     */
    public GeneratedTypes(ProcessingEnvironment environment) {
        this.elements = environment.getElementUtils();
        this.sourceFiles = SourceFiles.forEnvironment(environment);
        this.scopedTypes = new ScopedTypes(elements, environment.getTypeUtils());
    }

    /**
     * Claims the generated name of an annotated type.
     *
     * @param kind the kind of generated type
     * @param source the annotated type
     * @return the other type that claimed the same name first, if any
     */
    public Optional<TypeElement> claim(GeneratedKind kind, TypeElement source) {
        ClassName name = kind.nameFor(ClassName.get(source));
        Claim existing = add(new Claim(kind, name, source));
        if (existing == null || existing.source().getQualifiedName().contentEquals(source.getQualifiedName())) {
            return Optional.empty();
        }
        return Optional.of(existing.source());
    }

    /**
     * Records the name an annotated type will generate, so that user code naming it before it exists resolves. The
     * first type to record a name keeps it; {@link #claimable} reports any other.
     *
     * @param kind the kind of generated type
     * @param source the annotated type
     */
    public void register(GeneratedKind kind, TypeElement source) {
        ClassName name = kind.nameFor(ClassName.get(source));
        add(new Claim(kind, name, source));
    }

    /**
     * Whether an annotated type may have its generated type written: no other annotated type claims the name, and
     * no class outside this processor's output has it. Reports the clash otherwise.
     *
     * @param kind the kind of generated type
     * @param source the annotated type
     * @param reporter where the clash is reported
     * @return whether to write the generated type
     */
    public boolean claimable(GeneratedKind kind, TypeElement source, ErrorReporter reporter) {
        ClassName name = kind.nameFor(ClassName.get(source));
        Optional<TypeElement> other = claim(kind, source);
        if (other.isPresent()) {
            reporter.error(Message.TYPE_NAME_CLASH, source, source.getQualifiedName(), other.get().getQualifiedName(),
                    name.canonicalName());
            refuse(kind, source);
            return false;
        }
        TypeElement existing = existingType(source, name);
        if (existing != null && !written.contains(name.canonicalName()) && !isGeneratedFor(kind, existing, source)) {
            reporter.error(Message.GENERATED_NAME_TAKEN, source, name.canonicalName(), source.getQualifiedName());
            refuse(kind, source);
            return false;
        }
        written.add(name.canonicalName());
        return true;
    }

    /** Records {@code claim} unless its name is claimed already, and returns the earlier claim if so. */
    private Claim add(Claim claim) {
        Claim existing = claims.putIfAbsent(claim.name().canonicalName(), claim);
        if (existing == null) {
            index(new Written(claim, false), claim.name());
            if (claim.kind() == GeneratedKind.STRUCT_CLASS) {
                index(new Written(claim, true), GeneratedKind.viewOf(claim.name()));
            }
        }
        return existing;
    }

    private void index(Written written, ClassName name) {
        byQualifiedName.computeIfAbsent(name.canonicalName(), n -> new ArrayList<>(1)).add(written);
        byRelativeName.computeIfAbsent(String.join(".", name.simpleNames()), n -> new ArrayList<>(1)).add(written);
    }

    /**
     * The type that already has a generated name, if any. The name is that of a top-level type in the annotated
     * type's package, so the package's members answer; looking the name up with {@link Elements#getTypeElement}
     * costs javac a search of every location for a type that usually does not exist, about 1 ms per type.
     */
    private TypeElement existingType(TypeElement source, ClassName name) {
        for (Element member : elements.getPackageOf(source).getEnclosedElements()) {
            if (member instanceof TypeElement type && type.getSimpleName().contentEquals(name.simpleName())) {
                return type;
            }
        }
        return null;
    }

    /** A struct whose class is not written counts as invalid, so that allocators using it are skipped too. */
    private void refuse(GeneratedKind kind, TypeElement source) {
        if (kind == GeneratedKind.STRUCT_CLASS) {
            structs.put(source.getQualifiedName().toString(), new Resolution.Invalid());
        }
    }

    /** Whether an existing class is what this processor generates for the source: an earlier build's output. */
    private boolean isGeneratedFor(GeneratedKind kind, TypeElement existing, TypeElement source) {
        return switch (kind) {
            case STRUCT_CLASS -> existing.getEnclosedElements().stream()
                    .filter(e -> e instanceof TypeElement nested
                            && nested.getSimpleName().contentEquals(GeneratedKind.VIEW))
                    .anyMatch(view -> scopedTypes.viewedRecord((TypeElement) view)
                            .filter(record -> record.getQualifiedName().contentEquals(source.getQualifiedName()))
                            .isPresent());
            case ALLOCATOR_SUBCLASS -> existing.getSuperclass() instanceof DeclaredType parent
                    && ((TypeElement) parent.asElement()).getQualifiedName().contentEquals(source.getQualifiedName());
        };
    }

    /**
     * The type that claimed a generated name, if any.
     *
     * @param name the generated name
     * @return the claim
     */
    public Optional<Claim> claimOf(ClassName name) {
        return Optional.ofNullable(claims.get(name.canonicalName()));
    }

    /**
     * Records how a struct record resolved.
     *
     * @param record the record
     * @param resolution its resolution
     */
    public void struct(TypeElement record, Resolution resolution) {
        structs.put(record.getQualifiedName().toString(), resolution);
        register(GeneratedKind.STRUCT_CLASS, record);
    }

    /**
     * How a struct record of this compilation resolved.
     *
     * @param record the record
     * @return its resolution, or empty for a record this compilation has not resolved (one from the class path)
     */
    public Optional<Resolution> structOf(TypeElement record) {
        return Optional.ofNullable(structs.get(record.getQualifiedName().toString()));
    }

    /**
     * Resolves a type name written in user code that the compiler could not resolve yet: a fully qualified
     * generated name, or a simple one visible from the user's class (same package, or imported).
     *
     * @param written the name as written, such as {@code PointStruct.View} or {@code geo.PointStruct}
     * @param user the class in whose source the name is written, or {@code null} when unknown
     * @return the generated type it names, if exactly one
     */
    public Optional<Written> resolve(String written, TypeElement user) {
        int arguments = written.indexOf('<');
        String name = (arguments < 0 ? written : written.substring(0, arguments)).strip();
        List<Written> qualified = byQualifiedName.getOrDefault(name, List.of());
        List<Written> simple = byRelativeName.getOrDefault(name, List.of());
        if (qualified.size() == 1) {
            return Optional.of(qualified.getFirst());
        }
        if (user == null) {
            return simple.size() == 1 ? Optional.of(simple.getFirst()) : Optional.empty();
        }
        String userPackage = elements.getPackageOf(user).getQualifiedName().toString();
        List<Written> visible = simple.stream().filter(w -> w.claim().name().packageName().equals(userPackage)
                || sourceFiles.imports(user, w.claim().name())).toList();
        if (visible.size() == 1) {
            return Optional.of(visible.getFirst());
        }
        if (visible.isEmpty() && simple.size() == 1 && !sourceFiles.known()) {
            return Optional.of(simple.getFirst()); // imports unknown: the only candidate; javac checks the rest
        }
        return Optional.empty();
    }

    /**
     * The file of the auxiliary class a type is or is nested in: a top-level class, not public, in a source file
     * named after another class, whose uses from other files javac's {@code [auxiliaryclass]} lint reports. Known
     * only where the compiler shows source files (javac; ECJ has no such lint).
     *
     * @param type the type
     * @return the name of the file, if the type's top-level class is auxiliary
     */
    public Optional<String> auxiliaryFile(TypeElement type) {
        TypeElement outermost = type;
        while (outermost.getEnclosingElement() instanceof TypeElement outer) {
            outermost = outer;
        }
        return sourceFiles.auxiliaryFile(outermost);
    }

    /**
     * Reports, once, an annotated type in an auxiliary class (see {@link #auxiliaryFile}). The generated code is
     * still written: it is correct, and with an error reported javac stops before it would lint it, so users of the
     * generated type see no second error.
     *
     * @param kind the kind of generated type
     * @param type the annotated type
     * @param annotation its annotation, where the error points
     * @param reporter where the error goes
     */
    public void reportAuxiliary(GeneratedKind kind, TypeElement type, AnnotationMirror annotation,
            ErrorReporter reporter) {
        Optional<String> file = auxiliaryFile(type);
        if (file.isEmpty() || !reportedAuxiliary.add(type.getQualifiedName().toString())) {
            return;
        }
        TypeElement outermost = type;
        while (outermost.getEnclosingElement() instanceof TypeElement outer) {
            outermost = outer;
        }
        reporter.error(Message.AUXILIARY_CLASS, type, annotation, null, type.getQualifiedName(), file.get(),
                kind.nameFor(ClassName.get(type)).simpleName(), outermost.getSimpleName());
    }

    /**
     * The simple names that types of a package give to {@code java.lang} types: generated code in the package must
     * qualify those {@code java.lang} types, which the package's own types shadow.
     *
     * @param packageName the package of the generated code
     * @return the shadowed names, such as {@code Override} when the package declares a type of that name
     */
    public Set<String> javaLangShadowedIn(String packageName) {
        return shadowed.computeIfAbsent(packageName, this::findJavaLangShadowedIn);
    }

    /**
     * Forgets what {@link #javaLangShadowedIn} found: a new round may add types to a package. Called at the start of
     * every round.
     */
    public void newRound() {
        shadowed.clear();
    }

    private Set<String> javaLangNames() {
        if (javaLang == null) {
            javaLang = new HashSet<>();
            PackageElement lang = elements.getPackageElement("java.lang");
            if (lang != null) {
                for (Element member : lang.getEnclosedElements()) {
                    javaLang.add(member.getSimpleName().toString());
                }
            }
        }
        return javaLang;
    }

    private Set<String> findJavaLangShadowedIn(String packageName) {
        PackageElement pkg = elements.getPackageElement(packageName);
        Set<String> names = new TreeSet<>();
        if (pkg == null) {
            return Set.of();
        }
        for (Element member : pkg.getEnclosedElements()) {
            String name = member.getSimpleName().toString();
            if (member instanceof TypeElement && javaLangNames().contains(name)) {
                names.add(name);
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
