#include "devices/pci_host.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace orcvm {

namespace {
constexpr uint32_t kEnable = 1u << 31;

// Standard header offsets.
constexpr unsigned kVendorId = 0x00, kDeviceId = 0x02, kCommand = 0x04, kStatus = 0x06, kRevision = 0x08,
                   kClassCode = 0x09, kCacheLineSize = 0x0c, kHeaderType = 0x0e, kInterruptLine = 0x3c,
                   kDeviceSpecific = 0x40;
// Command bits a guest can change: I/O space, memory space, bus master, SERR#
// enable, INTx disable (the set QEMU's pc machine presents for both bridges).
constexpr uint16_t kCommandWritable = 0x0001 | 0x0002 | 0x0004 | 0x0100 | 0x0400;
constexpr uint16_t kStatusDevselMedium = 0x0200;

struct Identity {
  uint16_t vendor, device;
  uint8_t revision;
  uint32_t class_code;  // base class, subclass, programming interface
  uint8_t header_type;  // bit 7: multi-function device
  uint16_t command, status;
};

uint32_t all_ones(unsigned size) { return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1; }

void put(std::array<uint8_t, 256>& space, unsigned offset, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) space[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}
}  // namespace

PciHost::PciHost() {
  auto add = [&](unsigned device, unsigned function, const Identity& id,
                 std::initializer_list<std::pair<unsigned, uint8_t>> registers) {
    Function f;
    f.devfn = static_cast<uint8_t>(device << 3 | function);
    put(f.config, kVendorId, 2, id.vendor);
    put(f.config, kDeviceId, 2, id.device);
    put(f.config, kCommand, 2, id.command);
    put(f.config, kStatus, 2, id.status);
    put(f.config, kRevision, 1, id.revision);
    put(f.config, kClassCode, 3, id.class_code);
    put(f.config, kHeaderType, 1, id.header_type);
    for (auto [offset, value] : registers) f.config[offset] = value;
    put(f.writable, kCommand, 2, kCommandWritable);
    f.writable[kCacheLineSize] = 0xff;
    f.writable[kInterruptLine] = 0xff;
    // The chip-specific registers (PAM, SMRAM, PIRQ routing, ...) keep what is written.
    for (unsigned r = kDeviceSpecific; r < 256; ++r) f.writable[r] = 0xff;
    functions_.push_back(f);
  };
  // 82441FX PMC; SMRAM (0x72) at its data-sheet default.
  add(0, 0, {0x8086, 0x1237, 0x02, 0x060000, 0x00, 0x0000, 0x0000}, {{0x72, 0x02}});
  // 82371SB PIIX3 function 0, with its data-sheet defaults: command 0x0007
  // (I/O, memory, bus master), ISA I/O recovery 0x4c, X-bus chip select 0x4e,
  // PIRQ[A-D] routing disabled (0x60-0x63), top of memory 0x69, motherboard IRQ
  // and DMA routing disabled (0x70, 0x76-0x77), programmable chip select 0x78,
  // SMI control 0xa0 and 0xa8.
  add(1, 0, {0x8086, 0x7000, 0x00, 0x060100, 0x80, 0x0007, kStatusDevselMedium},
      {{0x4c, 0x4d}, {0x4e, 0x03}, {0x60, 0x80}, {0x61, 0x80}, {0x62, 0x80}, {0x63, 0x80}, {0x69, 0x02},
       {0x70, 0x80}, {0x76, 0x0c}, {0x77, 0x0c}, {0x78, 0x02}, {0xa0, 0x08}, {0xa8, 0x0f}});
}

const PciHost::Function* PciHost::find(unsigned devfn) const {
  for (const Function& f : functions_)
    if (f.devfn == devfn) return &f;
  return nullptr;
}

PciHost::Function* PciHost::find(unsigned devfn) {
  return const_cast<Function*>(std::as_const(*this).find(devfn));
}

PciHost::Function* PciHost::selected() {
  const unsigned bus = (config_address_ >> 16) & 0xff;
  if (!(config_address_ & kEnable) || bus != 0) return nullptr;
  return find((config_address_ >> 8) & 0xff);
}

uint32_t PciHost::read(const Function* f, unsigned offset, unsigned size) {
  uint32_t value = 0;
  for (unsigned i = 0; i < size; ++i) {
    const uint8_t byte = f && offset + i < 256 ? f->config[offset + i] : 0xff;
    value |= static_cast<uint32_t>(byte) << (8 * i);
  }
  return value;
}

void PciHost::write(Function* f, unsigned offset, unsigned size, uint32_t value) {
  if (!f) return;
  for (unsigned i = 0; i < size && offset + i < 256; ++i) {
    const unsigned r = offset + i;
    const uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
    f->config[r] = static_cast<uint8_t>((f->config[r] & ~f->writable[r]) | (byte & f->writable[r]));
  }
}

uint32_t PciHost::read_config(unsigned device, unsigned function, unsigned offset, unsigned size) const {
  return read(find((device & 31) << 3 | (function & 7)), offset, size);
}

void PciHost::write_config(unsigned device, unsigned function, unsigned offset, unsigned size, uint32_t value) {
  write(find((device & 31) << 3 | (function & 7)), offset, size, value);
}

// An access at 0xcfc + k reaches the selected register's byte k; bytes past
// 0xcff belong to the next port, which nothing claims.
uint32_t PciHost::port_read(uint16_t port, unsigned size) {
  if (port >= kConfigDataPort) {
    const unsigned k = port - kConfigDataPort;
    const unsigned in_data = std::min(size, 4 - k);
    const uint32_t beyond = size > in_data ? ~0u << (8 * in_data) : 0;
    return (read(selected(), (config_address_ & 0xfc) + k, in_data) | beyond) & all_ones(size);
  }
  if (port == kConfigAddressPort && size == 4) return config_address_;
  return all_ones(size);
}

void PciHost::port_write(uint16_t port, unsigned size, uint32_t value) {
  if (port >= kConfigDataPort) {
    const unsigned k = port - kConfigDataPort;
    write(selected(), (config_address_ & 0xfc) + k, std::min(size, 4 - k), value);
  } else if (port == kConfigAddressPort && size == 4) {
    config_address_ = value;
  }
}

}  // namespace orcvm
