/* CPUID: structural checks that hold for any sane CPU model (QEMU's -cpu max
 * and orcvm's model differ in values, so no exact values are compared), and
 * the features the other system tests rely on. */
#include "platform.h"
#include "sys.h"

static int printable(const char* s, int n) {
  for (int i = 0; i < n; ++i)
    if (s[i] < 0x20 || s[i] > 0x7e) return 0;
  return 1;
}

static u32 user_regs[4];
static u32 user_leaf;
static void user_cpuid(uptr unused) { cpuid(user_leaf, 0, user_regs); }

void kmain(void) {
  u32 r[4], again[4];
  section("cpuid: basic leaves");
  cpuid(0, 0, r);
  const u32 max_basic = r[0];
  EXPECT_TRUE("cpuid.max_basic_leaf_at_least_7", max_basic >= 7);
  char vendor[13];
  memcpy(vendor, &r[1], 4);
  memcpy(vendor + 4, &r[3], 4);
  memcpy(vendor + 8, &r[2], 4);
  vendor[12] = 0;
  EXPECT_TRUE("cpuid.vendor_is_12_printable_chars", printable(vendor, 12));
  cpuid(0, 0, again);
  EXPECT_TRUE("cpuid.leaf0_is_stable", memcmp(r, again, sizeof r) == 0);

  cpuid(1, 0, r);
  const u32 family = (r[0] >> 8) & 0xf;
  EXPECT_TRUE("cpuid.1.family_nonzero", family != 0);
  EXPECT_TRUE("cpuid.1.eax_reserved_bits_clear", (r[0] & 0xf000c000u) == 0);
  const u32 edx1 = r[3], ecx1 = r[2];
  EXPECT_EQ("cpuid.1.edx.tsc", (edx1 >> 4) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.msr", (edx1 >> 5) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.pse", (edx1 >> 3) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.pae", (edx1 >> 6) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.cx8", (edx1 >> 8) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.apic", (edx1 >> 9) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.sep", (edx1 >> 11) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.pge", (edx1 >> 13) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.cmov", (edx1 >> 15) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.pat", (edx1 >> 16) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.fpu", edx1 & 1, 1);
  EXPECT_EQ("cpuid.1.edx.fxsr", (edx1 >> 24) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.sse", (edx1 >> 25) & 1, 1);
  EXPECT_EQ("cpuid.1.edx.sse2", (edx1 >> 26) & 1, 1);
  EXPECT_EQ("cpuid.1.ebx.apic_id_matches_lapic", r[1] >> 24, lapic_read(LAPIC_ID) >> 24);
  (void)ecx1;

  /* CR4.OSXSAVE is mirrored in CPUID.1:ECX.OSXSAVE where XSAVE exists. */
  if ((ecx1 >> 26) & 1) {
    write_cr4(read_cr4() | (1u << 18));
    cpuid(1, 0, again);
    const u32 on = (again[2] >> 27) & 1;
    write_cr4(read_cr4() & ~(1u << 18));
    cpuid(1, 0, again);
    EXPECT_TRUE("cpuid.1.ecx.osxsave_follows_cr4", on == 1 && ((again[2] >> 27) & 1) == 0);
  } else {
    cpuid(1, 0, again);
    EXPECT_TRUE("cpuid.1.ecx.osxsave_follows_cr4", ((again[2] >> 27) & 1) == 0);
  }

  cpuid(7, 0xff, r);
  EXPECT_TRUE("cpuid.7.invalid_subleaf_is_zero", (r[0] | r[1] | r[2] | r[3]) == 0);

  section("cpuid: cache and topology leaves");
  /* Intel's leaf 4 (AMD describes caches in 0x8000001d): each subleaf until
   * type 0 is a data (1), instruction (2) or unified (3) cache of level 1-3,
   * levels in order, with a power-of-two line; there is a level-1 data cache. */
  int caches_ok = 1, has_l1d = 0;
  u32 last_level = 1;
  if (max_basic >= 4 && memcmp(vendor, "GenuineIntel", 12) == 0) {
    for (u32 sub = 0; sub < 16; ++sub) {
      cpuid(4, sub, r);
      const u32 type = r[0] & 0x1f, level = (r[0] >> 5) & 7, line = (r[1] & 0xfff) + 1;
      if (type == 0) break;
      caches_ok &= type <= 3 && level >= last_level && level <= 3 && (line & (line - 1)) == 0 && line >= 16;
      has_l1d |= type == 1 && level == 1;
      last_level = level;
    }
  } else {
    has_l1d = 1;
  }
  EXPECT_TRUE("cpuid.4.caches_well_formed", caches_ok);
  EXPECT_TRUE("cpuid.4.has_l1_data_cache", has_l1d);
  /* Leaf 0xB: level 0 is SMT with at least one logical processor, a level of
   * type 0 ends the list, and EDX is the x2APIC ID at every level. */
  int topology_ok = 1;
  if (max_basic >= 0xb) {
    cpuid(0xb, 0, r);
    topology_ok = ((r[2] >> 8) & 0xff) == 1 && (r[1] & 0xffff) != 0 && (r[2] & 0xff) == 0;
    const u32 x2apic_id = r[3];
    u32 sub = 1;
    for (; sub < 8; ++sub) {
      cpuid(0xb, sub, r);
      topology_ok &= r[3] == x2apic_id && (r[2] & 0xff) == sub;
      if (((r[2] >> 8) & 0xff) == 0) break;
    }
    topology_ok &= sub < 8 && r[1] == 0;
    topology_ok &= x2apic_id == lapic_read(LAPIC_ID) >> 24;
  }
  EXPECT_TRUE("cpuid.b.levels_well_formed", topology_ok);

  section("cpuid: extended leaves");
  cpuid(0x80000000u, 0, r);
  const u32 max_ext = r[0];
  EXPECT_TRUE("cpuid.max_extended_leaf_at_least_0x80000004", max_ext >= 0x80000004u && max_ext < 0x80000100u);
  cpuid(0x80000001u, 0, r);
  EXPECT_EQ("cpuid.80000001.edx.lm", (r[3] >> 29) & 1, 1);
  EXPECT_EQ("cpuid.80000001.edx.nx", (r[3] >> 20) & 1, 1);
  char brand[49];
  for (u32 leaf = 0; leaf < 3; ++leaf) {
    cpuid(0x80000002u + leaf, 0, r);
    memcpy(brand + 16 * leaf, r, 16);
  }
  brand[48] = 0;
  const int len = (int)strlen(brand);
  EXPECT_TRUE("cpuid.brand_string_nonempty_printable", len > 0 && printable(brand, len));
  if (max_ext >= 0x80000008u) {
    cpuid(0x80000008u, 0, r);
    const u32 phys = r[0] & 0xff, lin = (r[0] >> 8) & 0xff;
    EXPECT_TRUE("cpuid.80000008.address_sizes_sane", phys >= 32 && phys <= 52 && lin >= 32 && lin <= 57);
  } else {
    EXPECT_TRUE("cpuid.80000008.address_sizes_sane", 1);
  }

  section("cpuid: at CPL 3");
  static const u32 leaves[] = {0, 1, 7, 0x80000000u, 0x80000001u, 0x80000002u};
  for (unsigned n = 0; n < ARRAY_SIZE(leaves); ++n) {
    user_leaf = leaves[n];
    int v = user_call(user_cpuid, 0, 0);
    cpuid(leaves[n], 0, r);
    if (leaves[n] == 1) {
      r[1] &= 0x00ffffff;  /* initial APIC ID could differ on SMP; mask it */
      user_regs[1] &= 0x00ffffff;
    }
    check_eqf((u64)(v == -1 && memcmp(r, user_regs, sizeof r) == 0), 1, "cpuid.cpl3_same_as_cpl0.leaf_%x", leaves[n]);
  }
}
