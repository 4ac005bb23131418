#pragma once
// The translation cache: blocks by key, the blocks of each physical page, chaining
// and unchaining, invalidation and deferred freeing of code.
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "runtime/tcache/block.h"

namespace orcvm {

class TranslationCache {
 public:
  explicit TranslationCache(void* exit_stub) : exit_stub_(exit_stub) {}
  ~TranslationCache();

  TranslatedBlock* find(const BlockKey& key);
  // The live block with this id, or null once it was invalidated.
  TranslatedBlock* find_by_id(uint64_t id);
  TranslatedBlock* insert(std::unique_ptr<TranslatedBlock> block);

  // Makes `slot` jump straight to `target`'s code.
  void chain(ExitSlot* slot, TranslatedBlock* target);
  // Removes every block with code on the physical page; their chains are undone and
  // their memory is kept until reclaim(). Returns the removed blocks.
  std::vector<TranslatedBlock*> invalidate_page(uint64_t page_number);
  std::vector<TranslatedBlock*> flush();
  bool page_has_code(uint64_t page_number);
  // Frees removed blocks; call only where no VCPU runs translated code. Returns
  // whether anything was freed.
  bool reclaim();
  size_t size() const { return blocks_.size(); }
  void* exit_stub() const { return exit_stub_; }

 private:
  void unlink(TranslatedBlock* block);

  std::mutex mutex_;
  std::unordered_map<BlockKey, std::unique_ptr<TranslatedBlock>, BlockKeyHash> blocks_;
  std::unordered_map<uint64_t, std::vector<TranslatedBlock*>> by_page_;
  std::unordered_map<uint64_t, TranslatedBlock*> by_id_;
  std::vector<std::unique_ptr<TranslatedBlock>> retired_;
  std::atomic<bool> has_retired_{false};
  void* exit_stub_;
};

}  // namespace orcvm
