#pragma once
// Multiboot v1 (specification 0.6.96) kernels, loaded and started the way QEMU
// 7.2's -kernel does it (hw/i386/multiboot.c and the multiboot option ROM under
// SeaBIOS). docs/loaders.md describes the layout and the entry state.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loader/boot_state.h"

namespace orcvm {

constexpr uint32_t kMultibootHeaderMagic = 0x1badb002;
constexpr uint32_t kMultibootBootloaderMagic = 0x2badb002;
// QEMU scans the first 8192 bytes for a header at a 4-byte aligned offset below 8192 - 48.
constexpr uint32_t kMultibootSearchEnd = 8192 - 48;
constexpr uint32_t kMultibootFlagAout = 1u << 16;  // the a.out kludge: load addresses in the header
constexpr uint32_t kMultibootFlagVideo = 1u << 2;
// Where the option ROM writes the memory map and the information structure.
constexpr uint32_t kMultibootMmapAddr = 0x9000;
constexpr uint32_t kMultibootInfoAddr = 0x9500;
constexpr uint32_t kMultibootInfoSize = 88;
// Info flags QEMU sets: mem_*, boot_device, cmdline, mods, mmap, boot_loader_name.
constexpr uint32_t kMultibootInfoFlags = 0x24f;
constexpr uint32_t kMultibootBootDevice = 0x8000ffff;

struct MultibootHeader {
  uint32_t offset;  // of the magic in the file
  uint32_t flags;
  // The a.out kludge fields; read only when flags has kMultibootFlagAout.
  uint32_t header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;
};

// The first header whose checksum is right, or nullopt. Throws LoadError only when
// a header with the a.out kludge is cut off by the end of the file.
std::optional<MultibootHeader> find_multiboot_header(const std::vector<uint8_t>& file);

// QEMU's -initrd syntax: modules separated by ',', with ",," for a literal comma;
// each entry is "FILE[ ARGUMENTS]" and becomes the module's command line as a whole.
std::vector<std::string> split_module_list(const std::string& list);

struct MultibootConfig {
  std::string kernel_path;  // as given on the command line: QEMU's command line starts with it
  std::string append;       // --append
  std::optional<std::string> module_list;  // --initrd
  std::string boot_loader_name = "qemu";
  // Reads a module file of at most max_size bytes (loader/elf.h read_file).
  std::function<std::vector<uint8_t>(const std::string& path, uint64_t max_size)> read_module =
      [](const std::string& path, uint64_t max_size) { return read_file(path, max_size); };
  // The map to report (the platform's e820); empty: pc_memory_map(RAM size).
  std::vector<MemoryMapEntry> memory_map;
};

struct MultibootLayout {
  uint32_t entry;
  uint32_t load_addr, kernel_end;  // [load_addr, kernel_end): the image including bss
  uint32_t mods_addr;              // module structures, then the command lines and the loader name
  uint32_t cmdline_addr, boot_loader_name_addr;
  uint32_t end;                    // page-aligned end of everything the loader placed above the kernel
  std::vector<std::pair<uint32_t, uint32_t>> modules;  // [start, end) of each module
};

// Loads the kernel, its modules and the boot information into RAM, after checking
// every header field and that everything fits in RAM clear of the boot areas.
MultibootLayout load_multiboot(const std::vector<uint8_t>& file, const MultibootHeader& header,
                               const MultibootConfig& config, PhysicalMemory& memory);

// The entry state: see enter_protected_mode_flat, with EAX = 0x2badb002, EBX = the
// information structure (0x9500), ECX = the entry point, ESP = 0x6f08, EFLAGS = 0x6.
void enter_multiboot(PhysicalMemory& memory, CpuState& cpu, uint32_t entry);

}  // namespace orcvm
