# CUDA settings shared by every CUDA target of dgm4j.
# Arch list: SASS for T4 (75), A100 (80), H100 (90) plus compute_90 PTX that newer GPUs JIT-compile.
# nvcc 13 rejects sm_70/72, so 75 is the floor.
set(DGM4J_CUDA_ARCHITECTURES "75-real;80-real;90" CACHE STRING "CUDA_ARCHITECTURES of dgm4j kernels")

# Static cudart: the library then loads on machines without a CUDA toolkit (or without a driver,
# where cudaGetDeviceCount reports 35 instead of the loader failing).
set(CMAKE_CUDA_RUNTIME_LIBRARY Static)

# Applies the common flags to a CUDA target.
function(dgm4j_cuda_target target)
  set_target_properties(${target} PROPERTIES
    CUDA_ARCHITECTURES "${DGM4J_CUDA_ARCHITECTURES}"
    CUDA_STANDARD 17
    CUDA_STANDARD_REQUIRED ON)
endfunction()
