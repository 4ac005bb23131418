#pragma once
// orcvm's one documented CPU model: what CPUID reports and the model-specific
// values the MSRs return (docs/cpu-model.md).
#include <cstdint>

namespace orcvm {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

CpuidResult cpuid(uint32_t leaf, uint32_t subleaf);

// The TSC rate: RDTSC counts nanoseconds of the platform clock. CPUID leaves
// 0x15 and 0x16 report it, and the platform's TSC-deadline timer converts with it.
constexpr uint64_t kTscHz = 1'000'000'000;

namespace arch_capabilities {
// IA32_ARCH_CAPABILITIES bits (SDM Vol. 4, table 2-2; ITS_NO is defined for
// VMMs to report, hardware never sets it).
constexpr uint64_t RDCL_NO = 1ull << 0, SKIP_L1DFL_VMENTRY = 1ull << 3, SSB_NO = 1ull << 4, MDS_NO = 1ull << 5,
                   IF_PSCHANGE_MC_NO = 1ull << 6, TAA_NO = 1ull << 8, SBDR_SSDP_NO = 1ull << 13,
                   FBSDP_NO = 1ull << 14, PSDP_NO = 1ull << 15, BHI_NO = 1ull << 20, PBRSB_NO = 1ull << 24,
                   GDS_NO = 1ull << 26, RFDS_NO = 1ull << 27, ITS_NO = 1ull << 62;
// Every "not affected" bit: guest code never runs natively, so no
// microarchitectural attack the guest could mount or mitigate inside its own
// instruction stream applies (docs/cpu-model.md).
constexpr uint64_t kValue = RDCL_NO | SKIP_L1DFL_VMENTRY | SSB_NO | MDS_NO | IF_PSCHANGE_MC_NO | TAA_NO |
                            SBDR_SSDP_NO | FBSDP_NO | PSDP_NO | BHI_NO | PBRSB_NO | GDS_NO | RFDS_NO | ITS_NO;
}  // namespace arch_capabilities

namespace misc_enable {
// IA32_MISC_ENABLE: fast strings is the one read/write bit; BTS and PEBS are
// reported unavailable (read-only); every other bit belongs to a feature the
// model lacks and is reserved.
constexpr uint64_t FAST_STRINGS = 1ull << 0, BTS_UNAVAILABLE = 1ull << 11, PEBS_UNAVAILABLE = 1ull << 12;
constexpr uint64_t kWritable = FAST_STRINGS, kReadOnly = BTS_UNAVAILABLE | PEBS_UNAVAILABLE;
constexpr uint64_t kPowerOn = FAST_STRINGS | BTS_UNAVAILABLE | PEBS_UNAVAILABLE;
}  // namespace misc_enable

}  // namespace orcvm
