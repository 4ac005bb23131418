#include "difftest/orcvm_runner.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <stdexcept>

#include "difftest/kvm_setup.h"
#include "runtime/vcpu/machine.h"

namespace orcvm::difftest {
namespace {

constexpr uint8_t kUd2[] = {0x0f, 0x0b};
constexpr uint64_t kPage = 4096;

// The environment a Linux x86-64 process runs in, as the host oracle's child sees it
// and as the KVM oracle builds it (difftest/kvm_setup.h, whose system area this reuses:
// page tables with a supervisor-only top half, Linux's GDT selectors, a TSS): CPL 3,
// CS 0x33, SS 0x2b, DS ES FS GS null, IOPL 0, IF, CR0.AM, EFER.NXE.
void enter_user_mode(CpuState& cpu, const MachineState& input) {
  reset_to_user_mode(cpu, input);
  cpu.cr3 = kvm::kPml4Phys;
  cpu.cr4 = cr4::PAE | cr4::OSFXSR | cr4::OSXMMEXCPT;
  cpu.efer = efer::SCE | efer::LME | efer::LMA | efer::NXE;
  constexpr uint16_t user_code = 0xa0fb, user_data = 0xc0f3, busy_tss = 0x8b;
  for (SegmentReg& s : cpu.seg) s = SegmentReg{0, 0, 0, 0};
  cpu.seg[static_cast<int>(Seg::CS)] = SegmentReg{0, 0xffffffff, kvm::kUserCs, user_code};
  cpu.seg[static_cast<int>(Seg::SS)] = SegmentReg{0, 0xffffffff, kvm::kUserDs, user_data};
  cpu.gdtr = DescriptorTable{kvm::system_va(kvm::kGdtPhys), kvm::kGdtLimit};
  cpu.idtr = DescriptorTable{kvm::system_va(kvm::kIdtPhys), kvm::kVectors * 16 - 1};
  cpu.tr = SegmentReg{kvm::system_va(kvm::kTssPhys), 0x67, kvm::kTss, busy_tss};
  cpu.ldtr = SegmentReg{0, 0, 0, 0};
}

}  // namespace

OrcvmRunner::OrcvmRunner(const OrcvmConfig& config, uint64_t instruction_budget)
    : config_(config), budget_(instruction_budget), machine_(std::make_unique<Machine>(case_machine_config(config))) {}

OrcvmRunner::~OrcvmRunner() = default;

OracleResult OrcvmRunner::run(const TestCase& test) {
  if (test.code.size() + sizeof kUd2 > kDataAddress - kCodeAddress)
    throw std::invalid_argument("the code does not fit below the data window");
  PhysicalMemory& memory = machine_->memory();
  Vcpu& vcpu = machine_->vcpu();
  uint8_t* ram = memory.host(0, memory.ram_size());  // one range: these machines stay below the PCI hole

  const uint64_t code_bytes = test.code.size() + sizeof kUd2;
  const uint64_t code_span = (code_bytes + kPage - 1) / kPage * kPage;
  // The code pages this case starts with. The translations of the previous case stay
  // valid if it started with the same pages and left them as they were (a store into
  // the code invalidates orcvm's blocks, but the bytes are then changed, not restored).
  std::vector<uint8_t> image(code_span, 0);
  std::copy(test.code.begin(), test.code.end(), image.begin());
  std::copy(std::begin(kUd2), std::end(kUd2), image.begin() + static_cast<std::ptrdiff_t>(test.code.size()));
  const bool same = image == last_image_ && std::memcmp(ram + kCodeAddress, image.data(), code_span) == 0;

  kvm::write_case(ram, test);  // code, UD2, window, page tables, GDT, IDT, TSS, stubs
  if (same) {
    ++kept_;
    vcpu.flush_translation_caches();
  } else {
    ++discarded_;
    vcpu.discard_translations();
  }
  last_image_ = std::move(image);
  enter_user_mode(vcpu.cpu(), test.input);
  ExecContext& ctx = vcpu.context();
  ctx.budget = static_cast<int64_t>(budget_);
  ctx.last_exit_slot = nullptr;
  ctx.stop_after_insn = 0;

  RunResult result = vcpu.run();
  CpuState& cpu = vcpu.cpu();
  OracleResult r;
  switch (result.kind) {
    case RunResult::Kind::Halted: {
      kvm_regs regs{};
      const uint64_t* g = cpu.gpr;
      regs.rax = g[0], regs.rcx = g[1], regs.rdx = g[2], regs.rbx = g[3], regs.rsp = g[4], regs.rbp = g[5];
      regs.rsi = g[6], regs.rdi = g[7], regs.r8 = g[8], regs.r9 = g[9], regs.r10 = g[10], regs.r11 = g[11];
      regs.r12 = g[12], regs.r13 = g[13], regs.r14 = g[14], regs.r15 = g[15];
      regs.rip = cpu.rip;
      regs.rflags = cpu.get_rflags();
      r = kvm::decode_exit(KVM_EXIT_HLT, regs, ram, test);
      read_sse_state(cpu, r.outcome.state);
      break;
    }
    case RunResult::Kind::Budget:
      r.status = OracleResult::Status::Timeout;
      r.message = "orcvm: case '" + test.name + "' ran out of its instruction budget";
      break;
    default:
      r.status = OracleResult::Status::Error;
      r.message = "orcvm: case '" + test.name + "': " + result.message;
      break;
  }
  cpu.exception = PendingException{};
  cpu.halted = 0;
  return r;
}

}  // namespace orcvm::difftest
