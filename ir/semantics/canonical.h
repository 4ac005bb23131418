#pragma once
// 48-bit canonical form: bits 63:47 of a linear address are all equal.
#include <cstdint>

namespace orcvm {

constexpr bool canonical(uint64_t address) {
  return static_cast<uint64_t>(static_cast<int64_t>(address << 16) >> 16) == address;
}

}  // namespace orcvm
