package org.dgm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.data.DataFileException;
import org.dgm4j.io.Json;
import org.junit.jupiter.api.Test;

class LoopStateTest {
    @SuppressWarnings("unchecked")
    private static LoopState throughJson(LoopState s) {
        byte[] text = JsonText.objectPretty(s.toJson()).getBytes(StandardCharsets.UTF_8);
        return LoopState.fromJson("state.json", (Map<String, Object>) Json.parse("state.json", text, 0));
    }

    /** A diverged test term or window sum (NaN, ±inf) leaves the checkpoint resumable, with the same values. */
    @Test
    void nonFiniteMetricsSurviveTheCheckpointExactly() {
        LoopState s = new LoopState();
        s.step = 12;
        s.lastTest = new LinkedHashMap<>(Map.of("loss", Double.NaN));
        s.lastTest.put("nll", Double.POSITIVE_INFINITY);
        s.lastTest.put("kl", 0.1 + 0.2);
        s.windowSums.put("loss", Double.NEGATIVE_INFINITY);
        s.windowSums.put("recon", 1e-300);
        LoopState back = throughJson(s);
        assertEquals(s.lastTest, back.lastTest);
        assertEquals(s.windowSums, back.windowSums);
        assertEquals(12, back.step);
    }

    @Test
    void otherTextInPlaceOfANumberIsRejectedNamingTheField() {
        LoopState s = new LoopState();
        Map<String, Object> json = new LinkedHashMap<>(s.toJson());
        json.put("window_sums", Map.of("loss", "nan"));
        DataFileException e = assertThrows(DataFileException.class, () -> LoopState.fromJson("state.json", json));
        assertTrue(e.getMessage().contains("window_sums.loss") && e.getMessage().contains("found nan"), e.getMessage());
    }
}
