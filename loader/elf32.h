#pragma once
// ELF32 executables for i386: parsed and validated once, then copied into RAM.
// Used by the multiboot loader (ELF kernels) and for plain ELF32 kernels.
#include <cstdint>
#include <vector>

#include "loader/boot_state.h"

namespace orcvm {

struct Elf32Segment {
  unsigned index;  // in the program header table, for messages
  uint32_t offset, vaddr, paddr, filesz, memsz, flags;
};

struct Elf32Image {
  // e_entry, or, as QEMU's load_elf does, its physical address when an executable
  // segment whose p_vaddr differs from p_paddr holds it (higher-half kernels).
  uint32_t entry;
  uint64_t low, high;  // lowest p_paddr and highest p_paddr + p_memsz of the loaded segments
  std::vector<Elf32Segment> segments;  // the PT_LOAD segments with p_memsz > 0
};

// True for files that start with the ELF magic and say ELFCLASS32 / ELFCLASS64.
bool is_elf32(const std::vector<uint8_t>& file);
bool is_elf64(const std::vector<uint8_t>& file);

// Validates the ELF header, the program header table and each PT_LOAD segment
// against the file (throws LoadError with a one-line reason).
Elf32Image parse_elf32(const std::vector<uint8_t>& file);

// Checks every segment against RAM and the reserved ranges, then copies it to
// p_paddr and zeroes its tail up to p_memsz.
void load_elf32_segments(const std::vector<uint8_t>& file, const Elf32Image& image, PhysicalMemory& memory,
                         const std::vector<ReservedRange>& reserved);

}  // namespace orcvm
