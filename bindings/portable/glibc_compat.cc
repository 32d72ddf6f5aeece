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

// glibc 2.29 gave exp, exp2, log, log2 and pow new symbol versions (the new implementations
// without SVID error handling), so code compiled against a newer glibc imports
// exp@GLIBC_2.29 and so on. On x86-64 the addon is linked with -Wl,--wrap for each of them
// (CMakeLists.txt) and these wrappers call the version every x86-64 glibc has, GLIBC_2.2.5.
// Same results: in glibc >= 2.29 the old entry points call the same implementation and only
// add the errno/SVID handling of overflow and domain errors.
#if defined(__x86_64__)
#define CODECTOK_OLD_MATH(name)                                                   \
  double codectok_old_##name(double);                                             \
  __asm__(".symver codectok_old_" #name "," #name "@GLIBC_2.2.5");                \
  __attribute__((visibility("hidden"))) double __wrap_##name(double x) { return codectok_old_##name(x); }
extern "C" {
CODECTOK_OLD_MATH(exp)
CODECTOK_OLD_MATH(exp2)
CODECTOK_OLD_MATH(log)
CODECTOK_OLD_MATH(log2)
double codectok_old_pow(double, double);
__asm__(".symver codectok_old_pow,pow@GLIBC_2.2.5");
__attribute__((visibility("hidden"))) double __wrap_pow(double x, double y) { return codectok_old_pow(x, y); }
}
#undef CODECTOK_OLD_MATH
#endif

// glibc 2.34 moved libpthread into libc and gave pthread_create and pthread_join new symbol
// versions, so std::thread (the HEVC frame threads, cpp/stream/hevc_picture_pipeline) compiled
// against a newer glibc imports pthread_create@GLIBC_2.34. The addon is linked with -Wl,--wrap for
// both (CMakeLists.txt), which also catches the static libstdc++'s calls, and these wrappers call
// the versions every glibc of the architecture has (the same functions: glibc keeps the old
// version as an alias of the new one).
#if defined(__x86_64__)
#define CODECTOK_GLIBC_FIRST "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define CODECTOK_GLIBC_FIRST "GLIBC_2.17"
#endif
#ifdef CODECTOK_GLIBC_FIRST
#include <pthread.h>
extern "C" {
int codectok_old_pthread_create(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
__asm__(".symver codectok_old_pthread_create,pthread_create@" CODECTOK_GLIBC_FIRST);
__attribute__((visibility("hidden"))) int __wrap_pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*start)(void*), void* arg) {
  return codectok_old_pthread_create(thread, attr, start, arg);
}
int codectok_old_pthread_join(pthread_t, void**);
__asm__(".symver codectok_old_pthread_join,pthread_join@" CODECTOK_GLIBC_FIRST);
__attribute__((visibility("hidden"))) int __wrap_pthread_join(pthread_t thread, void** result) { return codectok_old_pthread_join(thread, result); }
}
#undef CODECTOK_GLIBC_FIRST
#endif
