// 8254 PIT: counting in modes 0, 2, 3, 4, latch and read-back, port 0x61.
#include <gtest/gtest.h>

#include "devices/pit8254.h"
#include "device_test_util.h"

namespace orcvm {
namespace {

constexpr uint64_t kHz = Pit8254::kFrequencyHz;
uint64_t ticks(uint64_t n) { return ticks_to_ns_ceil(n, kHz); }

class PitTest : public ::testing::Test {
 protected:
  uint16_t read16(unsigned channel) {
    uint16_t lo = pit.port_read(0x40 + channel, 1);
    uint16_t hi = pit.port_read(0x40 + channel, 1);
    return lo | (hi << 8);
  }
  void program(unsigned channel, unsigned mode, uint16_t count) {
    pit.port_write(0x43, 1, (channel << 6) | 0x30 | (mode << 1));
    pit.port_write(0x40 + channel, 1, count & 0xff);
    pit.port_write(0x40 + channel, 1, count >> 8);
  }

  ManualClock clock;
  test::RecordingIrq irq0;
  Pit8254 pit{clock, &irq0};
};

TEST_F(PitTest, Mode2CountsDownAndReloads) {
  program(0, 2, 1000);
  EXPECT_EQ(read16(0), 1000);
  clock.set(ticks(100));
  EXPECT_EQ(read16(0), 900);
  clock.set(ticks(999));
  EXPECT_EQ(read16(0), 1);
  EXPECT_FALSE(pit.output(0));  // low for the one clock at count 1
  clock.set(ticks(1000));
  EXPECT_EQ(read16(0), 1000);   // reloaded
  EXPECT_TRUE(pit.output(0));
  clock.set(ticks(1250));
  EXPECT_EQ(read16(0), 750);
}

TEST_F(PitTest, Mode2RaisesIrq0EveryPeriod) {
  program(0, 2, 1000);
  EXPECT_EQ(pit.next_deadline(), ticks(1000));
  pit.service(ticks(999));
  EXPECT_EQ(irq0.rising_edges, 0);
  clock.set(ticks(1000));
  pit.service(clock.now());
  EXPECT_EQ(irq0.rising_edges, 1);
  EXPECT_EQ(pit.next_deadline(), ticks(2000));
  clock.set(ticks(5500));  // late: missed periods coalesce into one interrupt
  pit.service(clock.now());
  EXPECT_EQ(irq0.rising_edges, 2);
  EXPECT_EQ(pit.next_deadline(), ticks(6000));
}

TEST_F(PitTest, CounterLatchHoldsValue) {
  program(0, 2, 1000);
  clock.set(ticks(10));
  pit.port_write(0x43, 1, 0x00);  // latch channel 0
  clock.set(ticks(500));
  EXPECT_EQ(read16(0), 990);
  EXPECT_EQ(read16(0), 500);  // latch released after both bytes
}

TEST_F(PitTest, Mode3SquareWave) {
  program(0, 3, 100);
  clock.set(ticks(10));
  EXPECT_EQ(read16(0), 80);  // counts by two
  EXPECT_TRUE(pit.output(0));
  clock.set(ticks(60));
  EXPECT_FALSE(pit.output(0));
  EXPECT_EQ(pit.next_deadline(), ticks(100));
}

TEST_F(PitTest, Mode0OnChannel2AsLinuxCalibrates) {
  // pit_calibrate_tsc(): gate high, speaker off, channel 2 mode 0, poll port 0x61 bit 5.
  pit.port_write(0x61, 1, (pit.port_read(0x61, 1) & ~0x02) | 0x01);
  pit.port_write(0x43, 1, 0xb0);
  pit.port_write(0x42, 1, 0x9b);  // 0x2e9b = 11931 (10 ms)
  pit.port_write(0x42, 1, 0x2e);
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0u);
  clock.set(ticks(11930));
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0u);
  clock.set(ticks(11931));
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0x20u);
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x01, 0x01u);  // gate reads back
}

TEST_F(PitTest, QuickCalibrateMsbDecreases) {
  pit.port_write(0x61, 1, 0x01);
  pit.port_write(0x43, 1, 0xb0);
  pit.port_write(0x42, 1, 0xff);
  pit.port_write(0x42, 1, 0xff);
  clock.set(ticks(10));
  pit.port_read(0x42, 1);
  EXPECT_EQ(pit.port_read(0x42, 1), 0xffu);
  clock.set(ticks(256 + 10));
  pit.port_read(0x42, 1);
  EXPECT_EQ(pit.port_read(0x42, 1), 0xfeu);
}

TEST_F(PitTest, GateLowPausesMode0) {
  pit.port_write(0x61, 1, 0x01);
  program(2, 0, 1000);
  clock.set(ticks(100));
  pit.port_write(0x61, 1, 0x00);  // gate low: counting stops
  clock.set(ticks(600));
  EXPECT_EQ(read16(2), 900);
  pit.port_write(0x61, 1, 0x01);
  clock.set(ticks(600) + ticks(100));
  EXPECT_EQ(read16(2), 800);
}

TEST_F(PitTest, ReadBackStatusAndCount) {
  program(0, 2, 1000);
  clock.set(ticks(40));
  pit.port_write(0x43, 1, 0xc2);  // read-back: latch count and status of channel 0
  EXPECT_EQ(pit.port_read(0x40, 1), 0x80u | 0x30u | (2u << 1));  // OUT high, rw 3, mode 2, null count 0
  EXPECT_EQ(read16(0), 960);
  pit.port_write(0x43, 1, 0x34);  // new control word: null count until a count is written
  pit.port_write(0x43, 1, 0xe2);  // status only
  EXPECT_EQ(pit.port_read(0x40, 1) & 0x40, 0x40u);
}

TEST_F(PitTest, LsbOnlyAccessAndBcd) {
  pit.port_write(0x43, 1, 0x54);  // channel 1, LSB only, mode 2
  pit.port_write(0x41, 1, 200);
  clock.set(ticks(50));
  EXPECT_EQ(pit.port_read(0x41, 1), 150u);
  EXPECT_EQ(pit.port_read(0x41, 1), 150u);  // every read is the LSB
  pit.port_write(0x43, 1, 0x75);  // channel 1, LSB/MSB, mode 2, BCD
  pit.port_write(0x41, 1, 0x00);
  pit.port_write(0x41, 1, 0x10);  // 1000 in BCD
  clock.set(clock.now() + ticks(1));
  EXPECT_EQ(read16(1), 0x0999);
}

TEST_F(PitTest, Mode0Irq0StaysHighUntilReprogrammed) {
  program(0, 0, 100);
  EXPECT_FALSE(irq0.level);
  clock.set(ticks(100));
  pit.service(clock.now());
  EXPECT_TRUE(irq0.level);
  EXPECT_EQ(pit.next_deadline(), kNoDeadline);
  program(0, 0, 100);
  EXPECT_FALSE(irq0.level);
}

TEST_F(PitTest, Mode4Strobe) {
  program(0, 4, 50);
  clock.set(ticks(50));
  EXPECT_FALSE(pit.output(0));
  clock.set(ticks(51));
  EXPECT_TRUE(pit.output(0));
  EXPECT_EQ(pit.next_deadline(), ticks(51));
  pit.service(clock.now());
  EXPECT_EQ(irq0.rising_edges, 1);
}

TEST_F(PitTest, Port61RefreshToggles) {
  uint8_t a = pit.port_read(0x61, 1) & 0x10;
  uint8_t b = pit.port_read(0x61, 1) & 0x10;
  EXPECT_NE(a, b);
}

TEST_F(PitTest, Port61ReportsGateSpeakerAndOut2) {
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x23, 0x00u);  // gate low at reset, OUT2 low in mode 0 with no count
  pit.port_write(0x61, 1, 0x03);                    // gate and speaker data on
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x03, 0x03u);
  pit.port_write(0x61, 1, 0x01);
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x03, 0x01u);
  program(2, 0, 100);
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0x00u);
  clock.set(ticks(100));
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0x20u);
  program(2, 0, 100);  // a new count drops OUT2 again
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0x00u);
}

// Under --icount the PIT reads time from the VCPU's instruction budget: OUT2
// rises at the instruction that retires the count's last tick.
TEST(PitInstructionClock, Out2RisesAfterCountTicksOfRetiredInstructions) {
  InstructionClock clock(1);  // 1 ns per instruction
  int64_t budget = 0;
  clock.attach_budget(&budget);
  clock.grant_until(kNoDeadline);
  Pit8254 pit(clock, nullptr);
  pit.port_write(0x61, 1, 0x01);
  pit.port_write(0x43, 1, 0xb0);
  pit.port_write(0x42, 1, 1193 & 0xff);  // 1193 ticks: 999847.5 ns
  pit.port_write(0x42, 1, 1193 >> 8);
  const uint64_t due = ticks(1193);
  EXPECT_EQ(due, 999848u);
  budget -= static_cast<int64_t>(due - 1);  // the VCPU retires instructions
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0x00u);
  EXPECT_EQ(pit.current_count(2), 1u);
  budget -= 1;
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0x20u);
  clock.warp_to(clock.now() + 5'000'000);  // idle time skipped by HLT: OUT2 stays high
  EXPECT_EQ(pit.port_read(0x61, 1) & 0x20, 0x20u);
}

TEST_F(PitTest, FirmwareInitRuns18Hz) {
  pit.firmware_init();
  EXPECT_EQ(pit.next_deadline(), ticks(65536));
}

}  // namespace
}  // namespace orcvm
