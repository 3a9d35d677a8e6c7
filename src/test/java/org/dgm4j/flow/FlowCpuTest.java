package org.dgm4j.flow;

import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;

/** {@link FlowSuite} on the CPU backend. */
class FlowCpuTest extends FlowSuite {
    @Override
    Backend backend() {
        return Backends.cpu();
    }
}
