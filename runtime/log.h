#pragma once
// -d logging: QEMU's item names, written to stderr or the -D file.
#include <cstdint>
#include <cstdio>
#include <string>

namespace orcvm {

enum class LogItem : uint32_t {
  InAsm = 1u << 0,
  Op = 1u << 1,
  OpOpt = 1u << 2,
  OutAsm = 1u << 3,
  Exec = 1u << 4,
  Cpu = 1u << 5,
  Int = 1u << 6,
  Mmu = 1u << 7,
  Tcache = 1u << 8,
  Unimp = 1u << 9,
  GuestErrors = 1u << 10,
  NoChain = 1u << 11,
  CpuReset = 1u << 12,
};

class Log {
 public:
  // Parses "in_asm,exec,..."; returns an error message for an unknown item, else "".
  static std::string enable(const std::string& items);
  static std::string item_names();
  static bool set_file(const std::string& path);
  static bool on(LogItem item) { return mask_ & static_cast<uint32_t>(item); }
  static void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
  static void flush();

 private:
  static inline uint32_t mask_ = 0;
  static inline FILE* out_ = nullptr;
};

}  // namespace orcvm
