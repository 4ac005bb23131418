#pragma once
// A translated block: its key, its decoded instructions (which the interpreter
// tier runs) and, once compiled, its native entry point and chainable exits.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "frontend/decode/insn.h"
#include "ir/semantics/mode.h"

namespace orcvm {

// The physical page of a block's second page is checked after the lookup (the
// second page's mapping is known only once the block exists), as QEMU does.
struct BlockKey {
  uint64_t rip;      // virtual: translated code bakes in absolute RIP values
  uint64_t phys_pc;
  uint64_t cs_base;
  uint32_t mode;     // BlockMode bits
  bool operator==(const BlockKey&) const = default;
};

struct BlockKeyHash {
  size_t operator()(const BlockKey& k) const {
    uint64_t h = k.phys_pc * 0x9e3779b97f4a7c15ull ^ k.rip * 0xc2b2ae3d27d4eb4full;
    h ^= (k.cs_base + k.mode) * 0x165667b19e3779f9ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

constexpr uint64_t kNoSecondPage = ~uint64_t{0};

struct TranslatedBlock;

// A direct exit of compiled code. The code loads `target` and tail-calls it; it
// starts at the return-to-loop stub and is patched to the next block's code.
struct ExitSlot {
  std::atomic<void*> target;
  uint64_t target_rip;
  TranslatedBlock* owner;
  TranslatedBlock* chained_to = nullptr;
};

using BlockCode = void (*)(struct ExecContext*);

struct TranslatedBlock {
  BlockKey key;
  uint64_t phys_page2 = kNoSecondPage;  // the physical page of its second page, if any
  BlockMode mode;
  uint32_t byte_length = 0;  // guest bytes covered
  bool keeps_mode = false;   // frontend/block_builder.h keeps_mode()
  std::vector<DecodedInsn> insns;

  std::atomic<BlockCode> code{nullptr};  // null: run in the interpreter
  std::vector<std::unique_ptr<ExitSlot>> exits;
  std::vector<ExitSlot*> incoming;       // slots of other blocks chained to this one
  std::function<void()> release_code;    // frees the compiled code (deferred)
  bool valid = true;
  uint64_t executions = 0;
  uint64_t id = 0;

  uint64_t first_page() const { return key.phys_pc >> 12; }
};

}  // namespace orcvm
