#pragma once
// One differential test case: code bytes and an initial machine state, and the
// outcome an oracle reports. The same types serve the host-CPU oracle, the orcvm
// oracle and (later) KVM.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orcvm::difftest {

// Fixed guest layout, valid both in an orcvm guest (identity-mapped) and in the host
// oracle's child process (mapped MAP_FIXED at the same addresses).
constexpr uint64_t kCodeAddress = 0x10000;   // code page(s); the case's bytes start here, followed by UD2
constexpr uint64_t kDataAddress = 0x20000;   // data window, zero unless the case fills it
constexpr uint64_t kDataSize = 0x10000;  // the stack lies at its top
constexpr uint64_t kStackTop = 0x30000;      // RSP points here unless the case sets it

struct MemoryChunk {
  uint64_t address;
  std::vector<uint8_t> bytes;
};

constexpr uint32_t kDefaultMxcsr = 0x1f80;  // power-on: round to nearest, every exception masked

struct MachineState {
  uint64_t gpr[16] = {};  // RAX RCX RDX RBX RSP RBP RSI RDI R8..R15
  uint64_t rip = kCodeAddress;
  uint64_t rflags = 0x202;
  uint64_t xmm[16][2] = {};  // XMM0-15, the low quadword first
  uint32_t mxcsr = kDefaultMxcsr;
  std::vector<MemoryChunk> memory;  // initial contents (input) or bytes read back (output)
};

struct ExceptionRecord {
  uint8_t vector;
  uint32_t error_code;  // 0 when the vector has none
  bool operator==(const ExceptionRecord&) const = default;
};

struct TestCase {
  std::string name;
  std::vector<uint8_t> code;  // executed from kCodeAddress; execution stops at its end
  MachineState input;
};

struct Outcome {
  MachineState state;  // memory: the whole data window [kDataAddress, +kDataSize)
  std::optional<ExceptionRecord> exception;  // state is then the state at the fault
};

}  // namespace orcvm::difftest
