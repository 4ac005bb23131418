#pragma once
// The instruction set orcvm implements, as the differential tester sees it: the
// encodings ir/semantics/bindings.h binds to a semantics family, except those bound
// to Unimplemented or PrivilegedUnimplemented (orcvm raises #UD, or #GP(0) outside
// CPL 0, for them). Decoded as 64-bit code.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "frontend/decode/insn.h"

namespace orcvm::difftest {

bool orcvm_implements(const uint8_t* bytes, size_t size);
// Every mnemonic orcvm names (frontend/decode/mnemonics.inc).
std::vector<Mnemonic> known_mnemonics();
// A mnemonic by its name, case-insensitive ("add", "ADD"); Mnemonic::Other if unknown.
Mnemonic mnemonic_by_name(std::string_view name);

}  // namespace orcvm::difftest
