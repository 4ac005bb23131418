/* What the fpu and fpu_sdm kernels share: the images, the snippets that run each
 * instruction under catch_call, and little-endian field access. */
#pragma once
#include "sys.h"

#define CR4_OSXMMEXCPT 0x400u

u8 image[512] ALIGNED(16);
u8 image2[512 + 16] ALIGNED(16);
u64 image_ptr;
u16 word_value;
u32 dword_value;

SNIPPET(do_fninit, "", "fninit", "");
SNIPPET(do_fnclex, "", "fnclex", "");
SNIPPET(do_fwait, "", "fwait", "");
SNIPPET(do_fnstsw_ax, "mov $0x5555, %eax", "fnstsw %ax", "mov %ax, word_value(%rip)");
SNIPPET(do_fnstsw_mem, "", "fnstsw word_value(%rip)", "");
SNIPPET(do_fnstcw, "", "fnstcw word_value(%rip)", "");
SNIPPET(do_fldcw, "", "fldcw word_value(%rip)", "");
SNIPPET(do_ldmxcsr, "", "ldmxcsr dword_value(%rip)", "");
SNIPPET(do_stmxcsr, "", "stmxcsr dword_value(%rip)", "");
SNIPPET(do_fxsave64, "mov image_ptr(%rip), %rax", "fxsave64 (%rax)", "");
SNIPPET(do_fxsave, "mov image_ptr(%rip), %rax", "fxsave (%rax)", "");
SNIPPET(do_fxrstor64, "mov image_ptr(%rip), %rax", "fxrstor64 (%rax)", "");

static inline u16 get16(const u8* p, unsigned off) { return (u16)(p[off] | p[off + 1] << 8); }
static inline u32 get32(const u8* p, unsigned off) { return get16(p, off) | (u32)get16(p, off + 2) << 16; }
static inline void put16(u8* p, unsigned off, u16 v) { p[off] = (u8)v; p[off + 1] = (u8)(v >> 8); }
static inline void put32(u8* p, unsigned off, u32 v) { put16(p, off, (u16)v); put16(p, off + 2, (u16)(v >> 16)); }

static inline int run(void (*fn)(uptr)) { return catch_call(fn, 0); }
static inline void expect_no_fault(const char* name, void (*fn)(uptr)) { check_eqf((u32)run(fn), (u32)-1, "%s.no_fault", name); }
static inline void expect_fault(const char* name, void (*fn)(uptr), u32 vector) {
  check_eqf((u32)run(fn), vector, "%s.vector", name);
}

static inline u16 fnstsw(void) { run(do_fnstsw_mem); return word_value; }
static inline u16 fnstcw(void) { run(do_fnstcw); return word_value; }
static inline void fxsave64_into(u8* p) { image_ptr = (u64)(uptr)p; run(do_fxsave64); }
static inline void fxrstor64_from(u8* p) { image_ptr = (u64)(uptr)p; run(do_fxrstor64); }


/* x87 exceptions unmasked where needed, SSE enabled, nothing trapping. */
static inline void enable_fpu(void) {
  write_cr0((read_cr0() | CR0_NE | CR0_MP) & ~(uptr)(CR0_EM | CR0_TS));
  write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}
