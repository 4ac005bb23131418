#include "devices/i8042.h"

namespace orcvm {

namespace {
constexpr uint8_t kStatOutputFull = 0x01, kStatSystem = 0x04, kStatCommand = 0x08, kStatAuxData = 0x20;
constexpr uint8_t kCtrKbdInt = 0x01, kCtrAuxInt = 0x02, kCtrSystem = 0x04, kCtrKbdDisable = 0x10,
                  kCtrAuxDisable = 0x20;
constexpr uint8_t kOutReset = 0x01, kOutA20 = 0x02, kOutKbdFull = 0x10, kOutAuxFull = 0x20;
constexpr uint8_t kAck = 0xfa;
constexpr size_t kQueueLimit = 16;
}  // namespace

I8042::I8042(IrqLine* irq1, IrqLine* irq12, Reset reset, std::function<void(bool)> a20)
    : irq1_(irq1), irq12_(irq12), reset_(std::move(reset)), a20_(std::move(a20)) {}

void I8042::firmware_init() {
  status_ |= kStatSystem;
  ctr_ = 0x61;
  out_.clear();
  update_irq();
}

uint8_t I8042::status() const {
  uint8_t s = status_ & ~(kStatOutputFull | kStatAuxData);
  if (!out_.empty()) {
    s |= kStatOutputFull;
    if (out_.front().aux) s |= kStatAuxData;
  }
  return s;
}

void I8042::queue(uint8_t byte, bool aux) {
  if (out_.size() < kQueueLimit) out_.push_back({byte, aux});
  update_irq();
}

void I8042::update_irq() {
  bool kbd = false, aux = false;
  if (!out_.empty()) {
    if (out_.front().aux) aux = ctr_ & kCtrAuxInt; else kbd = ctr_ & kCtrKbdInt;
  }
  if (kbd != irq1_level_) {
    irq1_level_ = kbd;
    if (irq1_) irq1_->set_level(kbd);
  }
  if (aux != irq12_level_) {
    irq12_level_ = aux;
    if (irq12_) irq12_->set_level(aux);
  }
}

void I8042::set_output_port(uint8_t value) {
  outport_ = value;
  if (a20_) a20_(value & kOutA20);  // every write drives the gate (shared with port 0x92)
  if (!(value & kOutReset)) {
    outport_ |= kOutReset;  // the reset line is a pulse as far as we are concerned
    if (reset_) reset_("i8042 output port (reset bit cleared)");
  }
}

void I8042::command(uint8_t cmd) {
  if (cmd >= 0x20 && cmd <= 0x3f) {  // read controller RAM; byte 0 is the command byte
    queue(cmd == 0x20 ? ctr_ : 0, false);
    return;
  }
  if (cmd >= 0x60 && cmd <= 0x7f) {
    if (cmd == 0x60) pending_ = Pending::WriteCtr;
    return;
  }
  if (cmd >= 0xf0) {  // pulse output lines whose bit is 0 (bit 0: system reset)
    if (!(cmd & 0x01) && reset_) reset_("i8042 reset (port 0x64 <- 0xfe)");
    return;
  }
  switch (cmd) {
    case 0xa7: ctr_ |= kCtrAuxDisable; break;
    case 0xa8: ctr_ &= ~kCtrAuxDisable; break;
    case 0xa9: queue(0x00, false); break;  // mouse interface test: no error
    case 0xaa:                             // controller self-test
      status_ |= kStatSystem;
      queue(0x55, false);
      break;
    case 0xab: queue(0x00, false); break;  // keyboard interface test: no error
    case 0xad: ctr_ |= kCtrKbdDisable; break;
    case 0xae: ctr_ &= ~kCtrKbdDisable; break;
    case 0xc0: queue(0x80, false); break;  // input port: keyboard not inhibited
    case 0xd0: {
      uint8_t value = outport_ & ~(kOutKbdFull | kOutAuxFull);
      if (!out_.empty()) value |= out_.front().aux ? kOutAuxFull : kOutKbdFull;
      queue(value, false);
      break;
    }
    case 0xd1: pending_ = Pending::WriteOutput; break;
    case 0xd2: pending_ = Pending::WriteKbdBuffer; break;
    case 0xd3: pending_ = Pending::WriteAuxBuffer; break;
    case 0xd4: pending_ = Pending::WriteAux; break;
    case 0xdd: set_output_port(outport_ & ~kOutA20); break;
    case 0xdf: set_output_port(outport_ | kOutA20); break;
    case 0xe0: queue(0x00, false); break;  // test inputs
    default: break;
  }
  update_irq();
}

void I8042::keyboard_command(uint8_t byte) {
  if (kbd_pending_) {
    const uint8_t cmd = kbd_pending_;
    kbd_pending_ = 0;
    queue(kAck, false);
    if (cmd == 0xf0 && byte == 0) queue(0x02, false);  // get scancode set: set 2
    return;
  }
  switch (byte) {
    case 0xff:  // reset: ACK, then basic assurance test passed
      queue(kAck, false);
      queue(0xaa, false);
      break;
    case 0xf2:  // identify: MF2 keyboard (translated ID when translation is on)
      queue(kAck, false);
      queue(0xab, false);
      queue((ctr_ & 0x40) ? 0x41 : 0x83, false);
      break;
    case 0xee: queue(0xee, false); break;  // echo
    case 0xed:                             // set LEDs, set scancode set, typematic: one argument
    case 0xf0:
    case 0xf3:
      kbd_pending_ = byte;
      queue(kAck, false);
      break;
    default: queue(kAck, false); break;
  }
}

void I8042::mouse_command(uint8_t byte) {
  if (mouse_pending_) {
    mouse_pending_ = 0;
    queue(kAck, true);
    return;
  }
  switch (byte) {
    case 0xff:  // reset: ACK, BAT passed, device ID 0
      queue(kAck, true);
      queue(0xaa, true);
      queue(0x00, true);
      break;
    case 0xf2:  // identify: standard PS/2 mouse
      queue(kAck, true);
      queue(0x00, true);
      break;
    case 0xe9:  // status request: stream mode, 4 counts/mm, 100 samples/s
      queue(kAck, true);
      queue(0x00, true);
      queue(0x02, true);
      queue(0x64, true);
      break;
    case 0xe8:  // set resolution, set sample rate: one argument
    case 0xf3:
      mouse_pending_ = byte;
      queue(kAck, true);
      break;
    default: queue(kAck, true); break;
  }
}

void I8042::data(uint8_t byte) {
  const Pending pending = pending_;
  pending_ = Pending::None;
  switch (pending) {
    case Pending::WriteCtr:
      ctr_ = byte;
      if (byte & kCtrSystem) status_ |= kStatSystem; else status_ &= ~kStatSystem;
      update_irq();
      break;
    case Pending::WriteOutput: set_output_port(byte); break;
    case Pending::WriteKbdBuffer: queue(byte, false); break;
    case Pending::WriteAuxBuffer: queue(byte, true); break;
    case Pending::WriteAux: mouse_command(byte); break;
    case Pending::None:
      // A byte for the keyboard; writing to it also enables its port.
      ctr_ &= ~kCtrKbdDisable;
      keyboard_command(byte);
      break;
  }
}

uint32_t I8042::port_read(uint16_t port, unsigned size) {
  uint32_t value;
  if (port == 0x64) {
    value = status();
  } else {
    if (!out_.empty()) {
      last_read_ = out_.front().value;
      out_.pop_front();
      update_irq();
    }
    value = last_read_;  // an empty buffer reads the last byte again
  }
  if (size == 2) value |= 0xff00;
  if (size == 4) value |= 0xffffff00;
  return value;
}

void I8042::port_write(uint16_t port, unsigned, uint32_t value) {
  const uint8_t byte = value & 0xff;
  if (port == 0x64) {
    status_ |= kStatCommand;
    command(byte);
  } else {
    status_ &= ~kStatCommand;
    data(byte);
  }
}

}  // namespace orcvm
