/* The system test library: console, checks, traps and privilege switches.
 * Every kernel defines kmain(); the entry code calls it after setting up the
 * GDT, IDT and TSS, then calls sys_exit(). */
#pragma once
#include <stdarg.h>
#include <stddef.h>

#include "arch.h"

/* ---- boot ---- */
extern u32 boot_magic;     /* EAX at entry: 0x2badb002 */
extern u32 boot_info;      /* EBX at entry: the multiboot information */
void kmain(void);

/* ---- console (16550 at 0x3f8) and checks ---- */
void con_putc(char c);
void con_puts(const char* s);
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char* fmt, va_list ap);
void ksnprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
void kvsnprintf(char* buf, size_t size, const char* fmt, va_list ap);

/* One line per check: "PASS name" or "FAIL name: got 0x.. want 0x..". */
void check_eq(const char* name, u64 got, u64 want);
void check_true(const char* name, int cond);
#define EXPECT_EQ(name, got, want) check_eq((name), (u64)(got), (u64)(want))
#define EXPECT_TRUE(name, cond) check_true((name), !!(cond))
/* Checks with a formatted name. */
void check_eqf(u64 got, u64 want, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
void section(const char* title);               /* prints "# title" */
__attribute__((noreturn)) void sys_exit(void); /* summary line, then isa-debug-exit */
__attribute__((noreturn)) void sys_abort(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
extern unsigned checks_passed, checks_failed;

/* ---- memory ---- */
void* memset(void* d, int c, size_t n);
void* memcpy(void* d, const void* s, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
int strcmp(const char* a, const char* b);

/* ---- traps ----
 * The frame the ISR stubs build: the general registers, the vector, the error
 * code (0 when the CPU pushes none), then what the CPU pushed. sp/ss are valid
 * only when the CPU pushed them (privilege change, or always in 64-bit mode). */
#ifdef __x86_64__
struct regs {
  uptr r15, r14, r13, r12, r11, r10, r9, r8, di, si, bp, bx, dx, cx, ax;
  uptr vector, error;
  uptr ip, cs, flags, sp, ss;
};
#else
struct regs {
  uptr gs, fs, es, ds, di, si, bp, sp_unused, bx, dx, cx, ax;
  uptr vector, error;
  uptr ip, cs, flags, sp, ss;
};
#endif

/* The last exception taken by catch_call/user_call (or recorded by a handler). */
struct trap {
  unsigned count;   /* exceptions recorded since the last trap_reset() */
  uptr vector, error, ip, cs, flags, sp, ss;
  uptr cr2;
  uptr frame;       /* address of the pushed IP: where the CPU put its frame */
  uptr ds, es, fs, gs;  /* at the fault (32-bit only) */
  uptr ax, bx, cx, dx;  /* at the fault */
};
extern struct trap last_trap;
void trap_reset(void);
void record_trap(const struct regs* r);

/* Runs fn(arg) at CPL 0. Returns -1 when it returns, or the vector of the first
 * exception it raises: the handler records it in last_trap and unwinds back
 * here (segment registers and EFLAGS as at the call). */
int catch_call(void (*fn)(uptr), uptr arg);
/* Runs fn(arg) at CPL 3 (IRET with EFLAGS = 0x2 | extra_flags, DS = ES = FS =
 * GS = user data). fn must not print. Returns -1 when fn returns (through INT
 * 0x80), or the vector of its first exception. user_ret_frame holds the frame
 * INT 0x80 pushed. */
int user_call(void (*fn)(uptr), uptr arg, uptr extra_flags);
extern struct trap user_ret_frame;
#define SYSCALL_VECTOR 0x80
/* Runs code at ip in segment cs (CPL 3) on the user stack with EFLAGS = 0x2 |
 * extra_flags; the code ends with INT 0x80. Same result as user_call. */
int user_jump(uptr ip, u16 cs, uptr extra_flags);
extern u8 user_stack_top[];

typedef void (*handler_fn)(struct regs*);
/* A handler returns through IRET (it may edit the frame). */
void set_handler(int vector, handler_fn h);
/* IDT entry control. */
void set_gate(int vector, uptr offset, u16 selector, u8 type, u8 dpl, u8 ist);
void set_gate_present(int vector, int present);
uptr isr_stub_address(int vector);
void restore_default_gate(int vector);

/* Test snippets: a function NAME(uptr) in assembly that runs SETUP, stores the
 * stack pointer in pre_sp, runs INSN (labelled NAME_insn, followed by
 * NAME_after) and then CLEANUP, and returns. Registers are free to clobber. */
extern uptr pre_sp;
#ifdef __x86_64__
#define SAVE_SP "mov %rsp, pre_sp(%rip)\n"
#else
#define SAVE_SP "mov %esp, pre_sp\n"
#endif
#define SNIPPET(name, setup, insn, cleanup)                                             \
  extern void name(uptr);                                                               \
  extern char name##_insn[], name##_after[];                                            \
  __asm__(".pushsection .text\n.globl " #name "\n" #name ":\n" setup "\n" SAVE_SP     \
          ".globl " #name "_insn\n" #name "_insn:\n" insn "\n.globl " #name "_after\n" #name \
          "_after:\n" cleanup "\nret\n.popsection\n")

/* The same for CPL 3 (run with user_jump(NAME_insn-less entry NAME)): ends with
 * INT 0x80 instead of RET. */
#define USER_SNIPPET(name, setup, insn, cleanup)                                        \
  extern char name[], name##_insn[], name##_after[];                                    \
  __asm__(".pushsection .text\n.globl " #name "\n" #name ":\n" setup "\n" SAVE_SP     \
          ".globl " #name "_insn\n" #name "_insn:\n" insn "\n.globl " #name "_after\n" #name \
          "_after:\n" cleanup "\nint $0x80\nud2\n.popsection\n")

/* ---- descriptors ---- */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS32 0x1b
#define USER_DS 0x23
#ifdef __x86_64__
#define USER_CS64 0x2b
#define TSS_SEL 0x30
#define KERNEL_CS32 0x40
#define GDT_SCRATCH 0x48 /* first free selector */
#define USER_CS USER_CS64 /* where user_call runs fn */
#define IDT_GATE_QWORDS 2
#else
#define TSS_SEL 0x28
#define DF_TSS_SEL 0x30
#define CODE16_SEL 0x38
#define DATA16_SEL 0x40
#define GDT_SCRATCH 0x48
#define USER_CS USER_CS32
#define IDT_GATE_QWORDS 1
#endif
#define GDT_ENTRIES 64
extern u64 gdt[GDT_ENTRIES];
extern u64 idt[256 * IDT_GATE_QWORDS];
void set_gdt_entry(u16 selector, u64 desc);
u64 get_gdt_entry(u16 selector);
void reload_tr(void); /* clears the busy bit and loads TSS_SEL */

#ifdef __x86_64__
struct PACKED tss64 {
  u32 reserved0;
  u64 rsp[3];
  u64 reserved1;
  u64 ist[7];
  u64 reserved2;
  u16 reserved3, iomap_base;
};
struct PACKED tss64_io {
  struct tss64 t;
  u8 iomap[8192 + 1];
};
extern struct tss64_io tss;
#else
struct PACKED tss32 {
  u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
  u32 es, cs, ss, ds, fs, gs, ldt;
  u16 trap, iomap_base;
};
/* The main TSS with a full I/O permission bitmap behind it. */
struct PACKED tss32_io {
  struct tss32 t;
  u8 iomap[8192 + 1];
};
extern struct tss32_io tss;
#endif
extern u8 ring0_stack_top[];

/* Permits (allowed = 1) or denies one port in the TSS I/O bitmap. */
void io_permit(u16 port, int allowed);
