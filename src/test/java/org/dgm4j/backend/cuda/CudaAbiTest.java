package org.dgm4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * CudaKernels passes Java ordinals as the C op and dtype codes: the #defines of the C headers must
 * match the enums name for name and value for value. Reads the headers; needs no device.
 */
class CudaAbiTest {
    private static Map<String, Integer> defines(String header, String prefix) throws IOException {
        String text = Files.readString(Path.of("native/include/dgm4j", header));
        Matcher m = Pattern.compile("#define " + prefix + "(\\w+) (\\d+)").matcher(text);
        Map<String, Integer> out = new HashMap<>();
        while (m.find()) out.put(m.group(1), Integer.parseInt(m.group(2)));
        return out;
    }

    private static <E extends Enum<E>> void sameCodes(Class<E> type, Map<String, Integer> codes) {
        Map<String, Integer> expected = new HashMap<>();
        for (E e : type.getEnumConstants()) expected.put(e.name(), e.ordinal());
        expected.put("COUNT", type.getEnumConstants().length);
        assertEquals(expected, codes, type.getSimpleName() + " vs the C header's codes");
    }

    @Test
    void unaryCodesAreTheOrdinals() throws IOException {
        sameCodes(UnaryOp.class, defines("elementwise.h", "DGM4J_UNARY_"));
    }

    @Test
    void binaryCodesAreTheOrdinals() throws IOException {
        sameCodes(BinaryOp.class, defines("elementwise.h", "DGM4J_BINARY_"));
    }

    @Test
    void dtypeCodesAreTheOrdinals() throws IOException {
        Map<String, Integer> d = defines("dgm4j.h", "DGM4J_F");
        assertEquals(Map.of("32", DType.F32.ordinal(), "64", DType.F64.ordinal()), d);
    }

    @Test
    void reduceCodesAreTheOrdinals() throws IOException {
        sameCodes(ReduceOp.class, defines("reduce.h", "DGM4J_REDUCE_"));
    }

    @Test
    void flowWorkspaceConstantMatches() throws IOException {
        Map<String, Integer> d = defines("flow.h", "DGM4J_FLOW_");
        assertEquals(Map.of("PARTIALS", CudaNative.DGM4J_FLOW_PARTIALS), d, "CudaNative.DGM4J_FLOW_PARTIALS vs flow.h");
    }
}
