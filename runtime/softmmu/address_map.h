#pragma once
// The guest physical address space of the orcvm PC, laid out as QEMU's `pc`
// machine lays it out. Every part of orcvm that places or finds something in
// guest physical memory asks this map: RAM itself (PhysicalMemory), the e820 map
// handed to the guest, the loaders, the boot page tables and the devices' MMIO
// windows. Header only, so the devices library needs no orcvm_core.
//
//   0 .. ram_below_4g           RAM (the legacy 0xa0000-0xfffff area included;
//                               e820 reserves the EBDA and the BIOS area)
//   ram_below_4g .. 4 GiB       the PCI hole: the MMIO windows below, otherwise
//                               unassigned (reads all-ones, writes ignored)
//   4 GiB .. 4 GiB + above_4g   the rest of RAM
//
// RAM below 4 GiB is all of it up to 3.5 GiB; from 3.5 GiB on, as in QEMU with
// gigabyte alignment, the first 3 GiB stay below 4 GiB and the rest moves above.
#include <cstdint>
#include <optional>
#include <vector>

namespace orcvm {

// Memory map types of the e820 BIOS call, multiboot's mmap and boot_params.
enum : uint32_t { kE820Ram = 1, kE820Reserved = 2 };
struct MemoryMapEntry {
  uint64_t base, length;
  uint32_t type;
};

struct MmioWindow {
  uint64_t base, length;
  const char* name;
};

class PhysicalAddressMap {
 public:
  static constexpr uint64_t kFourGiB = uint64_t{1} << 32;
  static constexpr uint64_t kPciHoleStart = 0xe0000000;    // RAM below 4 GiB never reaches it
  static constexpr uint64_t kLowRamWhenSplit = 0xc0000000;  // RAM below 4 GiB once it is split
  static constexpr uint64_t kEbdaStart = 0x9fc00;           // the top KiB of base memory
  static constexpr uint64_t kLegacyHoleStart = 0xa0000;     // VGA memory and option ROMs
  static constexpr uint64_t kBiosAreaStart = 0xf0000;       // the BIOS; orcvm's ACPI tables live here
  static constexpr uint64_t kLegacyHoleEnd = 0x100000;
  // SeaBIOS keeps its tables in the top 128 KiB of RAM below 4 GiB and reserves
  // them; orcvm reports the same map, so multiboot kernels see what QEMU shows them.
  static constexpr uint64_t kFirmwareHighTables = 0x20000;
  static constexpr MmioWindow kIoApic{0xfec00000, 0x1000, "ioapic"};
  static constexpr MmioWindow kLapic{0xfee00000, 0x1000, "lapic"};
  static constexpr MmioWindow kBiosFlash{0xfffc0000, 0x40000, "bios-flash"};  // reserved, nothing behind it
  // 2^MAXPHYADDR: the CPU model has no CPUID leaf 0x80000008, so with PAE its
  // physical addresses have 36 bits (address_map_test checks the two agree).
  static constexpr unsigned kPhysicalAddressBits = 36;
  static constexpr uint64_t kMaxPhysicalTop = uint64_t{1} << kPhysicalAddressBits;

  explicit PhysicalAddressMap(uint64_t ram_size)
      : ram_below_4g_(ram_size >= kPciHoleStart ? kLowRamWhenSplit : ram_size),
        ram_above_4g_(ram_size - ram_below_4g_) {}

  uint64_t ram_size() const { return ram_below_4g_ + ram_above_4g_; }
  uint64_t ram_below_4g() const { return ram_below_4g_; }
  uint64_t ram_above_4g() const { return ram_above_4g_; }
  // One past the highest RAM address.
  uint64_t ram_top() const { return ram_above_4g_ ? kFourGiB + ram_above_4g_ : ram_below_4g_; }

  // Where [paddr, paddr + size) lies in the host's RAM block, when all of it is RAM
  // of one range; nothing otherwise (MMIO, unassigned, or straddling an edge). The
  // one place a guest physical address becomes a RAM offset.
  std::optional<uint64_t> ram_offset(uint64_t paddr, uint64_t size) const {
    if (paddr < ram_below_4g_) {
      if (size <= ram_below_4g_ - paddr) return paddr;
    } else if (paddr >= kFourGiB && paddr - kFourGiB < ram_above_4g_) {
      if (size <= ram_above_4g_ - (paddr - kFourGiB)) return paddr - kFourGiB + ram_below_4g_;
    }
    return std::nullopt;
  }
  // The inverse of ram_offset for offset < ram_size().
  uint64_t ram_address(uint64_t offset) const {
    return offset < ram_below_4g_ ? offset : offset - ram_below_4g_ + kFourGiB;
  }

  // The map SeaBIOS reports for QEMU's pc machine: RAM where RAM is; the EBDA,
  // the BIOS area, the firmware's high tables and the BIOS flash reserved; sorted
  // by address.
  std::vector<MemoryMapEntry> memory_map() const {
    std::vector<MemoryMapEntry> map;
    if (ram_below_4g_ <= kEbdaStart) {
      map.push_back({0, ram_below_4g_, kE820Ram});
    } else {
      map.push_back({0, kEbdaStart, kE820Ram});
      map.push_back({kEbdaStart, kLegacyHoleStart - kEbdaStart, kE820Reserved});
      map.push_back({kBiosAreaStart, kLegacyHoleEnd - kBiosAreaStart, kE820Reserved});
      if (ram_below_4g_ > kLegacyHoleEnd + kFirmwareHighTables) {
        const uint64_t tables = ram_below_4g_ - kFirmwareHighTables;
        map.push_back({kLegacyHoleEnd, tables - kLegacyHoleEnd, kE820Ram});
        map.push_back({tables, kFirmwareHighTables, kE820Reserved});
      } else if (ram_below_4g_ > kLegacyHoleEnd) {
        map.push_back({kLegacyHoleEnd, ram_below_4g_ - kLegacyHoleEnd, kE820Ram});
      }
    }
    map.push_back({kBiosFlash.base, kBiosFlash.length, kE820Reserved});
    if (ram_above_4g_) map.push_back({kFourGiB, ram_above_4g_, kE820Ram});
    return map;
  }
  static std::vector<MmioWindow> mmio_windows() { return {kIoApic, kLapic}; }

 private:
  uint64_t ram_below_4g_;
  uint64_t ram_above_4g_;
};

}  // namespace orcvm
