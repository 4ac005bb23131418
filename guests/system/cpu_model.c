/* orcvm's documented CPU model (docs/cpu-model.md) as CPUID and its MSRs
 * report it, checked leaf by leaf and across leaves, and a time-stamp counter
 * that moves forward. */
#include "guest.h"

struct cpuid_regs {
  uint32_t eax, ebx, ecx, edx;
};

static struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf) {
  struct cpuid_regs r;
  __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

static uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

static uint64_t rdmsr(uint32_t index) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
  return ((uint64_t)hi << 32) | lo;
}

static int has(uint32_t reg, unsigned bit) { return (reg >> bit) & 1; }
static uint32_t field(uint32_t reg, unsigned hi, unsigned lo) { return (reg >> lo) & ((2u << (hi - lo)) - 1); }
static int same(struct cpuid_regs a, struct cpuid_regs b) {
  return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx;
}

/* Leaf 4, subleaf n: type, level, ways, line, sets and the size they give. */
static uint64_t cache_size(uint32_t subleaf) {
  struct cpuid_regs r = cpuid(4, subleaf);
  return (uint64_t)(field(r.ebx, 31, 22) + 1) * (field(r.ebx, 21, 12) + 1) * (field(r.ebx, 11, 0) + 1) * (r.ecx + 1);
}

static void check_cache(const char *name, uint32_t subleaf, uint32_t type, uint32_t level, uint32_t ways,
                        uint64_t bytes) {
  struct cpuid_regs r = cpuid(4, subleaf);
  char label[64];
  const char *parts[] = {"type", "level", "self-initialising", "ways", "line", "bytes", "sharing"};
  const uint64_t got[] = {field(r.eax, 4, 0), field(r.eax, 7, 5), has(r.eax, 8), field(r.ebx, 31, 22) + 1,
                          field(r.ebx, 11, 0) + 1, cache_size(subleaf), field(r.eax, 31, 14)};
  const uint64_t want[] = {type, level, 1, ways, 64, bytes, 0};
  for (unsigned i = 0; i < sizeof got / sizeof got[0]; ++i) {
    const size_t n = strlen(name), m = strlen(parts[i]);
    memcpy(label, name, n);
    label[n] = ' ';
    memcpy(label + n + 1, parts[i], m + 1);
    check_u64(label, got[i], want[i]);
  }
}

int guest_main(uint64_t ram_size) {
  struct cpuid_regs r = cpuid(0, 0);
  char vendor[13];
  memcpy(vendor, &r.ebx, 4);
  memcpy(vendor + 4, &r.edx, 4);
  memcpy(vendor + 8, &r.ecx, 4);
  vendor[12] = 0;
  check_str("vendor", vendor, "GenuineIntel");
  check_u64("max basic leaf", r.eax, 0x16);

  r = cpuid(1, 0);
  check_u64("family", field(r.eax, 11, 8), 6);
  check_u64("model", field(r.eax, 19, 16) << 4 | field(r.eax, 7, 4), 0x8f);
  check_u64("stepping", field(r.eax, 3, 0), 8);
  check_u64("initial apic id", field(r.ebx, 31, 24), 0);
  check_u64("logical processors", field(r.ebx, 23, 16), 1);
  check_u64("clflush line", field(r.ebx, 15, 8) * 8, 64);
  check_u64("cmov", has(r.edx, 15), 1);
  check_u64("cx8", has(r.edx, 8), 1);
  check_u64("tsc", has(r.edx, 4), 1);
  check_u64("htt", has(r.edx, 28), 0);
  check_u64("cx16", has(r.ecx, 13), 1);
  check_u64("movbe", has(r.ecx, 22), 1);
  check_u64("popcnt", has(r.ecx, 23), 1);
  check_u64("hypervisor", has(r.ecx, 31), 1);
  check_u64("fpu", has(r.edx, 0), 1);
  check_u64("fxsr", has(r.edx, 24), 1);
  check_u64("sse", has(r.edx, 25), 1);
  check_u64("sse2", has(r.edx, 26), 1);
  check_u64("mmx", has(r.edx, 23), 0);
  check_u64("sse3", has(r.ecx, 0), 0);

  r = cpuid(2, 0);
  check_u64("leaf 2 says read leaf 4", r.eax, 0x0000ff01);

  check_cache("l1d", 0, 1, 1, 12, 48 << 10);
  check_cache("l1i", 1, 2, 1, 8, 32 << 10);
  check_cache("l2", 2, 3, 2, 16, 2 << 20);
  check_cache("l3", 3, 3, 3, 16, 16 << 20);
  check_u64("leaf 4 ends", field(cpuid(4, 4).eax, 4, 0), 0);

  check_u64("arat", has(cpuid(6, 0).eax, 2), 1);

  r = cpuid(7, 0);
  check_u64("tsc_adjust", has(r.ebx, 1), 1);
  check_u64("bmi1", has(r.ebx, 3), 1);
  check_u64("bmi2", has(r.ebx, 8), 1);
  check_u64("adx", has(r.ebx, 19), 1);
  check_u64("arch capabilities", has(r.edx, 29), 1);

  r = cpuid(0xb, 0);
  check_u64("topology smt level", field(r.ecx, 15, 8) << 16 | field(r.ebx, 15, 0) << 8 | field(r.eax, 4, 0), 0x010100);
  r = cpuid(0xb, 1);
  check_u64("topology core level", field(r.ecx, 15, 8) << 16 | field(r.ebx, 15, 0) << 8 | field(r.eax, 4, 0), 0x020100);
  r = cpuid(0xb, 2);
  check_u64("topology ends", field(r.ecx, 15, 8) << 8 | field(r.ecx, 7, 0), 0x0002);
  check_u64("x2apic id", r.edx, 0);

  r = cpuid(0x15, 0);
  check_u64("tsc hz from leaf 0x15", (uint64_t)r.ecx * r.ebx / r.eax, 1000000000);
  check_u64("crystal hz (the apic timer's)", r.ecx, 1000000000);
  r = cpuid(0x16, 0);
  check_u64("base mhz", r.eax, 1000);
  check_u64("max mhz", r.ebx, 1000);
  check_u64("bus mhz", r.ecx, 1000);

  check_u64("max extended leaf", cpuid(0x80000000, 0).eax, 0x80000008);
  r = cpuid(0x80000001, 0);
  check_u64("long mode", has(r.edx, 29), 1);
  check_u64("lahf in 64-bit mode", has(r.ecx, 0), 1);
  check_u64("lzcnt", has(r.ecx, 5), 1);

  char brand[49];
  for (uint32_t leaf = 0; leaf < 3; ++leaf) {
    r = cpuid(0x80000002 + leaf, 0);
    memcpy(brand + 16 * leaf, &r, 16);
  }
  brand[48] = 0;
  check_str("brand", brand, "orcvm x86-64 binary-translated CPU");

  r = cpuid(0x80000006, 0);
  check_u64("l2 kib from 0x80000006 is leaf 4's", (uint64_t)field(r.ecx, 31, 16) << 10, cache_size(2));
  check_u64("l2 16-way, 64-byte lines", field(r.ecx, 15, 12) << 8 | field(r.ecx, 7, 0), 0x840);
  check_u64("invariant tsc", has(cpuid(0x80000007, 0).edx, 8), 1);
  r = cpuid(0x80000008, 0);
  check_u64("physical address bits", field(r.eax, 7, 0), 36);
  check_u64("linear address bits", field(r.eax, 15, 8), 48);

  /* Intel: a leaf past either maximum returns the highest basic leaf; the
   * hypervisor range holds nothing. */
  check_u64("leaf past the basic maximum", same(cpuid(0x17, 0), cpuid(0x16, 0)), 1);
  check_u64("leaf past the extended maximum", same(cpuid(0x80000009, 0), cpuid(0x16, 0)), 1);
  r = cpuid(0x40000000, 0);
  check_u64("hypervisor leaves", r.eax | r.ebx | r.ecx | r.edx, 0);

  /* RDCL_NO SKIP_L1DFL SSB_NO MDS_NO PSCHANGE_MC_NO TAA_NO SBDR_SSDP_NO FBSDP_NO
   * PSDP_NO BHI_NO PBRSB_NO GDS_NO RFDS_NO ITS_NO. */
  check_u64("ia32_arch_capabilities", rdmsr(0x10a), 0x400000000d10e179ull);
  check_u64("ia32_misc_enable", rdmsr(0x1a0), 0x1801);

  uint64_t first = rdtsc(), second = rdtsc();
  check_u64("tsc moves forward", second > first, 1);
  return check_summary();
}
