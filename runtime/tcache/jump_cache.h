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
  // The entries filled non-global since the last flush, so that a CR3 write (tens of
  // thousands in a Linux boot) visits those alone; past the capacity, all of them.
  uint16_t non_global_filled[kJumpCacheEntries / 4];
  unsigned non_global_count;

  uint64_t tag(uint32_t mode_bits) const { return mode_bits | generation; }
  void fill(unsigned index, const JumpCacheEntry& entry, bool is_global) {
    entries[index] = entry;
    global[index] = is_global;
    if (is_global || non_global_count > kJumpCacheEntries / 4) return;  // saturated: a full scan
    if (non_global_count < kJumpCacheEntries / 4) non_global_filled[non_global_count] = static_cast<uint16_t>(index);
    ++non_global_count;
  }
  void flush() {
    generation += kJumpCacheGenerationStep;
    non_global_count = 0;
    if (generation == 0) clear();  // after 2^32 flushes an old tag could match again
  }
  // A CR3 write: drops every entry not marked global.
  void flush_non_global() {
    if (non_global_count > kJumpCacheEntries / 4) {
      for (unsigned i = 0; i < kJumpCacheEntries; ++i)
        if (!global[i]) entries[i].tag = 0;
    } else {
      for (unsigned k = 0; k < non_global_count; ++k)
        if (!global[non_global_filled[k]]) entries[non_global_filled[k]].tag = 0;
    }
    non_global_count = 0;
  }
  void clear() {
    for (JumpCacheEntry& e : entries) e = JumpCacheEntry{};
    generation = kJumpCacheGenerationStep;
    non_global_count = 0;
  }
};

}  // namespace orcvm
