#include "loader/linux_boot.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace orcvm {

namespace {

constexpr uint64_t kOneMiB = 1ull << 20;
constexpr uint64_t kFourGiB = PhysicalAddressMap::kFourGiB;
constexpr uint64_t kEntry64Offset = 0x200;  // startup_64 in the protected-mode kernel; part of the ABI
constexpr uint16_t kBootFlag = 0xaa55;
constexpr uint8_t kShortJump = 0xeb;
constexpr uint8_t kLoaderUndefined = 0xff;  // type_of_loader: a loader without an assigned ID
// Nothing runs the real-mode setup code, so no setup heap exists; this is the value
// QEMU and GRUB report for a 64 KiB setup segment (its end, less the 0x200 the
// protocol subtracts).
constexpr uint16_t kHeapEndPtr = 0xfe00;

// The GDTs of the two entries: __BOOT_CS is 64-bit code for the 64-bit entry and
// 32-bit code for the 32-bit one; __BOOT_DS is flat data. Accessed bits set, as
// the CPU would have set them loading the selectors.
constexpr uint64_t kGdt64[] = {0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull};
constexpr uint64_t kGdt32[] = {0, 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull};

// The low-memory layout of linux_boot.h, in order and below the EBDA.
static_assert(kLinuxGdtAddr >= kIdentityPageTablesEnd && kLinuxGdtAddr + sizeof kGdt64 < kLinuxStackTop);
static_assert(kLinuxStackTop <= kLinuxZeroPageAddr && kLinuxZeroPageAddr + kLinuxZeroPageSize <= kLinuxCmdlineAddr);
static_assert(kLinuxCmdlineAreaEnd <= PhysicalAddressMap::kEbdaStart);
static_assert(kLinuxBootCs + 8 <= sizeof kGdt64 && kLinuxBootDs + 8 <= sizeof kGdt64);

template <class T>
T load(const std::vector<uint8_t>& file, size_t offset) {
  T value;
  std::memcpy(&value, file.data() + offset, sizeof value);
  return value;
}

template <class T>
void store(std::array<uint8_t, kLinuxZeroPageSize>& page, size_t offset, T value) {
  std::memcpy(page.data() + offset, &value, sizeof value);
}

std::string protocol_version(uint16_t version) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%02u", version >> 8, version & 0xff);
  return buf;
}

uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

// "-m NM": enough RAM for [0, end) to be usable, given the firmware tables
// PhysicalAddressMap reserves at the top of low RAM.
std::string ram_hint(uint64_t end) {
  const uint64_t needed = end + PhysicalAddressMap::kFirmwareHighTables;
  if (needed > PhysicalAddressMap::kLowRamWhenSplit) return "more than orcvm has below 4 GiB";
  return "use -m " + std::to_string((needed + kOneMiB - 1) / kOneMiB) + "M or more";
}

// Whether [start, start + size) lies inside one RAM entry of the map, below 4 GiB.
bool in_ram_entry(const std::vector<MemoryMapEntry>& map, const PhysicalMemory& memory, uint64_t start, uint64_t size) {
  if (start >= kFourGiB || size > kFourGiB - start) return false;
  for (const MemoryMapEntry& e : map)
    if (e.type == kE820Ram && e.base <= start && start + size <= e.base + e.length) return memory.is_ram(start, size);
  return false;
}

// The version from which the header holds each field the loader reads, and so
// where it must reach at least.
uint32_t required_header_end(uint16_t version) {
  return version >= 0x020a ? bp::kInitSize + 4 : bp::kCmdlineSize + 4;
}

// The highest page-aligned place for size bytes in a RAM entry of the map, at or
// above floor and ending at or below limit; 0 when there is none (floor >= 1 MiB).
uint64_t highest_fit(const std::vector<MemoryMapEntry>& map, const PhysicalMemory& memory, uint64_t floor,
                     uint64_t limit, uint64_t size) {
  uint64_t best = 0;
  for (const MemoryMapEntry& e : map) {
    if (e.type != kE820Ram) continue;
    const uint64_t lo = std::max(e.base, floor), hi = std::min(e.base + e.length, limit);
    if (hi <= lo || hi - lo < size) continue;
    const uint64_t start = (hi - size) & kPageMask;
    if (start >= lo && memory.is_ram(start, size)) best = std::max(best, start);
  }
  return best;
}

}  // namespace

LinuxSetupHeader parse_linux_setup_header(const std::vector<uint8_t>& file) {
  if (file.size() < bp::kVersion + 2)
    throw LoadError("the bzImage ends at " + to_hex(file.size()) + ", inside its setup header (truncated?)");
  if (std::memcmp(file.data() + bp::kHeaderMagic, "HdrS", 4) != 0)
    throw LoadError("no \"HdrS\" at 0x202: not a Linux bzImage");
  const uint16_t boot_flag = load<uint16_t>(file, bp::kBootFlag);
  if (boot_flag != kBootFlag)
    throw LoadError("bad boot flag " + to_hex(boot_flag) + " at 0x1fe (want 0xaa55): a corrupt bzImage");
  LinuxSetupHeader h{};
  h.version = load<uint16_t>(file, bp::kVersion);
  if (h.version < 0x0206)
    throw LoadError("boot protocol version " + protocol_version(h.version) +
                    " is too old (orcvm needs a bzImage of protocol 2.06 or later)");
  if (file[bp::kJump] != kShortJump)
    throw LoadError("no short jump at 0x200, so the setup header's length is unknown: a corrupt bzImage");
  h.header_end = bp::kJump + 2 + file[bp::kJump + 1];
  if (h.header_end < required_header_end(h.version))
    throw LoadError("the setup header ends at " + to_hex(h.header_end) + " (the jump at 0x200), before the " +
                    to_hex(required_header_end(h.version)) + " that protocol " + protocol_version(h.version) + " needs");
  if (h.header_end > bp::kSetupHeaderLimit)
    throw LoadError("the setup header ends at " + to_hex(h.header_end) + " (the jump at 0x200), beyond its room in "
                    "boot_params (0x290)");
  if (file.size() < h.header_end)
    throw LoadError("the bzImage ends at " + to_hex(file.size()) + ", inside its setup header (truncated?)");

  const unsigned setup_sects = file[bp::kSetupSects] ? file[bp::kSetupSects] : 4;
  h.kernel_offset = (setup_sects + 1) * 512ull;
  if (h.kernel_offset >= file.size())
    throw LoadError("setup_sects " + std::to_string(setup_sects) + " puts the protected-mode kernel at file offset " +
                    to_hex(h.kernel_offset) + ", but the file has only " + to_hex(file.size()) + " bytes (truncated?)");
  h.kernel_size = file.size() - h.kernel_offset;
  const uint64_t declared_size = uint64_t{load<uint32_t>(file, bp::kSyssize)} * 16;
  if (declared_size > h.kernel_size)
    throw LoadError("the protected-mode kernel has " + to_hex(h.kernel_size) + " bytes, fewer than the " +
                    to_hex(declared_size) + " that syssize declares (truncated?)");

  h.loadflags = file[bp::kLoadflags];
  if (!(h.loadflags & bp::kLoadedHigh))
    throw LoadError("loadflags " + to_hex(h.loadflags) + " lack LOADED_HIGH: a zImage (loaded at 0x10000) is not supported");
  h.code32_start = load<uint32_t>(file, bp::kCode32Start);
  h.initrd_addr_max = load<uint32_t>(file, bp::kInitrdAddrMax);
  h.relocatable = file[bp::kRelocatableKernel] != 0;
  h.kernel_alignment = load<uint32_t>(file, bp::kKernelAlignment);
  if (h.relocatable && (h.kernel_alignment == 0 || (h.kernel_alignment & (h.kernel_alignment - 1)) != 0))
    throw LoadError("kernel_alignment " + to_hex(h.kernel_alignment) + " of a relocatable kernel is not a power of two");
  h.xloadflags = h.version >= 0x020c ? load<uint16_t>(file, bp::kXloadflags) : 0;
  h.cmdline_size = load<uint32_t>(file, bp::kCmdlineSize);
  if (h.version >= 0x020a) {
    h.pref_address = load<uint64_t>(file, bp::kPrefAddress);
    h.init_size = load<uint32_t>(file, bp::kInitSize);
    const uint64_t image_size = declared_size ? declared_size : h.kernel_size;
    if (h.init_size < image_size)
      throw LoadError("init_size " + to_hex(h.init_size) + " is smaller than the protected-mode kernel (" +
                      to_hex(image_size) + " bytes)");
  } else {
    // The header does not say where the kernel decompresses or how much memory
    // it needs there: its load address and its own size are all that is known.
    h.pref_address = h.code32_start;
    h.init_size = static_cast<uint32_t>(std::min<uint64_t>(h.kernel_size, UINT32_MAX));
  }
  return h;
}

LinuxBootLayout load_linux(const std::vector<uint8_t>& file, const BootConfig& config, PhysicalMemory& memory) {
  LinuxBootLayout layout{};
  layout.header = parse_linux_setup_header(file);
  const LinuxSetupHeader& h = layout.header;
  const std::vector<MemoryMapEntry> map = reported_memory_map(config.memory_map, memory);
  if (map.size() > bp::kE820MaxEntries)
    throw LoadError("the memory map has " + std::to_string(map.size()) + " entries, more than the " +
                    std::to_string(bp::kE820MaxEntries) + " boot_params holds");

  const std::string cmdline = config.append.value_or("");
  if (cmdline.size() > h.cmdline_size)
    throw LoadError("the command line (--append) has " + std::to_string(cmdline.size()) +
                    " characters, more than the kernel's cmdline_size of " + std::to_string(h.cmdline_size));
  if (cmdline.size() + 1 > kLinuxCmdlineAreaEnd - kLinuxCmdlineAddr)
    throw LoadError("the command line (--append) has " + std::to_string(cmdline.size()) + " characters, more than the " +
                    std::to_string(kLinuxCmdlineAreaEnd - kLinuxCmdlineAddr - 1) + " orcvm has room for");

  // A relocatable kernel goes where it prefers to run, if it fits there; any
  // other at code32_start. Either way it decompresses at or above pref_address
  // (LOAD_PHYSICAL_ADDR), at its load address rounded up to kernel_alignment.
  const uint64_t footprint = std::max<uint64_t>(h.init_size, h.kernel_size);
  const bool at_pref = h.relocatable && h.version >= 0x020a && h.pref_address >= kOneMiB &&
                       in_ram_entry(map, memory, h.pref_address, footprint);
  layout.load_addr = at_pref ? h.pref_address : h.code32_start;
  if (layout.load_addr < kOneMiB)
    throw LoadError("code32_start " + to_hex(layout.load_addr) + " is below 1 MiB");
  if (h.kernel_size > kFourGiB - layout.load_addr)
    throw LoadError("the protected-mode kernel at " + to_hex(layout.load_addr) + " (+" + to_hex(h.kernel_size) +
                    ") does not fit below 4 GiB");
  check_placement(memory, "the protected-mode kernel", layout.load_addr, h.kernel_size, {});
  layout.runtime_start = h.relocatable ? std::max(align_up(layout.load_addr, h.kernel_alignment), h.pref_address)
                                       : h.pref_address;
  if (layout.runtime_start >= kFourGiB || h.init_size > kFourGiB - layout.runtime_start)
    throw LoadError("the kernel would decompress at " + to_hex(layout.runtime_start) + " (+" + to_hex(h.init_size) +
                    " for its init_size), beyond 4 GiB");
  const uint64_t init_end = layout.runtime_start + h.init_size;
  if (!in_ram_entry(map, memory, layout.runtime_start, h.init_size))
    throw LoadError("the kernel needs " + to_hex(h.init_size) + " bytes of RAM from " + to_hex(layout.runtime_start) +
                    " for its init_size (" + ram_hint(init_end) + ")");
  const uint64_t kernel_end = std::max(init_end, layout.load_addr + h.kernel_size);

  std::vector<uint8_t> initrd;
  if (config.module_list) {
    const std::string& path = *config.module_list;
    try {
      initrd = config.read_module(path, memory.ram_size());
    } catch (const LoadError& e) {
      throw LoadError("initrd '" + path + "': " + e.what());
    }
    if (!initrd.empty()) {
      const uint64_t floor = align_up(kernel_end, kPageSize);
      const uint64_t limit = std::min<uint64_t>(uint64_t{h.initrd_addr_max} + 1, kFourGiB);
      layout.initrd_size = initrd.size();
      layout.initrd_addr = highest_fit(map, memory, floor, limit, initrd.size());
      if (layout.initrd_addr == 0) {
        const std::string what = "the initrd '" + path + "' (" + to_hex(initrd.size()) + " bytes) does not fit ";
        if (floor > limit || initrd.size() > limit - floor)
          throw LoadError(what + "between the end of the kernel's init_size at " + to_hex(floor) +
                          " and its initrd_addr_max " + to_hex(h.initrd_addr_max));
        throw LoadError(what + "in RAM above the end of the kernel's init_size at " + to_hex(floor) + " (" +
                        ram_hint(floor + align_up(initrd.size(), kPageSize)) + ")");
      }
    }
  }

  // Everything is checked: build boot_params and write.
  std::array<uint8_t, kLinuxZeroPageSize> zero_page{};
  std::memcpy(zero_page.data() + bp::kSetupSects, file.data() + bp::kSetupSects, h.header_end - bp::kSetupSects);
  store<uint8_t>(zero_page, bp::kTypeOfLoader, kLoaderUndefined);
  store<uint8_t>(zero_page, bp::kLoadflags, h.loadflags | bp::kCanUseHeap);
  store<uint16_t>(zero_page, bp::kHeapEndPtr, kHeapEndPtr);
  store<uint32_t>(zero_page, bp::kCode32Start, static_cast<uint32_t>(layout.load_addr));
  store<uint32_t>(zero_page, bp::kCmdLinePtr, static_cast<uint32_t>(kLinuxCmdlineAddr));
  store<uint32_t>(zero_page, bp::kRamdiskImage, static_cast<uint32_t>(layout.initrd_addr));
  store<uint32_t>(zero_page, bp::kRamdiskSize, static_cast<uint32_t>(layout.initrd_size));
  store<uint64_t>(zero_page, bp::kSetupData, 0);  // no setup_data list
  store<uint64_t>(zero_page, bp::kAcpiRsdpAddr, config.acpi_rsdp);
  store<uint8_t>(zero_page, bp::kE820Entries, static_cast<uint8_t>(map.size()));
  for (size_t n = 0; n < map.size(); ++n) {
    const size_t at = bp::kE820Table + n * bp::kE820EntrySize;
    store<uint64_t>(zero_page, at, map[n].base);
    store<uint64_t>(zero_page, at + 8, map[n].length);
    store<uint32_t>(zero_page, at + 16, map[n].type);
  }

  write_guest(memory, "the protected-mode kernel", layout.load_addr, file.data() + h.kernel_offset, h.kernel_size);
  if (!initrd.empty()) write_guest(memory, "the initrd", layout.initrd_addr, initrd.data(), initrd.size());
  write_guest(memory, "the kernel command line", kLinuxCmdlineAddr, cmdline.c_str(), cmdline.size() + 1);
  write_guest(memory, "boot_params", kLinuxZeroPageAddr, zero_page.data(), zero_page.size());
  layout.entry = h.has_64bit_entry() ? layout.load_addr + kEntry64Offset : layout.load_addr;
  return layout;
}

void enter_linux(PhysicalMemory& memory, CpuState& cpu, const LinuxBootLayout& layout) {
  if (!layout.header.has_64bit_entry()) {
    EntryRegisters32 regs;
    regs.esi = static_cast<uint32_t>(kLinuxZeroPageAddr);
    regs.esp = static_cast<uint32_t>(kLinuxStackTop);
    enter_protected_mode_flat(memory, cpu, static_cast<uint32_t>(layout.entry), regs,
                              {kLinuxGdtAddr, kGdt32, kLinuxBootCs, kLinuxBootDs});
    cpu.idtr = {0, 0};
    return;
  }
  const uint64_t cr3 = write_identity_page_tables(memory);
  reset_cpu(cpu);
  cpu.rip = layout.entry;
  cpu.set_rflags(rflags::Fixed1);
  cpu.gpr[RSI] = kLinuxZeroPageAddr;
  cpu.gpr[RSP] = kLinuxStackTop;
  cpu.cr0 = cr0::PE | cr0::ET | cr0::NE | cr0::PG;
  cpu.efer = 0;
  enter_flat_long_mode(memory, cpu, cr3, {kLinuxGdtAddr, kGdt64, kLinuxBootCs, kLinuxBootDs});
  cpu.idtr = {0, 0};
}

}  // namespace orcvm
