// Compiled only into the portable prebuilt binary (CMake option CODECTOK_PORTABLE, set by
// scripts/prebuild.mjs): what keeps its glibc baseline low (see scripts/glibc_baseline.mjs).
//
// libstdc++'s headers (GCC >= 11 on glibc >= 2.32) read glibc's `__libc_single_threaded`
// (GLIBC_2.32) to skip atomic operations on reference counts while a process has one thread;
// the inline code in our objects and in the static libstdc++ references it, so the binary
// would need glibc 2.32. This hidden definition satisfies those references inside the addon
// instead. Its value 0 says "not single-threaded": the atomic path, which is always correct
// (a Node process has several threads anyway); no glibc symbol is imported for it.
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}
