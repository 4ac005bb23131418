#pragma once
// The per-VCPU jump cache: virtual RIP and mode to a block, probed by the loop and
// inline by compiled indirect jumps. It caches virtual-to-physical translations
// too, so it is flushed with the TLB: in O(1), by advancing the generation that
// every valid entry's tag carries.
#include <cstdint>

namespace orcvm {

struct JumpCacheEntry {
  uint64_t rip;
  uint64_t tag;   // BlockMode bits | JumpCache::generation: matches one mode, one generation
  void* code;     // the block's entry point
  void* block;    // the TranslatedBlock, for the runtime
};
static_assert(sizeof(JumpCacheEntry) == 32);
constexpr unsigned kJumpCacheBits = 14;
constexpr unsigned kJumpCacheEntries = 1u << kJumpCacheBits;
constexpr uint64_t kJumpCacheGenerationStep = uint64_t{1} << 32;  // BlockMode bits are 32 wide

inline unsigned jump_cache_index(uint64_t rip) {
  return static_cast<unsigned>((rip ^ (rip >> kJumpCacheBits)) & (kJumpCacheEntries - 1));
}

struct JumpCache {
  JumpCacheEntry entries[kJumpCacheEntries];  // first: generated code addresses it
  uint64_t generation;  // a multiple of kJumpCacheGenerationStep
  // Entries whose code page is mapped global: a CR3 write keeps them.
  bool global[kJumpCacheEntries];

  uint64_t tag(uint32_t mode_bits) const { return mode_bits | generation; }
  void flush() {
    generation += kJumpCacheGenerationStep;
    if (generation == 0) clear();  // after 2^32 flushes an old tag could match again
  }
  // A CR3 write: drops every entry not marked global.
  void flush_non_global() {
    for (unsigned i = 0; i < kJumpCacheEntries; ++i)
      if (!global[i]) entries[i].tag = 0;
  }
  void clear() {
    for (JumpCacheEntry& e : entries) e = JumpCacheEntry{};
    generation = kJumpCacheGenerationStep;
  }
};

}  // namespace orcvm
