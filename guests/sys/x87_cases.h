/* The x87 cases that the x87 and x87_sdm kernels run and that
 * guests/sys/host/x87_host.c runs natively, so the expected output can be checked
 * against a real x87. A case is a snippet that starts from FNINIT, loads its
 * operands, runs the instruction under test and ends with FNSAVE; the line it
 * prints holds FSW, the full tag word, every non-empty ST(i) as sign/exponent and
 * significand, the memory destination when something was stored there, and
 * RFLAGS' status flags where the case asks for them. */
#pragma once
#ifndef X87_HOST
#include "sys.h"
#endif

/* Operands, named by format: s_ binary32, d_ binary64, t_ double extended
 * (significand, then sign and exponent), w_ l_ q_ 16/32/64-bit integers, p_
 * packed BCD; cw_ control words. */
struct PACKED extended {
  u64 significand;
  u16 sign_exponent;
};
u32 s_1p5 = 0x3fc00000, s_denormal = 0x00000001, s_snan = 0x7f800001, s_m0p1 = 0xbdcccccd;
u64 d_1p5 = 0x3ff8000000000000, d_m2p25 = 0xc002000000000000, d_0p1 = 0x3fb999999999999a,
    d_2 = 0x4000000000000000, d_3 = 0x4008000000000000, d_8 = 0x4020000000000000, d_10 = 0x4024000000000000,
    d_11 = 0x4026000000000000, d_0p5 = 0x3fe0000000000000, d_m0p5 = 0xbfe0000000000000,
    d_m1 = 0xbff0000000000000, d_2p5 = 0x4004000000000000, d_m2p5 = 0xc004000000000000,
    d_1e300 = 0x7e37e43c8800759c, d_1em300 = 0x01a56e1fc2f8f359, d_denormal = 0x0000000000000001,
    d_snan = 0x7ff0000000000001, d_qnan = 0x7ff8000000000001, d_inf = 0x7ff0000000000000,
    d_minf = 0xfff0000000000000, d_m0 = 0x8000000000000000, d_1e20 = 0x44b52d02c7e14af6,
    d_m70000 = 0xc0f1170000000000, d_40000 = 0x40e3880000000000;
u16 w_m3 = 0xfffd, w_7 = 7;
u32 l_1e6 = 1000000, l_m2 = 0xfffffffe;
u64 q_max = 0x7fffffffffffffff, q_m5 = 0xfffffffffffffffb;
struct extended t_big = {0xffffffffffffffff, 0x7ffe}, t_tiny = {0x8000000000000000, 0x0001},
                t_denormal = {0x0000000000000001, 0x0000}, t_pseudo_denormal = {0x8000000000000001, 0x0000},
                t_unnormal = {0x4000000000000000, 0x3fff}, t_pseudo_inf = {0x0000000000000000, 0x7fff},
                t_snan = {0x8000000000000001, 0x7fff}, t_qnan_low = {0xc000000000000001, 0x7fff},
                t_qnan_high = {0xc000000000000100, 0xffff}, t_2p63 = {0x8000000000000000, 0x403e},
                t_1e4000 = {0xc4605202ed5ba8d1, 0x73ef}, t_third = {0xaaaaaaaaaaaaaaab, 0x3ffd};
u8 p_123456789 [10] = {0x89, 0x67, 0x45, 0x23, 0x01, 0, 0, 0, 0, 0x80}; /* -123456789 */
u8 p_max[10] = {0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x00};
u16 cw_down = 0x077f, cw_up = 0x0b7f, cw_zero = 0x0f7f, cw_single = 0x007f, cw_double = 0x027f,
    cw_ie_unmasked = 0x037e, cw_de_unmasked = 0x037d, cw_ze_unmasked = 0x037b, cw_oe_unmasked = 0x0377,
    cw_ue_unmasked = 0x036f, cw_pe_unmasked = 0x035f;

/* What a case leaves: the FNSAVE image, the memory destination, RFLAGS. */
u8 x87_out[108];
u8 x87_mem[32];
u64 x87_flags;

#define X87_CASE_SNIPPET(name, show, body)                                      \
  SNIPPET(name, "pushfq\n fninit", body,                                       \
          "fnsave x87_out(%rip)\n pushfq\n pop %rax\n mov %rax, x87_flags(%rip)\n popfq");
#define X87_CASE_ENTRY(name, show, body) {#name, name, show},

#define SHOW_FLAGS 1  /* OF SF ZF AF PF CF */
/* Results of the transcendental instructions, whose last bits vendors compute
 * differently (SDM Vol. 1, 8.3.10): significands rounded to 60 bits, C1 and PE
 * left out. */
#define SHOW_APPROXIMATE 2
/* QEMU 7.2 TCG computes this case differently from the SDM and this host's x87
 * (docs/system-tests.md): the x87_sdm kernel, which runs in orcvm only, has it. */
#define QEMU_DIFFERS 4

struct x87_case {
  const char* name;
  void (*fn)(uptr);
  unsigned show; /* SHOW_ and QEMU_DIFFERS flags */
};

static inline u16 x87_get16(const u8* p, unsigned off) { return (u16)(p[off] | p[off + 1] << 8); }
static inline u64 x87_get64(const u8* p, unsigned off) {
  u64 v = 0;
  for (unsigned i = 0; i < 8; ++i) v |= (u64)p[off + i] << (8 * i);
  return v;
}

static void x87_print_extended(const char* label, u16 sign_exponent, u64 significand, unsigned show) {
  if (show & SHOW_APPROXIMATE)
    kprintf(" %s~%04x:%015llx", label, sign_exponent, (unsigned long long)((significand >> 4) + (significand >> 3 & 1)));
  else
    kprintf(" %s=%04x:%016llx", label, sign_exponent, (unsigned long long)significand);
}

/* The cases whose QEMU_DIFFERS flag is qemu_differs. */
static void x87_run_cases(const struct x87_case* cases, unsigned count, unsigned qemu_differs) {
  for (unsigned k = 0; k < count; ++k) {
    const struct x87_case* c = &cases[k];
    if ((c->show & QEMU_DIFFERS) != qemu_differs) continue;
    memset(x87_mem, 0xa5, sizeof x87_mem);
    memset(x87_out, 0, sizeof x87_out);
    const int vector = catch_call(c->fn, 0);
    kprintf("%s:", c->name);
    if (vector != -1) {
      kprintf(" vector %d\n", vector);
      continue;
    }
    u16 sw = x87_get16(x87_out, 4);
    const u16 tw = x87_get16(x87_out, 8);
    if (c->show & SHOW_APPROXIMATE) sw &= (u16) ~(0x0200 | 0x20);
    kprintf(" sw=%04x tw=%04x", sw, tw);
    const unsigned top = sw >> 11 & 7;
    for (unsigned i = 0; i < 8; ++i) {
      if ((tw >> (2 * ((top + i) & 7)) & 3) == 3) continue;
      char label[4] = {'s', 't', (char)('0' + i), 0};
      x87_print_extended(label, x87_get16(x87_out, 28 + 10 * i + 8), x87_get64(x87_out, 28 + 10 * i), c->show);
    }
    int stored = 0;
    for (unsigned i = 0; i < 10; ++i) stored |= x87_mem[i] != 0xa5;
    if (stored) x87_print_extended("mem", x87_get16(x87_mem, 8), x87_get64(x87_mem, 0), 0);
    if (c->show & SHOW_FLAGS) kprintf(" flags=%03llx", (unsigned long long)(x87_flags & 0x8d5));
    kprintf("\n");
  }
}

/* Pushes all eight registers: 1.5, 1.5 ... */
#define FILL8 "fldl d_1p5(%rip); fld %st(0); fld %st(0); fld %st(0); fld %st(0); fld %st(0); fld %st(0); fld %st(0)\n"
#define SET_FLAGS(value) "push $" #value "\n popfq\n"
