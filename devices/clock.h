#pragma once
// Time for devices. Every timer in devices/ (PIT, LAPIC timer, RTC, ACPI PM timer)
// reads a Clock; none of them owns a thread.
//
// The timer contract (Platform::next_deadline / Platform::service_timers):
//   * Clock::now() is nanoseconds since the clock was created. It never goes
//     backwards. All deadlines are in the same unit and epoch.
//   * A timer device computes its state (counter values, output levels, flags)
//     from now() whenever it is read, so reading a counter never needs a tick.
//   * Interrupts, however, must be raised at the right time. Each timer device
//     offers next_deadline(): the earliest Clock time at which it will raise an
//     interrupt (kNoDeadline when it will not), and service(now): raise every
//     interrupt that is due at `now` (a periodic timer that missed several
//     periods raises one interrupt and catches up; interrupts are not queued).
//   * The platform combines them: Platform::next_deadline() is the minimum over
//     all devices, Platform::service_timers(now) services all of them. Whoever
//     drives time must call service_timers(clock.now()) no later than
//     next_deadline() (late is allowed and only adds latency; early is harmless).
//   * With the host clock, Platform can run its own event thread that sleeps
//     until next_deadline() (or until stdin has input) and then services the
//     timers; it never spins. With the instruction-count clock there is no thread:
//     the VCPU runs until the instructions granted up to next_deadline() are
//     spent, then the machine services the timers and grants again; when the
//     guest halts, Platform::halt() calls warp_to(next_deadline()) (time jumps
//     forward to the next event, as QEMU's icount does for an idle guest) and
//     then service_timers().
//   * next_deadline() may move earlier whenever the guest programs a timer; the
//     platform reports that through its deadline listener.
#include <algorithm>
#include <atomic>
#include <cstdint>

namespace orcvm {

constexpr uint64_t kNoDeadline = ~uint64_t{0};
constexpr uint64_t kNsPerSecond = 1'000'000'000ull;

// floor(a * b / c) without overflow for the ranges devices use.
inline uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b / c);
}
// ceil(a * b / c).
inline uint64_t muldiv64_ceil(uint64_t a, uint64_t b, uint64_t c) {
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>((p + c - 1) / c);
}
// Number of whole ticks of a hz clock in ns nanoseconds, and the time of tick n.
inline uint64_t ns_to_ticks(uint64_t ns, uint64_t hz) { return muldiv64(ns, hz, kNsPerSecond); }
inline uint64_t ticks_to_ns_ceil(uint64_t ticks, uint64_t hz) { return muldiv64_ceil(ticks, kNsPerSecond, hz); }

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since the clock started; monotonic; safe from any thread.
  virtual uint64_t now() const = 0;
  // True for clocks that move only when told (instruction counting, tests): an
  // idle guest must warp them to the next deadline instead of sleeping.
  virtual bool is_virtual() const { return false; }
  // Moves a virtual clock forward to t (never backwards); host time cannot warp.
  virtual void warp_to(uint64_t t) {}
};

// Host monotonic time (CLOCK_MONOTONIC), starting at 0 when constructed.
class HostClock : public Clock {
 public:
  HostClock();
  uint64_t now() const override;
  // The host CLOCK_MONOTONIC value (ns) that corresponds to now() == t.
  uint64_t host_time(uint64_t t) const { return start_ + t; }

 private:
  uint64_t start_;
};

// --icount: time is the number of guest instructions the VCPU has retired times
// ns_per_instruction, plus the idle time that warp_to() skips. The VCPU counts
// its instructions down in its budget (ExecContext::budget, which translated
// blocks decrement when they start); the clock reads that counter, so a device
// read in the middle of a block sees the time of that block. A grant is how
// far the VCPU may run before it returns to whoever drives time, which then
// services the timers that are due and grants again up to the next deadline.
// Not thread-safe: under --icount everything runs on the VCPU's thread (a
// virtual clock gets no event thread).
class InstructionClock : public Clock {
 public:
  explicit InstructionClock(uint64_t ns_per_instruction = 1) : ns_per_insn_(ns_per_instruction) {}
  uint64_t now() const override { return base_ + retired() * ns_per_insn_; }
  bool is_virtual() const override { return true; }

  // The VCPU's budget counter; until one is attached the clock stands still.
  void attach_budget(int64_t* budget) {
    fold();
    budget_ = budget;
    granted_ = *budget;
  }
  // Lets the VCPU run until time t: as many instructions as that takes (at
  // least one, so that it always makes progress; no limit for kNoDeadline).
  void grant_until(uint64_t t) {
    fold();
    *budget_ = granted_ = instructions_until(t);
  }
  // Shortens the current grant so that it ends by time t (a timer was armed
  // earlier than the grant's end).
  void end_grant_by(uint64_t t) {
    const int64_t n = instructions_until(t);
    if (*budget_ <= n) return;
    fold();
    *budget_ = granted_ = n;
  }
  // The guest is idle: time jumps forward to t (never backwards), and the grant
  // ends, so the VCPU returns to be granted time up to the next deadline.
  void warp_to(uint64_t t) override {
    fold();
    if (t > base_) base_ = t;
    if (budget_) *budget_ = granted_ = 0;
  }

 private:
  uint64_t retired() const { return budget_ ? static_cast<uint64_t>(granted_ - *budget_) : 0; }
  // Moves the instructions retired so far into base_.
  void fold() {
    base_ += retired() * ns_per_insn_;
    granted_ = budget_ ? *budget_ : 0;
  }
  int64_t instructions_until(uint64_t t) const {
    constexpr uint64_t kUnlimited = static_cast<uint64_t>(INT64_MAX);
    const uint64_t now = this->now();
    if (t == kNoDeadline) return INT64_MAX;
    if (t <= now) return 1;
    return static_cast<int64_t>(std::min((t - now + ns_per_insn_ - 1) / ns_per_insn_, kUnlimited));
  }

  const uint64_t ns_per_insn_;
  uint64_t base_ = 0;         // the time at the last fold, when the budget held granted_
  int64_t* budget_ = nullptr;
  int64_t granted_ = 0;
};

// A clock set by hand: for tests and for deterministic tools.
class ManualClock : public Clock {
 public:
  uint64_t now() const override { return now_.load(std::memory_order_acquire); }
  bool is_virtual() const override { return true; }
  void set(uint64_t t) { now_.store(t, std::memory_order_release); }
  void advance(uint64_t ns) { now_.fetch_add(ns, std::memory_order_acq_rel); }
  void warp_to(uint64_t t) override {
    uint64_t cur = now_.load(std::memory_order_acquire);
    while (t > cur && !now_.compare_exchange_weak(cur, t, std::memory_order_acq_rel)) {
    }
  }

 private:
  std::atomic<uint64_t> now_{0};
};

}  // namespace orcvm
