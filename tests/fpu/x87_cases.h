#pragma once
// One-line x87 cases: operation, operands, control word => expected result and FSW
// bits. The expectations are worked out by hand from the SDM (Vol. 1, 4.7-4.9, 8.1.5,
// 8.2, 8.3, 8.5; Vol. 2 per instruction); x87_float_test checks the library against
// them and x87_float_host_test checks the host CPU against them, which is how the
// derivations themselves are checked. A result the operation does not write (an
// unmasked IE, DE or ZE, or an unmasked OE or UE toward memory) is not compared.
// Integer, binary32/64 and BCD results sit in the significand, the BCD's top 16
// bits in sign_exponent.
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/fpu/x87_float.h"
#include "tests/fpu/x87_outcome.h"

namespace orcvm::fpu::test {

struct X87Case {
  std::string_view op;
  Float80 a, b;
  uint16_t control;
  Float80 expected;
  uint16_t status;
};

namespace cases {

using namespace x87status;

// Precision and rounding control (FCW bits 9:8 and 11:10), everything masked.
enum : unsigned { P24 = 0, P53 = 2, P64 = 3 };
enum : unsigned { RN = 0, RD = 1, RU = 2, RZ = 3 };
constexpr uint16_t cw(unsigned precision, unsigned rounding) { return control_word(precision, rounding); }
constexpr uint16_t N64 = cw(P64, RN);
constexpr uint16_t unmask(uint16_t control, uint16_t flags) { return uint16_t(control & ~flags); }

constexpr Float80 F(uint16_t sign_exponent, uint64_t significand) { return f80(sign_exponent, significand); }
constexpr Float80 negate_f80(Float80 x) { return f80(uint16_t(x.sign_exponent ^ 0x8000), x.significand); }
constexpr Float80 M(uint64_t memory) { return f80(0, memory); }  // a memory or integer value
constexpr Float80 kNone{};                                       // unused operand, or not written

constexpr Float80 kPlusZero = F(0x0000, 0), kMinusZero = F(0x8000, 0);
constexpr Float80 kOne = F(0x3fff, 0x8000000000000000), kMinusOne = F(0xbfff, 0x8000000000000000);
constexpr Float80 kTwo = F(0x4000, 0x8000000000000000), kThree = F(0x4000, 0xc000000000000000);
constexpr Float80 kFour = F(0x4001, 0x8000000000000000), kHalf = F(0x3ffe, 0x8000000000000000);
constexpr Float80 kInf = F(0x7fff, 0x8000000000000000), kMinusInf = F(0xffff, 0x8000000000000000);
constexpr Float80 kMax = F(0x7ffe, 0xffffffffffffffff), kMinNormal = F(0x0001, 0x8000000000000000);
constexpr Float80 kMinDenormal = F(0x0000, 1), kPseudoDenormal = F(0x0000, 0x8000000000000000);
constexpr Float80 kIndefinite = F(0xffff, 0xc000000000000000);
constexpr Float80 kUnnormal = F(0x3fff, 0x4000000000000000), kPseudoInfinity = F(0x7fff, 0);
constexpr Float80 kPseudoNan = F(0x7fff, 0x4000000000000001);

inline const std::vector<X87Case> kArithmetic = {
    // signed zeros in every rounding direction (SDM Vol. 1, 4.8.3.2; IEEE 754, 6.3)
    {"fadd", kPlusZero, kMinusZero, cw(P64, RN), kPlusZero, 0},
    {"fadd", kPlusZero, kMinusZero, cw(P64, RD), kMinusZero, 0},
    {"fadd", kPlusZero, kMinusZero, cw(P64, RU), kPlusZero, 0},
    {"fadd", kPlusZero, kMinusZero, cw(P64, RZ), kPlusZero, 0},
    {"fadd", kMinusZero, kMinusZero, cw(P64, RU), kMinusZero, 0},
    {"fsub", kOne, kOne, cw(P64, RN), kPlusZero, 0},
    {"fsub", kOne, kOne, cw(P64, RD), kMinusZero, 0},
    {"fsub", kOne, kOne, cw(P24, RZ), kPlusZero, 0},
    {"fadd", kMinusOne, kOne, cw(P53, RD), kMinusZero, 0},
    {"fsub", kMinusZero, kPlusZero, cw(P64, RN), kMinusZero, 0},
    {"fmul", kMinusZero, kThree, N64, kMinusZero, 0},
    {"fdiv", kMinusZero, kMinusInf, N64, kPlusZero, 0},
    {"fsqrt", kMinusZero, kNone, N64, kMinusZero, 0},
    // every special class against the others, add
    {"fadd", kInf, kMinusInf, N64, kIndefinite, IE},
    {"fsub", kInf, kInf, N64, kIndefinite, IE},
    {"fadd", kInf, kInf, N64, kInf, 0},
    {"fadd", kMinusInf, kMax, N64, kMinusInf, 0},
    {"fadd", kMinDenormal, kInf, N64, kInf, DE},
    {"fadd", kPlusZero, kThree, N64, kThree, 0},
    {"fadd", kMinDenormal, kMinDenormal, N64, F(0x0000, 2), DE},
    {"fadd", kPseudoDenormal, kPlusZero, N64, kMinNormal, DE},  // read as 2^-16382, written normalized
    {"fadd", kPseudoDenormal, kMinDenormal, N64, F(0x0001, 0x8000000000000001), DE},
    {"fadd", kMinDenormal, kOne, N64, kOne, DE | PE},
    {"fadd", kMinDenormal, kOne, cw(P64, RU), F(0x3fff, 0x8000000000000001), DE | PE | C1},
    {"fadd", kMinDenormal, kMinusOne, cw(P64, RZ), F(0xbffe, 0xffffffffffffffff), DE | PE},
    {"fadd", kOne, F(0x7fff, 0xc000000000000001), N64, F(0x7fff, 0xc000000000000001), 0},
    {"fadd", F(0x7fff, 0x8000000000000001), kOne, N64, F(0x7fff, 0xc000000000000001), IE},
    {"fadd", kMinDenormal, F(0xffff, 0xc000000000001234), N64, F(0xffff, 0xc000000000001234), 0},  // a NaN hides DE
    {"fadd", kUnnormal, kOne, N64, kIndefinite, IE},
    {"fadd", kPseudoInfinity, kOne, N64, kIndefinite, IE},
    {"fadd", kPseudoNan, F(0x7fff, 0xc000000000000001), N64, kIndefinite, IE},  // unsupported before NaN
    {"fadd", F(0x0000, 0x4000000000000000), F(0x3fff, 0x4000000000000000), N64, kIndefinite, IE},
    // NaN against NaN (SDM Vol. 1, Table 4-7): the QNaN beats an SNaN whatever the
    // significands; otherwise the larger significand wins, the sign does not count
    {"fadd", F(0x7fff, 0xbfffffffffffffff), F(0xffff, 0xc000000000000001), N64, F(0xffff, 0xc000000000000001), IE},
    {"fmul", F(0xffff, 0xc000000000000001), F(0x7fff, 0xbfffffffffffffff), N64, F(0xffff, 0xc000000000000001), IE},
    {"fadd", F(0x7fff, 0xc000000000000001), F(0xffff, 0xc000000000000002), N64, F(0xffff, 0xc000000000000002), 0},
    {"fsub", F(0xffff, 0xc000000000000009), F(0x7fff, 0xc000000000000002), N64, F(0xffff, 0xc000000000000009), 0},
    {"fdiv", F(0x7fff, 0x8000000000000005), F(0xffff, 0x8000000000000003), N64, F(0x7fff, 0xc000000000000005), IE},
    {"fdiv", F(0x7fff, 0x8000000000000003), F(0xffff, 0x8000000000000005), N64, F(0xffff, 0xc000000000000005), IE},
    {"fmul", F(0xffff, 0xc000000000000001), F(0x7fff, 0xc000000000000001), N64, F(0x7fff, 0xc000000000000001), 0},
    {"fsqrt", F(0xffff, 0x8000000000000001), kNone, N64, F(0xffff, 0xc000000000000001), IE},
    // multiply
    {"fmul", kInf, kPlusZero, N64, kIndefinite, IE},
    {"fmul", kMinusZero, kMinusInf, N64, kIndefinite, IE},
    {"fmul", kInf, kMinusOne, N64, kMinusInf, 0},
    {"fmul", kMinDenormal, kMinusZero, N64, kMinusZero, DE},
    {"fmul", kMinDenormal, kInf, N64, kInf, DE},
    {"fmul", kMinDenormal, kMinDenormal, N64, kPlusZero, DE | UE | PE},
    {"fmul", kMinDenormal, kMinDenormal, cw(P64, RU), kMinDenormal, DE | UE | PE | C1},
    {"fmul", kThree, kThree, cw(P24, RN), F(0x4002, 0x9000000000000000), 0},
    // divide
    {"fdiv", kOne, kPlusZero, N64, kInf, ZE},
    {"fdiv", kMinusOne, kPlusZero, N64, kMinusInf, ZE},
    {"fdiv", kOne, kMinusZero, N64, kMinusInf, ZE},
    {"fdiv", kMinDenormal, kPlusZero, N64, kInf, ZE},  // ZE without DE
    {"fdiv", kInf, kPlusZero, N64, kInf, 0},
    {"fdiv", kPlusZero, kMinusZero, N64, kIndefinite, IE},
    {"fdiv", kMinusInf, kInf, N64, kIndefinite, IE},
    {"fdiv", kOne, kMinusInf, N64, kMinusZero, 0},
    {"fdiv", kPlusZero, kMinDenormal, N64, kPlusZero, DE},
    {"fdiv", kOne, kPlusZero, unmask(N64, ZE), kNone, ZE},
    // 1/3 in every precision and rounding control: 0.AAAA... with exponent -2
    {"fdiv", kOne, kThree, cw(P64, RN), F(0x3ffd, 0xaaaaaaaaaaaaaaab), PE | C1},
    {"fdiv", kOne, kThree, cw(P64, RD), F(0x3ffd, 0xaaaaaaaaaaaaaaaa), PE},
    {"fdiv", kOne, kThree, cw(P64, RU), F(0x3ffd, 0xaaaaaaaaaaaaaaab), PE | C1},
    {"fdiv", kOne, kThree, cw(P64, RZ), F(0x3ffd, 0xaaaaaaaaaaaaaaaa), PE},
    {"fdiv", kOne, kThree, cw(P53, RN), F(0x3ffd, 0xaaaaaaaaaaaaa800), PE},
    {"fdiv", kOne, kThree, cw(P53, RD), F(0x3ffd, 0xaaaaaaaaaaaaa800), PE},
    {"fdiv", kOne, kThree, cw(P53, RU), F(0x3ffd, 0xaaaaaaaaaaaab000), PE | C1},
    {"fdiv", kOne, kThree, cw(P53, RZ), F(0x3ffd, 0xaaaaaaaaaaaaa800), PE},
    {"fdiv", kOne, kThree, cw(P24, RN), F(0x3ffd, 0xaaaaab0000000000), PE | C1},
    {"fdiv", kOne, kThree, cw(P24, RD), F(0x3ffd, 0xaaaaaa0000000000), PE},
    {"fdiv", kOne, kThree, cw(P24, RU), F(0x3ffd, 0xaaaaab0000000000), PE | C1},
    {"fdiv", kOne, kThree, cw(P24, RZ), F(0x3ffd, 0xaaaaaa0000000000), PE},
    {"fdiv", kMinusOne, kThree, cw(P24, RD), F(0xbffd, 0xaaaaab0000000000), PE | C1},
    {"fdiv", kMinusOne, kThree, cw(P24, RU), F(0xbffd, 0xaaaaaa0000000000), PE},
    // square root
    {"fsqrt", kMinusOne, kNone, N64, kIndefinite, IE},
    {"fsqrt", kMinusInf, kNone, N64, kIndefinite, IE},
    {"fsqrt", F(0x8000, 1), kNone, N64, kIndefinite, IE},  // IE without DE
    {"fsqrt", kInf, kNone, N64, kInf, 0},
    {"fsqrt", kFour, kNone, cw(P24, RU), kTwo, 0},
    {"fsqrt", kTwo, kNone, cw(P64, RN), F(0x3fff, 0xb504f333f9de6484), PE},
    {"fsqrt", kTwo, kNone, cw(P64, RU), F(0x3fff, 0xb504f333f9de6485), PE | C1},
    {"fsqrt", kTwo, kNone, cw(P53, RN), F(0x3fff, 0xb504f333f9de6800), PE | C1},
    {"fsqrt", kTwo, kNone, cw(P24, RN), F(0x3fff, 0xb504f30000000000), PE},
    {"fsqrt", kMinDenormal, kNone, N64, F(0x1fe0, 0xb504f333f9de6484), DE | PE},  // 2^-8222.5
    // overflow: masked, per rounding direction and precision (SDM Vol. 1, Table 4-10)
    {"fmul", kMax, kTwo, cw(P64, RN), kInf, OE | PE | C1},
    {"fmul", kMax, kTwo, cw(P64, RZ), kMax, OE | PE},
    {"fmul", kMax, kTwo, cw(P64, RD), kMax, OE | PE},
    {"fmul", kMax, F(0xc000, 0x8000000000000000), cw(P64, RD), F(0xffff, 0x8000000000000000), OE | PE | C1},
    {"fmul", kMax, F(0xc000, 0x8000000000000000), cw(P64, RU), F(0xfffe, 0xffffffffffffffff), OE | PE},
    {"fmul", kMax, kTwo, cw(P24, RZ), F(0x7ffe, 0xffffff0000000000), OE | PE},
    {"fmul", kMax, kTwo, cw(P53, RU), kInf, OE | PE | C1},
    {"fadd", kMax, F(0x7fbe, 0x8000000000000000), cw(P64, RN), kInf, OE | PE | C1},  // a half unit rounds up to even
    // PC 24 keeps the 15-bit exponent: 2^16383 * (2 - 2^-23) is finite there
    {"fmul", F(0x7ffe, 0xffffff0000000000), kOne, cw(P24, RN), F(0x7ffe, 0xffffff0000000000), 0},
    {"fmul", F(0x7ffe, 0xffffff8000000000), kOne, cw(P24, RN), kInf, OE | PE | C1},
    // overflow unmasked: the result rebiased by -24576 (0x6000), C1 and PE as rounded
    {"fmul", F(0x7ffe, 0x8000000000000000), kTwo, unmask(N64, OE), F(0x1fff, 0x8000000000000000), OE},
    {"fmul", kMax, kThree, unmask(cw(P24, RN), OE), F(0x2000, 0xc000000000000000), OE | PE | C1},
    {"fdiv", kMax, kHalf, unmask(cw(P64, RZ), OE), F(0x1fff, 0xffffffffffffffff), OE},
    // underflow: tiny after rounding with an unbounded exponent (SDM Vol. 1, 4.9.1.5);
    // masked, UE only with a loss of accuracy
    {"fmul", kMinNormal, kHalf, N64, F(0x0000, 0x4000000000000000), 0},
    {"fmul", F(0x0001, 0x8000000000000001), kHalf, cw(P64, RN), F(0x0000, 0x4000000000000000), UE | PE},
    {"fmul", F(0x0001, 0x8000000000000001), kHalf, cw(P64, RU), F(0x0000, 0x4000000000000001), UE | PE | C1},
    {"fmul", F(0x0001, 0x8000000000000003), kHalf, cw(P64, RN), F(0x0000, 0x4000000000000002), UE | PE | C1},
    {"fmul", F(0x0001, 0xffffffffffffffff), kHalf, cw(P64, RN), kMinNormal, UE | PE | C1},
    // rounds to 2^-16382 at 24 bits, so it is not tiny: PE without UE
    {"fmul", F(0x0001, 0xffffff8000000000), kHalf, cw(P24, RN), kMinNormal, PE | C1},
    {"fmul", F(0x0001, 0xffffff8000000000), kHalf, cw(P24, RZ), F(0x0000, 0x7fffff0000000000), UE | PE},
    // at 24 bits a denormal keeps the bits down to 2^-16405, whatever its exponent
    {"fmul", F(0x0001, 0x8000018000000000), F(0x3ff0, 0x8000000000000000), cw(P24, RN), F(0x0000, 0x0001000000000000), UE | PE},
    {"fmul", kMinNormal, F(0x3fe7, 0x8000000000000000), cw(P24, RU), F(0x0000, 0x0000010000000000), UE | PE | C1},
    {"fmul", kMinNormal, F(0x3fe7, 0x8000000000000000), cw(P24, RN), kPlusZero, UE | PE},
    {"fmul", kMinNormal, F(0x3fe8, 0x8000000000000000), cw(P24, RN), F(0x0000, 0x0000010000000000), 0},
    // underflow unmasked: UE even when exact, the result rebiased by +24576
    {"fmul", kMinNormal, kHalf, unmask(N64, UE), F(0x6000, 0x8000000000000000), UE},
    {"fmul", F(0x8001, 0x8000000000000001), kHalf, unmask(cw(P24, RD), UE), F(0xe000, 0x8000010000000000), UE | PE | C1},
    {"fadd", kMinDenormal, kMinDenormal, unmask(N64, UE), F(0x5fc3, 0x8000000000000000), DE | UE},
    // denormal operand unmasked: nothing computed, nothing but DE reported
    {"fadd", kMinDenormal, kOne, unmask(N64, DE), kNone, DE},
    {"fmul", kPseudoDenormal, kMax, unmask(N64, DE), kNone, DE},
    {"fsqrt", kMinDenormal, kNone, unmask(N64, DE), kNone, DE},
    {"fadd", kInf, kMinusInf, unmask(N64, IE), kNone, IE},
};

inline const std::vector<X87Case> kConversions = {
    // FLD m32/m64 and the memory forms' widening
    {"fld m32", kNone, M(0x00000001), N64, F(0x3f6a, 0x8000000000000000), DE},
    {"fld m32", kNone, M(0x807fffff), N64, F(0xbf80, 0xfffffe0000000000), DE},
    {"fld m32", kNone, M(0x7f800001), N64, F(0x7fff, 0xc000010000000000), IE},
    {"fld m32", kNone, M(0xffc00000), N64, kIndefinite, 0},
    {"fld m32", kNone, M(0xff800000), N64, kMinusInf, 0},
    {"fld m64", kNone, M(0x8000000000000000), N64, kMinusZero, 0},
    {"fld m64", kNone, M(0x0000000000000001), N64, F(0x3bcd, 0x8000000000000000), DE},
    {"fld m64", kNone, M(0x7ff0000000000001), N64, F(0x7fff, 0xc000000000000800), IE},
    {"fadd m32", F(0x7fff, 0xc000000000000001), M(0x00000001), N64, F(0x7fff, 0xc000000000000001), 0},
    {"fadd m32", kOne, M(0x00000001), unmask(N64, DE), kNone, DE},
    {"fadd m32", kOne, M(0x3f800000), N64, kTwo, 0},
    {"fadd m32", kOne, M(0x7f800001), N64, F(0x7fff, 0xc000010000000000), IE},
    // FST m32/m64: RC, not PC; the narrow format's overflow and underflow
    {"fst m32", F(0x3ffd, 0xaaaaaaaaaaaaaaab), kNone, cw(P64, RN), M(0x3eaaaaab), PE | C1},
    {"fst m32", F(0x3ffd, 0xaaaaaaaaaaaaaaab), kNone, cw(P64, RZ), M(0x3eaaaaaa), PE},
    {"fst m64", F(0x3ffd, 0xaaaaaaaaaaaaaaab), kNone, cw(P24, RN), M(0x3fd5555555555555), PE},
    {"fst m32", kMax, kNone, cw(P64, RN), M(0x7f800000), OE | PE | C1},
    {"fst m32", kMax, kNone, cw(P64, RZ), M(0x7f7fffff), OE | PE},
    {"fst m64", negate_f80(kMax), kNone, cw(P64, RU), M(0xffefffffffffffff), OE | PE},
    {"fst m32", kMax, kNone, unmask(N64, OE), kNone, OE},  // nothing stored, OE alone
    {"fst m32", F(0x3f00, 0x8000000000000000), kNone, cw(P64, RN), M(0x00000000), UE | PE},
    {"fst m32", F(0x3f00, 0x8000000000000000), kNone, cw(P64, RU), M(0x00000001), UE | PE | C1},
    {"fst m32", F(0x3f6a, 0x8000000000000000), kNone, N64, M(0x00000001), 0},  // exact denormal
    {"fst m32", F(0x3f6a, 0x8000000000000000), kNone, unmask(N64, UE), kNone, UE},
    {"fst m32", F(0x3f80, 0xffffff8000000000), kNone, cw(P64, RN), M(0x00800000), PE | C1},  // rounds to normal: no UE
    {"fst m32", F(0x3f80, 0xffffff0000000000), kNone, cw(P64, RN), M(0x00800000), UE | PE | C1},  // tiny, exact at 24 bits
    {"fst m32", kMinDenormal, kNone, N64, M(0x00000000), UE | PE},  // no DE for a register source
    {"fst m32", F(0x7fff, 0x8000000000000001), kNone, N64, M(0x7fc00000), IE},
    {"fst m64", F(0xffff, 0xa000000000000000), kNone, N64, M(0xfffc000000000000), IE},
    {"fst m64", F(0x7fff, 0xc000000000000fff), kNone, N64, M(0x7ff8000000000001), 0},
    {"fst m64", kUnnormal, kNone, N64, M(0xfff8000000000000), IE},
    {"fst m64", kMinusInf, kNone, N64, M(0xfff0000000000000), 0},
    // FIST/FISTTP: the integer indefinite for NaNs, infinities and what does not fit
    {"fist16", F(0x400d, 0xffff000000000000), kNone, cw(P64, RN), M(0x8000), IE},   // 32767.5 rounds to 32768
    {"fist16", F(0x400d, 0xffff000000000000), kNone, cw(P64, RZ), M(0x7fff), PE},
    {"fist16", F(0xc00e, 0x8000666666666666), kNone, cw(P64, RN), M(0x8000), PE},   // -32768.4
    {"fist16", F(0x4000, 0xa000000000000000), kNone, cw(P64, RN), M(0x0002), PE},   // 2.5, ties to even
    {"fist16", F(0x4000, 0xa000000000000000), kNone, cw(P64, RU), M(0x0003), PE | C1},
    {"fist32", F(0xc000, 0xb99999999999999a), kNone, cw(P64, RD), M(0xfffffffd), PE | C1},  // -2.9
    {"fisttp32", F(0xc000, 0xb99999999999999a), kNone, cw(P64, RD), M(0xfffffffe), PE},
    {"fist64", F(0x403e, 0x8000000000000000), kNone, N64, M(0x8000000000000000), IE},  // 2^63
    {"fist64", F(0xc03e, 0x8000000000000000), kNone, N64, M(0x8000000000000000), 0},   // -2^63 fits
    {"fist32", F(0x7fff, 0xc000000000000000), kNone, N64, M(0x80000000), IE},
    {"fist32", kMinusInf, kNone, N64, M(0x80000000), IE},
    {"fist32", kUnnormal, kNone, N64, M(0x80000000), IE},
    {"fist16", F(0x3ffd, 0xcccccccccccccccd), kNone, N64, M(0x0000), PE},  // 0.4
    {"fist16", kMinDenormal, kNone, cw(P64, RU), M(0x0001), PE | C1},       // no DE
    {"fist16", kMinusZero, kNone, N64, M(0x0000), 0},
    {"fisttp16", F(0x400e, 0x8000000000000000), kNone, N64, M(0x8000), IE},  // 65536
    {"fist32", kInf, kNone, unmask(N64, IE), kNone, IE},
};

inline const std::vector<X87Case> kComparesAndClasses = {
    // compares: the relation's condition codes C3 C2 C0 (FCOM's encoding)
    {"fcom", kOne, F(0x7fff, 0xc000000000000000), N64, kNone, C3 | C2 | C0 | IE},
    {"fucom", kOne, F(0x7fff, 0xc000000000000000), N64, kNone, C3 | C2 | C0},
    {"fucom", kOne, F(0x7fff, 0x8000000000000001), N64, kNone, C3 | C2 | C0 | IE},
    {"fucom", kUnnormal, kOne, N64, kNone, C3 | C2 | C0 | IE},
    {"fcom", kPlusZero, kMinusZero, N64, kNone, C3},
    {"fcom", kPseudoDenormal, kMinNormal, N64, kNone, C3 | DE},
    {"fcom", kMinDenormal, kPseudoDenormal, N64, kNone, C0 | DE},
    {"fcom", kMinusInf, negate_f80(kMax), N64, kNone, C0},
    {"fcom", kThree, kTwo, N64, kNone, 0},
    {"fcom", kMinusZero, kMinDenormal, N64, kNone, C0 | DE},
    {"ftst", F(0x8000, 1), kNone, N64, kNone, C0 | DE},
    {"ftst", kMinusZero, kNone, N64, kNone, C3},
    {"fcom m32", kOne, M(0x00000001), N64, kNone, DE},
    {"fcom m32", F(0x7fff, 0xc000000000000000), M(0x00000001), N64, kNone, C3 | C2 | C0 | IE},  // a NaN hides DE
    // FXAM: C3 C2 C0 the class, C1 the sign
    {"fxam", kOne, kNone, N64, kNone, C2},
    {"fxam", kMinusOne, kNone, N64, kNone, C2 | C1},
    {"fxam", kPlusZero, kNone, N64, kNone, C3},
    {"fxam", kMinDenormal, kNone, N64, kNone, C3 | C2},
    {"fxam", kPseudoDenormal, kNone, N64, kNone, C3 | C2},
    {"fxam", kMinusInf, kNone, N64, kNone, C2 | C1 | C0},
    {"fxam", F(0x7fff, 0x8000000000000001), kNone, N64, kNone, C0},
    {"fxam", kUnnormal, kNone, N64, kNone, 0},
    {"fxam", kPseudoInfinity, kNone, N64, kNone, 0},
    {"fxam empty", kMinusOne, kNone, N64, kNone, C3 | C1 | C0},
    // constants, per RC (SDM Vol. 1, 8.3.8); PC does not apply
    {"fldpi", kNone, kNone, cw(P64, RN), F(0x4000, 0xc90fdaa22168c235), 0},
    {"fldpi", kNone, kNone, cw(P24, RD), F(0x4000, 0xc90fdaa22168c234), 0},
    {"fldpi", kNone, kNone, cw(P64, RU), F(0x4000, 0xc90fdaa22168c235), 0},
    {"fldpi", kNone, kNone, cw(P53, RZ), F(0x4000, 0xc90fdaa22168c234), 0},
    {"fldl2t", kNone, kNone, cw(P64, RN), F(0x4000, 0xd49a784bcd1b8afe), 0},
    {"fldl2t", kNone, kNone, cw(P64, RU), F(0x4000, 0xd49a784bcd1b8aff), 0},
    {"fldl2t", kNone, kNone, cw(P64, RD), F(0x4000, 0xd49a784bcd1b8afe), 0},
    {"fldl2e", kNone, kNone, cw(P64, RN), F(0x3fff, 0xb8aa3b295c17f0bc), 0},
    {"fldl2e", kNone, kNone, cw(P64, RZ), F(0x3fff, 0xb8aa3b295c17f0bb), 0},
    {"fldlg2", kNone, kNone, cw(P64, RN), F(0x3ffd, 0x9a209a84fbcff799), 0},
    {"fldlg2", kNone, kNone, cw(P64, RD), F(0x3ffd, 0x9a209a84fbcff798), 0},
    {"fldln2", kNone, kNone, cw(P64, RN), F(0x3ffe, 0xb17217f7d1cf79ac), 0},
    {"fldln2", kNone, kNone, cw(P64, RZ), F(0x3ffe, 0xb17217f7d1cf79ab), 0},
    {"fld1", kNone, kNone, cw(P24, RD), kOne, 0},
    {"fldz", kNone, kNone, cw(P64, RD), kPlusZero, 0},
};

inline const std::vector<X87Case> kRoundScaleExtractRemainder = {
    // FRNDINT per RC; PC does not apply; C1 when rounded up
    {"frndint", F(0x4000, 0xa000000000000000), kNone, cw(P64, RN), kTwo, PE},  // 2.5
    {"frndint", F(0x4000, 0xa000000000000000), kNone, cw(P64, RD), kTwo, PE},
    {"frndint", F(0x4000, 0xa000000000000000), kNone, cw(P64, RU), kThree, PE | C1},
    {"frndint", F(0x4000, 0xa000000000000000), kNone, cw(P64, RZ), kTwo, PE},
    {"frndint", F(0xc000, 0xa000000000000000), kNone, cw(P64, RN), negate_f80(kTwo), PE},
    {"frndint", F(0xc000, 0xa000000000000000), kNone, cw(P64, RD), negate_f80(kThree), PE | C1},
    {"frndint", F(0xc000, 0xa000000000000000), kNone, cw(P64, RU), negate_f80(kTwo), PE},
    {"frndint", F(0xbffd, 0x8000000000000000), kNone, cw(P64, RN), kMinusZero, PE},  // -0.25 keeps its sign
    {"frndint", F(0xbffd, 0x8000000000000000), kNone, cw(P64, RD), kMinusOne, PE | C1},
    {"frndint", kHalf, kNone, cw(P64, RN), kPlusZero, PE},
    {"frndint", F(0x3fff, 0xc000000000000000), kNone, cw(P64, RN), kTwo, PE | C1},
    {"frndint", kMinDenormal, kNone, cw(P64, RU), kOne, DE | PE | C1},
    {"frndint", F(0x403e, 0xffffffffffffffff), kNone, cw(P24, RN), F(0x403e, 0xffffffffffffffff), 0},
    {"frndint", F(0x403d, 0xffffffffffffffff), kNone, cw(P64, RU), F(0x403e, 0x8000000000000000), PE | C1},
    {"frndint", kMinusInf, kNone, N64, kMinusInf, 0},
    {"frndint", F(0x7fff, 0x8000000000000001), kNone, N64, F(0x7fff, 0xc000000000000001), IE},
    {"frndint", kUnnormal, kNone, N64, kIndefinite, IE},
    // FSCALE: a * 2^trunc(b)
    {"fscale", kOne, kThree, N64, F(0x4002, 0x8000000000000000), 0},
    {"fscale", kOne, F(0xc000, 0xb99999999999999a), N64, F(0x3ffd, 0x8000000000000000), 0},  // -2.9 -> -2
    {"fscale", kThree, F(0x3ffe, 0xe666666666666666), N64, kThree, 0},                         // 0.9 -> 0
    {"fscale", kMinusOne, kInf, N64, kMinusInf, 0},
    {"fscale", kPlusZero, kInf, N64, kIndefinite, IE},
    {"fscale", kInf, kMinusInf, N64, kIndefinite, IE},
    {"fscale", kMinusInf, kInf, N64, kMinusInf, 0},
    {"fscale", negate_f80(kThree), kMinusInf, N64, kMinusZero, 0},
    {"fscale", kMinusZero, F(0x4001, 0xe000000000000000), N64, kMinusZero, 0},
    {"fscale", kMax, kOne, cw(P64, RN), kInf, OE | PE | C1},
    {"fscale", kMax, kOne, cw(P64, RZ), kMax, OE | PE},
    {"fscale", kMax, kOne, cw(P24, RZ), kMax, OE | PE},  // PC does not apply
    {"fscale", kMax, kOne, unmask(N64, OE), F(0x1fff, 0xffffffffffffffff), OE},
    {"fscale", kOne, F(0x400f, 0xc350000000000000), unmask(cw(P64, RZ), OE), kInf, OE | PE | C1},  // 2^100000
    {"fscale", kOne, F(0xc00c, 0xfff8000000000000), N64, kMinNormal, 0},  // 2^-16382
    {"fscale", kOne, F(0xc00c, 0xfffc000000000000), N64, F(0x0000, 0x4000000000000000), 0},  // 2^-16383, exact
    {"fscale", kOne, F(0xc00d, 0x807a000000000000), N64, kMinDenormal, 0},  // 2^-16445
    {"fscale", kOne, F(0xc00d, 0x807c000000000000), N64, kPlusZero, UE | PE},  // 2^-16446 ties to 0
    {"fscale", kOne, F(0xc00f, 0xc350000000000000), unmask(N64, UE), kPlusZero, UE | PE},  // 2^-100000
    {"fscale", kPseudoDenormal, kPlusZero, N64, kMinNormal, DE},
    // FXTRACT: the exponent goes to ST(1), the significand to ST(0)
    {"fxtract exponent", F(0x4002, 0x8000000000000000), kNone, N64, kThree, 0},
    {"fxtract significand", F(0x4002, 0x8000000000000000), kNone, N64, kOne, 0},
    {"fxtract exponent", F(0xbffe, 0xc000000000000000), kNone, N64, kMinusOne, 0},  // -0.75
    {"fxtract significand", F(0xbffe, 0xc000000000000000), kNone, N64, F(0xbfff, 0xc000000000000000), 0},
    {"fxtract exponent", kMinDenormal, kNone, N64, F(0xc00d, 0x807a000000000000), DE},  // -16445
    {"fxtract significand", kMinDenormal, kNone, N64, kOne, DE},
    {"fxtract exponent", kOne, kNone, N64, kPlusZero, 0},
    {"fxtract exponent", kMinusZero, kNone, N64, kMinusInf, ZE},
    {"fxtract significand", kMinusZero, kNone, N64, kMinusZero, ZE},
    {"fxtract exponent", kMinusInf, kNone, N64, kInf, 0},
    {"fxtract significand", kMinusInf, kNone, N64, kMinusInf, 0},
    // FPREM/FPREM1: quotient bits q2 q1 q0 in C0 C3 C1; C2 for a partial remainder
    {"fprem", F(0x4001, 0xe000000000000000), kTwo, N64, kOne, C3 | C1},                    // 7 = 3 * 2 + 1
    {"fprem1", F(0x4001, 0xe000000000000000), kTwo, N64, kMinusOne, C0},                   // 7 = 4 * 2 - 1
    {"fprem", F(0xc001, 0xe000000000000000), kTwo, N64, kMinusOne, C3 | C1},               // the dividend's sign
    {"fprem1", F(0x4001, 0xa000000000000000), kTwo, N64, kOne, C3},                        // 5: 2.5 ties to 2
    {"fprem", F(0x4002, 0xd000000000000000), kTwo, N64, kOne, C0 | C3},                    // 13 = 6 * 2 + 1
    {"fprem1", F(0x3fff, 0xe000000000000000), kThree, N64, F(0xbfff, 0xa000000000000000), C1},  // 1.75 - 3
    {"fprem1", kOne, kThree, N64, kOne, 0},
    {"fprem", kTwo, kThree, N64, kTwo, 0},
    {"fprem1", kTwo, kThree, N64, kMinusOne, C1},
    // 2^100 / 3: D = 99, so N = 32 + 99 mod 32 = 35 and QQ = trunc(2^36 / 3), leaving 2^64
    {"fprem", F(0x4063, 0x8000000000000000), kThree, N64, F(0x403f, 0x8000000000000000), C2},
    {"fprem", F(0x403f, 0x8000000000000000), kThree, N64, kOne, C0 | C1},  // Q = 0x5555555555555555
    {"fprem", kThree, kInf, N64, kThree, 0},
    {"fprem", kInf, kOne, N64, kIndefinite, IE},
    {"fprem", kOne, kPlusZero, N64, kIndefinite, IE},  // IE, not ZE
    {"fprem", kMinusZero, kThree, N64, kMinusZero, 0},
    {"fprem", kPseudoDenormal, kInf, N64, kMinNormal, DE},
};

inline const std::vector<X87Case> kPackedBcd = {
    // FBLD: b is the packed image (significand: digits 0-15, sign_exponent: digits 16-17, sign)
    {"fbld", kNone, F(0x0000, 0x0000000000000123), N64, F(0x4005, 0xf600000000000000), 0},
    {"fbld", kNone, F(0x8000, 0x0000000000000000), N64, kMinusZero, 0},
    {"fbld", kNone, F(0x0099, 0x9999999999999999), cw(P24, RZ), F(0x403a, 0xde0b6b3a763ffff0), 0},  // exact whatever PC
    {"fbld", kNone, F(0xff00, 0x0000000000000001), N64, kMinusOne, 0},  // bits 72-78 are ignored
    // FBSTP rounds per RC; 10^18 and beyond, NaNs and infinities give the BCD indefinite
    {"fbstp", F(0x4005, 0xf700000000000000), kNone, cw(P64, RN), F(0x0000, 0x124), PE | C1},  // 123.5
    {"fbstp", F(0x4005, 0xf700000000000000), kNone, cw(P64, RD), F(0x0000, 0x123), PE},
    {"fbstp", F(0xbffd, 0xcccccccccccccccd), kNone, cw(P64, RN), F(0x8000, 0), PE},  // -0.4 keeps its sign
    {"fbstp", F(0x403a, 0xde0b6b3a763ffff0), kNone, N64, F(0x0099, 0x9999999999999999), 0},
    {"fbstp", F(0x403a, 0xde0b6b3a76400000), kNone, N64, F(0xffff, 0xc000000000000000), IE},  // 10^18
    {"fbstp", F(0x403a, 0xde0b6b3a763ffff8), kNone, cw(P64, RN), F(0xffff, 0xc000000000000000), IE},  // ties up
    {"fbstp", F(0xc03a, 0xde0b6b3a763ffff8), kNone, cw(P64, RZ), F(0x8099, 0x9999999999999999), PE},
    {"fbstp", F(0x7fff, 0xc000000000000000), kNone, N64, F(0xffff, 0xc000000000000000), IE},
    {"fbstp", kMinusInf, kNone, N64, F(0xffff, 0xc000000000000000), IE},
    {"fbstp", kMinDenormal, kNone, cw(P64, RU), F(0x0000, 1), PE | C1},  // no DE
    {"fbstp", kInf, kNone, unmask(N64, IE), kNone, IE},
};

// Transcendentals: the special operands exactly (SDM Vol. 2 per instruction) and a
// few ordinary ones whose correctly rounded values (400-bit reference) the host
// also returns. a is ST(0) (FPATAN's x, FYL2X's x), b is ST(1) (their y). "fptan"
// is the register the tangent goes to: ST(1) after the push, ST(0) with C2.
inline const std::vector<X87Case> kTranscendental = {
    {"fsin", kPlusZero, kNone, N64, kPlusZero, 0},
    {"fsin", kMinusZero, kNone, N64, kMinusZero, 0},
    {"fsin", kInf, kNone, N64, kIndefinite, IE},
    {"fsin", F(0x7fff, 0x8000000000000001), kNone, N64, F(0x7fff, 0xc000000000000001), IE},
    {"fsin", kUnnormal, kNone, N64, kIndefinite, IE},
    {"fsin", F(0x403e, 0x8000000000000000), kNone, N64, F(0x403e, 0x8000000000000000), C2},  // 2^63: out of range
    {"fsin", F(0xc040, 0x8000000000000123), kNone, N64, F(0xc040, 0x8000000000000123), C2},
    {"fsin", kMinDenormal, kNone, N64, kMinDenormal, DE | UE | PE | C1},  // sin x just below x
    {"fsin", kMinDenormal, kNone, unmask(N64, DE), kNone, DE},
    {"fsin", kOne, kNone, N64, F(0x3ffe, 0xd76aa47848677021), PE | C1},
    // the rounded pi is 4 * 2^-66 above the 66-bit pi the reduction uses
    {"fsin", F(0x4000, 0xc90fdaa22168c235), kNone, N64, F(0xbfbf, 0x8000000000000000), PE | C1},
    {"fcos", kMinusZero, kNone, N64, kOne, 0},
    {"fcos", kMinusInf, kNone, N64, kIndefinite, IE},
    {"fcos", kOne, kNone, N64, F(0x3ffe, 0x8a51407da8345c92), PE | C1},
    {"fcos", F(0x403e, 0x8000000000000000), kNone, N64, F(0x403e, 0x8000000000000000), C2},
    {"fsincos sin", kMinusZero, kNone, N64, kMinusZero, 0},
    {"fsincos cos", kMinusZero, kNone, N64, kOne, 0},
    {"fsincos sin", kInf, kNone, N64, kIndefinite, IE},
    {"fsincos cos", kInf, kNone, N64, kIndefinite, IE},
    {"fsincos cos", F(0x403e, 0x8000000000000000), kNone, N64, F(0x403e, 0x8000000000000000), C2},
    {"fptan", kMinusZero, kNone, N64, kMinusZero, 0},
    {"fptan st0", kMinusZero, kNone, N64, kOne, 0},
    {"fptan", kHalf, kNone, N64, F(0x3ffe, 0x8bda7adf9a3a5219), PE | C1},
    {"fptan st0", kHalf, kNone, N64, kOne, PE | C1},
    {"fptan", kInf, kNone, N64, kIndefinite, IE},
    {"fptan st0", kInf, kNone, N64, kIndefinite, IE},  // the indefinite is pushed twice
    {"fptan", F(0x403e, 0x8000000000000000), kNone, N64, F(0x403e, 0x8000000000000000), C2},
    // FPATAN: atan(ST(1) / ST(0)) by quadrant
    {"fpatan", kOne, kPlusZero, N64, kPlusZero, 0},
    {"fpatan", kOne, kMinusZero, N64, kMinusZero, 0},
    {"fpatan", kMinusOne, kPlusZero, cw(P64, RN), F(0x4000, 0xc90fdaa22168c235), PE | C1},  // pi
    {"fpatan", kMinusOne, kPlusZero, cw(P64, RD), F(0x4000, 0xc90fdaa22168c234), PE},
    {"fpatan", kMinusZero, kMinusZero, N64, F(0xc000, 0xc90fdaa22168c235), PE | C1},    // -pi
    {"fpatan", kPlusZero, kOne, N64, F(0x3fff, 0xc90fdaa22168c235), PE | C1},           // pi/2
    {"fpatan", kInf, kMinusInf, N64, F(0xbffe, 0xc90fdaa22168c235), PE | C1},           // -pi/4
    {"fpatan", kMinusInf, kInf, N64, F(0x4000, 0x96cbe3f9990e91a8), PE | C1},           // 3pi/4
    {"fpatan", kInf, negate_f80(kOne), N64, kMinusZero, 0},
    {"fpatan", kOne, kOne, N64, F(0x3ffe, 0xc90fdaa22168c235), PE | C1},
    {"fpatan", kOne, F(0x7fff, 0xc000000000000001), N64, F(0x7fff, 0xc000000000000001), 0},
    // F2XM1
    {"f2xm1", kMinusZero, kNone, N64, kMinusZero, 0},
    {"f2xm1", kMinusInf, kNone, N64, kMinusOne, 0},
    {"f2xm1", kInf, kNone, N64, kInf, 0},
    {"f2xm1", kHalf, kNone, N64, F(0x3ffd, 0xd413cccfe7799211), PE},
    {"f2xm1", negate_f80(kHalf), kNone, N64, F(0xbffd, 0x95f619980c4336f7), PE},
    {"f2xm1", kOne, kNone, N64, kOne, PE | C1},  // even 2^1 - 1 reports PE
    {"f2xm1", kThree, kNone, N64, kThree, PE},                    // outside [-1, 1]: the operand, as the host
    {"f2xm1", kMinDenormal, kNone, N64, kMinDenormal, DE | UE | PE | C1},
    // FYL2X: ST(1) * log2 ST(0)
    {"fyl2x", kPlusZero, kOne, N64, kMinusInf, ZE},
    {"fyl2x", kMinusZero, kMinusOne, N64, kInf, ZE},
    {"fyl2x", kPlusZero, kPlusZero, N64, kIndefinite, IE},
    {"fyl2x", kPlusZero, kInf, N64, kMinusInf, 0},
    {"fyl2x", kMinusOne, kOne, N64, kIndefinite, IE},
    {"fyl2x", kMinusInf, kOne, N64, kIndefinite, IE},
    {"fyl2x", kInf, kPlusZero, N64, kIndefinite, IE},
    {"fyl2x", kInf, negate_f80(kTwo), N64, kMinusInf, 0},
    {"fyl2x", kOne, kInf, N64, kIndefinite, IE},
    {"fyl2x", kOne, negate_f80(kThree), N64, kMinusZero, 0},
    {"fyl2x", kHalf, kPlusZero, N64, kMinusZero, 0},
    {"fyl2x", F(0x4002, 0xa000000000000000), kOne, N64, F(0x4000, 0xd49a784bcd1b8afe), PE},  // log2 10
    {"fyl2x", F(0x4002, 0x8000000000000000), kOne, N64, kThree, PE},                         // log2 8, PE all the same
    // FYL2XP1: ST(1) * log2(ST(0) + 1)
    {"fyl2xp1", kPlusZero, kOne, N64, kPlusZero, 0},
    {"fyl2xp1", kMinusZero, kOne, N64, kMinusZero, 0},
    {"fyl2xp1", kMinusZero, negate_f80(kTwo), N64, kPlusZero, 0},
    {"fyl2xp1", kPlusZero, kInf, N64, kIndefinite, IE},
    {"fyl2xp1", F(0x3ffd, 0x8000000000000000), kOne, N64, F(0x3ffd, 0xa4d3c25e68dc57f2), PE},  // log2 1.25
    {"fyl2xp1", F(0xbfff, 0xc000000000000000), kOne, N64, F(0xbfff, 0xc000000000000000), PE},  // x <= -1: x
    {"fyl2xp1", kMinusInf, kOne, N64, kIndefinite, IE},
};

// Every pair of operand classes for FADD, FMUL and FDIV (SDM Vol. 1, Tables 4-7 and
// 8-10 to 8-12), round to nearest at 64 bits: rows are a, columns b, in the order
// of kClassOperands; a cell is the result's name, then the flags (I D Z O U P and
// C for C1). Unsupported operands come first, then NaNs (which hide DE), then the
// invalid operations and ZE (which hide DE too), then DE.
inline const std::vector<std::pair<std::string_view, Float80>> kClassOperands = {
    {"+0", kPlusZero}, {"-0", kMinusZero}, {"D", kMinDenormal}, {"N", F(0x3fff, 0xc000000000000000)},
    {"M", F(0xc000, 0xc000000000000000)}, {"+I", kInf}, {"-I", kMinusInf}, {"Q", F(0x7fff, 0xc000000000000001)},
    {"S", F(0xffff, 0x8000000000000002)}, {"U", kUnnormal}};
inline const std::vector<std::pair<std::string_view, Float80>> kClassResults = {
    {"+0", kPlusZero},  {"-0", kMinusZero}, {"+I", kInf},   {"-I", kMinusInf},  {"X", kIndefinite},
    {"Q", F(0x7fff, 0xc000000000000001)},   {"q", F(0xffff, 0xc000000000000002)},  // the SNaN quieted
    {"D", kMinDenormal}, {"2D", F(0x0000, 2)}, {"-3D", F(0x8000, 3)},
    {"N", F(0x3fff, 0xc000000000000000)},   {"-N", F(0xbfff, 0xc000000000000000)},  // 1.5
    {"M", F(0xc000, 0xc000000000000000)},   {"3", kThree},  {"-6", F(0xc001, 0xc000000000000000)},
    {"2.25", F(0x4000, 0x9000000000000000)}, {"-4.5", F(0xc001, 0x9000000000000000)},
    {"9", F(0x4002, 0x9000000000000000)},   {"1", kOne},    {"-0.5", F(0xbffe, 0x8000000000000000)},
    {"-2", F(0xc000, 0x8000000000000000)}};
using ClassRow = std::array<std::string_view, 10>;
struct ClassTable {
  std::string_view op;
  std::array<ClassRow, 10> rows;
};
inline const std::vector<ClassTable> kClassPairs = {
    {"fadd",
     {{//        +0        -0        D          N          M           +I       -I        Q       S       U
       ClassRow{"+0",      "+0",     "D D",     "N",       "M",        "+I",    "-I",     "Q",    "q I",  "X I"},
       ClassRow{"+0",      "-0",     "D D",     "N",       "M",        "+I",    "-I",     "Q",    "q I",  "X I"},
       ClassRow{"D D",     "D D",    "2D D",    "N DP",    "M DPC",    "+I D",  "-I D",   "Q",    "q I",  "X I"},
       ClassRow{"N",       "N",      "N DP",    "3",       "-N",       "+I",    "-I",     "Q",    "q I",  "X I"},
       ClassRow{"M",       "M",      "M DPC",   "-N",      "-6",       "+I",    "-I",     "Q",    "q I",  "X I"},
       ClassRow{"+I",      "+I",     "+I D",    "+I",      "+I",       "+I",    "X I",    "Q",    "q I",  "X I"},
       ClassRow{"-I",      "-I",     "-I D",    "-I",      "-I",       "X I",   "-I",     "Q",    "q I",  "X I"},
       ClassRow{"Q",       "Q",      "Q",       "Q",       "Q",        "Q",     "Q",      "Q",    "Q I",  "X I"},
       ClassRow{"q I",     "q I",    "q I",     "q I",     "q I",      "q I",   "q I",    "Q I",  "q I",  "X I"},
       ClassRow{"X I",     "X I",    "X I",     "X I",     "X I",      "X I",   "X I",    "X I",  "X I",  "X I"}}}},
    {"fmul",
     {{//        +0        -0        D          N          M           +I       -I        Q       S       U
       ClassRow{"+0",      "-0",     "+0 D",    "+0",      "-0",       "X I",   "X I",    "Q",    "q I",  "X I"},
       ClassRow{"-0",      "+0",     "-0 D",    "-0",      "+0",       "X I",   "X I",    "Q",    "q I",  "X I"},
       ClassRow{"+0 D",    "-0 D",   "+0 DUP",  "2D DUPC", "-3D D",    "+I D",  "-I D",   "Q",    "q I",  "X I"},
       ClassRow{"+0",      "-0",     "2D DUPC", "2.25",    "-4.5",     "+I",    "-I",     "Q",    "q I",  "X I"},
       ClassRow{"-0",      "+0",     "-3D D",   "-4.5",    "9",        "-I",    "+I",     "Q",    "q I",  "X I"},
       ClassRow{"X I",     "X I",    "+I D",    "+I",      "-I",       "+I",    "-I",     "Q",    "q I",  "X I"},
       ClassRow{"X I",     "X I",    "-I D",    "-I",      "+I",       "-I",    "+I",     "Q",    "q I",  "X I"},
       ClassRow{"Q",       "Q",      "Q",       "Q",       "Q",        "Q",     "Q",      "Q",    "Q I",  "X I"},
       ClassRow{"q I",     "q I",    "q I",     "q I",     "q I",      "q I",   "q I",    "Q I",  "q I",  "X I"},
       ClassRow{"X I",     "X I",    "X I",     "X I",     "X I",      "X I",   "X I",    "X I",  "X I",  "X I"}}}},
    {"fdiv",
     {{//        +0        -0        D          N          M           +I       -I        Q       S       U
       ClassRow{"X I",     "X I",    "+0 D",    "+0",      "-0",       "+0",    "-0",     "Q",    "q I",  "X I"},
       ClassRow{"X I",     "X I",    "-0 D",    "-0",      "+0",       "-0",    "+0",     "Q",    "q I",  "X I"},
       ClassRow{"+I Z",    "-I Z",   "1 D",     "D DUPC",  "-0 DUP",   "+0 D",  "-0 D",   "Q",    "q I",  "X I"},
       ClassRow{"+I Z",    "-I Z",   "+I DOPC", "1",       "-0.5",     "+0",    "-0",     "Q",    "q I",  "X I"},
       ClassRow{"-I Z",    "+I Z",   "-I DOPC", "-2",      "1",        "-0",    "+0",     "Q",    "q I",  "X I"},
       ClassRow{"+I",      "-I",     "+I D",    "+I",      "-I",       "X I",   "X I",    "Q",    "q I",  "X I"},
       ClassRow{"-I",      "+I",     "-I D",    "-I",      "+I",       "X I",   "X I",    "Q",    "q I",  "X I"},
       ClassRow{"Q",       "Q",      "Q",       "Q",       "Q",        "Q",     "Q",      "Q",    "Q I",  "X I"},
       ClassRow{"q I",     "q I",    "q I",     "q I",     "q I",      "q I",   "q I",    "Q I",  "q I",  "X I"},
       ClassRow{"X I",     "X I",    "X I",     "X I",     "X I",      "X I",   "X I",    "X I",  "X I",  "X I"}}}},
};

// The tables above as cases.
inline std::vector<X87Case> class_pair_cases() {
  auto lookup = [](const auto& names, std::string_view name) {
    for (const auto& [n, value] : names)
      if (n == name) return value;
    return Float80{0xdead, 0xdead};  // an unknown name fails every comparison
  };
  std::vector<X87Case> result;
  for (const ClassTable& table : kClassPairs)
    for (size_t row = 0; row < 10; ++row)
      for (size_t column = 0; column < 10; ++column) {
        const std::string_view cell = table.rows[row][column];
        const size_t space = cell.find(' ');
        uint16_t status = 0;
        if (space != std::string_view::npos)
          for (char flag : cell.substr(space + 1))
            status |= flag == 'I' ? IE : flag == 'D' ? DE : flag == 'Z' ? ZE : flag == 'O' ? OE
                    : flag == 'U' ? UE : flag == 'P' ? PE : C1;
        result.push_back({table.op, kClassOperands[row].second, kClassOperands[column].second, N64,
                          lookup(kClassResults, cell.substr(0, space)), status});
      }
  return result;
}

}  // namespace cases

// What of an outcome the case's operation defines: the FSW bits it reports and its
// result when written (compares and FXAM have condition codes only).
inline Outcome comparable(const X87Case& c, Outcome outcome) {
  using namespace x87status;
  const bool condition_codes = c.op.starts_with("fcom") || c.op.starts_with("fucom") || c.op.starts_with("ftst") ||
                               c.op.starts_with("fxam");
  const bool memory_destination = c.op.starts_with("fst") || c.op.starts_with("fist") || c.op == "fbstp";
  const uint16_t stopping = IE | DE | ZE | (memory_destination ? OE | UE : 0);
  const bool remainder = c.op.starts_with("fprem") || c.op.starts_with("fsin") || c.op.starts_with("fcos") ||
                         c.op.starts_with("fptan");
  outcome.status &= condition_codes || remainder ? Flags | C0 | C1 | C2 | C3 : Flags | C1;
  if (condition_codes || (outcome.status & stopping & ~c.control)) outcome.value = {};
  return outcome;
}

}  // namespace orcvm::fpu::test
