#pragma once
// PCI configuration mechanism #1 of an Intel 440FX host bridge and the two
// functions QEMU's `pc` machine puts on its bus 0 before any option device:
//
//   00:00.0  82441FX host bridge  8086:1237 rev 02, class 06 00 00, header type 00
//   00:01.0  82371SB PIIX3 ISA    8086:7000 rev 00, class 06 01 00, header type 80
//
// Ports: CONFADD at 0xcf8 is a 32-bit register (bit 31 enable, bus 23:16,
// device 15:11, function 10:8, register 7:2) that reads back what was written;
// like the 440FX it decodes only 32-bit accesses there, so byte and word
// accesses to 0xcf8-0xcfb are ordinary PCI I/O that nobody claims (all-ones;
// the PIIX3 reset control register at 0xcf9 is a separate device). CONFDATA at
// 0xcfc-0xcff reaches the addressed register, at byte offset port - 0xcfc, in
// 1, 2 or 4-byte accesses. With CONFADD bit 31 clear, or for any bus other
// than 0 and any absent device or function, reads give all-ones (vendor
// 0xffff, a master abort) and writes vanish.
//
// Config space holds the values a guest reads after power-on; a write changes
// only the bits that are read/write on the chips (command bits, interrupt
// line, the PIIX3's PIRQ route registers). Neither bridge has a BAR. Nothing
// here maps memory or routes interrupts: orcvm has no PCI devices behind the
// bridge, so the PAM/SMRAM registers are not modelled (they read 0).
#include <array>
#include <cstdint>
#include <vector>

#include "runtime/softmmu/bus.h"

namespace orcvm {

class PciHost : public PortDevice {
 public:
  static constexpr uint16_t kConfigAddressPort = 0xcf8;
  static constexpr uint16_t kConfigDataPort = 0xcfc;

  PciHost();

  // Ports 0xcf8, 0xcfa-0xcfb and 0xcfc-0xcff (0xcf9 belongs to ResetControl).
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // Config space of bus 0 by device/function number and register offset, as a
  // read through CONFDATA would see it (for tests and the platform).
  uint32_t read_config(unsigned device, unsigned function, unsigned offset, unsigned size) const;
  void write_config(unsigned device, unsigned function, unsigned offset, unsigned size, uint32_t value);

 private:
  struct Function {
    uint8_t devfn;                        // device << 3 | function
    std::array<uint8_t, 256> config{};    // what reads return
    std::array<uint8_t, 256> writable{};  // per bit: 1 = read/write
  };

  const Function* find(unsigned devfn) const;  // on bus 0; null when absent
  Function* find(unsigned devfn);
  Function* selected();  // what CONFADD addresses; null when disabled, on another bus or absent
  // A register access; an absent function reads all-ones and ignores writes.
  static uint32_t read(const Function* f, unsigned offset, unsigned size);
  static void write(Function* f, unsigned offset, unsigned size, uint32_t value);

  std::vector<Function> functions_;
  uint32_t config_address_ = 0;
};

}  // namespace orcvm
