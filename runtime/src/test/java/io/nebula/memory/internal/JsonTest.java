package io.nebula.memory.internal;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JSON writer: member order, every value kind, and string escaping as RFC 8259 asks. */
class JsonTest {

    @Test
    void writesMembersInOrder() {
        assertEquals("{}", Json.object().toString());
        assertEquals("{\"a\":1,\"b\":-2.5,\"c\":true,\"d\":\"x\",\"e\":null,\"f\":7,\"g\":null,\"h\":{\"i\":0}}",
                Json.object().member("a", 1L).member("b", -2.5).member("c", true).member("d", "x")
                        .member("e", (String) null).member("f", OptionalInt.of(7))
                        .member("g", OptionalInt.empty()).memberJson("h", Json.object().member("i", 0L).toString())
                        .toString());
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        assertEquals("{\"nan\":null,\"inf\":null}",
                Json.object().member("nan", Double.NaN).member("inf", Double.POSITIVE_INFINITY).toString());
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        String nasty = "say \"hi\"\\ \n\r\t\b\f \u0001\u001f é \u2028 /";
        assertEquals("{\"k\\\"ey\":\"say \\\"hi\\\"\\\\ \\n\\r\\t\\b\\f \\u0001\\u001f é \u2028 /\"}",
                Json.object().member("k\"ey", nasty).toString());
    }
}
