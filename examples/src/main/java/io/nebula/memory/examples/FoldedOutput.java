package io.nebula.memory.examples;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Text output folded to a number of columns, so that a terminal shows every line whole: a longer line is broken at
 * its last space (or after its last comma, for JSON) within the limit, and continues on the next line, indented
 * four columns more than it began. The examples print the runtime's messages as they are, some of them long; the
 * showcase prints them through this.
 */
final class FoldedOutput extends OutputStream {
    private static final int CONTINUATION_INDENT = 4;

    private final PrintStream target;
    private final int columns;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private FoldedOutput(PrintStream target, int columns) {
        this.target = target;
        this.columns = columns;
    }

    /**
     * A UTF-8 print stream that writes to {@code target}, every line folded to {@code columns}.
     *
     * @param target  where the folded lines go
     * @param columns the widest line, at least 40
     * @return the stream; closing it writes a last, unfinished line and leaves {@code target} open
     */
    static PrintStream foldedAt(PrintStream target, int columns) {
        if (columns < 40) {
            throw new IllegalArgumentException("fold at 40 columns or more, not " + columns);
        }
        return new PrintStream(new FoldedOutput(target, columns), true, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            line.write(b);
        }
    }

    /** Flushes the lines written so far; an unfinished line waits for its end, since it may yet grow. */
    @Override
    public void flush() {
        target.flush();
    }

    /** Writes an unfinished last line, and flushes; the target stays open. */
    @Override
    public void close() {
        if (line.size() > 0) {
            String rest = line.toString(StandardCharsets.UTF_8);
            line.reset();
            fold(rest, false);
        }
        target.flush();
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        fold(text, true);
    }

    private void fold(String text, boolean newline) {
        String indent = continuation(text);
        String rest = text;
        boolean first = true;
        while (rest.length() > columns) {
            int at = breakAt(rest);
            target.print(rest.substring(0, at).stripTrailing());
            target.print('\n');
            rest = indent + rest.substring(at).stripLeading();
            first = false;
        }
        target.print(first ? rest : rest.stripTrailing());
        if (newline) {
            target.print('\n');
        }
    }

    /** Where to break a line longer than the limit: after its last space, else its last comma, within it. */
    private int breakAt(String text) {
        int from = continuation(text).length() - CONTINUATION_INDENT + 1;
        int space = text.lastIndexOf(' ', columns);
        if (space >= from) {
            return space + 1;
        }
        int comma = text.lastIndexOf(',', columns - 1);
        return comma >= from ? comma + 1 : columns;
    }

    /**
     * The start of a continuation line: four columns deeper than the line began, after its quote bar if it has one
     * (a message quoted as {@code "    | text"} continues as {@code "    |     text"}).
     */
    private static String continuation(String text) {
        int spaces = leadingSpaces(text);
        if (text.startsWith("|", spaces)) {
            int bar = spaces + 1;
            int after = bar + leadingSpaces(text.substring(bar));
            return text.substring(0, bar) + " ".repeat(after - bar + CONTINUATION_INDENT);
        }
        return " ".repeat(spaces + CONTINUATION_INDENT);
    }

    private static int leadingSpaces(String text) {
        int n = 0;
        while (n < text.length() && text.charAt(n) == ' ') {
            n++;
        }
        return n;
    }
}
