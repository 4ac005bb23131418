#include "difftest/host_batch.h"

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "difftest/host_oracle.h"

namespace orcvm::difftest {
namespace {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kCodeRegion = kDataAddress - kCodeAddress;  // the code pages a case may use
constexpr uint8_t kUd2[] = {0x0f, 0x0b};
constexpr uint64_t kTrapFlag = 1ull << 8;
constexpr uint64_t kResumeFlag = 1ull << 16;
constexpr int kCaughtSignals[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE, SIGTRAP};
constexpr int kGregOfGpr[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

struct SlotIn {
  uint64_t gpr[16];
  uint64_t rflags;
  uint64_t code_size;
  uint8_t code[kCodeRegion];
  uint8_t window[kDataSize];
};

struct SlotOut {
  uint64_t gpr[16];
  uint64_t rip;
  uint64_t rflags;
  uint64_t signal;
  uint64_t trapno;
  uint64_t error_code;
  uint8_t window[kDataSize];
};

// The register image the entry trampoline loads (offsets fixed in its assembly).
struct EntryState {
  uint64_t gpr[16];
  uint64_t rflags;  // at offset 128
};
static_assert(offsetof(EntryState, rflags) == 128);

enum ChildFailure : int { kCodeMapFailed = 111, kDataMapFailed, kAltStackFailed, kSigactionFailed };

// The child's state, touched by its signal handler.
SlotOut* child_out = nullptr;
sigjmp_buf child_resume;
EntryState child_entry;

bool has_error_code(uint64_t vector) { return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17; }

bool send_all(int fd, const void* data, size_t size) {
  auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool recv_all(int fd, void* data, size_t size) {
  auto* p = static_cast<uint8_t*>(data);
  while (size > 0) {
    ssize_t n = recv(fd, p, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

// On the alternate stack, AC already cleared by the stub: record the exit, go back to
// the child's loop.
extern "C" __attribute__((visibility("hidden"))) void orcvm_host_batch_on_signal(int signal, siginfo_t*, void* context) {
  const greg_t* g = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
  SlotOut* out = child_out;
  for (int i = 0; i < 16; ++i) out->gpr[i] = static_cast<uint64_t>(g[kGregOfGpr[i]]);
  out->rip = static_cast<uint64_t>(g[REG_RIP]);
  out->rflags = static_cast<uint64_t>(g[REG_EFL]);
  out->signal = static_cast<uint64_t>(signal);
  out->trapno = static_cast<uint64_t>(g[REG_TRAPNO]);
  out->error_code = static_cast<uint64_t>(g[REG_ERR]);
  siglongjmp(child_resume, 1);
}

extern "C" {
void orcvm_host_batch_enter(const EntryState* state);
void orcvm_host_batch_signal_stub(int, siginfo_t*, void*);
}

// As in host_oracle.cpp: RFLAGS first (on the child's own stack), then the GPRs, RSP
// and RDI last, and a jump through a RIP-relative constant.
asm(R"(
    .intel_syntax noprefix
    .text
    .p2align 4
    .globl orcvm_host_batch_enter
    .hidden orcvm_host_batch_enter
orcvm_host_batch_enter:
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
    jmp qword ptr [rip + .Lorcvm_batch_case_entry]
    .p2align 3
.Lorcvm_batch_case_entry:
    .quad 0x10000

    .p2align 4
    .globl orcvm_host_batch_signal_stub
    .hidden orcvm_host_batch_signal_stub
orcvm_host_batch_signal_stub:
    pushfq
    and dword ptr [rsp], 0xfffbffff
    popfq
    jmp orcvm_host_batch_on_signal
    .att_syntax prefix
)");
static_assert(kCodeAddress == 0x10000, "the trampoline hard-codes kCodeAddress");

struct HostBatch::Shared {
  SlotIn in[kMaxBatch];
  SlotOut out[kMaxBatch];
};

namespace {

// Enters the case; returns when its exit signal's handler siglongjmps back. A frame of
// its own, so that nothing of the caller lives across the sigsetjmp.
__attribute__((noinline)) void run_case_in_child() {
  if (sigsetjmp(child_resume, 1) == 0) orcvm_host_batch_enter(&child_entry);
}

// The child: only system calls and memcpy (the parent may have other threads, which
// may have held the malloc lock when it forked).
[[noreturn]] void child_main(SlotIn* in_slots, SlotOut* out_slots, int fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  auto* code = static_cast<uint8_t*>(mmap(reinterpret_cast<void*>(kCodeAddress), kCodeRegion, PROT_NONE,
                                          MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (code != reinterpret_cast<uint8_t*>(kCodeAddress)) _exit(kCodeMapFailed);
  auto* data = static_cast<uint8_t*>(mmap(reinterpret_cast<void*>(kDataAddress), kDataSize, PROT_READ | PROT_WRITE,
                                          MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (data != reinterpret_cast<uint8_t*>(kDataAddress)) _exit(kDataMapFailed);

  constexpr size_t kAltStackSize = 256 * 1024;  // the kernel's frame holds the AVX-512 state
  void* alt_stack = mmap(nullptr, kAltStackSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = kAltStackSize;
  if (alt_stack == MAP_FAILED || sigaltstack(&ss, nullptr) != 0) _exit(kAltStackFailed);
  struct sigaction action {};
  action.sa_sigaction = orcvm_host_batch_signal_stub;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigfillset(&action.sa_mask);
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int signal : kCaughtSignals) {
    if (sigaction(signal, &action, nullptr) != 0) _exit(kSigactionFailed);
    sigaddset(&unblock, signal);
  }
  sigprocmask(SIG_UNBLOCK, &unblock, nullptr);

  uint64_t mapped = 0;  // code bytes currently RWX
  for (;;) {
    uint32_t command[2];
    if (!recv_all(fd, command, sizeof command)) _exit(0);
    for (uint32_t i = command[0]; i < command[0] + command[1]; ++i) {
      SlotIn& in = in_slots[i];
      SlotOut& out = out_slots[i];
      const uint64_t span = (in.code_size + sizeof kUd2 + kPageSize - 1) / kPageSize * kPageSize;
      if (span != mapped) {
        mprotect(code, span, PROT_READ | PROT_WRITE | PROT_EXEC);
        if (span < kCodeRegion) mprotect(code + span, kCodeRegion - span, PROT_NONE);
        mapped = span;
      }
      std::memset(code, 0, span);
      std::memcpy(code, in.code, in.code_size);
      std::memcpy(code + in.code_size, kUd2, sizeof kUd2);
      std::memcpy(data, in.window, kDataSize);
      std::memcpy(child_entry.gpr, in.gpr, sizeof child_entry.gpr);
      child_entry.rflags = in.rflags & ~kTrapFlag;
      child_out = &out;
      run_case_in_child();
      std::memcpy(out.window, data, kDataSize);
      const uint8_t done = 1;
      if (!send_all(fd, &done, 1)) _exit(0);
    }
  }
}

std::string describe_death(int status) {
  if (WIFSIGNALED(status))
    return "the host child was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
           ")";
  if (WIFEXITED(status)) {
    switch (WEXITSTATUS(status)) {
      case kCodeMapFailed: return "the host child could not map the code region at 0x10000";
      case kDataMapFailed: return "the host child could not map the data window at 0x20000";
      case kAltStackFailed: return "the host child could not set up its signal stack";
      case kSigactionFailed: return "the host child could not install its signal handlers";
      default: return "the host child exited with status " + std::to_string(WEXITSTATUS(status)) +
                      " (did the case make an exit system call?)";
    }
  }
  return "the host child ended with wait status " + std::to_string(status);
}

std::optional<std::string> validate(const TestCase& test) {
  if (test.input.rip != kCodeAddress) return "the input RIP must be kCodeAddress";
  if (test.code.size() + sizeof kUd2 > kCodeRegion) return "the code does not fit below the data window";
  for (const MemoryChunk& chunk : test.input.memory)
    if (chunk.address < kDataAddress || chunk.address - kDataAddress > kDataSize ||
        chunk.bytes.size() > kDataAddress + kDataSize - chunk.address)
      return "an input memory chunk lies outside the data window";
  return std::nullopt;
}

}  // namespace

HostBatch::HostBatch() {
  shared_size_ = sizeof(Shared);
  void* p = mmap(nullptr, shared_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw HostOracleError(std::string("host oracle: mmap: ") + strerror(errno));
  shared_ = static_cast<Shared*>(p);
}

HostBatch::~HostBatch() {
  stop_child();
  if (shared_) munmap(shared_, shared_size_);
}

void HostBatch::spawn() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw HostOracleError(std::string("host oracle: socketpair: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw HostOracleError(std::string("host oracle: fork: ") + strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(shared_->in, shared_->out, fds[1]);
  }
  close(fds[1]);
  pid_ = pid;
  command_fd_ = progress_fd_ = fds[0];
  ++children_started_;
}

void HostBatch::stop_child() {
  if (pid_ < 0) return;
  kill(pid_, SIGKILL);
  int status;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  close(command_fd_);
  pid_ = -1;
  command_fd_ = progress_fd_ = -1;
}

void HostBatch::send(uint32_t first, uint32_t count) {
  if (pid_ < 0) spawn();
  const uint32_t command[2] = {first, count};
  send_all(command_fd_, command, sizeof command);  // a dead child shows when finish() reads
}

void HostBatch::start(const std::vector<const TestCase*>& cases) {
  if (cases.size() > kMaxBatch) throw std::invalid_argument("HostBatch::start: more than kMaxBatch cases");
  pending_ = cases;
  rejected_.assign(cases.size(), std::nullopt);
  for (size_t i = 0; i < cases.size(); ++i) {
    const TestCase& t = *cases[i];
    SlotIn& in = shared_->in[i];
    rejected_[i] = validate(t);
    if (rejected_[i]) {
      in.code_size = 0;
      std::memset(in.gpr, 0, sizeof in.gpr);
      in.gpr[4] = kStackTop;
      in.rflags = 0x202;
      continue;
    }
    std::memcpy(in.gpr, t.input.gpr, sizeof in.gpr);
    in.rflags = t.input.rflags;
    in.code_size = t.code.size();
    std::memcpy(in.code, t.code.data(), t.code.size());
    std::memset(in.window, 0, kDataSize);
    for (const MemoryChunk& chunk : t.input.memory)
      std::memcpy(in.window + (chunk.address - kDataAddress), chunk.bytes.data(), chunk.bytes.size());
  }
  if (!cases.empty()) send(0, static_cast<uint32_t>(cases.size()));
}

std::vector<OracleResult> HostBatch::finish() {
  const size_t n = pending_.size();
  std::vector<OracleResult> results(n);
  std::vector<bool> ran(n, false);
  size_t next = 0;  // the case the child is running
  while (next < n) {
    pollfd p{progress_fd_, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(kHostTimeout.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready > 0) {
      uint8_t buffer[kMaxBatch];
      ssize_t got = recv(progress_fd_, buffer, n - next, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        for (ssize_t k = 0; k < got; ++k) ran[next++] = true;
        continue;
      }
      // The child died while running case `next`.
      int status = 0;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      close(command_fd_);
      pid_ = -1;
      command_fd_ = progress_fd_ = -1;
      results[next].status = OracleResult::Status::Error;
      results[next].message = "host oracle: case '" + pending_[next]->name + "': " + describe_death(status);
    } else {
      stop_child();
      results[next].status = OracleResult::Status::Timeout;
      results[next].message = "host oracle: case '" + pending_[next]->name + "' did not end within " +
                              std::to_string(kHostTimeout.count()) + " ms (infinite loop?); the child was killed";
    }
    ++next;
    if (next < n) send(static_cast<uint32_t>(next), static_cast<uint32_t>(n - next));
  }
  for (size_t i = 0; i < n; ++i) {
    if (rejected_[i]) {
      results[i].status = OracleResult::Status::Error;
      results[i].message = "host oracle: case '" + pending_[i]->name + "': " + *rejected_[i];
      continue;
    }
    if (!ran[i]) continue;
    const SlotOut& out = shared_->out[i];
    Outcome& o = results[i].outcome;
    std::memcpy(o.state.gpr, out.gpr, sizeof o.state.gpr);
    o.state.rip = out.rip;
    o.state.rflags = out.rflags & ~kResumeFlag;
    o.state.memory.push_back({kDataAddress, std::vector<uint8_t>(out.window, out.window + kDataSize)});
    const bool reached_end = out.signal == SIGILL && out.rip == kCodeAddress + pending_[i]->code.size();
    if (!reached_end)
      o.exception = ExceptionRecord{static_cast<uint8_t>(out.trapno),
                                    has_error_code(out.trapno) ? static_cast<uint32_t>(out.error_code) : 0};
  }
  pending_.clear();
  return results;
}

std::vector<OracleResult> HostBatch::run(const std::vector<const TestCase*>& cases) {
  std::vector<OracleResult> all;
  for (size_t first = 0; first < cases.size(); first += kMaxBatch) {
    std::vector<const TestCase*> part(cases.begin() + first,
                                      cases.begin() + std::min(cases.size(), first + kMaxBatch));
    start(part);
    for (OracleResult& r : finish()) all.push_back(std::move(r));
  }
  return all;
}

OracleResult HostBatch::run(const TestCase& test) { return run(std::vector<const TestCase*>{&test}).at(0); }

}  // namespace orcvm::difftest
