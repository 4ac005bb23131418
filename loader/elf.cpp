#include "loader/elf.h"

#include "loader/boot_state.h"
#include "runtime/vcpu/cpu_model.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace orcvm {

namespace {

// The fields of the ELF64 headers that orcvm reads (System V ABI, little endian).
struct Elf64Header {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Elf64ProgramHeader {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(Elf64Header) == 64 && sizeof(Elf64ProgramHeader) == 56);

constexpr uint16_t kTypeExec = 2, kMachineX86_64 = 62;
constexpr uint32_t kProgramLoad = 1;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path, uint64_t max_size, uint64_t prefix) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) throw LoadError("'" + path + "' is not a readable file");
  const uint64_t size = std::filesystem::file_size(path, error);
  if (error) throw LoadError("cannot measure '" + path + "'");
  if (size > max_size)
    throw LoadError("'" + path + "' is " + std::to_string(size) + " bytes, more than the guest's " +
                    std::to_string(max_size) + " bytes of RAM (use -m)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LoadError("cannot open '" + path + "'");
  std::vector<uint8_t> bytes(std::min(size, prefix));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) throw LoadError("cannot read '" + path + "'");
  return bytes;
}

void check_load_segment(const SegmentPlacement& s, uint64_t file_size, const std::vector<SegmentPlacement>& earlier) {
  const std::string where = "segment " + std::to_string(s.index);
  if (s.filesz > s.memsz) throw LoadError(where + ": file size exceeds memory size");
  if (s.offset > file_size || s.filesz > file_size - s.offset)
    throw LoadError(where + ": data lies outside the file (truncated?)");
  for (const SegmentPlacement& other : earlier)
    if (s.paddr < other.paddr + other.memsz && other.paddr < s.paddr + s.memsz)
      throw LoadError(where + " overlaps segment " + std::to_string(other.index));
}

uint64_t load_elf64(const std::vector<uint8_t>& file, PhysicalMemory& memory) {
  if (file.size() < sizeof(Elf64Header) || std::memcmp(file.data(), "\x7f" "ELF", 4) != 0)
    throw LoadError("not an ELF file");
  Elf64Header h;
  std::memcpy(&h, file.data(), sizeof h);
  if (h.ident[4] != 2) throw LoadError("not a 64-bit ELF file (ELF32 kernels need multiboot)");
  if (h.ident[5] != 1) throw LoadError("not a little-endian ELF file");
  if (h.type != kTypeExec) throw LoadError("not an ELF executable (e_type " + std::to_string(h.type) + ")");
  if (h.machine != kMachineX86_64) throw LoadError("not an x86-64 ELF file (e_machine " + std::to_string(h.machine) + ")");
  if (h.phentsize != sizeof(Elf64ProgramHeader)) throw LoadError("bad program header size");
  if (h.phoff > file.size() || uint64_t{h.phnum} * sizeof(Elf64ProgramHeader) > file.size() - h.phoff)
    throw LoadError("program headers lie outside the file (truncated?)");

  bool entry_loaded = false;
  std::vector<SegmentPlacement> placed;
  for (unsigned n = 0; n < h.phnum; ++n) {
    Elf64ProgramHeader ph;
    std::memcpy(&ph, file.data() + h.phoff + n * sizeof ph, sizeof ph);
    if (ph.type != kProgramLoad || ph.memsz == 0) continue;
    const std::string where = "segment " + std::to_string(n);
    if (ph.paddr + ph.memsz < ph.paddr) throw LoadError(where + " at " + hex(ph.paddr) + " wraps around");
    const SegmentPlacement placement{n, ph.offset, ph.filesz, ph.paddr, ph.memsz};
    check_load_segment(placement, file.size(), placed);
    placed.push_back(placement);
    uint8_t* segment = guest_ram(memory, where, ph.paddr, ph.memsz);
    if (ph.paddr < kBootAreaEnd && ph.paddr + ph.memsz > kBootAreaStart)
      throw LoadError(where + " overlaps the boot page tables at " + hex(kBootAreaStart) + "-" + hex(kBootAreaEnd));
    std::memcpy(segment, file.data() + ph.offset, ph.filesz);
    std::memset(segment + ph.filesz, 0, ph.memsz - ph.filesz);
    if (h.entry >= ph.paddr && h.entry < ph.paddr + ph.memsz) entry_loaded = true;
  }
  if (!entry_loaded) throw LoadError("entry point " + hex(h.entry) + " is not inside a loaded segment");
  return h.entry;
}

void enter_long_mode(PhysicalMemory& memory, CpuState& cpu, uint64_t entry) {
  // Null, 64-bit code (0x08), data (0x10), all DPL 0, right after the page tables.
  static constexpr uint64_t descriptors[] = {0, 0x00af9b000000ffffull, 0x00cf93000000ffffull};
  constexpr uint64_t gdt = 0x7000;
  static_assert(kIdentityPageTablesStart == kBootAreaStart && gdt >= kIdentityPageTablesEnd &&
                gdt + sizeof descriptors <= kBootAreaEnd);
  const uint64_t cr3 = write_identity_page_tables(memory);
  cpu = CpuState{};
  cpu.rip = entry;
  cpu.set_rflags(rflags::Fixed1);
  cpu.gpr[RDI] = memory.address_map().ram_size();
  cpu.cr0 = cr0::PE | cr0::MP | cr0::ET | cr0::NE | cr0::WP | cr0::PG;
  cpu.efer = efer::NXE;
  enter_flat_long_mode(memory, cpu, cr3, {gdt, descriptors, 0x08, 0x10});
  cpu.tr = SegmentReg{0, 0x67, 0, 0x8b};
  cpu.pat = 0x0007040600070406ull;
  cpu.misc_enable = misc_enable::kPowerOn;
}

}  // namespace orcvm
