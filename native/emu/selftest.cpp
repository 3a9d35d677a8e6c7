// Checks the emulator's CUDA semantics on kernels written as for a GPU; run after every build
// (CMakeLists.txt), so a broken emulator fails the build instead of the parity suite.
#include <chrono>
#include <cstdio>

#include "../cuda/common.cuh"

namespace {

int failures = 0;
#define EXPECT(cond, ...)                 \
    do {                                  \
        if (!(cond)) {                    \
            std::printf("FAIL: " __VA_ARGS__); \
            std::printf("\n");            \
            failures++;                   \
        }                                 \
    } while (0)

// Shared-memory tree, then warp shuffles, then one atomicAdd per block.
__global__ void block_sum(const float* x, int n, float* total) {
    __shared__ float s[256];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    s[threadIdx.x] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (int half = blockDim.x / 2; half >= 32; half /= 2) {
        if ((int) threadIdx.x < half) s[threadIdx.x] += s[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x < 32) {
        float v = s[threadIdx.x];
        for (int d = 16; d > 0; d /= 2) v += __shfl_down_sync(0xffffffffu, v, d);
        if (threadIdx.x == 0) atomicAdd(total, v);
    }
}

// Dynamic shared memory, a partial last warp, ballot and xor shuffles, early-exiting threads.
__global__ void reverse_and_vote(const int* x, int* out, unsigned* ballots, int n) {
    DGM4J_DYNAMIC_SHARED(int, s);
    int t = threadIdx.x;
    s[t] = x[t];
    unsigned b = __ballot_sync(0xffffffffu, x[t] % 2 == 0);
    int mate = __shfl_xor_sync(0xffffffffu, x[t], 1);
    if (t % 32 == 0) ballots[t / 32] = b;
    __syncthreads();
    if (t >= n / 2) return;  // half the block leaves; the rest must still pass the barrier below
    __syncthreads();
    out[t] = s[n - 1 - t] * 1000 + mate;
}

}  // namespace

int main() {
    const int n = 13 * 256 - 7;
    float *x, *total;
    cudaMalloc((void**) &x, n * sizeof(float));
    cudaMalloc((void**) &total, sizeof(float));
    double expect = 0;
    for (int i = 0; i < n; i++) x[i] = (float) (i % 97), expect += i % 97;
    *total = 0;
    DGM4J_LAUNCH(block_sum, 13, 256, 0, nullptr, x, n, total);
    EXPECT(cudaGetLastError() == cudaSuccess, "block_sum launch");
    EXPECT(*total == (float) expect, "block sum %f, expected %f", *total, expect);

    const int m = 45;  // one full warp and a partial one of 13
    int *xi, *out;
    unsigned* ballots;
    cudaMalloc((void**) &xi, m * sizeof(int));
    cudaMalloc((void**) &out, m * sizeof(int));
    cudaMalloc((void**) &ballots, 2 * sizeof(unsigned));
    for (int i = 0; i < m; i++) xi[i] = i, out[i] = -1;
    DGM4J_LAUNCH(reverse_and_vote, 1, m, m * sizeof(int), nullptr, xi, out, ballots, m);
    EXPECT(cudaGetLastError() == cudaSuccess, "reverse_and_vote launch");
    for (int t = 0; t < m / 2; t++) {
        int mate = (t ^ 1) < m ? t ^ 1 : t;
        EXPECT(out[t] == (m - 1 - t) * 1000 + mate, "reverse_and_vote[%d] = %d", t, out[t]);
    }
    EXPECT(out[m / 2] == -1, "an exited thread wrote");
    EXPECT(ballots[0] == 0x55555555u && ballots[1] == 0x1555u, "ballots %x %x", ballots[0], ballots[1]);

    DGM4J_LAUNCH(block_sum, 1, 2048, 0, nullptr, x, n, total);
    EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration, "2048 threads per block must be refused");
    EXPECT(cudaFree(x + 1) == cudaErrorInvalidValue, "freeing an interior pointer must fail");

    // The cost of the pool per block, for planning test sizes (printed, not checked).
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < 5; r++) DGM4J_LAUNCH(block_sum, 13, 256, 0, nullptr, x, n, total);
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / (5 * 13);
    std::printf("dgm4j emulator self-test: %s, %.0f us per block of 256 threads\n", failures ? "FAILED" : "ok", us);
    cudaFree(x), cudaFree(total), cudaFree(xi), cudaFree(out), cudaFree(ballots);
    return failures ? 1 : 0;
}
