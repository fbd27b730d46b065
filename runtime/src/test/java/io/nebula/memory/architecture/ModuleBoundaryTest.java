package io.nebula.memory.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The runtime's module boundary, checked on its compiled classes: what the module exports, that no package cycle
 * exists, and that nothing outside the module can reach the internals except through the exported API.
 */
class ModuleBoundaryTest {

    /** The packages users may use. */
    private static final Set<String> API = Set.of(
            "io.nebula.memory",
            "io.nebula.memory.bump",
            "io.nebula.memory.pool",
            "io.nebula.memory.stack",
            "io.nebula.memory.simd",
            "io.nebula.memory.management",
            "io.nebula.memory.async");

    /** The packages that exist but are not exported. */
    private static final Set<String> HIDDEN = Set.of("io.nebula.memory.internal", "io.nebula.memory.jfr");

    private static final Path CLASSES = Path.of("target", "classes");

    private static JavaClasses runtime;

    @BeforeAll
    static void importRuntime() {
        runtime = new ClassFileImporter().importPath(CLASSES);
    }

    @Test
    void theModuleExportsExactlyTheApiPackages() throws IOException {
        ModuleDescriptor descriptor;
        try (InputStream in = Files.newInputStream(CLASSES.resolve("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in, () -> runtime.stream()
                    .map(JavaClass::getPackageName).collect(Collectors.toSet()));
        }
        assertEquals("io.nebula.memory", descriptor.name());
        Set<String> exported = descriptor.exports().stream()
                .peek(e -> assertTrue(e.targets().isEmpty(), "qualified export " + e))
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(API), exported);
        Set<String> all = new HashSet<>(API);
        all.addAll(HIDDEN);
        assertEquals(all, descriptor.packages(), "every package is either API or deliberately hidden");
        assertTrue(descriptor.opens().isEmpty(), "the module opens nothing to reflection");
    }

    @Test
    void runtimePackagesHaveNoCycles() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String name = javaClass.getPackageName();
                return name.startsWith("io.nebula.memory") ? SliceIdentifier.of(name) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "runtime packages";
            }
        }).should().beFreeOfCycles().check(runtime);
    }

    @Test
    void theApiNeverExposesAHiddenType() {
        classes().that(inApi()).and().arePublic()
                .should(exposeOnlyApiTypes())
                .check(runtime);
    }

    @Test
    void noApiClassCanBeExtendedFromOutside() {
        classes().that(inApi()).and().arePublic().and().areNotInterfaces().and().areNotEnums()
                .and().areNotRecords()
                .should(new ArchCondition<JavaClass>("be final, or sealed, or have no accessible constructor") {
                    @Override
                    public void check(JavaClass type, ConditionEvents events) {
                        boolean closed = type.getModifiers().contains(JavaModifier.FINAL)
                                || type.reflect().isSealed()
                                || type.getConstructors().stream().noneMatch(ModuleBoundaryTest::accessible);
                        events.add(new SimpleConditionEvent(type, closed, type.getName()
                                + (closed ? " is closed to subclasses" : " can be subclassed outside the module")));
                    }
                })
                .check(runtime);
    }

    private static DescribedPredicate<JavaClass> inApi() {
        return DescribedPredicate.describe("in an exported package", c -> API.contains(c.getPackageName()));
    }

    private static boolean accessible(JavaMember member) {
        return member.getModifiers().contains(JavaModifier.PUBLIC)
                || member.getModifiers().contains(JavaModifier.PROTECTED);
    }

    private static boolean hidden(JavaClass type) {
        return HIDDEN.contains(type.getBaseComponentType().getPackageName());
    }

    /** No accessible signature of a public API class names a type of a hidden package. */
    private static ArchCondition<JavaClass> exposeOnlyApiTypes() {
        return new ArchCondition<>("expose only API types in their accessible signatures") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                type.getRawSuperclass().filter(ModuleBoundaryTest::hidden).ifPresent(s ->
                        events.add(SimpleConditionEvent.violated(type, type.getName() + " extends " + s.getName())));
                type.getRawInterfaces().stream().filter(ModuleBoundaryTest::hidden).forEach(i ->
                        events.add(SimpleConditionEvent.violated(type, type.getName() + " implements "
                                + i.getName())));
                for (JavaField field : type.getFields()) {
                    if (accessible(field) && hidden(field.getRawType())) {
                        events.add(SimpleConditionEvent.violated(field, field.getFullName() + " has hidden type "
                                + field.getRawType().getName()));
                    }
                }
                for (JavaCodeUnit code : type.getCodeUnits()) {
                    if (!accessible(code)) {
                        continue;
                    }
                    Set<JavaClass> named = new HashSet<>(code.getRawParameterTypes());
                    named.add(code.getRawReturnType());
                    code.getThrowsClause().getTypes().forEach(named::add);
                    for (JavaClass t : named) {
                        if (hidden(t)) {
                            events.add(SimpleConditionEvent.violated(code, code.getFullName() + " exposes "
                                    + t.getName()));
                        }
                    }
                }
            }
        };
    }
}
