// integer_sqrt is floor(sqrt(n)) for both widths the library uses, over their
// whole domain: random n of each bit width, and the perfect squares around their
// roots and their predecessors, where a missing correction would show.
#include <gtest/gtest.h>

#include <random>

#include "runtime/fpu/integer_sqrt.h"
#include "tests/fpu/seed.h"

namespace orcvm::fpu::test {
namespace {

template <class T> void expect_floor_root(T n) {
  const T root = integer_sqrt(n);
  const uint64_t high = uint64_t(n >> 32 >> 32), low = uint64_t(n);
  ASSERT_LE(root * root, n) << std::hex << "n = 0x" << high << ":" << low;
  ASSERT_GT((root + 1) * (root + 1), n) << std::hex << "n = 0x" << high << ":" << low;
}

template <class T> void check_widths(int max_width, std::mt19937_64& rng) {
  for (int width = 7; width <= max_width; ++width) {  // integer_sqrt needs n >= 64
    for (int i = 0; i < 1000; ++i) {
      const T top = T(1) << (width - 1);
      const T n = top | (((T(rng()) << 32 << 32) | T(rng())) & (top - 1));  // exactly `width` bits
      expect_floor_root(n);
      const T root = integer_sqrt(n);
      for (T square : {root * root, (root + 1) * (root + 1)}) {
        if (square < 65 || bit_width(square) > max_width) continue;
        expect_floor_root(square);
        expect_floor_root(T(square - 1));
      }
    }
  }
}

TEST(IntegerSqrt, FloorOfTheRoot) {
  const uint64_t seed = run_seed();
  print_seed(seed);
  std::mt19937_64 rng(seed);
  check_widths<uint64_t>(62, rng);
  check_widths<uint128>(125, rng);
}

}  // namespace
}  // namespace orcvm::fpu::test
