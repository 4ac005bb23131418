#include "runtime/tcache/perf_map.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace orcvm {

// /tmp is shared: a file or link someone left under this name is replaced, never
// followed.
PerfMap::PerfMap() {
  const std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  unlink(path.c_str());
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  file_ = fd >= 0 ? fdopen(fd, "w") : nullptr;
  if (!file_ && fd >= 0) close(fd);
  if (!file_) throw std::runtime_error("--perfmap: cannot write '" + path + "': " + std::strerror(errno));
}

PerfMap::~PerfMap() { std::fclose(file_); }

void PerfMap::add(const void* code, size_t bytes, uint64_t rip, uint64_t cs_base, unsigned cpl, unsigned code_bits) {
  char segment[24] = "";
  if (cs_base) std::snprintf(segment, sizeof segment, "0x%llx:", (unsigned long long)cs_base);
  std::lock_guard lock(mutex_);
  std::fprintf(file_, "%llx %zx guest %s0x%llx cpl%u %ubit\n", (unsigned long long)reinterpret_cast<uintptr_t>(code),
               bytes, segment, (unsigned long long)rip, cpl, code_bits);
  std::fflush(file_);  // perf may read it while orcvm runs, or after it was killed
}

}  // namespace orcvm
