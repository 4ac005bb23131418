#pragma once
// The orcvm PC: every device of QEMU's `pc` machine that a directly booted
// kernel uses, wired as a PC wires them.
//
//   ports   0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1  8259 pair + ELCR   (Pic8259Pair)
//           0x40-0x43, 0x61                    8254 PIT + port B  (Pit8254)
//           0x60, 0x64                         i8042              (I8042)
//           0x70-0x71                          RTC/CMOS           (RtcCmos)
//           0x80                               POST/delay port    (PostPort)
//           0x92                               fast A20/reset     (Port92)
//           0xf4-0xf7                          isa-debug-exit     (DebugExit)
//           0x3f8-0x3ff                        COM1               (Uart16550)
//           0x510-0x511                        fw_cfg             (FwCfg)
//           0x600-0x60b                        ACPI PM1a/PM timer (AcpiPm)
//           0xcf8, 0xcfa-0xcff                 PCI config #1      (PciHost: 440FX, PIIX3)
//           0xcf9                              reset control      (ResetControl)
//   MMIO    0xfec00000 (4 KiB) IOAPIC, 0xfee00000 (4 KiB) the local APIC of the
//           accessing VCPU (see set_current_cpu)
//   IRQs    ISA IRQ n drives 8259 input n and IOAPIC pin n, except IRQ0 -> pin 2
//           (the MADT says so); the 8259's INT drives LINT0 of every local APIC;
//           inject_nmi() pulses LINT1 (unless port 0x70 bit 7 masks NMIs).
//   tables  ACPI at the start of the BIOS area (RSDP first), fw_cfg files etc/e820,
//           etc/acpi/rsdp, etc/acpi/tables.
//
// Threading: every entry point (the mapped devices, the InterruptControllers,
// service_timers, ...) takes one platform mutex, so VCPU threads and the event
// thread may call in concurrently. Callbacks are invoked with that mutex held:
// they must not call back into the platform (set a flag, request a stop).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "devices/acpi_pm.h"
#include "devices/acpi_tables.h"
#include "devices/clock.h"
#include "devices/debug_exit.h"
#include "devices/fw_cfg.h"
#include "devices/i8042.h"
#include "devices/interrupts.h"
#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "devices/pci_host.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/port92.h"
#include "devices/post_port.h"
#include "devices/reset_control.h"
#include "devices/rtc_cmos.h"
#include "devices/uart16550.h"
#include "runtime/softmmu/address_map.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

struct PlatformConfig {
  uint64_t ram_size = 128ull << 20;  // guest RAM, placed by PhysicalAddressMap
  unsigned cpus = 1;
  FILE* serial_out = stdout;         // null: output discarded (--serial none)
  int serial_in_fd = -1;             // host descriptor for COM1 input (0: stdin), -1: none
  uint64_t tsc_hz = 1'000'000'000;   // the CPU's TSC rate, for TSC-deadline mode
  bool use_host_time = true;         // RTC starts at host UTC time; else at rtc_base_time
  int64_t rtc_base_time = 0;         // UTC seconds since 1970 (deterministic runs)
  bool event_thread = true;          // host clock: a sleeping thread services timers and input
  bool firmware_state = true;        // devices as SeaBIOS leaves them (see docs/devices.md)
};

struct PlatformCallbacks {
  std::function<void(int status)> exit;           // isa-debug-exit: status (value << 1) | 1
  std::function<void()> poweroff;                 // ACPI S5; when empty, exit(0)
  std::function<void(const char* source)> reset;  // i8042 0xFE, port 0xCF9 / ACPI reset register, port 0x92
  std::function<void(bool enabled)> a20;          // the A20 gate changed (i8042 output port, port 0x92)
  // The earliest timer deadline moved earlier (a VCPU running with an
  // instruction budget re-arms it). Called with the platform mutex held.
  std::function<void(uint64_t deadline)> deadline_changed;
};

class Platform : private IpiSink {
 public:
  struct PortMapping {
    uint16_t first;
    uint16_t count;
    PortDevice* device;
    const char* name;
  };
  struct MmioMapping {
    uint64_t base;
    uint64_t length;
    MmioDevice* device;
    const char* name;
  };

  Platform(Clock& clock, const PlatformConfig& config, PlatformCallbacks callbacks);
  ~Platform() override;
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  // What attach() maps: thread-safe wrappers around the devices.
  const std::vector<PortMapping>& port_mappings() const { return port_map_; }
  const std::vector<MmioMapping>& mmio_mappings() const { return mmio_map_; }
  void attach(Bus& bus) const {
    for (const PortMapping& m : port_map_) bus.map_ports(m.first, m.count, m.device);
    for (const MmioMapping& m : mmio_map_) bus.map_mmio(m.base, m.length, m.device);
  }

  // Writes the ACPI tables into guest RAM through the bus's RAM window.
  // Throws std::runtime_error when they do not fit.
  void install_firmware_tables(const std::function<uint8_t*(uint64_t paddr, uint64_t size)>& ram) const;
  const AcpiTables& acpi_tables() const { return acpi_; }
  // The memory map to hand the guest (multiboot mmap, boot_params e820, fw_cfg etc/e820).
  const std::vector<MemoryMapEntry>& e820() const { return e820_; }

  // --- The CPU side ---------------------------------------------------------
  unsigned cpu_count() const { return static_cast<unsigned>(cpus_.size()); }
  InterruptController& interrupt_controller(unsigned cpu);
  // The VCPU whose local APIC the calling thread sees at 0xfee00000 (default 0).
  static void set_current_cpu(unsigned cpu);

  // The time-stamp counter the CPUs count: the clock at config.tsc_hz, 0 when
  // the platform was made (power-on). It never returns the same value twice: a
  // real TSC moves between two RDTSCs, while an InstructionClock stands still
  // within a block. Lock-free.
  uint64_t tsc() const;

  // Timer contract (devices/clock.h). next_deadline() is lock-free.
  uint64_t next_deadline() const { return deadline_.load(std::memory_order_acquire); }
  void service_timers(uint64_t now);

  // Starts the event thread (only with a host clock and config.event_thread):
  // it sleeps until the next deadline or host input, then services timers and
  // the UART. Without it, the VCPU calls service_timers() itself.
  void start();
  void stop();
  bool event_thread_running() const { return thread_.joinable(); }

  // HLT: blocks the calling thread until the VCPU has something to do — an
  // interrupt it can take (when interrupts_enabled), an NMI, INIT or SIPI — or
  // kick(cpu) is called. Never spins. Without the event thread it drives time
  // itself: a virtual clock warps to the next deadline; a host clock sleeps
  // until it; both wait for host input when no deadline is set.
  void halt(unsigned cpu, bool interrupts_enabled);
  // Makes halt(cpu) return (e.g. a stop request from another thread).
  void kick(unsigned cpu);

  // The A20 gate: open at power-on; the last write of port 0x92 or of the i8042
  // output port sets it.
  bool a20_enabled() const { return a20_enabled_; }

  // Events from the host.
  void press_power_button();
  void inject_nmi();

  // Direct access to devices. Not synchronised: for setup, tests and
  // single-threaded tools; with other threads running, hold lock().
  std::mutex& lock() { return mu_; }
  Pic8259Pair& pic() { return *pic_; }
  Pit8254& pit() { return *pit_; }
  RtcCmos& rtc() { return *rtc_; }
  I8042& i8042() { return *i8042_; }
  Uart16550& uart() { return *uart_; }
  IoApic& ioapic() { return *ioapic_; }
  Lapic& lapic(unsigned cpu) { return *cpus_[cpu]->lapic; }
  FwCfg& fw_cfg() { return *fw_cfg_; }
  AcpiPm& acpi_pm() { return *pm_; }
  PciHost& pci() { return *pci_; }
  IrqLine& isa_irq(unsigned irq) { return isa_[irq & 15]; }

 private:
  class CpuInterface;
  class LockedPort;
  class LockedMmio;
  class LapicMmio;

  struct Cpu {
    std::unique_ptr<Lapic> lapic;
    std::unique_ptr<CpuInterface> iface;
    WakeUp wakeup;
    std::atomic<uint8_t> summary{0};  // 1 interrupt, 2 NMI, 4 INIT, 8 SIPI
    std::condition_variable cv;
    bool kicked = false;
  };

  // IpiSink (the APIC bus).
  void deliver(const ApicMessage& message) override;
  void broadcast_eoi(uint8_t vector) override;

  void service_timers_locked(uint64_t now);
  void refresh_locked();
  uint64_t compute_deadline_locked() const;
  void wake_event_fd();
  void drain_event_fd();
  // Sleeps (without the lock) until deadline, the event fd, or input_fd is readable.
  void wait_for_events(uint64_t deadline, int input_fd);
  void event_loop();
  void do_reset(const char* source);
  void build_tables_and_map(const PlatformConfig& config);

  Clock& clock_;
  const uint64_t tsc_hz_;
  PlatformCallbacks callbacks_;
  bool want_event_thread_;
  mutable std::mutex mu_;

  std::unique_ptr<Pic8259Pair> pic_;
  std::unique_ptr<IoApic> ioapic_;
  std::vector<std::unique_ptr<Cpu>> cpus_;
  IrqFanout isa_[16];
  IrqFanout pic_output_;
  std::unique_ptr<Pit8254> pit_;
  std::unique_ptr<RtcCmos> rtc_;
  std::unique_ptr<I8042> i8042_;
  std::unique_ptr<Uart16550> uart_;
  std::unique_ptr<AcpiPm> pm_;
  std::unique_ptr<ResetControl> reset_control_;
  std::unique_ptr<PciHost> pci_;
  std::unique_ptr<Port92> port92_;
  std::unique_ptr<PostPort> post_;
  std::unique_ptr<DebugExit> debug_exit_;
  std::unique_ptr<FwCfg> fw_cfg_;

  std::vector<std::unique_ptr<PortDevice>> port_wrappers_;
  std::vector<std::unique_ptr<MmioDevice>> mmio_wrappers_;
  std::vector<PortMapping> port_map_;
  std::vector<MmioMapping> mmio_map_;
  AcpiTables acpi_;
  std::vector<MemoryMapEntry> e820_;

  bool a20_enabled_ = true;
  std::atomic<uint64_t> deadline_{kNoDeadline};
  mutable std::atomic<uint64_t> last_tsc_{0};
  int event_fd_ = -1;
  std::thread thread_;
  bool stop_ = false;
  bool thread_polls_input_ = false;
};

}  // namespace orcvm
