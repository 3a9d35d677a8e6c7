// The emulator's engine (thread pool, grid execution) and its CUDA runtime (cuda_runtime.h).
// Linked only into the emulated library dgm4j_cuda_emu.
#include "cuda_runtime.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>
#include <thread>

namespace dgm4j_emu {
namespace {

// Creating threads costs about 15 ms per block of 256 (60 ms under ASan, FACTS.md): the pool
// keeps them, grows to the largest block seen, and wakes exactly the threads a block needs.
class Pool {
  public:
    void run(int n, const std::function<void(int)>& job) {
        while ((int) workers_.size() < n) {
            auto w = std::make_unique<Worker>();
            Worker* raw = w.get();
            int id = (int) workers_.size();
            w->thread = std::thread([this, raw, id] { loop(*raw, id); });
            w->thread.detach();  // the pool lives until the process exits (see pool())
            workers_.push_back(std::move(w));
        }
        job_ = &job;
        remaining_.store(n);
        for (int i = 0; i < n; i++) workers_[i]->go.release();
        done_.acquire();
        job_ = nullptr;
    }

  private:
    struct Worker {
        std::binary_semaphore go{0};
        std::thread thread;
    };

    void loop(Worker& w, int id) {
        for (;;) {
            w.go.acquire();  // acquire/release order the job pointer and the results
            (*job_)(id);
            if (remaining_.fetch_sub(1) == 1) done_.release();
        }
    }

    std::vector<std::unique_ptr<Worker>> workers_;
    const std::function<void(int)>* job_ = nullptr;
    std::atomic<int> remaining_{0};
    std::binary_semaphore done_{0};
};

// Never destroyed: idle workers block on their semaphores, and joining them from a static
// destructor at JVM exit could hang behind a launch still running on another thread.
Pool& pool() {
    static Pool* p = new Pool();
    return *p;
}

std::mutex g_launch;  // one kernel at a time, as if every stream fed one in-order device queue
thread_local cudaError_t g_last = cudaSuccess;

bool valid(dim3 grid, dim3 block, size_t shmem) {
    unsigned long long threads = (unsigned long long) block.x * block.y * block.z;
    return grid.x >= 1 && grid.y >= 1 && grid.z >= 1 && grid.x <= 0x7fffffffu && grid.y <= 65535 &&
           grid.z <= 65535 && threads >= 1 && threads <= 1024 && block.x <= 1024 && block.y <= 1024 &&
           block.z <= 64 && shmem <= 48 * 1024;
}

}  // namespace

void run_grid(const char* name, dim3 grid, dim3 block, size_t shmem, const std::function<void()>& body) {
    (void) name;
    if (!valid(grid, block, shmem)) {
        g_last = cudaErrorInvalidConfiguration;
        return;
    }
    std::lock_guard<std::mutex> lock(g_launch);
    int n = (int) (block.x * block.y * block.z);
    std::vector<unsigned char> shared(shmem);
    for (unsigned bz = 0; bz < grid.z; bz++)
        for (unsigned by = 0; by < grid.y; by++)
            for (unsigned bx = 0; bx < grid.x; bx++) {
                std::barrier<> sync(n);
                Block b;
                b.nthreads = n;
                b.sync = &sync;
                for (int w = 0; w < n; w += warpSize)
                    b.warps.push_back(std::make_unique<std::barrier<>>(n - w < warpSize ? n - w : warpSize));
                b.exchange.assign(n, 0);
                // Garbage, not zeros: a kernel that reads shared memory it never wrote shows it.
                std::memset(shared.data(), 0xff, shmem);
                b.dynamic_shared = shmem ? shared.data() : nullptr;
                uint3 bi{bx, by, bz};
                pool().run(n, [&](int tid) {
                    tl_block = &b;
                    tl_tid = tid;
                    threadIdx = uint3{tid % block.x, tid / block.x % block.y, tid / (block.x * block.y)};
                    blockIdx = bi;
                    blockDim = block;
                    gridDim = grid;
                    body();
                    // A thread that returned no longer takes part in barriers (as on Volta and later).
                    sync.arrive_and_drop();
                    b.warps[tid / warpSize]->arrive_and_drop();
                    tl_block = nullptr;
                });
            }
}

}  // namespace dgm4j_emu

// ---- runtime API -------------------------------------------------------------------------------

namespace {

constexpr size_t kMemory = size_t(4) << 30;  // the emulated device's global memory

std::mutex g_mem;
std::map<const char*, size_t> g_blocks;  // base -> bytes of each live allocation
size_t g_used = 0;
std::set<cudaStream_t> g_streams;
thread_local int g_device = 0;

cudaError_t set(cudaError_t e) {
    if (e != cudaSuccess) dgm4j_emu::g_last = e;
    return e;
}

// True when [p, p + n) lies inside one live allocation: copies are checked like the GPU's MMU would.
bool on_device(const void* p, size_t n) {
    std::lock_guard<std::mutex> lock(g_mem);
    const char* c = static_cast<const char*>(p);
    auto it = g_blocks.upper_bound(c);
    if (it == g_blocks.begin()) return false;
    --it;
    return c + n <= it->first + it->second;
}

bool copy_ok(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
    bool d = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    bool s = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    return (!d || on_device(dst, bytes)) && (!s || on_device(src, bytes));
}

}  // namespace

const char* cudaGetErrorName(cudaError_t e) {
    switch (e) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
        default: return "cudaErrorUnknown";
    }
}

const char* cudaGetErrorString(cudaError_t e) {
    switch (e) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorInvalidResourceHandle: return "invalid resource handle";
        default: return "unknown error";
    }
}

cudaError_t cudaGetLastError(void) {
    cudaError_t e = dgm4j_emu::g_last;
    dgm4j_emu::g_last = cudaSuccess;
    return e;
}

cudaError_t cudaPeekAtLastError(void) { return dgm4j_emu::g_last; }

cudaError_t cudaGetDeviceCount(int* count) {
    *count = 1;
    return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int dev) {
    if (dev != 0) return set(cudaErrorInvalidDevice);
    std::memset(p, 0, sizeof *p);
#if defined(__SANITIZE_ADDRESS__)
    std::snprintf(p->name, sizeof p->name, "CUDA emulator (host threads, AddressSanitizer)");
#else
    std::snprintf(p->name, sizeof p->name, "CUDA emulator (host threads)");
#endif
    p->totalGlobalMem = kMemory;
    p->multiProcessorCount = (int) std::thread::hardware_concurrency();
    p->maxThreadsPerBlock = 1024;
    p->warpSize = warpSize;
    p->major = 7;
    p->minor = 5;
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int dev) {
    if (dev != 0) return set(cudaErrorInvalidDevice);
    g_device = dev;
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int* dev) {
    *dev = g_device;
    return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
    std::lock_guard<std::mutex> lock(g_mem);
    *free_bytes = kMemory - g_used;
    *total_bytes = kMemory;
    return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int* v) {
    *v = 0;  // no CUDA runtime: the probe reports the emulator instead of versions
    return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int* v) {
    *v = 0;
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }  // every call completes before it returns

cudaError_t cudaMalloc(void** p, size_t bytes) {
    std::lock_guard<std::mutex> lock(g_mem);
    if (bytes > kMemory - g_used) return set(cudaErrorMemoryAllocation);
    char* m = static_cast<char*>(std::malloc(bytes ? bytes : 1));
    if (!m) return set(cudaErrorMemoryAllocation);
    g_blocks[m] = bytes;
    g_used += bytes;
    *p = m;
    return cudaSuccess;
}

cudaError_t cudaFree(void* p) {
    if (!p) return cudaSuccess;
    std::lock_guard<std::mutex> lock(g_mem);
    auto it = g_blocks.find(static_cast<char*>(p));
    if (it == g_blocks.end()) return set(cudaErrorInvalidValue);  // double free or not ours
    g_used -= it->second;
    g_blocks.erase(it);
    std::free(p);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
    if (!copy_ok(dst, src, bytes, kind)) return set(cudaErrorInvalidValue);
    std::memcpy(dst, src, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
    return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemset(void* dst, int value, size_t bytes) {
    if (!on_device(dst, bytes)) return set(cudaErrorInvalidValue);
    std::memset(dst, value, bytes);
    return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* dst, int value, size_t bytes, cudaStream_t) { return cudaMemset(dst, value, bytes); }

cudaError_t cudaStreamCreate(cudaStream_t* s) { return cudaStreamCreateWithFlags(s, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) {
    std::lock_guard<std::mutex> lock(g_mem);
    *s = reinterpret_cast<cudaStream_t>(new char);
    g_streams.insert(*s);
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t s) {
    std::lock_guard<std::mutex> lock(g_mem);
    if (!g_streams.erase(s)) return set(cudaErrorInvalidResourceHandle);
    delete reinterpret_cast<char*>(s);
    return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t s) {
    std::lock_guard<std::mutex> lock(g_mem);
    return s && !g_streams.count(s) ? set(cudaErrorInvalidResourceHandle) : cudaSuccess;
}
