#include "tools/orcvm/console_input.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace orcvm {

namespace {

constexpr unsigned char kEscape = 0x01;  // Ctrl-A

std::mutex quit_mutex;
std::function<void()> quit_action;
bool terminal_changed = false;
termios saved_terminal;

void quit() {
  std::function<void()> action;
  {
    std::lock_guard<std::mutex> lock(quit_mutex);
    action = quit_action;
  }
  if (action) {
    action();
  } else {
    restore_console();
    std::_Exit(0);
  }
}

// Copies the terminal to the UART's pipe, acting on the escape sequences.
void relay(int to_uart) {
  bool escaped = false;
  unsigned char c;
  while (read(STDIN_FILENO, &c, 1) == 1) {
    if (escaped) {
      escaped = false;
      if (c == 'x') {
        quit();
        continue;
      }
      if (c != kEscape) continue;  // an unknown escape is dropped, as QEMU does
    } else if (c == kEscape) {
      escaped = true;
      continue;
    }
    if (write(to_uart, &c, 1) != 1) return;
  }
  close(to_uart);  // the terminal closed: the guest sees the end of input
}

}  // namespace

int open_console_input() {
  if (!isatty(STDIN_FILENO)) return STDIN_FILENO;
  int fds[2];
  if (tcgetattr(STDIN_FILENO, &saved_terminal) != 0 || pipe(fds) != 0) return STDIN_FILENO;
  termios raw = saved_terminal;
  cfmakeraw(&raw);
  raw.c_oflag |= OPOST | ONLCR;  // the guest's output keeps its line ends on the host's terminal
  if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
    terminal_changed = true;
    std::atexit(restore_console);
  }
  std::thread(relay, fds[1]).detach();
  return fds[0];
}

void on_console_quit(std::function<void()> action) {
  std::lock_guard<std::mutex> lock(quit_mutex);
  quit_action = std::move(action);
}

void restore_console() {
  if (!terminal_changed) return;
  terminal_changed = false;
  tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
}

}  // namespace orcvm
