#pragma once
// What an SSE floating-point instruction asks of its runtime helper
// (runtime/vcpu/sse_float_helpers.cpp): the operation, the formats of its source
// and result lanes, whether it is scalar, and the destination register. The
// semantics fix all of it at translation and pass it as one immediate, the
// helper's first argument.
#include <algorithm>
#include <cstdint>

namespace orcvm::sse {

enum class LaneFormat : uint8_t { Single, Double, Int32, Int64 };

constexpr unsigned lane_bits(LaneFormat f) { return f == LaneFormat::Single || f == LaneFormat::Int32 ? 32 : 64; }

enum class FloatOp : uint8_t {
  Add, Sub, Mul, Div, Min, Max, Sqrt,  // in fpu::ArithOp's order
  Compare,          // CMPccPS/SS/PD/SD: all-ones or zero lanes, per `predicate`
  Reciprocal,       // RCPPS/RCPSS
  ReciprocalSqrt,   // RSQRTPS/RSQRTSS
  Convert,          // from `source` to `result` lanes, toward zero if `truncate`
  OrderedCompare,   // (U)COMISS/SD: the RFLAGS image of ZF PF CF; QNaNs signal if `signalling`
};

constexpr bool is_unary(FloatOp op) {
  return op == FloatOp::Sqrt || op == FloatOp::Reciprocal || op == FloatOp::ReciprocalSqrt || op == FloatOp::Convert;
}

struct FloatOperation {
  FloatOp op = FloatOp::Add;
  LaneFormat source = LaneFormat::Single;
  LaneFormat result = LaneFormat::Single;
  bool scalar = false;  // the low lane only: the rest of the destination is kept
  bool truncate = false;
  bool signalling = false;
  uint8_t predicate = 0;    // imm8 bits 2:0 (legacy encodings ignore the rest)
  uint8_t destination = 0;  // XMM register

  // Lanes computed: a packed conversion between widths fills half the register
  // (CVTPD2PS, CVTPD2DQ: the upper half is zeroed) or reads half of it (CVTPS2PD, CVTDQ2PD).
  constexpr unsigned lanes() const { return scalar ? 1 : 128 / std::max(lane_bits(source), lane_bits(result)); }
  constexpr unsigned source_bits() const { return lanes() * lane_bits(source); }

  constexpr uint64_t encode() const {
    return uint64_t(op) | uint64_t(source) << 8 | uint64_t(result) << 10 | uint64_t(scalar) << 12 |
           uint64_t(truncate) << 13 | uint64_t(signalling) << 14 | uint64_t(predicate & 7) << 16 |
           uint64_t(destination & 15) << 20;
  }
  static constexpr FloatOperation decode(uint64_t v) {
    FloatOperation o;
    o.op = FloatOp(v & 0xff);
    o.source = LaneFormat(v >> 8 & 3);
    o.result = LaneFormat(v >> 10 & 3);
    o.scalar = v >> 12 & 1;
    o.truncate = v >> 13 & 1;
    o.signalling = v >> 14 & 1;
    o.predicate = uint8_t(v >> 16 & 7);
    o.destination = uint8_t(v >> 20 & 15);
    return o;
  }
};

}  // namespace orcvm::sse
