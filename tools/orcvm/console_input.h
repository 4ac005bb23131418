#pragma once
// The serial console's input, from orcvm's stdin. Piped or redirected stdin goes
// to the UART as it is (scripted runs). A terminal is put into raw mode, so that
// every key reaches the guest, and restored when orcvm ends; QEMU's escape then
// stays with orcvm: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A.
#include <functional>

namespace orcvm {

// Returns the descriptor the UART reads. Call once, before threads start.
int open_console_input();
// What Ctrl-A x does; until it is set, Ctrl-A x ends orcvm at once.
void on_console_quit(std::function<void()> quit);
// Puts the terminal back as it was; safe to call more than once (also runs at exit()).
void restore_console();

}  // namespace orcvm
