#include "runtime/log.h"

#include <cstdarg>
#include <sstream>
#include <utility>

namespace orcvm {

namespace {
constexpr std::pair<const char*, LogItem> kItems[] = {
    {"in_asm", LogItem::InAsm},   {"op", LogItem::Op},
    {"op_opt", LogItem::OpOpt},   {"out_asm", LogItem::OutAsm},
    {"exec", LogItem::Exec},      {"cpu", LogItem::Cpu},
    {"int", LogItem::Int},        {"mmu", LogItem::Mmu},
    {"tcache", LogItem::Tcache},  {"unimp", LogItem::Unimp},
    {"guest_errors", LogItem::GuestErrors}, {"nochain", LogItem::NoChain},
    {"cpu_reset", LogItem::CpuReset},
};
}  // namespace

std::string Log::enable(const std::string& items) {
  std::stringstream ss(items);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    bool found = false;
    for (auto [name, bit] : kItems) {
      if (item == name) {
        mask_ |= static_cast<uint32_t>(bit);
        found = true;
      }
    }
    if (!found) return "unknown -d item '" + item + "' (known: " + item_names() + ")";
  }
  return "";
}

std::string Log::item_names() {
  std::string names;
  for (auto [name, bit] : kItems) names += (names.empty() ? "" : ",") + std::string(name);
  return names;
}

bool Log::set_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  out_ = f;
  return true;
}

void Log::printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(out_ ? out_ : stderr, fmt, ap);
  va_end(ap);
}

void Log::flush() { std::fflush(out_ ? out_ : stderr); }

}  // namespace orcvm
