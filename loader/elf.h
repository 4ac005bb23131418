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

// Copies the PT_LOAD segments to their physical addresses; returns the entry point.
// Every header field is validated first: a bad file throws LoadError, never crashes.
uint64_t load_elf64(const std::vector<uint8_t>& file, PhysicalMemory& memory);

// The entry contract: 64-bit mode, CPL 0, IF = 0, paging on with all RAM
// identity-mapped by 2 MiB pages, flat GDT (code 0x08, data 0x10), RDI = RAM size.
void enter_long_mode(PhysicalMemory& memory, CpuState& cpu, uint64_t entry);

std::vector<uint8_t> read_file(const std::string& path);

}  // namespace orcvm
