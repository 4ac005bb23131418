#include "loader/elf32.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace orcvm {

namespace {

struct Elf32Header {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version, entry, phoff, shoff, flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Elf32ProgramHeader {
  uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
static_assert(sizeof(Elf32Header) == 52 && sizeof(Elf32ProgramHeader) == 32);

constexpr uint16_t kTypeExec = 2, kMachine386 = 3;
constexpr uint32_t kProgramLoad = 1, kFlagExecute = 1;

bool has_elf_magic(const std::vector<uint8_t>& file) {
  return file.size() >= 16 && std::memcmp(file.data(), "\x7f" "ELF", 4) == 0;
}

}  // namespace

bool is_elf32(const std::vector<uint8_t>& file) { return has_elf_magic(file) && file[4] == 1; }
bool is_elf64(const std::vector<uint8_t>& file) { return has_elf_magic(file) && file[4] == 2; }

Elf32Image parse_elf32(const std::vector<uint8_t>& file) {
  if (file.size() < sizeof(Elf32Header) || !has_elf_magic(file)) throw LoadError("not an ELF file");
  Elf32Header h;
  std::memcpy(&h, file.data(), sizeof h);
  if (h.ident[4] != 1) throw LoadError("not a 32-bit ELF file");
  if (h.ident[5] != 1) throw LoadError("not a little-endian ELF file");
  if (h.type != kTypeExec) throw LoadError("not an ELF executable (e_type " + std::to_string(h.type) + ")");
  if (h.machine != kMachine386)
    throw LoadError("not an i386 ELF file (e_machine " + std::to_string(h.machine) + ")");
  if (h.phentsize != sizeof(Elf32ProgramHeader))
    throw LoadError("bad program header size (e_phentsize " + std::to_string(h.phentsize) + ", want 32)");
  if (h.phoff > file.size() || uint64_t{h.phnum} * sizeof(Elf32ProgramHeader) > file.size() - h.phoff)
    throw LoadError("program headers lie outside the file (truncated?)");

  Elf32Image image{h.entry, ~0ull, 0, {}};
  bool entry_translated = false;
  std::vector<SegmentPlacement> placed;
  for (unsigned n = 0; n < h.phnum; ++n) {
    Elf32ProgramHeader ph;
    std::memcpy(&ph, file.data() + h.phoff + n * sizeof ph, sizeof ph);
    if (ph.type != kProgramLoad || ph.memsz == 0) continue;
    const std::string where = "segment " + std::to_string(n);
    const SegmentPlacement placement{n, ph.offset, ph.filesz, ph.paddr, ph.memsz};
    check_load_segment(placement, file.size(), placed);
    placed.push_back(placement);
    if (uint64_t{ph.paddr} + ph.memsz > (1ull << 32))
      throw LoadError(where + " at " + to_hex(ph.paddr) + " (+" + to_hex(ph.memsz) + ") wraps around 4 GiB");
    // QEMU's load_elf: the entry is virtual; map it through the executable segment holding it.
    if (!entry_translated && ph.vaddr != ph.paddr && (ph.flags & kFlagExecute) && h.entry >= ph.vaddr &&
        h.entry - ph.vaddr < ph.filesz) {
      image.entry = h.entry - ph.vaddr + ph.paddr;
      entry_translated = true;
    }
    image.segments.push_back({n, ph.offset, ph.vaddr, ph.paddr, ph.filesz, ph.memsz, ph.flags});
    image.low = std::min<uint64_t>(image.low, ph.paddr);
    image.high = std::max<uint64_t>(image.high, uint64_t{ph.paddr} + ph.memsz);
  }
  if (image.segments.empty()) throw LoadError("no loadable segment");
  bool entry_loaded = false;
  for (const Elf32Segment& s : image.segments)
    if (image.entry >= s.paddr && image.entry - s.paddr < s.memsz) entry_loaded = true;
  if (!entry_loaded) throw LoadError("entry point " + to_hex(image.entry) + " is not inside a loaded segment");
  return image;
}

void load_elf32_segments(const std::vector<uint8_t>& file, const Elf32Image& image, PhysicalMemory& memory,
                         const std::vector<ReservedRange>& reserved) {
  for (const Elf32Segment& s : image.segments)
    check_placement(memory, "segment " + std::to_string(s.index), s.paddr, s.memsz, reserved);
  for (const Elf32Segment& s : image.segments) {
    const std::string what = "segment " + std::to_string(s.index);
    write_guest(memory, what, s.paddr, file.data() + s.offset, s.filesz);
    fill_guest(memory, what, s.paddr + s.filesz, 0, s.memsz - s.filesz);
  }
}

}  // namespace orcvm
