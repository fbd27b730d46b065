import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The lines of the generated sources, by kind of line and by kind of generated type. */
record GeneratedLines(Map<String, LineCount> byKind, int structFiles, int allocatorFiles, int otherFiles) {
    static final String STRUCT = "struct";
    static final String ALLOCATOR = "allocator";
    static final String OTHER = "other";

    static GeneratedLines count(SyntheticProject project) throws IOException {
        List<String> structs = project.structClassNames();
        List<String> allocators = project.allocatorClassNames();
        Map<String, LineCount> byKind = new LinkedHashMap<>();
        Map<String, Integer> files = new HashMap<>();
        for (Path source : project.generatedSources()) {
            String name = source.getFileName().toString().replaceFirst("\\.java$", "");
            String kind = structs.contains(name) ? STRUCT : allocators.contains(name) ? ALLOCATOR : OTHER;
            byKind.merge(kind, LineCount.of(Files.readAllLines(source)), LineCount::plus);
            files.merge(kind, 1, Integer::sum);
        }
        return new GeneratedLines(byKind, files.getOrDefault(STRUCT, 0), files.getOrDefault(ALLOCATOR, 0),
                files.getOrDefault(OTHER, 0));
    }

    LineCount of(String kind) {
        return byKind.getOrDefault(kind, LineCount.ZERO);
    }

    LineCount total() {
        return byKind.values().stream().reduce(LineCount.ZERO, LineCount::plus);
    }

    /**
     * Lines of one source file: blank, javadoc ({@code /**} to its end), other comments, and code (the rest, so a
     * line with code and a trailing comment is code).
     */
    record LineCount(long lines, long blank, long javadoc, long comment, long code) {
        static final LineCount ZERO = new LineCount(0, 0, 0, 0, 0);

        static LineCount of(List<String> source) {
            long blank = 0;
            long javadoc = 0;
            long comment = 0;
            long code = 0;
            boolean inJavadoc = false;
            boolean inComment = false;
            for (String raw : source) {
                String line = raw.strip();
                if (inJavadoc || inComment) {
                    if (inJavadoc) {
                        javadoc++;
                    } else {
                        comment++;
                    }
                    if (line.contains("*/")) {
                        inJavadoc = false;
                        inComment = false;
                    }
                } else if (line.isEmpty()) {
                    blank++;
                } else if (line.startsWith("/**")) {
                    javadoc++;
                    inJavadoc = !line.substring(3).contains("*/");
                } else if (line.startsWith("/*")) {
                    comment++;
                    inComment = !line.substring(2).contains("*/");
                } else if (line.startsWith("//")) {
                    comment++;
                } else {
                    code++;
                }
            }
            return new LineCount(source.size(), blank, javadoc, comment, code);
        }

        LineCount plus(LineCount other) {
            return new LineCount(lines + other.lines, blank + other.blank, javadoc + other.javadoc,
                    comment + other.comment, code + other.code);
        }
    }
}
