#pragma once
// The x87 memory operands (SDM Vol. 1, 8.2): how many bytes each format takes and
// how its value crosses into and out of the register format.
#include <cstdint>

#include "ir/semantics/x87_request.h"
#include "runtime/fpu/x87_float.h"

namespace orcvm {

// Real32 ... Bcd: 4, 8, 10, 2, 4, 8, 10.
unsigned x87_operand_bytes(X87Operand format);

// The exact register value of a memory source (arithmetic, compares and loads):
// binary32 and binary64 widened with DE for a denormal and an SNaN left
// signalling, integers converted, the extended format and BCD as they are.
fpu::Float80 x87_read_operand(X87Operand format, const uint8_t* bytes, uint16_t* status);

// FST FSTP FIST FISTP FISTTP FBSTP: value in the memory format, rounded per FCW.RC
// (truncated for FISTTP).
void x87_write_operand(X87Operand format, fpu::Float80 value, bool truncate, uint16_t control, uint16_t* status,
                       uint8_t* bytes);

// What a masked invalid operation stores: the format's indefinite.
void x87_write_indefinite(X87Operand format, uint8_t* bytes);

}  // namespace orcvm
