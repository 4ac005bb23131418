#include "runtime/tcache/tcache.h"

#include <algorithm>

namespace orcvm {

TranslationCache::~TranslationCache() {
  flush();
  reclaim();
}

TranslatedBlock* TranslationCache::find(const BlockKey& key) {
  std::lock_guard lock(mutex_);
  auto it = blocks_.find(key);
  return it == blocks_.end() ? nullptr : it->second.get();
}

TranslatedBlock* TranslationCache::find_by_id(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

TranslatedBlock* TranslationCache::insert(std::unique_ptr<TranslatedBlock> block) {
  std::lock_guard lock(mutex_);
  TranslatedBlock* raw = block.get();
  by_id_[raw->id] = raw;
  by_page_[raw->key.phys_pc >> 12].push_back(raw);
  if (raw->phys_page2 != kNoSecondPage) by_page_[raw->phys_page2].push_back(raw);
  blocks_[raw->key] = std::move(block);
  return raw;
}

void TranslationCache::chain(ExitSlot* slot, TranslatedBlock* target) {
  std::lock_guard lock(mutex_);
  if (!target->valid || !slot->owner->valid || slot->chained_to == target) return;
  BlockCode code = target->code.load(std::memory_order_acquire);
  if (!code) return;
  slot->chained_to = target;
  target->incoming.push_back(slot);
  slot->target.store(reinterpret_cast<void*>(code), std::memory_order_release);
}

void TranslationCache::unlink(TranslatedBlock* block) {
  block->valid = false;
  by_id_.erase(block->id);
  for (ExitSlot* in : block->incoming) {
    in->target.store(exit_stub_, std::memory_order_release);
    in->chained_to = nullptr;
  }
  block->incoming.clear();
  for (auto& out : block->exits) {
    if (TranslatedBlock* t = out->chained_to) {
      auto& v = t->incoming;
      v.erase(std::remove(v.begin(), v.end(), out.get()), v.end());
      out->chained_to = nullptr;
    }
  }
}

std::vector<TranslatedBlock*> TranslationCache::invalidate_page(uint64_t page_number) {
  std::lock_guard lock(mutex_);
  std::vector<TranslatedBlock*> removed;
  auto it = by_page_.find(page_number);
  if (it == by_page_.end()) return removed;
  removed = std::move(it->second);
  by_page_.erase(it);
  for (TranslatedBlock* b : removed) {
    // A block spanning two pages is also listed under its other page.
    for (uint64_t page : {b->key.phys_pc >> 12, b->phys_page2}) {
      if (page == page_number) continue;
      auto other = by_page_.find(page);
      if (other == by_page_.end()) continue;
      auto& v = other->second;
      v.erase(std::remove(v.begin(), v.end(), b), v.end());
      if (v.empty()) by_page_.erase(other);
    }
    unlink(b);
    auto node = blocks_.extract(b->key);
    retired_.push_back(std::move(node.mapped()));
  }
  has_retired_.store(true, std::memory_order_release);
  return removed;
}

std::vector<TranslatedBlock*> TranslationCache::flush() {
  std::lock_guard lock(mutex_);
  std::vector<TranslatedBlock*> removed;
  for (auto& [key, block] : blocks_) {
    unlink(block.get());
    removed.push_back(block.get());
    retired_.push_back(std::move(block));
  }
  blocks_.clear();
  by_page_.clear();
  has_retired_.store(true, std::memory_order_release);
  return removed;
}

bool TranslationCache::page_has_code(uint64_t page_number) {
  std::lock_guard lock(mutex_);
  return by_page_.count(page_number) != 0;
}

bool TranslationCache::reclaim() {
  if (!has_retired_.load(std::memory_order_acquire)) return false;
  std::vector<std::unique_ptr<TranslatedBlock>> dead;
  {
    std::lock_guard lock(mutex_);
    dead.swap(retired_);
    has_retired_.store(false, std::memory_order_release);
  }
  for (auto& b : dead)
    if (b->release_code) b->release_code();
  return !dead.empty();
}

}  // namespace orcvm
