#include "difftest/coverage.h"

#include <algorithm>

#include "difftest/code.h"
#include "difftest/generator.h"
#include "difftest/isa.h"

namespace orcvm::difftest {

void Coverage::add(const std::vector<uint8_t>& code) {
  size_t offset = 0;
  while (offset < code.size()) {
    InsnFacts f = describe(code.data() + offset, code.size() - offset, kCodeAddress + offset);
    if (!f.valid) break;
    ++forms_[f.form];
    if (f.implemented) mnemonics_.insert(std::string(mnemonic_name(f.mnemonic)));
    offset += f.length;
  }
}

Coverage::Summary Coverage::summarise() const {
  Summary s;
  // Mnemonics orcvm implements that exist in 64-bit mode (have an operand form there).
  const std::vector<OperandForm>& all = Generator::all_forms();
  std::set<std::string> in_64_bit;
  for (const OperandForm& f : all) in_64_bit.insert(f.mnemonic);
  for (Mnemonic m : known_mnemonics()) {
    const std::string name(mnemonic_name(m));
    if (!in_64_bit.count(name)) {
      s.mnemonics_not_64_bit.push_back(name);
      continue;
    }
    ++s.mnemonics_total;
    if (mnemonics_.count(name)) ++s.mnemonics_hit;
    else s.mnemonics_missed.push_back(name);
  }
  s.forms_total = all.size();
  std::set<std::string> known;
  for (const OperandForm& f : all) {
    known.insert(f.key);
    if (forms_.count(f.key)) ++s.forms_hit;
    else s.forms_missed.push_back(f.key);
  }
  for (const auto& [key, n] : forms_)
    if (!known.count(key)) ++s.other_forms;
  return s;
}

std::string Coverage::report(bool details) const {
  Summary s = summarise();
  std::string out = "coverage: " + std::to_string(s.mnemonics_hit) + "/" + std::to_string(s.mnemonics_total) +
                    " mnemonics orcvm implements, " + std::to_string(s.forms_hit) + "/" + std::to_string(s.forms_total) +
                    " operand forms (+" + std::to_string(s.other_forms) + " other forms from random bytes)\n";
  if (!s.mnemonics_not_64_bit.empty()) {
    out += "  (named but without a 64-bit form, not counted:";
    for (const std::string& m : s.mnemonics_not_64_bit) out += " " + m;
    out += ")\n";
  }
  if (details) {
    if (!s.mnemonics_missed.empty()) {
      out += "  mnemonics not exercised:";
      for (const std::string& m : s.mnemonics_missed) out += " " + m;
      out += "\n";
    }
    if (!s.forms_missed.empty()) {
      out += "  forms not exercised:";
      for (const std::string& f : s.forms_missed) out += " [" + f + "]";
      out += "\n";
    }
  }
  return out;
}

}  // namespace orcvm::difftest
