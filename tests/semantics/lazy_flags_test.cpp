// The lazy form of the status flags stands for exactly the flags that ADD, SUB and the
// logic operations set (flags.h), at every width: checked on the edges of each width
// and on random operands (a fresh seed each run, printed).
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "ir/semantics/lazy_flags.h"
#include "runtime/interp/flag_evaluator.h"

namespace orcvm {
namespace {

// The flags flags.h gives, and those of the lazy record the emitters store.
void expect_same(sem::LazyFlags kind, unsigned bits, uint64_t a, uint64_t b) {
  sem::with_width(bits, [&]<unsigned W>() {
    FlagEvaluator e;
    const auto x = e.imm<W>(a), y = e.imm<W>(b);
    InterpEmitter::Value<W> result{};
    switch (kind) {
      case sem::LazyFlags::Add: result = e.add(x, y); sem::set_add_flags(e, x, y, result, e.imm<1>(0)); break;
      case sem::LazyFlags::Sub: result = e.sub(x, y); sem::set_sub_flags(e, x, y, result, e.imm<1>(0)); break;
      default: result = e.xor_(x, y); sem::set_logic_flags(e, result); break;
    }
    const StatusFlags lazy = lazy_status_flags(sem::lazy_flags_op(kind, W), y.v, result.v);
    EXPECT_EQ(e.flags, lazy) << "kind " << int(kind) << " width " << W << " a 0x" << std::hex << a << " b 0x" << b;
  });
}

TEST(LazyFlags, StandForTheFlagsOfEachOperation) {
  const uint64_t edges[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
                            0xffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x0f, 0x10};
  for (auto kind : {sem::LazyFlags::Add, sem::LazyFlags::Sub, sem::LazyFlags::Logic})
    for (unsigned bits : {8u, 16u, 32u, 64u})
      for (uint64_t a : edges)
        for (uint64_t b : edges) expect_same(kind, bits, a, b);

  const uint64_t seed = std::random_device{}();
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 random(seed);
  for (int i = 0; i < 200000; ++i) {
    const auto kind = static_cast<sem::LazyFlags>(1 + random() % 3);
    expect_same(kind, 8u << (random() % 4), random(), random());
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace orcvm
