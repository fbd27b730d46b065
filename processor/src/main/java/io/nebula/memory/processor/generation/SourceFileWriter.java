package io.nebula.memory.processor.generation;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import java.io.IOException;
import java.io.Writer;
import javax.annotation.processing.Filer;
import javax.lang.model.element.Element;
import javax.tools.JavaFileObject;

/**
 * Writes a generated {@link JavaFile} through the {@link Filer}: the whole text in one call, with every doc comment
 * of one line folded onto the line of its delimiters ({@code /** Text. *}{@code /}), as a careful author writes
 * it; JavaPoet always spreads a doc comment over three lines or more.
 */
public final class SourceFileWriter {
    /** The longest line a folded doc comment may make. */
    private static final int MAX_LINE = 120;

    private SourceFileWriter() {
    }

    /**
     * Writes {@code file} through {@code filer}, its type's originating elements attached.
     *
     * @param file the generated file
     * @param filer the processing environment's filer
     * @throws IOException if the filer cannot create or write the file
     */
    public static void write(JavaFile file, Filer filer) throws IOException {
        TypeSpec type = file.typeSpec();
        String name = file.packageName().isEmpty() ? type.name() : file.packageName() + "." + type.name();
        String text = text(file);
        JavaFileObject source = filer.createSourceFile(name, type.originatingElements().toArray(Element[]::new));
        try (Writer writer = source.openWriter()) {
            writer.write(text);
        }
    }

    /**
     * The text of {@code file} as {@link #write} writes it.
     *
     * @param file the generated file
     * @return its source text, one-line doc comments folded
     */
    public static String text(JavaFile file) {
        return fold(file.toString());
    }

    private static String fold(String source) {
        String[] lines = source.split("\n", -1);
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < lines.length) {
            String line = lines[i];
            if (i + 2 < lines.length && line.strip().equals("/**")) {
                String indent = line.substring(0, line.indexOf('/'));
                String text = lines[i + 1];
                String end = lines[i + 2];
                if (text.startsWith(indent + " * ") && end.equals(indent + " */")) {
                    String folded = indent + "/** " + text.substring(indent.length() + 3) + " */";
                    if (folded.length() <= MAX_LINE) {
                        out.append(folded).append('\n');
                        i += 3;
                        continue;
                    }
                }
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
            i++;
        }
        return out.toString();
    }
}
