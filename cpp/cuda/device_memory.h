// Device and pinned host memory for callers compiled without CUDA types (the benchmark keeps maps
// and frames resident in device memory, and pins host buffers so transfers run at full speed).
// Throw std::runtime_error on a CUDA error.
#pragma once
#include <cstddef>

namespace codectok::cuda {

class DeviceBytes {
 public:
  explicit DeviceBytes(size_t bytes);
  ~DeviceBytes();
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;
  void* get() const { return ptr_; }
  void upload(const void* src, size_t bytes, size_t offset = 0);

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Page-locks [ptr, ptr + bytes) of host memory while it lives (cudaHostRegister).
class PinnedHost {
 public:
  PinnedHost(const void* ptr, size_t bytes);
  ~PinnedHost();
  PinnedHost(const PinnedHost&) = delete;
  PinnedHost& operator=(const PinnedHost&) = delete;

 private:
  void* ptr_ = nullptr;
};

}  // namespace codectok::cuda
