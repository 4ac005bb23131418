#pragma once
// Interrupt wiring of the PC platform, and the one interface the CPU sees.
//
// Device side: a device drives an IrqLine (an input pin of the 8259 PIC or of
// the IOAPIC, or a fan-out to both, as an ISA IRQ is wired on a PC). Local APICs
// and the IOAPIC exchange messages over the APIC bus (IpiSink).
//
// CPU side: each VCPU talks to one InterruptController (its local APIC, which
// also passes the 8259's ExtINT through LINT0). The VCPU never sees a device.
#include <cstdint>
#include <functional>
#include <vector>

namespace orcvm {

// One interrupt request input. Levels are logical: true means asserted (an ISA
// IRQ line is active high). For an edge-triggered input, pulse() is an edge.
class IrqLine {
 public:
  virtual ~IrqLine() = default;
  virtual void set_level(bool asserted) = 0;
  void raise() { set_level(true); }
  void lower() { set_level(false); }
  void pulse() {
    set_level(true);
    set_level(false);
  }
};

// A line connected to nothing.
class NullIrqLine : public IrqLine {
 public:
  void set_level(bool) override {}
};

// One output driving several inputs (ISA IRQ n goes to PIC pin n and IOAPIC pin n,
// IRQ0 to IOAPIC pin 2).
class IrqFanout : public IrqLine {
 public:
  IrqFanout() = default;
  explicit IrqFanout(std::vector<IrqLine*> targets) : targets_(std::move(targets)) {}
  void add(IrqLine* target) { targets_.push_back(target); }
  void set_level(bool asserted) override {
    level_ = asserted;
    for (IrqLine* t : targets_) t->set_level(asserted);
  }
  bool level() const { return level_; }

 private:
  std::vector<IrqLine*> targets_;
  bool level_ = false;
};

// A line that calls a function; handy for wiring and for tests.
class FunctionIrqLine : public IrqLine {
 public:
  explicit FunctionIrqLine(std::function<void(bool)> fn) : fn_(std::move(fn)) {}
  void set_level(bool asserted) override { fn_(asserted); }

 private:
  std::function<void(bool)> fn_;
};

// APIC delivery modes (ICR, LVT and IOAPIC redirection entries share them).
enum class DeliveryMode : uint8_t {
  Fixed = 0,
  LowestPriority = 1,
  Smi = 2,
  Nmi = 4,
  Init = 5,
  StartUp = 6,
  ExtInt = 7,
};

enum class DestShorthand : uint8_t { None = 0, Self = 1, AllIncludingSelf = 2, AllExcludingSelf = 3 };

// One interrupt message on the APIC bus: an IPI from a local APIC's ICR or an
// interrupt from an IOAPIC redirection entry.
struct ApicMessage {
  uint8_t vector = 0;
  DeliveryMode mode = DeliveryMode::Fixed;
  bool logical = false;      // destination mode: logical (LDR/DFR match) or physical (APIC ID)
  bool level_triggered = false;
  bool assert = true;        // ICR level bit; an INIT with assert=false is the de-assert IPI
  DestShorthand shorthand = DestShorthand::None;
  uint8_t dest = 0;          // physical APIC ID (0xff: broadcast) or logical destination
  uint8_t source_id = 0;     // APIC ID of the sender (used by the shorthands)
};

// The APIC bus. The platform implements it: it routes a message to the local
// APICs it addresses, and a level-triggered EOI from a local APIC to the IOAPICs.
class IpiSink {
 public:
  virtual ~IpiSink() = default;
  virtual void deliver(const ApicMessage& message) = 0;
  virtual void broadcast_eoi(uint8_t vector) = 0;
};

// The INTA cycle of the 8259 pair: returns the vector of the highest-priority
// request and moves it to in-service (or the spurious IRQ7/IRQ15 vector).
class ExtIntSource {
 public:
  virtual ~ExtIntSource() = default;
  virtual uint8_t interrupt_acknowledge() = 0;
};

// Called (from any thread, possibly with platform locks held) when an interrupt,
// NMI, INIT or SIPI becomes pending for a VCPU. It must only set the VCPU's
// exit_request and wake its thread; it must not call back into the platform.
using WakeUp = std::function<void()>;

// What a VCPU sees of the interrupt system (its local APIC plus the 8259 behind
// LINT0). All methods are safe to call from the VCPU's thread while devices are
// driven from other threads, when obtained from Platform.
class InterruptController {
 public:
  virtual ~InterruptController() = default;

  // A maskable interrupt is ready: the VCPU takes it when RFLAGS.IF = 1 and no
  // interrupt shadow blocks it. Cheap (an atomic load on the platform's wrapper).
  virtual bool has_pending_interrupt() = 0;
  // The INTA cycle: returns the vector to deliver and moves it from IRR to ISR
  // (or runs the 8259's INTA for an ExtINT). If the request went away since
  // has_pending_interrupt(), returns the spurious vector, as hardware does.
  virtual uint8_t acknowledge() = 0;

  virtual bool nmi_pending() = 0;
  virtual void acknowledge_nmi() = 0;

  // INIT IPI (the VCPU resets to wait-for-SIPI) and Startup IPI (vector = page number).
  virtual bool init_pending() = 0;
  virtual void acknowledge_init() = 0;
  virtual bool sipi_pending() = 0;
  virtual uint8_t acknowledge_sipi() = 0;

  virtual void set_wakeup(WakeUp wakeup) = 0;

  // CR8 reads and writes TPR[7:4].
  virtual uint8_t read_cr8() = 0;
  virtual void write_cr8(uint8_t value) = 0;
  // IA32_APIC_BASE (MSR 0x1b). write returns false for a value that must #GP
  // (reserved bits, or x2APIC enable, which orcvm does not advertise).
  virtual uint64_t read_apic_base() = 0;
  virtual bool write_apic_base(uint64_t value) = 0;
  // IA32_TSC_DEADLINE (MSR 0x6e0). The CPU owns the TSC: it passes its current
  // TSC value with each write, and the LAPIC converts the distance into Clock time
  // with the platform's TSC frequency.
  virtual uint64_t read_tsc_deadline() = 0;
  virtual void write_tsc_deadline(uint64_t deadline, uint64_t tsc_now) = 0;
  virtual uint8_t apic_id() = 0;
};

}  // namespace orcvm
