package org.dgm4j.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.dgm4j.autograd.Node;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;

/**
 * A dense, row-major (contiguous) n-dimensional array in native memory of one backend, with the
 * autograd fields of reverse-mode differentiation. Views (reshape, batch slices) share storage.
 * A tensor is freed by {@link #close()} or by the {@link Scope} it was created in.
 */
public final class Tensor implements AutoCloseable {
    private final Storage storage;
    private final long offset; // in elements
    private final Shape shape;
    private final DType dtype;
    private boolean closed;
    Scope scope;

    // autograd
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private String name;

    private Tensor(Storage storage, long offset, Shape shape, DType dtype) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.dtype = dtype;
        Scope.register(this);
    }

    // ---- creation -------------------------------------------------------------------------------

    /** Uninitialized memory on {@code backend}. */
    public static Tensor empty(Backend backend, DType dtype, Shape shape) {
        long bytes = Math.multiplyExact(shape.numel(), (long) dtype.bytes());
        return new Tensor(backend.allocate(Math.max(bytes, 1)), 0, shape, dtype);
    }

    public static Tensor empty(DType dtype, long... dims) {
        return empty(Backends.current(), dtype, Shape.of(dims));
    }

    public static Tensor zeros(Backend backend, DType dtype, Shape shape) {
        return full(backend, dtype, shape, 0);
    }

    public static Tensor zeros(DType dtype, long... dims) {
        return zeros(Backends.current(), dtype, Shape.of(dims));
    }

    public static Tensor full(Backend backend, DType dtype, Shape shape, double value) {
        Tensor t = empty(backend, dtype, shape);
        backend.kernels().fill(t, value);
        return t;
    }

    public static Tensor scalar(double value, DType dtype) {
        return full(Backends.current(), dtype, Shape.scalar(), value);
    }

    public static Tensor of(float[] data, long... dims) {
        return of(Backends.current(), data, Shape.of(dims));
    }

    public static Tensor of(double[] data, long... dims) {
        return of(Backends.current(), data, Shape.of(dims));
    }

    public static Tensor of(Backend backend, float[] data, Shape shape) {
        checkLength(data.length, shape);
        Tensor t = empty(backend, DType.F32, shape);
        try (FloatPointer host = new FloatPointer(data)) {
            backend.copyFromHost(host, t.storage, 0, t.byteSize());
        }
        return t;
    }

    public static Tensor of(Backend backend, double[] data, Shape shape) {
        checkLength(data.length, shape);
        Tensor t = empty(backend, DType.F64, shape);
        try (DoublePointer host = new DoublePointer(data)) {
            backend.copyFromHost(host, t.storage, 0, t.byteSize());
        }
        return t;
    }

    /** From raw little-endian bytes of {@code dtype} (safetensors, checkpoints). */
    public static Tensor fromBytes(Backend backend, DType dtype, Shape shape, byte[] bytes) {
        long need = shape.numel() * dtype.bytes();
        if (bytes.length != need) {
            throw new IllegalArgumentException("expected " + need + " bytes for " + dtype + " " + shape + ", found " + bytes.length);
        }
        Tensor t = empty(backend, dtype, shape);
        try (BytePointer host = new BytePointer(bytes)) {
            backend.copyFromHost(host, t.storage, 0, need);
        }
        return t;
    }

    private static void checkLength(int length, Shape shape) {
        if (length != shape.numel()) {
            throw new IllegalArgumentException("data has " + length + " elements but shape " + shape + " needs " + shape.numel());
        }
    }

    // ---- metadata -------------------------------------------------------------------------------

    public Shape shape() {
        return shape;
    }

    public long[] dims() {
        return shape.dims();
    }

    public long dim(int axis) {
        return shape.dim(axis);
    }

    public int rank() {
        return shape.rank();
    }

    public long numel() {
        return shape.numel();
    }

    public DType dtype() {
        return dtype;
    }

    public Backend backend() {
        return storage.backend();
    }

    public Storage storage() {
        ensureOpen();
        return storage;
    }

    /** Offset of the first element in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public long byteOffset() {
        return offset * dtype.bytes();
    }

    public long byteSize() {
        return numel() * dtype.bytes();
    }

    public boolean isClosed() {
        return closed;
    }

    public void ensureOpen() {
        if (closed) throw new IllegalStateException("tensor " + describe() + " was used after close()");
    }

    /** Host view of the elements (CPU backend only): float32 tensors. */
    public FloatBuffer floatBuffer() {
        return hostBytes().asFloatBuffer();
    }

    /** Host view of the elements (CPU backend only): float64 tensors. */
    public DoubleBuffer doubleBuffer() {
        return hostBytes().asDoubleBuffer();
    }

    /** Host view of the elements' bytes in native order (CPU backend only), e.g. for Vector API loads. */
    public ByteBuffer hostBytes() {
        ensureOpen();
        if (!backend().isHost()) throw new IllegalStateException("host view of a " + backend().name() + " tensor");
        if (byteSize() > Integer.MAX_VALUE) throw new IllegalStateException("host view over 2 GiB: " + shape);
        // asByteBuffer() spans position..limit
        BytePointer p = new BytePointer(storage.pointer()).position(byteOffset()).limit(byteOffset() + byteSize());
        return p.asByteBuffer().order(ByteOrder.nativeOrder());
    }

    // ---- views ----------------------------------------------------------------------------------

    /** A view with another shape of the same element count; -1 infers one dimension. */
    public Tensor reshape(long... dims) {
        return Ops.reshape(this, inferShape(dims));
    }

    /** A view on the same storage (no autograd); used by {@link Ops}. */
    public Tensor view(Shape newShape, long elementOffset) {
        ensureOpen();
        storage.retain();
        return new Tensor(storage, offset + elementOffset, newShape, dtype);
    }

    private Shape inferShape(long[] dims) {
        long known = 1;
        int infer = -1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + java.util.Arrays.toString(dims));
                infer = i;
            } else {
                known *= dims[i];
            }
        }
        long[] d = dims.clone();
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view " + shape + " as " + java.util.Arrays.toString(dims));
            }
            d[infer] = numel() / known;
        }
        Shape s = Shape.of(d);
        if (s.numel() != numel()) throw new IllegalArgumentException("reshape: cannot view " + shape + " as " + s);
        return s;
    }

    /** Rows {@code [start, end)} of the first axis, as a view (a batch slice). */
    public Tensor narrowBatch(long start, long end) {
        return Ops.narrowBatch(this, start, end);
    }

    // ---- host copies ----------------------------------------------------------------------------

    public float[] toFloatArray() {
        ensureOpen();
        float[] out = new float[Math.toIntExact(numel())];
        if (dtype == DType.F32) {
            try (FloatPointer host = new FloatPointer(out.length)) {
                backend().copyToHost(storage, byteOffset(), host, byteSize());
                host.get(out);
            }
        } else {
            double[] d = toDoubleArray();
            for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        }
        return out;
    }

    public double[] toDoubleArray() {
        ensureOpen();
        double[] out = new double[Math.toIntExact(numel())];
        if (dtype == DType.F64) {
            try (DoublePointer host = new DoublePointer(out.length)) {
                backend().copyToHost(storage, byteOffset(), host, byteSize());
                host.get(out);
            }
        } else {
            float[] f = toFloatArray();
            for (int i = 0; i < f.length; i++) out[i] = f[i];
        }
        return out;
    }

    /** Raw little-endian bytes (safetensors, checkpoints). */
    public byte[] toBytes() {
        ensureOpen();
        byte[] out = new byte[Math.toIntExact(byteSize())];
        try (BytePointer host = new BytePointer(out.length)) {
            backend().copyToHost(storage, byteOffset(), host, byteSize());
            host.get(out);
        }
        return out;
    }

    /** The single element of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalArgumentException("item() needs one element, shape is " + shape);
        return toDoubleArray()[0];
    }

    /** A copy on another backend (no autograd). */
    public Tensor to(Backend target) {
        ensureOpen();
        Tensor t = empty(target, dtype, shape);
        try (BytePointer host = new BytePointer(byteSize())) {
            backend().copyToHost(storage, byteOffset(), host, byteSize());
            target.copyFromHost(host, t.storage, 0, byteSize());
        }
        return t;
    }

    // ---- autograd -------------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as a variable whose gradient {@link #backward()} accumulates into {@link #grad()}. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) throw new IllegalStateException("cannot clear requiresGrad of a non-leaf; use detach()");
        this.requiresGrad = value;
        return this;
    }

    public Tensor grad() {
        return grad;
    }

    /** Replaces the accumulated gradient (closing the old one); the tensor takes ownership. */
    public void setGrad(Tensor g) {
        if (grad != null && grad != g) grad.close();
        grad = g;
    }

    public Node gradFn() {
        return gradFn;
    }

    /** Set by {@link Ops} on results of differentiable ops. */
    public void setGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = node != null;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Reverse-mode differentiation from this scalar (seed 1) into the leaves' {@code grad()}. */
    public void backward() {
        org.dgm4j.autograd.Autograd.backward(this);
    }

    /** A view of the same data with no autograd history. */
    public Tensor detach() {
        return view(shape, 0);
    }

    public String name() {
        return name;
    }

    public Tensor name(String n) {
        this.name = n;
        return this;
    }

    // ---- fluent ops (all differentiable unless stated; see Ops for shapes) ----------------------

    public Tensor add(Tensor o) { return Ops.add(this, o); }
    public Tensor sub(Tensor o) { return Ops.sub(this, o); }
    public Tensor mul(Tensor o) { return Ops.mul(this, o); }
    public Tensor div(Tensor o) { return Ops.div(this, o); }
    public Tensor pow(Tensor o) { return Ops.pow(this, o); }
    public Tensor maximum(Tensor o) { return Ops.maximum(this, o); }
    public Tensor minimum(Tensor o) { return Ops.minimum(this, o); }
    public Tensor add(double c) { return Ops.addScalar(this, c); }
    public Tensor sub(double c) { return Ops.addScalar(this, -c); }
    public Tensor mul(double c) { return Ops.mulScalar(this, c); }
    public Tensor div(double c) { return Ops.mulScalar(this, 1.0 / c); }
    public Tensor pow(double c) { return Ops.powScalar(this, c); }
    public Tensor neg() { return Ops.neg(this); }
    public Tensor exp() { return Ops.exp(this); }
    public Tensor log() { return Ops.log(this); }
    public Tensor sqrt() { return Ops.sqrt(this); }
    public Tensor abs() { return Ops.abs(this); }
    public Tensor square() { return Ops.square(this); }
    public Tensor reciprocal() { return Ops.reciprocal(this); }
    public Tensor relu() { return Ops.relu(this); }
    public Tensor leakyRelu(double slope) { return Ops.leakyRelu(this, slope); }
    public Tensor sigmoid() { return Ops.sigmoid(this); }
    public Tensor tanh() { return Ops.tanh(this); }
    public Tensor softplus() { return Ops.softplus(this); }
    public Tensor matmul(Tensor o) { return Ops.matmul(this, o); }
    public Tensor sum(int... axes) { return Ops.sum(this, false, axes); }
    public Tensor mean(int... axes) { return Ops.mean(this, false, axes); }
    public Tensor max(int... axes) { return Ops.max(this, false, axes); }
    public Tensor min(int... axes) { return Ops.min(this, false, axes); }
    public Tensor logsumexp(int... axes) { return Ops.logsumexp(this, false, axes); }
    public Tensor permute(int... perm) { return Ops.permute(this, perm); }
    public Tensor transpose(int a, int b) { return Ops.transpose(this, a, b); }
    public Tensor slice(int axis, long start, long end) { return Ops.slice(this, axis, start, end, 1); }
    public Tensor slice(int axis, long start, long end, long step) { return Ops.slice(this, axis, start, end, step); }
    public Tensor expand(long... dims) { return Ops.expand(this, Shape.of(dims)); }
    public Tensor toDType(DType t) { return Ops.cast(this, t); }

    // ---- lifetime -------------------------------------------------------------------------------

    /** Frees this tensor's reference to its storage (and its gradient). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (scope != null) Scope.detachFromScope(this);
        if (grad != null) {
            grad.close();
            grad = null;
        }
        gradFn = null;
        storage.release();
    }

    public String describe() {
        return (name != null ? name + " " : "") + dtype + shape + "@" + storage.backend().name();
    }

    @Override
    public String toString() {
        if (closed) return "Tensor(closed " + dtype + shape + ")";
        StringBuilder b = new StringBuilder("Tensor(").append(dtype).append(shape).append(' ');
        double[] v = toDoubleArray();
        b.append('[');
        for (int i = 0; i < Math.min(v.length, 8); i++) b.append(i > 0 ? ", " : "").append((float) v[i]);
        if (v.length > 8) b.append(", ...");
        return b.append("])").toString();
    }
}
