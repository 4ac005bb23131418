/* orcvm's documented CPU model (docs/cpu-model.md) as CPUID reports it, and a
 * time-stamp counter that moves forward. */
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

static int has(uint32_t reg, unsigned bit) { return (reg >> bit) & 1; }

int guest_main(uint64_t ram_size) {
  struct cpuid_regs r = cpuid(0, 0);
  char vendor[13];
  memcpy(vendor, &r.ebx, 4);
  memcpy(vendor + 4, &r.edx, 4);
  memcpy(vendor + 8, &r.ecx, 4);
  vendor[12] = 0;
  check_str("vendor", vendor, "GenuineIntel");
  check_u64("max basic leaf", r.eax, 7);

  r = cpuid(1, 0);
  check_u64("family", (r.eax >> 8) & 0xf, 6);
  check_u64("cmov", has(r.edx, 15), 1);
  check_u64("cx8", has(r.edx, 8), 1);
  check_u64("tsc", has(r.edx, 4), 1);
  check_u64("cx16", has(r.ecx, 13), 1);
  check_u64("movbe", has(r.ecx, 22), 1);
  check_u64("popcnt", has(r.ecx, 23), 1);
  check_u64("sse", has(r.edx, 25), 0);

  r = cpuid(7, 0);
  check_u64("bmi1", has(r.ebx, 3), 1);
  check_u64("bmi2", has(r.ebx, 8), 1);
  check_u64("adx", has(r.ebx, 19), 1);

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

  uint64_t first = rdtsc(), second = rdtsc();
  check_u64("tsc moves forward", second > first, 1);
  return check_summary();
}
