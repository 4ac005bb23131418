#pragma once
// x87 double-extended arithmetic exactly as the x87 FPU computes it, in portable
// software (no x86_fp80, no host floating point state, no x86 intrinsics), shared
// by every tier. Each function computes one operation under `control` (an FCW
// value: the precision control PC in bits 9:8, the rounding control RC in bits
// 11:10 and the exception masks in bits 5:0) and ORs into *status what the
// operation reports, in FSW's bit positions: the exception flags IE DE ZE OE UE PE
// (bits 0-5) and C1 (bit 9) when an inexact result was rounded up. The caller owns
// the register stack, the tags, stack faults (IE with SF) and the pending-#MF
// logic; it writes no result when an unmasked IE, DE or ZE is reported (SDM Vol. 1,
// 8.5 and 8.6). For an unmasked OE or UE the returned value is the result with its
// exponent rebiased by 24576 (SDM Vol. 1, 8.5.4 and 8.5.5), which the caller
// writes to a register destination. Tininess is decided after rounding (with an
// unbounded exponent, at the precision control's precision); a masked underflow
// raises UE only when the result is also inexact. NaN rules are the x87's (SDM
// Vol. 1, Table 4-7): an SNaN is quieted with IE, an SNaN and a QNaN give the QNaN,
// of two NaNs of one kind the one with the larger significand wins (the positive
// one of equal significands), and an invalid operation without NaN operands gives
// the indefinite QNaN. Unsupported encodings (pseudo-NaNs, pseudo-infinities,
// unnormals) are invalid operands; a pseudo-denormal is read as the denormal it
// resembles and raises DE.
#include <cstdint>

namespace orcvm::fpu {

// Same layout as the FXSAVE register image: 64-bit significand with its explicit
// integer bit, sign in bit 15 and biased exponent in bits 14:0 of sign_exponent.
struct Float80 {
  uint64_t significand;
  uint16_t sign_exponent;
  friend constexpr bool operator==(Float80, Float80) = default;
};

namespace x87status {
constexpr uint16_t IE = 1u << 0, DE = 1u << 1, ZE = 1u << 2, OE = 1u << 3, UE = 1u << 4, PE = 1u << 5;
constexpr uint16_t Flags = 0x3f;
constexpr uint16_t C0 = 1u << 8, C1 = 1u << 9, C2 = 1u << 10, C3 = 1u << 14;
}  // namespace x87status

namespace x87control {
constexpr unsigned PcShift = 8;  // 0 single (24 bits), 2 double (53), 3 extended (64); 1 is reserved and acts as 3
constexpr unsigned RcShift = 10; // 0 nearest even, 1 down, 2 up, 3 toward zero
}  // namespace x87control

constexpr Float80 kX87Indefinite{0xc000000000000000, 0xffff};

// FADD FSUB FMUL FDIV (the reversed forms are the caller's operand swap) and FSQRT
// (b ignored), rounded to the precision control. In the memory forms one operand is
// a widened binary32/64 and `denormal_memory_operand` says whether it was a
// denormal before widening (the DE x87_from_binary32/64 reported): that DE is the
// operation's, because a NaN or unsupported register operand suppresses it and an
// unmasked DE stops the operation before anything is computed.
enum class X87ArithOp : uint8_t { Add, Sub, Mul, Div, Sqrt };
Float80 x87_arith(X87ArithOp op, Float80 a, Float80 b, uint16_t control, uint16_t* status,
                  bool denormal_memory_operand = false);

// Exact widening of a binary32 or binary64 memory operand (or an integer) to
// double-extended, for loads, arithmetic and compares: DE for a denormal source
// (FLD reports it as it is; arithmetic and compares take it as their
// denormal_memory_operand instead); an SNaN stays signalling so that the operation
// that uses it decides IE and the NaN rules.
Float80 x87_from_binary32(uint32_t bits, uint16_t* status);
Float80 x87_from_binary64(uint64_t bits, uint16_t* status);
Float80 x87_from_int(int64_t value);  // exact: FILD m16/m32/m64, FIADD...

// FLD m32/m64: the widened value, an SNaN quieted with IE.
Float80 x87_load_real(Float80 widened, uint16_t* status);

// FST/FSTP m32/m64: rounded per RC (not PC) with the masked overflow/underflow
// responses of the narrow format; for an unmasked OE/UE nothing is stored (the
// result is undefined and the caller must not write it) and the flag comes alone,
// without PE or C1. A denormal register source raises no DE.
uint32_t x87_to_binary32(Float80 a, uint16_t control, uint16_t* status);
uint64_t x87_to_binary64(Float80 a, uint16_t control, uint16_t* status);

// FIST/FISTP (RC) and FISTTP (truncate) to 16, 32 or 64 bits: a NaN, an infinity,
// an unsupported encoding or an out-of-range value gives IE and the integer
// indefinite (the most negative value), PE (and C1 when rounded up) when inexact,
// never DE. The result is the low `bits` of the return value.
int64_t x87_to_int(Float80 a, unsigned bits, bool truncate, uint16_t control, uint16_t* status);

// FBLD and FBSTP: 18 BCD digits with the sign in bit 79 (as the 80-bit image, low
// 64 bits in significand). FBSTP rounds per RC; an out-of-range value, a NaN or an
// infinity gives IE and the packed BCD indefinite (0xffff c000000000000000).
Float80 x87_from_bcd(Float80 packed);
Float80 x87_to_bcd(Float80 a, uint16_t control, uint16_t* status);

// FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ, rounded per RC as current processors
// do (SDM Vol. 1, 8.3.8), with no flags.
enum class X87Constant : uint8_t { One, Log2Ten, Log2E, Pi, Log10Two, LnTwo, Zero };
Float80 x87_constant(X87Constant c, uint16_t control);

// FCOM/FCOMP/FCOMPP/FCOMI/FICOM (signalling: IE for any NaN) and FUCOM/FUCOMI
// (IE for an SNaN only); FTST compares with +0. DE for a denormal operand (see
// x87_arith for denormal_memory_operand), unless an operand is a NaN or unsupported.
enum class X87Relation : uint8_t { Greater, Less, Equal, Unordered };
X87Relation x87_compare(Float80 a, Float80 b, bool signalling, uint16_t* status,
                        bool denormal_memory_operand = false);

// FXAM: C3 C2 C1 C0 of the class and sign of a (SDM Vol. 1, Table 8-7); `empty` is
// the tag of the register.
uint16_t x87_examine(Float80 a, bool empty);

// FRNDINT (RC), FSCALE (a * 2^trunc(b)), FXTRACT (exponent and significand); FABS
// and FCHS are the caller's sign flips. None of them follows the precision control.
// An unmasked FSCALE overflow or underflow too far for the rebias gives a signed
// infinity (OE PE C1) or zero (UE PE), as the AMD host does.
Float80 x87_round_to_integer(Float80 a, uint16_t control, uint16_t* status);
Float80 x87_scale(Float80 a, Float80 b, uint16_t control, uint16_t* status);
struct X87Pair {
  Float80 first, second;  // FXTRACT: exponent, significand; FSINCOS: sine, cosine; FPTAN: tangent, 1.0
};
X87Pair x87_extract(Float80 a, uint16_t control, uint16_t* status);

// FPREM (quotient truncated) and FPREM1 (IEEE: rounded to nearest): a partial
// remainder of a / b. When the exponents differ by 64 or more the result is a
// partial remainder and `incomplete` is set (C2): a - b * QQ * 2^(D - N) with N =
// 32 + (D mod 32) (the SDM allows 32 to 63; this is the host's choice) and
// quotient_low 0; otherwise the low three quotient bits go to C0 (q2), C3 (q1), C1
// (q0). A remainder that is a itself (|a| < |b| / 2, b infinite) is still a result:
// a pseudo-denormal comes out normalized, a denormal counts as tiny.
struct X87Remainder {
  Float80 value;
  unsigned quotient_low;  // q2 q1 q0
  bool incomplete;
};
X87Remainder x87_remainder(Float80 a, Float80 b, bool ieee, uint16_t control, uint16_t* status);

// The transcendental instructions (SDM Vol. 1, 8.3.10). FSIN FCOS FSINCOS FPTAN
// reduce by the SDM's 66-bit pi, leave their operand unchanged and report
// `out_of_range` (C2) when |a| >= 2^63; for an invalid operand FSINCOS and FPTAN
// give the indefinite (or the NaN) in both results; FSINCOS's C1 is the sine's.
// Results are rounded once per RC (not PC) from 128-bit intermediates, so they are
// correctly rounded but for hard cases; C1 says how orcvm's own result was rounded.
// Outside the SDM's ranges F2XM1 (|a| > 1) and FYL2XP1 (x <= -1) return their
// operand with PE, as the AMD host does. docs/semantics.md says how they compare
// with hardware.
struct X87Trig {
  X87Pair result;
  bool out_of_range;
};
X87Trig x87_sin(Float80 a, uint16_t control, uint16_t* status);
X87Trig x87_cos(Float80 a, uint16_t control, uint16_t* status);
X87Trig x87_sincos(Float80 a, uint16_t control, uint16_t* status);
X87Trig x87_tan(Float80 a, uint16_t control, uint16_t* status);
Float80 x87_atan2(Float80 y, Float80 x, uint16_t control, uint16_t* status);  // FPATAN: atan(ST(1)/ST(0))
Float80 x87_exp2m1(Float80 a, uint16_t control, uint16_t* status);             // F2XM1, -1 <= a <= 1
Float80 x87_ylog2x(Float80 y, Float80 x, uint16_t control, uint16_t* status);   // FYL2X
Float80 x87_ylog2xp1(Float80 y, Float80 x, uint16_t control, uint16_t* status); // FYL2XP1

}  // namespace orcvm::fpu
