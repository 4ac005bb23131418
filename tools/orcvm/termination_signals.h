#pragma once
// SIGINT, SIGTERM and SIGHUP end the guest the way a guest's own exit does: the
// VCPU stops at the next block boundary and main() returns, so the -D log, the
// serial file and --stats are complete. A second signal, or one that arrives
// before the machine runs, ends orcvm at once (after flushing the log).
namespace orcvm {

class Machine;

// Blocks the signals in the calling thread (and so in every thread created
// after it) and starts the thread that waits for them. Call before any other
// thread exists.
void start_termination_signal_thread();
// The machine a signal stops; nullptr when none runs.
void stop_on_termination_signal(Machine* machine);

// The exit status after a signal, as a shell reports it.
constexpr int exit_status_for_signal(int signo) { return 128 + signo; }

}  // namespace orcvm
