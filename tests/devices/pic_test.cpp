// 8259A pair: initialisation, EOIs, priorities, spurious IRQ7/IRQ15, ELCR.
#include <gtest/gtest.h>

#include "devices/pic8259.h"
#include "device_test_util.h"

namespace orcvm {
namespace {

class PicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pic.connect_output(&out);
    // The Linux init sequence (arch/x86/kernel/i8259.c), bases 0x20/0x28.
    pic.port_write(0x21, 1, 0xff);
    pic.port_write(0xa1, 1, 0xff);
    pic.port_write(0x20, 1, 0x11);
    pic.port_write(0x21, 1, 0x20);
    pic.port_write(0x21, 1, 0x04);
    pic.port_write(0x21, 1, 0x01);
    pic.port_write(0xa0, 1, 0x11);
    pic.port_write(0xa1, 1, 0x28);
    pic.port_write(0xa1, 1, 0x02);
    pic.port_write(0xa1, 1, 0x01);
    pic.port_write(0x21, 1, 0x00);
    pic.port_write(0xa1, 1, 0x00);
  }
  void eoi_master() { pic.port_write(0x20, 1, 0x20); }
  void eoi_slave() { pic.port_write(0xa0, 1, 0x20); }
  uint8_t read_isr(uint16_t port) {
    pic.port_write(port, 1, 0x0b);
    uint8_t v = pic.port_read(port, 1);
    pic.port_write(port, 1, 0x0a);
    return v;
  }

  Pic8259Pair pic;
  test::RecordingIrq out;
};

TEST_F(PicTest, InitSequenceSetsBasesAndMasks) {
  EXPECT_EQ(pic.vector_base(0), 0x20);
  EXPECT_EQ(pic.vector_base(1), 0x28);
  EXPECT_EQ(pic.port_read(0x21, 1), 0x00u);
  pic.port_write(0x21, 1, 0xa5);
  EXPECT_EQ(pic.port_read(0x21, 1), 0xa5u);
  EXPECT_FALSE(out.level);
}

TEST_F(PicTest, EdgeInterruptAcknowledgeAndNonSpecificEoi) {
  pic.input(1).pulse();
  EXPECT_TRUE(out.level);
  EXPECT_EQ(pic.irr() & 0x2, 0x2);
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x21);
  EXPECT_EQ(pic.isr(), 0x2);
  EXPECT_EQ(pic.irr() & 0x2, 0);
  EXPECT_FALSE(out.level);
  EXPECT_EQ(read_isr(0x20), 0x02);
  eoi_master();
  EXPECT_EQ(pic.isr(), 0);
}

TEST_F(PicTest, PriorityOrderAndNesting) {
  pic.input(3).pulse();
  pic.input(1).pulse();
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x21);  // IR1 before IR3
  EXPECT_FALSE(out.level);                       // IR3 waits behind IR1 in service
  pic.input(0).pulse();
  EXPECT_TRUE(out.level);                        // IR0 has higher priority: nests
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x20);
  EXPECT_EQ(pic.isr(), 0x3);
  eoi_master();                                  // clears IR0, the highest in service
  EXPECT_EQ(pic.isr(), 0x2);
  EXPECT_FALSE(out.level);
  eoi_master();
  EXPECT_TRUE(out.level);
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x23);
}

TEST_F(PicTest, SpuriousIrq7WhenLevelRequestVanishes) {
  pic.port_write(0x4d0, 1, 0x20);  // IRQ5 level-triggered
  pic.input(5).raise();
  EXPECT_TRUE(out.level);
  pic.input(5).lower();
  EXPECT_FALSE(out.level);
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x27);  // spurious IRQ7
  EXPECT_EQ(pic.isr(), 0);                       // not in service
}

TEST_F(PicTest, SpuriousIrq15SetsMasterCascadeInService) {
  pic.port_write(0x4d1, 1, 0x04);  // IRQ10 level
  pic.input(10).raise();
  EXPECT_TRUE(out.level);
  pic.input(10).lower();
  // The master's IR2 edge stays latched; the slave has nothing.
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x2f);
  EXPECT_EQ(pic.isr(), 0x4);
  eoi_master();
  EXPECT_EQ(pic.isr(), 0);
}

TEST_F(PicTest, SlaveCascade) {
  pic.input(12).pulse();
  EXPECT_TRUE(out.level);
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x2c);
  EXPECT_EQ(pic.isr(), (1u << 12) | (1u << 2));
  EXPECT_EQ(read_isr(0xa0), 0x10);
  eoi_slave();
  eoi_master();
  EXPECT_EQ(pic.isr(), 0);
}

TEST_F(PicTest, MaskedRequestWaitsInIrr) {
  pic.port_write(0x21, 1, 0x10);
  pic.input(4).pulse();
  EXPECT_FALSE(out.level);
  EXPECT_EQ(pic.port_read(0x20, 1) & 0x10, 0x10u);  // OCW3 default: IRR
  pic.port_write(0x21, 1, 0x00);
  EXPECT_TRUE(out.level);
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x24);
}

TEST_F(PicTest, SpecificEoi) {
  pic.input(1).pulse();
  pic.interrupt_acknowledge();
  pic.input(0).pulse();
  pic.interrupt_acknowledge();
  pic.port_write(0x20, 1, 0x61);  // specific EOI for IR1
  EXPECT_EQ(pic.isr(), 0x1);
}

TEST_F(PicTest, AutoEoiLeavesIsrClear) {
  pic.port_write(0x20, 1, 0x11);
  pic.port_write(0x21, 1, 0x20);
  pic.port_write(0x21, 1, 0x04);
  pic.port_write(0x21, 1, 0x03);  // 8086 mode, auto-EOI
  pic.port_write(0x21, 1, 0x00);
  pic.input(1).pulse();
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x21);
  EXPECT_EQ(pic.isr(), 0);
}

TEST_F(PicTest, RotateOnNonSpecificEoiAndSetPriority) {
  pic.input(1).pulse();
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x21);
  pic.port_write(0x20, 1, 0xa0);  // rotate on non-specific EOI: IR1 becomes lowest
  pic.input(1).pulse();
  pic.input(3).pulse();
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x23);  // IR2..IR7 now outrank IR1
  eoi_master();
  pic.port_write(0x20, 1, 0xc7);  // set priority: IR7 lowest, IR0 highest again
  pic.input(0).pulse();
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x20);
}

TEST_F(PicTest, PollMode) {
  pic.input(6).pulse();
  pic.port_write(0x20, 1, 0x0c);  // OCW3 poll
  EXPECT_EQ(pic.port_read(0x20, 1), 0x86u);
  EXPECT_EQ(pic.isr(), 0x40);
  pic.port_write(0x20, 1, 0x0c);
  EXPECT_EQ(pic.port_read(0x20, 1), 0x00u);  // nothing pending
}

TEST_F(PicTest, ElcrMasksFixedEdgePins) {
  pic.port_write(0x4d0, 1, 0xff);
  pic.port_write(0x4d1, 1, 0xff);
  EXPECT_EQ(pic.port_read(0x4d0, 1), 0xf8u);
  EXPECT_EQ(pic.port_read(0x4d1, 1), 0xdeu);
}

TEST_F(PicTest, LevelRequestReassertsAfterEoiEdgeDoesNot) {
  pic.port_write(0x4d1, 1, 0x02);  // IRQ9 level
  pic.input(9).raise();
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x29);
  eoi_slave();
  eoi_master();
  EXPECT_TRUE(out.level);  // still asserted: requests again
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x29);
  pic.input(9).lower();
  eoi_slave();
  eoi_master();
  EXPECT_FALSE(out.level);

  pic.input(4).raise();  // edge input held high
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x24);
  eoi_master();
  EXPECT_FALSE(out.level);  // no new edge
}

TEST_F(PicTest, SpecialMaskModeLetsLowerPriorityThrough) {
  pic.input(1).pulse();
  pic.interrupt_acknowledge();  // IR1 in service
  pic.input(5).pulse();
  EXPECT_FALSE(out.level);
  pic.port_write(0x21, 1, 0x02);  // mask IR1
  pic.port_write(0x20, 1, 0x68);  // OCW3: set special mask mode
  EXPECT_TRUE(out.level);
  EXPECT_EQ(pic.interrupt_acknowledge(), 0x25);
}

TEST(PicFirmware, FirmwareInitLikeBios) {
  Pic8259Pair pic;
  pic.firmware_init();
  EXPECT_EQ(pic.vector_base(0), 0x08);
  EXPECT_EQ(pic.vector_base(1), 0x70);
  EXPECT_EQ(pic.imr(), 0xfffb);
}

}  // namespace
}  // namespace orcvm
