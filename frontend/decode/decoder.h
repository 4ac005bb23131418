#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "frontend/decode/insn.h"

namespace orcvm {

enum class DecodeStatus { Ok, Invalid, NeedMoreBytes };

// Decodes x86 instructions of one code size (16, 32 or 64 bits).
class Decoder {
 public:
  explicit Decoder(unsigned code_bits);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  DecodeStatus decode(const uint8_t* bytes, size_t avail, uint64_t rip, DecodedInsn& out) const;
  // Intel-syntax text of an instruction, for -d in_asm.
  std::string disassemble(const DecodedInsn& insn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orcvm
