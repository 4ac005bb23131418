#pragma once
// orcvm's one documented CPU model: what CPUID reports (docs/cpu-model.md).
#include <cstdint>

namespace orcvm {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

CpuidResult cpuid(uint32_t leaf, uint32_t subleaf);

}  // namespace orcvm
