#include "difftest/host_oracle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

namespace orcvm::difftest {
namespace {

// What the child's signal handler sends to the parent, followed by the data window.
struct Report {
  uint64_t gpr[16];
  uint64_t rip;
  uint64_t rflags;
  uint64_t signal;
  uint64_t trapno;
  uint64_t error_code;
};

// The register image the entry trampoline loads; offsets are fixed in its assembly.
struct EntryState {
  uint64_t gpr[16];  // MachineState::gpr order
  uint64_t rflags;   // at offset 128
};
static_assert(offsetof(EntryState, rflags) == 128);

constexpr uint64_t kPageSize = 4096;
constexpr uint8_t kUd2[] = {0x0f, 0x0b};
constexpr uint64_t kTrapFlag = 1ull << 8;
constexpr uint64_t kResumeFlag = 1ull << 16;
constexpr int kCaughtSignals[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};

// Exit statuses of a child that could not set up the guest layout.
enum ChildSetupFailure : int {
  kCodeMapFailed = 101,
  kDataMapFailed,
  kAltStackFailed,
  kSigactionFailed,
};

constexpr int kGregOfGpr[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

// Set in the child only, before it jumps to the case.
int child_report_fd = -1;

bool has_error_code(uint64_t vector) { return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17; }

uint64_t round_up_to_page(uint64_t n) { return (n + kPageSize - 1) & ~(kPageSize - 1); }

bool write_all(int fd, const void* data, size_t size) {
  auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

// Entered through orcvm_host_oracle_signal_stub, on the alternate stack, with AC clear.
extern "C" __attribute__((visibility("hidden"))) void orcvm_host_oracle_on_signal(int signal, siginfo_t*,
                                                                                   void* context) {
  const greg_t* g = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
  Report report{};
  for (int i = 0; i < 16; ++i) report.gpr[i] = static_cast<uint64_t>(g[kGregOfGpr[i]]);
  report.rip = static_cast<uint64_t>(g[REG_RIP]);
  report.rflags = static_cast<uint64_t>(g[REG_EFL]);
  report.signal = static_cast<uint64_t>(signal);
  report.trapno = static_cast<uint64_t>(g[REG_TRAPNO]);
  report.error_code = static_cast<uint64_t>(g[REG_ERR]);
  bool sent = write_all(child_report_fd, &report, sizeof report) &&
              write_all(child_report_fd, reinterpret_cast<const void*>(kDataAddress), kDataSize);
  _exit(sent ? 0 : 1);
}

extern "C" {
[[noreturn]] void orcvm_host_oracle_enter(const EntryState* state);
void orcvm_host_oracle_signal_stub(int, siginfo_t*, void*);
}

// The trampoline loads RFLAGS while RSP is still the child's own stack (so nothing is
// pushed on the case's stack), then every GPR, RSP and RDI last, and jumps through a
// RIP-relative constant so that no register is needed for the target.
// The signal stub clears AC before any compiled code runs: the kernel keeps the case's
// AC in the handler, and an unaligned access there would raise #AC inside the handler.
asm(R"(
    .intel_syntax noprefix
    .text
    .p2align 4
    .globl orcvm_host_oracle_enter
    .hidden orcvm_host_oracle_enter
orcvm_host_oracle_enter:
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
    .globl orcvm_host_oracle_signal_stub
    .hidden orcvm_host_oracle_signal_stub
orcvm_host_oracle_signal_stub:
    pushfq
    and dword ptr [rsp], 0xfffbffff
    popfq
    jmp orcvm_host_oracle_on_signal
    .att_syntax prefix
)");
static_assert(kCodeAddress == 0x10000, "the trampoline's .Lorcvm_case_entry hard-codes kCodeAddress");

namespace {

// Runs in the forked child: only system calls and memcpy, since another thread of the
// parent may have held the malloc lock at fork time.
[[noreturn]] void run_child(const TestCase& test, int report_fd) {
  uint64_t code_size = round_up_to_page(test.code.size() + sizeof kUd2);
  void* code = mmap(reinterpret_cast<void*>(kCodeAddress), code_size, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code != reinterpret_cast<void*>(kCodeAddress)) _exit(kCodeMapFailed);
  void* data = mmap(reinterpret_cast<void*>(kDataAddress), kDataSize, PROT_READ | PROT_WRITE,
                    MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data != reinterpret_cast<void*>(kDataAddress)) _exit(kDataMapFailed);

  std::memcpy(code, test.code.data(), test.code.size());
  std::memcpy(static_cast<uint8_t*>(code) + test.code.size(), kUd2, sizeof kUd2);
  for (const MemoryChunk& chunk : test.input.memory)
    std::memcpy(reinterpret_cast<void*>(chunk.address), chunk.bytes.data(), chunk.bytes.size());

  constexpr size_t kAltStackSize = 256 * 1024;  // generous: the kernel's frame holds the AVX-512 state
  void* alt_stack = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = kAltStackSize;
  if (alt_stack == MAP_FAILED || sigaltstack(&ss, nullptr) != 0) _exit(kAltStackFailed);

  struct sigaction action {};
  action.sa_sigaction = orcvm_host_oracle_signal_stub;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&action.sa_mask);
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int signal : kCaughtSignals) {
    if (sigaction(signal, &action, nullptr) != 0) _exit(kSigactionFailed);
    sigaddset(&unblock, signal);
  }
  sigprocmask(SIG_UNBLOCK, &unblock, nullptr);

  child_report_fd = report_fd;
  EntryState entry;
  std::memcpy(entry.gpr, test.input.gpr, sizeof entry.gpr);
  entry.rflags = test.input.rflags & ~kTrapFlag;
  orcvm_host_oracle_enter(&entry);
}

std::string describe_child_death(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
           "): the signal handler itself faulted";
  if (!WIFEXITED(status)) return "ended with wait status " + std::to_string(status);
  switch (WEXITSTATUS(status)) {
    case kCodeMapFailed: return "could not map the code page at 0x10000 (address in use?)";
    case kDataMapFailed: return "could not map the data window at 0x20000 (address in use?)";
    case kAltStackFailed: return "could not set up the alternate signal stack";
    case kSigactionFailed: return "could not install its signal handlers";
    default:
      return "exited with status " + std::to_string(WEXITSTATUS(status)) +
             " without reporting (did the case make an exit system call?)";
  }
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

void validate(const TestCase& test) {
  auto fail = [&](const std::string& why) { throw HostOracleError("host oracle: case '" + test.name + "': " + why); };
  if (test.input.rip != kCodeAddress) fail("the input RIP must be kCodeAddress");
  if (round_up_to_page(test.code.size() + sizeof kUd2) > kDataAddress - kCodeAddress)
    fail("the code does not fit below the data window");
  for (const MemoryChunk& chunk : test.input.memory)
    if (chunk.address < kDataAddress || chunk.address - kDataAddress > kDataSize ||
        chunk.bytes.size() > kDataAddress + kDataSize - chunk.address)
      fail("an input memory chunk lies outside the data window");
}

// Reads the child's report until it is complete, the pipe closes, or the deadline passes.
// Returns false on timeout.
bool read_report(int fd, std::vector<uint8_t>& buffer, size_t& received) {
  auto deadline = std::chrono::steady_clock::now() + kHostTimeout;
  while (received < buffer.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline check above decides
    ssize_t n = read(fd, buffer.data() + received, buffer.size() - received);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child died
    received += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Outcome run_on_host(const TestCase& test) {
  validate(test);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw HostOracleError(std::string("host oracle: pipe: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw HostOracleError(std::string("host oracle: fork: ") + strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    run_child(test, fds[1]);
  }
  close(fds[1]);

  std::vector<uint8_t> buffer(sizeof(Report) + kDataSize);
  size_t received = 0;
  bool in_time = read_report(fds[0], buffer, received);
  close(fds[0]);
  if (!in_time) {
    kill(pid, SIGKILL);
    wait_for(pid);
    throw HostOracleTimeout("host oracle: case '" + test.name + "' did not end within " +
                            std::to_string(kHostTimeout.count()) + " ms (infinite loop?); the child was killed");
  }
  int status = wait_for(pid);
  if (received < buffer.size())
    throw HostOracleError("host oracle: case '" + test.name + "': the child " + describe_child_death(status));

  Report report;
  std::memcpy(&report, buffer.data(), sizeof report);
  Outcome outcome;
  std::memcpy(outcome.state.gpr, report.gpr, sizeof report.gpr);
  outcome.state.rip = report.rip;
  outcome.state.rflags = report.rflags & ~kResumeFlag;
  outcome.state.memory.push_back({kDataAddress, std::vector<uint8_t>(buffer.begin() + sizeof report, buffer.end())});
  bool reached_end = report.signal == SIGILL && report.rip == kCodeAddress + test.code.size();
  if (!reached_end)
    outcome.exception = ExceptionRecord{static_cast<uint8_t>(report.trapno),
                                        has_error_code(report.trapno) ? static_cast<uint32_t>(report.error_code) : 0};
  return outcome;
}

}  // namespace orcvm::difftest
