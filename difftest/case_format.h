#pragma once
// The instruction-case text format: one line per case, holding the code bytes, the
// input state and the outcome the case asserts. It is meant to be read, written and
// edited by hand (tests/insn/*.cases, tests/regressions/), in the style of rellume's
// test lists.
//
//   NAME: BYTES ["ASSEMBLY"] | INPUT => EXPECTED [| OPTIONS]
//
//   add_carry_64: 48 01 d8 "add rax, rbx" | rax=-1 rbx=1 => rax=0 flags=+CF,+PF,+AF,+ZF,-SF,-OF
//
// NAME      [A-Za-z0-9_]+, unique within a corpus (it becomes a GoogleTest name).
// BYTES     hex byte pairs, optionally separated by spaces. Execution starts at
//           kCodeAddress and ends normally when RIP reaches the end of the bytes.
// ASSEMBLY  free text for readers; never interpreted. May not contain '"'.
// INPUT     space-separated items; anything not mentioned keeps its default:
//             REG=VALUE          rax..r15 (64-bit names only). Default 0, rsp = kStackTop.
//             rflags=VALUE       default 0x202. Only CF PF AF ZF SF DF OF AC may vary:
//                                the others are fixed at CPL 3 (IF, IOPL), would trap
//                                (TF), or are for a POPF in the case's code (NT, ID).
//             mem:ADDR=HEXBYTES  bytes in address order, inside the data window
//                                [kDataAddress, kDataAddress + kDataSize). Default 0.
//             xmmN=VALUE128      xmm0..xmm15: a VALUE, or up to 32 hex digits after 0x,
//                                the high quadword first as SDM figures write it. Default 0.
//             mxcsr=VALUE        default 0x1f80 (the power-on value); bits 31:16 must be 0.
// EXPECTED  only what the case asserts:
//             REG=VALUE, rip=VALUE, xmmN=VALUE128, mxcsr=VALUE
//             flags=+CF,-ZF,...  each flag's value after the case
//             rflags=VALUE       every RFLAGS bit (minus undef=) must match
//             mem:ADDR=HEXBYTES  these bytes, after the case
//             #UD, #DE, #GP(0), #PF(6), ...  the case ends with this exception
//                                (the state is then the state at the fault). Vectors
//                                8, 10-14 and 17 take an error code in parentheses,
//                                the others take none. Without an exception token
//                                the case must run to the end of its bytes.
// OPTIONS   undef=AF,OF,...      flags the SDM leaves undefined here: never compared
//           host=skip(REASON)    the host CPU cannot reproduce this case; REASON says
//                                why (balanced parentheses allowed, no '|').
// VALUE     0x-prefixed hex, decimal, or negative decimal (two's complement, 64-bit).
// Flag names: CF PF AF ZF SF TF IF DF OF NT RF AC VIF VIP ID.
// Items are separated by blanks; '|' and '=>' need none around them.
// Lines that are blank or start with '#' (after leading blanks) are ignored.
// print_case() writes the canonical form: values below 10 in decimal, others in 0x hex;
// registers in MachineState::gpr order, then rip; flags in the order above.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "difftest/testcase.h"

namespace orcvm::difftest {

// RFLAGS bit masks.
namespace rflag {
constexpr uint64_t CF = 1ull << 0, PF = 1ull << 2, AF = 1ull << 4, ZF = 1ull << 6, SF = 1ull << 7,
                   TF = 1ull << 8, IF = 1ull << 9, DF = 1ull << 10, OF = 1ull << 11,
                   IOPL = 3ull << 12, NT = 1ull << 14, RF = 1ull << 16, VM = 1ull << 17,
                   AC = 1ull << 18, VIF = 1ull << 19, VIP = 1ull << 20, ID = 1ull << 21;
constexpr uint64_t kStatus = CF | PF | AF | ZF | SF | OF;
constexpr uint64_t kReservedOne = 1ull << 1;
// What a case's input may change from the default 0x202.
constexpr uint64_t kInputSettable = kStatus | DF | AC;
}  // namespace rflag

// A register the expected side can name: the 16 GPRs in MachineState::gpr order, then RIP.
constexpr int kRipIndex = 16;
std::string_view register_name(int index);

struct RegisterValue {
  int index;  // 0..15 = MachineState::gpr, kRipIndex = RIP
  uint64_t value;
  bool operator==(const RegisterValue&) const = default;
};

// The number of XMM registers; their names are xmm0..xmm15.
constexpr int kXmmCount = 16;

struct XmmValue {
  int index;
  uint64_t low, high;
  bool operator==(const XmmValue&) const = default;
};

struct Expectation {
  std::vector<RegisterValue> registers;
  std::vector<XmmValue> xmm;
  std::optional<uint32_t> mxcsr;
  uint64_t flags_checked = 0;  // RFLAGS bits the case asserts...
  uint64_t flags_value = 0;    // ...and their values
  std::vector<MemoryChunk> memory;
  std::optional<ExceptionRecord> exception;
  uint64_t undefined_flags = 0;  // never compared, even when flags_checked names them
};

struct InsnCase {
  TestCase test;
  std::string assembly;  // for readers only
  Expectation expected;
  std::optional<std::string> host_skip_reason;
  std::string origin;  // "file:line", for messages
};

// A syntax or validity error; what() starts with the origin ("file:line: ").
class CaseFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses one case line (not blank, not a comment). `origin` prefixes error messages.
InsnCase parse_case_line(std::string_view line, std::string_view origin);
// Every case in a .cases file; origins are "path:line".
std::vector<InsnCase> parse_case_file(const std::filesystem::path& path);
// The canonical line for a case; parse_case_line(print_case(c)) describes the same case.
std::string print_case(const InsnCase& c);

std::string format_exception(const ExceptionRecord& e);  // "#PF(6)", "#GP(0x10a)", "#UD"
std::string format_flags(uint64_t mask);                 // "CF,ZF"

// Mismatches between what a case asserts and an oracle's outcome, one readable line
// each; empty when the outcome satisfies the expectation.
std::vector<std::string> check(const Expectation& expected, const Outcome& outcome);

// A 128-bit value as xmmN= writes it: a VALUE below 2^64, else 0x and 17-32 hex digits.
std::string format_xmm(uint64_t low, uint64_t high);

// Mismatches between two oracles' outcomes of the same case: exception, all GPRs, RIP,
// RFLAGS outside `ignored_flags`, the XMM registers, MXCSR and the data window. Names
// label the two sides.
std::vector<std::string> compare_outcomes(const Outcome& a, std::string_view a_name, const Outcome& b,
                                          std::string_view b_name, uint64_t ignored_flags);

}  // namespace orcvm::difftest
