// MC146818 RTC/CMOS: time in BCD/binary/12-hour, SET, UIP, periodic/update/alarm
// interrupts, CMOS memory sizes.
#include <gtest/gtest.h>

#include "devices/rtc_cmos.h"
#include "device_test_util.h"

namespace orcvm {
namespace {

constexpr int64_t kLeapDay = 1709214356;  // 2024-02-29 13:45:56 UTC, a Thursday

class RtcTest : public ::testing::Test {
 protected:
  RtcTest() : rtc(clock, &irq8, config()) {}
  static RtcCmos::Config config() {
    RtcCmos::Config c;
    c.ram_below_4g = 128ull << 20;
    c.cpus = 2;
    c.base_time = kLeapDay;
    return c;
  }
  uint8_t cmos(uint8_t index) {
    rtc.port_write(0x70, 1, index);
    return rtc.port_read(0x71, 1);
  }
  void set_cmos(uint8_t index, uint8_t value) {
    rtc.port_write(0x70, 1, index);
    rtc.port_write(0x71, 1, value);
  }

  ManualClock clock;
  test::RecordingIrq irq8;
  RtcCmos rtc;
};

TEST_F(RtcTest, BcdTimeAndDate) {
  EXPECT_EQ(cmos(0x00), 0x56);
  EXPECT_EQ(cmos(0x02), 0x45);
  EXPECT_EQ(cmos(0x04), 0x13);
  EXPECT_EQ(cmos(0x06), 0x05);  // Thursday (Sunday = 1)
  EXPECT_EQ(cmos(0x07), 0x29);
  EXPECT_EQ(cmos(0x08), 0x02);
  EXPECT_EQ(cmos(0x09), 0x24);
  EXPECT_EQ(cmos(0x32), 0x20);
  EXPECT_EQ(cmos(0x0a), 0x26);
  EXPECT_EQ(cmos(0x0b), 0x02);
  EXPECT_EQ(cmos(0x0d), 0x80);
}

TEST_F(RtcTest, BinaryAnd12HourModes) {
  set_cmos(0x0b, 0x06);  // binary, 24 hour
  EXPECT_EQ(cmos(0x00), 56);
  EXPECT_EQ(cmos(0x04), 13);
  EXPECT_EQ(cmos(0x09), 24);
  set_cmos(0x0b, 0x00);  // BCD, 12 hour
  EXPECT_EQ(cmos(0x04), 0x81);  // 1 PM
}

TEST_F(RtcTest, TimeAdvancesWithTheClock) {
  clock.set(5 * kNsPerSecond + 1);
  EXPECT_EQ(cmos(0x00), 0x01);
  EXPECT_EQ(cmos(0x02), 0x46);
  EXPECT_EQ(rtc.current_time(), kLeapDay + 5);
}

TEST_F(RtcTest, SetBitFreezesAndWritesRestart) {
  set_cmos(0x0b, 0x82);  // SET
  set_cmos(0x00, 0x58);
  set_cmos(0x02, 0x59);
  set_cmos(0x04, 0x23);
  set_cmos(0x07, 0x31);
  set_cmos(0x08, 0x12);
  set_cmos(0x09, 0x99);
  set_cmos(0x32, 0x19);
  clock.set(10 * kNsPerSecond);
  EXPECT_EQ(cmos(0x00), 0x58);  // frozen while SET
  set_cmos(0x0b, 0x02);
  EXPECT_EQ(rtc.current_time(), 946684798);
  clock.set(12 * kNsPerSecond);
  EXPECT_EQ(cmos(0x00), 0x00);  // rolled over into 2000
  EXPECT_EQ(cmos(0x09), 0x00);
  EXPECT_EQ(cmos(0x32), 0x20);
  EXPECT_EQ(cmos(0x08), 0x01);
}

TEST_F(RtcTest, UpdateInProgressBeforeEachSecond) {
  clock.set(500'000'000);
  EXPECT_EQ(cmos(0x0a) & 0x80, 0);
  clock.set(kNsPerSecond - 100'000);
  EXPECT_EQ(cmos(0x0a) & 0x80, 0x80);
  clock.set(kNsPerSecond + 1000);
  EXPECT_EQ(cmos(0x0a) & 0x80, 0);
}

TEST_F(RtcTest, PeriodicInterruptAt1024Hz) {
  set_cmos(0x0b, 0x42);  // PIE
  EXPECT_EQ(rtc.next_deadline(), ticks_to_ns_ceil(32, 32768));  // 976563 ns
  int interrupts = 0;
  while (rtc.next_deadline() <= kNsPerSecond) {
    clock.set(rtc.next_deadline());
    rtc.service(clock.now());
    ASSERT_TRUE(irq8.level);
    ++interrupts;
    EXPECT_EQ(rtc.next_deadline(), kNoDeadline);  // IRQF holds until C is read
    EXPECT_EQ(cmos(0x0c) & 0xc0, 0xc0);
    EXPECT_FALSE(irq8.level);
  }
  EXPECT_EQ(interrupts, 1024);
}

TEST_F(RtcTest, PeriodicRates) {
  set_cmos(0x0a, 0x2f);  // 2 Hz
  set_cmos(0x0b, 0x42);
  EXPECT_EQ(rtc.next_deadline(), 500'000'000u);
  set_cmos(0x0a, 0x21);  // rate 1: 256 Hz on the 32.768 kHz part
  EXPECT_EQ(rtc.next_deadline(), 3'906'250u);
  set_cmos(0x0a, 0x20);  // rate 0: off
  EXPECT_EQ(rtc.next_deadline(), kNoDeadline);
}

TEST_F(RtcTest, PeriodicFlagWithoutInterrupt) {
  clock.set(10'000'000);
  EXPECT_EQ(cmos(0x0c), 0x40);  // PF set, IRQF clear (PIE off)
  EXPECT_FALSE(irq8.level);
  EXPECT_EQ(cmos(0x0c), 0x00);  // read clears
}

TEST_F(RtcTest, UpdateEndedInterrupt) {
  set_cmos(0x0b, 0x12);  // UIE
  EXPECT_EQ(rtc.next_deadline(), kNsPerSecond);
  clock.set(kNsPerSecond);
  rtc.service(clock.now());
  EXPECT_TRUE(irq8.level);
  EXPECT_EQ(cmos(0x0c) & 0x90, 0x90);
}

TEST_F(RtcTest, AlarmInterrupt) {
  set_cmos(0x01, 0x59);  // 13:45:59
  set_cmos(0x03, 0x45);
  set_cmos(0x05, 0xc0);  // any hour
  set_cmos(0x0b, 0x22);  // AIE
  EXPECT_EQ(rtc.next_deadline(), 3 * kNsPerSecond);
  clock.set(3 * kNsPerSecond);
  rtc.service(clock.now());
  EXPECT_TRUE(irq8.level);
  EXPECT_EQ(cmos(0x0c) & 0xa0, 0xa0);
}

TEST_F(RtcTest, MemorySizeFields) {
  EXPECT_EQ(cmos(0x15) | (cmos(0x16) << 8), 640);
  EXPECT_EQ(cmos(0x17) | (cmos(0x18) << 8), 65535);  // 127 MiB capped
  EXPECT_EQ(cmos(0x30) | (cmos(0x31) << 8), 65535);
  EXPECT_EQ(cmos(0x34) | (cmos(0x35) << 8), (128 - 16) * 16);  // 64 KiB units above 16 MiB
  EXPECT_EQ(cmos(0x5b) | (cmos(0x5c) << 8) | (cmos(0x5d) << 16), 0);
  EXPECT_EQ(cmos(0x5f), 1);  // CPUs - 1
}

TEST(RtcMemory, SmallAndLargeRam) {
  ManualClock clock;
  RtcCmos::Config c;
  c.ram_below_4g = 32ull << 20;
  c.ram_above_4g = 1ull << 32;
  RtcCmos rtc(clock, nullptr, c);
  EXPECT_EQ(rtc.read(0x17) | (rtc.read(0x18) << 8), 31 * 1024);
  EXPECT_EQ(rtc.read(0x34) | (rtc.read(0x35) << 8), 16 * 16);
  EXPECT_EQ(rtc.read(0x5b) | (rtc.read(0x5c) << 8) | (rtc.read(0x5d) << 16), 0x10000);
}

TEST_F(RtcTest, NmiMaskAndReadOnlyRegisters) {
  rtc.port_write(0x70, 1, 0x8f);
  EXPECT_TRUE(rtc.nmi_disabled());
  EXPECT_EQ(rtc.port_read(0x70, 1), 0xffu);
  rtc.port_write(0x70, 1, 0x0f);
  EXPECT_FALSE(rtc.nmi_disabled());
  set_cmos(0x0d, 0x00);
  EXPECT_EQ(cmos(0x0d), 0x80);
  set_cmos(0x0a, 0xa6);  // UIP is read-only
  EXPECT_EQ(cmos(0x0a) & 0x7f, 0x26);
  set_cmos(0x40, 0x5a);  // plain CMOS RAM
  EXPECT_EQ(cmos(0x40), 0x5a);
}

}  // namespace
}  // namespace orcvm
