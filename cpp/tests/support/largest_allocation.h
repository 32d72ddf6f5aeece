// The largest single allocation through operator new since the last reset:
// linking this (any test that calls these functions) replaces the global
// operator new/delete with counting versions over malloc/free.
#pragma once
#include <cstddef>

namespace codectok::test {

size_t largest_allocation();
void reset_largest_allocation();

}  // namespace codectok::test
