package org.dgm4j.dist;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * One rank of the MPI tests and benchmark, started by mpirun (MpiCommunicatorTest, or by hand):
 *
 * <pre>
 * mpirun -np 2 env java -cp CP org.dgm4j.dist.MpiWorker check allreduce|reduce_broadcast BUCKET_BYTES [auto|cpu|cuda]
 * mpirun -np 2 env java -cp CP org.dgm4j.dist.MpiWorker bench ELEMENTS REPEATS [BUCKET_MIB [allreduce|reduce_broadcast]]
 * </pre>
 *
 * check prints {@code rank R ...} lines (results, float64 digests) and exits 1 on a wrong value;
 * the test compares the lines of the ranks.
 */
public final class MpiWorker {
    private MpiWorker() {}

    public static void main(String[] args) throws Exception {
        int status;
        switch (args.length > 0 ? args[0] : "") {
            case "check" -> status = check(Communicators.Summation.valueOf(args[1].toUpperCase(Locale.ROOT)), Long.parseLong(args[2]),
                    args.length > 3 ? args[3] : "cpu");
            case "bench" -> status = bench(Long.parseLong(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Long.parseLong(args[3]) : 8,
                    args.length > 4 ? Communicators.Summation.valueOf(args[4].toUpperCase(Locale.ROOT)) : Communicators.Summation.ALLREDUCE);
            default -> {
                System.err.println("usage: MpiWorker check allreduce|reduce_broadcast BUCKET_BYTES [BACKEND_CHOICE] | bench ELEMENTS REPEATS [BUCKET_MIB [SUMMATION]]");
                status = 2;
            }
        }
        System.out.flush();
        System.exit(status);
    }

    // ---- check --------------------------------------------------------------------------------

    /** Values of rank r for tensor i: pseudo-random, not representable sums, different per rank. */
    static double[] values(int rank, int i, long n) {
        Random r = new Random(1000L * rank + i);
        double[] v = new double[(int) n];
        for (int k = 0; k < v.length; k++) v[k] = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(7) - 3);
        return v;
    }

    private static Tensor make(Backend cpu, DType dt, double[] v, long... dims) {
        if (dt == DType.F64) return Tensor.of(cpu, v, Shape.of(dims));
        float[] f = new float[v.length];
        for (int k = 0; k < v.length; k++) f[k] = (float) v[k];
        return Tensor.of(cpu, f, Shape.of(dims));
    }

    /**
     * The list: small tensors packed into buckets, dtype changes, tensors above a 4 KiB bucket, a view
     * (index 4: rows 2..6 of a (10, 4) float64 tensor), an empty tensor, and a float64 tensor of
     * 2.4 MB that takes MPI's large-message algorithms with 1 MiB buckets.
     */
    private static final Object[][] SPECS = {
        {DType.F32, new long[] {3, 5}}, {DType.F64, new long[] {7}}, {DType.F64, new long[] {1000}},
        {DType.F32, new long[] {10}}, {DType.F64, new long[] {4, 4}}, {DType.F32, new long[] {0}},
        {DType.F32, new long[] {2000}}, {DType.F64, new long[] {513}}, {DType.F64, new long[] {300_000}},
    };

    private static List<Tensor> tensors(int rank, List<Tensor> owners) {
        Backend cpu = Backends.cpu();
        List<Tensor> list = new ArrayList<>();
        for (int i = 0; i < SPECS.length; i++) {
            DType dt = (DType) SPECS[i][0];
            long[] dims = (long[]) SPECS[i][1];
            long n = Shape.of(dims).numel();
            if (i == 4) { // a view with a byte offset: rows 2..6 of a larger tensor
                double[] whole = new double[40];
                System.arraycopy(values(rank, i, n), 0, whole, 8, (int) n);
                Tensor base = make(cpu, dt, whole, 10, 4);
                owners.add(base);
                list.add(base.narrowBatch(2, 6));
            } else {
                list.add(make(cpu, dt, values(rank, i, n), dims));
            }
        }
        owners.addAll(list);
        return list;
    }

    /** The expected sum over ranks 0..size-1 in rank order, rounded as the tensor's dtype rounds. */
    private static double[] expected(DType dt, int i, long n, int size) {
        double[] sum = new double[(int) n];
        float[] fsum = new float[(int) n];
        for (int r = 0; r < size; r++) {
            double[] v = values(r, i, n);
            for (int k = 0; k < n; k++) {
                sum[k] += v[k];
                fsum[k] += (float) v[k];
            }
        }
        if (dt == DType.F32) for (int k = 0; k < n; k++) sum[k] = fsum[k];
        return sum;
    }

    /** backendChoice: the run's backend as auto sees it (the tensors here are host tensors either way). */
    private static int check(Communicators.Summation summation, long bucketBytes, String backendChoice) throws Exception {
        int failures = 0;
        try (Communicator comm = Communicators.select("auto", backendChoice, new Communicators.Options(bucketBytes, summation))) {
            int rank = comm.rank(), size = comm.size();
            String me = "rank " + rank;
            System.out.println(me + " size " + size + " " + comm.describe());
            List<Tensor> owners = new ArrayList<>();
            List<Tensor> list = tensors(rank, owners);
            comm.verifySameTensors(list);

            // all-reduce: with 2 ranks each element is one IEEE addition, so the sum is exact to the bit
            comm.allReduceSum(list);
            MessageDigest f64 = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < list.size(); i++) {
                Tensor t = list.get(i);
                double[] got = t.toDoubleArray(), want = expected(t.dtype(), i, t.numel(), size);
                for (int k = 0; k < got.length; k++) {
                    boolean ok = size == 2 ? got[k] == want[k] : Math.abs(got[k] - want[k]) <= 1e-5 * (1 + Math.abs(want[k]));
                    if (!ok) {
                        System.out.println(me + " WRONG sum tensor " + i + "[" + k + "] " + got[k] + " != " + want[k]);
                        failures++;
                        break;
                    }
                }
                if (t.dtype() == DType.F64) f64.update(t.toBytes());
            }
            System.out.println(me + " f64-digest " + HexFormat.of().formatHex(f64.digest()));

            // broadcast from the last rank: fresh per-rank values, then every rank has root's
            for (Tensor t : owners) t.close();
            owners.clear();
            list = tensors(rank, owners);
            int root = size - 1;
            comm.broadcast(list, root);
            for (int i = 0; i < list.size(); i++) {
                Tensor t = list.get(i);
                try (Tensor want = make(Backends.cpu(), t.dtype(), values(root, i, t.numel()), t.dims())) {
                    if (!Arrays.equals(t.toBytes(), want.toBytes())) {
                        System.out.println(me + " WRONG broadcast tensor " + i);
                        failures++;
                    }
                }
            }
            // the view's neighbours (rows 0..2 and 6..10 of its base) must be untouched
            Tensor base = owners.get(0);
            double[] whole = base.toDoubleArray();
            for (int k = 0; k < 8; k++) if (whole[k] != 0 || whole[24 + k] != 0 || whole[32 + k] != 0) failures++;

            byte[] config = comm.broadcast(rank == 0 ? "lr=1e-3 µ".getBytes(StandardCharsets.UTF_8) : null, 0);
            System.out.println(me + " config " + new String(config, StandardCharsets.UTF_8));
            byte[] empty = comm.broadcast(rank == root ? new byte[0] : null, root);
            if (empty.length != 0) failures++;

            // a rank with another list: every rank must throw, none may hang
            List<Tensor> odd = new ArrayList<>(list.subList(0, 3));
            if (rank == 1) odd.set(2, list.get(3));
            try {
                comm.verifySameTensors(odd);
                System.out.println(me + " mismatch NOT detected");
                failures++;
            } catch (IllegalStateException e) {
                System.out.println(me + " mismatch detected: " + e.getMessage());
            }
            comm.barrier();
            for (Tensor t : owners) t.close();
            System.out.println(me + (failures == 0 ? " OK" : " FAILED " + failures));
        }
        return failures == 0 ? 0 : 1;
    }

    // ---- bench --------------------------------------------------------------------------------

    /** Median seconds of allReduceSum of n float32 elements: one tensor (in place), and 100 tensors (staged). */
    private static int bench(long n, int repeats, long bucketMiB, Communicators.Summation summation) {
        try (Communicator comm = Communicators.select("mpi", new Communicators.Options(bucketMiB << 20, summation))) {
            Backend cpu = Backends.cpu();
            Tensor one = Tensor.zeros(cpu, DType.F32, Shape.of(n));
            List<Tensor> many = new ArrayList<>();
            for (int i = 0; i < 100; i++) many.add(Tensor.zeros(cpu, DType.F32, Shape.of(n / 100)));
            double t1 = median(comm, List.of(one), repeats), t100 = median(comm, many, repeats);
            if (comm.isRoot()) {
                double mb = n * 4 / 1e6;
                System.out.printf(Locale.ROOT, "%s %d float32 (%.0f MB), %d ranks, %d MiB buckets: one tensor %.1f ms (%.2f GB/s), "
                                + "100 tensors %.1f ms (%.2f GB/s); median of %d%n", summation, n, mb, comm.size(), bucketMiB, t1 * 1e3,
                        mb / 1e3 / t1, t100 * 1e3, mb / 1e3 / t100, repeats);
            }
            one.close();
            for (Tensor t : many) t.close();
        }
        return 0;
    }

    private static double median(Communicator comm, List<Tensor> list, int repeats) {
        comm.allReduceSum(list); // warm-up: page faults, MPI's connection set-up
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            comm.barrier();
            long t0 = System.nanoTime();
            comm.allReduceSum(list);
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        return s[repeats / 2];
    }
}
