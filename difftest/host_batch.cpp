#include "difftest/host_batch.h"

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "difftest/host_exec.h"
#include "difftest/host_oracle.h"

namespace orcvm::difftest {
namespace {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kCodeRegion = kDataAddress - kCodeAddress;  // the code pages a case may use

struct SlotIn {
  CaseRegisters registers;
  uint64_t code_size;
  uint8_t code[kCodeRegion];
  uint8_t window[kDataSize];
};

struct SlotOut {
  HostExit exit;
  uint8_t window[kDataSize];
};

// The child's state, touched by its signal handler.
SlotOut* child_out = nullptr;
sigjmp_buf child_resume;

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

// Record the exit and go back to the child's loop.
[[noreturn]] void record_and_resume(const HostExit& case_exit) {
  child_out->exit = case_exit;
  siglongjmp(child_resume, 1);
}

}  // namespace

struct HostBatch::Shared {
  SlotIn in[kMaxBatch];
  SlotOut out[kMaxBatch];
};

namespace {

// Enters the case; returns when its exit signal's handler siglongjmps back. A frame of
// its own, so that nothing of the caller lives across the sigsetjmp.
__attribute__((noinline)) void run_case_in_child(const SlotIn& in) {
  if (sigsetjmp(child_resume, 1) == 0) enter_case(in.registers);
}

// The child (see host_exec.h for what it may call).
[[noreturn]] void child_main(SlotIn* in_slots, SlotOut* out_slots, int fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  auto* code = static_cast<uint8_t*>(mmap(reinterpret_cast<void*>(kCodeAddress), kCodeRegion, PROT_NONE,
                                          MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (code != reinterpret_cast<uint8_t*>(kCodeAddress)) _exit(kCodeMapFailed);
  uint8_t* data = map_data_window();

  catch_case_exits(record_and_resume);

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
      child_out = &out;
      run_case_in_child(in);
      std::memcpy(out.window, data, kDataSize);
      const uint8_t done = 1;
      if (!send_all(fd, &done, 1)) _exit(0);
    }
  }
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
  wait_for_child(pid_);
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
    rejected_[i] = host_case_problem(t);
    if (rejected_[i]) {
      in.code_size = 0;
      in.registers = case_registers(MachineState{});
      in.registers.gpr[4] = kStackTop;
      continue;
    }
    in.registers = case_registers(t.input);
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
      const int status = wait_for_child(pid_);
      close(command_fd_);
      pid_ = -1;
      command_fd_ = progress_fd_ = -1;
      results[next].status = OracleResult::Status::Error;
      results[next].message = "host oracle: case '" + pending_[next]->name + "': " + describe_child_end(status);
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
    results[i].outcome = outcome_of(out.exit, out.window, *pending_[i]);
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
