// The physical address map (runtime/softmmu/address_map.h) and PhysicalMemory's
// checks on it: RAM placement at the PCI hole, the e820 map, and that no guest
// physical address outside RAM yields a host pointer or a code-page flag.
#include <gtest/gtest.h>

#include "runtime/softmmu/address_map.h"
#include "runtime/softmmu/memory.h"
#include "runtime/vcpu/cpu_model.h"

namespace orcvm {
namespace {

constexpr uint64_t GiB = 1ull << 30, MiB = 1ull << 20;

TEST(AddressMapTest, RamBelowTheHoleStaysLow) {
  const PhysicalAddressMap map(0xe0000000ull - 4096);
  EXPECT_EQ(map.ram_below_4g(), 0xe0000000ull - 4096);
  EXPECT_EQ(map.ram_above_4g(), 0u);
  EXPECT_EQ(map.ram_top(), 0xe0000000ull - 4096);
}

TEST(AddressMapTest, LargeRamSplitsAtThreeGiB) {
  const PhysicalAddressMap map(8 * GiB);
  EXPECT_EQ(map.ram_below_4g(), 3 * GiB);
  EXPECT_EQ(map.ram_above_4g(), 5 * GiB);
  EXPECT_EQ(map.ram_top(), 9 * GiB);
  EXPECT_EQ(map.ram_offset(3 * GiB - 8, 8), 3 * GiB - 8);
  EXPECT_FALSE(map.ram_offset(3 * GiB - 4, 8));  // straddles the end of low RAM
  EXPECT_FALSE(map.ram_offset(3 * GiB, 1));
  EXPECT_FALSE(map.ram_offset(PhysicalAddressMap::kLapic.base, 4));
  EXPECT_EQ(map.ram_offset(4 * GiB, 8), 3 * GiB);
  EXPECT_EQ(map.ram_offset(9 * GiB - 1, 1), 8 * GiB - 1);
  EXPECT_FALSE(map.ram_offset(9 * GiB - 1, 2));
  EXPECT_FALSE(map.ram_offset(~uint64_t{0}, 1));
  EXPECT_EQ(map.ram_address(3 * GiB), 4 * GiB);
}

TEST(AddressMapTest, MemoryMapIsSortedDisjointAndCoversRam) {
  for (uint64_t size : {2 * MiB, 128 * MiB, 3584 * MiB, 4 * GiB, 8 * GiB}) {
    const PhysicalAddressMap map(size);
    const auto entries = map.memory_map();
    uint64_t ram = 0, end = 0;
    for (const MemoryMapEntry& e : entries) {
      EXPECT_GE(e.base, end) << size;
      end = e.base + e.length;
      if (e.type != kE820Ram) continue;
      ram += e.length;
      EXPECT_TRUE(map.ram_offset(e.base, e.length)) << size << " " << e.base;
    }
    // What is RAM but not reported as RAM: the EBDA, the legacy hole and the firmware's tables.
    EXPECT_EQ(ram, size - 0x400 - (PhysicalAddressMap::kLegacyHoleEnd - PhysicalAddressMap::kLegacyHoleStart) -
                       PhysicalAddressMap::kFirmwareHighTables)
        << size;
  }
}

TEST(AddressMapTest, PhysicalAddressWidthMatchesTheCpuModel) {
  // MAXPHYADDR: CPUID.80000008H:EAX[7:0], or 36 with PAE when that leaf is absent.
  const unsigned bits = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36;
  EXPECT_EQ(PhysicalAddressMap::kPhysicalAddressBits, bits);
}

TEST(PhysicalMemoryTest, RefusesSizesThatAreNotWholePages) {
  EXPECT_THROW(PhysicalMemory(MiB + 1), std::invalid_argument);
  EXPECT_THROW(PhysicalMemory(0), std::invalid_argument);
  EXPECT_THROW(PhysicalMemory(PhysicalAddressMap::kMaxPhysicalTop), std::invalid_argument);
}

TEST(PhysicalMemoryTest, NothingOutsideRamReachesTheHost) {
  PhysicalMemory memory(2 * MiB);
  EXPECT_NE(memory.host(2 * MiB - 8, 8), nullptr);
  EXPECT_EQ(memory.host(2 * MiB - 4, 8), nullptr);
  EXPECT_EQ(memory.host(2 * MiB, 1), nullptr);
  EXPECT_EQ(memory.read(2 * MiB, 4), 0xffffffffu);
  memory.write(2 * MiB, 4, 0);
  EXPECT_EQ(memory.read(2 * MiB, 4), 0xffffffffu);
  // Code-page flags exist only for RAM pages; others are ignored, never stored.
  for (uint64_t page : {uint64_t{0x200}, uint64_t{0xe0000}, uint64_t{0xfee00}, ~uint64_t{0} >> 12, ~uint64_t{0}}) {
    memory.set_code_page(page, true);
    EXPECT_FALSE(memory.is_code_page(page)) << page;
  }
  memory.set_code_page(0x1ff, true);
  EXPECT_TRUE(memory.is_code_page(0x1ff));
}

}  // namespace
}  // namespace orcvm
