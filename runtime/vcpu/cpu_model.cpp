#include "runtime/vcpu/cpu_model.h"

#include <cstring>

namespace orcvm {

namespace {
constexpr uint32_t bit(unsigned n) { return 1u << n; }

// orcvm models Intel's documented behaviour (docs/semantics.md), so it reports an
// Intel vendor string; family 6 keeps kernels on their generic paths.
constexpr char kVendor[13] = "GenuineIntel";
constexpr char kBrand[48] = "orcvm x86-64 binary-translated CPU";

uint32_t chars(const char* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);
  return v;
}
}  // namespace

CpuidResult cpuid(uint32_t leaf, uint32_t subleaf) {
  switch (leaf) {
    case 0:
      return {7, chars(kVendor), chars(kVendor + 8), chars(kVendor + 4)};
    case 1: {
      const uint32_t family_model_stepping = (6u << 8) | (0xAu << 4) | 1u;  // family 6, model 10
      const uint32_t ebx = 0;  // APIC ID 0, one logical processor
      const uint32_t ecx = bit(13) /*CMPXCHG16B*/ | bit(22) /*MOVBE*/ | bit(23) /*POPCNT*/ |
                           bit(31) /*running under a hypervisor*/;
      const uint32_t edx = bit(2) /*DE*/ | bit(3) /*PSE*/ | bit(4) /*TSC*/ | bit(5) /*MSR*/ |
                           bit(6) /*PAE*/ | bit(8) /*CX8*/ | bit(9) /*APIC*/ | bit(11) /*SEP*/ |
                           bit(12) /*MTRR*/ | bit(13) /*PGE*/ | bit(15) /*CMOV*/ | bit(16) /*PAT*/ |
                           bit(19) /*CLFSH*/;
      return {family_model_stepping, ebx | (8u << 8) /*CLFLUSH line 64 bytes*/, ecx, edx};
    }
    case 7:
      if (subleaf != 0) return {0, 0, 0, 0};
      // EBX: BMI1, SMEP, BMI2, ADX. ECX: UMIP.
      return {0, bit(3) | bit(7) | bit(8) | bit(19), bit(2), 0};
    case 0x80000000:
      return {0x80000004, 0, 0, 0};
    case 0x80000001:
      // ECX: LAHF/SAHF in 64-bit mode, LZCNT. EDX: SYSCALL, NX, 1 GiB pages, RDTSCP, long mode.
      return {0, 0, bit(0) | bit(5), bit(11) | bit(20) | bit(26) | bit(27) | bit(29)};
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const char* p = kBrand + (leaf - 0x80000002) * 16;
      return {chars(p), chars(p + 4), chars(p + 8), chars(p + 12)};
    }
    default:
      return {0, 0, 0, 0};
  }
}

}  // namespace orcvm
