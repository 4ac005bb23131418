#pragma once
// Test-case generators (DESIGN.md, "Differential testing"):
//  (a) single: one instruction of one operand form orcvm implements, built with the
//      Zydis encoder, with edge-case and random operand values;
//  (b) bytes: one instruction from random bytes, kept if the decoder accepts it and
//      orcvm implements its mnemonic;
//  (c) sequence: 2..20 instructions from (a)'s forms, with forward branches, memory
//      operands in the data window, and the set-up some of them need.
// Each call makes a family: one code with several input states (`variants`), so the
// orcvm oracle compiles the code once for all of them. Everything is deterministic in
// (seed, index).
//
// What the generators never make, because the host oracle cannot run it safely or
// the oracles' environments differ by construction (see docs/difftest.md):
// SYSCALL/SYSENTER/INT 0x80/INT 4 (they act on the host process), FS/GS overrides (the
// host's FS base is the child's TLS), segment-register operands (orcvm raises #UD for
// them until the system issue; the host's selectors are Linux's), far transfers to
// anything but the 64-bit user code selector 0x33 or an invalid one, and TF set by POPF.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "difftest/code.h"
#include "difftest/testcase.h"

namespace orcvm::difftest {

enum class CaseKind : uint8_t { Single, Bytes, Sequence };
std::string_view case_kind_name(CaseKind k);

struct GeneratedCase {
  TestCase test;
  CaseKind kind = CaseKind::Single;
  std::vector<CaseInsn> insns;  // test.code = layout(insns)
  std::string form;             // the operand form under test (single, bytes), else ""
  uint64_t family = 0;          // cases of one family share their code
};

struct GeneratorOptions {
  std::vector<std::string> mnemonics;  // only these (case-insensitive); empty: all implemented
  unsigned variants = 8;               // input states per family
};

struct OperandForm {
  std::string key;       // "shl r32, cl"
  std::string mnemonic;  // orcvm's name: "SHL"
};

class Generator {
 public:
  explicit Generator(GeneratorOptions options = {});
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  std::vector<GeneratedCase> single(uint64_t seed, uint64_t index);
  std::vector<GeneratedCase> bytes(uint64_t seed, uint64_t index);
  std::vector<GeneratedCase> sequence(uint64_t seed, uint64_t index);

  // Every operand form of every mnemonic orcvm implements that the encoder can build
  // (the coverage denominator), and those the mnemonic filter selects.
  static const std::vector<OperandForm>& all_forms();
  const std::vector<OperandForm>& selected_forms() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The data-window bytes as chunks: runs of non-zero bytes (zero is the default).
std::vector<MemoryChunk> window_chunks(const std::vector<uint8_t>& window);

// The reverse: the data window as a state's chunks fill it (bytes outside it are
// dropped, the rest of it is zero).
std::vector<uint8_t> window_bytes(const MachineState& state);

}  // namespace orcvm::difftest
