#pragma once
// Coverage of a campaign: the distinct mnemonics and operand forms its cases executed,
// out of those orcvm implements in 64-bit mode (difftest/isa.h, Generator::all_forms()).
// The denominator includes the forms the generators never make (SYSCALL, SYSENTER,
// LFS, LGS: see generator.h), so they show as not exercised.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orcvm::difftest {

class Coverage {
 public:
  void add(const std::vector<uint8_t>& code);

  struct Summary {
    size_t mnemonics_hit = 0, mnemonics_total = 0;
    size_t forms_hit = 0, forms_total = 0;
    size_t other_forms = 0;  // forms seen that the encoder does not make (random bytes)
    std::vector<std::string> mnemonics_missed, forms_missed;
    std::vector<std::string> mnemonics_not_64_bit;  // implemented, but #UD in 64-bit mode
  };
  Summary summarise() const;
  // "coverage: 190/190 mnemonics, 1890/1899 operand forms (+312 other forms from random bytes)"
  // and, with details, the forms missed.
  std::string report(bool details) const;

 private:
  std::map<std::string, uint64_t> forms_;      // form key -> instructions executed
  std::set<std::string> mnemonics_;            // orcvm names
};

}  // namespace orcvm::difftest
