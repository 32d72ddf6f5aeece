#include "support/check.h"

#include <cstdio>

namespace codectok::test {

namespace {
int g_passed = 0;
int g_failed = 0;
}  // namespace

void check(bool ok, const std::string& what) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    std::printf("FAIL: %s\n", what.c_str());
  }
}

int report() {
  std::printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}

}  // namespace codectok::test
