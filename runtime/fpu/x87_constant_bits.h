#pragma once
// The irrational constants the x87 library needs, truncated to 128 bits (leading
// one at bit 127), computed once with 400-bit arithmetic: the five FLD constants
// and atan(k/16) for the arctangent's argument reduction.
#include <array>

#include "runtime/fpu/wide_real.h"

namespace orcvm::fpu::x87 {

// value = significand * 2^(leading - 127)
constexpr WideReal constant(uint64_t high, uint64_t low, int leading) { return {false, bits128(high, low), leading - 127}; }

constexpr WideReal kLog2Ten = constant(0xd49a784bcd1b8afe, 0x492bf6ff4dafdb4c, 1);
constexpr WideReal kLog2E = constant(0xb8aa3b295c17f0bb, 0xbe87fed0691d3e88, 0);
constexpr WideReal kPi = constant(0xc90fdaa22168c234, 0xc4c6628b80dc1cd1, 1);
constexpr WideReal kLog10Two = constant(0x9a209a84fbcff798, 0x8f8959ac0b7c9178, -2);
constexpr WideReal kLnTwo = constant(0xb17217f7d1cf79ab, 0xc9e3b39803f2f6af, -1);

// atan(k / 16) for k = 0..16.
constexpr std::array<WideReal, 17> kArctangentOfSixteenths{
    WideReal{false, 0, 0},
    constant(0xffaaddb967ef4e36, 0xcb2792dc0e2e0d51, -5),
    constant(0xfeadd4d5617b6e32, 0xc897989f3e888ef7, -4),
    constant(0xbdcbda5e72d81134, 0x7b0b4f881c9c7487, -3),
    constant(0xfadbafc96406eb15, 0x6dc79ef5f7a217e5, -3),
    constant(0x9b13b9b83f5e5e69, 0xc5abb498d27af328, -2),
    constant(0xb7b0ca0f26f78473, 0x8aa32122dcfe4483, -2),
    constant(0xd327761e611fe5b6, 0x427c95e9001e7136, -2),
    constant(0xed63382b0dda7b45, 0x6fe445ecbc3a8d03, -2),
    constant(0x832bf4a6d9867e2a, 0x4b6a09cb61a515c0, -1),
    constant(0x8f005d5ef7f59f9b, 0x5c835e1665c43747, -1),
    constant(0x9a2f80e671bdda20, 0x4226f8e2204ff3bc, -1),
    constant(0xa4bc7d1934f70924, 0x19a87f2a457dac9e, -1),
    constant(0xaeac4c38b4d8c080, 0x14725e2f3e52070a, -1),
    constant(0xb8053e2bc2319e73, 0xcb2da55210a4443d, -1),
    constant(0xc0ce85b8ac526640, 0x89dd62c46e92fa24, -1),
    constant(0xc90fdaa22168c234, 0xc4c6628b80dc1cd1, -1),
};

}  // namespace orcvm::fpu::x87
