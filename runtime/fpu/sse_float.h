#pragma once
// IEEE binary32 and binary64 arithmetic exactly as x86 SSE computes it, in portable
// software (no host floating point state, no x86 intrinsics): MXCSR rounding
// control, DAZ and FTZ, x86's NaN rules (an SNaN operand is quieted, the first
// NaN operand wins, invalid operations give the default "indefinite" QNaN) and
// exception flags, including denormal-operand, and underflow detected after
// rounding. Every function computes one lane; the caller combines lanes and
// decides #XM: it raises #XM, writing no result, when a flag a lane returned is
// unmasked in MXCSR (SDM Vol. 1, 11.5).
#include <cstdint>

namespace orcvm::fpu {

namespace mxcsr {
constexpr uint32_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
constexpr uint32_t Flags = 0x3f;
constexpr uint32_t DAZ = 1u << 6;
constexpr unsigned MaskShift = 7;  // IM..PM are bits 7-12: flag << MaskShift
constexpr uint32_t Masks = Flags << MaskShift;
constexpr unsigned RcShift = 13;   // 0 nearest even, 1 down, 2 up, 3 toward zero
constexpr uint32_t Rc = 3u << RcShift;
constexpr uint32_t FTZ = 1u << 15;
constexpr uint32_t PowerOn = 0x1f80;
constexpr uint32_t Writable = 0xffff;  // MXCSR_MASK: bits 31:16 are reserved (#GP)
}  // namespace mxcsr

// The flags of mxcsr::Flags that are unmasked in control.
constexpr uint32_t unmasked(uint32_t flags, uint32_t control) {
  return flags & ~(control >> mxcsr::MaskShift) & mxcsr::Flags;
}

// ADD/SUB/MUL/DIV/MIN/MAX/SQRT (PS, SS, PD, SD). Sqrt ignores b. Min/Max follow
// the SSE rule: when either operand is a NaN or both are zeros, b is returned.
enum class ArithOp : uint8_t { Add, Sub, Mul, Div, Min, Max, Sqrt };

// One lane of `op` under `control` (an MXCSR value: RC, DAZ, FTZ and the masks,
// which decide the responses to exceptions; its flag bits are ignored). Returns
// the result and ORs the flags the lane raises into *flags. A lane that raises an
// unmasked exception returns a value that must not be written. An unmasked DE
// stops the computation, so no post-computation flag follows it; an unmasked OE
// or UE comes with PE only when the result is inexact at an unbounded exponent,
// as the hardware reports them. For packed instructions, when any lane raises an
// unmasked IE, DE or ZE, the hardware reports only the IE, DE and ZE flags of all
// lanes (SDM Vol. 1, 11.5.3).
uint32_t arith32(ArithOp op, uint32_t a, uint32_t b, uint32_t control, uint32_t* flags);
uint64_t arith64(ArithOp op, uint64_t a, uint64_t b, uint32_t control, uint32_t* flags);

// CMPPS/CMPSS/CMPPD/CMPSD predicates 0-7 (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD):
// true or false for the lane. IE for an SNaN, and for a QNaN with LT, LE, NLT, NLE.
bool compare32(unsigned predicate, uint32_t a, uint32_t b, uint32_t control, uint32_t* flags);
bool compare64(unsigned predicate, uint64_t a, uint64_t b, uint32_t control, uint32_t* flags);

// COMISS/COMISD (signalling: IE for any NaN) and UCOMISS/UCOMISD (IE for an
// SNaN only): the RFLAGS image of ZF (0x40), PF (0x4) and CF (0x1); unordered
// sets all three.
uint32_t ordered_compare32(bool signalling, uint32_t a, uint32_t b, uint32_t control, uint32_t* flags);
uint32_t ordered_compare64(bool signalling, uint64_t a, uint64_t b, uint32_t control, uint32_t* flags);

// CVTSS2SD/CVTPS2PD and CVTSD2SS/CVTPD2PS.
uint64_t f32_to_f64(uint32_t a, uint32_t control, uint32_t* flags);
uint32_t f64_to_f32(uint64_t a, uint32_t control, uint32_t* flags);

// CVTSI2SS/SD, CVTDQ2PS/PD: rounded per RC (PE when inexact).
uint32_t i64_to_f32(int64_t a, uint32_t control, uint32_t* flags);
uint64_t i64_to_f64(int64_t a, uint32_t control, uint32_t* flags);

// CVTSS2SI, CVTPS2DQ, ... (RC) and CVTT* (truncate): a NaN or an out-of-range
// value gives the integer indefinite (the most negative value) and IE.
int32_t f32_to_i32(uint32_t a, bool truncate, uint32_t control, uint32_t* flags);
int64_t f32_to_i64(uint32_t a, bool truncate, uint32_t control, uint32_t* flags);
int32_t f64_to_i32(uint64_t a, bool truncate, uint32_t control, uint32_t* flags);
int64_t f64_to_i64(uint64_t a, bool truncate, uint32_t control, uint32_t* flags);

// RCPSS/RCPPS and RSQRTSS/RSQRTPS: approximations within the SDM's bound
// (|relative error| <= 1.5 * 2^-12), raising no flags; docs/semantics.md says how
// they differ from a vendor's tables. MXCSR does not matter: rounding control is
// ignored and a denormal operand is read as a zero whatever DAZ says.
uint32_t reciprocal32(uint32_t a);
uint32_t reciprocal_sqrt32(uint32_t a);

}  // namespace orcvm::fpu
