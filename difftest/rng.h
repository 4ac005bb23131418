#pragma once
// A small deterministic random source (SplitMix64): the same seed gives the same
// cases on every platform and standard library, which std::*_distribution does not.
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace orcvm::difftest {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  // An independent stream for (seed, stream, index): case N of a campaign can be made
  // again without making cases 0..N-1.
  static Rng for_case(uint64_t seed, uint64_t stream, uint64_t index) {
    Rng r(seed ^ 0x6a09e667f3bcc909ull);
    r.state_ ^= r.next() + stream * 0x9e3779b97f4a7c15ull;
    r.state_ ^= r.next() + index * 0xbf58476d1ce4e5b9ull;
    r.next();
    return r;
  }
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  int64_t between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1)); }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
  template <class T, size_t N>
  const T& pick(const T (&a)[N]) { return a[below(N)]; }
  uint64_t pick_of(std::initializer_list<uint64_t> values) { return values.begin()[below(values.size())]; }

 private:
  uint64_t state_;
};

}  // namespace orcvm::difftest
