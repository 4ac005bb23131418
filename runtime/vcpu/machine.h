#pragma once
// A PC as orcvm builds it for a guest: RAM, the bus with its devices, the JIT and
// the VCPU, and what happens when the guest resets it.
#include <array>
#include <cstdio>
#include <functional>
#include <memory>

#include "devices/clock.h"
#include "devices/platform.h"
#include "jit/jit.h"
#include "runtime/softmmu/memory.h"
#include "runtime/vcpu/vcpu.h"

namespace orcvm {

// What a reset requested by the guest does (the i8042's 0xFE, port 0xCF9 and the
// ACPI reset register, port 0x92 bit 0, a triple fault): end run() with the
// Reset or TripleFault result (QEMU's -no-reboot), or restart the machine.
enum class OnReset { Exit, Restart };

struct MachineConfig {
  uint64_t ram_size = 128ull << 20;
  VcpuOptions vcpu;
  JitOptions jit;
  FILE* serial = stdout;  // null: --serial none
  int serial_in_fd = -1;  // what the UART receives (--serial stdio: stdin), -1: nothing
  OnReset on_reset = OnReset::Exit;
  // --icount: every timer (PIT, LAPIC timer, RTC, PM timer, TSC) runs on an
  // InstructionClock of 1 ns per retired guest instruction, and the RTC starts
  // at kIcountRtcStart, so a guest that sees no host input runs the same way
  // every time.
  bool icount = false;
};

// 2000-01-01 00:00:00 UTC: where the RTC starts under --icount.
constexpr int64_t kIcountRtcStart = 946684800;

class Machine {
 public:
  // Puts the guest into RAM and sets the VCPU's entry state.
  using Loader = std::function<void(Machine&)>;

  explicit Machine(const MachineConfig& config);
  ~Machine();

  PhysicalMemory& memory() { return *memory_; }
  Vcpu& vcpu() { return *vcpu_; }
  Platform& platform() { return *platform_; }

  // Where the UART writes from now on, and after every restart.
  void set_serial(FILE* serial);
  // Loads the guest now, and again after every restart.
  void boot(Loader loader);
  // Runs until the guest stops. With OnReset::Restart and a loader, a reset
  // powers the machine on again (RAM cleared, CPU and devices reset; the CMOS
  // RAM and the RTC's time survive, as on a PC's battery), reloads the guest and
  // runs on.
  RunResult run();
  // Ends run() with RESULT from any thread, waking a halted VCPU.
  void stop(RunResult result);

 private:
  // The state a PC keeps across a reset: the RTC keeps time and its RAM.
  struct BatteryBacked {
    int64_t rtc_time;
    std::array<uint8_t, 128> cmos;
  };
  static constexpr uint8_t kFirstCmosRamByte = 0x0e;  // after the clock and registers A-D

  void power_on(const BatteryBacked* kept);
  void restart();
  // One boot: under --icount, runs the VCPU grant by grant and services the
  // timers between grants.
  RunResult run_boot();

  MachineConfig config_;
  std::unique_ptr<Clock> clock_;
  InstructionClock* instruction_clock_ = nullptr;  // clock_ under --icount
  std::unique_ptr<PhysicalMemory> memory_;
  std::unique_ptr<Jit> jit_;  // outlives the VCPU, whose translations it holds
  std::unique_ptr<Vcpu> vcpu_;
  std::unique_ptr<Platform> platform_;
  Loader loader_;
  unsigned restarts_ = 0;  // for the -d cpu_reset log
};

}  // namespace orcvm
