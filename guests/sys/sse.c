/* Legacy-SSE moves and integer operations on XMM registers (SDM Vol. 2 per
 * instruction): full and scalar moves and what each leaves in the rest of the
 * register, MOVD/MOVQ with general registers, the bitwise and lane-wise integer
 * operations, PMOVMSKB; #GP(0) for a misaligned aligned-form operand (MOVDQA,
 * PXOR m128) but not for MOVDQU; #UD without CR4.OSFXSR or with CR0.EM, #NM with
 * CR0.TS (fpu_sdm.c: #UD first with both). Expected values are computed here
 * with integer code. */
#include "sys.h"


typedef struct { u64 lo, hi; } __attribute__((aligned(16))) v128;

/* Each binary operation as a function out = a OP b: xmm0 = a, xmm1 = b. */
#define VECTOR_OP(name, insn)                                                                     \
  extern void name(v128* out, const v128* a, const v128* b);                                      \
  __asm__(".pushsection .text\n" #name ":\n movdqu (%rsi), %xmm0\n movdqu (%rdx), %xmm1\n" insn \
          "\n movdqu %xmm0, (%rdi)\n ret\n.popsection\n")

VECTOR_OP(op_pand, "pand %xmm1, %xmm0");
VECTOR_OP(op_pandn, "pandn %xmm1, %xmm0");
VECTOR_OP(op_por, "por %xmm1, %xmm0");
VECTOR_OP(op_pxor, "pxor %xmm1, %xmm0");
VECTOR_OP(op_andps, "andps %xmm1, %xmm0");
VECTOR_OP(op_andnpd, "andnpd %xmm1, %xmm0");
VECTOR_OP(op_orps, "orps %xmm1, %xmm0");
VECTOR_OP(op_xorpd, "xorpd %xmm1, %xmm0");
VECTOR_OP(op_paddb, "paddb %xmm1, %xmm0");
VECTOR_OP(op_paddw, "paddw %xmm1, %xmm0");
VECTOR_OP(op_paddd, "paddd %xmm1, %xmm0");
VECTOR_OP(op_paddq, "paddq %xmm1, %xmm0");
VECTOR_OP(op_psubb, "psubb %xmm1, %xmm0");
VECTOR_OP(op_psubw, "psubw %xmm1, %xmm0");
VECTOR_OP(op_psubd, "psubd %xmm1, %xmm0");
VECTOR_OP(op_psubq, "psubq %xmm1, %xmm0");
VECTOR_OP(op_pcmpeqb, "pcmpeqb %xmm1, %xmm0");
VECTOR_OP(op_pcmpeqw, "pcmpeqw %xmm1, %xmm0");
VECTOR_OP(op_pcmpeqd, "pcmpeqd %xmm1, %xmm0");
VECTOR_OP(op_pcmpgtb, "pcmpgtb %xmm1, %xmm0");
VECTOR_OP(op_pcmpgtw, "pcmpgtw %xmm1, %xmm0");
VECTOR_OP(op_pcmpgtd, "pcmpgtd %xmm1, %xmm0");
/* Moves: out = what the move leaves in xmm0, which starts as a; b is the source. */
VECTOR_OP(op_movaps_reg, "movaps %xmm1, %xmm0");
VECTOR_OP(op_movss_reg, "movss %xmm1, %xmm0");
VECTOR_OP(op_movsd_reg, "movsd %xmm1, %xmm0");
VECTOR_OP(op_movss_load, "movss (%rdx), %xmm0");
VECTOR_OP(op_movsd_load, "movsd (%rdx), %xmm0");
VECTOR_OP(op_movq_load, "movq (%rdx), %xmm0");
VECTOR_OP(op_movq_reg, "movq %xmm1, %xmm0");
VECTOR_OP(op_movq_d6_reg, ".byte 0x66, 0x0f, 0xd6, 0xc8"); /* movq xmm0, xmm1 (66 0F D6 /r) */
VECTOR_OP(op_movdqa_load, "movdqa (%rdx), %xmm0");
VECTOR_OP(op_pxor_mem, "pxor (%rdx), %xmm0");
VECTOR_OP(op_movd_gpr, "mov (%rdx), %rax\n movd %eax, %xmm0");
VECTOR_OP(op_movq_gpr, "mov (%rdx), %rax\n movq %rax, %xmm0");

extern u64 op_movd_to_gpr(const v128* a);  /* rax = movd eax, xmm0, after rax = -1 */
extern u64 op_movq_to_gpr(const v128* a);
extern u64 op_pmovmskb(const v128* a);
__asm__(".pushsection .text\n"
        "op_movd_to_gpr:\n movdqu (%rdi), %xmm0\n mov $-1, %rax\n movd %xmm0, %eax\n ret\n"
        "op_movq_to_gpr:\n movdqu (%rdi), %xmm0\n movq %xmm0, %rax\n ret\n"
        "op_pmovmskb:\n movdqu (%rdi), %xmm0\n mov $-1, %rax\n pmovmskb %xmm0, %eax\n ret\n"
        ".popsection\n");

/* Stores: MOVSS/MOVSD/MOVQ write only their width; MOVDQU any alignment. */
extern void op_store_movss(void* out, const v128* a);
extern void op_store_movsd(void* out, const v128* a);
extern void op_store_movq(void* out, const v128* a);
extern void op_store_movdqu(void* out, const v128* a);
__asm__(".pushsection .text\n"
        "op_store_movss:\n movdqu (%rsi), %xmm0\n movss %xmm0, (%rdi)\n ret\n"
        "op_store_movsd:\n movdqu (%rsi), %xmm0\n movsd %xmm0, (%rdi)\n ret\n"
        "op_store_movq:\n movdqu (%rsi), %xmm0\n movq %xmm0, (%rdi)\n ret\n"
        "op_store_movdqu:\n movdqu (%rsi), %xmm0\n movdqu %xmm0, (%rdi)\n ret\n"
        ".popsection\n");

static u8 buffer[64] ALIGNED(16);
u64 fault_address;
SNIPPET(misaligned_movdqa, "mov fault_address(%rip), %rax", "movdqa (%rax), %xmm0", "");
SNIPPET(misaligned_pxor, "mov fault_address(%rip), %rax", "pxor (%rax), %xmm0", "");
SNIPPET(misaligned_movdqu, "mov fault_address(%rip), %rax", "movdqu (%rax), %xmm0", "");
SNIPPET(do_pxor, "", "pxor %xmm1, %xmm0", "");

static const v128 A = {0x8001ff7f00fe0180ull, 0x7fffffff80000000ull};
static const v128 B = {0x0102ff8000fe7f80ull, 0xffffffff7fffffffull};

/* Lane-wise reference: f(x, y, lane bits) on each lane. */
typedef u64 (*lane_fn)(u64 x, u64 y, unsigned bits);
static u64 lane_mask(unsigned bits) { return bits == 64 ? ~0ull : (1ull << bits) - 1; }
static int64_t signed_lane(u64 x, unsigned bits) { return (int64_t)(x << (64 - bits)) >> (64 - bits); }
static u64 add_lane(u64 x, u64 y, unsigned bits) { return (x + y) & lane_mask(bits); }
static u64 sub_lane(u64 x, u64 y, unsigned bits) { return (x - y) & lane_mask(bits); }
static u64 eq_lane(u64 x, u64 y, unsigned bits) { return x == y ? lane_mask(bits) : 0; }
static u64 gt_lane(u64 x, u64 y, unsigned bits) {
  return signed_lane(x, bits) > signed_lane(y, bits) ? lane_mask(bits) : 0;
}
static u64 laneint64_t(u64 a, u64 b, unsigned bits, lane_fn f) {
  u64 r = 0;
  for (unsigned i = 0; i < 64; i += bits) r |= f((a >> i) & lane_mask(bits), (b >> i) & lane_mask(bits), bits) << i;
  return r;
}
static v128 lanes(v128 a, v128 b, unsigned bits, lane_fn f) {
  return (v128){laneint64_t(a.lo, b.lo, bits, f), laneint64_t(a.hi, b.hi, bits, f)};
}

static void check_v128(const char* name, v128 got, v128 want) {
  check_eqf(got.lo, want.lo, "%s.low", name);
  check_eqf(got.hi, want.hi, "%s.high", name);
}
static v128 run2(void (*op)(v128*, const v128*, const v128*), v128 a, v128 b) {
  v128 out;
  op(&out, &a, &b);
  return out;
}

void kmain(void) {
  write_cr0(read_cr0() & ~(uptr)(CR0_EM | CR0_TS));
  write_cr4(read_cr4() | CR4_OSFXSR);

  section("bitwise");
  check_v128("pand", run2(op_pand, A, B), (v128){A.lo & B.lo, A.hi & B.hi});
  check_v128("pandn", run2(op_pandn, A, B), (v128){~A.lo & B.lo, ~A.hi & B.hi});
  check_v128("por", run2(op_por, A, B), (v128){A.lo | B.lo, A.hi | B.hi});
  check_v128("pxor", run2(op_pxor, A, B), (v128){A.lo ^ B.lo, A.hi ^ B.hi});
  check_v128("andps", run2(op_andps, A, B), (v128){A.lo & B.lo, A.hi & B.hi});
  check_v128("andnpd", run2(op_andnpd, A, B), (v128){~A.lo & B.lo, ~A.hi & B.hi});
  check_v128("orps", run2(op_orps, A, B), (v128){A.lo | B.lo, A.hi | B.hi});
  check_v128("xorpd", run2(op_xorpd, A, B), (v128){A.lo ^ B.lo, A.hi ^ B.hi});

  section("lanes");
  check_v128("paddb", run2(op_paddb, A, B), lanes(A, B, 8, add_lane));
  check_v128("paddw", run2(op_paddw, A, B), lanes(A, B, 16, add_lane));
  check_v128("paddd", run2(op_paddd, A, B), lanes(A, B, 32, add_lane));
  check_v128("paddq", run2(op_paddq, A, B), lanes(A, B, 64, add_lane));
  check_v128("psubb", run2(op_psubb, A, B), lanes(A, B, 8, sub_lane));
  check_v128("psubw", run2(op_psubw, A, B), lanes(A, B, 16, sub_lane));
  check_v128("psubd", run2(op_psubd, A, B), lanes(A, B, 32, sub_lane));
  check_v128("psubq", run2(op_psubq, A, B), lanes(A, B, 64, sub_lane));
  check_v128("pcmpeqb", run2(op_pcmpeqb, A, B), lanes(A, B, 8, eq_lane));
  check_v128("pcmpeqw", run2(op_pcmpeqw, A, B), lanes(A, B, 16, eq_lane));
  check_v128("pcmpeqd", run2(op_pcmpeqd, A, B), lanes(A, B, 32, eq_lane));
  check_v128("pcmpgtb", run2(op_pcmpgtb, A, B), lanes(A, B, 8, gt_lane));
  check_v128("pcmpgtw", run2(op_pcmpgtw, A, B), lanes(A, B, 16, gt_lane));
  check_v128("pcmpgtd", run2(op_pcmpgtd, A, B), lanes(A, B, 32, gt_lane));
  u64 sign_bits = 0;
  for (unsigned i = 0; i < 16; ++i) sign_bits |= (((i < 8 ? A.lo : A.hi) >> (8 * (i % 8) + 7)) & 1) << i;
  check_eq("pmovmskb", op_pmovmskb(&A), sign_bits);

  section("moves");
  check_v128("movaps_reg", run2(op_movaps_reg, A, B), B);
  check_v128("movss_reg_merges", run2(op_movss_reg, A, B), (v128){(A.lo & ~0xffffffffull) | (B.lo & 0xffffffff), A.hi});
  check_v128("movsd_reg_merges", run2(op_movsd_reg, A, B), (v128){B.lo, A.hi});
  check_v128("movss_load_clears", run2(op_movss_load, A, B), (v128){B.lo & 0xffffffff, 0});
  check_v128("movsd_load_clears", run2(op_movsd_load, A, B), (v128){B.lo, 0});
  check_v128("movq_load_clears", run2(op_movq_load, A, B), (v128){B.lo, 0});
  check_v128("movq_reg_clears", run2(op_movq_reg, A, B), (v128){B.lo, 0});
  check_v128("movq_d6_reg_clears", run2(op_movq_d6_reg, A, B), (v128){B.lo, 0});
  check_v128("movdqa_load", run2(op_movdqa_load, A, B), B);
  check_v128("pxor_mem", run2(op_pxor_mem, A, B), (v128){A.lo ^ B.lo, A.hi ^ B.hi});
  check_v128("movd_from_gpr", run2(op_movd_gpr, A, B), (v128){B.lo & 0xffffffff, 0});
  check_v128("movq_from_gpr", run2(op_movq_gpr, A, B), (v128){B.lo, 0});
  check_eq("movd_to_gpr_zero_extends", op_movd_to_gpr(&A), A.lo & 0xffffffff);
  check_eq("movq_to_gpr", op_movq_to_gpr(&A), A.lo);

  memset(buffer, 0xee, sizeof buffer);
  op_store_movss(buffer, &A);
  check_eq("store_movss", *(u64*)buffer, 0xeeeeeeee00000000ull | (A.lo & 0xffffffff));
  op_store_movsd(buffer + 16, &A);
  check_eq("store_movsd", *(u64*)(buffer + 16), A.lo);
  check_eq("store_movsd.next_untouched", *(u64*)(buffer + 24), 0xeeeeeeeeeeeeeeeeull);
  op_store_movq(buffer + 32, &B);
  check_eq("store_movq", *(u64*)(buffer + 32), B.lo);
  op_store_movdqu(buffer + 41, &B);
  check_true("store_movdqu_misaligned", memcmp(buffer + 41, &B, 16) == 0);

  section("alignment");
  fault_address = (u64)(uptr)(buffer + 8);
  check_eq("movdqa_misaligned.vector", (u32)catch_call(misaligned_movdqa, 0), VEC_GP);
  check_eq("movdqa_misaligned.error_code", last_trap.error, 0);
  check_eq("pxor_m128_misaligned.vector", (u32)catch_call(misaligned_pxor, 0), VEC_GP);
  check_eq("movdqu_misaligned.no_fault", (u32)catch_call(misaligned_movdqu, 0), (u32)-1);

  section("CR0 and CR4");
  const uptr cr0 = read_cr0(), cr4 = read_cr4();
  write_cr0(cr0 | CR0_TS);
  check_eq("ts.pxor", (u32)catch_call(do_pxor, 0), VEC_NM);
  write_cr0(cr0 | CR0_EM);
  check_eq("em.pxor", (u32)catch_call(do_pxor, 0), VEC_UD);
  write_cr0(cr0);
  write_cr4(cr4 & ~(uptr)CR4_OSFXSR);
  check_eq("no_osfxsr.pxor", (u32)catch_call(do_pxor, 0), VEC_UD);
  write_cr4(cr4);
  check_eq("enabled.pxor", (u32)catch_call(do_pxor, 0), (u32)-1);
}
