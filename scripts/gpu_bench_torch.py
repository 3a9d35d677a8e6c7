#!/usr/bin/env python3
"""PyTorch's side of `dgm4j bench gpu` (run by scripts/gpu-check.sh on the GPU machine).

Reads the workloads that `dgm4j bench gpu --list` prints (id<TAB>kind<TAB>k=v ...), runs each on the
GPU through PyTorch (cuBLAS for matmuls, cuDNN for convolutions) and writes id<TAB>ms lines, '#'
lines first with the versions and settings. float32 throughout: TF32 is disabled for cuBLAS and
cuDNN and the float32 matmul precision is 'highest', so both sides do float32 arithmetic.
cudnn.benchmark is on (cuDNN picks its fastest algorithm per shape during the warm-up).

Timing is dgm4j's (org.dgm4j.bench.GpuBench): a warm-up of at least 2 calls and --warmup seconds,
each call followed by torch.cuda.synchronize(); then --reps repetitions of k back-to-back calls and
one synchronize, k chosen so that a repetition lasts at least --seconds; the median time per call.

Adding a workload kind: a function `kind(p, dev)` below that returns a zero-argument callable (one
call of the workload), registered in KINDS under the kind's name, as GpuBench.KINDS on the Java side.

  python3 scripts/gpu_bench_torch.py --spec spec.tsv --out torch.tsv
  python3 scripts/gpu_bench_torch.py --spec spec.tsv --check     # parse and list only (no torch needed)
"""
import argparse
import statistics
import sys
import time


def sgemm(p, dev, torch):
    a = torch.randn(p["m"], p["k"], device=dev)
    b = torch.randn(p["k"], p["n"], device=dev)
    return lambda: torch.matmul(a, b)


def bmm(p, dev, torch):
    a = torch.randn(p["b"], p["m"], p["k"], device=dev)
    b = torch.randn(p["b"], p["k"], p["n"], device=dev)
    return lambda: torch.bmm(a, b)


def _conv_inputs(p, dev, torch):
    x = torch.randn(p["n"], p["c"], p["h"], p["w"], device=dev)
    w = torch.randn(p["k"], p["c"], p["r"], p["r"], device=dev)
    return x, w


def conv2d_fwd(p, dev, torch):
    x, w = _conv_inputs(p, dev, torch)
    pad = p["pad"]

    def run():
        with torch.no_grad():
            torch.nn.functional.conv2d(x, w, None, 1, pad)
    return run


def conv2d_fwdbwd(p, dev, torch):
    x, w = _conv_inputs(p, dev, torch)
    x.requires_grad_(True)
    w.requires_grad_(True)
    pad = p["pad"]
    out_hw = p["h"] + 2 * pad - p["r"] + 1
    ones = torch.ones(p["n"], p["k"], out_hw, out_hw, device=dev)

    def run():
        y = torch.nn.functional.conv2d(x, w, None, 1, pad)
        y.backward(ones)  # dX and dW for an all-ones dY, as dgm4j's fwd+bwd
        x.grad = None
        w.grad = None
    return run


def vae_step(p, dev, torch):
    """org.dgm4j.vae.BernoulliVae with Adam: d-h-h-2z encoder, z-h-h-d decoder, -ELBO of a fixed binary batch."""
    nn = torch.nn
    d, h, z, batch = p["d"], p["hidden"], p["latent"], p["batch"]
    enc = nn.Sequential(nn.Flatten(), nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 2 * z)).to(dev)
    dec = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, d)).to(dev)
    params = list(enc.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    x = torch.bernoulli(torch.rand(batch, 1, 28, 28, device=dev))
    target = x.reshape(batch, d)

    def run():
        opt.zero_grad(set_to_none=True)
        mean, log_var = enc(x).split(z, dim=1)
        zz = mean + (0.5 * log_var).exp() * torch.randn_like(mean)
        recon = torch.nn.functional.binary_cross_entropy_with_logits(dec(zz), target, reduction="sum") / batch
        kl = (-0.5 * (1 + log_var - mean.square() - log_var.exp()).sum(1)).mean()
        (recon + kl).backward()
        opt.step()
    return run


KINDS = {"sgemm": sgemm, "bmm": bmm, "conv2d_fwd": conv2d_fwd, "conv2d_fwdbwd": conv2d_fwdbwd, "vae_step": vae_step}


def read_spec(path):
    work = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) != 3:
                sys.exit(f"{path}:{n}: expected id<TAB>kind<TAB>k=v ..., found {line!r}")
            wid, kind, kv = fields
            if kind not in KINDS:
                sys.exit(f"{path}:{n}: {wid}: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))}); add it to {__file__}")
            try:
                params = {k: int(v) for k, v in (item.split("=", 1) for item in kv.split())}
            except ValueError:
                sys.exit(f"{path}:{n}: parameters must be k=integer, found {kv!r}")
            work.append((wid, kind, params))
    if not work:
        sys.exit(f"{path}: no workloads")
    return work


def measure(op, sync, reps, seconds, warmup):
    t0 = time.perf_counter()
    done = 0
    while done < 2 or time.perf_counter() - t0 < warmup:
        op()
        sync()
        done += 1
    per_call = (time.perf_counter() - t0) / done
    k = max(1, min(1_000_000, int(-(-seconds // per_call)) if per_call > 0 else 1))
    ms = []
    for _ in range(reps):
        s = time.perf_counter()
        for _ in range(k):
            op()
        sync()
        ms.append((time.perf_counter() - s) * 1e3 / k)
    return statistics.median(ms), min(ms), max(ms), k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", required=True, help="the output of `dgm4j bench gpu --list`")
    ap.add_argument("--out", help="where to write id<TAB>ms lines")
    ap.add_argument("--check", action="store_true", help="only parse the spec and list the workloads (no torch, no GPU)")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--seconds", type=float, default=0.1)
    ap.add_argument("--warmup", type=float, default=0.3)
    a = ap.parse_args()
    work = read_spec(a.spec)
    if a.check:
        for wid, kind, params in work:
            print(f"{wid}\t{kind}\t{params}")
        print(f"{len(work)} workloads, every kind known to {sys.argv[0]}")
        return
    if not a.out:
        ap.error("--out is needed unless --check")

    import torch
    if not torch.cuda.is_available():
        sys.exit("PyTorch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    dev = torch.device("cuda:0")
    sync = torch.cuda.synchronize
    notes = [f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, "
             f"{torch.cuda.get_device_name(dev)}; float32 with TF32 off (cuBLAS and cuDNN), cudnn.benchmark on; "
             f"medians of {a.reps} repetitions"]
    lines = []
    for wid, kind, params in work:
        op = KINDS[kind](params, dev, torch)
        med, lo, hi, k = measure(op, sync, a.reps, a.seconds, a.warmup)
        print(f"{wid:<22} torch   median {med:.4f} ms (min {lo:.4f}, max {hi:.4f}; {a.reps} reps x {k} calls)", flush=True)
        lines.append(f"{wid}\t{med:.6f}")
        del op
        torch.cuda.empty_cache()
    with open(a.out, "w") as f:
        f.write("".join(f"# {n}\n" for n in notes))
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
