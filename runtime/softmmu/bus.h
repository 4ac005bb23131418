#pragma once
// The interfaces devices implement: port I/O and memory-mapped I/O. Devices see
// only these, never the CPU.
#include <cstdint>
#include <map>
#include <string>

namespace orcvm {

class PortDevice {
 public:
  virtual ~PortDevice() = default;
  virtual uint32_t port_read(uint16_t port, unsigned size) = 0;
  virtual void port_write(uint16_t port, unsigned size, uint32_t value) = 0;
};

class MmioDevice {
 public:
  virtual ~MmioDevice() = default;
  // offset is relative to the device's base and lies within its length.
  virtual uint64_t mmio_read(uint64_t offset, unsigned size) = 0;
  virtual void mmio_write(uint64_t offset, unsigned size, uint64_t value) = 0;
};

// Address decoding for ports and MMIO. Unassigned addresses read all-ones and
// ignore writes, as on a PC, and are logged under -d guest_errors.
class Bus {
 public:
  void map_ports(uint16_t first, uint16_t count, PortDevice* device);
  void map_mmio(uint64_t base, uint64_t length, MmioDevice* device);

  uint32_t port_read(uint16_t port, unsigned size);
  void port_write(uint16_t port, unsigned size, uint32_t value);
  // Returns false when nothing is mapped at paddr (the caller applies the unassigned rule).
  bool mmio_read(uint64_t paddr, unsigned size, uint64_t* value);
  bool mmio_write(uint64_t paddr, unsigned size, uint64_t value);

 private:
  struct PortRange { uint16_t count; PortDevice* device; };
  struct MmioRange { uint64_t length; MmioDevice* device; };
  std::map<uint16_t, PortRange> ports_;   // by first port
  std::map<uint64_t, MmioRange> mmio_;    // by base
};

}  // namespace orcvm
