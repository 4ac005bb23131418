#pragma once
// The local APIC of one VCPU, xAPIC mode, at 0xFEE00000 (4 KiB of MMIO).
//
// Registers: ID, version (0x14, 6 LVT entries), TPR, APR, PPR, EOI, LDR, DFR
// (flat and cluster models), SVR (software enable, spurious vector, focus bit),
// ISR/TMR/IRR (256 bits each), ESR (write-before-read latching of send/receive
// illegal vector and illegal register errors), ICR (fixed, lowest priority, NMI,
// INIT, INIT de-assert, startup; physical/logical; the four shorthands) sent over
// the APIC bus (IpiSink), LVT timer/thermal/perf/LINT0/LINT1/error, and the
// timer: one-shot, periodic and TSC-deadline, with the divide configuration
// register. The timer counts at 1 GHz divided by the DCR value (QEMU's bus
// clock); TSC-deadline converts TSC cycles with the platform's TSC frequency.
//
// LINT0 in ExtINT mode passes the 8259's INT output through (virtual wire); a
// globally disabled APIC (IA32_APIC_BASE bit 11 clear) passes it as the bare
// INTR pin does. Level-triggered vectors broadcast their EOI to the IOAPICs.
//
// This class is not thread-safe; Platform serialises all access to it.
#include <array>
#include <cstdint>

#include "devices/clock.h"
#include "devices/interrupts.h"
#include "runtime/softmmu/address_map.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class Lapic : public MmioDevice, public InterruptController {
 public:
  static constexpr uint64_t kDefaultBase = PhysicalAddressMap::kLapic.base;
  static constexpr uint64_t kBusHz = 1'000'000'000;  // timer input before the divider

  // Register offsets.
  enum : uint32_t {
    kId = 0x20, kVersion = 0x30, kTpr = 0x80, kApr = 0x90, kPpr = 0xa0, kEoi = 0xb0, kRrd = 0xc0,
    kLdr = 0xd0, kDfr = 0xe0, kSvr = 0xf0, kIsr = 0x100, kTmr = 0x180, kIrr = 0x200, kEsr = 0x280,
    kIcrLow = 0x300, kIcrHigh = 0x310, kLvtTimer = 0x320, kLvtThermal = 0x330, kLvtPerf = 0x340,
    kLvtLint0 = 0x350, kLvtLint1 = 0x360, kLvtError = 0x370, kInitialCount = 0x380,
    kCurrentCount = 0x390, kDivideConfig = 0x3e0,
  };

  Lapic(const Clock& clock, uint8_t apic_id, bool bsp, uint64_t tsc_hz);

  void connect(IpiSink* bus, ExtIntSource* pic) {
    bus_ = bus;
    pic_ = pic;
  }

  // MMIO (offset within the 4 KiB page).
  uint64_t mmio_read(uint64_t offset, unsigned size) override;
  void mmio_write(uint64_t offset, unsigned size, uint64_t value) override;
  uint32_t read_register(uint32_t reg);
  void write_register(uint32_t reg, uint32_t value);

  // InterruptController.
  bool has_pending_interrupt() override;
  uint8_t acknowledge() override;
  bool nmi_pending() override { return nmi_pending_; }
  void acknowledge_nmi() override { nmi_pending_ = false; }
  bool init_pending() override { return init_pending_; }
  void acknowledge_init() override { init_pending_ = false; }
  bool sipi_pending() override { return sipi_pending_; }
  uint8_t acknowledge_sipi() override {
    sipi_pending_ = false;
    return sipi_vector_;
  }
  void set_wakeup(WakeUp wakeup) override { wakeup_ = std::move(wakeup); }
  uint8_t read_cr8() override { return tpr_ >> 4; }
  void write_cr8(uint8_t value) override { tpr_ = (value & 0x0f) << 4; }
  uint64_t read_apic_base() override { return apic_base_; }
  bool write_apic_base(uint64_t value) override;
  uint64_t read_tsc_deadline() override;
  void write_tsc_deadline(uint64_t deadline, uint64_t tsc_now) override;
  uint8_t apic_id() override { return id_; }

  // APIC bus side: a message the platform routed to this APIC.
  void accept(const ApicMessage& message);
  // Destination matching for routing (physical ID or logical LDR/DFR).
  bool matches(uint8_t dest, bool logical) const;
  uint8_t arbitration_priority() const { return ppr(); }
  bool software_enabled() const { return (svr_ & 0x100) && hardware_enabled(); }
  bool hardware_enabled() const { return apic_base_ & 0x800; }

  // LINT0 / LINT1 input pins.
  IrqLine& lint(unsigned n) { return lint_[n & 1]; }

  // Timer contract (devices/clock.h). A masked one-shot or periodic timer
  // keeps counting (reads stay exact) but needs no wake-ups.
  uint64_t next_deadline() const {
    if ((lvt_[kLvtTimerIdx] & (1u << 16)) && timer_mode() != 2 /* TSC-deadline */) return kNoDeadline;
    return timer_deadline_;
  }
  void service(uint64_t now);

  // Power-on/INIT state (INIT keeps the ID and IA32_APIC_BASE).
  void reset();
  // The state SeaBIOS leaves on the BSP before a kernel starts: APIC software
  // enabled, LINT0 ExtINT (level), LINT1 NMI.
  void firmware_init();

  // State for tests and the platform.
  bool irr_bit(uint8_t v) const { return test(irr_, v); }
  bool isr_bit(uint8_t v) const { return test(isr_, v); }
  bool tmr_bit(uint8_t v) const { return test(tmr_, v); }
  uint8_t ppr() const;
  bool extint_pending() const;
  uint32_t current_count() const;

 private:
  using Bits = std::array<uint32_t, 8>;
  static bool test(const Bits& b, uint8_t v) { return b[v >> 5] & (1u << (v & 31)); }
  static void set(Bits& b, uint8_t v) { b[v >> 5] |= 1u << (v & 31); }
  static void clear(Bits& b, uint8_t v) { b[v >> 5] &= ~(1u << (v & 31)); }
  static int highest(const Bits& b);  // -1 when empty

  class Lint : public IrqLine {
   public:
    void set_level(bool asserted) override { apic->set_lint(index, asserted); }
    Lapic* apic = nullptr;
    unsigned index = 0;
  };

  enum Lvt { kLvtTimerIdx, kLvtThermalIdx, kLvtPerfIdx, kLvtLint0Idx, kLvtLint1Idx, kLvtErrorIdx, kLvtCount };
  static uint32_t lvt_write_mask(unsigned index);
  int deliverable_vector() const;  // highest IRR vector above PPR, or -1
  void accept_fixed(uint8_t vector, bool level);
  void local_interrupt(unsigned lvt_index);
  void set_lint(unsigned index, bool level);
  void signal_error(uint32_t bits);
  void send_ipi();
  void eoi();
  void notify();
  unsigned timer_mode() const { return (lvt_[kLvtTimerIdx] >> 17) & 3; }
  uint64_t timer_period_ns() const { return uint64_t{divisor()} * (kNsPerSecond / kBusHz); }
  uint32_t divisor() const;
  void arm_timer(uint64_t now);

  const Clock& clock_;
  IpiSink* bus_ = nullptr;
  ExtIntSource* pic_ = nullptr;
  WakeUp wakeup_;
  const bool bsp_;
  const uint64_t tsc_hz_;
  std::array<Lint, 2> lint_;
  bool lint_level_[2] = {false, false};

  uint8_t id_;
  uint64_t apic_base_;
  uint8_t tpr_ = 0;
  uint32_t ldr_ = 0, dfr_ = 0xffffffff, svr_ = 0xff;
  Bits isr_{}, tmr_{}, irr_{};
  uint32_t esr_ = 0, esr_pending_ = 0;
  uint32_t icr_low_ = 0, icr_high_ = 0;
  std::array<uint32_t, kLvtCount> lvt_{};
  uint32_t initial_count_ = 0, dcr_ = 0;
  uint64_t timer_start_ = 0;          // Clock time the count started at initial_count_
  uint64_t timer_deadline_ = kNoDeadline;
  uint64_t tsc_deadline_ = 0;
  bool nmi_pending_ = false, init_pending_ = false, sipi_pending_ = false;
  bool extint_from_ioapic_ = false;
  uint8_t sipi_vector_ = 0;
};

}  // namespace orcvm
