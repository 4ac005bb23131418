#pragma once
// Where compiled blocks live. LLVM's default JITLink memory manager gives every
// block its own pages, so every block entry sits at page offset 0 and the hot
// entries compete for the same instruction-cache sets (and each block costs an
// iTLB entry). The code arena packs blocks densely instead: one shared-memory
// region mapped twice, writable where the linker writes and executable where the
// code runs, so no page ever changes protection and blocks share pages
// (docs/decisions.md, "Compiled code is packed in a code arena").
#include <llvm/ExecutionEngine/JITLink/JITLinkMemoryManager.h>

#include <cstdint>
#include <memory>

namespace orcvm {

struct CodeArenaUsage {
  uint64_t code_bytes = 0;  // executable bytes in use
  uint64_t data_bytes = 0;  // constant pools, GOT and other non-executable sections
  unsigned arenas = 0;
};

class CodeArenaMemoryManager;

// The memory manager, or an error when the host refuses the double mapping
// (memfd_create or an executable shared mapping not permitted).
llvm::Expected<std::unique_ptr<CodeArenaMemoryManager>> make_code_arena();

class CodeArenaMemoryManager : public llvm::jitlink::JITLinkMemoryManager {
 public:
  virtual CodeArenaUsage usage() const = 0;
};

}  // namespace orcvm
