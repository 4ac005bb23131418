#include "difftest/orcvm_oracle.h"
#include "ir/semantics/exception_vectors.h"

#include <cstring>
#include <map>
#include <memory>
#include <tuple>

#include "runtime/vcpu/machine.h"

namespace orcvm::difftest {

namespace {

constexpr uint64_t kRamSize = 4ull << 20;
constexpr uint64_t kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kPt = 0x4000;
constexpr uint64_t kPresent = 1, kWritable = 2, kUser = 4, kNoExecute = 1ull << 63;
constexpr uint8_t kUd2[] = {0x0f, 0x0b};

void put64(uint8_t* ram, uint64_t paddr, uint64_t value) { std::memcpy(ram + paddr, &value, 8); }

// User pages identity-mapped: the code pages (RWX, as the host oracle maps them) and
// the data window (RW, no execute). Everything else is absent.
void build_page_tables(PhysicalMemory& memory, uint64_t code_bytes) {
  uint8_t* ram = memory.host(0, memory.ram_size());  // one range: these machines stay below the PCI hole
  std::memset(ram + kPml4, 0, 0x4000);
  const uint64_t table = kPresent | kWritable | kUser;
  put64(ram, kPml4, kPdpt | table);
  put64(ram, kPdpt, kPd | table);
  put64(ram, kPd, kPt | table);
  const uint64_t code_pages = (code_bytes + kPageSize - 1) / kPageSize;
  for (uint64_t p = 0; p < code_pages; ++p) {
    uint64_t page = kCodeAddress + p * kPageSize;
    put64(ram, kPt + (page >> 12) * 8, page | table);
  }
  for (uint64_t page = kDataAddress; page < kDataAddress + kDataSize; page += kPageSize)
    put64(ram, kPt + (page >> 12) * 8, page | table | kNoExecute);
}

void enter_user_mode(CpuState& cpu, const MachineState& input) {
  reset_to_user_mode(cpu, input);
  cpu.cr3 = kPml4;
  cpu.cr4 = cr4::PAE | cr4::OSFXSR | cr4::OSXMMEXCPT;
  cpu.efer = efer::LME | efer::LMA | efer::NXE;
  constexpr uint16_t user_code = 0xa0fb, user_data = 0xc0f3;
  for (SegmentReg& s : cpu.seg) s = SegmentReg{0, 0xffffffff, 0x2b, user_data};
  cpu.seg[static_cast<int>(Seg::CS)] = SegmentReg{0, 0xffffffff, 0x33, user_code};
}

// One machine per configuration, reused across cases: creating the JIT is the
// expensive part.
Machine& machine_for(const OrcvmConfig& config) {
  static std::map<std::tuple<int, bool, bool, uint64_t*>, std::unique_ptr<Machine>> machines;
  auto key = std::make_tuple(static_cast<int>(config.tier), config.one_insn_per_block, config.nochain,
                             config.executed_mnemonics);
  auto& slot = machines[key];
  if (!slot) {
    MachineConfig mc = case_machine_config(config);
    // No IDT here: the case's exception ends the run and is read from the CPU state.
    mc.vcpu.stop_on_exception = true;
    slot = std::make_unique<Machine>(mc);
  }
  return *slot;
}

}  // namespace

MachineConfig case_machine_config(const OrcvmConfig& config) {
  MachineConfig mc;
  mc.ram_size = kRamSize;
  mc.serial = nullptr;
  mc.vcpu.tier = config.tier == Tier::Interpreter ? orcvm::Tier::Interpreter : orcvm::Tier::Jit;
  mc.vcpu.one_insn_per_block = config.one_insn_per_block;
  mc.vcpu.chaining = !config.nochain;
  mc.vcpu.count_instructions = true;
  mc.vcpu.executed_mnemonics = config.executed_mnemonics;
  return mc;
}

void reset_to_user_mode(CpuState& cpu, const MachineState& input) {
  cpu = CpuState{};
  std::memcpy(cpu.gpr, input.gpr, sizeof cpu.gpr);
  cpu.rip = input.rip;
  cpu.set_rflags((input.rflags & ~(rflags::IOPL | rflags::TF)) | rflags::IF);
  cpu.cpl = 3;
  cpu.cr0 = cr0::PE | cr0::MP | cr0::ET | cr0::NE | cr0::WP | cr0::AM | cr0::PG;
  for (int i = 0; i < 16; ++i) std::memcpy(cpu.vec[i], input.xmm[i], sizeof input.xmm[i]);
  cpu.fpu.mxcsr = input.mxcsr;
}

void read_sse_state(const CpuState& cpu, MachineState& out) {
  for (int i = 0; i < 16; ++i) std::memcpy(out.xmm[i], cpu.vec[i], sizeof out.xmm[i]);
  out.mxcsr = cpu.fpu.mxcsr;
}

Outcome run_in_orcvm(const TestCase& test, const OrcvmConfig& config) {
  Machine& machine = machine_for(config);
  PhysicalMemory& memory = machine.memory();
  Vcpu& vcpu = machine.vcpu();
  uint8_t* ram = memory.host(0, memory.ram_size());  // one range: these machines stay below the PCI hole

  const uint64_t code_bytes = test.code.size() + sizeof kUd2;
  std::memset(ram + kCodeAddress, 0, kDataAddress - kCodeAddress);
  std::memset(ram + kDataAddress, 0, kDataSize);
  std::memcpy(ram + kCodeAddress, test.code.data(), test.code.size());
  std::memcpy(ram + kCodeAddress + test.code.size(), kUd2, sizeof kUd2);
  for (const MemoryChunk& chunk : test.input.memory)
    if (memory.is_ram(chunk.address, chunk.bytes.size()))
      std::memcpy(ram + chunk.address, chunk.bytes.data(), chunk.bytes.size());
  build_page_tables(memory, code_bytes);
  vcpu.discard_translations();
  enter_user_mode(vcpu.cpu(), test.input);
  vcpu.context().budget = 1'000'000;

  RunResult result = vcpu.run();
  Outcome out;
  const CpuState& cpu = vcpu.cpu();
  std::memcpy(out.state.gpr, cpu.gpr, sizeof cpu.gpr);
  out.state.rip = cpu.rip;
  out.state.rflags = cpu.get_rflags();
  read_sse_state(cpu, out.state);
  out.state.memory.push_back(MemoryChunk{kDataAddress, std::vector<uint8_t>(ram + kDataAddress, ram + kDataAddress + kDataSize)});
  if (result.kind == RunResult::Kind::Fault) {
    const PendingException& ex = cpu.exception;
    const bool reached_end = ex.vector == vector::UD && ex.rip == kCodeAddress + test.code.size();
    if (!reached_end) out.exception = ExceptionRecord{ex.vector, ex.has_error_code ? ex.error_code : 0};
    out.state.rip = ex.rip;
  } else {
    // A budget overrun (endless loop) reports as the host oracle's timeout does.
    out.exception = ExceptionRecord{0xff, 0};
  }
  vcpu.cpu().exception = PendingException{};
  return out;
}

}  // namespace orcvm::difftest
