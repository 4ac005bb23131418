/* The physical address map as a guest sees it, at any RAM size (run with -m 128M,
 * 4G and 8G): the e820 map from fw_cfg describes exactly the RAM there is (every
 * RAM range holds what is written at both of its ends, the address after the
 * last byte of RAM below and above 4 GiB is unassigned: all-ones, writes
 * ignored), and the local APIC and the IOAPIC answer at their addresses however
 * much RAM there is. The boot page tables map the first 4 GiB and all RAM above. */
#include "guest.h"
#include "x86.h"

enum { kFwCfgSelector = 0x510, kFwCfgData = 0x511, kFwCfgFileDir = 0x19 };
enum { kE820Ram = 1 };
#define LAPIC_BASE 0xfee00000ull
#define IOAPIC_BASE 0xfec00000ull
#define FOUR_GIB (1ull << 32)

struct e820_entry {
  uint64_t base, length;
  uint32_t type;
};

static void outw(uint16_t port, uint16_t value) { __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port)); }

static uint32_t fw_cfg_be32(void) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | inb(kFwCfgData);
  return v;
}

/* Reads fw_cfg's etc/e820 into map; returns the number of entries. */
static unsigned read_e820(struct e820_entry *map, unsigned capacity) {
  outw(kFwCfgSelector, kFwCfgFileDir);
  const uint32_t files = fw_cfg_be32();
  uint32_t size = 0;
  uint16_t select = 0;
  for (uint32_t f = 0; f < files; ++f) {
    const uint32_t file_size = fw_cfg_be32();
    const uint16_t file_select = (uint16_t)(inb(kFwCfgData) << 8 | inb(kFwCfgData));
    inb(kFwCfgData);
    inb(kFwCfgData);
    char name[56];
    for (int i = 0; i < 56; ++i) name[i] = (char)inb(kFwCfgData);
    if (memcmp(name, "etc/e820", 9) == 0) {
      size = file_size;
      select = file_select;
    }
  }
  unsigned count = size / 20;
  if (count > capacity) count = capacity;
  outw(kFwCfgSelector, select);
  for (unsigned n = 0; n < count; ++n) {
    uint8_t raw[20];
    for (int i = 0; i < 20; ++i) raw[i] = inb(kFwCfgData);
    memcpy(&map[n].base, raw, 8);
    memcpy(&map[n].length, raw + 8, 8);
    memcpy(&map[n].type, raw + 16, 4);
  }
  return count;
}

static volatile uint64_t *at(uint64_t paddr) { return (volatile uint64_t *)(uintptr_t)paddr; }

static int holds(uint64_t paddr, uint64_t pattern) {
  const uint64_t saved = *at(paddr);
  *at(paddr) = pattern;
  const int ok = *at(paddr) == pattern;
  *at(paddr) = saved;
  return ok;
}

static int unassigned(uint64_t paddr) {
  if (*at(paddr) != ~0ull) return 0;
  *at(paddr) = 0x1234;
  return *at(paddr) == ~0ull;
}

static int covered(const struct e820_entry *map, unsigned count, uint64_t paddr) {
  for (unsigned n = 0; n < count; ++n)
    if (paddr >= map[n].base && paddr - map[n].base < map[n].length) return 1;
  return 0;
}

int guest_main(uint64_t ram_size) {
  struct e820_entry map[16];
  const unsigned count = read_e820(map, ARRAY_SIZE(map));
  check_u64("e820 has entries", count >= 2, 1);

  uint64_t ram_in_map = 0, reserved_below_top = 0, top_below_4g = 0, top = 0;
  int ends_hold = 1, beyond_unassigned = 1;
  for (unsigned n = 0; n < count; ++n) {
    const uint64_t end = map[n].base + map[n].length;
    if (map[n].type == kE820Ram) {
      ram_in_map += map[n].length;
      if (map[n].base >= 0x100000 && !holds(map[n].base, 0x5a5a0000u + n)) ends_hold = 0;
      if (!holds(end - 8, 0xa5a50000u + n)) ends_hold = 0;
      if (end <= FOUR_GIB && end > top_below_4g) top_below_4g = end;
      if (end > top) top = end;
    } else if (end <= IOAPIC_BASE) {
      reserved_below_top += map[n].length;
      if (end > top_below_4g) top_below_4g = end;
    }
  }
  /* Reserved ranges below the top of low RAM are RAM kept for firmware; with the
   * RAM ranges and the VGA/option ROM window 0xa0000-0xeffff (in no entry) they
   * add up to all RAM. */
  check_u64("e820 accounts for all RAM", ram_in_map + reserved_below_top + 0x50000, ram_size);
  check_u64("RAM ranges hold data at both ends", ends_hold, 1);
  if (!covered(map, count, top_below_4g) && !unassigned(top_below_4g)) beyond_unassigned = 0;
  if (top > FOUR_GIB && !unassigned(top)) beyond_unassigned = 0;
  check_u64("after the top of RAM: unassigned", beyond_unassigned, 1);
  check_u64("RAM above 4 GiB exactly when RAM exceeds 3.5 GiB", top > FOUR_GIB, ram_size >= 0xe0000000ull);
  check_u64("the PCI hole is unassigned", unassigned(0xe0000000ull), 1);

  const volatile uint32_t *lapic = (const volatile uint32_t *)(uintptr_t)LAPIC_BASE;
  check_u64("LAPIC version register", lapic[0x30 / 4], 0x00050014);
  check_u64("LAPIC ID of the BSP", lapic[0x20 / 4] >> 24, 0);
  volatile uint32_t *ioapic = (volatile uint32_t *)(uintptr_t)IOAPIC_BASE;
  ioapic[0] = 1;
  check_u64("IOAPIC redirection entries", ((ioapic[4] >> 16) & 0xff) + 1, 24);
  return check_summary();
}
