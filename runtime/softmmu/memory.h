#pragma once
// Guest physical memory: RAM as one host mapping placed by the address map,
// device MMIO through the bus, the per-page record of which RAM pages hold
// translated code, and the A20 gate on the CPU's address lines.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/softmmu/address_map.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kPageMask = ~(kPageSize - 1);

// Told when the guest writes a RAM page that holds translated code.
class CodeWriteListener {
 public:
  virtual ~CodeWriteListener() = default;
  virtual void code_page_written(uint64_t page_number) = 0;
};

class PhysicalMemory {
 public:
  explicit PhysicalMemory(uint64_t ram_size);
  ~PhysicalMemory();
  PhysicalMemory(const PhysicalMemory&) = delete;
  PhysicalMemory& operator=(const PhysicalMemory&) = delete;

  const PhysicalAddressMap& address_map() const { return map_; }
  uint64_t ram_size() const { return map_.ram_size(); }
  Bus& bus() { return bus_; }

  // The host bytes behind [paddr, paddr + size) when all of it is RAM of one
  // range, else null: the only way from a guest physical address to host memory.
  uint8_t* host(uint64_t paddr, uint64_t size) const {
    const std::optional<uint64_t> offset = map_.ram_offset(paddr, size);
    return offset ? ram_ + *offset : nullptr;
  }

  // The guest physical address of host RAM bytes that host() returned.
  uint64_t address_of(const uint8_t* host_bytes) const { return map_.ram_address(static_cast<uint64_t>(host_bytes - ram_)); }

  // The A20 gate (port 0x92 bit 1, the i8042 output port bit 1). While it is
  // closed, physical address bit 20 of every CPU access (data, fetch, page-table
  // walk) is forced to 0, so FFFF:0010 wraps to 0 as on an 8086. Devices and
  // loaders address memory directly and are not affected. The MMU applies the
  // mask when it translates; whoever changes the gate flushes the VCPUs' TLBs.
  uint64_t cpu_address_mask() const { return cpu_address_mask_.load(std::memory_order_relaxed); }
  void set_a20(bool enabled) {
    cpu_address_mask_.store(enabled ? ~uint64_t{0} : ~kA20Bit, std::memory_order_relaxed);
  }

  bool is_ram(uint64_t paddr, uint64_t size) const { return map_.ram_offset(paddr, size).has_value(); }
  // Accesses of 1, 2, 4 or 8 bytes within one page.
  uint64_t read(uint64_t paddr, unsigned size);
  void write(uint64_t paddr, unsigned size, uint64_t value);

  // Only RAM pages hold translated code: code fetched from anywhere else is never
  // cached (Vcpu::find_block), and these ignore such pages.
  bool is_code_page(uint64_t page_number) const {
    const std::atomic<uint8_t>* flag = code_page_flag(page_number);
    return flag && flag->load(std::memory_order_acquire);
  }
  void set_code_page(uint64_t page_number, bool has_code) {
    if (std::atomic<uint8_t>* flag = code_page_flag(page_number)) flag->store(has_code, std::memory_order_release);
  }
  void set_code_write_listener(CodeWriteListener* listener) { listener_ = listener; }
  // The guest is about to write RAM at [paddr, paddr + size): invalidates code there.
  void note_write(uint64_t paddr, unsigned size);

 private:
  std::atomic<uint8_t>* code_page_flag(uint64_t page_number) const {
    if (page_number > (~uint64_t{0} >> 12)) return nullptr;
    const std::optional<uint64_t> offset = map_.ram_offset(page_number << 12, kPageSize);
    return offset ? &code_pages_[*offset / kPageSize] : nullptr;
  }

  PhysicalAddressMap map_;
  uint8_t* ram_;
  Bus bus_;
  mutable std::vector<std::atomic<uint8_t>> code_pages_;
  CodeWriteListener* listener_ = nullptr;
  static constexpr uint64_t kA20Bit = uint64_t{1} << 20;
  std::atomic<uint64_t> cpu_address_mask_{~uint64_t{0}};  // A20 enabled, as firmware leaves it
};

}  // namespace orcvm
