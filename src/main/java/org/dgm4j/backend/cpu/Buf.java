package org.dgm4j.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Tensor;

/** Element access to a CPU tensor independent of its dtype (values pass as double). */
abstract class Buf {
    abstract double get(int i);

    abstract void set(int i, double v);

    static Buf of(Tensor t) {
        return t.dtype() == DType.F32 ? new F32(t.floatBuffer()) : new F64(t.doubleBuffer());
    }

    static final class F32 extends Buf {
        final FloatBuffer b;

        F32(FloatBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, (float) v);
        }
    }

    static final class F64 extends Buf {
        final DoubleBuffer b;

        F64(DoubleBuffer b) {
            this.b = b;
        }

        @Override
        double get(int i) {
            return b.get(i);
        }

        @Override
        void set(int i, double v) {
            b.put(i, v);
        }
    }
}
