#include "loader/multiboot.h"

#include <cstring>

#include "loader/elf32.h"

namespace orcvm {

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kFourGiB = 1ull << 32;
constexpr uint32_t kModuleStructSize = 16;
constexpr uint32_t kMmapEntrySize = 24;  // the size field and a 20-byte e820 entry

uint32_t load32(const std::vector<uint8_t>& file, size_t offset) {
  uint32_t v;
  std::memcpy(&v, file.data() + offset, 4);
  return v;
}

uint64_t page_align(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

// Boot areas a multiboot kernel and its modules must not cover.
const std::vector<ReservedRange>& multiboot_reserved() {
  static const std::vector<ReservedRange> ranges = {
      {kMultibootMmapAddr, kMultibootInfoAddr + kMultibootInfoSize, "the multiboot memory map and information"},
      {kLegacyHoleStart, kLegacyHoleEnd, "the VGA and BIOS area"},
  };
  return ranges;
}

// Where the kernel comes from in the file and where it goes.
struct KernelImage {
  uint32_t load_addr = 0, entry = 0;
  uint64_t size = 0;  // in memory, including bss
  // a.out kludge: one contiguous copy
  uint64_t file_offset = 0, file_size = 0;
  std::optional<Elf32Image> elf;
};

KernelImage aout_image(const std::vector<uint8_t>& file, const MultibootHeader& h) {
  const std::string at = "multiboot header at offset " + to_hex(h.offset) + ": ";
  if (h.header_addr < h.load_addr)
    throw LoadError(at + "header_addr " + to_hex(h.header_addr) + " is below load_addr " + to_hex(h.load_addr));
  if (h.header_addr - h.load_addr > h.offset)
    throw LoadError(at + "header_addr " + to_hex(h.header_addr) + " - load_addr " + to_hex(h.load_addr) +
                    " exceeds the header's file offset");
  KernelImage k;
  k.load_addr = h.load_addr;
  k.entry = h.entry_addr;
  k.file_offset = h.offset - (h.header_addr - h.load_addr);
  if (h.load_end_addr != 0) {
    if (h.load_end_addr < h.load_addr)
      throw LoadError(at + "load_end_addr " + to_hex(h.load_end_addr) + " is below load_addr " + to_hex(h.load_addr));
    k.file_size = h.load_end_addr - h.load_addr;
  } else {
    k.file_size = file.size() - k.file_offset;
  }
  if (k.file_size > file.size() - k.file_offset)
    throw LoadError(at + "the image to load (" + to_hex(k.file_size) + " bytes from file offset " +
                    to_hex(k.file_offset) + ") lies outside the file (truncated?)");
  if (k.file_size > 0xffffffffull - h.load_addr)
    throw LoadError(at + "the kernel does not fit below 4 GiB");
  k.size = k.file_size;
  if (h.bss_end_addr != 0) {
    if (h.bss_end_addr < h.load_addr + k.file_size)
      throw LoadError(at + "bss_end_addr " + to_hex(h.bss_end_addr) + " is below the end of the loaded image " +
                      to_hex(h.load_addr + k.file_size));
    k.size = h.bss_end_addr - h.load_addr;
  }
  if (k.size == 0) throw LoadError(at + "the kernel image is empty");
  if (h.entry_addr < h.load_addr || h.entry_addr - h.load_addr >= k.size)
    throw LoadError(at + "entry_addr " + to_hex(h.entry_addr) + " is outside the kernel image " +
                    to_hex(h.load_addr) + "-" + to_hex(h.load_addr + k.size));
  return k;
}

KernelImage elf_image(const std::vector<uint8_t>& file) {
  if (is_elf64(file)) throw LoadError("cannot load a 64-bit ELF image as a multiboot kernel, give a 32-bit one");
  if (!is_elf32(file))
    throw LoadError("the multiboot header has no a.out kludge (flag 16) and the file is not an ELF32 image");
  Elf32Image elf = parse_elf32(file);
  KernelImage k;
  k.load_addr = static_cast<uint32_t>(elf.low);
  k.entry = elf.entry;
  k.size = elf.high - elf.low;
  k.elf = std::move(elf);
  return k;
}

void put32(PhysicalMemory& memory, uint64_t paddr, uint32_t value) {
  write_guest(memory, "the multiboot information", paddr, &value, 4);
}
void put64(PhysicalMemory& memory, uint64_t paddr, uint64_t value) {
  write_guest(memory, "the multiboot information", paddr, &value, 8);
}
void put_string(PhysicalMemory& memory, uint64_t paddr, const std::string& s) {
  write_guest(memory, "a multiboot string", paddr, s.c_str(), s.size() + 1);
}

}  // namespace

std::optional<MultibootHeader> find_multiboot_header(const std::vector<uint8_t>& file) {
  for (size_t i = 0; i < kMultibootSearchEnd && i + 12 <= file.size(); i += 4) {
    if (load32(file, i) != kMultibootHeaderMagic) continue;
    const uint32_t flags = load32(file, i + 4);
    if (kMultibootHeaderMagic + flags + load32(file, i + 8) != 0) continue;
    MultibootHeader h{static_cast<uint32_t>(i), flags};
    if (flags & kMultibootFlagAout) {
      if (i + 32 > file.size())
        throw LoadError("multiboot header at offset " + to_hex(i) +
                        ": the a.out kludge fields lie outside the file (truncated?)");
      h.header_addr = load32(file, i + 12);
      h.load_addr = load32(file, i + 16);
      h.load_end_addr = load32(file, i + 20);
      h.bss_end_addr = load32(file, i + 24);
      h.entry_addr = load32(file, i + 28);
    }
    return h;
  }
  return std::nullopt;
}

std::vector<std::string> split_module_list(const std::string& list) {
  std::vector<std::string> entries(1);
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] != ',') {
      entries.back() += list[i];
    } else if (i + 1 < list.size() && list[i + 1] == ',') {
      entries.back() += ',';
      ++i;
    } else {
      entries.emplace_back();
    }
  }
  return entries;
}

MultibootLayout load_multiboot(const std::vector<uint8_t>& file, const MultibootHeader& header,
                               const MultibootConfig& config, PhysicalMemory& memory) {
  const KernelImage kernel = (header.flags & kMultibootFlagAout) ? aout_image(file, header) : elf_image(file);
  const auto& reserved = multiboot_reserved();
  if (kernel.elf)
    for (const Elf32Segment& s : kernel.elf->segments)
      check_placement(memory, "kernel segment " + std::to_string(s.index), s.paddr, s.memsz, reserved);
  else
    check_placement(memory, "kernel", kernel.load_addr, kernel.size, reserved);

  // QEMU's buffer: the kernel, then (page-aligned) the module structures, the
  // module command lines, the kernel command line and the loader name, then each
  // module on its own page.
  const std::vector<std::string> module_entries =
      config.module_list ? split_module_list(*config.module_list) : std::vector<std::string>{};
  const std::string cmdline = config.kernel_path + " " + config.append;
  const uint64_t cmdline_area = cmdline.size() + 1 + (config.module_list ? config.module_list->size() + 1 : 0);
  const uint64_t offset_mods = page_align(kernel.size);
  const uint64_t offset_cmdlines = offset_mods + kModuleStructSize * module_entries.size();
  const uint64_t offset_loader_name = offset_cmdlines + cmdline_area;
  uint64_t size = page_align(offset_loader_name + config.boot_loader_name.size() + 1);

  std::vector<std::vector<uint8_t>> module_data;
  std::vector<uint64_t> module_offsets;
  for (const std::string& entry : module_entries) {
    const std::string path = entry.substr(0, entry.find(' '));
    std::vector<uint8_t> data;
    try {
      data = config.read_module(path, memory.ram_size());
    } catch (const LoadError& e) {
      throw LoadError("module '" + path + "': " + e.what());
    }
    module_offsets.push_back(size);
    size = page_align(size + data.size());
    module_data.push_back(std::move(data));
  }
  if (kernel.load_addr + size > kFourGiB)
    throw LoadError("the kernel, its boot information and modules (" + to_hex(kernel.load_addr) + "-" +
                    to_hex(kernel.load_addr + size) + ") do not fit below 4 GiB");
  check_placement(memory, "the multiboot modules and command lines", kernel.load_addr + offset_mods,
                  size - offset_mods, reserved);
  const std::vector<MemoryMapEntry> map = reported_memory_map(config.memory_map, memory);
  if (map.size() * kMmapEntrySize > kMultibootInfoAddr - kMultibootMmapAddr)
    throw LoadError("the memory map does not fit below the multiboot information");

  // Everything is checked: write.
  if (kernel.elf) {
    load_elf32_segments(file, *kernel.elf, memory, reserved);
  } else {
    write_guest(memory, "the kernel", kernel.load_addr, file.data() + kernel.file_offset, kernel.file_size);
    fill_guest(memory, "the kernel", kernel.load_addr + kernel.file_size, 0, kernel.size - kernel.file_size);
  }
  fill_guest(memory, "the multiboot modules", kernel.load_addr + kernel.size, 0, size - kernel.size);

  MultibootLayout layout{};
  layout.entry = kernel.entry;
  layout.load_addr = kernel.load_addr;
  layout.kernel_end = static_cast<uint32_t>(kernel.load_addr + kernel.size);
  layout.mods_addr = static_cast<uint32_t>(kernel.load_addr + offset_mods);
  layout.end = static_cast<uint32_t>(kernel.load_addr + size);
  uint64_t next_cmdline = kernel.load_addr + offset_cmdlines;
  for (size_t n = 0; n < module_entries.size(); ++n) {
    const uint64_t start = kernel.load_addr + module_offsets[n];
    const uint64_t end = start + module_data[n].size();
    write_guest(memory, "module " + std::to_string(n), start, module_data[n].data(), module_data[n].size());
    put_string(memory, next_cmdline, module_entries[n]);
    const uint64_t mod = layout.mods_addr + n * kModuleStructSize;
    put32(memory, mod + 0, static_cast<uint32_t>(start));
    put32(memory, mod + 4, static_cast<uint32_t>(end));
    put32(memory, mod + 8, static_cast<uint32_t>(next_cmdline));
    put32(memory, mod + 12, 0);
    next_cmdline += module_entries[n].size() + 1;
    layout.modules.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(end));
  }
  layout.cmdline_addr = static_cast<uint32_t>(next_cmdline);
  put_string(memory, next_cmdline, cmdline);
  layout.boot_loader_name_addr = static_cast<uint32_t>(kernel.load_addr + offset_loader_name);
  put_string(memory, layout.boot_loader_name_addr, config.boot_loader_name);

  // The memory map, as the option ROM builds it from e820 at 0x9000, and
  // mem_upper as it derives it: RAM contiguous from 1 MiB.
  uint64_t mmap = kMultibootMmapAddr;
  for (const MemoryMapEntry& e : map) {
    put32(memory, mmap, 20);
    put64(memory, mmap + 4, e.base);
    put64(memory, mmap + 12, e.length);
    put32(memory, mmap + 20, e.type);
    mmap += kMmapEntrySize;
  }
  uint64_t upper_end = 0x100000;
  for (bool grew = true; grew;) {
    grew = false;
    for (const MemoryMapEntry& e : map)
      if (e.type == kE820Ram && e.base < kFourGiB && e.base <= upper_end && upper_end < e.base + e.length) {
        upper_end = e.base + e.length;
        grew = true;
      }
  }
  const uint32_t mem_lower = map.front().type == kE820Ram && map.front().base == 0
                                 ? static_cast<uint32_t>(map.front().length >> 10) : 0;

  const uint64_t info = kMultibootInfoAddr;
  fill_guest(memory, "the multiboot information", info, 0, kMultibootInfoSize);
  put32(memory, info + 0, kMultibootInfoFlags);
  put32(memory, info + 4, mem_lower);
  put32(memory, info + 8, static_cast<uint32_t>((upper_end - 0x100000) >> 10));
  put32(memory, info + 12, kMultibootBootDevice);
  put32(memory, info + 16, layout.cmdline_addr);
  put32(memory, info + 20, static_cast<uint32_t>(module_entries.size()));
  put32(memory, info + 24, layout.mods_addr);
  put32(memory, info + 44, static_cast<uint32_t>(map.size() * kMmapEntrySize));
  put32(memory, info + 48, kMultibootMmapAddr);
  put32(memory, info + 64, layout.boot_loader_name_addr);
  return layout;
}

void enter_multiboot(PhysicalMemory& memory, CpuState& cpu, uint32_t entry) {
  EntryRegisters32 regs;
  regs.eax = kMultibootBootloaderMagic;
  regs.ebx = kMultibootInfoAddr;
  regs.ecx = entry;  // the option ROM jumps through ECX
  regs.eflags = 0x6;  // PF from the option ROM's last comparison; IF = 0, DF = 0
  enter_protected_mode_flat(memory, cpu, entry, regs);
}

}  // namespace orcvm
