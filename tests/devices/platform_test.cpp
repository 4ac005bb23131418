// The whole PC: wiring from devices through the 8259/IOAPIC and the local APIC
// to the CPU side, callbacks, halt/wake-up, firmware tables.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "devices/platform.h"

namespace orcvm {
namespace {

// Dispatches port and MMIO accesses through the platform's mappings, as the
// Bus does.
class MiniBus {
 public:
  explicit MiniBus(const Platform& p) : p_(p) {}
  uint32_t in(uint16_t port, unsigned size = 1) {
    for (auto& m : p_.port_mappings())
      if (port >= m.first && port < m.first + m.count) return m.device->port_read(port, size);
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  }
  void out(uint16_t port, uint32_t value, unsigned size = 1) {
    for (auto& m : p_.port_mappings())
      if (port >= m.first && port < m.first + m.count) return m.device->port_write(port, size, value);
  }
  uint32_t read32(uint64_t paddr) {
    for (auto& m : p_.mmio_mappings())
      if (paddr >= m.base && paddr < m.base + m.length)
        return static_cast<uint32_t>(m.device->mmio_read(paddr - m.base, 4));
    return 0xffffffffu;
  }
  void write32(uint64_t paddr, uint32_t value) {
    for (auto& m : p_.mmio_mappings())
      if (paddr >= m.base && paddr < m.base + m.length) return m.device->mmio_write(paddr - m.base, 4, value);
  }

 private:
  const Platform& p_;
};

PlatformConfig test_config(unsigned cpus = 1) {
  PlatformConfig c;
  c.ram_size = 64ull << 20;
  c.cpus = cpus;
  c.serial_out = nullptr;
  c.use_host_time = false;
  c.rtc_base_time = 1709214356;
  c.event_thread = false;
  return c;
}

class PlatformTest : public ::testing::Test {
 protected:
  PlatformTest() : platform(clock, test_config(), callbacks()), bus(platform) {}
  PlatformCallbacks callbacks() {
    PlatformCallbacks cb;
    cb.exit = [this](int status) { exits.push_back(status); };
    cb.reset = [this](const char* source) { resets.push_back(source); };
    cb.a20 = [this](bool on) { a20.push_back(on); };
    cb.deadline_changed = [this](uint64_t d) { deadlines.push_back(d); };
    return cb;
  }
  // Routes IOAPIC pin to vector (edge, fixed, APIC 0) the way Linux does.
  void ioapic_route(unsigned pin, uint32_t low) {
    bus.write32(0xfec00000, 0x11 + 2 * pin);
    bus.write32(0xfec00010, 0);
    bus.write32(0xfec00000, 0x10 + 2 * pin);
    bus.write32(0xfec00010, low);
  }

  ManualClock clock;
  std::vector<int> exits;
  std::vector<std::string> resets;
  std::vector<bool> a20;
  std::vector<uint64_t> deadlines;
  Platform platform;
  MiniBus bus;
};

TEST_F(PlatformTest, MapsThePcPorts) {
  for (uint16_t port : {0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x40, 0x43, 0x61, 0x60, 0x64, 0x70, 0x71, 0x80, 0x92,
                        0xf4, 0x3f8, 0x3ff, 0x510, 0x511, 0x600, 0x604, 0x608, 0xcf8, 0xcf9, 0xcfa, 0xcfb,
                        0xcfc, 0xcff}) {
    bool mapped = false;
    for (auto& m : platform.port_mappings()) mapped |= port >= m.first && port < m.first + m.count;
    EXPECT_TRUE(mapped) << std::hex << port;
  }
  EXPECT_EQ(bus.read32(0xfee00030), 0x00050014u);  // LAPIC version
  bus.write32(0xfec00000, 1);
  EXPECT_EQ(bus.read32(0xfec00010), 0x00170020u);  // IOAPIC version
}

TEST_F(PlatformTest, PciConfigBesideTheResetControlRegister) {
  bus.out(0xcf8, 0x80000800, 4);  // 00:01.0, register 0
  EXPECT_EQ(bus.in(0xcf8, 4), 0x80000800u);
  EXPECT_EQ(bus.in(0xcfc, 4), 0x70008086u);
  EXPECT_EQ(bus.in(0xcf9, 1), 0x00u);  // a byte at 0xcf9 is the reset control register
  bus.out(0xcf9, 0x02);
  EXPECT_EQ(bus.in(0xcf9, 1), 0x02u);
  EXPECT_EQ(bus.in(0xcf8, 4), 0x80000800u);
  EXPECT_TRUE(resets.empty());
}

TEST_F(PlatformTest, PitIrq0ReachesCpuThroughPicAndLint0) {
  InterruptController& cpu = platform.interrupt_controller(0);
  EXPECT_FALSE(cpu.has_pending_interrupt());
  bus.out(0x21, 0xfa);  // unmask IRQ0 (and the cascade)
  const uint64_t deadline = platform.next_deadline();
  EXPECT_EQ(deadline, ticks_to_ns_ceil(65536, Pit8254::kFrequencyHz));  // 18.2 Hz from the BIOS state
  clock.set(deadline);
  platform.service_timers(clock.now());
  EXPECT_TRUE(cpu.has_pending_interrupt());
  EXPECT_EQ(cpu.acknowledge(), 0x08);  // the BIOS vector base
  EXPECT_FALSE(cpu.has_pending_interrupt());
  bus.out(0x20, 0x20);  // EOI
  EXPECT_EQ(platform.pic().isr(), 0);
}

TEST_F(PlatformTest, UartInterruptThroughIoapic) {
  InterruptController& cpu = platform.interrupt_controller(0);
  bus.out(0x21, 0xff);          // 8259 fully masked, as Linux leaves it in APIC mode
  ioapic_route(4, 0x00000034);  // IRQ4 -> vector 0x34
  bus.out(0x3f9, 0x02);         // UART: THRE interrupt
  EXPECT_TRUE(cpu.has_pending_interrupt());
  EXPECT_EQ(cpu.acknowledge(), 0x34);
  bus.write32(0xfee000b0, 0);   // EOI
  EXPECT_FALSE(cpu.has_pending_interrupt());
}

TEST_F(PlatformTest, Irq0IsIoapicPin2) {
  InterruptController& cpu = platform.interrupt_controller(0);
  bus.out(0x21, 0xff);
  ioapic_route(2, 0x00000030);
  clock.set(platform.next_deadline());
  platform.service_timers(clock.now());
  EXPECT_EQ(cpu.acknowledge(), 0x30);
}

TEST_F(PlatformTest, LevelSciWithEoiBroadcast) {
  InterruptController& cpu = platform.interrupt_controller(0);
  bus.out(0x21, 0xff);
  bus.out(0xa1, 0xff);
  ioapic_route(9, 0x00008039);  // level
  bus.out(0x602, 0x0100, 2);    // PWRBTN_EN
  platform.press_power_button();
  EXPECT_EQ(cpu.acknowledge(), 0x39);
  EXPECT_TRUE(platform.lapic(0).tmr_bit(0x39));
  bus.write32(0xfee000b0, 0);   // EOI: the SCI is still asserted, so it comes again
  EXPECT_TRUE(cpu.has_pending_interrupt());
  EXPECT_EQ(cpu.acknowledge(), 0x39);
  bus.out(0x600, 0x0100, 2);    // clear PWRBTN_STS: SCI drops
  bus.write32(0xfee000b0, 0);
  EXPECT_FALSE(cpu.has_pending_interrupt());
}

TEST_F(PlatformTest, ExitPoweroffResetA20Callbacks) {
  bus.out(0xf4, 3);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0], 7);
  bus.out(0x604, 0x3401, 2);  // SLP_TYP 5 | SLP_EN
  ASSERT_EQ(exits.size(), 2u);
  EXPECT_EQ(exits[1], 0);
  bus.out(0x64, 0xfe);
  bus.out(0xcf9, 0x06);
  bus.out(0x92, 0x03);
  ASSERT_EQ(resets.size(), 3u);
  EXPECT_NE(resets[0].find("i8042"), std::string::npos);
  EXPECT_NE(resets[1].find("0xcf9"), std::string::npos);
  bus.out(0x92, 0x00);
  ASSERT_FALSE(a20.empty());
  EXPECT_FALSE(a20.back());
}

TEST_F(PlatformTest, A20GateFollowsTheLastWriter) {
  EXPECT_TRUE(platform.a20_enabled());
  bus.out(0x92, 0x00);  // closes the gate although the i8042 output port still has A20 set
  EXPECT_FALSE(platform.a20_enabled());
  bus.out(0x92, 0x00);  // no change, no callback
  bus.out(0x64, 0xd1);
  bus.out(0x60, 0xcf);  // the i8042 rewrites its unchanged A20 bit: the gate opens
  EXPECT_TRUE(platform.a20_enabled());
  EXPECT_EQ(bus.in(0x92) & 0x02, 0u);  // port 0x92 reads back what was written to it, not the gate
  bus.out(0x64, 0xdd);  // i8042 "disable A20"
  EXPECT_FALSE(platform.a20_enabled());
  bus.out(0x92, 0x02);
  EXPECT_TRUE(platform.a20_enabled());
  EXPECT_EQ(a20, (std::vector<bool>{false, true, false, true}));
}

TEST_F(PlatformTest, WakeUpWhenAnInterruptArrives) {
  InterruptController& cpu = platform.interrupt_controller(0);
  int wakeups = 0;
  cpu.set_wakeup([&] { ++wakeups; });
  bus.write32(0xfee00300, 0x00044041);  // self IPI
  EXPECT_EQ(wakeups, 1);
  EXPECT_TRUE(cpu.has_pending_interrupt());
}

TEST_F(PlatformTest, Cr8IsTheTprAndLoweringItWakesTheCpu) {
  InterruptController& cpu = platform.interrupt_controller(0);
  int wakeups = 0;
  cpu.set_wakeup([&] { ++wakeups; });
  bus.write32(0xfee00080, 0x35);  // TPR through the MMIO page
  EXPECT_EQ(cpu.read_cr8(), 3u);
  cpu.write_cr8(0x9);  // MOV to CR8: TPR[7:4] = 9, TPR[3:0] = 0
  EXPECT_EQ(bus.read32(0xfee00080), 0x90u);
  bus.write32(0xfee00300, 0x00044051);  // self IPI, vector 0x51: priority class 5 is masked
  EXPECT_FALSE(cpu.has_pending_interrupt());
  EXPECT_EQ(wakeups, 0);
  cpu.write_cr8(0x4);
  EXPECT_TRUE(cpu.has_pending_interrupt());
  EXPECT_EQ(wakeups, 1);  // the VCPU re-evaluates at its next block boundary
  EXPECT_EQ(cpu.acknowledge(), 0x51);
}

TEST_F(PlatformTest, HaltWarpsVirtualClockToTheTimer) {
  InterruptController& cpu = platform.interrupt_controller(0);
  bus.write32(0xfee003e0, 0xb);      // divide by 1
  bus.write32(0xfee00320, 0x00040);  // one-shot, vector 0x40
  bus.write32(0xfee00380, 50000);    // 50 us
  ASSERT_FALSE(deadlines.empty());
  EXPECT_EQ(deadlines.back(), 50000u);
  platform.halt(0, true);
  EXPECT_EQ(clock.now(), 50000u);
  EXPECT_TRUE(cpu.has_pending_interrupt());
  EXPECT_EQ(cpu.acknowledge(), 0x40);
}

TEST_F(PlatformTest, TscCountsThePlatformClock) {
  clock.set(1000);
  EXPECT_EQ(platform.tsc(), 1000u);  // 1 GHz, 0 at power-on
  EXPECT_EQ(platform.tsc(), 1001u);  // the clock stood still, the TSC did not
  clock.set(5000);
  EXPECT_EQ(platform.tsc(), 5000u);
}

// Linux's pit_calibrate_tsc(): the TSC ticks counted while PIT channel 2 counts
// down 10 ms give the TSC rate. Both count the platform clock, so the answer
// is the TSC's 1 GHz to within one poll.
TEST_F(PlatformTest, PitChannel2CalibratesTheTsc) {
  constexpr uint16_t kLatch = 11932;  // PIT ticks in 10 ms (CAL_LATCH)
  bus.out(0x61, (bus.in(0x61) & ~0x02) | 0x01);
  bus.out(0x43, 0xb0);
  bus.out(0x42, kLatch & 0xff);
  bus.out(0x42, kLatch >> 8);
  const uint64_t t1 = platform.tsc();
  constexpr uint64_t kPollNs = 250;  // what one loop iteration of inb + rdtsc takes
  uint64_t polls = 0;
  while (!(bus.in(0x61) & 0x20)) {
    clock.advance(kPollNs);
    ++polls;
  }
  const uint64_t t2 = platform.tsc();
  const uint64_t tsc_khz = (t2 - t1) * Pit8254::kFrequencyHz / kLatch / 1000;
  EXPECT_NEAR(static_cast<double>(tsc_khz), 1'000'000.0, 1'000'000.0 * kPollNs / 10'000'000);
  EXPECT_GE(polls, 1000u);  // Linux's loopmin for 10 ms
}

// Linux's clocksource watchdog checks the TSC against the ACPI PM timer: both
// must count the one platform clock, so they never drift apart.
TEST_F(PlatformTest, PmTimerAndTscCountTheSameClock) {
  clock.set(1'000'000);
  // Steps below the 24-bit PM timer's wrap (4.69 s).
  for (uint64_t step : {4'000'000ull, 123'456'789ull, 1'000'000'000ull, 3'999'999'999ull}) {
    const uint64_t tsc0 = platform.tsc();
    const uint32_t pm0 = bus.in(0x608, 4);
    clock.advance(step);
    const uint64_t tsc_ns = (platform.tsc() - tsc0) * kNsPerSecond / PlatformConfig{}.tsc_hz;
    const uint32_t pm_ticks = (bus.in(0x608, 4) - pm0) & 0xffffff;
    const uint64_t pm_ns = uint64_t{pm_ticks} * kNsPerSecond / AcpiPm::kTimerHz;
    EXPECT_NEAR(static_cast<double>(pm_ns), static_cast<double>(tsc_ns), 300.0) << step;  // one PM tick is 279 ns
  }
}

TEST_F(PlatformTest, TscDeadlineMsrArmsTheLapicTimer) {
  InterruptController& cpu = platform.interrupt_controller(0);
  bus.out(0x21, 0xff);
  clock.set(1000);
  cpu.write_tsc_deadline(9000, 1000);
  EXPECT_EQ(cpu.read_tsc_deadline(), 0u);  // ignored outside TSC-deadline mode
  bus.write32(0xfee00320, 0x40041);  // LVT timer: TSC-deadline, vector 0x41
  cpu.write_tsc_deadline(6000, 1000);
  EXPECT_EQ(cpu.read_tsc_deadline(), 6000u);
  EXPECT_EQ(platform.next_deadline(), 6000u);
  ASSERT_FALSE(deadlines.empty());
  EXPECT_EQ(deadlines.back(), 6000u);
  platform.halt(0, true);
  EXPECT_EQ(clock.now(), 6000u);
  EXPECT_EQ(cpu.read_tsc_deadline(), 0u);  // 0 once it has fired
  EXPECT_EQ(cpu.acknowledge(), 0x41);
  bus.write32(0xfee000b0, 0);
  cpu.write_tsc_deadline(6100, 6000);
  cpu.write_tsc_deadline(0, 6000);  // 0 disarms
  EXPECT_NE(platform.next_deadline(), 6100u);
  EXPECT_FALSE(cpu.has_pending_interrupt());
  cpu.write_tsc_deadline(5999, 6000);  // already passed: fires at once
  EXPECT_TRUE(cpu.has_pending_interrupt());
}

TEST_F(PlatformTest, CmosAndRtcThroughPorts) {
  bus.out(0x70, 0x15);
  EXPECT_EQ(bus.in(0x71), 0x80u);  // 640 KiB low byte
  bus.out(0x70, 0x16);
  EXPECT_EQ(bus.in(0x71), 0x02u);
  bus.out(0x70, 0x09);
  EXPECT_EQ(bus.in(0x71), 0x24u);
}

TEST_F(PlatformTest, FirmwareTablesAndMemoryMap) {
  std::vector<uint8_t> ram(1 << 20);
  platform.install_firmware_tables([&](uint64_t paddr, uint64_t size) { return paddr + size <= ram.size() ? ram.data() + paddr : nullptr; });
  // Scan the BIOS area on 16-byte boundaries as Linux does.
  uint64_t found = 0;
  for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
    if (std::memcmp(&ram[a], "RSD PTR ", 8) == 0) {
      found = a;
      break;
    }
  EXPECT_EQ(found, platform.acpi_tables().rsdp);
  EXPECT_EQ(acpi_checksum(&ram[found], 36), 0);
  const auto& map = platform.e820();
  ASSERT_EQ(map.size(), 6u);
  EXPECT_EQ(map[0].type, 1u);
  EXPECT_EQ(map[0].length, 0x9fc00u);
  EXPECT_EQ(map[2].base, 0xf0000u);
  EXPECT_EQ(map[2].type, 2u);
  EXPECT_EQ(map[4].base + map[4].length, 64ull << 20);
  EXPECT_EQ(map[5].base, 0xfffc0000u);
  EXPECT_EQ(map[5].type, 2u);
  EXPECT_THROW(platform.install_firmware_tables([](uint64_t, uint64_t) -> uint8_t* { return nullptr; }),
               std::runtime_error);
}

TEST_F(PlatformTest, FwCfgThroughPorts) {
  bus.out(0x510, FwCfg::kSignature, 2);
  std::string sig;
  for (int i = 0; i < 4; ++i) sig.push_back(static_cast<char>(bus.in(0x511)));
  EXPECT_EQ(sig, "QEMU");
  bus.out(0x510, FwCfg::kFileDir, 2);
  uint32_t count = 0;
  for (int i = 0; i < 4; ++i) count = (count << 8) | bus.in(0x511);
  EXPECT_EQ(count, 3u);
  const std::vector<uint8_t>* e820 = platform.fw_cfg().item(FwCfg::kFileFirst);
  ASSERT_NE(e820, nullptr);
  EXPECT_EQ(e820->size(), platform.e820().size() * 20);
}

TEST(PlatformSmp, IpiBetweenCpus) {
  ManualClock clock;
  Platform platform(clock, test_config(2), {});
  MiniBus bus(platform);
  for (unsigned cpu = 0; cpu < 2; ++cpu) {
    Platform::set_current_cpu(cpu);
    bus.write32(0xfee000f0, 0x1ff);  // each VCPU enables its own APIC
    EXPECT_EQ(bus.read32(0xfee00020), cpu << 24);
  }
  Platform::set_current_cpu(0);
  bus.write32(0xfee00310, 0x01000000);
  bus.write32(0xfee00300, 0x00004055);  // fixed 0x55 to APIC 1
  EXPECT_FALSE(platform.interrupt_controller(0).has_pending_interrupt());
  EXPECT_TRUE(platform.interrupt_controller(1).has_pending_interrupt());
  EXPECT_EQ(platform.interrupt_controller(1).acknowledge(), 0x55);
  bus.write32(0xfee00300, 0x000c4500);  // INIT to all but self
  EXPECT_TRUE(platform.interrupt_controller(1).init_pending());
  EXPECT_FALSE(platform.interrupt_controller(0).init_pending());
  bus.write32(0xfee00300, 0x000c4608);  // SIPI, page 8
  EXPECT_EQ(platform.interrupt_controller(1).acknowledge_sipi(), 0x08);
}

TEST(PlatformHostClock, EventThreadDeliversTimerToHaltedCpu) {
  HostClock clock;
  PlatformConfig config = test_config();
  config.event_thread = true;
  Platform platform(clock, config, {});
  platform.start();
  ASSERT_TRUE(platform.event_thread_running());
  MiniBus bus(platform);
  bus.out(0x21, 0xff);
  bus.write32(0xfee003e0, 0xb);
  bus.write32(0xfee00320, 0x00041);
  bus.write32(0xfee00380, 2'000'000);  // 2 ms
  const auto start = std::chrono::steady_clock::now();
  platform.halt(0, true);
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(platform.interrupt_controller(0).has_pending_interrupt());
  EXPECT_GE(waited, std::chrono::microseconds(1500));
  EXPECT_EQ(platform.interrupt_controller(0).acknowledge(), 0x41);
  // kick() ends a halt with nothing pending.
  std::thread kicker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    platform.kick(0);
  });
  platform.halt(0, true);
  kicker.join();
  platform.stop();
}

}  // namespace
}  // namespace orcvm
