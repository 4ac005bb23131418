// The jump cache's O(1) flush: an entry matches only the mode and generation it
// was filled in; a CR3 write keeps the entries marked global.
#include <gtest/gtest.h>

#include <memory>

#include "runtime/tcache/jump_cache.h"

namespace orcvm {
namespace {

class JumpCacheTest : public ::testing::Test {
 protected:
  JumpCacheTest() : cache(std::make_unique<JumpCache>()) { cache->clear(); }

  void fill(uint64_t rip, uint32_t mode, bool global) {
    cache->fill(jump_cache_index(rip), JumpCacheEntry{rip, cache->tag(mode), nullptr, nullptr}, global);
  }
  bool hits(uint64_t rip, uint32_t mode) const {
    const JumpCacheEntry& e = cache->entries[jump_cache_index(rip)];
    return e.rip == rip && e.tag == cache->tag(mode);
  }

  std::unique_ptr<JumpCache> cache;
};

TEST_F(JumpCacheTest, EntryMatchesItsModeOnly) {
  fill(0x1000, 5, false);
  EXPECT_TRUE(hits(0x1000, 5));
  EXPECT_FALSE(hits(0x1000, 4));
  EXPECT_FALSE(hits(0x1000 + kJumpCacheEntries, 5));  // another RIP, maybe the same index
}

TEST_F(JumpCacheTest, FlushDropsEveryEntry) {
  fill(0x1000, 0, true);
  fill(0x2004, 3, false);
  cache->flush();
  EXPECT_FALSE(hits(0x1000, 0));
  EXPECT_FALSE(hits(0x2004, 3));
  fill(0x1000, 0, false);
  EXPECT_TRUE(hits(0x1000, 0));
}

TEST_F(JumpCacheTest, FlushNonGlobalKeepsGlobalEntries) {
  fill(0xffffffff81000000, 0, true);
  fill(0x401000, 3, false);
  cache->flush_non_global();
  EXPECT_TRUE(hits(0xffffffff81000000, 0));
  EXPECT_FALSE(hits(0x401000, 3));
}

// A zeroed entry (tag 0) never matches, even mode 0: generations start at one step.
// Past the list of non-global fills, a CR3 write visits every entry instead.
TEST_F(JumpCacheTest, FlushNonGlobalAfterManyFills) {
  fill(0x10, 1, true);
  for (uint64_t rip = 0x1000; rip < 0x1000 + kJumpCacheEntries / 2; ++rip) fill(rip, 1, false);
  fill(0x20, 1, true);
  cache->flush_non_global();
  EXPECT_TRUE(hits(0x10, 1));
  EXPECT_TRUE(hits(0x20, 1));
  for (uint64_t rip = 0x1000; rip < 0x1000 + kJumpCacheEntries / 2; ++rip) ASSERT_FALSE(hits(rip, 1)) << rip;
}

// An index refilled global after a non-global fill stays.
TEST_F(JumpCacheTest, RefilledGlobalEntrySurvivesFlushNonGlobal) {
  fill(0x3000, 1, false);
  fill(0x3000, 1, true);
  cache->flush_non_global();
  EXPECT_TRUE(hits(0x3000, 1));
}

TEST_F(JumpCacheTest, ZeroedEntriesNeverMatch) {
  EXPECT_FALSE(hits(0, 0));
  cache->flush_non_global();
  EXPECT_FALSE(hits(0, 0));
}

// After 2^32 flushes the generation wraps: the cache is cleared, so a stale tag
// cannot match again.
TEST_F(JumpCacheTest, GenerationWrapClears) {
  cache->generation = ~uint64_t{0} - kJumpCacheGenerationStep + 1;
  fill(0x1000, 0, false);
  cache->flush();
  EXPECT_EQ(cache->generation, kJumpCacheGenerationStep);
  EXPECT_EQ(cache->entries[jump_cache_index(0x1000)].tag, 0u);
  EXPECT_FALSE(hits(0x1000, 0));
}

}  // namespace
}  // namespace orcvm
