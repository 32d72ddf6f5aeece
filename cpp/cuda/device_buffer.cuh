// Device memory owned by the host-side classes of the .cu files: a growable
// typed buffer and the CUDA error check (std::runtime_error). CUDA-only header.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace codectok::cuda {

inline void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(e));
}

template <typename T>
struct DeviceBuffer {
  T* ptr = nullptr;
  size_t capacity = 0;
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void reserve(size_t n) {
    if (n <= capacity) return;
    if (ptr) cudaFree(ptr);
    ptr = nullptr;
    capacity = 0;
    check_cuda(cudaMalloc(&ptr, std::max<size_t>(n, 1) * sizeof(T)), "cudaMalloc");
    capacity = n;
  }
  void upload(const T* src, size_t n) {
    reserve(n);
    if (n) check_cuda(cudaMemcpy(ptr, src, n * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy H2D");
  }
  void download(T* dst, size_t n) const {
    if (n) check_cuda(cudaMemcpy(dst, ptr, n * sizeof(T), cudaMemcpyDeviceToHost), "cudaMemcpy D2H");
  }
  ~DeviceBuffer() {
    if (ptr) cudaFree(ptr);
  }
};

}  // namespace codectok::cuda
