// The code arena packs compiled blocks densely (jit/code_arena.h): blocks share
// pages, each starts on its own cache line, and freed code is reused.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <set>

#include "frontend/decode/decoder.h"
#include "jit/jit.h"
#include "runtime/vcpu/helpers.h"

namespace orcvm {
namespace {

class CodeArena : public ::testing::Test {
 protected:
  CompiledBlock compile_xor_eax() {
    Decoder decoder(64);
    static const uint8_t kXorEaxEax[] = {0x31, 0xc0};
    auto insns = std::make_unique<std::vector<DecodedInsn>>(1);
    EXPECT_EQ(decoder.decode(kXorEaxEax, sizeof kXorEaxEax, 0x100000, (*insns)[0]), DecodeStatus::Ok);
    BlockToCompile request{insns.get(), BlockMode{BlockMode::kCode64 | BlockMode::kProtected | BlockMode::kPaging},
                           next_id_++, [this](const std::vector<uint64_t>& targets) {
                             std::vector<void*> addresses;
                             for (size_t i = 0; i < targets.size(); ++i) {
                               slots_.push_back(std::make_unique<uint64_t>(0));
                               addresses.push_back(slots_.back().get());
                             }
                             return addresses;
                           }};
    CompiledBlock compiled = jit_->compile(request);
    insns_.push_back(std::move(insns));
    return compiled;
  }
  static uintptr_t address(const CompiledBlock& b) { return reinterpret_cast<uintptr_t>(b.entry); }

  std::unique_ptr<Jit> jit_ = Jit::create(JitOptions{}, runtime_symbols());
  uint64_t next_id_ = 1;
  std::vector<std::unique_ptr<uint64_t>> slots_;
  std::vector<std::unique_ptr<std::vector<DecodedInsn>>> insns_;
};

TEST_F(CodeArena, BlocksSharePagesOnDistinctCacheLines) {
  constexpr int kBlocks = 16;  // each well under 256 bytes
  std::vector<CompiledBlock> blocks;
  std::set<uintptr_t> pages, lines;
  for (int i = 0; i < kBlocks; ++i) {
    blocks.push_back(compile_xor_eax());
    ASSERT_NE(blocks.back().entry, nullptr);
    EXPECT_EQ(address(blocks.back()) % 64, 0u) << "block " << i << " does not start a cache line";
    pages.insert(address(blocks.back()) >> 12);
    lines.insert(address(blocks.back()) >> 6);
  }
  EXPECT_EQ(lines.size(), size_t{kBlocks});
  EXPECT_LE(pages.size(), 2u) << "16 small blocks spread over " << pages.size() << " pages: not packed";
  for (CompiledBlock& b : blocks) b.release();
}

TEST_F(CodeArena, FreedCodeIsReused) {
  std::set<uintptr_t> freed;
  for (int i = 0; i < 4; ++i) {
    CompiledBlock b = compile_xor_eax();
    freed.insert(address(b));
    b.release();
  }
  EXPECT_EQ(freed.size(), 1u) << "each block compiled after a release should take the freed place";
}

}  // namespace
}  // namespace orcvm
