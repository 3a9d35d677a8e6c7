package org.dgm4j.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.dgm4j.data.DataFileException;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static Object parse(String s) {
        return Json.parse("h.json", s.getBytes(StandardCharsets.UTF_8), 100);
    }

    @Test
    void parsesTheValuesHeadersUse() {
        Map<?, ?> m = (Map<?, ?>) parse(" {\"a\" : [1,-2,0], \"b\":\"x\\\"\\\\\\/\\n\\t\\u00e9\\ud83d\\ude00\", \"c\":true, \"d\":2.5e0, \"e\":null}  ");
        assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(m.keySet()), "key order kept");
        assertEquals(List.of(1L, -2L, 0L), m.get("a"));
        assertEquals("x\"\\/\n\t\u00e9\uD83D\uDE00", m.get("b"));
        assertEquals(true, m.get("c"));
        assertEquals(2.5, m.get("d"));
        assertNull(m.get("e"));
    }

    @Test
    void errorsGiveTheFileOffset() {
        DataFileException e = assertThrows(DataFileException.class, () -> parse("{\"a\":[1,2}"));
        assertEquals(109, e.offset()); // byte 9 of the text + base 100
        assertTrue(e.getMessage().contains("expected ']', found '}'"), e.getMessage());
        assertThrows(DataFileException.class, () -> parse("{\"a\":1,\"a\":2}"));
        assertThrows(DataFileException.class, () -> parse("{\"a\":99999999999999999999}"));
        assertThrows(DataFileException.class, () -> parse("\"\\ud800\""));
        assertThrows(DataFileException.class, () -> parse("{} x"));
        assertThrows(DataFileException.class, () -> Json.parse("h", new byte[] {'"', (byte) 0xC3, '"'}, 0));
    }

    @Test
    void writtenStringsParseBack() {
        StringBuilder b = new StringBuilder();
        String s = "tab\t nl\n ctl\u0001 quote\" back\\ é";
        Json.writeString(b, s);
        assertEquals(s, parse(b.toString()));
    }
}
