// Which block ends let the interpreter follow into the next block without the VCPU
// loop (runtime/vcpu run_interpreted_successors): only near branches and blocks cut
// at a size or page limit; every special instruction returns to the loop.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "frontend/block_builder.h"

namespace orcvm {
namespace {

std::vector<DecodedInsn> block_of(std::vector<uint8_t> code, unsigned max_insns = 64) {
  const Decoder decoder(64);
  code.resize(4096, 0x90);  // NOPs up to the page end
  CodeFetcher fetch = [&](uint64_t linear, uint8_t* buf, unsigned size, uint64_t* paddr) {
    for (unsigned i = 0; i < size; ++i) buf[i] = linear + i < code.size() ? code[linear + i] : 0x90;
    *paddr = linear;
    return true;
  };
  BlockSource source;
  EXPECT_TRUE(build_block(decoder, 0, 0, max_insns, fetch, &source));
  return source.insns;
}

TEST(BlockEnd, NearBranchesKeepTheMode) {
  EXPECT_TRUE(keeps_mode(block_of({0x48, 0x01, 0xc8, 0x75, 0xfb})));        // add rax, rcx; jnz
  EXPECT_TRUE(keeps_mode(block_of({0xe8, 0x00, 0x00, 0x00, 0x00})));        // call rel32
  EXPECT_TRUE(keeps_mode(block_of({0xc3})));                                 // ret
  EXPECT_TRUE(keeps_mode(block_of({0xff, 0xe0})));                           // jmp rax
  EXPECT_TRUE(keeps_mode(block_of({0x48, 0x01, 0xc8, 0x48, 0x01, 0xc8}, 2)));  // cut at the size limit
}

TEST(BlockEnd, SpecialInstructionsReturnToTheLoop) {
  EXPECT_FALSE(keeps_mode(block_of({0xfb})));                    // sti
  EXPECT_FALSE(keeps_mode(block_of({0x9d})));                    // popf
  EXPECT_FALSE(keeps_mode(block_of({0x48, 0xcf})));              // iretq
  EXPECT_FALSE(keeps_mode(block_of({0x0f, 0x22, 0xd8})));        // mov cr3, rax
  EXPECT_FALSE(keeps_mode(block_of({0x8e, 0xd8})));              // mov ds, ax
  EXPECT_FALSE(keeps_mode(block_of({0x0f, 0x30})));              // wrmsr
  EXPECT_FALSE(keeps_mode(block_of({0xf4})));                    // hlt
  EXPECT_FALSE(keeps_mode(block_of({0x48, 0xff, 0x28})));        // jmp far [rax]
  EXPECT_FALSE(keeps_mode(block_of({0x48, 0xcb})));              // retf
}

}  // namespace
}  // namespace orcvm
