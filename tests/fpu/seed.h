#pragma once
// The seed of a sampling test: fresh each run, or ORCVM_SEED=N to replay a run.
// Printed by the caller so that a failure can be replayed.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>

namespace orcvm::fpu::test {

inline uint64_t run_seed() {
  static const uint64_t seed = [] {
    if (const char* fixed = std::getenv("ORCVM_SEED")) {
      uint64_t value = 0;
      const std::string_view text(fixed);
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size()) {
        std::fprintf(stderr, "ORCVM_SEED must be a decimal number, not '%s'\n", fixed);
        std::exit(2);
      }
      return value;
    }
    std::random_device device;
    return (uint64_t(device()) << 32) | device();
  }();
  return seed;
}

inline void print_seed(uint64_t seed) {
  std::printf("seed %llu (ORCVM_SEED=%llu replays this run)\n", (unsigned long long)seed, (unsigned long long)seed);
}

}  // namespace orcvm::fpu::test
