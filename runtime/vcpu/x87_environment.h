#pragma once
// The x87 environment image of FNSTENV and FLDENV and the state image of FNSAVE
// and FRSTOR, which is the environment followed by ST(0)-ST(7) in 10 bytes each
// (SDM Vol. 1, 8.1.10, Figures 8-9 to 8-12): 14 bytes with a 16-bit operand size,
// 28 with a 32-bit one; in real mode the instruction and data pointers are 20-bit
// (32-bit format: 32-bit) linear addresses with FOP beside them, in protected and
// 64-bit mode offsets and selectors.
#include <cstdint>

#include "runtime/vcpu/fpu_state.h"

namespace orcvm {

struct X87ImageFormat {
  bool operand16;
  bool real_mode;  // real-address or virtual-8086 mode
};

constexpr unsigned x87_environment_bytes(bool operand16) { return operand16 ? 14 : 28; }
constexpr unsigned kX87RegisterImageBytes = 80;

void write_x87_environment(const FpuState& f, X87ImageFormat format, uint8_t* image);
void read_x87_environment(FpuState& f, X87ImageFormat format, const uint8_t* image);
void write_x87_registers(const FpuState& f, uint8_t* image);
void read_x87_registers(FpuState& f, const uint8_t* image);

}  // namespace orcvm
