#include "runtime/vcpu/cpu_model.h"

#include <cstring>

#include "devices/lapic.h"
#include "runtime/softmmu/address_map.h"

namespace orcvm {

namespace {
constexpr uint32_t bit(unsigned n) { return 1u << n; }

// orcvm models Intel's documented behaviour (docs/semantics.md), so it reports an
// Intel vendor string.
constexpr char kVendor[13] = "GenuineIntel";
constexpr char kBrand[48] = "orcvm x86-64 binary-translated CPU";

// Family 6, model 0x8f (Sapphire Rapids), stepping 8: a recent server part that
// no kernel lists as affected by a speculation bug by model, so what
// IA32_ARCH_CAPABILITIES reports decides (docs/cpu-model.md says why not 0x55).
constexpr uint32_t kFamily = 6, kModel = 0x8f, kStepping = 8;
constexpr uint32_t kMaxBasicLeaf = 0x16, kMaxExtendedLeaf = 0x80000008;

// One logical processor: one thread in one core in one package.
constexpr uint32_t kX2ApicId = 0;

constexpr unsigned kLinearAddressBits = 48;

struct Cache {
  uint32_t type;  // leaf 4 EAX[4:0]: 1 data, 2 instruction, 3 unified
  uint32_t level;
  uint32_t ways, sets, line;
  constexpr uint32_t bytes() const { return ways * sets * line; }
};
// Nominal sizes of a Sapphire Rapids core (orcvm has no caches; software sizes
// its strategies from these). The L3 is shared by every logical processor of
// the package, which is one.
constexpr Cache kCaches[] = {
    {1, 1, 12, 64, 64},    // L1 data, 48 KiB
    {2, 1, 8, 64, 64},     // L1 instruction, 32 KiB
    {3, 2, 16, 2048, 64},  // L2, 2 MiB
    {3, 3, 16, 16384, 64}  // L3, 16 MiB
};
constexpr const Cache& kL2 = kCaches[2];
static_assert(kCaches[0].bytes() == 48 * 1024 && kL2.bytes() == 2 * 1024 * 1024 &&
              kCaches[3].bytes() == 16 * 1024 * 1024);

// CPUID.4: EAX type, level, self-initialising; no sharing (EAX[25:14] and
// EAX[31:26] hold counts minus one); EBX ways, partitions, line size minus one.
CpuidResult cache_parameters(uint32_t subleaf) {
  if (subleaf >= sizeof kCaches / sizeof kCaches[0]) return {0, 0, 0, 0};
  const Cache& c = kCaches[subleaf];
  return {c.type | c.level << 5 | bit(8), (c.ways - 1) << 22 | (c.line - 1), c.sets - 1, 0};
}

// CPUID.80000006H:ECX[15:12], the L2 associativity code.
constexpr uint32_t associativity_code(uint32_t ways) {
  switch (ways) {
    case 1: return 0x1;
    case 2: return 0x2;
    case 4: return 0x4;
    case 8: return 0x6;
    case 16: return 0x8;
    case 32: return 0xa;
    default: return 0x7;  // "see CPUID leaf 4"
  }
}

// CPUID.0BH: level 0 is SMT, level 1 is core, each with one logical processor
// and a zero-bit shift to the next level's ID.
CpuidResult topology(uint32_t subleaf) {
  constexpr uint32_t kSmt = 1, kCore = 2;
  const uint32_t level = subleaf & 0xff;
  if (subleaf > 1) return {0, 0, level, kX2ApicId};
  return {0, 1, level | (subleaf == 0 ? kSmt : kCore) << 8, kX2ApicId};
}

// The crystal CPUID.15H reports is the clock of the local APIC timer (Linux
// takes lapic_timer_period from it), so it is the APIC's bus clock, and the TSC
// runs at ratio 1:1 to it.
constexpr uint64_t kCrystalHz = Lapic::kBusHz;
static_assert(kTscHz == kCrystalHz, "CPUID.15H reports TSC = crystal * 1 / 1");
constexpr uint32_t kTscMhz = kTscHz / 1'000'000;

uint32_t chars(const char* s) {
  uint32_t v;
  std::memcpy(&v, s, 4);
  return v;
}

CpuidResult basic_or_extended(uint32_t leaf, uint32_t subleaf) {
  switch (leaf) {
    case 0:
      return {kMaxBasicLeaf, chars(kVendor), chars(kVendor + 8), chars(kVendor + 4)};
    case 1: {
      const uint32_t signature = (kModel >> 4) << 16 | kFamily << 8 | (kModel & 0xf) << 4 | kStepping;
      // Initial APIC ID, one addressable logical processor, CLFLUSH line 64 bytes.
      const uint32_t ebx = kX2ApicId << 24 | 1u << 16 | (64 / 8) << 8;
      const uint32_t ecx = bit(13) /*CMPXCHG16B*/ | bit(22) /*MOVBE*/ | bit(23) /*POPCNT*/ |
                           bit(31) /*running under a hypervisor*/;
      const uint32_t edx = bit(0) /*FPU*/ | bit(2) /*DE*/ | bit(3) /*PSE*/ | bit(4) /*TSC*/ | bit(5) /*MSR*/ |
                           bit(6) /*PAE*/ | bit(8) /*CX8*/ | bit(9) /*APIC*/ | bit(11) /*SEP*/ |
                           bit(12) /*MTRR*/ | bit(13) /*PGE*/ | bit(15) /*CMOV*/ | bit(16) /*PAT*/ |
                           bit(19) /*CLFSH*/ | bit(24) /*FXSR*/ | bit(25) /*SSE*/ |
                           bit(26) /*SSE2*/;
      return {signature, ebx, ecx, edx};
    }
    case 2:
      // One round; the only descriptor, 0xff, says to read leaf 4.
      return {0x0000ff01, 0, 0, 0};
    case 4:
      return cache_parameters(subleaf);
    case 6:
      return {bit(2) /*ARAT: the APIC timer runs in every state*/, 0, 0, 0};
    case 7:
      if (subleaf != 0) return {0, 0, 0, 0};
      // EBX: IA32_TSC_ADJUST, BMI1, SMEP, BMI2, ADX. ECX: UMIP. EDX: IA32_ARCH_CAPABILITIES.
      return {0, bit(1) | bit(3) | bit(7) | bit(8) | bit(19), bit(2), bit(29)};
    case 0xb:
      return topology(subleaf);
    case 0x15:
      return {1, 1, static_cast<uint32_t>(kCrystalHz), 0};
    case 0x16:
      // Base, maximum and bus (the APIC timer's) frequencies in MHz.
      return {kTscMhz, kTscMhz, static_cast<uint32_t>(Lapic::kBusHz / 1'000'000), 0};
    case 0x80000000:
      return {kMaxExtendedLeaf, 0, 0, 0};
    case 0x80000001:
      // ECX: LAHF/SAHF in 64-bit mode, LZCNT. EDX: SYSCALL, NX, 1 GiB pages, RDTSCP, long mode.
      return {0, 0, bit(0) | bit(5), bit(11) | bit(20) | bit(26) | bit(27) | bit(29)};
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const char* p = kBrand + (leaf - 0x80000002) * 16;
      return {chars(p), chars(p + 4), chars(p + 8), chars(p + 12)};
    }
    case 0x80000006:
      return {0, 0, (kL2.bytes() / 1024) << 16 | associativity_code(kL2.ways) << 12 | kL2.line, 0};
    case 0x80000007:
      return {0, 0, 0, bit(8) /*invariant TSC*/};
    case 0x80000008:
      return {PhysicalAddressMap::kPhysicalAddressBits | kLinearAddressBits << 8, 0, 0, 0};
    default:
      return {0, 0, 0, 0};  // reserved leaves inside the ranges
  }
}
}  // namespace

CpuidResult cpuid(uint32_t leaf, uint32_t subleaf) {
  // 0x40000000-0x4fffffff belong to hypervisors; orcvm defines none of them.
  if (leaf >= 0x40000000 && leaf <= 0x4fffffff) return {0, 0, 0, 0};
  // Intel: a leaf above the maximum of its range returns the highest basic leaf.
  const bool in_range = leaf < 0x80000000 ? leaf <= kMaxBasicLeaf : leaf <= kMaxExtendedLeaf;
  return basic_or_extended(in_range ? leaf : kMaxBasicLeaf, subleaf);
}

}  // namespace orcvm
