#pragma once
// Picks the loader for a kernel file and sets up the entry state:
//   --load ADDR              a flat binary at ADDR (32-bit protected mode, or real mode)
//   multiboot header         multiboot v1, as QEMU's -kernel (a.out kludge or ELF32)
//   ELF64                    64-bit long mode (docs/boot-contract.md)
//   ELF32                    32-bit protected mode, paging off
// docs/loaders.md has the order of the checks and each entry contract.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loader/boot_state.h"

namespace orcvm {

enum class EntryMode { Protected, Real };

struct BootConfig {
  std::string kernel_path;
  std::optional<std::string> append;       // --append (multiboot only)
  std::optional<std::string> module_list;  // --initrd (multiboot only)
  std::optional<uint64_t> load_addr;       // --load: the file is a flat binary
  EntryMode entry_mode = EntryMode::Protected;  // --entry-mode (flat binaries only)
  std::function<std::vector<uint8_t>(const std::string&)> read_module = read_file;
  // The physical memory map the platform reports (multiboot mmap); empty: pc_memory_map().
  std::vector<MemoryMapEntry> memory_map;
};

enum class KernelFormat { Multiboot, Elf64, Elf32, Flat };

struct LoadedKernel {
  KernelFormat format;
  uint64_t entry;  // physical (flat real mode: CS * 16 + IP)
};

// Throws LoadError with a one-line reason; nothing is started on failure.
LoadedKernel load_kernel(const std::vector<uint8_t>& file, const BootConfig& config, PhysicalMemory& memory,
                         CpuState& cpu);

const char* format_name(KernelFormat format);

}  // namespace orcvm
