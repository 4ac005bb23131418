// IOAPIC: registers, masking, edge and level delivery, remote IRR, EOI.
#include <gtest/gtest.h>

#include "devices/ioapic.h"
#include "device_test_util.h"

namespace orcvm {
namespace {

class IoApicTest : public ::testing::Test {
 protected:
  IoApicTest() { io.connect(&bus); }
  uint32_t rd(uint8_t index) {
    io.mmio_write(0x00, 4, index);
    return static_cast<uint32_t>(io.mmio_read(0x10, 4));
  }
  void wr(uint8_t index, uint32_t value) {
    io.mmio_write(0x00, 4, index);
    io.mmio_write(0x10, 4, value);
  }
  void route(unsigned pin, uint32_t low, uint8_t dest = 0) {
    wr(0x11 + 2 * pin, uint32_t{dest} << 24);
    wr(0x10 + 2 * pin, low);
  }

  IoApic io{1};
  test::RecordingBus bus;
};

TEST_F(IoApicTest, IdVersionAndResetState) {
  EXPECT_EQ(rd(0x00), 0x01000000u);
  EXPECT_EQ(rd(0x01), 0x00170020u);  // 24 pins, version 0x20
  EXPECT_EQ(rd(0x02), 0x01000000u);
  wr(0x00, 0x05000000);
  EXPECT_EQ(rd(0x00), 0x05000000u);
  EXPECT_EQ(rd(0x10), 0x00010000u);  // masked
  EXPECT_EQ(rd(0x10 + 2 * 23), 0x00010000u);
  io.mmio_write(0x00, 4, 0x12);
  EXPECT_EQ(io.mmio_read(0x00, 4), 0x12u);
}

TEST_F(IoApicTest, EdgeDeliveryAndMasking) {
  route(2, 0x00000030, 0x00);  // vector 0x30, fixed, physical, edge, unmasked
  io.input(2).pulse();
  ASSERT_EQ(bus.messages.size(), 1u);
  EXPECT_EQ(bus.messages[0].vector, 0x30);
  EXPECT_FALSE(bus.messages[0].level_triggered);
  EXPECT_EQ(bus.messages[0].dest, 0);
  route(2, 0x00010030);  // masked
  io.input(2).pulse();
  EXPECT_EQ(bus.messages.size(), 1u);
  route(2, 0x00000030);  // an edge seen while masked is lost
  EXPECT_EQ(bus.messages.size(), 1u);
}

TEST_F(IoApicTest, LevelTriggeredRemoteIrr) {
  route(9, 0x00008039, 0x03);  // level, vector 0x39, to APIC 3
  io.input(9).raise();
  ASSERT_EQ(bus.messages.size(), 1u);
  EXPECT_TRUE(bus.messages[0].level_triggered);
  EXPECT_EQ(bus.messages[0].dest, 3);
  EXPECT_EQ(rd(0x10 + 18) & 0x4000, 0x4000u);  // remote IRR
  io.input(9).raise();
  EXPECT_EQ(bus.messages.size(), 1u);  // no redelivery before the EOI
  io.end_of_interrupt(0x39);           // line still asserted: delivers again
  EXPECT_EQ(bus.messages.size(), 2u);
  io.input(9).lower();
  io.end_of_interrupt(0x39);
  EXPECT_EQ(rd(0x10 + 18) & 0x4000, 0u);
  EXPECT_EQ(bus.messages.size(), 2u);
}

TEST_F(IoApicTest, EoiRegisterAndUnmaskDelivers) {
  route(10, 0x00018041);  // level, masked
  io.input(10).raise();
  EXPECT_TRUE(bus.messages.empty());
  route(10, 0x00008041);  // unmasking an asserted level input delivers
  EXPECT_EQ(bus.messages.size(), 1u);
  io.mmio_write(0x40, 4, 0x41);  // EOI register
  EXPECT_EQ(bus.messages.size(), 2u);
}

TEST_F(IoApicTest, ActiveLowPolarity) {
  route(11, 0x0000a042);  // level, active low
  EXPECT_EQ(bus.messages.size(), 1u);  // an idle (low) line reads as asserted
  io.input(11).raise();                // deasserted
  io.end_of_interrupt(0x42);
  EXPECT_EQ(bus.messages.size(), 1u);
}

TEST_F(IoApicTest, ReadOnlyBitsAndFields) {
  route(5, 0x0000d955, 0x0f);  // writes delivery status and remote IRR bits: ignored
  uint32_t low = rd(0x10 + 10);
  EXPECT_EQ(low & 0x5000, 0u);
  EXPECT_EQ(low & 0xaff, 0x955u & 0xaff);
  EXPECT_EQ(rd(0x11 + 10), 0x0f000000u);
  io.input(5).pulse();
  ASSERT_EQ(bus.messages.size(), 1u);
  EXPECT_TRUE(bus.messages[0].logical);
  EXPECT_EQ(bus.messages[0].mode, DeliveryMode::LowestPriority);
  EXPECT_EQ(bus.messages[0].dest, 0x0f);
}

}  // namespace
}  // namespace orcvm
