#pragma once
// The x87 and SSE state as typed fields (SDM Vol. 1, 8.1 and 10.2). FXSAVE and
// XSAVE images are produced and consumed by helpers (fxsave.h), never kept as the
// live state.
#include <cstdint>

namespace orcvm {

// An 80-bit double-extended value: 64-bit significand with its explicit integer bit,
// sign in bit 15 and the biased exponent in bits 14:0 of sign_exponent.
struct X87Register {
  uint64_t significand;
  uint16_t sign_exponent;
};

struct FpuState {
  X87Register reg[8];     // physical R0-R7: ST(i) is R((TOP + i) mod 8); MMi aliases Ri's significand
  uint16_t control;       // FCW
  uint16_t status;        // FSW, TOP in bits 13:11
  uint8_t not_empty;      // bit i: Ri holds a value (FXSAVE's abridged tag word)
  uint16_t last_opcode;   // FOP, 11 bits
  uint16_t last_cs, last_ds;
  uint64_t last_ip, last_dp;
  uint32_t mxcsr;
};

namespace x87 {
constexpr uint16_t ControlAfterInit = 0x037f;  // all exceptions masked, 64-bit precision, nearest
constexpr uint16_t ExceptionFlags = 0x3f;       // IE DE ZE OE UE PE, in FSW and (as masks) FCW
constexpr uint16_t StackFault = 1u << 6, ErrorSummary = 1u << 7, Busy = 1u << 15;
constexpr unsigned TopShift = 11;
constexpr uint16_t TopMask = 7u << TopShift;

// FSW with ES and B recomputed: set exactly when a flag is unmasked in FCW.
constexpr uint16_t status_with_summary(uint16_t status, uint16_t control) {
  const bool pending = status & ~control & ExceptionFlags;
  status &= static_cast<uint16_t>(~(ErrorSummary | Busy));
  return pending ? static_cast<uint16_t>(status | ErrorSummary | Busy) : status;
}
}  // namespace x87

}  // namespace orcvm
