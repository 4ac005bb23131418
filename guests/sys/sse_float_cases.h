/* The SSE/SSE2 floating-point cases that the sse_float kernels run in a VM and
 * guests/sys/sse_float_host.c runs on the host CPU: every form of ADD SUB MUL DIV
 * MIN MAX SQRT RCP RSQRT CMPcc (PS SS PD SD), COMISS/SD UCOMISS/SD and the
 * conversions, with a register source, an aligned memory source and a misaligned
 * one, on operand sets of normals, exact and halfway results, denormals, signed
 * zeros, infinities, QNaNs and SNaNs with payloads, overflow, underflow and
 * integer-range values, under MXCSR settings that cover the four rounding
 * modes, DAZ, FTZ, flags already set (sticky) and each exception unmasked.
 *
 * A group is one form under one class of MXCSR settings ("addps.masked",
 * "addps.m.unmasked", "cvtsi2sd.r64.daz_ftz"); its cases are every operand set
 * under every setting of the class. A case records the destination (XMM, or the
 * general register, or the status flags), MXCSR after it and the exception it
 * raised (#XM with the destination unwritten, #GP(0) for a misaligned 128-bit
 * operand). The kernel compares a hash of a group's records with the one the
 * host CPU gave (sse_float_expected.h, written by `sse_float_host --print`), and
 * prints every record of a group that differs, in the format of `sse_float_host
 * --dump GROUP`, to compare. RCP and RSQRT give vendor-specific bits: their
 * values are checked within the SDM's error bound of the host's instead.
 *
 * The includer defines fp_execute(), which runs one trampoline (the CPU state in
 * struct fp_io, the pointer in RDI) and returns -1 or the vector of the exception
 * it raised; after a fault it stores XMM0, RAX and MXCSR as the trampoline would
 * have. */
#pragma once
#include <stdint.h>

typedef struct {
  uint64_t lo, hi;
} __attribute__((aligned(16))) fp_v128;

/* The offsets are the trampolines'. */
struct fp_io {
  fp_v128 a;         /* 0: XMM0 (the destination) */
  fp_v128 b;         /* 16: XMM1, and the memory source */
  fp_v128 out;       /* 32: XMM0 after */
  uint64_t gpr;      /* 48: RAX before, and the integer memory source */
  uint64_t gpr_out;  /* 56: RAX after */
  uint32_t mxcsr;    /* 64: MXCSR before, then after */
  uint32_t rflags;   /* 68: RFLAGS after (all status flags set before) */
};
_Static_assert(__builtin_offsetof(struct fp_io, mxcsr) == 64, "trampoline offsets");

/* A trampoline runs INSN with XMM0 = a, XMM1 = b, RAX = gpr, MXCSR = mxcsr and
 * every status flag set (COMIS must clear OF SF AF), then stores the results and
 * puts MXCSR and RFLAGS back. fp_save stores what a fault left. */
#define FP_TRAMPOLINE(name, insn)                                                        \
  void name(struct fp_io*);                                                              \
  __asm__(".pushsection .text\n.globl " #name "\n.type " #name ", @function\n" #name ":\n" \
          " pushfq\n movdqa (%rdi), %xmm0\n movdqa 16(%rdi), %xmm1\n mov 48(%rdi), %rax\n"   \
          " ldmxcsr 64(%rdi)\n push $0x8d7\n popfq\n " insn "\n"                           \
          " pushfq\n pop %rcx\n mov %ecx, 68(%rdi)\n stmxcsr 64(%rdi)\n"                    \
          " movdqa %xmm0, 32(%rdi)\n mov %rax, 56(%rdi)\n"                                  \
          " push $0x1f80\n ldmxcsr (%rsp)\n pop %rcx\n popfq\n ret\n.popsection\n")

void fp_save(struct fp_io*);
__asm__(".pushsection .text\n.globl fp_save\n.type fp_save, @function\nfp_save:\n"
        " stmxcsr 64(%rdi)\n movdqa %xmm0, 32(%rdi)\n push $0x1f80\n ldmxcsr (%rsp)\n pop %rcx\n ret\n"
        ".popsection\n");

/* The three forms of one instruction: register source, the memory source at
 * MEM(%rdi), and at MEM+4 (misaligned). */
#define FP_FORMS(id, mnemonic, reg, mem, dst)                                      \
  FP_TRAMPOLINE(fp_##id##_reg, mnemonic " " reg ", " dst);                         \
  FP_TRAMPOLINE(fp_##id##_mem, mnemonic " " #mem "(%rdi), " dst);                  \
  FP_TRAMPOLINE(fp_##id##_misaligned, mnemonic " " "4+" #mem "(%rdi), " dst)
#define FP_XMM(id, mnemonic) FP_FORMS(id, mnemonic, "%xmm1", 16, "%xmm0")
#define FP_CMP(id, mnemonic)                                                                       \
  FP_XMM(id##0, mnemonic " $0,"); FP_XMM(id##1, mnemonic " $1,"); FP_XMM(id##2, mnemonic " $2,"); \
  FP_XMM(id##3, mnemonic " $3,"); FP_XMM(id##4, mnemonic " $4,"); FP_XMM(id##5, mnemonic " $5,"); \
  FP_XMM(id##6, mnemonic " $6,"); FP_XMM(id##7, mnemonic " $7,")
#define FP_ARITH(suffix)                                                                              \
  FP_XMM(add##suffix, "add" #suffix); FP_XMM(sub##suffix, "sub" #suffix);                               \
  FP_XMM(mul##suffix, "mul" #suffix); FP_XMM(div##suffix, "div" #suffix);                               \
  FP_XMM(min##suffix, "min" #suffix); FP_XMM(max##suffix, "max" #suffix);                               \
  FP_XMM(sqrt##suffix, "sqrt" #suffix); FP_CMP(cmp##suffix, "cmp" #suffix)

FP_ARITH(ps);
FP_ARITH(ss);
FP_ARITH(pd);
FP_ARITH(sd);
FP_XMM(rcpps, "rcpps");
FP_XMM(rcpss, "rcpss");
FP_XMM(rsqrtps, "rsqrtps");
FP_XMM(rsqrtss, "rsqrtss");
FP_XMM(comiss, "comiss");
FP_XMM(ucomiss, "ucomiss");
FP_XMM(comisd, "comisd");
FP_XMM(ucomisd, "ucomisd");
FP_XMM(cvtps2pd, "cvtps2pd");
FP_XMM(cvtpd2ps, "cvtpd2ps");
FP_XMM(cvtss2sd, "cvtss2sd");
FP_XMM(cvtsd2ss, "cvtsd2ss");
FP_XMM(cvtdq2ps, "cvtdq2ps");
FP_XMM(cvtps2dq, "cvtps2dq");
FP_XMM(cvttps2dq, "cvttps2dq");
FP_XMM(cvtdq2pd, "cvtdq2pd");
FP_XMM(cvtpd2dq, "cvtpd2dq");
FP_XMM(cvttpd2dq, "cvttpd2dq");
FP_FORMS(cvtsi2ss_r32, "cvtsi2ssl", "%eax", 48, "%xmm0");
FP_FORMS(cvtsi2ss_r64, "cvtsi2ssq", "%rax", 48, "%xmm0");
FP_FORMS(cvtsi2sd_r32, "cvtsi2sdl", "%eax", 48, "%xmm0");
FP_FORMS(cvtsi2sd_r64, "cvtsi2sdq", "%rax", 48, "%xmm0");
FP_FORMS(cvtss2si_r32, "cvtss2si", "%xmm1", 16, "%eax");
FP_FORMS(cvtss2si_r64, "cvtss2si", "%xmm1", 16, "%rax");
FP_FORMS(cvttss2si_r32, "cvttss2si", "%xmm1", 16, "%eax");
FP_FORMS(cvttss2si_r64, "cvttss2si", "%xmm1", 16, "%rax");
FP_FORMS(cvtsd2si_r32, "cvtsd2si", "%xmm1", 16, "%eax");
FP_FORMS(cvtsd2si_r64, "cvtsd2si", "%xmm1", 16, "%rax");
FP_FORMS(cvttsd2si_r32, "cvttsd2si", "%xmm1", 16, "%eax");
FP_FORMS(cvttsd2si_r64, "cvttsd2si", "%xmm1", 16, "%rax");

/* Which operand sets a form takes, and what its destination is. */
enum fp_input { FP_SINGLE, FP_DOUBLE, FP_INT32, FP_INT64 };
enum fp_output { FP_TO_XMM, FP_TO_GPR, FP_TO_FLAGS, FP_APPROXIMATE };

struct fp_op {
  const char* name;
  void (*forms[3])(struct fp_io*); /* register, memory, misaligned memory */
  uint8_t input, output;
};

#define FP_OP(id, name, input, output) {name, {fp_##id##_reg, fp_##id##_mem, fp_##id##_misaligned}, input, output}
#define FP_CMP_OPS(id, name, input)                                                                \
  FP_OP(id##0, name ".eq", input, FP_TO_XMM), FP_OP(id##1, name ".lt", input, FP_TO_XMM),           \
  FP_OP(id##2, name ".le", input, FP_TO_XMM), FP_OP(id##3, name ".unord", input, FP_TO_XMM),        \
  FP_OP(id##4, name ".neq", input, FP_TO_XMM), FP_OP(id##5, name ".nlt", input, FP_TO_XMM),         \
  FP_OP(id##6, name ".nle", input, FP_TO_XMM), FP_OP(id##7, name ".ord", input, FP_TO_XMM)
#define FP_ARITH_OPS(suffix, input)                                                                \
  FP_OP(add##suffix, "add" #suffix, input, FP_TO_XMM), FP_OP(sub##suffix, "sub" #suffix, input, FP_TO_XMM), \
  FP_OP(mul##suffix, "mul" #suffix, input, FP_TO_XMM), FP_OP(div##suffix, "div" #suffix, input, FP_TO_XMM), \
  FP_OP(min##suffix, "min" #suffix, input, FP_TO_XMM), FP_OP(max##suffix, "max" #suffix, input, FP_TO_XMM), \
  FP_OP(sqrt##suffix, "sqrt" #suffix, input, FP_TO_XMM), FP_CMP_OPS(cmp##suffix, "cmp" #suffix, input)

static const struct fp_op fp_ops[] = {
    FP_ARITH_OPS(ps, FP_SINGLE),
    FP_ARITH_OPS(ss, FP_SINGLE),
    FP_ARITH_OPS(pd, FP_DOUBLE),
    FP_ARITH_OPS(sd, FP_DOUBLE),
    FP_OP(rcpps, "rcpps", FP_SINGLE, FP_APPROXIMATE),
    FP_OP(rcpss, "rcpss", FP_SINGLE, FP_APPROXIMATE),
    FP_OP(rsqrtps, "rsqrtps", FP_SINGLE, FP_APPROXIMATE),
    FP_OP(rsqrtss, "rsqrtss", FP_SINGLE, FP_APPROXIMATE),
    FP_OP(comiss, "comiss", FP_SINGLE, FP_TO_FLAGS),
    FP_OP(ucomiss, "ucomiss", FP_SINGLE, FP_TO_FLAGS),
    FP_OP(comisd, "comisd", FP_DOUBLE, FP_TO_FLAGS),
    FP_OP(ucomisd, "ucomisd", FP_DOUBLE, FP_TO_FLAGS),
    FP_OP(cvtps2pd, "cvtps2pd", FP_SINGLE, FP_TO_XMM),
    FP_OP(cvtpd2ps, "cvtpd2ps", FP_DOUBLE, FP_TO_XMM),
    FP_OP(cvtss2sd, "cvtss2sd", FP_SINGLE, FP_TO_XMM),
    FP_OP(cvtsd2ss, "cvtsd2ss", FP_DOUBLE, FP_TO_XMM),
    FP_OP(cvtdq2ps, "cvtdq2ps", FP_INT32, FP_TO_XMM),
    FP_OP(cvtps2dq, "cvtps2dq", FP_SINGLE, FP_TO_XMM),
    FP_OP(cvttps2dq, "cvttps2dq", FP_SINGLE, FP_TO_XMM),
    FP_OP(cvtdq2pd, "cvtdq2pd", FP_INT32, FP_TO_XMM),
    FP_OP(cvtpd2dq, "cvtpd2dq", FP_DOUBLE, FP_TO_XMM),
    FP_OP(cvttpd2dq, "cvttpd2dq", FP_DOUBLE, FP_TO_XMM),
    FP_OP(cvtsi2ss_r32, "cvtsi2ss.r32", FP_INT64, FP_TO_XMM),
    FP_OP(cvtsi2ss_r64, "cvtsi2ss.r64", FP_INT64, FP_TO_XMM),
    FP_OP(cvtsi2sd_r32, "cvtsi2sd.r32", FP_INT64, FP_TO_XMM),
    FP_OP(cvtsi2sd_r64, "cvtsi2sd.r64", FP_INT64, FP_TO_XMM),
    FP_OP(cvtss2si_r32, "cvtss2si.r32", FP_SINGLE, FP_TO_GPR),
    FP_OP(cvtss2si_r64, "cvtss2si.r64", FP_SINGLE, FP_TO_GPR),
    FP_OP(cvttss2si_r32, "cvttss2si.r32", FP_SINGLE, FP_TO_GPR),
    FP_OP(cvttss2si_r64, "cvttss2si.r64", FP_SINGLE, FP_TO_GPR),
    FP_OP(cvtsd2si_r32, "cvtsd2si.r32", FP_DOUBLE, FP_TO_GPR),
    FP_OP(cvtsd2si_r64, "cvtsd2si.r64", FP_DOUBLE, FP_TO_GPR),
    FP_OP(cvttsd2si_r32, "cvttsd2si.r32", FP_DOUBLE, FP_TO_GPR),
    FP_OP(cvttsd2si_r64, "cvttsd2si.r64", FP_DOUBLE, FP_TO_GPR),
};
#define FP_OP_COUNT (sizeof fp_ops / sizeof fp_ops[0])

/* Operand sets: (a, b), the destination's and the source's lanes. A group takes
 * either the sets with a denormal or NaN operand or the others. */
enum fp_kind { FP_PLAIN, FP_NAN_DENORMAL };
struct fp_pair {
  fp_v128 a, b;
  uint8_t kind;
};

#define F2(x, y) (((uint64_t)(y) << 32) | (uint32_t)(x)) /* two binary32 lanes, x the low one */
static const struct fp_pair fp_single_sets[] = {
    /* normals, inexact results: 1, -1.5, 1/3, 3 op 3, 0.1, -1/3, 1e-3 */
    {{F2(0x3f800000, 0xbfc00000), F2(0x3eaaaaab, 0x40400000)}, {F2(0x40400000, 0x3dcccccd), F2(0xbeaaaaab, 0x3a83126f)}, FP_PLAIN},
    /* exact: 2, -4, 0.5, 100 op 0.25, 2, -8, 4 */
    {{F2(0x40000000, 0xc0800000), F2(0x3f000000, 0x42c80000)}, {F2(0x3e800000, 0x40000000), F2(0xc1000000, 0x40800000)}, FP_PLAIN},
    /* halfway results: 1 + 2^-24, (1 + 2^-23) + 2^-24, -1 - 2^-24, 2^24 + 1 */
    {{F2(0x3f800000, 0x3f800001), F2(0xbf800000, 0x4b800000)}, {F2(0x33800000, 0x33800000), F2(0xb3800000, 0x3f800000)}, FP_PLAIN},
    /* denormals: the smallest, the largest, a negative one, with normals and another denormal */
    {{F2(0x00000001, 0x007fffff), F2(0x80400000, 0x3f800000)}, {F2(0x3f800000, 0x00800000), F2(0x00000003, 0x80000001)}, FP_NAN_DENORMAL},
    /* signed zeros and infinities */
    {{F2(0x00000000, 0x80000000), F2(0x7f800000, 0xff800000)}, {F2(0x80000000, 0x80000000), F2(0xff800000, 0x7f800000)}, FP_PLAIN},
    {{F2(0x80000000, 0x7f800000), F2(0x3f800000, 0x00000000)}, {F2(0x00000000, 0x00000000), F2(0x7f800000, 0x80000000)}, FP_PLAIN},
    /* QNaN and SNaN with payloads, as first, second or both operands */
    {{F2(0x7fc12345, 0x7f812345), F2(0x3f800000, 0xff800001)}, {F2(0x3f800000, 0xffc00001), F2(0x7f8000ff, 0x7fc00000)}, FP_NAN_DENORMAL},
    {{F2(0xffc00000, 0x3f800000), F2(0x7fc00001, 0x7f800000)}, {F2(0x7fa00000, 0x7fc54321), F2(0xffc00002, 0x7f800001)}, FP_NAN_DENORMAL},
    /* overflow and underflow: max + max, a tiny exact difference, 2^100 op 2^100, 2^-100 op 2^-100 */
    {{F2(0x7f7fffff, 0x00800001), F2(0x71800000, 0x0d800000)}, {F2(0x7f7fffff, 0x80800000), F2(0x71800000, 0x0d800000)}, FP_PLAIN},
    {{F2(0xff7fffff, 0x00c00000), F2(0x3f7fffff, 0x01000000)}, {F2(0x7f7fffff, 0x3f000000), F2(0x3f800001, 0x3e800000)}, FP_PLAIN},
    /* integer range: 2.5, -0.5, 2^31, -2^31 and 1.5, -2.5, 2^31 - 128, 2^63 */
    {{F2(0x3f800000, 0x3f800000), F2(0x3f800000, 0x3f800000)}, {F2(0x40200000, 0xbf000000), F2(0x4f000000, 0xcf000000)}, FP_PLAIN},
    {{F2(0x3f800000, 0x3f800000), F2(0x3f800000, 0x3f800000)}, {F2(0x3fc00000, 0xc0200000), F2(0x4effffff, 0x5f000000)}, FP_PLAIN},
    /* -2^63, 2^63 - 2^39, -0.7, 0.7 */
    {{F2(0x3f800000, 0x3f800000), F2(0x3f800000, 0x3f800000)}, {F2(0xdf000000, 0x5effffff), F2(0xbf333333, 0x3f333333)}, FP_PLAIN},
    /* denormal sources in every lane */
    {{F2(0x3f800000, 0x00000002), F2(0x3f800000, 0x3f800000)}, {F2(0x80000010, 0x00000001), F2(0x807fffff, 0x00400000)}, FP_NAN_DENORMAL},
};
static const struct fp_pair fp_double_sets[] = {
    /* normals: 1, 1/3 op 0.1, -3 */
    {{0x3ff0000000000000, 0x3fd5555555555555}, {0x3fb999999999999a, 0xc008000000000000}, FP_PLAIN},
    /* exact: 2, -0.5 op 4, 0.25 */
    {{0x4000000000000000, 0xbfe0000000000000}, {0x4010000000000000, 0x3fd0000000000000}, FP_PLAIN},
    /* halfway: 1 + 2^-53, -1 - 2^-53 */
    {{0x3ff0000000000000, 0xbff0000000000000}, {0x3ca0000000000000, 0xbca0000000000000}, FP_PLAIN},
    /* denormals */
    {{0x0000000000000001, 0x000fffffffffffff}, {0x3ff0000000000000, 0x8000000000000003}, FP_NAN_DENORMAL},
    {{0x8000000000000001, 0x3ff0000000000000}, {0x0010000000000000, 0x0008000000000000}, FP_NAN_DENORMAL},
    /* signed zeros and infinities */
    {{0x8000000000000000, 0x7ff0000000000000}, {0x0000000000000000, 0x7ff0000000000000}, FP_PLAIN},
    {{0xfff0000000000000, 0x0000000000000000}, {0x7ff0000000000000, 0x8000000000000000}, FP_PLAIN},
    {{0x8000000000000000, 0xfff0000000000000}, {0x8000000000000000, 0x3ff0000000000000}, FP_PLAIN},
    /* QNaN and SNaN with payloads */
    {{0x7ff8000000012345, 0xfff0000000000001}, {0x7ff0000000000abc, 0x3ff0000000000000}, FP_NAN_DENORMAL},
    {{0x3ff0000000000000, 0xfff8000000000001}, {0xfff8123456789abc, 0x7ff8000000000002}, FP_NAN_DENORMAL},
    {{0x7ff4000000000000, 0x7ff8000000000000}, {0x7ff8000000000000, 0x7ff0000080000001}, FP_NAN_DENORMAL},
    /* overflow and underflow */
    {{0x7fefffffffffffff, 0x0010000000000001}, {0x7fefffffffffffff, 0x8010000000000000}, FP_PLAIN},
    {{0x5fe0000000000000, 0x2000000000000000}, {0x5fe0000000000000, 0x2000000000000000}, FP_PLAIN},
    /* beyond binary32: 2^128, 2^-150 (halfway to binary32's smallest), 0.1, 2^-149 */
    {{0x3ff0000000000000, 0x3ff0000000000000}, {0x47f0000000000000, 0x3690000000000000}, FP_PLAIN},
    {{0x3ff0000000000000, 0x3ff0000000000000}, {0x3fb999999999999a, 0x36a0000000000000}, FP_PLAIN},
    {{0x3ff0000000000000, 0x3ff0000000000000}, {0x47efffffe0000000, 0xc7effffff0000000}, FP_PLAIN},
    /* integer range: 2^31 - 0.5, -2^31 - 0.5; 2.5, -0.5; 1e10, 2^31; -2^63, 2^63 */
    {{0x3ff0000000000000, 0x3ff0000000000000}, {0x41dfffffffe00000, 0xc1e0000000100000}, FP_PLAIN},
    {{0x3ff0000000000000, 0x3ff0000000000000}, {0x4004000000000000, 0xbfe0000000000000}, FP_PLAIN},
    {{0x3ff0000000000000, 0x3ff0000000000000}, {0x4202a05f20000000, 0x41e0000000000000}, FP_PLAIN},
    {{0x3ff0000000000000, 0x3ff0000000000000}, {0xc3e0000000000000, 0x43e0000000000000}, FP_PLAIN},
};
/* The destination of the integer conversions: its other lanes must be kept. */
#define FP_CANARY {0x3f800000c0000000, 0x4049000040490fdb}
static const struct fp_pair fp_int32_sets[] = {
    {FP_CANARY, {F2(0, 1), F2(0xffffffff, 0x7fffffff)}, FP_PLAIN},
    {FP_CANARY, {F2(0x80000000, 0x01000001), F2(0xfeffffff, 0x075bcd15)}, FP_PLAIN},
};
static const uint64_t fp_int64_values[] = {
    0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x0020000000000001,
    0x0000000001000001, 0xfffffffffeffffff, 0xffffffff80000000, 0x000000007fffffff, 0x8000000000000401,
};
#define FP_RAX_CANARY 0x5555aaaa5555aaaaull

static inline unsigned fp_set_count(uint8_t input) {
  switch (input) {
    case FP_SINGLE: return sizeof fp_single_sets / sizeof fp_single_sets[0];
    case FP_DOUBLE: return sizeof fp_double_sets / sizeof fp_double_sets[0];
    case FP_INT32: return sizeof fp_int32_sets / sizeof fp_int32_sets[0];
    default: return sizeof fp_int64_values / sizeof fp_int64_values[0];
  }
}

/* The state case `set` of a form with this input starts from. */
static inline void fp_prepare(struct fp_io* io, uint8_t input, unsigned set, uint32_t mxcsr) {
  const fp_v128 canary = FP_CANARY;
  io->a = canary;
  io->b = canary;
  io->gpr = FP_RAX_CANARY;
  switch (input) {
    case FP_SINGLE: io->a = fp_single_sets[set].a, io->b = fp_single_sets[set].b; break;
    case FP_DOUBLE: io->a = fp_double_sets[set].a, io->b = fp_double_sets[set].b; break;
    case FP_INT32: io->a = fp_int32_sets[set].a, io->b = fp_int32_sets[set].b; break;
    default: io->gpr = fp_int64_values[set]; break;
  }
  io->out.lo = io->out.hi = 0;
  io->gpr_out = 0;
  io->mxcsr = mxcsr;
  io->rflags = 0;
}

/* The classes of MXCSR settings, for the register form (the memory forms take
 * fewer). 0x1f80 is the power-on value: round to nearest, every exception masked. */
struct fp_class {
  const char* name;
  uint8_t form; /* 0 register, 1 memory, 2 misaligned memory */
  uint8_t count;
  uint32_t mxcsr[10];
};
static const struct fp_class fp_classes[] = {
    /* nearest, down, up, toward zero; every flag already set (sticky) */
    {"masked", 0, 5, {0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x1fbf}},
    /* DAZ, FTZ, both with rounding toward zero */
    {"daz_ftz", 0, 3, {0x1fc0, 0x9f80, 0xffc0}},
    /* IE, DE, ZE, OE, UE, PE unmasked alone; all; UE with FTZ; OE and UE rounding up; all with DAZ */
    {"unmasked", 0, 10, {0x1f00, 0x1e80, 0x1d80, 0x1b80, 0x1780, 0x0f80, 0x0000, 0x9780, 0x5380, 0x0040}},
    {"m.masked", 1, 2, {0x1f80, 0x1fc0}},
    {"m.unmasked", 1, 1, {0x0000}},
    {"m.misaligned", 2, 1, {0x1f80}},
};
#define FP_CLASS_COUNT (sizeof fp_classes / sizeof fp_classes[0])

static inline uint64_t fp_hash(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; ++i) h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ull;
  return h;
}
#define FP_HASH_START 0xcbf29ce484222325ull

/* What a case leaves, as hashed: the destination's bits (not for RCP/RSQRT,
 * whose lanes fp_approximately_equal compares), MXCSR and the vector. */
static inline uint64_t fp_record_hash(uint64_t h, const struct fp_op* op, const struct fp_io* io, int vector) {
  switch (op->output) {
    case FP_TO_XMM: h = fp_hash(fp_hash(h, io->out.lo), io->out.hi); break;
    case FP_TO_GPR: h = fp_hash(h, io->gpr_out); break;
    case FP_TO_FLAGS: h = fp_hash(h, io->rflags & 0x8d5); break;
    case FP_APPROXIMATE: break;
  }
  return fp_hash(fp_hash(h, io->mxcsr), (uint64_t)(int64_t)vector);
}

static int fp_execute(void (*fn)(struct fp_io*), struct fp_io* io);

/* Runs case `set` of `op` in form `form`; returns the vector or -1. */
static inline int fp_run_case(const struct fp_op* op, unsigned form, unsigned set, uint32_t mxcsr, struct fp_io* io) {
  fp_prepare(io, op->input, set, mxcsr);
  return fp_execute(op->forms[form], io);
}

static inline uint8_t fp_set_kind(uint8_t input, unsigned set) {
  switch (input) {
    case FP_SINGLE: return fp_single_sets[set].kind;
    case FP_DOUBLE: return fp_double_sets[set].kind;
    default: return FP_PLAIN;
  }
}

/* Whether a form has operand sets of this kind: the integer sources have none
 * with denormals or NaNs. */
static inline int fp_group_exists(const struct fp_op* op, uint8_t kind) {
  for (unsigned set = 0; set < fp_set_count(op->input); ++set)
    if (fp_set_kind(op->input, set) == kind) return 1;
  return 0;
}

/* Runs every case of a group; returns the hash of their records. */
static inline uint64_t fp_group_hash(const struct fp_op* op, const struct fp_class* c, uint8_t kind) {
  static struct fp_io io;
  uint64_t h = FP_HASH_START;
  for (unsigned m = 0; m < c->count; ++m)
    for (unsigned set = 0; set < fp_set_count(op->input); ++set) {
      if (fp_set_kind(op->input, set) != kind) continue;
      const int vector = fp_run_case(op, c->form, set, c->mxcsr[m], &io);
      h = fp_record_hash(h, op, &io, vector);
    }
  return h;
}

/* RCP/RSQRT lanes: special results (zeros, infinities, NaNs) must be the same;
 * others within 2^13 units in the last place of each other (the SDM allows each
 * 1.5 * 2^-12 relative error, at most 3 * 2^11 units apart). */
static inline int fp_approximately_equal(uint32_t x, uint32_t y) {
  const uint32_t ex = (x >> 23) & 0xff, ey = (y >> 23) & 0xff;
  if (ex == 0 || ex == 0xff || ey == 0 || ey == 0xff || (x ^ y) >> 31) return x == y;
  return (x > y ? x - y : y - x) <= (1u << 13);
}

/* What the host CPU gave (sse_float_expected.h). */
struct fp_expected_group {
  const char* name;
  uint64_t hash;
};
struct fp_expected_approximation {
  const char* name;
  uint8_t set;
  uint64_t lo, hi;
};

/* A group's name: "addps.masked", "addps.masked.nan_denormal". */
static inline void fp_group_name(char* out, unsigned size, const struct fp_op* op, const struct fp_class* c, uint8_t kind) {
  unsigned n = 0;
  const char* parts[] = {op->name, ".", c->name, kind == FP_NAN_DENORMAL ? ".nan_denormal" : ""};
  for (unsigned i = 0; i < 4; ++i)
    for (const char* p = parts[i]; *p && n + 1 < size; ++p) out[n++] = *p;
  out[n] = 0;
}
