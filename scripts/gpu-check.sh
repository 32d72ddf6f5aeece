#!/usr/bin/env bash
# GPU check of the C++ core (no Node needed): configures and builds cpp/ with
# CUDA (-DCODECTOK_CUDA=ON), runs the CPU-vs-GPU parity tests and the
# throughput benchmark (cpp/cuda/bench_gpu.cpp), prints a table.
#
#   scripts/gpu-check.sh                  # build/gpu, 64 pictures, 64 videos
#   BUILD_DIR=/tmp/g PICTURES=32 VIDEOS=8 CUDA_ARCHITECTURES=90 scripts/gpu-check.sh
#
# Exit status: 0 parity passed on a GPU; 1 a build or parity failure;
# 77 no CUDA device (everything built, the CPU-only tests passed, the GPU
# tests and the GPU benchmark row did not run).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build/gpu}
PICTURES=${PICTURES:-64}
VIDEOS=${VIDEOS:-64}
REPEATS=${REPEATS:-3}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
t0=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - t0 )) s)"; }

step "GPU"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "nvidia-smi: not found"
fi
command -v nvcc >/dev/null 2>&1 && nvcc --version | tail -1

step "configure ($BUILD_DIR)"
arch=()
[ -n "${CUDA_ARCHITECTURES:-}" ] && arch=(-DCMAKE_CUDA_ARCHITECTURES="$CUDA_ARCHITECTURES")
cmake -S cpp -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DCODECTOK_CUDA=ON -DCODECTOK_FUZZ_REPLAY=OFF "${arch[@]}" \
  || { echo "gpu-check: configure failed"; exit 1; }

step "build"
cmake --build "$BUILD_DIR" -j"$JOBS" --target test_residual_elements test_select_top_k test_cuda_residual test_cuda_scores test_cuda_gather bench_gpu \
  || { echo "gpu-check: build failed"; exit 1; }

step "parity tests"
ctest --test-dir "$BUILD_DIR" -R '^(test_residual_elements|test_select_top_k|test_cuda_.*)$' --output-on-failure | tee "$BUILD_DIR/gpu-check-ctest.log"
ctest_rc=${PIPESTATUS[0]}
skipped=$(grep -c '(Skipped)' "$BUILD_DIR/gpu-check-ctest.log" || true)

step "benchmark"
"$BUILD_DIR/bench_gpu" "$PICTURES" "$REPEATS" "$VIDEOS"
bench_rc=$?

step "summary"
if [ "$ctest_rc" -ne 0 ] || { [ "$bench_rc" -ne 0 ] && [ "$bench_rc" -ne 77 ]; }; then
  echo "gpu-check: FAILED (ctest $ctest_rc, bench $bench_rc)"
  exit 1
fi
if [ "$skipped" -gt 0 ] || [ "$bench_rc" -eq 77 ]; then
  echo "gpu-check: no CUDA device: GPU parity tests skipped, GPU not benchmarked"
  exit 77
fi
echo "gpu-check: GPU parity passed ($(( $(date +%s) - t0 )) s)"
