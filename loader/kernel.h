#pragma once
// Picks the loader for a kernel file and sets up the entry state:
//   --load ADDR              a flat binary at ADDR (32-bit protected mode, or real mode)
//   "HdrS" at 0x202          Linux bzImage, the boot protocol's 64-bit (or 32-bit) entry
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
  std::optional<std::string> append;       // --append (multiboot and bzImage)
  std::optional<std::string> module_list;  // --initrd (multiboot: the module list; bzImage: one file)
  std::optional<uint64_t> load_addr;       // --load: the file is a flat binary
  EntryMode entry_mode = EntryMode::Protected;  // --entry-mode (flat binaries only)
  // Reads a module file of at most max_size bytes (loader/elf.h read_file).
  std::function<std::vector<uint8_t>(const std::string& path, uint64_t max_size)> read_module =
      [](const std::string& path, uint64_t max_size) { return read_file(path, max_size); };
  // The physical memory map the platform reports (multiboot mmap, boot_params
  // e820); empty: the address map's (PhysicalAddressMap::memory_map()).
  std::vector<MemoryMapEntry> memory_map;
  // The ACPI RSDP's physical address, for boot_params.acpi_rsdp_addr; 0: none.
  uint64_t acpi_rsdp = 0;
};

enum class KernelFormat { Linux, Multiboot, Elf64, Elf32, Flat };

struct LoadedKernel {
  KernelFormat format;
  uint64_t entry;  // physical (flat real mode: CS * 16 + IP)
};

// Reads the kernel file for load_kernel, bounded: a file larger than RAM is refused
// before it is read, and one whose first bytes (the headers every format keeps
// there) match no format is refused after reading only those.
std::vector<uint8_t> read_kernel_file(const std::string& path, const BootConfig& config, uint64_t ram_size);

// Throws LoadError with a one-line reason; nothing is started on failure.
LoadedKernel load_kernel(const std::vector<uint8_t>& file, const BootConfig& config, PhysicalMemory& memory,
                         CpuState& cpu);

const char* format_name(KernelFormat format);

}  // namespace orcvm
