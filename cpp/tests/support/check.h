// The assertion of the C++ unit tests: count, print what failed, and a
// summary that is the test's exit status.
#pragma once
#include <string>

namespace codectok::test {

// Records one expectation; prints "FAIL: what" when `ok` is false.
void check(bool ok, const std::string& what);
// Prints "N passed, M failed"; returns the process exit status (0 when none failed).
int report();

}  // namespace codectok::test
