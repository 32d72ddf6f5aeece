#include "cuda/device_memory.h"

#include <stdexcept>

#include "cuda/device_buffer.cuh"

namespace codectok::cuda {

DeviceBytes::DeviceBytes(size_t bytes) : bytes_(bytes) { check_cuda(cudaMalloc(&ptr_, bytes ? bytes : 1), "cudaMalloc"); }

DeviceBytes::~DeviceBytes() {
  if (ptr_) cudaFree(ptr_);
}

void DeviceBytes::upload(const void* src, size_t bytes, size_t offset) {
  if (offset > bytes_ || bytes > bytes_ - offset) throw std::invalid_argument("DeviceBytes::upload: out of range");
  check_cuda(cudaMemcpy(static_cast<unsigned char*>(ptr_) + offset, src, bytes, cudaMemcpyHostToDevice), "cudaMemcpy H2D");
}

PinnedHost::PinnedHost(const void* ptr, size_t bytes) {
  if (!ptr || !bytes) return;
  check_cuda(cudaHostRegister(const_cast<void*>(ptr), bytes, cudaHostRegisterDefault), "cudaHostRegister");
  ptr_ = const_cast<void*>(ptr);
}

PinnedHost::~PinnedHost() {
  if (ptr_) cudaHostUnregister(ptr_);
}

}  // namespace codectok::cuda
