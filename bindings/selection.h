// Node-API glue of the selection and tensor stages: the codec policy's top-K
// (cpp/score/select_top_k.h, on the CPU or with device 'cuda' on the GPU), the patch gather
// (cpp/tensors/patch_gather.h) and what the addon knows of CUDA (built with it, devices).
#pragma once
#include <napi.h>

namespace codectok_bindings {

void RegisterSelectionFunctions(Napi::Env env, Napi::Object exports);

}  // namespace codectok_bindings
