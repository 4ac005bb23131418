#pragma once
// The instruction set orcvm implements, as the differential tester sees it: the
// mnemonics that ir/semantics/dispatch.h binds to a semantics family. Mnemonics left
// at Unimplemented or PrivilegedUnimplemented (and Mnemonic::Other) are not
// implemented: orcvm raises #UD (or #GP(0) outside CPL 0) for them.
#include <string_view>
#include <vector>

#include "frontend/decode/insn.h"

namespace orcvm::difftest {

bool orcvm_implements(Mnemonic m);
std::vector<Mnemonic> implemented_mnemonics();
// A mnemonic by its name, case-insensitive ("add", "ADD"); Mnemonic::Other if unknown.
Mnemonic mnemonic_by_name(std::string_view name);

}  // namespace orcvm::difftest
