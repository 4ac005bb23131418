#include "difftest/isa.h"

#include <cctype>

#include "frontend/decode/decoder.h"
#include "ir/semantics/bindings.h"
#include "runtime/interp/interp_emitter.h"

namespace orcvm::difftest {

bool orcvm_implements(const uint8_t* bytes, size_t size) {
  static const Decoder decoder(64);
  DecodedInsn insn;
  if (decoder.decode(bytes, size, 0, insn) != DecodeStatus::Ok) return false;
  const auto handler = sem::bindings<InterpEmitter>().handler(insn);
  return handler != &sem::Unimplemented<InterpEmitter> && handler != &sem::PrivilegedUnimplemented<InterpEmitter>;
}

std::vector<Mnemonic> known_mnemonics() {
  std::vector<Mnemonic> out;
  for (size_t i = 1; i < static_cast<size_t>(Mnemonic::Count); ++i) out.push_back(static_cast<Mnemonic>(i));
  return out;
}

Mnemonic mnemonic_by_name(std::string_view name) {
  for (size_t i = 1; i < static_cast<size_t>(Mnemonic::Count); ++i) {
    std::string_view candidate = mnemonic_name(static_cast<Mnemonic>(i));
    if (candidate.size() != name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k)
      same = std::toupper(static_cast<unsigned char>(name[k])) == candidate[k];
    if (same) return static_cast<Mnemonic>(i);
  }
  return Mnemonic::Other;
}

}  // namespace orcvm::difftest
