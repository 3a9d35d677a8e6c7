package org.dgm4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.dgm4j.backend.cpu.OneDnn.*;

import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;

/**
 * Geometry of one {@link OneDnn} convolution and its plans: oneDNN convolutions (NCHW or nhwc), 1x1
 * convolutions as matmuls, and "same" convolutions with a narrow side as im2col + matmul.
 */
record OneDnnConv(long n, long c, long h, long w, long k, long r, long s, int sh, int sw, int ph, int pw, int dh, int dw,
                    ConvLayout layout, boolean nhwc, boolean asMatmul) {
    OneDnnConv(long n, long c, long h, long w, long k, long r, long s, int sh, int sw, int ph, int pw, int dh, int dw, ConvLayout layout, boolean nhwc) {
        this(n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw, layout, nhwc,
                pointwiseAsMatmul && r == 1 && s == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0);
    }

    OneDnnConv {
        if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || r < 1 || s < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || dh < 1 || dw < 1) {
            throw new IllegalArgumentException("bad conv2d geometry");
        }
        // fields are assigned after this body: compute the output size from the parameters
        if (h + 2L * ph - (long) dh * (r - 1) - 1 < 0 || w + 2L * pw - (long) dw * (s - 1) - 1 < 0) throw new IllegalArgumentException("conv2d output would be empty");
    }

    /**
     * 1 when the convolution runs as im2col of x + matmul (few input channels), −1 when as matmul +
     * col2im of the output (few output channels), 0 when oneDNN convolves: only "same" convolutions.
     */
    int narrow() {
        boolean same = sh == 1 && sw == 1 && dh == 1 && dw == 1 && r % 2 == 1 && s % 2 == 1 && r * s > 1
                && 2L * ph == r - 1 && 2L * pw == s - 1;
        if (!narrowAsMatmul || !same || Math.min(c, k) > NARROW) return 0;
        return c <= k ? 1 : -1;
    }

    // Which passes of a narrow convolution run as im2col/col2im + matmul: measured per pass (B = 64, Glow's
    // 3x3 convolutions 2 → 128 and 128 → 4 at 14x14, 4 → 128 and 128 → 8 at 7x7, ms per call, matmul path
    // against oneDNN's convolution). Forward: few output channels only (col2im of the narrow output; few
    // input channels: conv 0.6 against 0.9). Backward data: few input channels (gx narrow: 1.0 against
    // 2.4), and few output channels in NCHW only (nhwc: conv 0.8–1.2 against 1.7). Backward weights: few
    // output channels only (few input channels: conv 0.5–0.7 against 0.8–1.4).

    boolean matmulForward() { return narrow() < 0; }
    boolean matmulBackwardData() { return narrow() > 0 || (narrow() < 0 && !nhwc); }
    boolean matmulBackwardWeights() { return narrow() < 0; }

    long outH() { return (h + 2L * ph - (long) dh * (r - 1) - 1) / sh + 1; }
    long outW() { return (w + 2L * pw - (long) dw * (s - 1) - 1) / sw + 1; }

    /** The plan cache's key of this geometry's plan for {@code op}; variant tells apart its options (bias, post-op). */
    Key key(int op, int variant) {
        return new Key(op, n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw, variant, layout.ordinal(), nhwc ? 1 : 0);
    }

    long[] src() { return new long[] {n, c, h, w}; }
    long[] wei() { return new long[] {k, c, r, s}; }
    long[] dst() { return new long[] {n, k, outH(), outW()}; }
    long[] strides() { return new long[] {sh, sw}; }
    long[] dil() { return new long[] {dh - 1, dw - 1}; } // oneDNN counts dilation from 0
    long[] pad() { return new long[] {ph, pw}; } // same right padding: oneDNN then floors like PyTorch

    /** The caller's activation layout: nchw, or nhwc when channels-last. */
    int act() { return nhwc ? dnnl_nhwc : dnnl_nchw; }

    /**
     * The descriptor the primitive is created with: "any" or the plain one. Channels-last activations are
     * given as nhwc, which oneDNN's jit convolutions take as they are (no reorders); weights may be "any".
     */
    dnnl_memory_desc prim(OneDnnPlan p, long[] dims, int plainTag) {
        boolean fixed = layout == ConvLayout.PLAIN || (nhwc && plainTag == dnnl_nhwc);
        return p.md(dims, fixed ? plainTag : dnnl_format_tag_any);
    }

    dnnl_primitive_desc forwardPd(OneDnnPlan p, boolean bias, dnnl_primitive_attr attr) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_convolution_forward_primitive_desc_create(pd, Rt.ENGINE, dnnl_forward_training, dnnl_convolution_direct,
                prim(p, src(), act()), prim(p, wei(), dnnl_oihw), bias ? p.md(new long[] {k}, dnnl_a) : null,
                prim(p, dst(), act()), strides(), dil(), pad(), pad(), attr), "convolution_forward_primitive_desc_create");
        return pd;
    }

    /** oneDNN's convolution, with a ReLU post-op when {@code relu}. */
    OneDnnPlan forward(boolean bias, boolean relu) {
        OneDnnPlan p = new OneDnnPlan();
        dnnl_primitive_attr attr = userScratchpad();
        if (relu) reluPostOp(attr);
        dnnl_primitive_desc pd = forwardPd(p, bias, attr);
        dnnl_primitive_attr_destroy(attr);
        dnnl_memory x = p.bind(p.md(src(), act()), pd, dnnl_query_src_md, false);
        dnnl_memory wt = p.bind(p.md(wei(), dnnl_oihw), pd, dnnl_query_weights_md, false);
        dnnl_memory b = bias ? p.userMemory(p.md(new long[] {k}, dnnl_a)) : null;
        dnnl_memory y = p.bind(p.md(dst(), act()), pd, dnnl_query_dst_md, true);
        p.main = bias ? p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_BIAS, b, DNNL_ARG_DST, y)
                : p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_DST, y);
        return p.done();
    }

    OneDnnPlan backwardData() {
        OneDnnPlan p = new OneDnnPlan();
        dnnl_primitive_desc hint = forwardPd(p, false, null);
        p.keep.add(hint);
        dnnl_primitive_attr attr = userScratchpad();
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_convolution_backward_data_primitive_desc_create(pd, Rt.ENGINE, dnnl_convolution_direct,
                prim(p, src(), act()), prim(p, wei(), dnnl_oihw), prim(p, dst(), act()),
                strides(), dil(), pad(), pad(), hint, attr), "convolution_backward_data_primitive_desc_create");
        dnnl_primitive_attr_destroy(attr);
        dnnl_memory gy = p.bind(p.md(dst(), act()), pd, dnnl_query_diff_dst_md, false);
        dnnl_memory wt = p.bind(p.md(wei(), dnnl_oihw), pd, dnnl_query_weights_md, false);
        dnnl_memory gx = p.bind(p.md(src(), act()), pd, dnnl_query_diff_src_md, true);
        p.main = p.step(pd, DNNL_ARG_DIFF_DST, gy, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_DIFF_SRC, gx);
        return p.done();
    }

    OneDnnPlan backwardWeights(boolean bias) {
        OneDnnPlan p = new OneDnnPlan();
        dnnl_primitive_desc hint = forwardPd(p, bias, null);
        p.keep.add(hint);
        dnnl_primitive_attr attr = userScratchpad();
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_convolution_backward_weights_primitive_desc_create(pd, Rt.ENGINE, dnnl_convolution_direct,
                prim(p, src(), act()), prim(p, wei(), dnnl_oihw), bias ? p.md(new long[] {k}, dnnl_a) : null,
                prim(p, dst(), act()), strides(), dil(), pad(), pad(), hint, attr),
                "convolution_backward_weights_primitive_desc_create");
        dnnl_primitive_attr_destroy(attr);
        dnnl_memory x = p.bind(p.md(src(), act()), pd, dnnl_query_src_md, false);
        dnnl_memory gy = p.bind(p.md(dst(), act()), pd, dnnl_query_diff_dst_md, false);
        dnnl_memory gw = p.bind(p.md(wei(), dnnl_oihw), pd, dnnl_query_diff_weights_md, true);
        dnnl_memory gb = bias ? p.userMemory(p.md(new long[] {k}, dnnl_a)) : null;
        p.main = bias ? p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, gy, DNNL_ARG_DIFF_WEIGHTS, gw, DNNL_ARG_DIFF_BIAS, gb)
                : p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, gy, DNNL_ARG_DIFF_WEIGHTS, gw);
        return p.done();
    }
    // ---- "same" convolutions with a narrow side, as matmuls (callers hold LOCK) --------------
    //
    // Few input channels (backward data only): gcol by the 1x1 plans with c·r·s input channels and the
    // OIHW weight as it is, (k, c·r·s), gx = col2im(gcol). Few output channels: the weight reshaped to
    // wr (k·r·s, c) (tap-major rows), z = wr·x[i] (n, k·r·s, hw) by the 1x1 plans, y = col2im(z) with
    // the opposite tap sign; the backward passes take im2col(gy) with that sign. See Im2col.

    /** The 1x1 geometry (n, cc → kk, h, w) whose plans do the matmuls. */
    OneDnnConv pointwise(long cc, long kk) {
        return new OneDnnConv(n, cc, h, w, kk, 1, 1, 1, 1, 0, 0, 1, 1, layout, false, true);
    }

    long rs() { return r * s; }
    long floats(long count) { return (count * 4 + 63) & ~63L; }

    /** Few output channels only (matmulForward). */
    void narrowForward(Pointer x, Pointer wt, Pointer bias, Pointer y) {
        long wr = work(floats(k * rs() * c) + floats(n * k * rs() * h * w)), z = wr + floats(k * rs() * c);
        Im2col.swapLast(Im2col.address(wt), wr, (int) k, (int) c, (int) rs());
        OneDnnConv pw = pointwise(c, k * rs());
        run(pw.key(4, 0), () -> pw.pointwiseForward(false), x, ptr(wr), ptr(z));
        Im2col.col2im(z, Im2col.address(bias), Im2col.address(y), n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
    }

    void narrowBackwardData(Pointer gy, Pointer wt, Pointer gx) {
        if (narrow() > 0) {
            long gcol = work(floats(n * c * rs() * h * w));
            OneDnnConv pw = pointwise(c * rs(), k);
            run(pw.key(5, 0), pw::pointwiseBackwardData, gy, wt, ptr(gcol));
            Im2col.col2im(gcol, 0, Im2col.address(gx), n, (int) c, (int) h, (int) w, (int) r, (int) s, 1);
        } else {
            long wr = work(floats(k * rs() * c) + floats(n * k * rs() * h * w)), col = wr + floats(k * rs() * c);
            Im2col.swapLast(Im2col.address(wt), wr, (int) k, (int) c, (int) rs());
            Im2col.im2col(Im2col.address(gy), col, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
            OneDnnConv pw = pointwise(c, k * rs());
            run(pw.key(5, 0), pw::pointwiseBackwardData, ptr(col), ptr(wr), gx);
        }
    }

    /** Few output channels only (matmulBackwardWeights). */
    void narrowBackwardWeights(Pointer x, Pointer gy, Pointer gw, Pointer gbias) {
        long gwr = work(floats(k * rs() * c) + floats(n * k * rs() * h * w)), col = gwr + floats(k * rs() * c);
        Im2col.im2col(Im2col.address(gy), col, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
        OneDnnConv pw = pointwise(c, k * rs());
        run(pw.key(6, 0), () -> pw.pointwiseBackwardWeights(false), x, ptr(col), ptr(gwr));
        Im2col.swapLast(gwr, Im2col.address(gw), (int) k, (int) rs(), (int) c);
        if (gbias != null) Im2col.biasGrad(Im2col.address(gy), Im2col.address(gbias), n, (int) k, (int) (h * w));
    }

    // ---- 1x1, stride 1, no padding: per image y[i] (k, hw) = w (k, c)·x[i] (c, hw), on the NCHW data as it is

    long[] rows(long a, long b) { return new long[] {a * b, b, 1}; } // strides of a plain (batch, a, b)

    /** x (n, c, hw), w (1, k, c) broadcast over the images, bias (1, k, 1) → y (n, k, hw). */
    OneDnnPlan pointwiseForward(boolean bias) {
        OneDnnPlan p = new OneDnnPlan();
        long hw = h * w;
        dnnl_memory_desc xd = p.md(new long[] {n, c, hw}, rows(c, hw)), wd = p.md(new long[] {1, k, c}, rows(k, c));
        dnnl_memory_desc bd = bias ? p.md(new long[] {1, k, 1}, rows(k, 1)) : null, yd = p.md(new long[] {n, k, hw}, rows(k, hw));
        dnnl_memory x = p.userMemory(xd), wt = p.userMemory(wd), b = bias ? p.userMemory(bd) : null, y = p.userMemory(yd);
        p.main = p.matmul(wd, wt, xd, x, bd, b, yd, y);
        return p.done();
    }

    /** gx[i] (c, hw) = wᵀ (c, k)·gy[i] (k, hw); wᵀ is a strided view of w. */
    OneDnnPlan pointwiseBackwardData() {
        OneDnnPlan p = new OneDnnPlan();
        long hw = h * w;
        dnnl_memory_desc gyd = p.md(new long[] {n, k, hw}, rows(k, hw)), wtd = p.md(new long[] {1, c, k}, new long[] {k * c, 1, c});
        dnnl_memory_desc gxd = p.md(new long[] {n, c, hw}, rows(c, hw));
        dnnl_memory gy = p.userMemory(gyd), wt = p.userMemory(wtd), gx = p.userMemory(gxd);
        p.main = p.matmul(wtd, wt, gyd, gy, null, null, gxd, gx);
        return p.done();
    }

    /**
     * gw (k, c) = Σ_i gy[i] (k, hw)·x[i]ᵀ (hw, c): a batched matmul into a temporary (n, k, c), then the
     * sum over the images as ones (1, n)·(n, k·c). gbias (k) = Σ gy over pixels, gy (n, k, hw)·ones (1, hw, 1),
     * then over images, ones (1, n)·(n, k). Sums as matmuls: oneDNN's reduction primitive has only its
     * reference implementation for these shapes.
     */
    OneDnnPlan pointwiseBackwardWeights(boolean bias) {
        OneDnnPlan p = new OneDnnPlan();
        long hw = h * w;
        dnnl_memory_desc xtd = p.md(new long[] {n, hw, c}, new long[] {c * hw, 1, hw}), gyd = p.md(new long[] {n, k, hw}, rows(k, hw));
        dnnl_memory_desc gwd = p.md(new long[] {1, k * c}, new long[] {k * c, 1}), gbd = bias ? p.md(new long[] {1, k}, new long[] {k, 1}) : null;
        dnnl_memory x = p.userMemory(xtd), gy = p.userMemory(gyd), gw = p.userMemory(gwd), gb = bias ? p.userMemory(gbd) : null;
        dnnl_memory_desc perImage = p.md(new long[] {n, k, c}, rows(k, c)), perImageRows = p.md(new long[] {n, k * c}, new long[] {k * c, 1});
        dnnl_memory_desc onesN = p.md(new long[] {1, n}, new long[] {n, 1});
        dnnl_memory tmp = p.temp(perImage), tmpRows = p.alias(perImageRows), onesMem = p.ones(onesN, n);
        p.main = p.matmul(gyd, gy, xtd, x, null, null, perImage, tmp);
        p.post.add(p.matmul(onesN, onesMem, perImageRows, tmpRows, null, null, gwd, gw));
        if (bias) {
            dnnl_memory_desc onesHw = p.md(new long[] {1, hw, 1}, rows(hw, 1));
            dnnl_memory_desc perImageB = p.md(new long[] {n, k, 1}, rows(k, 1)), perImageBRows = p.md(new long[] {n, k}, new long[] {k, 1});
            dnnl_memory tb = p.temp(perImageB), tbRows = p.alias(perImageBRows), onesP = p.ones(onesHw, hw);
            p.post.add(p.matmul(gyd, gy, onesHw, onesP, null, null, perImageB, tb));
            p.post.add(p.matmul(onesN, onesMem, perImageBRows, tbRows, null, null, gbd, gb));
        }
        return p.done();
    }

    // ---- "same" convolutions with a narrow side, channels-last (callers hold LOCK) ----------------
    //
    // The narrow tensor (few channels: cheap to move) is transposed per image to planar (n, ch, hw), so
    // Im2col's planar loops serve as in NCHW, and the matmuls are per image with the wide NHWC side read
    // through a transposed view: the shapes oneDNN runs well (one matmul over all pixels with 18 or 36
    // output columns, or a K of n·hw, measured 2-3x slower). Few input channels (backward data only;
    // q = c·r·s, the OIHW weight as it is is (k, q)): gcol[i] (q, hw) = wᵀ·gy[i]ᵀ, gx = col2im(gcol).
    // Few output channels (forward and backward weights; q = k·r·s, w2 (q, c) the weight with its last
    // two axes swapped): z[i] = w2·x[i]ᵀ, y = col2im(z) with the opposite tap sign; gw2 = Σ_i col[i]·x[i]
    // with col = im2col(gy) of that sign.

    long hw() { return h * w; }

    /** Few output channels only (matmulForward). */
    void narrowForwardNhwc(Pointer x, Pointer wt, Pointer bias, Pointer y) {
        long q = k * rs(), w2 = work(floats(q * c) + floats(n * q * hw()) + floats(n * k * hw()));
        long z = w2 + floats(q * c), yc = z + floats(n * q * hw());
        Im2col.swapLast(Im2col.address(wt), w2, (int) k, (int) c, (int) rs());
        run(key(10, 0), () -> planarFromWide(q, c, false), ptr(w2), x, ptr(z));
        Im2col.col2im(z, Im2col.address(bias), yc, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
        Im2col.swapLast(yc, Im2col.address(y), (int) n, (int) k, (int) hw());
    }

    /** Few input channels only (matmulBackwardData). */
    void narrowBackwardDataNhwc(Pointer gy, Pointer wt, Pointer gx) {
        long q = c * rs(), gcol = work(floats(n * q * hw()) + floats(n * c * hw())), gxc = gcol + floats(n * q * hw());
        run(key(11, 0), () -> planarFromWide(q, k, true), wt, gy, ptr(gcol));
        Im2col.col2im(gcol, 0, gxc, n, (int) c, (int) h, (int) w, (int) r, (int) s, 1);
        Im2col.swapLast(gxc, Im2col.address(gx), (int) n, (int) c, (int) hw());
    }

    /** Few output channels only (matmulBackwardWeights). */
    void narrowBackwardWeightsNhwc(Pointer x, Pointer gy, Pointer gw, Pointer gbias) {
        long q = k * rs(), g = work(floats(q * c) + floats(n * k * hw()) + floats(n * q * hw()));
        long gyc = g + floats(q * c), col = gyc + floats(n * k * hw());
        Im2col.swapLast(Im2col.address(gy), gyc, (int) n, (int) hw(), (int) k);
        Im2col.im2col(gyc, col, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
        run(key(13, 0), () -> gradSum(q, c), ptr(col), x, ptr(g));
        Im2col.swapLast(g, Im2col.address(gw), (int) k, (int) rs(), (int) c);
        if (gbias != null) Im2col.biasGradRows(Im2col.address(gy), Im2col.address(gbias), n * hw(), (int) k);
    }

    /**
     * planar (n, q, hw) = a (q, wide)·wide[i]ᵀ (wide, hw) for each image, wide (n, hw, wide) channels-last; a
     * is broadcast over the images, given as (q, wide) or, when aT, as its transpose (wide, q) in memory.
     */
    OneDnnPlan planarFromWide(long q, long wide, boolean aT) {
        OneDnnPlan p = new OneDnnPlan();
        long hw = hw();
        dnnl_memory_desc ad = p.md(new long[] {1, q, wide}, aT ? new long[] {q * wide, 1, q} : rows(q, wide));
        dnnl_memory_desc wd = p.md(new long[] {n, wide, hw}, new long[] {hw * wide, 1, wide}), pd = p.md(new long[] {n, q, hw}, rows(q, hw));
        dnnl_memory a = p.userMemory(ad), wm = p.userMemory(wd), pm = p.userMemory(pd);
        p.main = p.matmul(ad, a, wd, wm, null, null, pd, pm);
        return p.done();
    }

    /**
     * g (q, wide) = Σ_i planar[i] (q, hw)·wide[i] (hw, wide): per image into a temporary (n, q, wide), then the
     * sum over the images as ones (1, n)·(n, q·wide).
     */
    OneDnnPlan gradSum(long q, long wide) {
        OneDnnPlan p = new OneDnnPlan();
        long hw = hw();
        dnnl_memory_desc pd = p.md(new long[] {n, q, hw}, rows(q, hw)), wd = p.md(new long[] {n, hw, wide}, rows(hw, wide));
        dnnl_memory_desc gd = p.md(new long[] {1, q * wide}, new long[] {q * wide, 1});
        dnnl_memory pm = p.userMemory(pd), wm = p.userMemory(wd), g = p.userMemory(gd);
        dnnl_memory_desc perImage = p.md(new long[] {n, q, wide}, rows(q, wide)), perImageRows = p.md(new long[] {n, q * wide}, new long[] {q * wide, 1});
        dnnl_memory_desc onesN = p.md(new long[] {1, n}, new long[] {n, 1});
        dnnl_memory tmp = p.temp(perImage), tmpRows = p.alias(perImageRows), onesMem = p.ones(onesN, n);
        p.main = p.matmul(pd, pm, wd, wm, null, null, perImage, tmp);
        p.post.add(p.matmul(onesN, onesMem, perImageRows, tmpRows, null, null, gd, g));
        return p.done();
    }

    // ---- 1x1, stride 1, no padding, channels-last: the pixels are the rows of ONE matmul, x (n·h·w, c)
    // and y (n·h·w, k); ~2x the GFLOP/s of the per-image matmuls above (no temporary summed over images)

    /** y (m, k) = x (m, c)·wᵀ (c, k) + bias (1, k); wᵀ is a strided view of w (k, c); m = n·h·w. */
    OneDnnPlan rowsForward(boolean bias) {
        OneDnnPlan p = new OneDnnPlan();
        long m = n * h * w;
        dnnl_memory_desc xd = p.md(new long[] {m, c}, new long[] {c, 1}), wd = p.md(new long[] {c, k}, new long[] {1, c});
        dnnl_memory_desc bd = bias ? p.md(new long[] {1, k}, new long[] {k, 1}) : null, yd = p.md(new long[] {m, k}, new long[] {k, 1});
        dnnl_memory x = p.userMemory(xd), wt = p.userMemory(wd), b = bias ? p.userMemory(bd) : null, y = p.userMemory(yd);
        p.main = p.matmul(xd, x, wd, wt, bd, b, yd, y);
        return p.done();
    }

    /** gx (m, c) = gy (m, k)·w (k, c). */
    OneDnnPlan rowsBackwardData() {
        OneDnnPlan p = new OneDnnPlan();
        long m = n * h * w;
        dnnl_memory_desc gyd = p.md(new long[] {m, k}, new long[] {k, 1}), wd = p.md(new long[] {k, c}, new long[] {c, 1});
        dnnl_memory_desc gxd = p.md(new long[] {m, c}, new long[] {c, 1});
        dnnl_memory gy = p.userMemory(gyd), wt = p.userMemory(wd), gx = p.userMemory(gxd);
        p.main = p.matmul(gyd, gy, wd, wt, null, null, gxd, gx);
        return p.done();
    }

    /** gw (k, c) = gyᵀ (k, m)·x (m, c), gyᵀ a strided view; gbias (1, k) = ones (1, m)·gy (m, k). */
    OneDnnPlan rowsBackwardWeights(boolean bias) {
        OneDnnPlan p = new OneDnnPlan();
        long m = n * h * w;
        dnnl_memory_desc xd = p.md(new long[] {m, c}, new long[] {c, 1}), gytd = p.md(new long[] {k, m}, new long[] {1, k});
        dnnl_memory_desc gwd = p.md(new long[] {k, c}, new long[] {c, 1});
        dnnl_memory x = p.userMemory(xd), gyt = p.userMemory(gytd), gw = p.userMemory(gwd);
        p.main = p.matmul(gytd, gyt, xd, x, null, null, gwd, gw);
        if (bias) {
            dnnl_memory_desc gyd = p.md(new long[] {m, k}, new long[] {k, 1}), gbd = p.md(new long[] {1, k}, new long[] {k, 1});
            dnnl_memory_desc onesM = p.md(new long[] {1, m}, new long[] {m, 1});
            dnnl_memory gb = p.userMemory(gbd), gy = p.alias(gyd, gyt), onesMem = p.ones(onesM, m);
            p.post.add(p.matmul(onesM, onesMem, gyd, gy, null, null, gbd, gb));
        }
        return p.done();
    }
}
