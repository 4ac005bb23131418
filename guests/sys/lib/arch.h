/* x86 system-programming helpers for the system test kernels (32- and 64-bit). */
#pragma once
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uintptr_t uptr;

#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define ALIGNED(n) __attribute__((aligned(n)))
#define PACKED __attribute__((packed))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* EFLAGS */
#define FL_CF 0x1u
#define FL_FIXED 0x2u
#define FL_PF 0x4u
#define FL_ZF 0x40u
#define FL_TF 0x100u
#define FL_IF 0x200u
#define FL_DF 0x400u
#define FL_OF 0x800u
#define FL_IOPL3 0x3000u
#define FL_IOPL(n) ((u32)(n) << 12)
#define FL_NT 0x4000u
#define FL_RF 0x10000u
#define FL_VM 0x20000u
#define FL_AC 0x40000u
#define FL_VIF 0x80000u
#define FL_VIP 0x100000u
#define FL_ID 0x200000u

/* CR0 / CR4 / EFER */
#define CR0_PE 0x1u
#define CR0_MP 0x2u
#define CR0_EM 0x4u
#define CR0_TS 0x8u
#define CR0_ET 0x10u
#define CR0_NE 0x20u
#define CR0_WP 0x10000u
#define CR0_AM 0x40000u
#define CR0_PG 0x80000000u
#define CR4_VME 0x1u
#define CR4_PVI 0x2u
#define CR4_TSD 0x4u
#define CR4_DE 0x8u
#define CR4_PSE 0x10u
#define CR4_PAE 0x20u
#define CR4_PGE 0x80u
#define CR4_PCE 0x100u
#define CR4_OSFXSR 0x200u
#define CR4_UMIP 0x800u
#define CR4_FSGSBASE 0x10000u
#define CR4_SMEP 0x100000u
#define CR4_SMAP 0x200000u
#define EFER_SCE 0x1u
#define EFER_LME 0x100u
#define EFER_LMA 0x400u
#define EFER_NXE 0x800u

/* MSRs */
#define MSR_TSC 0x10u
#define MSR_APIC_BASE 0x1bu
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_MISC_ENABLE 0x1a0u
#define MSR_PAT 0x277u
#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u

/* Exception vectors */
enum {
  VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5, VEC_UD = 6, VEC_NM = 7,
  VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MF = 16,
  VEC_AC = 17, VEC_MC = 18, VEC_XM = 19,
};

ALWAYS_INLINE void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
ALWAYS_INLINE void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
ALWAYS_INLINE void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
ALWAYS_INLINE u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
ALWAYS_INLINE u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
ALWAYS_INLINE u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

ALWAYS_INLINE uptr read_cr0(void) { uptr v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
ALWAYS_INLINE uptr read_cr2(void) { uptr v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
ALWAYS_INLINE uptr read_cr3(void) { uptr v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
ALWAYS_INLINE uptr read_cr4(void) { uptr v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
ALWAYS_INLINE void write_cr0(uptr v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
ALWAYS_INLINE void write_cr2(uptr v) { __asm__ volatile("mov %0, %%cr2" ::"r"(v) : "memory"); }
ALWAYS_INLINE void write_cr3(uptr v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
ALWAYS_INLINE void write_cr4(uptr v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

ALWAYS_INLINE u64 rdmsr(u32 msr) {
  u32 lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return ((u64)hi << 32) | lo;
}
ALWAYS_INLINE void wrmsr(u32 msr, u64 v) {
  __asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}
ALWAYS_INLINE u64 rdtsc(void) {
  u32 lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((u64)hi << 32) | lo;
}
ALWAYS_INLINE void cpuid(u32 leaf, u32 sub, u32 r[4]) {
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

ALWAYS_INLINE uptr read_flags(void) {
  uptr v;
  __asm__ volatile("pushf; pop %0" : "=r"(v));
  return v;
}
ALWAYS_INLINE void write_flags(uptr v) { __asm__ volatile("push %0; popf" ::"r"(v) : "memory", "cc"); }
ALWAYS_INLINE void cli(void) { __asm__ volatile("cli" ::: "memory"); }
ALWAYS_INLINE void sti(void) { __asm__ volatile("sti" ::: "memory"); }
ALWAYS_INLINE void invlpg(uptr va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

struct PACKED dtr {
  u16 limit;
  uptr base;
};
ALWAYS_INLINE void lgdt(const struct dtr* d) { __asm__ volatile("lgdt %0" ::"m"(*d)); }
ALWAYS_INLINE void lidt(const struct dtr* d) { __asm__ volatile("lidt %0" ::"m"(*d)); }
ALWAYS_INLINE void sgdt(struct dtr* d) { __asm__ volatile("sgdt %0" : "=m"(*d)); }
ALWAYS_INLINE void sidt(struct dtr* d) { __asm__ volatile("sidt %0" : "=m"(*d)); }
ALWAYS_INLINE void ltr(u16 sel) { __asm__ volatile("ltr %0" ::"r"(sel)); }
ALWAYS_INLINE void lldt(u16 sel) { __asm__ volatile("lldt %0" ::"r"(sel)); }
ALWAYS_INLINE u16 str(void) { u16 v; __asm__ volatile("str %0" : "=r"(v)); return v; }
ALWAYS_INLINE u16 sldt(void) { u16 v; __asm__ volatile("sldt %0" : "=r"(v)); return v; }

#define READ_SEG(seg) ({ u16 _v; __asm__ volatile("mov %%" #seg ", %0" : "=r"(_v)); _v; })
#define WRITE_SEG(seg, v) __asm__ volatile("mov %0, %%" #seg ::"r"((u16)(v)) : "memory")

/* Segment descriptors (legacy 8-byte format). */
#define DESC_TYPE_DATA_RW 0x2
#define DESC_TYPE_DATA_RO 0x0
#define DESC_TYPE_DATA_RW_DOWN 0x6
#define DESC_TYPE_CODE_XR 0xa
#define DESC_TYPE_CODE_X 0x8
#define DESC_TYPE_CODE_XR_CONF 0xe
#define DESC_ACCESSED 0x1
/* access: P DPL S TYPE in bits 7..0; flags: G D/B L AVL in bits 3..0 */
ALWAYS_INLINE u64 make_desc(u32 base, u32 limit, u8 access, u8 flags) {
  return (u64)(limit & 0xffff) | ((u64)(base & 0xffffff) << 16) | ((u64)access << 40) |
         ((u64)((limit >> 16) & 0xf) << 48) | ((u64)(flags & 0xf) << 52) | ((u64)(base >> 24) << 56);
}
#define ACC_P 0x80
#define ACC_DPL(n) ((n) << 5)
#define ACC_S 0x10
#define FLG_G 0x8
#define FLG_DB 0x4
#define FLG_L 0x2
/* System descriptor types */
#define SYS_TSS32_AVAIL 0x9
#define SYS_TSS32_BUSY 0xb
#define SYS_LDT 0x2
#define SYS_CALL_GATE32 0xc
#define SYS_TASK_GATE 0x5
#define SYS_INT_GATE32 0xe
#define SYS_TRAP_GATE32 0xf
#define SYS_INT_GATE16 0x6
#define SYS_CALL_GATE16 0x4

ALWAYS_INLINE u64 make_gate32(u16 sel, u32 offset, u8 type, u8 dpl, u8 params) {
  return (u64)(offset & 0xffff) | ((u64)sel << 16) | ((u64)(params & 0x1f) << 32) |
         ((u64)(ACC_P | ACC_DPL(dpl) | type) << 40) | ((u64)(offset >> 16) << 48);
}
