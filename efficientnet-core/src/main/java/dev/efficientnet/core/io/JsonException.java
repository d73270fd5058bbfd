package dev.efficientnet.core.io;

/**
 * Malformed JSON text, or JSON text past a parser limit. The message names the problem and where it
 * is: the character offset (0-based, in UTF-16 code units of the decoded text) plus line and column
 * (1-based).
 */
public final class JsonException extends IllegalArgumentException {
    /** Character offset of the error (0-based). */
    private final int offset;
    /** Line of the error (1-based). */
    private final int line;
    /** Column of the error (1-based). */
    private final int column;

    JsonException(String problem, int offset, int line, int column) {
        super(problem + " at offset " + offset + " (line " + line + ", column " + column + ")");
        this.offset = offset;
        this.line = line;
        this.column = column;
    }

    /** A copy whose message starts with {@code prefix} (used to name the file the text came from). */
    JsonException(String prefix, JsonException cause) {
        super(prefix + cause.getMessage(), cause);
        this.offset = cause.offset;
        this.line = cause.line;
        this.column = cause.column;
    }

    /** {@return character offset of the error in the text (0-based)} */
    public int offset() {
        return offset;
    }

    /** {@return line of the error (1-based)} */
    public int line() {
        return line;
    }

    /** {@return column of the error (1-based, in characters)} */
    public int column() {
        return column;
    }
}
