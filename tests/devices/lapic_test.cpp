// Local APIC: registers, IRR/ISR/PPR/TPR logic, EOI, timer modes, LINT pins, IPIs.
#include <gtest/gtest.h>

#include "devices/lapic.h"
#include "device_test_util.h"

namespace orcvm {
namespace {

class LapicTest : public ::testing::Test {
 protected:
  LapicTest() : apic(clock, 0, true, 2'000'000'000) {
    apic.connect(&bus, &pic);
    apic.set_wakeup([this] { ++wakeups; });
  }
  uint32_t rd(uint32_t reg) { return static_cast<uint32_t>(apic.mmio_read(reg, 4)); }
  void wr(uint32_t reg, uint32_t v) { apic.mmio_write(reg, 4, v); }
  void enable() { wr(Lapic::kSvr, 0x1ff); }
  void fixed(uint8_t vector, bool level = false) {
    ApicMessage m;
    m.vector = vector;
    m.level_triggered = level;
    apic.accept(m);
  }

  ManualClock clock;
  test::RecordingBus bus;
  test::FakePic pic;
  Lapic apic;
  int wakeups = 0;
};

TEST_F(LapicTest, ResetValues) {
  EXPECT_EQ(rd(Lapic::kId), 0u);
  EXPECT_EQ(rd(Lapic::kVersion), 0x00050014u);
  EXPECT_EQ(rd(Lapic::kSvr), 0xffu);
  EXPECT_EQ(rd(Lapic::kDfr), 0xffffffffu);
  EXPECT_EQ(rd(Lapic::kLvtTimer), 0x10000u);
  EXPECT_EQ(rd(Lapic::kLvtError), 0x10000u);
  EXPECT_EQ(rd(Lapic::kLvtLint0), 0x700u);  // BSP: ExtINT at power-on, as QEMU
  EXPECT_EQ(apic.read_apic_base(), 0xfee00900u);
}

TEST_F(LapicTest, FixedInterruptIrrIsrEoi) {
  enable();
  fixed(0x40);
  EXPECT_TRUE(apic.irr_bit(0x40));
  EXPECT_EQ(rd(Lapic::kIrr + 0x20), 1u);  // bit 0x40 lives in IRR word 2
  EXPECT_TRUE(apic.has_pending_interrupt());
  EXPECT_EQ(wakeups, 1);
  EXPECT_EQ(apic.acknowledge(), 0x40);
  EXPECT_FALSE(apic.irr_bit(0x40));
  EXPECT_TRUE(apic.isr_bit(0x40));
  EXPECT_EQ(rd(Lapic::kPpr), 0x40u);
  EXPECT_FALSE(apic.has_pending_interrupt());
  wr(Lapic::kEoi, 0);
  EXPECT_FALSE(apic.isr_bit(0x40));
  EXPECT_EQ(rd(Lapic::kPpr), 0u);
  EXPECT_TRUE(bus.eois.empty());  // edge-triggered: no EOI broadcast
}

TEST_F(LapicTest, PriorityClassesAndNesting) {
  enable();
  fixed(0x40);
  apic.acknowledge();
  fixed(0x45);  // same class as the one in service
  EXPECT_FALSE(apic.has_pending_interrupt());
  fixed(0x51);
  EXPECT_TRUE(apic.has_pending_interrupt());
  EXPECT_EQ(apic.acknowledge(), 0x51);
  EXPECT_EQ(rd(Lapic::kPpr), 0x50u);
  wr(Lapic::kEoi, 0);  // ends 0x51, the highest in service
  EXPECT_TRUE(apic.isr_bit(0x40));
  wr(Lapic::kEoi, 0);
  EXPECT_TRUE(apic.has_pending_interrupt());
  EXPECT_EQ(apic.acknowledge(), 0x45);
}

TEST_F(LapicTest, TprAndCr8) {
  enable();
  wr(Lapic::kTpr, 0x50);
  EXPECT_EQ(apic.read_cr8(), 5);
  fixed(0x45);
  EXPECT_FALSE(apic.has_pending_interrupt());
  EXPECT_EQ(rd(Lapic::kPpr), 0x50u);
  apic.write_cr8(3);
  EXPECT_EQ(rd(Lapic::kTpr), 0x30u);
  EXPECT_TRUE(apic.has_pending_interrupt());
  apic.acknowledge();
  EXPECT_EQ(rd(Lapic::kPpr), 0x40u);  // the in-service class exceeds TPR
}

TEST_F(LapicTest, SpuriousVectorWhenNothingPending) {
  wr(Lapic::kSvr, 0x1ef);
  EXPECT_EQ(apic.acknowledge(), 0xef);
}

TEST_F(LapicTest, SoftwareDisabledMasksLvtsAndDropsFixed) {
  enable();
  wr(Lapic::kLvtTimer, 0x30);
  EXPECT_EQ(rd(Lapic::kLvtTimer), 0x30u);
  wr(Lapic::kSvr, 0xff);
  EXPECT_EQ(rd(Lapic::kLvtTimer), 0x10030u);
  wr(Lapic::kLvtTimer, 0x30);
  EXPECT_EQ(rd(Lapic::kLvtTimer) & 0x10000, 0x10000u);
  fixed(0x40);
  EXPECT_FALSE(apic.irr_bit(0x40));
}

TEST_F(LapicTest, OneShotTimer) {
  enable();
  wr(Lapic::kDivideConfig, 0x3);  // divide by 16
  wr(Lapic::kLvtTimer, 0x30);
  wr(Lapic::kInitialCount, 1000);
  EXPECT_EQ(apic.next_deadline(), 16000u);
  clock.set(8000);
  EXPECT_EQ(rd(Lapic::kCurrentCount), 500u);
  apic.service(15999);
  EXPECT_FALSE(apic.irr_bit(0x30));
  clock.set(16000);
  apic.service(16000);
  EXPECT_TRUE(apic.irr_bit(0x30));
  EXPECT_EQ(rd(Lapic::kCurrentCount), 0u);
  EXPECT_EQ(apic.next_deadline(), kNoDeadline);
}

TEST_F(LapicTest, PeriodicTimerAndDivider) {
  enable();
  wr(Lapic::kDivideConfig, 0xb);  // divide by 1
  wr(Lapic::kLvtTimer, 0x20031);  // periodic, vector 0x31
  wr(Lapic::kInitialCount, 100);
  EXPECT_EQ(apic.next_deadline(), 100u);
  clock.set(100);
  apic.service(100);
  EXPECT_TRUE(apic.irr_bit(0x31));
  EXPECT_EQ(apic.next_deadline(), 200u);
  clock.set(250);
  EXPECT_EQ(rd(Lapic::kCurrentCount), 50u);
  wr(Lapic::kDivideConfig, 0x0);  // divide by 2: the count goes on from 50 at half speed
  EXPECT_EQ(rd(Lapic::kCurrentCount), 50u);
  EXPECT_EQ(apic.next_deadline(), 350u);
  clock.set(290);
  EXPECT_EQ(rd(Lapic::kCurrentCount), 30u);
}

TEST_F(LapicTest, MaskedTimerCountsWithoutInterrupt) {
  enable();
  wr(Lapic::kLvtTimer, 0x10030);
  wr(Lapic::kInitialCount, 10);
  EXPECT_EQ(apic.next_deadline(), kNoDeadline);  // nothing to wake up for
  clock.set(5);
  EXPECT_EQ(rd(Lapic::kCurrentCount), 8u);       // divide by 2 (DCR 0): 2 ns per count
  clock.set(1000);
  apic.service(1000);
  EXPECT_FALSE(apic.irr_bit(0x30));
  wr(Lapic::kLvtTimer, 0x20030);  // unmasked, periodic: armed again
  EXPECT_EQ(apic.next_deadline(), 1020u);
}

TEST_F(LapicTest, TscDeadlineMode) {
  enable();
  wr(Lapic::kLvtTimer, 0x40040);  // TSC-deadline, vector 0x40
  wr(Lapic::kInitialCount, 1234);  // ignored in this mode
  EXPECT_EQ(rd(Lapic::kInitialCount), 0u);
  clock.set(1000);
  apic.write_tsc_deadline(500'000 + 4000, 500'000);  // 4000 cycles at 2 GHz = 2 us
  EXPECT_EQ(apic.read_tsc_deadline(), 504'000u);
  EXPECT_EQ(apic.next_deadline(), 3000u);
  clock.set(3000);
  apic.service(3000);
  EXPECT_TRUE(apic.irr_bit(0x40));
  EXPECT_EQ(apic.read_tsc_deadline(), 0u);  // cleared when it fires
  apic.acknowledge();
  wr(Lapic::kEoi, 0);
  apic.write_tsc_deadline(100, 200);  // already passed: fires at once
  EXPECT_TRUE(apic.irr_bit(0x40));
  apic.write_tsc_deadline(900'000, 500'000);
  wr(Lapic::kLvtTimer, 0x00040);  // leaving TSC-deadline mode disarms
  EXPECT_EQ(apic.next_deadline(), kNoDeadline);
  apic.write_tsc_deadline(900'000, 500'000);  // ignored outside the mode
  EXPECT_EQ(apic.read_tsc_deadline(), 0u);
}

TEST_F(LapicTest, LevelTriggeredEoiBroadcast) {
  enable();
  fixed(0x61, true);
  EXPECT_TRUE(apic.tmr_bit(0x61));
  EXPECT_EQ(apic.acknowledge(), 0x61);
  wr(Lapic::kEoi, 0);
  ASSERT_EQ(bus.eois.size(), 1u);
  EXPECT_EQ(bus.eois[0], 0x61);
}

TEST_F(LapicTest, ExtIntThroughLint0) {
  apic.firmware_init();
  EXPECT_EQ(rd(Lapic::kLvtLint0), 0x8700u);
  EXPECT_EQ(rd(Lapic::kLvtLint1), 0x8400u);
  EXPECT_FALSE(apic.has_pending_interrupt());
  apic.lint(0).raise();
  EXPECT_TRUE(apic.has_pending_interrupt());
  pic.vector = 0x08;
  EXPECT_EQ(apic.acknowledge(), 0x08);
  EXPECT_EQ(pic.acks, 1);
  apic.lint(0).lower();
  EXPECT_FALSE(apic.has_pending_interrupt());
  wr(Lapic::kLvtLint0, 0x18700);  // masked
  apic.lint(0).raise();
  EXPECT_FALSE(apic.has_pending_interrupt());
}

TEST_F(LapicTest, Lint1Nmi) {
  apic.firmware_init();
  apic.lint(1).pulse();
  EXPECT_TRUE(apic.nmi_pending());
  apic.acknowledge_nmi();
  EXPECT_FALSE(apic.nmi_pending());
}

TEST_F(LapicTest, IcrSendsOverTheBus) {
  enable();
  wr(Lapic::kIcrHigh, 0x01000000);
  wr(Lapic::kIcrLow, 0x00004050);  // fixed, physical, assert, vector 0x50 to APIC 1
  ASSERT_EQ(bus.messages.size(), 1u);
  EXPECT_EQ(bus.messages[0].vector, 0x50);
  EXPECT_EQ(bus.messages[0].dest, 1);
  EXPECT_EQ(bus.messages[0].mode, DeliveryMode::Fixed);
  EXPECT_FALSE(bus.messages[0].logical);
  EXPECT_EQ(rd(Lapic::kIcrLow) & 0x1000, 0u);  // delivery status idle
  wr(Lapic::kIcrLow, 0x000c4500);  // INIT to all excluding self
  ASSERT_EQ(bus.messages.size(), 2u);
  EXPECT_EQ(bus.messages[1].mode, DeliveryMode::Init);
  EXPECT_EQ(bus.messages[1].shorthand, DestShorthand::AllExcludingSelf);
}

TEST_F(LapicTest, SelfIpiAndIllegalVector) {
  enable();
  wr(Lapic::kIcrLow, 0x00044077);  // self, fixed, vector 0x77
  EXPECT_TRUE(apic.irr_bit(0x77));
  EXPECT_TRUE(bus.messages.empty());
  wr(Lapic::kIcrLow, 0x00044003);  // vector 3: send illegal vector
  wr(Lapic::kEsr, 0);
  EXPECT_EQ(rd(Lapic::kEsr), 0x40u);
  wr(Lapic::kEsr, 0);
  EXPECT_EQ(rd(Lapic::kEsr), 0u);
}

TEST_F(LapicTest, IllegalRegisterSetsEsr) {
  enable();
  rd(0x3f0);
  wr(Lapic::kEsr, 0);
  EXPECT_EQ(rd(Lapic::kEsr), 0x80u);
}

TEST_F(LapicTest, LogicalDestinationModels) {
  wr(Lapic::kLdr, 0x04000000);
  EXPECT_TRUE(apic.matches(0x04, true));   // flat
  EXPECT_TRUE(apic.matches(0x0f, true));
  EXPECT_FALSE(apic.matches(0x03, true));
  wr(Lapic::kDfr, 0x0fffffff);             // cluster
  wr(Lapic::kLdr, 0x21000000);             // cluster 2, member 1
  EXPECT_TRUE(apic.matches(0x21, true));
  EXPECT_TRUE(apic.matches(0xf1, true));   // all clusters
  EXPECT_FALSE(apic.matches(0x11, true));
  EXPECT_TRUE(apic.matches(0x00, false));  // physical ID 0
  EXPECT_TRUE(apic.matches(0xff, false));  // physical broadcast
  EXPECT_FALSE(apic.matches(0x01, false));
}

TEST_F(LapicTest, InitAndStartup) {
  enable();
  fixed(0x40);
  ApicMessage init;
  init.mode = DeliveryMode::Init;
  apic.accept(init);
  EXPECT_TRUE(apic.init_pending());
  EXPECT_FALSE(apic.irr_bit(0x40));  // INIT resets the APIC
  EXPECT_EQ(rd(Lapic::kSvr), 0xffu);
  ApicMessage sipi;
  sipi.mode = DeliveryMode::StartUp;
  sipi.vector = 0x9a;
  apic.accept(sipi);
  EXPECT_TRUE(apic.sipi_pending());
  EXPECT_EQ(apic.acknowledge_sipi(), 0x9a);
  ApicMessage deassert = init;
  deassert.level_triggered = true;
  deassert.assert = false;
  apic.acknowledge_init();
  apic.accept(deassert);
  EXPECT_FALSE(apic.init_pending());
}

TEST_F(LapicTest, ApicBaseMsr) {
  EXPECT_FALSE(apic.write_apic_base(0xfee00c00));  // x2APIC enable: #GP
  EXPECT_FALSE(apic.write_apic_base(0xfee00801));  // reserved bit
  EXPECT_TRUE(apic.write_apic_base(0xfee00000));   // globally disabled
  EXPECT_EQ(apic.read_apic_base(), 0xfee00100u);   // BSP bit stays
  apic.lint(0).raise();                            // the 8259 reaches INTR directly
  EXPECT_TRUE(apic.has_pending_interrupt());
  EXPECT_EQ(apic.mmio_read(Lapic::kVersion, 4), 0xffffffffu);
  EXPECT_TRUE(apic.write_apic_base(0xfee00900));
  EXPECT_EQ(rd(Lapic::kVersion), 0x00050014u);
}

}  // namespace
}  // namespace orcvm
