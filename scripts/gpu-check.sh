#!/usr/bin/env bash
# The CUDA backend checked on a real GPU, in one self-contained run on a machine that has nvcc, CMake,
# g++, compute-sanitizer, python3 with PyTorch and an NVIDIA GPU, but no Java and no network.
#
#   scripts/gpu-check.sh pack            here (JDK 17+, Maven, zip, xz or python3): builds the project and
#                                        puts what the GPU run needs into .gpu-check/ (git-ignored): a
#                                        jlinked Java runtime, the jars, the test classes and JUnit's
#                                        console launcher; prints the size that travels (limit 64 MiB)
#   scripts/gpu-check.sh run             on the GPU machine, in the repository root with .gpu-check/:
#                                        1 GPU and driver, 2 native/cuda built by nvcc (the device's
#                                        arch + cmake/cuda.cmake's list), 3 the @Tag("cuda") tests on
#                                        the GPU, 3b the @Tag("nccl") tests (a one-rank NCCL
#                                        communicator) with the NCCL and cudart 13 libraries of the
#                                        machine's Python packages, 4 compute-sanitizer memcheck and
#                                        racecheck, 5 the GPU-vs-CPU-vs-PyTorch benchmark table; exit 0
#                                        only if all pass
#   scripts/gpu-check.sh run --emulator  dry run here: steps 3 and 5 on the CUDA emulator library that
#                                        mvn built (target/native/emu), no nvcc, sanitizer or PyTorch
#
# Through the device tool: run `scripts/gpu-check.sh run` with carry [".gpu-check"]; the results
# (the table, the logs) are written to .gpu-check/results/ and copied to $OUT when it is set, after
# every step, so a call killed at the tool's limit still returns the steps it finished. One call
# has 10 minutes: the run skips the steps that would start with under 30 s of GPU_CHECK_BUDGET_S
# left (and names them); GPU_CHECK_STEPS splits the run over calls made while the machine is warm
# (step 2's library stays in target/gpu-check-native/, outside the carried folder), e.g.
#   GPU_CHECK_STEPS="1 2 3 3b" scripts/gpu-check.sh run, then GPU_CHECK_STEPS="4 5" scripts/gpu-check.sh run
#
# Settings (environment):
#   GPU_CHECK_DIR                 the folder (default .gpu-check)
#   GPU_CHECK_STEPS               the steps to run (default "1 2 3 3b 4 5"); without 2, the library
#                                 an earlier call built in target/gpu-check-native/ is used
#   GPU_CHECK_BUDGET_S            seconds the run may take (default 540, inside the device tool's 600)
#   GPU_CHECK_MEMCHECK_CLASSES    test classes for memcheck, simple names, or "all" (default: all)
#   GPU_CHECK_RACECHECK_CLASSES   test classes for racecheck (default: the tests of the kernels with
#                                 shared memory: CudaLinalgParityTest (gemm, conv2d tiles) and
#                                 CudaReduceParityTest (reduce.cu)), or "all"
#   GPU_CHECK_SANITIZER_TIMEOUT   seconds per sanitizer run before it counts as failed (default 180)
#   GPU_CHECK_BENCH_ARGS          extra arguments for `dgm4j bench gpu` (e.g. "--only 'conv.*'")
#   GPU_CHECK_BUILD=1             with --emulator: also run step 2's nvcc build (needs nvcc here)
#   GPU_CHECK_NCCL=0              skip step 3b (NCCL)
#   GPU_CHECK_NCCL_LIBS           folders holding libnccl.so.2 / libcudart.so.13 (colon-separated),
#                                 searched before the Python packages (nvidia.*, torch), the CUDA
#                                 folders and the loader's cache
#   PYTHON                        the Python whose packages hold NCCL (default python3)
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
dir="${GPU_CHECK_DIR:-.gpu-check}"
limit_bytes=$((64 * 1024 * 1024))
console_jar=junit-platform-console-standalone.jar
# Modules jdeps finds that the GPU run never loads: java.desktop (PNG grids and plots of
# org.dgm4j.io/train/cli), java.sql (JUnit's shaded CSV parser for @CsvSource), java.xml (JUnit's
# XML reports, not written here). Their users are printed when packing; the dry run (run
# --emulator) goes through the same code with this runtime.
drop_modules="java.desktop java.sql java.xml"
# Jars of target/lib the GPU run uses (tests and `dgm4j bench gpu`); snakeyaml only reads run configs.
# cuda: the CUDA presets for NCCL (step 3b); its natives jar is cut down to the two JNI libraries
# NCCL loads (cudart's and nccl's), see cuda_keep.
run_jars="javacpp dnnl opencl picocli cuda"
cuda_natives_jar="cuda-*-linux-x86_64.jar"
cuda_keep="org/bytedeco/cuda/linux-x86_64/libjnicudart.so org/bytedeco/cuda/linux-x86_64/libjninccl.so"
# The one large native library travels xz-compressed (26 MB as a jar entry, 15 MB as .xz) and is
# unpacked onto java.library.path at run time; JavaCPP (pathsFirst) loads it from there by name.
big_native_jar="dnnl-*-linux-x86_64.jar"
big_native_entry="org/bytedeco/dnnl/linux-x86_64/libdnnl.so.3"

die() { echo "gpu-check: $*" >&2; exit 1; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
bytes_of() { find "$@" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

# ---------------------------------------------------------------------------------------------- pack

pack() {
  local t0=$SECONDS
  command -v mvn >/dev/null || die "pack needs Maven (mvn)"
  command -v zip >/dev/null || die "pack needs zip (apt-get install zip)"
  local jbin
  jbin="$(dirname "$(readlink -f "$(command -v javac || die "pack needs a JDK 17+ (javac)")")")"
  [[ -x "$jbin/jlink" && -x "$jbin/jdeps" ]] || die "no jlink/jdeps beside $jbin/javac"
  case "$dir" in /*|*..*|"") die "GPU_CHECK_DIR must be a relative folder inside the repository, found '$dir'";; esac
  git check-ignore -q "$dir/x" || die "$dir is not git-ignored: add /$dir/ to .gitignore"

  echo "== building (mvn package, JUnit console launcher)"
  mvn -B -q -DskipTests package dependency:copy@gpu-check-junit-console
  rm -rf "$dir"
  mkdir -p "$dir/lib" "$dir/natives" "$dir/tools"

  local j name
  for name in $run_jars; do
    for j in target/lib/"$name"-[0-9]*.jar; do
      [[ -f "$j" ]] || die "no target/lib/$name-*.jar"
      cp "$j" "$dir/lib/"
    done
  done
  # dgm4j.jar without the libdgm4j_cuda.so built here: the run loads the one it builds (or the
  # emulator), and a wrong library path then fails loudly instead of loading this copy
  cp target/dgm4j.jar "$dir/lib/"
  zip -q -d "$dir/lib/dgm4j.jar" 'org/dgm4j/backend/cuda/linux-x86_64/libdgm4j_cuda.so' >/dev/null
  cp target/gpu-check-tools/junit-platform-console-standalone-*.jar "$dir/tools/$console_jar"
  cp -r target/test-classes "$dir/test-classes"

  # the large native library: out of its jar (with the jar's headers and CMake files), xz beside
  local big; big="$(ls "$dir"/lib/$big_native_jar)"
  local cache="target/gpu-check-cache/$(basename "$big").$(basename "$big_native_entry").xz"
  if [[ ! -s "$cache" || "$cache" -ot "target/lib/$(basename "$big")" ]]; then
    echo "== compressing $(basename "$big_native_entry") (xz, once per dnnl version)"
    mkdir -p "$(dirname "$cache")"
    if command -v xz >/dev/null; then
      unzip -p "$big" "$big_native_entry" | xz -6 -T0 > "$cache.tmp"
    else
      unzip -p "$big" "$big_native_entry" | python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.compress(sys.stdin.buffer.read(), preset=6))' > "$cache.tmp"
    fi
    mv "$cache.tmp" "$cache"
  fi
  cp "$cache" "$dir/natives/$(basename "$big_native_entry").xz"
  zip -q -d "$big" "$big_native_entry" "${big_native_entry%/*}/include/*" "${big_native_entry%/*}/lib/*" >/dev/null

  # the CUDA presets' natives: only the JNI libraries that loading org.bytedeco.cuda.global.nccl needs
  local cj e drop=()
  cj="$(ls "$dir"/lib/$cuda_natives_jar)" || die "no $cuda_natives_jar in $dir/lib"
  for e in $(unzip -Z1 "$cj" 'org/bytedeco/cuda/linux-x86_64/*.so'); do
    [[ " $cuda_keep " == *" $e "* ]] || drop+=("$e")
  done
  for e in $cuda_keep; do unzip -Z1 "$cj" "$e" >/dev/null 2>&1 || die "$cj has no $e: did the presets change?"; done
  (( ${#drop[@]} == 0 )) || zip -q -d "$cj" "${drop[@]}" >/dev/null

  echo "== Java runtime (jdeps + jlink)"
  local cp="$dir/lib/*:$dir/tools/$console_jar"
  local found mods=() m
  # --list-deps: every module, not the reduced set (which hides java.logging behind java.sql)
  found="$("$jbin/jdeps" --list-deps --ignore-missing-deps --multi-release 17 --class-path "$cp" \
      "$dir"/lib/*.jar "$dir/tools/$console_jar" "$dir/test-classes" 2>/dev/null | awk '$1 ~ /^[a-z][a-z0-9.]*$/ { print $1 }' | paste -sd,)"
  [[ "$found" == java.base* ]] || die "jdeps failed: '$found'"
  for m in ${found//,/ }; do
    if [[ " $drop_modules " == *" $m "* ]]; then
      echo "   leaving out $m, which the GPU run does not load; its users: $("$jbin/jdeps" -verbose:class --ignore-missing-deps --multi-release 17 --class-path "$cp" \
          "$dir"/lib/*.jar "$dir/tools/$console_jar" "$dir/test-classes" 2>/dev/null \
          | awk -v m="$m" '$2 == "->" && $NF == m && $1 !~ /\.jar$/ && $1 ~ /^[a-z][A-Za-z0-9_$]*\.[A-Za-z0-9_.$]+$/ { print $1 }' \
          | sed 's/\.[^.]*$//' | sort -u | tr '\n' ' ')"
    else
      mods+=("$m")
    fi
  done
  local modlist; modlist="$(IFS=,; echo "${mods[*]}")"
  echo "   modules: $modlist (jdeps found: $found)"
  "$jbin/jlink" --add-modules "$modlist" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$dir/jre"
  # Debian's libjvm.so keeps its symbol tables (24 of the runtime's 36 MiB); without them it is 4 MiB
  # smaller and only a crash report loses function names
  if command -v strip >/dev/null; then strip --strip-unneeded "$dir/jre/lib/server/libjvm.so"; fi
  "$dir/jre/bin/java" -version 2>&1 | sed 's/^/   /'

  echo "== what travels to the GPU machine"
  local tree_files total=0 b
  tree_files="$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')"
  printf '   %-44s %12s\n' "working tree (tracked + untracked, not ignored)" "$(mib "$tree_files")"
  total=$tree_files
  for part in jre lib natives tools test-classes; do
    b="$(bytes_of "$dir/$part")"
    printf '   %-44s %12s\n' "$dir/$part" "$(mib "$b")"
    total=$((total + b))
  done
  for j in "$dir"/lib/*.jar; do printf '     %-42s %12s\n' "$(basename "$j")" "$(mib "$(stat -c %s "$j")")"; done
  printf '   %-44s %12s  (limit %s)\n' "total" "$(mib "$total")" "$(mib "$limit_bytes")"
  echo "$total" > "$dir/travel-bytes"
  if (( total > limit_bytes )); then
    die "the travel size $(mib "$total") exceeds the device tool's limit of $(mib "$limit_bytes"): shrink $dir (fewer jars or modules) or the working tree"
  fi
  echo "== packed in $((SECONDS - t0)) s; on the GPU machine: scripts/gpu-check.sh run (device tool: carry [\"$dir\"])"
}

# ----------------------------------------------------------------------------------------------- run

phase_names=()
phase_secs=()
failures=()
phase_t0=0
phase() {
  end_phase
  phase_t0=$SECONDS
  phase_names+=("$1")
  echo
  echo "=== $1   (at $((SECONDS - run_t0)) s)"
}
end_phase() {
  if (( ${#phase_names[@]} > ${#phase_secs[@]} )); then phase_secs+=($((SECONDS - phase_t0))); fi
  sync_out
}
# seconds left of GPU_CHECK_BUDGET_S
remaining() { echo $(( ${GPU_CHECK_BUDGET_S:-540} - (SECONDS - run_t0) )); }
# wanted STEP: whether GPU_CHECK_STEPS names the step and the budget has 30 s for it (else it is
# recorded as not run, with the call that runs it)
wanted() {
  [[ " ${GPU_CHECK_STEPS:-1 2 3 3b 4 5} " == *" $1 "* ]] || { echo; echo "=== step $1: not in GPU_CHECK_STEPS"; return 1; }
  if (( $(remaining) < 30 )); then
    echo; echo "=== step $1: skipped, $(remaining) s of GPU_CHECK_BUDGET_S left"
    failed "step $1 not run (time): GPU_CHECK_STEPS=\"$1 ...\" scripts/gpu-check.sh run in a next call while the machine is warm"
    return 1
  fi
}
failed() { failures+=("$*"); echo "FAILED: $*"; }

# the counts of JUnit's console summary, e.g. "[       143 tests successful      ]"
count() { sed -n "s/^\[ *\([0-9][0-9]*\) $2 *\]\$/\1/p" "$1" | tail -1; }

# Runs the tests of one tag: junit_run NAME TAG CLASSES [command prefix...]; CLASSES = "all" (every
# class with the tag) or simple names in org.dgm4j.backend.cuda. Sets ok=1 when they all passed, none
# skipped, more than zero.
junit_run() {
  local name="$1" tag="$2" classes="$3"; shift 3
  local log="$results/$name.log" sel=() c rc=0
  if [[ "$classes" == all ]]; then sel=(--scan-class-path "$dir/test-classes")
  else for c in $classes; do sel+=(--select-class "org.dgm4j.backend.cuda.$c"); done; fi
  (export "${java_env[@]}"; exec "$@" "$java" "${java_opts[@]}" -cp "$test_cp" org.junit.platform.console.ConsoleLauncher execute \
      --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii --fail-if-no-tests \
      --include-tag "$tag" "${sel[@]}") > "$log" 2>&1 || rc=$?
  local ok_n fail_n abort_n skip_n cabort cfail
  ok_n="$(count "$log" "tests successful")"; fail_n="$(count "$log" "tests failed")"
  abort_n="$(count "$log" "tests aborted")"; skip_n="$(count "$log" "tests skipped")"
  cabort="$(count "$log" "containers aborted")"; cfail="$(count "$log" "containers failed")"
  ok=0
  tests_ok="${ok_n:-0}"
  tests_started="$(count "$log" "tests started")"
  if [[ -z "$ok_n" ]]; then
    tail -20 "$log"
    failed "$name: no JUnit summary in $log (exit $rc)"
    return
  fi
  : "${fail_n:=0}" "${abort_n:=0}" "${skip_n:=0}" "${cabort:=0}" "${cfail:=0}"
  echo "$name: ${ok_n} tests successful, ${fail_n} failed, ${abort_n} aborted, ${skip_n} skipped; containers: ${cabort} aborted, ${cfail} failed (JUnit exit $rc; log $log)"
  if (( fail_n > 0 || cfail > 0 )); then
    grep -E "^\s*(\||'|\+).*\[X\]|=> |Exception|Error" "$log" | head -30 || true
    failed "$name: $fail_n tests and $cfail containers failed"
  elif (( cabort > 0 || abort_n > 0 || skip_n > 0 )); then
    grep -iE "assumption|no CUDA device|unavailable|not usable" "$log" | head -5 || true
    failed "$name: the suite was skipped in part ($cabort containers and $abort_n tests aborted, $skip_n skipped): is the $tag probe unavailable?"
  elif (( ok_n == 0 )); then
    failed "$name: zero tests ran"
  elif (( rc != 0 )); then
    failed "$name: JUnit exited with $rc"
  else
    ok=1
  fi
}

# sanitizer TOOL CLASSES: the CUDA tests under compute-sanitizer; fails without the tool, without its
# ERROR SUMMARY line, with errors, or with failing tests
sanitizer() {
  local tool="$1" classes="$2" t="${GPU_CHECK_SANITIZER_TIMEOUT:-180}" left
  left=$(( $(remaining) - 15 ))
  if (( left < 30 )); then failed "$tool not run (time): GPU_CHECK_STEPS=\"4\" in a next call"; return; fi
  (( t <= left )) || t=$left
  echo "$tool over: $classes (timeout $t s)"
  java_opts_saved=("${java_opts[@]}")
  # memcheck sees each tensor's exact end only when the caching allocator does not round sizes
  java_opts+=(-Ddgm4j.cuda.exactSizes=true)
  # API errors are off: the library checks every call's status itself (and the tests check those
  # paths), and one test asks for more memory than the card has on purpose
  junit_run "$tool" cuda "$classes" timeout "$t" "$sanitizer_bin" --tool "$tool" --target-processes all --report-api-errors no \
      --print-limit 20 --error-exitcode 86
  java_opts=("${java_opts_saved[@]}")
  local log="$results/$tool.log" summary
  summary="$(grep -E '^=+ ERROR SUMMARY: [0-9]+ error' "$log" | tail -1 || true)"
  grep -E '^=+ (RACECHECK SUMMARY|ERROR SUMMARY|LEAK SUMMARY)' "$log" | sed 's/^/   /' || true
  if [[ -z "$summary" ]]; then
    grep -E '^=+' "$log" | head -10 || true
    if grep -q "^Test run finished" "$log"; then failed "$tool: no ERROR SUMMARY line in $log"
    else failed "$tool: no ERROR SUMMARY line in $log (timed out after $t s or did not run; set GPU_CHECK_SANITIZER_TIMEOUT or narrow the classes)"; fi
    return
  fi
  local n; n="$(sed -E 's/^=+ ERROR SUMMARY: ([0-9]+) error.*/\1/' <<< "$summary")"
  if (( n > 0 )); then
    grep -E '^=+ +(Invalid|Error|Race|Warning|.*hazard)' "$log" | head -20 || true
    failed "$tool: $n errors (see $log)"
  fi
}

# at exit of run: the log complete (tee done), the results copied to $OUT where the device tool
# collects them (at most 8 files of 16 MB come back), the temporary folder removed
finish() {
  local rc=$?
  exec >&- 2>&-
  wait "$tee_pid" 2>/dev/null || true
  sync_out
  rm -rf "$work"
  exit "$rc"
}
sync_out() {
  local x
  if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then
    for x in gpu-check.log gpu-bench.md cuda-tests.log nccl-tests.log memcheck.log racecheck.log torch.tsv cmake.log; do
      if [[ -f "$results/$x" ]]; then tail -c 15000000 "$results/$x" > "$OUT/$x"; fi
    done
  fi
  return 0
}

# Folders that may hold NCCL and the CUDA 13 runtime, one a line, most specific first:
# GPU_CHECK_NCCL_LIBS, then the lib folders under Python's nvidia.* packages (pip's
# nvidia-nccl-cu13, nvidia-cuda-runtime: nvidia/nccl/lib, nvidia/cu13/lib, nvidia/cuda_runtime/lib)
# and torch/lib, then the CUDA toolkit's folders and the loader's cache.
nccl_search_dirs() {
  local d py="${PYTHON:-python3}"
  if [[ -n "${GPU_CHECK_NCCL_LIBS:-}" ]]; then tr ':' '\n' <<< "$GPU_CHECK_NCCL_LIBS"; fi
  if command -v "$py" >/dev/null; then
    # find_spec does not import: no torch start-up, no CUDA initialization
    local find_spec='
import importlib.util
for name in ("nvidia", "torch"):
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    for p in (spec.submodule_search_locations or []) if spec else []:
        print(p)'
    "$py" -c "$find_spec" 2>/dev/null | while read -r d; do
        if [[ -d "$d" ]]; then find "$d" -maxdepth 4 \( -name 'libnccl.so.2' -o -name 'libcudart.so.13' \) -printf '%h\n' 2>/dev/null || true; fi
      done | awk '!seen[$0]++' || true
  fi
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
    if [[ -d "$d" ]]; then echo "$d"; fi
  done
  if command -v ldconfig >/dev/null; then
    ldconfig -p 2>/dev/null | awk '$1 == "libnccl.so.2" || $1 == "libcudart.so.13" { print $NF }' | xargs -r -n1 dirname || true
  fi
  return 0
}

# The first of the search folders that holds $1, or nothing.
first_dir_with() {
  local d
  while read -r d; do
    [[ -n "$d" && -e "$d/$1" ]] && { echo "$d"; return 0; }
  done <<< "$nccl_dirs"
  return 0
}

# Step 3b: find libnccl.so.2 and libcudart.so.13, put their folders first on LD_LIBRARY_PATH (the
# presets' JNI libraries link them by soname) and java.library.path (JavaCPP preloads from there),
# show `dgm4j info`'s nccl line, run the @Tag("nccl") tests. On the emulator: only the search (NCCL
# needs a GPU; the tests would skip).
nccl_step() {
  local emulator="$1" nccl_dir cudart_dir
  nccl_dirs="$(nccl_search_dirs)"
  nccl_dir="$(first_dir_with libnccl.so.2)"
  cudart_dir="$(first_dir_with libcudart.so.13)"
  echo "libnccl.so.2:    ${nccl_dir:-NOT FOUND}"
  echo "libcudart.so.13: ${cudart_dir:-NOT FOUND}"
  if command -v ldconfig >/dev/null; then
    echo "libcuda.so.1:    $(ldconfig -p 2>/dev/null | awk '$1 == "libcuda.so.1" { print $NF; exit }' | grep . || echo "not in the loader's cache (the driver's library; needed)")"
  fi
  if (( emulator )); then
    echo "(dry run: NCCL needs a GPU; the search above is all this step does on the emulator)"
    return
  fi
  if [[ -z "$nccl_dir" || -z "$cudart_dir" ]]; then
    echo "searched: $(tr '\n' ' ' <<< "$nccl_dirs")"
    failed "NCCL: $([[ -z "$nccl_dir" ]] && echo "libnccl.so.2 ")$([[ -z "$cudart_dir" ]] && echo "libcudart.so.13 ")not found (Python's nvidia.* packages, torch/lib, CUDA folders, ldconfig; set GPU_CHECK_NCCL_LIBS or PYTHON)"
    return
  fi
  local libpath="$nccl_dir"
  [[ "$cudart_dir" == "$nccl_dir" ]] || libpath="$libpath:$cudart_dir"
  local saved_env=("${java_env[@]}") saved_opts=("${java_opts[@]}") i
  java_env+=("LD_LIBRARY_PATH=$libpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "NCCL_DEBUG=${NCCL_DEBUG:-WARN}")
  for i in "${!java_opts[@]}"; do
    [[ "${java_opts[$i]}" == -Djava.library.path=* ]] && java_opts[$i]="${java_opts[$i]}:$libpath"
  done
  local info; info="$(dgm4j info 2>&1 || true)"
  grep -E "^  (mpi|nccl) " <<< "$info" || echo "$info"
  grep -qE "^  nccl  available: NCCL [0-9]" <<< "$info" || failed "NCCL is not available through dgm4j (see the nccl line above)"
  junit_run nccl-tests nccl all
  (( ok )) || grep -E "NCCL (WARN|INFO)|nccl:" "$results/nccl-tests.log" | head -10 || true
  java_env=("${saved_env[@]}")
  java_opts=("${saved_opts[@]}")
}

# Step 3: dgm4j info's CUDA line and the @Tag("cuda") tests; sets suite_ok, suite_n, suite_started.
# On the emulator the count must equal mvn test's cuda-emu execution (when its reports exist).
cuda_suite() {
  local emulator="$1" info
  info="$(dgm4j info 2>&1 || true)"
  grep -E "^(java|backends|  cpu|  cuda)" <<< "$info" || echo "$info"
  if (( emulator )); then
    grep -q "cuda  available: CUDA emulator" <<< "$info" || failed "the emulator library did not load"
  else
    grep -qE "cuda  available: CUDA [0-9]" <<< "$info" || failed "CUDA is not available through dgm4j (see the cuda line above)"
  fi
  junit_run cuda-tests cuda all
  suite_ok=$ok suite_n=$tests_ok suite_started=${tests_started:-0}
  if (( emulator )); then
    local xml mvn_n=0
    for xml in target/surefire-reports-cuda-emu/TEST-*.xml; do
      [[ -f "$xml" ]] || continue
      mvn_n=$((mvn_n + $(sed -n 's/.*<testsuite[^>]* tests="\([0-9]*\)".*/\1/p' "$xml" | head -1)))
    done
    if (( mvn_n == 0 )); then
      echo "(no target/surefire-reports-cuda-emu: run mvn test to compare the count with its cuda-emu execution)"
    elif (( mvn_n == suite_started )); then
      echo "same count as mvn test's cuda-emu execution: $mvn_n tests"
    else
      failed "the emulator suite ran $suite_started tests, mvn test's cuda-emu execution $mvn_n (target/surefire-reports-cuda-emu; after a run of selected tests (-Dtest) its reports mix runs: a whole mvn test refreshes them)"
    fi
  fi
}

# Step 5: `dgm4j bench gpu` with PyTorch's times for the same shapes (smoke sizes on the emulator).
benchmark() {
  local emulator="$1" bench=() spec="$results/bench-spec.tsv" torch="$results/torch.tsv"
  if (( emulator )); then bench=(--smoke --reps 2 --cpu-reps 1 --seconds 0 --warmup 0); fi
  # shellcheck disable=SC2206  # GPU_CHECK_BENCH_ARGS is split into words on purpose
  bench+=(${GPU_CHECK_BENCH_ARGS:-})
  if ! dgm4j bench gpu --list "${bench[@]}" > "$spec"; then
    failed "dgm4j bench gpu --list failed"
    return
  fi
  if (( emulator )); then
    if command -v python3 >/dev/null; then
      python3 scripts/gpu_bench_torch.py --spec "$spec" --check | tail -1 || failed "gpu_bench_torch.py cannot read the spec"
    fi
    echo "(PyTorch skipped on the emulator)"
  elif ! command -v python3 >/dev/null; then
    failed "python3 not found: no PyTorch column"
  elif PYTHONUNBUFFERED=1 python3 scripts/gpu_bench_torch.py --spec "$spec" --out "$torch"; then
    bench+=(--torch "$torch")
  else
    failed "the PyTorch benchmark failed"
  fi
  dgm4j bench gpu "${bench[@]}" --out "$results/gpu-bench.md" || failed "dgm4j bench gpu failed"
}

run() {
  local emulator=0
  case "${1:-}" in
    --emulator) emulator=1;;
    "") ;;
    *) die "usage: scripts/gpu-check.sh run [--emulator]";;
  esac
  run_t0=$SECONDS
  java="$dir/jre/bin/java"
  [[ -x "$java" && -f "$dir/tools/$console_jar" && -d "$dir/test-classes" ]] \
    || die "$dir is missing or incomplete: run 'scripts/gpu-check.sh pack' on a machine with a JDK first, then carry $dir"
  results="$dir/results"
  rm -rf "$results"
  mkdir -p "$results"
  work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
  exec > >(tee "$results/gpu-check.log") 2>&1
  tee_pid=$!
  trap finish EXIT

  echo "gpu-check run ($([[ $emulator == 1 ]] && echo "dry run on the CUDA emulator" || echo "GPU")), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git rev-parse --short HEAD 2>/dev/null || echo "(no git)") on ${HOSTNAME:-?}"

  # ---- 1: the GPU
  local cc=""
  if (( ! emulator )); then
    command -v nvidia-smi >/dev/null || die "nvidia-smi not found: is this the GPU machine?"
    cc="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .' || true)"
  fi
  if wanted 1; then
    phase "1 GPU and driver"
    if (( emulator )); then
      echo "emulator: no GPU used (nvidia-smi: $(command -v nvidia-smi || echo none))"
    else
      nvidia-smi --query-gpu=index,name,driver_version,compute_cap,memory.total,clocks.max.sm --format=csv \
        || nvidia-smi -L || die "nvidia-smi failed"
    fi
  fi

  # ---- 2: native/cuda with nvcc
  local libdir kept="$root/target/gpu-check-native"
  if ! wanted 2; then
    if (( emulator )); then libdir="$root/target/native/emu"; else libdir="$kept"; fi
    [[ -f "$libdir/libdgm4j_cuda.so" ]] || die "step 2 not run and no $libdir/libdgm4j_cuda.so from an earlier call: add 2 to GPU_CHECK_STEPS"
    echo "library: $libdir/libdgm4j_cuda.so (built earlier)"
  elif (( emulator )) && [[ "${GPU_CHECK_BUILD:-0}" != 1 ]]; then
    phase "2 native library: the emulator mvn built"
    libdir="$root/target/native/emu"
    [[ -f "$libdir/libdgm4j_cuda.so" ]] || die "no $libdir/libdgm4j_cuda.so: run mvn package (or scripts/gpu-check.sh pack) first"
    echo "library: $libdir/libdgm4j_cuda.so (host emulator; no nvcc build)"
  else
    phase "2 native/cuda built by nvcc"
    local nvcc="${NVCC:-$(command -v nvcc || true)}"
    [[ -n "$nvcc" ]] || { [[ -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc; } || true
    [[ -n "$nvcc" && -x "$nvcc" ]] || die "nvcc not found (PATH or /usr/local/cuda/bin; or set NVCC)"
    command -v cmake >/dev/null || die "cmake not found"
    "$nvcc" --version | tail -2
    local archs a covered=0
    archs="$(sed -n 's/^set(DGM4J_CUDA_ARCHITECTURES "\([^"]*\)".*/\1/p' cmake/cuda.cmake)"
    [[ -n "$archs" ]] || die "cannot read DGM4J_CUDA_ARCHITECTURES from cmake/cuda.cmake"
    if [[ -n "$cc" ]]; then
      for a in ${archs//;/ }; do [[ "$a" == "$cc" || "$a" == "$cc-real" ]] && covered=1; done
      (( covered )) || archs="$archs;$cc-real"
      echo "device arch sm_$cc; $( (( covered )) && echo "already in" || echo "added to") the project's list: $archs"
    else
      echo "device arch unknown (no GPU or an old nvidia-smi); the project's list: $archs"
    fi
    local build="$root/target/gpu-check-build"
    rm -rf "$build"
    CUDACXX="$nvcc" cmake -S native -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_COMPILER="$nvcc" \
        -DDGM4J_CUDA_ARCHITECTURES="$archs" -DDGM4J_EMU_ASAN=OFF > "$results/cmake.log" 2>&1 \
      || { tail -30 "$results/cmake.log"; die "cmake configure failed"; }
    grep -q "building libdgm4j_cuda with nvcc" "$results/cmake.log" \
      || { grep "dgm4j:" "$results/cmake.log"; die "CMake did not take nvcc (it would build the stub)"; }
    grep "dgm4j: building libdgm4j_cuda" "$results/cmake.log"
    cmake --build "$build" --target dgm4j_cuda -j "$(nproc)" >> "$results/cmake.log" 2>&1 \
      || { tail -40 "$results/cmake.log"; die "nvcc build failed"; }
    if command -v cuobjdump >/dev/null; then
      echo "machine code in it: $(cuobjdump --list-elf "$build/libdgm4j_cuda.so" 2>/dev/null | grep -o 'sm_[0-9a-z]*' | sort -u | tr '\n' ' ')"
    fi
    if (( emulator )); then
      libdir="$root/target/native/emu"
      rm -rf "$build"
      echo "(GPU_CHECK_BUILD=1: built only; the dry run still loads the emulator)"
    else
      libdir="$kept" # a folder with this one library, searched first; outside the carried folder, so a later call finds it
      rm -rf "$libdir"
      mkdir -p "$libdir"
      cp "$build/libdgm4j_cuda.so" "$libdir/"
      echo "library: target/gpu-check-native/libdgm4j_cuda.so, $(stat -c %s "$libdir/libdgm4j_cuda.so") bytes"
    fi
  fi

  # the Java side: runtime, class path, native library path (our library first, then the unpacked
  # oneDNN), JavaCPP's extraction cache outside the folder so nothing big is left in it
  local nat="$work/natives" x
  mkdir -p "$nat"
  for x in "$dir"/natives/*.xz; do
    if command -v xz >/dev/null; then xz -dc "$x" > "$nat/$(basename "${x%.xz}")"
    else python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.decompress(open(sys.argv[1],"rb").read()))' "$x" > "$nat/$(basename "${x%.xz}")"; fi
  done
  test_cp="$dir/lib/*:$dir/test-classes:$dir/tools/$console_jar"
  java_opts=(-Xmx8g -Dorg.bytedeco.javacpp.pathsFirst=true "-Djava.library.path=$libdir:$nat"
             "-Dorg.bytedeco.javacpp.cachedir=$work/javacpp-cache")
  java_env=(OMP_WAIT_POLICY=passive)
  if (( emulator )); then
    java_opts[0]=-Xmx2g
    # as the pom's cuda-emu execution: ASan first in the process, JVM-friendly options
    [[ -e "$libdir/libasan.so" ]] && java_env+=("LD_PRELOAD=$libdir/libasan.so")
    java_env+=("ASAN_OPTIONS=detect_leaks=0:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:allow_user_segv_handler=1:detect_stack_use_after_return=0:halt_on_error=1")
  fi
  dgm4j() { (export "${java_env[@]}"; exec "$java" "${java_opts[@]}" -cp "$dir/lib/*" org.dgm4j.cli.Main "$@"); }

  # ---- 3: the CUDA tests
  local suite_ok=0 suite_n="(not run)" suite_started=0
  if wanted 3; then
    phase "3 CUDA parity suite (@Tag(\"cuda\")) on the $( (( emulator )) && echo emulator || echo GPU)"
    cuda_suite "$emulator"
  fi

  # ---- 3b: NCCL
  if [[ "${GPU_CHECK_NCCL:-1}" == 0 ]]; then
    echo; echo "=== step 3b: skipped (GPU_CHECK_NCCL=0)"
  elif wanted 3b; then
    phase "3b NCCL (@Tag(\"nccl\")) with the machine's NCCL and cudart 13"
    nccl_step "$emulator"
  fi

  # ---- 4: compute-sanitizer
  if (( emulator )); then
    echo; echo "=== step 4: compute-sanitizer skipped on the emulator"
  elif wanted 4; then
    phase "4 compute-sanitizer memcheck and racecheck"
    sanitizer_bin="$(command -v compute-sanitizer || true)"
    [[ -n "$sanitizer_bin" ]] || for x in /usr/local/cuda/bin/compute-sanitizer /usr/local/cuda/compute-sanitizer/compute-sanitizer; do
      [[ -x "$x" ]] && { sanitizer_bin="$x"; break; }
    done
    if [[ -z "$sanitizer_bin" ]]; then
      failed "compute-sanitizer not found (PATH, /usr/local/cuda/bin)"
    else
      "$sanitizer_bin" --version | tail -1
      sanitizer memcheck "${GPU_CHECK_MEMCHECK_CLASSES:-all}"
      sanitizer racecheck "${GPU_CHECK_RACECHECK_CLASSES:-CudaLinalgParityTest CudaReduceParityTest}"
    fi
  fi

  # ---- 5: benchmark
  if wanted 5; then
    phase "5 benchmark: dgm4j CUDA vs dgm4j CPU vs PyTorch"
    benchmark "$emulator"
  fi
  end_phase

  # ---- summary
  echo
  echo "=== summary ($((SECONDS - run_t0)) s)"
  local i
  for i in "${!phase_names[@]}"; do printf '  %-62s %5d s\n' "${phase_names[$i]}" "${phase_secs[$i]}"; done
  if [[ "$suite_n" == "(not run)" ]]; then echo "  CUDA tests: not run in this call"
  else echo "  CUDA tests: $suite_n successful$( (( suite_ok )) || echo ", NOT all passed")"; fi
  if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then echo "  results in $results, copied to \$OUT after every step"; fi
  if (( ${#failures[@]} )); then
    echo "gpu-check: FAILED (${#failures[@]}):"
    printf '  - %s\n' "${failures[@]}"
    exit 1
  fi
  echo "gpu-check: PASSED"
}

case "${1:-}" in
  pack) shift; [[ $# == 0 ]] || die "usage: scripts/gpu-check.sh pack"; pack;;
  run) shift; run "$@";;
  *) echo "usage: scripts/gpu-check.sh pack | run [--emulator]   (see the comment at the top of $0)" >&2; exit 2;;
esac
