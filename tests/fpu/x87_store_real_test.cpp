// FST m32/m64: expected images, flags and C1 read off an AMD EPYC's x87.
#include <gtest/gtest.h>

#include "runtime/fpu/x87_float.h"

namespace orcvm::fpu {
namespace {

using namespace x87status;

struct StoreRealCase {
  Float80 value;
  unsigned rounding;
  uint64_t expected;
  uint16_t status;
};

constexpr Float80 kThird{0xaaaaaaaaaaaaaaab, 0x3ffd}, kMinusThird{0xaaaaaaaaaaaaaaab, 0xbffd};
constexpr Float80 kDenormal80{1, 0}, kHuge{0x8000000000000000, 0x7000}, kTiny{0x8000000000000000, 0x3f00};
constexpr Float80 kSNaN{0xa000000000000001, 0x7fff}, kMinusQNaN{0xc000000000000000, 0xffff};
constexpr Float80 kUnnormal{0x4000000000000000, 0x3fff}, kInfinity{0x8000000000000000, 0x7fff};
constexpr Float80 kJustAboveMax32{0xffffff8000000000, 0x407e};
constexpr Float80 kHalfDenormal32{0x8000000000000000, 0x3f69}, kThreeHalvesDenormal32{0xc000000000000000, 0x3f69};

const StoreRealCase kBinary32Cases[] = {
    {{0x8000000000000000, 0x3fff}, 0, 0x3f800000, 0},
    {kThird, 0, 0x3eaaaaab, PE | C1}, {kThird, 1, 0x3eaaaaaa, PE}, {kThird, 2, 0x3eaaaaab, PE | C1},
    {kThird, 3, 0x3eaaaaaa, PE},
    {kMinusThird, 0, 0xbeaaaaab, PE | C1}, {kMinusThird, 1, 0xbeaaaaab, PE | C1}, {kMinusThird, 2, 0xbeaaaaaa, PE},
    {kMinusThird, 3, 0xbeaaaaaa, PE},
    {kDenormal80, 0, 0x00000000, UE | PE}, {kDenormal80, 2, 0x00000001, UE | PE | C1},
    {kHuge, 0, 0x7f800000, OE | PE | C1}, {kHuge, 1, 0x7f7fffff, OE | PE}, {kHuge, 2, 0x7f800000, OE | PE | C1},
    {kHuge, 3, 0x7f7fffff, OE | PE},
    {kTiny, 0, 0x00000000, UE | PE}, {kTiny, 2, 0x00000001, UE | PE | C1},
    {kSNaN, 0, 0x7fe00000, IE}, {kMinusQNaN, 3, 0xffc00000, 0}, {kUnnormal, 0, 0xffc00000, IE},
    {kInfinity, 1, 0x7f800000, 0}, {{0, 0x8000}, 2, 0x80000000, 0},
    {kJustAboveMax32, 0, 0x7f800000, OE | PE | C1}, {kJustAboveMax32, 1, 0x7f7fffff, PE},
    {kHalfDenormal32, 0, 0x00000000, UE | PE}, {kHalfDenormal32, 2, 0x00000001, UE | PE | C1},
    {kThreeHalvesDenormal32, 0, 0x00000001, UE | PE | C1}, {kThreeHalvesDenormal32, 1, 0x00000000, UE | PE},
};

const StoreRealCase kBinary64Cases[] = {
    {{0x8000000000000000, 0x3fff}, 0, 0x3ff0000000000000, 0},
    {kThird, 1, 0x3fd5555555555555, PE},
    {kMinusThird, 2, 0xbfd5555555555555, PE},
    {kDenormal80, 3, 0, UE | PE},
    {kHuge, 0, 0x7ff0000000000000, OE | PE | C1},
    {kTiny, 1, 0x3000000000000000, 0},
    {kSNaN, 2, 0x7ffc000000000000, IE},
    {kUnnormal, 0, 0xfff8000000000000, IE},
    {kJustAboveMax32, 3, 0x47effffff0000000, 0},
    {kThreeHalvesDenormal32, 1, 0x3698000000000000, 0},
};

uint16_t control_with(unsigned rounding) { return uint16_t(0x037f | rounding << x87control::RcShift); }

TEST(X87StoreReal, Binary32) {
  for (const StoreRealCase& c : kBinary32Cases) {
    uint16_t status = 0;
    EXPECT_EQ(x87_to_binary32(c.value, control_with(c.rounding), &status), c.expected)
        << std::hex << c.value.sign_exponent << ":" << c.value.significand << " rc " << c.rounding;
    EXPECT_EQ(status, c.status) << std::hex << c.value.sign_exponent << ":" << c.value.significand << " rc " << c.rounding;
  }
}

TEST(X87StoreReal, Binary64) {
  for (const StoreRealCase& c : kBinary64Cases) {
    uint16_t status = 0;
    EXPECT_EQ(x87_to_binary64(c.value, control_with(c.rounding), &status), c.expected)
        << std::hex << c.value.sign_exponent << ":" << c.value.significand << " rc " << c.rounding;
    EXPECT_EQ(status, c.status) << std::hex << c.value.sign_exponent << ":" << c.value.significand << " rc " << c.rounding;
  }
}

}  // namespace
}  // namespace orcvm::fpu
