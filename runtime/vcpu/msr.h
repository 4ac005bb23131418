#pragma once
// Model-specific registers of orcvm's CPU model (docs/cpu-model.md). Any other MSR
// raises #GP(0) (logged under -d unimp).
#include <cstdint>

#include "runtime/vcpu/exec_context.h"

namespace orcvm {

namespace msr {
constexpr uint32_t TSC = 0x10, PLATFORM_ID = 0x17, APIC_BASE = 0x1b, FEATURE_CONTROL = 0x3a,
                   TSC_ADJUST = 0x3b, BIOS_SIGN_ID = 0x8b, MTRRCAP = 0xfe, ARCH_CAPABILITIES = 0x10a, SYSENTER_CS = 0x174,
                   SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176, MCG_CAP = 0x179, MCG_STATUS = 0x17a,
                   MISC_ENABLE = 0x1a0, MTRR_DEF_TYPE = 0x2ff, PAT = 0x277, TSC_DEADLINE = 0x6e0,
                   EFER = 0xc0000080, STAR = 0xc0000081, LSTAR = 0xc0000082, CSTAR = 0xc0000083,
                   SFMASK = 0xc0000084, FS_BASE = 0xc0000100, GS_BASE = 0xc0000101,
                   KERNEL_GS_BASE = 0xc0000102, TSC_AUX = 0xc0000103;
}

// Returns false after recording #GP(0).
bool read_msr(ExecContext* ctx, uint32_t index, uint64_t* value);
bool write_msr(ExecContext* ctx, uint32_t index, uint64_t value);

uint64_t read_tsc(ExecContext* ctx);

}  // namespace orcvm
