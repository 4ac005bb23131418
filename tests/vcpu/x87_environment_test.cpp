// The x87 environment images byte by byte (SDM Vol. 1, Figures 8-9 to 8-12), in
// the four formats FNSTENV and FLDENV use, and the tag word they store.
#include <gtest/gtest.h>

#include <vector>

#include "runtime/vcpu/x87_environment.h"
#include "runtime/vcpu/x87_stack.h"

namespace orcvm {
namespace {

// TOP 4; R4 holds 1.0 (valid), R5 +0 (zero), the rest are empty; the last
// instruction at 1234:5678 (real mode: linear 0x179b8) with an operand at
// 2000:abcd (0x2abcd), FOP 5a5.
FpuState sample() {
  FpuState f{};
  f.control = 0x037f;
  f.status = 0x2000;
  f.not_empty = 0x30;
  f.reg[4] = {0x8000000000000000, 0x3fff};
  f.last_opcode = 0x5a5;
  f.last_cs = 0x1234;
  f.last_ip = 0x5678;
  f.last_ds = 0x2000;
  f.last_dp = 0xabcd;
  return f;
}

std::vector<uint8_t> image_of(const FpuState& f, X87ImageFormat format) {
  std::vector<uint8_t> image(x87_environment_bytes(format.operand16));
  write_x87_environment(f, format, image.data());
  return image;
}

TEST(X87Environment, Protected32) {
  const std::vector<uint8_t> want = {0x7f, 0x03, 0xff, 0xff, 0x00, 0x20, 0xff, 0xff, 0xff, 0xf4, 0xff, 0xff,
                                     0x78, 0x56, 0x00, 0x00, 0x34, 0x12, 0xa5, 0x05, 0xcd, 0xab, 0x00, 0x00,
                                     0x00, 0x20, 0xff, 0xff};
  EXPECT_EQ(image_of(sample(), {false, false}), want);
}

TEST(X87Environment, Real32) {
  const std::vector<uint8_t> want = {0x7f, 0x03, 0xff, 0xff, 0x00, 0x20, 0xff, 0xff, 0xff, 0xf4, 0xff, 0xff,
                                     0xb8, 0x79, 0xff, 0xff, 0xa5, 0x15, 0x00, 0x00, 0xcd, 0xab, 0xff, 0xff,
                                     0x00, 0x20, 0x00, 0x00};
  EXPECT_EQ(image_of(sample(), {false, true}), want);
}

TEST(X87Environment, Protected16) {
  const std::vector<uint8_t> want = {0x7f, 0x03, 0x00, 0x20, 0xff, 0xf4, 0x78, 0x56, 0x34, 0x12, 0xcd, 0xab, 0x00, 0x20};
  EXPECT_EQ(image_of(sample(), {true, false}), want);
}

TEST(X87Environment, Real16) {
  const std::vector<uint8_t> want = {0x7f, 0x03, 0x00, 0x20, 0xff, 0xf4, 0xb8, 0x79, 0xa5, 0x15, 0xcd, 0xab, 0x00, 0x20};
  EXPECT_EQ(image_of(sample(), {true, true}), want);
}

// Loading a real-mode image leaves linear pointers, which store back the same.
TEST(X87Environment, RealModeImagesRoundTrip) {
  for (bool operand16 : {false, true}) {
    const X87ImageFormat format{operand16, true};
    const std::vector<uint8_t> image = image_of(sample(), format);
    FpuState loaded = sample();  // the same register contents, which the tag word classifies
    read_x87_environment(loaded, format, image.data());
    EXPECT_EQ(loaded.last_ip, 0x179b8u);
    EXPECT_EQ(loaded.last_dp, 0x2abcdu);
    EXPECT_EQ(loaded.last_opcode, 0x5a5);
    EXPECT_EQ(loaded.not_empty, 0x30);
    EXPECT_EQ(image_of(loaded, format), image);
  }
}

TEST(X87Environment, Protected16HasNoOpcode) {
  const X87ImageFormat format{true, false};
  FpuState loaded = sample();
  read_x87_environment(loaded, format, image_of(sample(), format).data());
  EXPECT_EQ(loaded.last_opcode, 0);
  EXPECT_EQ(loaded.last_cs, 0x1234);
  EXPECT_EQ(loaded.last_dp, 0xabcdu);
}

TEST(X87Environment, TagWordClassifiesContents) {
  FpuState f{};
  f.not_empty = 0x7f;  // R7 empty
  f.reg[0] = {0x8000000000000000, 0x3fff};  // normal: valid
  f.reg[1] = {0, 0x8000};                   // -0: zero
  f.reg[2] = {1, 0};                        // denormal: special
  f.reg[3] = {0x8000000000000000, 0x7fff};  // infinity: special
  f.reg[4] = {0xc000000000000000, 0xffff};  // NaN: special
  f.reg[5] = {0x4000000000000000, 0x3fff};  // unnormal: special
  f.reg[6] = {0x8000000000000001, 0};       // pseudo-denormal: special
  EXPECT_EQ(x87_tag_word(f), 0xeaa4);
  EXPECT_EQ(x87_not_empty(0xeaa4), 0x7f);
}

TEST(X87Environment, RegistersInStackOrder) {
  FpuState f = sample();
  uint8_t image[kX87RegisterImageBytes];
  write_x87_registers(f, image);
  EXPECT_EQ(image[7], 0x80);  // ST(0) = R4 = 1.0
  EXPECT_EQ(image[9], 0x3f);
  f.status = 0x3800;  // TOP 7: the same bytes now fill R7, R0, ...
  read_x87_registers(f, image);
  EXPECT_EQ(f.reg[7].sign_exponent, 0x3fff);
}

}  // namespace
}  // namespace orcvm
