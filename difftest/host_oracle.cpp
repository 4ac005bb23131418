#include "difftest/host_oracle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "difftest/host_exec.h"

namespace orcvm::difftest {
namespace {

constexpr uint64_t kPageSize = 4096;

// Set in the child only, before it enters the case.
int child_report_fd = -1;

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

// The child's only case has ended: send its exit and the data window, and end too.
[[noreturn]] void report_and_exit(const HostExit& case_exit) {
  bool sent = write_all(child_report_fd, &case_exit, sizeof case_exit) &&
              write_all(child_report_fd, reinterpret_cast<const void*>(kDataAddress), kDataSize);
  _exit(sent ? 0 : 1);
}

// Runs in the forked child (see host_exec.h for what it may call).
[[noreturn]] void run_child(const TestCase& test, int report_fd) {
  uint64_t code_size = round_up_to_page(test.code.size() + sizeof kUd2);
  void* code = mmap(reinterpret_cast<void*>(kCodeAddress), code_size, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (code != reinterpret_cast<void*>(kCodeAddress)) _exit(kCodeMapFailed);
  map_data_window();

  std::memcpy(code, test.code.data(), test.code.size());
  std::memcpy(static_cast<uint8_t*>(code) + test.code.size(), kUd2, sizeof kUd2);
  for (const MemoryChunk& chunk : test.input.memory)
    std::memcpy(reinterpret_cast<void*>(chunk.address), chunk.bytes.data(), chunk.bytes.size());

  catch_case_exits(report_and_exit);
  child_report_fd = report_fd;
  enter_case(case_registers(test.input));
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
  if (std::optional<std::string> problem = host_case_problem(test))
    throw HostOracleError("host oracle: case '" + test.name + "': " + *problem);
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

  std::vector<uint8_t> buffer(sizeof(HostExit) + kDataSize);
  size_t received = 0;
  bool in_time = read_report(fds[0], buffer, received);
  close(fds[0]);
  if (!in_time) {
    kill(pid, SIGKILL);
    wait_for_child(pid);
    throw HostOracleTimeout("host oracle: case '" + test.name + "' did not end within " +
                            std::to_string(kHostTimeout.count()) + " ms (infinite loop?); the child was killed");
  }
  int status = wait_for_child(pid);
  if (received < buffer.size())
    throw HostOracleError("host oracle: case '" + test.name + "': " + describe_child_end(status));

  HostExit case_exit;
  std::memcpy(&case_exit, buffer.data(), sizeof case_exit);
  return outcome_of(case_exit, buffer.data() + sizeof case_exit, test);
}

}  // namespace orcvm::difftest
