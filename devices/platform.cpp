#include "devices/platform.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace orcvm {

namespace {
thread_local unsigned t_current_cpu = 0;
constexpr uint8_t kSumInterrupt = 1, kSumNmi = 2, kSumInit = 4, kSumSipi = 8;
}  // namespace

// ---------------------------------------------------------------------------
// Thread-safe faces of the devices.

class Platform::LockedPort : public PortDevice {
 public:
  LockedPort(Platform* platform, PortDevice* device) : p_(platform), d_(device) {}
  uint32_t port_read(uint16_t port, unsigned size) override {
    std::lock_guard<std::mutex> g(p_->mu_);
    uint32_t v = d_->port_read(port, size);
    p_->refresh_locked();
    return v;
  }
  void port_write(uint16_t port, unsigned size, uint32_t value) override {
    std::lock_guard<std::mutex> g(p_->mu_);
    d_->port_write(port, size, value);
    p_->refresh_locked();
  }

 private:
  Platform* p_;
  PortDevice* d_;
};

class Platform::LockedMmio : public MmioDevice {
 public:
  LockedMmio(Platform* platform, MmioDevice* device) : p_(platform), d_(device) {}
  uint64_t mmio_read(uint64_t offset, unsigned size) override {
    std::lock_guard<std::mutex> g(p_->mu_);
    uint64_t v = d_->mmio_read(offset, size);
    p_->refresh_locked();
    return v;
  }
  void mmio_write(uint64_t offset, unsigned size, uint64_t value) override {
    std::lock_guard<std::mutex> g(p_->mu_);
    d_->mmio_write(offset, size, value);
    p_->refresh_locked();
  }

 private:
  Platform* p_;
  MmioDevice* d_;
};

// Every VCPU sees its own local APIC at the same address.
class Platform::LapicMmio : public MmioDevice {
 public:
  explicit LapicMmio(Platform* platform) : p_(platform) {}
  uint64_t mmio_read(uint64_t offset, unsigned size) override {
    std::lock_guard<std::mutex> g(p_->mu_);
    uint64_t v = apic().mmio_read(offset, size);
    p_->refresh_locked();
    return v;
  }
  void mmio_write(uint64_t offset, unsigned size, uint64_t value) override {
    std::lock_guard<std::mutex> g(p_->mu_);
    apic().mmio_write(offset, size, value);
    p_->refresh_locked();
  }

 private:
  Lapic& apic() { return *p_->cpus_[t_current_cpu < p_->cpus_.size() ? t_current_cpu : 0]->lapic; }
  Platform* p_;
};

class Platform::CpuInterface : public InterruptController {
 public:
  CpuInterface(Platform* platform, Cpu* cpu) : p_(platform), c_(cpu) {}

  template <class F>
  auto locked(F f) -> decltype(f()) {
    std::lock_guard<std::mutex> g(p_->mu_);
    auto r = f();
    p_->refresh_locked();
    return r;
  }

  bool has_pending_interrupt() override { return c_->summary.load(std::memory_order_acquire) & kSumInterrupt; }
  uint8_t acknowledge() override { return locked([&] { return c_->lapic->acknowledge(); }); }
  bool nmi_pending() override { return c_->summary.load(std::memory_order_acquire) & kSumNmi; }
  void acknowledge_nmi() override { locked([&] { c_->lapic->acknowledge_nmi(); return 0; }); }
  bool init_pending() override { return c_->summary.load(std::memory_order_acquire) & kSumInit; }
  void acknowledge_init() override { locked([&] { c_->lapic->acknowledge_init(); return 0; }); }
  bool sipi_pending() override { return c_->summary.load(std::memory_order_acquire) & kSumSipi; }
  uint8_t acknowledge_sipi() override { return locked([&] { return c_->lapic->acknowledge_sipi(); }); }
  void set_wakeup(WakeUp wakeup) override {
    std::lock_guard<std::mutex> g(p_->mu_);
    c_->wakeup = std::move(wakeup);
  }
  uint8_t read_cr8() override { return locked([&] { return c_->lapic->read_cr8(); }); }
  void write_cr8(uint8_t value) override { locked([&] { c_->lapic->write_cr8(value); return 0; }); }
  uint64_t read_apic_base() override { return locked([&] { return c_->lapic->read_apic_base(); }); }
  bool write_apic_base(uint64_t value) override { return locked([&] { return c_->lapic->write_apic_base(value); }); }
  uint64_t read_tsc_deadline() override { return locked([&] { return c_->lapic->read_tsc_deadline(); }); }
  void write_tsc_deadline(uint64_t deadline, uint64_t tsc_now) override {
    locked([&] { c_->lapic->write_tsc_deadline(deadline, tsc_now); return 0; });
  }
  uint8_t apic_id() override { return locked([&] { return c_->lapic->apic_id(); }); }

 private:
  Platform* p_;
  Cpu* c_;
};

// ---------------------------------------------------------------------------

Platform::Platform(Clock& clock, const PlatformConfig& config, PlatformCallbacks callbacks)
    : clock_(clock), tsc_hz_(config.tsc_hz), callbacks_(std::move(callbacks)), want_event_thread_(config.event_thread) {
  if (config.cpus == 0 || config.cpus > 255) throw std::invalid_argument("cpus must be 1..255");
  if (!callbacks_.poweroff) {
    callbacks_.poweroff = [this] {
      if (callbacks_.exit) callbacks_.exit(0);
    };
  }

  // Interrupt controllers and their wiring.
  pic_ = std::make_unique<Pic8259Pair>();
  ioapic_ = std::make_unique<IoApic>(0);  // ID 0, as QEMU's MADT (an xAPIC system: separate ID spaces)
  ioapic_->connect(this);
  for (unsigned i = 0; i < config.cpus; ++i) {
    auto cpu = std::make_unique<Cpu>();
    cpu->lapic = std::make_unique<Lapic>(clock_, static_cast<uint8_t>(i), i == 0, config.tsc_hz);
    cpu->lapic->connect(this, pic_.get());
    cpu->iface = std::make_unique<CpuInterface>(this, cpu.get());
    pic_output_.add(&cpu->lapic->lint(0));
    cpus_.push_back(std::move(cpu));
  }
  pic_->connect_output(&pic_output_);
  for (unsigned irq = 0; irq < 16; ++irq) {
    isa_[irq].add(&pic_->input(irq));
    if (irq != 2) isa_[irq].add(&ioapic_->input(irq == 0 ? 2 : irq));
  }

  // ISA devices.
  pit_ = std::make_unique<Pit8254>(clock_, &isa_[0]);
  RtcCmos::Config rtc;
  rtc.ram_below_4g = std::min<uint64_t>(config.ram_size, 0xe0000000ull);
  rtc.ram_above_4g = 0;
  rtc.cpus = config.cpus;
  rtc.base_time = config.use_host_time ? static_cast<int64_t>(std::time(nullptr)) : config.rtc_base_time;
  rtc_ = std::make_unique<RtcCmos>(clock_, &isa_[8], rtc);
  // The gate follows the last write of either device; the CPU side hears only changes.
  auto a20 = [this](bool on) {
    if (on == a20_enabled_) return;
    a20_enabled_ = on;
    if (callbacks_.a20) callbacks_.a20(on);
  };
  i8042_ = std::make_unique<I8042>(&isa_[1], &isa_[12], [this](const char* source) { do_reset(source); }, a20);
  uart_ = std::make_unique<Uart16550>(config.serial_out);
  uart_->connect_irq(&isa_[4]);
  uart_->set_input_fd(config.serial_in_fd);
  pm_ = std::make_unique<AcpiPm>(clock_, &isa_[9], [this] { callbacks_.poweroff(); }, 0x600, 5);
  reset_control_ = std::make_unique<ResetControl>([this] { do_reset("reset control register (port 0xcf9)"); });
  pci_ = std::make_unique<PciHost>();
  port92_ = std::make_unique<Port92>([this] { do_reset("fast reset (port 0x92)"); }, a20);
  post_ = std::make_unique<PostPort>();
  debug_exit_ = std::make_unique<DebugExit>([this](int status) {
    if (callbacks_.exit) callbacks_.exit(status);
  });
  fw_cfg_ = std::make_unique<FwCfg>();

  if (config.firmware_state) {
    pic_->firmware_init(0x08, 0x70);
    pic_->port_write(0x4d1, 1, 0x02);  // IRQ9 (the SCI) level-triggered
    pit_->firmware_init();
    i8042_->firmware_init();
    cpus_[0]->lapic->firmware_init();
  }

  build_tables_and_map(config);

  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) throw std::runtime_error("eventfd failed");
  std::lock_guard<std::mutex> g(mu_);
  refresh_locked();
}

Platform::~Platform() {
  stop();
  if (event_fd_ >= 0) close(event_fd_);
}

void Platform::build_tables_and_map(const PlatformConfig& config) {
  // The ACPI image lies in the BIOS area, which the memory map reserves.
  const PhysicalAddressMap map(config.ram_size);
  e820_ = map.memory_map();
  AcpiConfig acpi;
  acpi.cpus = config.cpus;
  acpi.ioapic_id = 0;
  acpi.lapic_base = static_cast<uint32_t>(PhysicalAddressMap::kLapic.base);
  acpi.ioapic_base = static_cast<uint32_t>(PhysicalAddressMap::kIoApic.base);
  acpi_ = build_acpi_tables(acpi, PhysicalAddressMap::kBiosAreaStart);

  fw_cfg_->add_u64(FwCfg::kRamSize, config.ram_size);
  fw_cfg_->add_u16(FwCfg::kNbCpus, static_cast<uint16_t>(config.cpus));
  fw_cfg_->add_u16(FwCfg::kMaxCpus, static_cast<uint16_t>(config.cpus));
  fw_cfg_->add_u16(FwCfg::kNoGraphic, 1);
  fw_cfg_->add_bytes(FwCfg::kUuid, std::vector<uint8_t>(16, 0));
  std::vector<uint8_t> e820;
  for (const MemoryMapEntry& e : e820_) {
    for (int i = 0; i < 8; ++i) e820.push_back(uint8_t(e.base >> (8 * i)));
    for (int i = 0; i < 8; ++i) e820.push_back(uint8_t(e.length >> (8 * i)));
    for (int i = 0; i < 4; ++i) e820.push_back(uint8_t(e.type >> (8 * i)));
  }
  fw_cfg_->add_file("etc/e820", std::move(e820));
  fw_cfg_->add_file("etc/acpi/rsdp", std::vector<uint8_t>(acpi_.image.begin(), acpi_.image.begin() + 36));
  fw_cfg_->add_file("etc/acpi/tables", std::vector<uint8_t>(acpi_.image.begin() + 36, acpi_.image.end()));

  auto port = [&](uint16_t first, uint16_t count, PortDevice* device, const char* name) {
    port_wrappers_.push_back(std::make_unique<LockedPort>(this, device));
    port_map_.push_back({first, count, port_wrappers_.back().get(), name});
  };
  port(0x20, 2, pic_.get(), "pic-master");
  port(0xa0, 2, pic_.get(), "pic-slave");
  port(0x4d0, 2, pic_.get(), "elcr");
  port(0x40, 4, pit_.get(), "pit");
  port(0x61, 1, pit_.get(), "port-b");
  port(0x60, 1, i8042_.get(), "i8042-data");
  port(0x64, 1, i8042_.get(), "i8042-cmd");
  port(0x70, 2, rtc_.get(), "rtc");
  port(0x80, 1, post_.get(), "post");
  port(0x92, 1, port92_.get(), "port92");
  port(0xf4, 4, debug_exit_.get(), "isa-debug-exit");
  port(0x3f8, 8, uart_.get(), "com1");
  port(0x510, 2, fw_cfg_.get(), "fw_cfg");
  port(0x600, 12, pm_.get(), "acpi-pm");
  // CONFADD is one 32-bit register at 0xcf8; a byte at 0xcf9 is the PIIX3's
  // reset control register.
  port(PciHost::kConfigAddressPort, 1, pci_.get(), "pci-config-address");
  port(0xcf9, 1, reset_control_.get(), "reset-control");
  port(0xcfa, 2, pci_.get(), "pci-config-address");
  port(PciHost::kConfigDataPort, 4, pci_.get(), "pci-config-data");

  auto mmio = [&](const MmioWindow& window, std::unique_ptr<MmioDevice> device) {
    mmio_wrappers_.push_back(std::move(device));
    mmio_map_.push_back({window.base, window.length, mmio_wrappers_.back().get(), window.name});
  };
  mmio(PhysicalAddressMap::kIoApic, std::make_unique<LockedMmio>(this, ioapic_.get()));
  mmio(PhysicalAddressMap::kLapic, std::make_unique<LapicMmio>(this));
}

void Platform::install_firmware_tables(const std::function<uint8_t*(uint64_t paddr, uint64_t size)>& ram) const {
  uint8_t* tables = ram(acpi_.base, acpi_.image.size());
  if (!tables) throw std::runtime_error("guest RAM too small for the ACPI tables");
  std::memcpy(tables, acpi_.image.data(), acpi_.image.size());
}

InterruptController& Platform::interrupt_controller(unsigned cpu) { return *cpus_.at(cpu)->iface; }

void Platform::set_current_cpu(unsigned cpu) { t_current_cpu = cpu; }

void Platform::do_reset(const char* source) {
  if (callbacks_.reset) callbacks_.reset(source);
}

// ---------------------------------------------------------------------------
// The APIC bus.

void Platform::deliver(const ApicMessage& m) {
  std::vector<Lapic*> targets;
  for (auto& cpu : cpus_) {
    Lapic& apic = *cpu->lapic;
    bool hit = false;
    switch (m.shorthand) {
      case DestShorthand::None: hit = apic.matches(m.dest, m.logical); break;
      case DestShorthand::Self: hit = apic.apic_id() == m.source_id; break;
      case DestShorthand::AllIncludingSelf: hit = apic.hardware_enabled(); break;
      case DestShorthand::AllExcludingSelf: hit = apic.hardware_enabled() && apic.apic_id() != m.source_id; break;
    }
    if (hit) targets.push_back(&apic);
  }
  if (targets.empty()) return;
  if (m.mode == DeliveryMode::LowestPriority) {
    // Arbitration: the APIC with the lowest priority (the first on a tie).
    Lapic* best = targets[0];
    for (Lapic* a : targets)
      if (a->arbitration_priority() < best->arbitration_priority()) best = a;
    best->accept(m);
    return;
  }
  for (Lapic* a : targets) a->accept(m);
}

void Platform::broadcast_eoi(uint8_t vector) { ioapic_->end_of_interrupt(vector); }

// ---------------------------------------------------------------------------
// Time and events.

uint64_t Platform::compute_deadline_locked() const {
  uint64_t d = std::min({pit_->next_deadline(), rtc_->next_deadline(), pm_->next_deadline()});
  for (auto& cpu : cpus_) d = std::min(d, cpu->lapic->next_deadline());
  return d;
}

void Platform::refresh_locked() {
  for (auto& cpu : cpus_) {
    Lapic& a = *cpu->lapic;
    const uint8_t s = (a.has_pending_interrupt() ? kSumInterrupt : 0) | (a.nmi_pending() ? kSumNmi : 0) |
                      (a.init_pending() ? kSumInit : 0) | (a.sipi_pending() ? kSumSipi : 0);
    const uint8_t old = cpu->summary.exchange(s, std::memory_order_acq_rel);
    if (s & ~old) {
      if (cpu->wakeup) cpu->wakeup();
      cpu->cv.notify_all();
      if (!thread_.joinable()) wake_event_fd();  // a halt() sleeping in ppoll
    }
  }
  const uint64_t d = compute_deadline_locked();
  const uint64_t old = deadline_.exchange(d, std::memory_order_acq_rel);
  if (d < old) {
    if (callbacks_.deadline_changed) callbacks_.deadline_changed(d);
    wake_event_fd();
  }
  if (thread_.joinable() && uart_->wants_input() != thread_polls_input_) wake_event_fd();
}

void Platform::service_timers_locked(uint64_t now) {
  pit_->service(now);
  rtc_->service(now);
  pm_->service(now);
  for (auto& cpu : cpus_) cpu->lapic->service(now);
  uart_->poll_input();
  refresh_locked();
}

uint64_t Platform::tsc() const {
  const uint64_t ticks = ns_to_ticks(clock_.now(), tsc_hz_);
  uint64_t last = last_tsc_.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    next = std::max(ticks, last + 1);
  } while (!last_tsc_.compare_exchange_weak(last, next, std::memory_order_relaxed));
  return next;
}

void Platform::service_timers(uint64_t now) {
  std::lock_guard<std::mutex> g(mu_);
  service_timers_locked(now);
}

void Platform::wake_event_fd() {
  if (event_fd_ < 0) return;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(event_fd_, &one, sizeof one);
}

void Platform::drain_event_fd() {
  uint64_t value;
  [[maybe_unused]] ssize_t n = read(event_fd_, &value, sizeof value);
}

void Platform::wait_for_events(uint64_t deadline, int input_fd) {
  pollfd fds[2] = {{event_fd_, POLLIN, 0}, {input_fd, POLLIN, 0}};
  const nfds_t n = input_fd >= 0 ? 2 : 1;
  timespec ts{};
  timespec* timeout = nullptr;
  if (deadline != kNoDeadline) {
    const uint64_t now = clock_.now();
    const uint64_t rel = deadline > now ? deadline - now : 0;
    ts.tv_sec = static_cast<time_t>(rel / kNsPerSecond);
    ts.tv_nsec = static_cast<long>(rel % kNsPerSecond);
    timeout = &ts;
  }
  if (ppoll(fds, n, timeout, nullptr) > 0 && (fds[0].revents & POLLIN)) drain_event_fd();
}

void Platform::event_loop() {
  for (;;) {
    uint64_t deadline;
    int fd;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (stop_) return;
      deadline = deadline_.load(std::memory_order_acquire);
      thread_polls_input_ = uart_->wants_input();
      fd = thread_polls_input_ ? uart_->input_fd() : -1;
    }
    wait_for_events(deadline, fd);
    std::lock_guard<std::mutex> g(mu_);
    if (stop_) return;
    service_timers_locked(clock_.now());
  }
}

void Platform::start() {
  if (thread_.joinable() || !want_event_thread_ || clock_.is_virtual()) return;
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { event_loop(); });
}

void Platform::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  wake_event_fd();
  thread_.join();
}

void Platform::halt(unsigned cpu_index, bool interrupts_enabled) {
  Cpu& cpu = *cpus_.at(cpu_index);
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    if (cpu.kicked) {
      cpu.kicked = false;
      return;
    }
    const uint8_t s = cpu.summary.load(std::memory_order_acquire);
    if ((interrupts_enabled && (s & kSumInterrupt)) || (s & (kSumNmi | kSumInit | kSumSipi))) return;
    if (thread_.joinable()) {
      cpu.cv.wait(lk);  // the event thread and the devices notify
      continue;
    }
    // No event thread: this thread drives time.
    const uint64_t deadline = deadline_.load(std::memory_order_acquire);
    if (clock_.is_virtual() && deadline != kNoDeadline) {
      clock_.warp_to(deadline);
      service_timers_locked(clock_.now());
      continue;
    }
    const int fd = uart_->wants_input() ? uart_->input_fd() : -1;
    if (deadline == kNoDeadline && fd < 0 && clock_.is_virtual()) {
      cpu.cv.wait(lk);  // only another thread (an IPI, kick) can end this halt
      continue;
    }
    lk.unlock();
    wait_for_events(deadline, fd);
    lk.lock();
    service_timers_locked(clock_.now());
  }
}

void Platform::kick(unsigned cpu_index) {
  std::lock_guard<std::mutex> g(mu_);
  Cpu& cpu = *cpus_.at(cpu_index);
  cpu.kicked = true;
  cpu.cv.notify_all();
  wake_event_fd();
}

void Platform::press_power_button() {
  std::lock_guard<std::mutex> g(mu_);
  pm_->press_power_button();
  refresh_locked();
}

void Platform::inject_nmi() {
  std::lock_guard<std::mutex> g(mu_);
  if (!rtc_->nmi_disabled())
    for (auto& cpu : cpus_) cpu->lapic->lint(1).pulse();
  refresh_locked();
}

}  // namespace orcvm
