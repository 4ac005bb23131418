#include "tools/orcvm/termination_signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/log.h"
#include "runtime/vcpu/machine.h"
#include "tools/orcvm/console_input.h"

namespace orcvm {

namespace {
std::mutex machine_mutex;
Machine* running_machine = nullptr;

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int signo : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, signo);
  return set;
}

[[noreturn]] void exit_now(int signo) {
  restore_console();
  Log::flush();
  std::fflush(nullptr);
  _exit(exit_status_for_signal(signo));
}

void wait_for_signals() {
  const sigset_t set = termination_signals();
  bool stop_sent = false;
  for (;;) {
    int signo = 0;
    if (sigwait(&set, &signo) != 0) continue;
    std::lock_guard<std::mutex> lock(machine_mutex);
    if (!running_machine || stop_sent) exit_now(signo);
    running_machine->stop(RunResult{RunResult::Kind::Stopped, exit_status_for_signal(signo),
                                    std::string("terminating on signal ") + std::to_string(signo) + " (SIG" +
                                        sigabbrev_np(signo) + ")"});
    stop_sent = true;
  }
}
}  // namespace

void start_termination_signal_thread() {
  const sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(wait_for_signals).detach();
}

void stop_on_termination_signal(Machine* machine) {
  std::lock_guard<std::mutex> lock(machine_mutex);
  running_machine = machine;
}

}  // namespace orcvm
