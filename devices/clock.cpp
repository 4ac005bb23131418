#include "devices/clock.h"

#include <time.h>

namespace orcvm {

namespace {
uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kNsPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}
}  // namespace

HostClock::HostClock() : start_(monotonic_ns()) {}

uint64_t HostClock::now() const { return monotonic_ns() - start_; }

}  // namespace orcvm
