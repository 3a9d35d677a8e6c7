#!/usr/bin/env bash
# dgm4j against PyTorch on the CPU (through DJL, ../shared/peers) on the same training steps, back to
# back in one run: the MLP VAE step, the RealNVP-2D step and the Glow step and forward pass (K=8,
# hidden 128). Prints medians and speed ratios (PyTorch ms / dgm4j ms; the goal is >= 1.3).
#
#   scripts/bench-vs-peers.sh [OUT_DIR]        default OUT_DIR: runs/bench-vs-peers-<date-time>
#
# PEERS_DIR: the peers' checkout (default: ../shared/peers beside this repository); it is copied to a
# temporary folder and built there (the first build downloads PyTorch's jars from Maven Central).
# Takes about 15 minutes on an idle 2-core machine; other processes make both sides slower unequally.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
peers="${PEERS_DIR:-$root/../shared/peers}"
out="${1:-runs/bench-vs-peers-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out" && out="$(cd "$out" && pwd)"
[[ -x "$peers/run.sh" ]] || { echo "bench-vs-peers: no peers checkout at $peers (set PEERS_DIR)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$peers" "$work/peers"
rm -rf "$work/peers/results"
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive

echo "== dgm4j (CPU backend)"
"$root/scripts/dgm4j" bench vae-step 2>/dev/null | tee "$out/dgm4j-vae-step.md"
"$root/scripts/dgm4j" bench flows --glow-sizes 8x128 2>/dev/null | tee "$out/dgm4j-flows.md"

echo "== PyTorch via DJL (peers' run.sh djl glow)"
(cd "$work/peers" && PEERS_RESULTS="$out/peers" PEERS_OPTS="-Dpeers.glowSizes=8x128" ./run.sh djl glow) > "$out/peers.log" 2>&1 \
  || { tail -20 "$out/peers.log" >&2; echo "bench-vs-peers: the peers' run failed (log: $out/peers.log)" >&2; exit 1; }

# the median in ms of a peers' TSV row (columns: peer, bench, shape, median, ...): bench starting with $2, shape containing $3
torch_ms() { awk -F'\t' -v b="$2" -v s="$3" 'index($2, b) == 1 && index($3, s) { print $4; exit }' "$out/peers/$1"; }
# the first **number** of the markdown row of dgm4j's output that starts with the benchmark's name
dgm4j_ms() { grep -m1 "^| $2 " "$out/$1" | sed -E 's/[^*]*\*\*([0-9.]+).*/\1/'; }

{
  echo "| step | shape | dgm4j ms | PyTorch ms | speed ratio (PyTorch / dgm4j) |"
  echo "|---|---|---:|---:|---:|"
  row() {
    local d t; d="$(dgm4j_ms "$1" "$2")"; t="$(torch_ms "$3" "$2" "$4")"
    if [[ -z "$d" || -z "$t" ]]; then echo "| $2 | $4 | ${d:-missing} | ${t:-missing} | |"; return; fi
    awk -v d="$d" -v t="$t" -v b="$2" -v s="$4" 'BEGIN { printf "| %s | %s | %.2f | %.2f | **%.2f** |\n", b, s, d, t, t / d }'
  }
  row dgm4j-vae-step.md "VAE train step" pytorch-djl.tsv "MLP 784-512-512-2x32, B=128"
  row dgm4j-flows.md "RealNVP-2D train step" pytorch-djl.tsv "8 couplings"
  row dgm4j-flows.md "Glow train step" pytorch-djl.glow.tsv "K=8, hidden=128"
  row dgm4j-flows.md "Glow log-likelihood" pytorch-djl.glow.tsv "K=8, hidden=128"
} | tee "$out/table.md"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); files in $out"
