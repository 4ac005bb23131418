#include "jit/code_arena.h"

#include <llvm/ExecutionEngine/JITLink/JITLink.h>
#include <llvm/ExecutionEngine/Orc/Shared/AllocationActions.h>
#include <llvm/Support/Memory.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

namespace orcvm {

namespace {

namespace jitlink = llvm::jitlink;
namespace orc = llvm::orc;

// Code and data of one arena lie within one reservation, so the code's
// PC-relative references to its constant pools and GOT stay in range on every host.
constexpr uint64_t kCodeRegionBytes = 256ull << 20;
constexpr uint64_t kDataRegionBytes = 64ull << 20;
constexpr unsigned kMaxArenas = 16;

// First-fit allocation of byte ranges of one region, with coalescing on free.
class RangeAllocator {
 public:
  explicit RangeAllocator(uint64_t size) { free_[0] = size; }

  // An offset aligned to `alignment` (a power of two), or ~0 when nothing fits.
  uint64_t allocate(uint64_t size, uint64_t alignment) {
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      const uint64_t start = it->first, end = it->first + it->second;
      const uint64_t aligned = (start + alignment - 1) & ~(alignment - 1);
      if (aligned + size > end) continue;
      free_.erase(it);
      if (aligned > start) free_[start] = aligned - start;
      if (aligned + size < end) free_[aligned + size] = end - aligned - size;
      used_ += size;
      return aligned;
    }
    return ~uint64_t{0};
  }

  void release(uint64_t offset, uint64_t size) {
    used_ -= size;
    auto next = free_.lower_bound(offset);
    if (next != free_.end() && offset + size == next->first) {
      size += next->second;
      next = free_.erase(next);
    }
    if (next != free_.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second == offset) {
        prev->second += size;
        return;
      }
    }
    free_[offset] = size;
  }

  uint64_t used() const { return used_; }

 private:
  std::map<uint64_t, uint64_t> free_;  // offset -> size
  uint64_t used_ = 0;
};

struct Arena {
  int fd = -1;
  char* base = nullptr;        // the reservation: executable code view, then data
  char* code_writable = nullptr;  // the code again, writable
  RangeAllocator code{kCodeRegionBytes};
  RangeAllocator data{kDataRegionBytes};

  ~Arena() {
    if (code_writable) munmap(code_writable, kCodeRegionBytes);
    if (base) munmap(base, kCodeRegionBytes + kDataRegionBytes);
    if (fd >= 0) close(fd);
  }
};

llvm::Error os_error(const char* what) {
  return llvm::make_error<llvm::StringError>(std::string("code arena: ") + what + ": " + std::strerror(errno),
                                             llvm::inconvertibleErrorCode());
}

// The code region is mapped twice, executable and writable, never both in one view.
// Its pages are shared anonymous memory, which /proc/PID/maps names /dev/zero: perf
// then takes their symbols from /tmp/perf-PID.map (--perfmap), as for any JIT. Where
// mremap cannot alias a mapping (some user-mode emulators), a memfd backs them.
llvm::Error map_code_views(Arena& arena) {
  void* writable = mmap(nullptr, kCodeRegionBytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (writable == MAP_FAILED) return os_error("mapping code writable");
  arena.code_writable = static_cast<char*>(writable);
  if (mremap(writable, 0, kCodeRegionBytes, MREMAP_MAYMOVE | MREMAP_FIXED, arena.base) != MAP_FAILED)
    return mprotect(arena.base, kCodeRegionBytes, PROT_READ | PROT_EXEC) == 0 ? llvm::Error::success()
                                                                               : os_error("mapping code executable");
  munmap(writable, kCodeRegionBytes);
  arena.code_writable = nullptr;
  arena.fd = memfd_create("orcvm-code", MFD_CLOEXEC);
  if (arena.fd < 0) return os_error("memfd_create");
  if (ftruncate(arena.fd, kCodeRegionBytes) != 0) return os_error("sizing the code region");
  if (mmap(arena.base, kCodeRegionBytes, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, arena.fd, 0) == MAP_FAILED)
    return os_error("mapping code executable");
  writable = mmap(nullptr, kCodeRegionBytes, PROT_READ | PROT_WRITE, MAP_SHARED, arena.fd, 0);
  if (writable == MAP_FAILED) return os_error("mapping code writable");
  arena.code_writable = static_cast<char*>(writable);
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<Arena>> map_arena() {
  auto arena = std::make_unique<Arena>();
  void* base = mmap(nullptr, kCodeRegionBytes + kDataRegionBytes, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return os_error("reserving address space");
  arena->base = static_cast<char*>(base);
  if (auto err = map_code_views(*arena)) return std::move(err);
  if (mmap(arena->base + kCodeRegionBytes, kDataRegionBytes, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
    return os_error("mapping data");
  return arena;
}

// One linked object's memory: where each segment went, and what to run when it goes.
struct Placement {
  Arena* arena;
  bool code;  // in the code region, else data
  uint64_t offset, size;
};
struct Allocation {
  std::vector<Placement> placements;
  std::vector<orc::shared::WrapperFunctionCall> dealloc_actions;
};

class ArenaMemoryManager final : public CodeArenaMemoryManager {
 public:
  explicit ArenaMemoryManager(std::unique_ptr<Arena> first) { arenas_.push_back(std::move(first)); }

  void allocate(const jitlink::JITLinkDylib*, jitlink::LinkGraph& graph, OnAllocatedFunction on_allocated) override {
    jitlink::BasicLayout layout(graph);
    auto allocation = std::make_unique<Allocation>();
    std::vector<std::unique_ptr<char[]>> unallocated;  // NoAlloc sections live in working memory only
    {
      std::lock_guard lock(mutex_);
      if (auto err = place(layout, *allocation, unallocated)) {
        release_locked(*allocation);
        return on_allocated(std::move(err));
      }
    }
    if (auto err = layout.apply()) {
      std::lock_guard lock(mutex_);
      release_locked(*allocation);
      return on_allocated(std::move(err));
    }
    on_allocated(std::make_unique<InFlight>(*this, graph, std::move(allocation), std::move(unallocated)));
  }

  void deallocate(std::vector<FinalizedAlloc> allocs, OnDeallocatedFunction on_deallocated) override {
    llvm::Error result = llvm::Error::success();
    for (FinalizedAlloc& alloc : allocs) {
      std::unique_ptr<Allocation> allocation(alloc.release().toPtr<Allocation*>());
      result = llvm::joinErrors(std::move(result), orc::shared::runDeallocActions(allocation->dealloc_actions));
      std::lock_guard lock(mutex_);
      release_locked(*allocation);
    }
    on_deallocated(std::move(result));
  }

  CodeArenaUsage usage() const override {
    std::lock_guard lock(mutex_);
    CodeArenaUsage u;
    for (const auto& a : arenas_) {
      u.code_bytes += a->code.used();
      u.data_bytes += a->data.used();
    }
    u.arenas = static_cast<unsigned>(arenas_.size());
    return u;
  }

 private:
  class InFlight final : public InFlightAlloc {
   public:
    InFlight(ArenaMemoryManager& owner, jitlink::LinkGraph& graph, std::unique_ptr<Allocation> allocation,
             std::vector<std::unique_ptr<char[]>> unallocated)
        : owner_(owner), graph_(graph), allocation_(std::move(allocation)), unallocated_(std::move(unallocated)) {}

    void finalize(OnFinalizedFunction on_finalized) override {
      for (const Placement& p : allocation_->placements)
        if (p.code) llvm::sys::Memory::InvalidateInstructionCache(p.arena->base + p.offset, p.size);
      auto dealloc_actions = orc::shared::runFinalizeActions(graph_.allocActions());
      if (!dealloc_actions) {
        abandon_memory();
        return on_finalized(dealloc_actions.takeError());
      }
      allocation_->dealloc_actions = std::move(*dealloc_actions);
      on_finalized(FinalizedAlloc(orc::ExecutorAddr::fromPtr(allocation_.release())));
    }

    void abandon(OnAbandonedFunction on_abandoned) override {
      abandon_memory();
      on_abandoned(llvm::Error::success());
    }

   private:
    void abandon_memory() {
      std::lock_guard lock(owner_.mutex_);
      owner_.release_locked(*allocation_);
      allocation_.reset();
    }

    ArenaMemoryManager& owner_;
    jitlink::LinkGraph& graph_;
    std::unique_ptr<Allocation> allocation_;
    std::vector<std::unique_ptr<char[]>> unallocated_;
  };

  // Gives every segment of the layout its memory, all in one arena.
  llvm::Error place(jitlink::BasicLayout& layout, Allocation& allocation,
                    std::vector<std::unique_ptr<char[]>>& unallocated) {
    for (size_t i = 0;; ++i) {
      if (i == arenas_.size()) {
        if (arenas_.size() == kMaxArenas)
          return llvm::make_error<llvm::StringError>("code arena: all " + std::to_string(kMaxArenas) + " arenas are full",
                                                     llvm::inconvertibleErrorCode());
        auto arena = map_arena();
        if (!arena) return arena.takeError();
        arenas_.push_back(std::move(*arena));
      }
      if (place_in(*arenas_[i], layout, allocation, unallocated)) return llvm::Error::success();
      release_locked(allocation);
      allocation.placements.clear();
      unallocated.clear();
    }
  }

  bool place_in(Arena& arena, jitlink::BasicLayout& layout, Allocation& allocation,
                std::vector<std::unique_ptr<char[]>>& unallocated) {
    for (auto& [group, segment] : layout.segments()) {
      const uint64_t size = segment.ContentSize + segment.ZeroFillSize;
      if (group.getMemLifetime() == orc::MemLifetime::NoAlloc) {
        unallocated.push_back(std::make_unique<char[]>(size ? size : 1));
        segment.WorkingMem = unallocated.back().get();
        segment.Addr = orc::ExecutorAddr::fromPtr(segment.WorkingMem);
        continue;
      }
      const bool code = static_cast<unsigned>(group.getMemProt()) & static_cast<unsigned>(orc::MemProt::Exec);
      RangeAllocator& region = code ? arena.code : arena.data;
      const uint64_t offset = region.allocate(size ? size : 1, code ? std::max<uint64_t>(segment.Alignment.value(), 64) : segment.Alignment.value());
      if (offset == ~uint64_t{0}) return false;
      allocation.placements.push_back({&arena, code, offset, size ? size : 1});
      char* executor = code ? arena.base + offset : arena.base + kCodeRegionBytes + offset;
      segment.WorkingMem = code ? arena.code_writable + offset : executor;
      segment.Addr = orc::ExecutorAddr::fromPtr(executor);
      // Reused memory holds an earlier block's bytes; zero-fill sections need zeros.
      std::memset(segment.WorkingMem, 0, size);
    }
    return true;
  }

  void release_locked(const Allocation& allocation) {
    for (const Placement& p : allocation.placements)
      (p.code ? p.arena->code : p.arena->data).release(p.offset, p.size);
  }

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Arena>> arenas_;
};

}  // namespace

llvm::Expected<std::unique_ptr<CodeArenaMemoryManager>> make_code_arena() {
  auto arena = map_arena();
  if (!arena) return arena.takeError();
  return std::make_unique<ArenaMemoryManager>(std::move(*arena));
}

}  // namespace orcvm
