#pragma once
// --perfmap: the file perf reads to name JIT code, /tmp/perf-PID.map, one line per
// compiled block ("START SIZE NAME", hex), so that `perf report` attributes host
// time to guest addresses.
#include <cstdint>
#include <cstdio>
#include <mutex>

namespace orcvm {

class PerfMap {
 public:
  // Opens /tmp/perf-<this process>.map; throws std::runtime_error if it cannot.
  PerfMap();
  ~PerfMap();
  PerfMap(const PerfMap&) = delete;
  PerfMap& operator=(const PerfMap&) = delete;

  // The block's name says where it comes from: guest RIP (with CS base when not
  // zero), CPL and code size (16, 32, 64).
  void add(const void* code, size_t bytes, uint64_t rip, uint64_t cs_base, unsigned cpl, unsigned code_bits);

 private:
  std::FILE* file_;
  std::mutex mutex_;
};

}  // namespace orcvm
