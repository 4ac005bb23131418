#include "runtime/softmmu/memory.h"

#include <sys/mman.h>

#include <cstring>
#include <stdexcept>

#include "runtime/log.h"

namespace orcvm {

void Bus::map_ports(uint16_t first, uint16_t count, PortDevice* device) {
  ports_[first] = PortRange{count, device};
}

void Bus::map_mmio(uint64_t base, uint64_t length, MmioDevice* device) {
  mmio_[base] = MmioRange{length, device};
}


uint32_t Bus::port_read(uint16_t port, unsigned size) {
  auto it = ports_.upper_bound(port);
  if (it != ports_.begin() && port - (--it)->first < it->second.count)
    return it->second.device->port_read(port, size);
  if (Log::on(LogItem::GuestErrors)) Log::printf("guest_errors: read of unassigned port 0x%x\n", port);
  return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

void Bus::port_write(uint16_t port, unsigned size, uint32_t value) {
  auto it = ports_.upper_bound(port);
  if (it != ports_.begin() && port - (--it)->first < it->second.count) {
    it->second.device->port_write(port, size, value);
    return;
  }
  if (Log::on(LogItem::GuestErrors))
    Log::printf("guest_errors: write 0x%x to unassigned port 0x%x\n", value, port);
}

bool Bus::mmio_read(uint64_t paddr, unsigned size, uint64_t* value) {
  auto it = mmio_.upper_bound(paddr);
  if (it == mmio_.begin() || paddr - (--it)->first >= it->second.length) return false;
  *value = it->second.device->mmio_read(paddr - it->first, size);
  return true;
}

bool Bus::mmio_write(uint64_t paddr, unsigned size, uint64_t value) {
  auto it = mmio_.upper_bound(paddr);
  if (it == mmio_.begin() || paddr - (--it)->first >= it->second.length) return false;
  it->second.device->mmio_write(paddr - it->first, size, value);
  return true;
}

PhysicalMemory::PhysicalMemory(uint64_t ram_size) : map_(ram_size) {
  if (ram_size == 0 || ram_size % kPageSize != 0)
    throw std::invalid_argument("guest RAM must be a positive multiple of 4 KiB");
  if (map_.ram_top() > PhysicalAddressMap::kMaxPhysicalTop)
    throw std::invalid_argument("guest RAM larger than the CPU model addresses (" +
                                std::to_string((PhysicalAddressMap::kMaxPhysicalTop >> 30) - 1) + " GiB)");
  void* p = mmap(nullptr, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("cannot reserve guest RAM of " + std::to_string(ram_size) + " bytes");
  ram_ = static_cast<uint8_t*>(p);
  code_pages_ = std::vector<std::atomic<uint8_t>>(ram_size / kPageSize);
}

PhysicalMemory::~PhysicalMemory() { munmap(ram_, map_.ram_size()); }

uint64_t PhysicalMemory::read(uint64_t paddr, unsigned size) {
  if (const uint8_t* bytes = host(paddr, size)) {
    uint64_t value = 0;
    std::memcpy(&value, bytes, size);
    return value;
  }
  uint64_t value;
  if (bus_.mmio_read(paddr, size, &value)) return value;
  if (Log::on(LogItem::GuestErrors))
    Log::printf("guest_errors: read of unassigned physical address 0x%llx\n", (unsigned long long)paddr);
  return size == 8 ? ~uint64_t{0} : (uint64_t{1} << (size * 8)) - 1;
}

void PhysicalMemory::write(uint64_t paddr, unsigned size, uint64_t value) {
  if (uint8_t* bytes = host(paddr, size)) {
    note_write(paddr, size);
    std::memcpy(bytes, &value, size);
    return;
  }
  if (bus_.mmio_write(paddr, size, value)) return;
  if (Log::on(LogItem::GuestErrors))
    Log::printf("guest_errors: write to unassigned physical address 0x%llx\n", (unsigned long long)paddr);
}

void PhysicalMemory::note_write(uint64_t paddr, unsigned size) {
  uint64_t first = paddr / kPageSize, last = (paddr + size - 1) / kPageSize;
  for (uint64_t page = first; page <= last; ++page)
    if (is_code_page(page) && listener_) listener_->code_page_written(page);
}

}  // namespace orcvm
