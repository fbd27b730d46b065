import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The synthetic project: {@code @Struct} records of 11 components (6 {@code int}, 4 {@code long} and one
 * {@code @Array(length = 16) byte[]}) in packages of 20, and {@code @Allocator} classes in packages of 10, each
 * with 5 {@code @Alloc} methods and one {@code @MemoryScope} method over three of the structs, the kinds taking
 * turns: bump, pool, stack.
 */
final class SyntheticProject {
    static final int COMPONENTS_PER_STRUCT = 11;
    private static final String BASE_PACKAGE = "com.example.shop";
    private static final int STRUCTS_PER_PACKAGE = 20;
    private static final int ALLOCATORS_PER_PACKAGE = 10;
    private static final String[] KINDS = {"BUMP", "POOL", "STACK"};

    private final Path root;
    private final List<Path> structSources = new ArrayList<>();
    private final List<Path> allocatorSources = new ArrayList<>();
    private final List<String> structNames = new ArrayList<>();
    private final List<String> allocatorNames = new ArrayList<>();

    private SyntheticProject(Path root) {
        this.root = root;
    }

    static SyntheticProject write(Path root, int structs, int allocators) throws IOException {
        deleteTree(root);
        SyntheticProject project = new SyntheticProject(root);
        for (int i = 0; i < structs; i++) {
            project.writeStruct(i);
        }
        for (int i = 0; i < allocators; i++) {
            project.writeAllocator(i, structs);
        }
        return project;
    }

    int structCount() {
        return structSources.size();
    }

    int allocatorCount() {
        return allocatorSources.size();
    }

    List<Path> structSources() {
        return structSources;
    }

    List<Path> allSources() {
        List<Path> all = new ArrayList<>(structSources);
        all.addAll(allocatorSources);
        return all;
    }

    Path generatedRoot() {
        return root.resolve("generated");
    }

    /** The generated class names of the structs, such as {@code Entity0000Struct}. */
    List<String> structClassNames() {
        return structNames.stream().map(name -> name + "Struct").toList();
    }

    /** The generated class names of the allocators, such as {@code Service000_Memory}. */
    List<String> allocatorClassNames() {
        return allocatorNames.stream().map(name -> name + "_Memory").toList();
    }

    /** Keeps a copy of what the processor generated, for the build that compiles it without the processor. */
    void keepGenerated(Path generated) throws IOException {
        deleteTree(generatedRoot());
        copyTree(generated, generatedRoot());
    }

    List<Path> generatedSources() throws IOException {
        if (!Files.isDirectory(generatedRoot())) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(generatedRoot())) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
    }

    long sourceLines() throws IOException {
        long lines = 0;
        for (Path source : allSources()) {
            try (Stream<String> text = Files.lines(source)) {
                lines += text.count();
            }
        }
        return lines;
    }

    private static String structName(int index) {
        return String.format(Locale.ROOT, "Entity%04d", index);
    }

    private static String structPackage(int index) {
        return String.format(Locale.ROOT, "%s.model.m%02d", BASE_PACKAGE, index / STRUCTS_PER_PACKAGE);
    }

    private void writeStruct(int index) throws IOException {
        String name = structName(index);
        String pkg = structPackage(index);
        String source = """
                package %s;

                import io.nebula.memory.annotation.Array;
                import io.nebula.memory.annotation.Struct;

                @Struct
                public record %s(
                        int id,
                        long created,
                        int kind,
                        long updated,
                        int flags,
                        int count,
                        long position,
                        long length,
                        int x,
                        int y,
                        @Array(length = 16) byte[] tag) {
                }
                """.formatted(pkg, name);
        structSources.add(writeSource(pkg, name, source));
        structNames.add(name);
    }

    private void writeAllocator(int index, int structs) throws IOException {
        String name = String.format(Locale.ROOT, "Service%03d", index);
        String pkg = String.format(Locale.ROOT, "%s.service.s%02d", BASE_PACKAGE, index / ALLOCATORS_PER_PACKAGE);
        String kind = KINDS[index % KINDS.length];
        // Three consecutive structs, spread over the model packages by a stride.
        int first = (index * 7) % structs;
        int[] used = {first, (first + 1) % structs, (first + 2) % structs};
        String a = structName(used[0]);
        String b = structName(used[1]);
        String c = structName(used[2]);
        StringBuilder imports = new StringBuilder();
        for (int struct : used) {
            String qualified = structPackage(struct) + "." + structName(struct);
            imports.append("import ").append(qualified).append(";\n");
            imports.append("import ").append(qualified).append("Struct;\n");
        }
        // A pool block fits exactly one struct (all structs have the same size), so a pool allocates one at a time.
        String annotation = switch (kind) {
            case "POOL" -> "@Allocator(kind = AllocatorKind.POOL, block = %s.class, blockCount = 64)".formatted(a);
            default -> "@Allocator(kind = AllocatorKind.%s, size = 65536)".formatted(kind);
        };
        int batch = kind.equals("POOL") ? 1 : 8;
        String raw = switch (kind) {
            case "BUMP" -> "@Alloc(bytes = 256, alignment = 16)";
            case "STACK" -> "@Alloc(struct = %s.class, count = 4)".formatted(c);
            default -> "@Alloc(struct = %s.class)".formatted(c);
        };
        String source = """
                package %1$s;

                %2$s
                import io.nebula.memory.annotation.Alloc;
                import io.nebula.memory.annotation.Allocator;
                import io.nebula.memory.annotation.AllocatorKind;
                import io.nebula.memory.annotation.MemoryScope;
                import java.lang.foreign.MemorySegment;
                import java.lang.foreign.ValueLayout;

                %3$s
                public abstract class %4$s {
                    protected %4$s() {
                    }

                    @Alloc
                    protected abstract %5$sStruct.View fresh();

                    @Alloc
                    protected abstract %5$sStruct.View start(int id, long created);

                    @Alloc
                    protected abstract %6$sStruct.View copy(%6$s value);

                    @Alloc(count = %8$d)
                    protected abstract %7$sStruct.View batch();

                    %9$s
                    protected abstract MemorySegment scratch();

                    @MemoryScope
                    public long handle(int id, long created, %6$s template) {
                        %5$sStruct.View a = start(id, created);
                        %6$sStruct.View b = copy(template).count(a.count() + 1);
                        %7$sStruct.View c = batch();
                        long sum = a.created() + b.updated();
                        for (long i = 0; i < %8$d; i++) {
                            sum += c.moveToElement(i).kind(id).length();
                        }
                        MemorySegment raw = scratch();
                        raw.set(ValueLayout.JAVA_LONG, 0, sum);
                        fresh().tag(0, (byte) id);
                        return sum + raw.get(ValueLayout.JAVA_LONG, 0);
                    }
                }
                """.formatted(pkg, imports, annotation, name, a, b, c, batch, raw);
        allocatorSources.add(writeSource(pkg, name, source));
        allocatorNames.add(name);
    }

    private Path writeSource(String pkg, String name, String source) throws IOException {
        Path file = root.resolve("src").resolve(pkg.replace('.', '/')).resolve(name + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        return file;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
