#pragma once
// ELF64 executables, started per orcvm's entry contract (docs/boot-contract.md).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/softmmu/memory.h"
#include "runtime/vcpu/cpu_state.h"

namespace orcvm {

struct LoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Physical pages [kBootAreaStart, kBootAreaEnd) hold the boot GDT and page tables.
constexpr uint64_t kBootAreaStart = 0x1000;
constexpr uint64_t kBootAreaEnd = 0x8000;

// A PT_LOAD segment's place in the file and in physical memory, for the checks
// both ELF loaders share.
struct SegmentPlacement {
  unsigned index;  // in the program header table, for messages
  uint64_t offset, filesz, paddr, memsz;
};
// Throws LoadError unless the segment's file size is within its memory size, its
// data lies inside the file, and it overlaps none of the earlier segments.
void check_load_segment(const SegmentPlacement& segment, uint64_t file_size,
                        const std::vector<SegmentPlacement>& earlier);

// Copies the PT_LOAD segments to their physical addresses; returns the entry point.
// Every header field is validated first: a bad file throws LoadError, never crashes.
uint64_t load_elf64(const std::vector<uint8_t>& file, PhysicalMemory& memory);

// The entry contract: 64-bit mode, CPL 0, IF = 0, paging on with all RAM
// identity-mapped by 2 MiB pages, flat GDT (code 0x08, data 0x10), RDI = RAM size.
void enter_long_mode(PhysicalMemory& memory, CpuState& cpu, uint64_t entry);

// Reads the first `prefix` bytes of a file (all of it by default). The file is
// measured first: one larger than max_size (the guest's RAM) is refused before
// anything is read.
std::vector<uint8_t> read_file(const std::string& path, uint64_t max_size, uint64_t prefix = ~uint64_t{0});

}  // namespace orcvm
