#include "difftest/host_exec.h"
#include "ir/semantics/exception_vectors.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>

namespace orcvm::difftest {
namespace {

// The register image the entry trampoline loads; offsets are fixed in its assembly.
struct EntryState {
  uint64_t gpr[16];     // MachineState::gpr order
  uint64_t rflags;      // at offset 128
  uint64_t mxcsr;       // 136
  uint64_t xmm[16][2];  // 144
};
static_assert(offsetof(EntryState, rflags) == 128 && offsetof(EntryState, mxcsr) == 136 &&
              offsetof(EntryState, xmm) == 144);

constexpr uint64_t kTrapFlag = 1ull << 8;
constexpr uint64_t kResumeFlag = 1ull << 16;
constexpr int kCaughtSignals[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
constexpr int kGregOfGpr[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

// Set in the child only, before it enters a case.
CaseExitHandler case_exit_handler = nullptr;

}  // namespace

// Entered through orcvm_host_signal_stub, on the alternate stack, with AC clear.
extern "C" __attribute__((visibility("hidden"))) void orcvm_host_on_case_exit(int signal, siginfo_t*, void* context) {
  const greg_t* g = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
  HostExit case_exit;
  for (int i = 0; i < 16; ++i) case_exit.gpr[i] = static_cast<uint64_t>(g[kGregOfGpr[i]]);
  case_exit.rip = static_cast<uint64_t>(g[REG_RIP]);
  case_exit.rflags = static_cast<uint64_t>(g[REG_EFL]);
  // The signal frame holds the SSE state as the case left it (the handler runs
  // with a fresh one).
  const _libc_fpstate* fp = static_cast<ucontext_t*>(context)->uc_mcontext.fpregs;
  std::memcpy(case_exit.xmm, fp->_xmm, sizeof case_exit.xmm);
  case_exit.mxcsr = fp->mxcsr;
  case_exit.signal = static_cast<uint64_t>(signal);
  case_exit.trapno = static_cast<uint64_t>(g[REG_TRAPNO]);
  case_exit.error_code = static_cast<uint64_t>(g[REG_ERR]);
  case_exit_handler(case_exit);
}

extern "C" {
[[noreturn]] void orcvm_host_enter(const EntryState* state);
void orcvm_host_signal_stub(int, siginfo_t*, void*);
}

// The trampoline loads MXCSR and the XMM registers, then RFLAGS while RSP is still
// the child's own stack (so nothing is pushed on the case's stack), then every GPR,
// RSP and RDI last, and jumps through a RIP-relative constant so that no register is
// needed for the target.
// The signal stub clears AC before any compiled code runs: the kernel keeps the case's
// AC in the handler, and an unaligned access there would raise #AC inside the handler.
asm(R"(
    .intel_syntax noprefix
    .text
    .p2align 4
    .globl orcvm_host_enter
    .hidden orcvm_host_enter
orcvm_host_enter:
    ldmxcsr [rdi + 136]
    movdqu xmm0, [rdi + 144]
    movdqu xmm1, [rdi + 160]
    movdqu xmm2, [rdi + 176]
    movdqu xmm3, [rdi + 192]
    movdqu xmm4, [rdi + 208]
    movdqu xmm5, [rdi + 224]
    movdqu xmm6, [rdi + 240]
    movdqu xmm7, [rdi + 256]
    movdqu xmm8, [rdi + 272]
    movdqu xmm9, [rdi + 288]
    movdqu xmm10, [rdi + 304]
    movdqu xmm11, [rdi + 320]
    movdqu xmm12, [rdi + 336]
    movdqu xmm13, [rdi + 352]
    movdqu xmm14, [rdi + 368]
    movdqu xmm15, [rdi + 384]
    push qword ptr [rdi + 128]
    popfq
    mov rax, [rdi + 0]
    mov rcx, [rdi + 8]
    mov rdx, [rdi + 16]
    mov rbx, [rdi + 24]
    mov rbp, [rdi + 40]
    mov rsi, [rdi + 48]
    mov r8, [rdi + 64]
    mov r9, [rdi + 72]
    mov r10, [rdi + 80]
    mov r11, [rdi + 88]
    mov r12, [rdi + 96]
    mov r13, [rdi + 104]
    mov r14, [rdi + 112]
    mov r15, [rdi + 120]
    mov rsp, [rdi + 32]
    mov rdi, [rdi + 56]
    jmp qword ptr [rip + .Lorcvm_case_entry]
    .p2align 3
.Lorcvm_case_entry:
    .quad 0x10000

    .p2align 4
    .globl orcvm_host_signal_stub
    .hidden orcvm_host_signal_stub
orcvm_host_signal_stub:
    pushfq
    and dword ptr [rsp], 0xfffbffff
    popfq
    jmp orcvm_host_on_case_exit
    .att_syntax prefix
)");
static_assert(kCodeAddress == 0x10000, "the trampoline's .Lorcvm_case_entry hard-codes kCodeAddress");

std::optional<std::string> host_case_problem(const TestCase& test) {
  if (test.input.rip != kCodeAddress) return "the input RIP must be kCodeAddress";
  if (test.code.size() + sizeof kUd2 > kDataAddress - kCodeAddress) return "the code does not fit below the data window";
  for (const MemoryChunk& chunk : test.input.memory)
    if (chunk.address < kDataAddress || chunk.address - kDataAddress > kDataSize ||
        chunk.bytes.size() > kDataAddress + kDataSize - chunk.address)
      return "an input memory chunk lies outside the data window";
  return std::nullopt;
}

uint8_t* map_data_window() {
  void* data = mmap(reinterpret_cast<void*>(kDataAddress), kDataSize, PROT_READ | PROT_WRITE,
                    MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data != reinterpret_cast<void*>(kDataAddress)) _exit(kDataMapFailed);
  return static_cast<uint8_t*>(data);
}

void catch_case_exits(CaseExitHandler on_case_exit) {
  constexpr size_t kAltStackSize = 256 * 1024;  // generous: the kernel's frame holds the AVX-512 state
  void* alt_stack = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = kAltStackSize;
  if (alt_stack == MAP_FAILED || sigaltstack(&ss, nullptr) != 0) _exit(kAltStackFailed);

  case_exit_handler = on_case_exit;
  struct sigaction action {};
  action.sa_sigaction = orcvm_host_signal_stub;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&action.sa_mask);
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int signal : kCaughtSignals) {
    if (sigaction(signal, &action, nullptr) != 0) _exit(kSigactionFailed);
    sigaddset(&unblock, signal);
  }
  sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
}

CaseRegisters case_registers(const MachineState& input) {
  CaseRegisters r;
  std::memcpy(r.gpr, input.gpr, sizeof r.gpr);
  r.rflags = input.rflags;
  std::memcpy(r.xmm, input.xmm, sizeof r.xmm);
  r.mxcsr = input.mxcsr;
  return r;
}

void enter_case(const CaseRegisters& registers) {
  EntryState entry;
  std::memcpy(entry.gpr, registers.gpr, sizeof entry.gpr);
  entry.rflags = registers.rflags & ~kTrapFlag;
  entry.mxcsr = registers.mxcsr;
  std::memcpy(entry.xmm, registers.xmm, sizeof entry.xmm);
  orcvm_host_enter(&entry);
}

Outcome outcome_of(const HostExit& case_exit, const uint8_t* window, const TestCase& test) {
  Outcome outcome;
  std::memcpy(outcome.state.gpr, case_exit.gpr, sizeof case_exit.gpr);
  outcome.state.rip = case_exit.rip;
  // The CPU sets RF in the frame it pushes for a fault: an artefact of catching the
  // exit, not guest-visible state.
  outcome.state.rflags = case_exit.rflags & ~kResumeFlag;
  std::memcpy(outcome.state.xmm, case_exit.xmm, sizeof case_exit.xmm);
  outcome.state.mxcsr = static_cast<uint32_t>(case_exit.mxcsr);
  outcome.state.memory.push_back({kDataAddress, std::vector<uint8_t>(window, window + kDataSize)});
  const bool reached_end = case_exit.signal == SIGILL && case_exit.rip == kCodeAddress + test.code.size();
  if (!reached_end)
    outcome.exception = ExceptionRecord{static_cast<uint8_t>(case_exit.trapno),
                                        vector::pushes_error_code(case_exit.trapno) ? static_cast<uint32_t>(case_exit.error_code) : 0};
  return outcome;
}

std::string describe_child_end(int wait_status) {
  if (WIFSIGNALED(wait_status))
    return "the child was killed by signal " + std::to_string(WTERMSIG(wait_status)) + " (" +
           strsignal(WTERMSIG(wait_status)) + "): the signal handler itself faulted";
  if (!WIFEXITED(wait_status)) return "the child ended with wait status " + std::to_string(wait_status);
  switch (WEXITSTATUS(wait_status)) {
    case kCodeMapFailed: return "the child could not map the code region at 0x10000 (address in use?)";
    case kDataMapFailed: return "the child could not map the data window at 0x20000 (address in use?)";
    case kAltStackFailed: return "the child could not set up the alternate signal stack";
    case kSigactionFailed: return "the child could not install its signal handlers";
    default:
      return "the child exited with status " + std::to_string(WEXITSTATUS(wait_status)) +
             " without reporting (did the case make an exit system call?)";
  }
}

int wait_for_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace orcvm::difftest
