#pragma once
// Guest physical memory: RAM as one host mapping, device MMIO through the bus,
// and the per-page record of which RAM pages hold translated code.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

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

  uint8_t* ram() const { return ram_; }
  uint64_t ram_size() const { return ram_size_; }
  Bus& bus() { return bus_; }

  bool is_ram(uint64_t paddr, uint64_t size) const {
    return paddr < ram_size_ && size <= ram_size_ - paddr;
  }
  // Accesses of 1, 2, 4 or 8 bytes within one page.
  uint64_t read(uint64_t paddr, unsigned size);
  void write(uint64_t paddr, unsigned size, uint64_t value);

  bool is_code_page(uint64_t page_number) const {
    return page_number < code_pages_.size() && code_pages_[page_number].load(std::memory_order_acquire);
  }
  void set_code_page(uint64_t page_number, bool has_code) {
    code_pages_[page_number].store(has_code, std::memory_order_release);
  }
  void set_code_write_listener(CodeWriteListener* listener) { listener_ = listener; }
  // The guest is about to write RAM at [paddr, paddr + size): invalidates code there.
  void note_write(uint64_t paddr, unsigned size);

 private:
  uint8_t* ram_;
  uint64_t ram_size_;
  Bus bus_;
  std::vector<std::atomic<uint8_t>> code_pages_;
  CodeWriteListener* listener_ = nullptr;
};

}  // namespace orcvm
