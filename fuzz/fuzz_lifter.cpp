// libFuzzer harness: random bytes -> a decoded block (frontend/block_builder) -> the
// LLVM function ir/lift makes of it, which must pass LLVM's verifier, in 64-bit user
// mode and 64-bit kernel mode.
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "frontend/block_builder.h"
#include "ir/lift/llvm_emitter.h"

using namespace orcvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Decoder decoder(64);
  static llvm::LLVMContext context;
  if (size < 2) return 0;
  constexpr uint64_t kBase = 0x400000;  // page-aligned: the block's bytes start a page
  const uint8_t flags = data[0];
  ++data;
  --size;
  if (size > 4096) size = 4096;
  // The rest of the page is HLT, which ends a block.
  CodeFetcher fetch = [&](uint64_t linear, uint8_t* buf, unsigned n, uint64_t* paddr) {
    if (linear < kBase || linear - kBase >= 4096) return false;
    const uint64_t off = linear - kBase;
    for (unsigned i = 0; i < n; ++i) buf[i] = off + i < size ? data[off + i] : 0xf4;
    *paddr = linear;
    return true;
  };
  BlockSource source;
  if (!build_block(decoder, kBase, 0, (flags & 1) ? 1 : 64, fetch, &source) || source.insns.empty()) return 0;
  BlockMode mode;
  mode.bits = BlockMode::kCode64 | BlockMode::kProtected | BlockMode::kPaging | ((flags & 2) ? 3u : 0u);
  if (flags & 4) mode.bits |= BlockMode::kCounting;
  if (flags & 8) mode.bits |= BlockMode::kAlignCheck;
  LiftOptions options;
  options.chain_indirect = flags & 16;
  llvm::Module module("fuzz", context);
  lift_block(module, "orcvm_fuzz_block", source.insns, mode, 1, options);
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (llvm::verifyModule(module, &os)) {
    os.flush();
    fprintf(stderr, "lifted module does not verify:\n%s\n", errors.c_str());
    abort();
  }
  return 0;
}
