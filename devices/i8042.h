#pragma once
// The i8042 keyboard controller at 0x60 (data) and 0x64 (status/command), with
// an idle PS/2 keyboard (IRQ1) and mouse (IRQ12) behind it that answer the
// commands drivers send (ACK, reset with BAT 0xAA, identify) but never produce
// input. Controller commands: read/write command byte (0x20/0x60), port
// enable/disable (0xA7/0xA8/0xAD/0xAE), self-test 0xAA -> 0x55, interface tests
// 0xA9/0xAB -> 0x00, input/output port (0xC0/0xD0/0xD1), write output buffers
// (0xD2/0xD3), write to mouse (0xD4), A20 (0xDD/0xDF) and output-line pulses
// (0xF0-0xFF: a pulse of bit 0, e.g. 0xFE, resets the system). The output
// port's A20 bit drives the a20 callback; a pulse of the reset line and a
// cleared reset bit call the reset callback, each with its own description.
#include <cstdint>
#include <deque>
#include <functional>

#include "devices/interrupts.h"
#include "runtime/softmmu/bus.h"

namespace orcvm {

class I8042 : public PortDevice {
 public:
  using Reset = std::function<void(const char* source)>;
  I8042(IrqLine* irq1, IrqLine* irq12, Reset reset, std::function<void(bool)> a20);

  // Ports 0x60 and 0x64.
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  // As a BIOS leaves it: self-test passed (system flag set), command byte 0x61
  // (keyboard interrupt, system flag, scancode translation; mouse port idle).
  void firmware_init();

  uint8_t status() const;
  uint8_t command_byte() const { return ctr_; }
  uint8_t output_port() const { return outport_; }
  bool a20() const { return outport_ & 0x02; }

 private:
  enum class Pending : uint8_t { None, WriteCtr, WriteOutput, WriteKbdBuffer, WriteAuxBuffer, WriteAux };

  void queue(uint8_t byte, bool aux);
  void command(uint8_t cmd);
  void data(uint8_t byte);
  void keyboard_command(uint8_t byte);
  void mouse_command(uint8_t byte);
  void set_output_port(uint8_t value);
  void update_irq();

  IrqLine* irq1_;
  IrqLine* irq12_;
  Reset reset_;
  std::function<void(bool)> a20_;

  struct Byte {
    uint8_t value;
    bool aux;
  };
  std::deque<Byte> out_;
  uint8_t last_read_ = 0;
  uint8_t ctr_ = 0x03;        // command byte: keyboard and mouse interrupts enabled
  uint8_t status_ = 0x18;     // command/data flag, keyboard not inhibited
  uint8_t outport_ = 0xcf;    // reset deasserted, A20 on, unused lines high
  Pending pending_ = Pending::None;
  uint8_t kbd_pending_ = 0;   // keyboard command waiting for its argument
  uint8_t mouse_pending_ = 0; // mouse command waiting for its argument
  bool irq1_level_ = false, irq12_level_ = false;
};

}  // namespace orcvm
