#pragma once
// Helpers shared by the device tests: interrupt lines that record what they
// see, a recording APIC bus and a fake 8259.
#include <cstdint>
#include <vector>

#include "devices/interrupts.h"

namespace orcvm::test {

// Records the level and counts rising edges.
class RecordingIrq : public IrqLine {
 public:
  void set_level(bool asserted) override {
    if (asserted && !level) ++rising_edges;
    level = asserted;
    ++calls;
  }
  bool level = false;
  int rising_edges = 0;
  int calls = 0;
};

class RecordingBus : public IpiSink {
 public:
  void deliver(const ApicMessage& m) override { messages.push_back(m); }
  void broadcast_eoi(uint8_t vector) override { eois.push_back(vector); }
  std::vector<ApicMessage> messages;
  std::vector<uint8_t> eois;
};

class FakePic : public ExtIntSource {
 public:
  uint8_t interrupt_acknowledge() override {
    ++acks;
    return vector;
  }
  uint8_t vector = 0x20;
  int acks = 0;
};

}  // namespace orcvm::test
