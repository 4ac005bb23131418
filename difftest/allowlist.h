#pragma once
// The allow-list: known, explained differences between a hardware oracle (the host
// CPU, KVM) and orcvm, each citing the manual that explains it. Everything not on it
// is a mismatch. The file (difftest/allowlist.txt) is a list of entries:
//
//   [cpuid_model]
//   oracles   = host kvm            hardware oracles the entry applies to (compared with
//                                   orcvm); "orcvm": two orcvm modes compared with each other
//   mnemonics = CPUID               the case contains one of these (Zydis' names, as
//                                   orcvm's; * for any)...
//   when      = always              ...and this predicate holds for it (see below)
//   ignore    = rax rbx rcx rdx     what may differ: register names, rip, flags:CF,OF,
//                                   memory, exception, error-code, error-code:MASK (those
//                                   bits only), destination[:MASK] (the register ModRM.rm
//                                   names, or only MASK's bits of it), reg-destination[:MASK]
//                                   (the register ModRM.reg names), fault-order (which
//                                   exception, when both raise one), all (everything),
//                                   xmm0..xmm15, mxcsr, approximate-reg-destination (the
//                                   XMM register ModRM.reg names, compared lane by lane
//                                   as binary32 approximations within the SDM's bound)
//   reason    = free text
//   cite      = the SDM / APM section
//
// Predicates (evaluated on the instruction; the input state is known for the first
// instruction of a case only, so value predicates only match there):
//   always                  the mnemonic is enough
//   zero_source             BSF/BSR/TZCNT/LZCNT: the source operand is 0
//   count_above_width       SHLD/SHRD: the masked count exceeds the operand size
//   operand_size_prefix     the instruction has a 66h prefix
//   rex_w                   the instruction has REX.W
//   register_operand        ModRM.mod = 3 (a register where a memory operand may be)
//   both_string_operands_outside  RSI and RDI (ESI, EDI with 67h) both point outside the
//                           data window
//   alignment_check_on      the input RFLAGS has AC set
//   linux_cpunode_selector  a selector register operand (ModRM.rm) names GDT entry 15
//                           (0x78-0x7b)
// Blank lines and lines starting with '#' are ignored.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "difftest/testcase.h"

namespace orcvm::difftest {

struct Ignore {
  uint32_t registers = 0;  // bit i: MachineState::gpr[i]; bit 16: RIP
  uint64_t flags = 0;
  bool memory = false;
  bool exception = false;       // the exception (vector and error code)
  bool fault_order = false;     // which exception, when both raise one (the state must agree)
  bool all = false;             // everything: only that both produced an outcome
  uint32_t error_code_bits = 0;  // only these bits of the error code
  uint64_t register_bits[17] = {};  // per register (RIP last): only these bits
  // Resolved per case: the register ModRM.rm (destination) or ModRM.reg (reg_destination)
  // names, these bits (~0: all).
  uint64_t destination_bits = 0, reg_destination_bits = 0;
  uint32_t xmm = 0;              // bit i: XMMi
  uint32_t approximate_xmm = 0;  // bit i: XMMi within the RCP/RSQRT bound (see approximately_equal)
  bool mxcsr = false;
  bool approximate_reg_destination = false;  // resolved per case into approximate_xmm
};

// Two binary32 results of RCPPS/RCPSS/RSQRTPS/RSQRTSS agree: the same zero, infinity
// or NaN, or finite values of one sign each within the SDM's 1.5 * 2^-12 relative
// error of the exact result, so at most 3 * 2^12 units in the last place apart.
bool approximately_equal(uint32_t a, uint32_t b);

struct AllowEntry {
  std::string id;
  std::vector<std::string> oracles;
  std::vector<std::string> mnemonics;
  std::string when = "always";
  Ignore ignore;
  std::string reason;
  std::string cite;
  std::string origin;  // file:line of the entry's header
};

class AllowListError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AllowList {
 public:
  AllowList() = default;
  static AllowList load(const std::filesystem::path& path);
  static AllowList parse(const std::string& text, const std::string& origin);
  // The checked-in list (ORCVM_DIFFTEST_ALLOWLIST, set by difftest/CMakeLists.txt).
  static const AllowList& builtin();

  const std::vector<AllowEntry>& entries() const { return entries_; }
  // The entries that apply to a case when hardware oracle `oracle` is compared with orcvm.
  // `ignore` receives what they allow to differ, with `destination` resolved.
  std::vector<const AllowEntry*> matching(const TestCase& test, const std::string& oracle, Ignore* ignore = nullptr) const;
  // Adds what one entry allows to differ in this case to `ignore`.
  void apply(const AllowEntry& e, const TestCase& test, Ignore& ignore) const;

 private:
  std::vector<AllowEntry> entries_;
};

}  // namespace orcvm::difftest
