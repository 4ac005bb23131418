// libFuzzer harness: random bytes -> orcvm's decoder wrapper (frontend/decode), in
// 64-, 32- and 16-bit mode, and the Intel-syntax printer for what decodes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "frontend/decode/decoder.h"

using namespace orcvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Decoder decoders[3] = {Decoder(64), Decoder(32), Decoder(16)};
  if (size == 0) return 0;
  const Decoder& d = decoders[data[0] % 3];
  ++data;
  --size;
  size_t offset = 0;
  while (offset < size) {
    DecodedInsn insn;
    const DecodeStatus st = d.decode(data + offset, size - offset, 0x1000 + offset, insn);
    if (st != DecodeStatus::Ok) break;
    // The wrapper's promises: a length within the bytes given and the architectural
    // limit, at most four operands, a known mnemonic index.
    if (insn.length == 0 || insn.length > 15 || insn.length > size - offset) abort();
    if (insn.operand_count > 4 || insn.mnemonic >= Mnemonic::Count) abort();
    if (d.disassemble(insn).empty()) abort();
    offset += insn.length;
  }
  return 0;
}
