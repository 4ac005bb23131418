/* Legacy-SSE2 integer and data-movement instructions beyond sse.c (SDM Vol. 2 per
 * instruction): PSHUFD/LW/HW, SHUFPS/PD, the unpacks, the lane shifts by imm8
 * and by xmm/m128 (counts 0, width - 1, width, above it, 64-bit counts with high
 * bits set), PSRLDQ/PSLLDQ, min/max, averages, saturating add/sub at both ends,
 * the multiplies, PMADDWD, PSADBW, the packs, the half moves, MOVMSKPS/PD,
 * PEXTRW/PINSRW; #GP(0) for a misaligned m128 but not for MOVHPS's m64.
 * Expected values are computed here with integer code, one lane at a time. */
#include "sys.h"

typedef struct { u64 lo, hi; } __attribute__((aligned(16))) v128;

/* out = a OP b with xmm0 = a, xmm1 = b (and b at (%rdx) for the memory forms). */
#define VECTOR_OP(name, insn)                                                                     \
  extern void name(v128* out, const v128* a, const v128* b);                                      \
  __asm__(".pushsection .text\n" #name ":\n movdqu (%rsi), %xmm0\n movdqu (%rdx), %xmm1\n" insn \
          "\n movdqu %xmm0, (%rdi)\n ret\n.popsection\n")
typedef void (*vector_op)(v128*, const v128*, const v128*);

static u64 lane_mask(unsigned bits) { return bits == 64 ? ~0ull : (1ull << bits) - 1; }
static int64_t signed_lane(u64 x, unsigned bits) { return (int64_t)(x << (64 - bits)) >> (64 - bits); }
static u64 get_lane(v128 v, unsigned bits, unsigned k) {
  const unsigned bit = k * bits;
  return ((bit < 64 ? v.lo : v.hi) >> (bit % 64)) & lane_mask(bits);
}
static void put_lane(v128* v, unsigned bits, unsigned k, u64 x) {
  const unsigned bit = k * bits;
  u64* half = bit < 64 ? &v->lo : &v->hi;
  *half = (*half & ~(lane_mask(bits) << (bit % 64))) | ((x & lane_mask(bits)) << (bit % 64));
}

static void check_v128(const char* name, v128 got, v128 want) {
  check_eqf(got.lo, want.lo, "%s.low", name);
  check_eqf(got.hi, want.hi, "%s.high", name);
}
static v128 run2(vector_op op, v128 a, v128 b) {
  v128 out;
  op(&out, &a, &b);
  return out;
}

/* Operand pairs: mixed values, and values at the saturation and sign edges. */
static const v128 kPairs[][2] = {
    {{0x8001ff7f00fe0180ull, 0x7fffffff80000000ull}, {0x0102ff8000fe7f80ull, 0xffffffff7fffffffull}},
    {{0x7fff8000ffff0001ull, 0x807f7f80ff0001feull}, {0x00017fff8000ffffull, 0x7f7f80800101ffffull}},
    {{0x00017fff8000ffffull, 0x7f7f80800101ffffull}, {0x7fff8000ffff0001ull, 0x807f7f80ff0001feull}},
    {{0x8000800080008000ull, 0x0123456789abcdefull}, {0x8000800080008000ull, 0xfedcba9876543210ull}},
};
#define PAIRS (sizeof kPairs / sizeof kPairs[0])

/* ---- lane-wise operations ---- */
typedef u64 (*lane_fn)(u64 x, u64 y, unsigned bits);
static u64 clamp_signed(int64_t x, unsigned bits) {
  const int64_t high = (int64_t)(lane_mask(bits) >> 1), low = -high - 1;
  return (u64)(x < low ? low : x > high ? high : x);
}
static u64 clamp_unsigned(int64_t x, unsigned bits) {
  return x < 0 ? 0 : (u64)x > lane_mask(bits) ? lane_mask(bits) : (u64)x;
}
static u64 umin_lane(u64 x, u64 y, unsigned bits) { (void)bits; return x < y ? x : y; }
static u64 umax_lane(u64 x, u64 y, unsigned bits) { (void)bits; return x > y ? x : y; }
static u64 smin_lane(u64 x, u64 y, unsigned bits) { return signed_lane(x, bits) < signed_lane(y, bits) ? x : y; }
static u64 smax_lane(u64 x, u64 y, unsigned bits) { return signed_lane(x, bits) > signed_lane(y, bits) ? x : y; }
static u64 avg_lane(u64 x, u64 y, unsigned bits) { (void)bits; return (x + y + 1) >> 1; }
static u64 addus_lane(u64 x, u64 y, unsigned bits) { return clamp_unsigned((int64_t)(x + y), bits); }
static u64 subus_lane(u64 x, u64 y, unsigned bits) { return clamp_unsigned((int64_t)x - (int64_t)y, bits); }
static u64 adds_lane(u64 x, u64 y, unsigned bits) { return clamp_signed(signed_lane(x, bits) + signed_lane(y, bits), bits); }
static u64 subs_lane(u64 x, u64 y, unsigned bits) { return clamp_signed(signed_lane(x, bits) - signed_lane(y, bits), bits); }
static u64 mullo_lane(u64 x, u64 y, unsigned bits) { return (x * y) & lane_mask(bits); }
static u64 mulhs_lane(u64 x, u64 y, unsigned bits) {
  return (u64)((signed_lane(x, bits) * signed_lane(y, bits)) >> bits) & lane_mask(bits);
}
static u64 mulhu_lane(u64 x, u64 y, unsigned bits) { return ((x * y) >> bits) & lane_mask(bits); }
static u64 muludq_lane(u64 x, u64 y, unsigned bits) { (void)bits; return (x & 0xffffffff) * (y & 0xffffffff); }
static u64 pmaddwd_lane(u64 x, u64 y, unsigned bits) {
  (void)bits;
  int64_t sum = signed_lane(x & 0xffff, 16) * signed_lane(y & 0xffff, 16) +
                signed_lane(x >> 16, 16) * signed_lane(y >> 16, 16);
  return (u64)sum & 0xffffffff;
}
static u64 psadbw_lane(u64 x, u64 y, unsigned bits) {
  (void)bits;
  u64 sum = 0;
  for (unsigned i = 0; i < 64; i += 8) {
    const u64 p = (x >> i) & 0xff, q = (y >> i) & 0xff;
    sum += p > q ? p - q : q - p;
  }
  return sum;
}
static v128 lanes(v128 a, v128 b, unsigned bits, lane_fn f) {
  v128 r = {0, 0};
  for (unsigned k = 0; k < 128 / bits; ++k) put_lane(&r, bits, k, f(get_lane(a, bits, k), get_lane(b, bits, k), bits));
  return r;
}

VECTOR_OP(op_pminub, "pminub %xmm1, %xmm0");
VECTOR_OP(op_pmaxub, "pmaxub %xmm1, %xmm0");
VECTOR_OP(op_pminsw, "pminsw %xmm1, %xmm0");
VECTOR_OP(op_pmaxsw, "pmaxsw %xmm1, %xmm0");
VECTOR_OP(op_pavgb, "pavgb %xmm1, %xmm0");
VECTOR_OP(op_pavgw, "pavgw %xmm1, %xmm0");
VECTOR_OP(op_paddusb, "paddusb %xmm1, %xmm0");
VECTOR_OP(op_paddusw, "paddusw %xmm1, %xmm0");
VECTOR_OP(op_paddsb, "paddsb %xmm1, %xmm0");
VECTOR_OP(op_paddsw, "paddsw %xmm1, %xmm0");
VECTOR_OP(op_psubusb, "psubusb %xmm1, %xmm0");
VECTOR_OP(op_psubusw, "psubusw %xmm1, %xmm0");
VECTOR_OP(op_psubsb, "psubsb %xmm1, %xmm0");
VECTOR_OP(op_psubsw, "psubsw (%rdx), %xmm0");
VECTOR_OP(op_pmullw, "pmullw %xmm1, %xmm0");
VECTOR_OP(op_pmulhw, "pmulhw %xmm1, %xmm0");
VECTOR_OP(op_pmulhuw, "pmulhuw (%rdx), %xmm0");
VECTOR_OP(op_pmuludq, "pmuludq %xmm1, %xmm0");
VECTOR_OP(op_pmaddwd, "pmaddwd %xmm1, %xmm0");
VECTOR_OP(op_psadbw, "psadbw %xmm1, %xmm0");

static const struct { const char* name; vector_op op; unsigned bits; lane_fn ref; } kLaneOps[] = {
    {"pminub", op_pminub, 8, umin_lane},       {"pmaxub", op_pmaxub, 8, umax_lane},
    {"pminsw", op_pminsw, 16, smin_lane},      {"pmaxsw", op_pmaxsw, 16, smax_lane},
    {"pavgb", op_pavgb, 8, avg_lane},          {"pavgw", op_pavgw, 16, avg_lane},
    {"paddusb", op_paddusb, 8, addus_lane},    {"paddusw", op_paddusw, 16, addus_lane},
    {"paddsb", op_paddsb, 8, adds_lane},       {"paddsw", op_paddsw, 16, adds_lane},
    {"psubusb", op_psubusb, 8, subus_lane},    {"psubusw", op_psubusw, 16, subus_lane},
    {"psubsb", op_psubsb, 8, subs_lane},       {"psubsw_m128", op_psubsw, 16, subs_lane},
    {"pmullw", op_pmullw, 16, mullo_lane},     {"pmulhw", op_pmulhw, 16, mulhs_lane},
    {"pmulhuw_m128", op_pmulhuw, 16, mulhu_lane}, {"pmuludq", op_pmuludq, 64, muludq_lane},
    {"pmaddwd", op_pmaddwd, 32, pmaddwd_lane}, {"psadbw", op_psadbw, 64, psadbw_lane},
};

/* ---- packs: a's lanes then b's, saturated to half width ---- */
VECTOR_OP(op_packsswb, "packsswb %xmm1, %xmm0");
VECTOR_OP(op_packssdw, "packssdw %xmm1, %xmm0");
VECTOR_OP(op_packuswb, "packuswb %xmm1, %xmm0");
static v128 pack_ref(v128 a, v128 b, unsigned bits, int is_signed) {
  const unsigned n = 128 / bits;
  v128 r = {0, 0};
  for (unsigned k = 0; k < 2 * n; ++k) {
    const int64_t x = signed_lane(get_lane(k < n ? a : b, bits, k % n), bits);
    put_lane(&r, bits / 2, k, is_signed ? clamp_signed(x, bits / 2) : clamp_unsigned(x, bits / 2));
  }
  return r;
}

/* ---- lane shifts ---- */
enum shift_kind { LEFT, RIGHT_LOGICAL, RIGHT_ARITHMETIC };
static v128 shift_ref(v128 a, unsigned bits, enum shift_kind kind, u64 count) {
  v128 r = {0, 0};
  for (unsigned k = 0; k < 128 / bits; ++k) {
    const u64 x = get_lane(a, bits, k);
    u64 y;
    if (kind == RIGHT_ARITHMETIC) y = (u64)(signed_lane(x, bits) >> (count >= bits ? bits - 1 : count));
    else if (count >= bits) y = 0;
    else y = kind == LEFT ? x << count : x >> count;
    put_lane(&r, bits, k, y);
  }
  return r;
}
/* By xmm1's low quadword (b.lo) and by m128 at (%rdx). */
VECTOR_OP(op_psrlw, "psrlw %xmm1, %xmm0");
VECTOR_OP(op_psrld, "psrld %xmm1, %xmm0");
VECTOR_OP(op_psrlq, "psrlq %xmm1, %xmm0");
VECTOR_OP(op_psraw, "psraw %xmm1, %xmm0");
VECTOR_OP(op_psrad, "psrad (%rdx), %xmm0");
VECTOR_OP(op_psllw, "psllw %xmm1, %xmm0");
VECTOR_OP(op_pslld, "pslld (%rdx), %xmm0");
VECTOR_OP(op_psllq, "psllq %xmm1, %xmm0");
static const struct { const char* name; vector_op op; unsigned bits; enum shift_kind kind; } kShiftOps[] = {
    {"psrlw", op_psrlw, 16, RIGHT_LOGICAL}, {"psrld", op_psrld, 32, RIGHT_LOGICAL},
    {"psrlq", op_psrlq, 64, RIGHT_LOGICAL}, {"psraw", op_psraw, 16, RIGHT_ARITHMETIC},
    {"psrad_m128", op_psrad, 32, RIGHT_ARITHMETIC}, {"psllw", op_psllw, 16, LEFT},
    {"pslld_m128", op_pslld, 32, LEFT}, {"psllq", op_psllq, 64, LEFT},
};
/* By imm8: 0, 1, width - 1, width, above (0x80 and 0xff; imm8 is not sign-extended). */
#define SHIFT_IMM(insn, reg_ops)                                            \
  VECTOR_OP(op_##insn##_0, #insn " $0, %xmm0");                             \
  VECTOR_OP(op_##insn##_1, #insn " $1, %xmm0");                             \
  VECTOR_OP(op_##insn##_w1, #insn " $" #reg_ops " - 1, %xmm0");             \
  VECTOR_OP(op_##insn##_w, #insn " $" #reg_ops ", %xmm0");                  \
  VECTOR_OP(op_##insn##_128, #insn " $0x80, %xmm0");                        \
  VECTOR_OP(op_##insn##_255, #insn " $0xff, %xmm0");                        \
  static const vector_op insn##_imm_ops[] = {op_##insn##_0, op_##insn##_1, op_##insn##_w1, \
                                             op_##insn##_w, op_##insn##_128, op_##insn##_255}
SHIFT_IMM(psrlw, 16);
SHIFT_IMM(psrld, 32);
SHIFT_IMM(psrlq, 64);
SHIFT_IMM(psraw, 16);
SHIFT_IMM(psrad, 32);
SHIFT_IMM(psllw, 16);
SHIFT_IMM(pslld, 32);
SHIFT_IMM(psllq, 64);
static const struct { const char* name; const vector_op* ops; unsigned bits; enum shift_kind kind; } kShiftImmOps[] = {
    {"psrlw_imm", psrlw_imm_ops, 16, RIGHT_LOGICAL}, {"psrld_imm", psrld_imm_ops, 32, RIGHT_LOGICAL},
    {"psrlq_imm", psrlq_imm_ops, 64, RIGHT_LOGICAL}, {"psraw_imm", psraw_imm_ops, 16, RIGHT_ARITHMETIC},
    {"psrad_imm", psrad_imm_ops, 32, RIGHT_ARITHMETIC}, {"psllw_imm", psllw_imm_ops, 16, LEFT},
    {"pslld_imm", pslld_imm_ops, 32, LEFT}, {"psllq_imm", psllq_imm_ops, 64, LEFT},
};

/* PSRLDQ/PSLLDQ: whole-register byte shifts. */
#define BYTE_SHIFT(insn)                                                                        \
  VECTOR_OP(op_##insn##_0, #insn " $0, %xmm0");                                                 \
  VECTOR_OP(op_##insn##_1, #insn " $1, %xmm0");                                                 \
  VECTOR_OP(op_##insn##_7, #insn " $7, %xmm0");                                                 \
  VECTOR_OP(op_##insn##_15, #insn " $15, %xmm0");                                               \
  VECTOR_OP(op_##insn##_16, #insn " $16, %xmm0");                                               \
  VECTOR_OP(op_##insn##_255, #insn " $255, %xmm0");                                             \
  static const vector_op insn##_ops[] = {op_##insn##_0, op_##insn##_1, op_##insn##_7,          \
                                         op_##insn##_15, op_##insn##_16, op_##insn##_255}
BYTE_SHIFT(psrldq);
BYTE_SHIFT(pslldq);
static const unsigned kByteCounts[] = {0, 1, 7, 15, 16, 255};
static v128 byte_shift_ref(v128 a, int left, unsigned count) {
  v128 r = {0, 0};
  for (int k = 0; k < 16; ++k) {
    const int from = left ? k - (int)count : k + (int)count;
    if (from >= 0 && from < 16) put_lane(&r, 8, k, get_lane(a, 8, from));
  }
  return r;
}

/* ---- shuffles and unpacks ---- */
VECTOR_OP(op_pshufd_1b, "pshufd $0x1b, %xmm1, %xmm0");
VECTOR_OP(op_pshufd_00, "pshufd $0x00, %xmm1, %xmm0");
VECTOR_OP(op_pshufd_m128, "pshufd $0x9c, (%rdx), %xmm0");
VECTOR_OP(op_pshuflw_1b, "pshuflw $0x1b, %xmm1, %xmm0");
VECTOR_OP(op_pshuflw_d2, "pshuflw $0xd2, (%rdx), %xmm0");
VECTOR_OP(op_pshufhw_1b, "pshufhw $0x1b, %xmm1, %xmm0");
VECTOR_OP(op_pshufhw_87, "pshufhw $0x87, %xmm1, %xmm0");
VECTOR_OP(op_shufps_4e, "shufps $0x4e, %xmm1, %xmm0");
VECTOR_OP(op_shufps_b1, "shufps $0xb1, (%rdx), %xmm0");
VECTOR_OP(op_shufpd_1, "shufpd $1, %xmm1, %xmm0");
VECTOR_OP(op_shufpd_2, "shufpd $2, %xmm1, %xmm0");
/* Lane k of a shuffle of n lanes of `bits`: from lanes 0..n-1 of x then y. */
static v128 pick_ref(v128 x, v128 y, unsigned bits, const unsigned* pick) {
  const unsigned n = 128 / bits;
  v128 r = {0, 0};
  for (unsigned k = 0; k < n; ++k) put_lane(&r, bits, k, get_lane(pick[k] < n ? x : y, bits, pick[k] % n));
  return r;
}
static v128 pshufd_ref(v128 s, unsigned imm) {
  unsigned pick[4];
  for (unsigned k = 0; k < 4; ++k) pick[k] = (imm >> (2 * k)) & 3;
  return pick_ref(s, s, 32, pick);
}
static v128 pshufw_ref(v128 s, unsigned imm, int high) {
  unsigned pick[8];
  for (unsigned k = 0; k < 8; ++k) pick[k] = k;
  for (unsigned k = 0; k < 4; ++k) pick[(high ? 4 : 0) + k] = (high ? 4 : 0) + ((imm >> (2 * k)) & 3);
  return pick_ref(s, s, 16, pick);
}
static v128 shufps_ref(v128 d, v128 s, unsigned imm) {
  unsigned pick[4];
  for (unsigned k = 0; k < 4; ++k) pick[k] = ((imm >> (2 * k)) & 3) + (k >= 2 ? 4 : 0);
  return pick_ref(d, s, 32, pick);
}
static v128 shufpd_ref(v128 d, v128 s, unsigned imm) {
  const unsigned pick[2] = {imm & 1, 2 + ((imm >> 1) & 1)};
  return pick_ref(d, s, 64, pick);
}

VECTOR_OP(op_punpcklbw, "punpcklbw %xmm1, %xmm0");
VECTOR_OP(op_punpcklwd, "punpcklwd %xmm1, %xmm0");
VECTOR_OP(op_punpckldq, "punpckldq %xmm1, %xmm0");
VECTOR_OP(op_punpcklqdq, "punpcklqdq (%rdx), %xmm0");
VECTOR_OP(op_punpckhbw, "punpckhbw %xmm1, %xmm0");
VECTOR_OP(op_punpckhwd, "punpckhwd (%rdx), %xmm0");
VECTOR_OP(op_punpckhdq, "punpckhdq %xmm1, %xmm0");
VECTOR_OP(op_punpckhqdq, "punpckhqdq %xmm1, %xmm0");
VECTOR_OP(op_unpcklps, "unpcklps %xmm1, %xmm0");
VECTOR_OP(op_unpckhps, "unpckhps %xmm1, %xmm0");
VECTOR_OP(op_unpcklpd, "unpcklpd %xmm1, %xmm0");
VECTOR_OP(op_unpckhpd, "unpckhpd (%rdx), %xmm0");
static const struct { const char* name; vector_op op; unsigned bits; int high; } kUnpacks[] = {
    {"punpcklbw", op_punpcklbw, 8, 0},  {"punpcklwd", op_punpcklwd, 16, 0}, {"punpckldq", op_punpckldq, 32, 0},
    {"punpcklqdq_m128", op_punpcklqdq, 64, 0}, {"punpckhbw", op_punpckhbw, 8, 1},
    {"punpckhwd_m128", op_punpckhwd, 16, 1}, {"punpckhdq", op_punpckhdq, 32, 1},
    {"punpckhqdq", op_punpckhqdq, 64, 1}, {"unpcklps", op_unpcklps, 32, 0}, {"unpckhps", op_unpckhps, 32, 1},
    {"unpcklpd", op_unpcklpd, 64, 0},   {"unpckhpd_m128", op_unpckhpd, 64, 1},
};
static v128 unpack_ref(v128 d, v128 s, unsigned bits, int high) {
  const unsigned n = 128 / bits, base = high ? n / 2 : 0;
  v128 r = {0, 0};
  for (unsigned k = 0; k < n / 2; ++k) {
    put_lane(&r, bits, 2 * k, get_lane(d, bits, base + k));
    put_lane(&r, bits, 2 * k + 1, get_lane(s, bits, base + k));
  }
  return r;
}

/* ---- half moves, masks, words ---- */
VECTOR_OP(op_movlps_load, "movlps (%rdx), %xmm0");
VECTOR_OP(op_movhps_load, "movhps (%rdx), %xmm0");
VECTOR_OP(op_movlpd_load, "movlpd (%rdx), %xmm0");
VECTOR_OP(op_movhpd_load, "movhpd (%rdx), %xmm0");
VECTOR_OP(op_movhlps, "movhlps %xmm1, %xmm0");
VECTOR_OP(op_movlhps, "movlhps %xmm1, %xmm0");
VECTOR_OP(op_pinsrw_3, "mov (%rdx), %eax\n pinsrw $3, %eax, %xmm0");
VECTOR_OP(op_pinsrw_9, "mov (%rdx), %eax\n pinsrw $9, %eax, %xmm0");  /* imm8 mod 8: word 1 */
VECTOR_OP(op_pinsrw_m16, "pinsrw $7, 2(%rdx), %xmm0");
/* Stores of one quadword: out gets xmm0's quadword at out, the rest untouched. */
extern void op_movlps_store(void* out, const v128* a);
extern void op_movhps_store(void* out, const v128* a);
extern void op_movlpd_store(void* out, const v128* a);
extern void op_movhpd_store(void* out, const v128* a);
extern u64 op_movmskps(const v128* a);
extern u64 op_movmskpd(const v128* a);
extern u64 op_pextrw_2(const v128* a);
extern u64 op_pextrw_15(const v128* a);
extern u64 op_pextrw_r64(const v128* a);
__asm__(".pushsection .text\n"
        "op_movlps_store:\n movdqu (%rsi), %xmm0\n movlps %xmm0, (%rdi)\n ret\n"
        "op_movhps_store:\n movdqu (%rsi), %xmm0\n movhps %xmm0, (%rdi)\n ret\n"
        "op_movlpd_store:\n movdqu (%rsi), %xmm0\n movlpd %xmm0, (%rdi)\n ret\n"
        "op_movhpd_store:\n movdqu (%rsi), %xmm0\n movhpd %xmm0, (%rdi)\n ret\n"
        "op_movmskps:\n movdqu (%rdi), %xmm0\n mov $-1, %rax\n movmskps %xmm0, %eax\n ret\n"
        "op_movmskpd:\n movdqu (%rdi), %xmm0\n mov $-1, %rax\n movmskpd %xmm0, %eax\n ret\n"
        "op_pextrw_2:\n movdqu (%rdi), %xmm0\n mov $-1, %rax\n pextrw $2, %xmm0, %eax\n ret\n"
        "op_pextrw_15:\n movdqu (%rdi), %xmm0\n mov $-1, %rax\n pextrw $15, %xmm0, %eax\n ret\n"
        "op_pextrw_r64:\n movdqu (%rdi), %xmm0\n mov $-1, %rax\n pextrw $6, %xmm0, %rax\n ret\n"
        ".popsection\n");

static u8 buffer[64] ALIGNED(16);
u64 fault_address;
SNIPPET(misaligned_pshufd, "mov fault_address(%rip), %rax", "pshufd $0, (%rax), %xmm0", "");
SNIPPET(misaligned_psrlw, "mov fault_address(%rip), %rax", "psrlw (%rax), %xmm0", "");
SNIPPET(misaligned_paddusb, "mov fault_address(%rip), %rax", "paddusb (%rax), %xmm0", "");
SNIPPET(misaligned_movhps, "mov fault_address(%rip), %rax", "movhps (%rax), %xmm0", "");
SNIPPET(misaligned_movlpd_store, "mov fault_address(%rip), %rax", "movlpd %xmm0, (%rax)", "");
SNIPPET(do_pshufd, "", "pshufd $0, %xmm1, %xmm0", "");

static void check_half_store(const char* name, void (*op)(void*, const v128*), v128 a, u64 want) {
  memset(buffer, 0xee, sizeof buffer);
  op(buffer + 4, &a);  /* no alignment required */
  check_eqf(*(u32*)buffer, 0xeeeeeeee, "%s.before_untouched", name);
  u64 got;
  memcpy(&got, buffer + 4, 8);
  check_eqf(got, want, "%s", name);
  check_eqf(*(u32*)(buffer + 12), 0xeeeeeeee, "%s.after_untouched", name);
}

void kmain(void) {
  write_cr0(read_cr0() & ~(uptr)(CR0_EM | CR0_TS));
  write_cr4(read_cr4() | CR4_OSFXSR);
  const v128 A = kPairs[0][0], B = kPairs[0][1];

  section("lane arithmetic");
  for (unsigned t = 0; t < sizeof kLaneOps / sizeof kLaneOps[0]; ++t)
    for (unsigned p = 0; p < PAIRS; ++p) {
      const v128 a = kPairs[p][0], b = kPairs[p][1];
      const v128 got = run2(kLaneOps[t].op, a, b), want = lanes(a, b, kLaneOps[t].bits, kLaneOps[t].ref);
      check_eqf(got.lo, want.lo, "%s.%u.low", kLaneOps[t].name, p);
      check_eqf(got.hi, want.hi, "%s.%u.high", kLaneOps[t].name, p);
    }

  section("packs");
  for (unsigned p = 0; p < PAIRS; ++p) {
    const v128 a = kPairs[p][0], b = kPairs[p][1];
    v128 got = run2(op_packsswb, a, b), want = pack_ref(a, b, 16, 1);
    check_eqf(got.lo, want.lo, "packsswb.%u.low", p);
    check_eqf(got.hi, want.hi, "packsswb.%u.high", p);
    got = run2(op_packssdw, a, b), want = pack_ref(a, b, 32, 1);
    check_eqf(got.lo, want.lo, "packssdw.%u.low", p);
    check_eqf(got.hi, want.hi, "packssdw.%u.high", p);
    got = run2(op_packuswb, a, b), want = pack_ref(a, b, 16, 0);
    check_eqf(got.lo, want.lo, "packuswb.%u.low", p);
    check_eqf(got.hi, want.hi, "packuswb.%u.high", p);
  }
  /* Negative words pack to 0 unsigned, large positive ones to 0xff (SDM: PACKUSWB). */
  check_v128("packuswb.edges", run2(op_packuswb, (v128){0x8000ffff00ff0100ull, 0x7fff00800001007full}, (v128){0, 0}),
             (v128){0xff80017f0000ffffull, 0});

  section("shifts by register");
  /* Counts: 0, 1, width - 1, width, width + 1, 64-bit counts with high bits set, and
   * a small count with the high quadword set (which the count ignores). */
  for (unsigned t = 0; t < sizeof kShiftOps / sizeof kShiftOps[0]; ++t) {
    const unsigned w = kShiftOps[t].bits;
    const v128 counts[] = {{0, 0}, {1, 0}, {w - 1, 0}, {w, 0}, {w + 1, 0}, {0x100000001ull, 0},
                           {0x8000000000000003ull, 0}, {3, ~0ull}, {255, 0}};
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
      const v128 got = run2(kShiftOps[t].op, A, counts[c]);
      const v128 want = shift_ref(A, w, kShiftOps[t].kind, counts[c].lo);
      check_eqf(got.lo, want.lo, "%s.count%u.low", kShiftOps[t].name, c);
      check_eqf(got.hi, want.hi, "%s.count%u.high", kShiftOps[t].name, c);
    }
  }

  section("shifts by imm8");
  for (unsigned t = 0; t < sizeof kShiftImmOps / sizeof kShiftImmOps[0]; ++t) {
    const unsigned w = kShiftImmOps[t].bits;
    const u64 counts[] = {0, 1, w - 1, w, 0x80, 0xff};
    for (unsigned c = 0; c < 6; ++c) {
      const v128 got = run2(kShiftImmOps[t].ops[c], B, A);
      const v128 want = shift_ref(B, w, kShiftImmOps[t].kind, counts[c]);
      check_eqf(got.lo, want.lo, "%s.%u.low", kShiftImmOps[t].name, (unsigned)counts[c]);
      check_eqf(got.hi, want.hi, "%s.%u.high", kShiftImmOps[t].name, (unsigned)counts[c]);
    }
  }
  for (unsigned c = 0; c < 6; ++c) {
    v128 got = run2(psrldq_ops[c], A, B), want = byte_shift_ref(A, 0, kByteCounts[c]);
    check_eqf(got.lo, want.lo, "psrldq.%u.low", kByteCounts[c]);
    check_eqf(got.hi, want.hi, "psrldq.%u.high", kByteCounts[c]);
    got = run2(pslldq_ops[c], A, B), want = byte_shift_ref(A, 1, kByteCounts[c]);
    check_eqf(got.lo, want.lo, "pslldq.%u.low", kByteCounts[c]);
    check_eqf(got.hi, want.hi, "pslldq.%u.high", kByteCounts[c]);
  }

  section("shuffles");
  /* SDM's example: PSHUFD with 0x1B reverses the dwords. */
  check_v128("pshufd_1b.reverses", run2(op_pshufd_1b, A, B), (v128){(B.hi >> 32) | (B.hi << 32), (B.lo >> 32) | (B.lo << 32)});
  check_v128("pshufd_1b", run2(op_pshufd_1b, A, B), pshufd_ref(B, 0x1b));
  check_v128("pshufd_00", run2(op_pshufd_00, A, B), pshufd_ref(B, 0x00));
  check_v128("pshufd_m128", run2(op_pshufd_m128, A, B), pshufd_ref(B, 0x9c));
  check_v128("pshuflw_1b", run2(op_pshuflw_1b, A, B), pshufw_ref(B, 0x1b, 0));
  check_v128("pshuflw_m128", run2(op_pshuflw_d2, A, B), pshufw_ref(B, 0xd2, 0));
  check_v128("pshufhw_1b", run2(op_pshufhw_1b, A, B), pshufw_ref(B, 0x1b, 1));
  check_v128("pshufhw_87", run2(op_pshufhw_87, A, B), pshufw_ref(B, 0x87, 1));
  check_v128("shufps_4e", run2(op_shufps_4e, A, B), shufps_ref(A, B, 0x4e));
  check_v128("shufps_m128", run2(op_shufps_b1, A, B), shufps_ref(A, B, 0xb1));
  check_v128("shufpd_1", run2(op_shufpd_1, A, B), shufpd_ref(A, B, 1));
  check_v128("shufpd_2", run2(op_shufpd_2, A, B), shufpd_ref(A, B, 2));

  section("unpacks");
  for (unsigned t = 0; t < sizeof kUnpacks / sizeof kUnpacks[0]; ++t)
    check_v128(kUnpacks[t].name, run2(kUnpacks[t].op, A, B), unpack_ref(A, B, kUnpacks[t].bits, kUnpacks[t].high));

  section("half moves");
  check_v128("movlps_load", run2(op_movlps_load, A, B), (v128){B.lo, A.hi});
  check_v128("movhps_load", run2(op_movhps_load, A, B), (v128){A.lo, B.lo});
  check_v128("movlpd_load", run2(op_movlpd_load, A, B), (v128){B.lo, A.hi});
  check_v128("movhpd_load", run2(op_movhpd_load, A, B), (v128){A.lo, B.lo});
  check_v128("movhlps", run2(op_movhlps, A, B), (v128){B.hi, A.hi});
  check_v128("movlhps", run2(op_movlhps, A, B), (v128){A.lo, B.lo});
  check_half_store("movlps_store", op_movlps_store, A, A.lo);
  check_half_store("movhps_store", op_movhps_store, A, A.hi);
  check_half_store("movlpd_store", op_movlpd_store, B, B.lo);
  check_half_store("movhpd_store", op_movhpd_store, B, B.hi);

  section("masks and words");
  u64 ps = 0, pd = 0;
  for (unsigned k = 0; k < 4; ++k) ps |= (get_lane(A, 32, k) >> 31) << k;
  for (unsigned k = 0; k < 2; ++k) pd |= (get_lane(A, 64, k) >> 63) << k;
  check_eq("movmskps", op_movmskps(&A), ps);
  check_eq("movmskpd", op_movmskpd(&A), pd);
  check_eq("movmskps.b", op_movmskps(&B), (get_lane(B, 32, 0) >> 31) | (get_lane(B, 32, 1) >> 31) << 1 |
                                             (get_lane(B, 32, 2) >> 31) << 2 | (get_lane(B, 32, 3) >> 31) << 3);
  check_eq("pextrw_2", op_pextrw_2(&A), get_lane(A, 16, 2));
  check_eq("pextrw_15_is_word_7", op_pextrw_15(&A), get_lane(A, 16, 7));
  check_eq("pextrw_r64", op_pextrw_r64(&B), get_lane(B, 16, 6));
  v128 want = A;
  put_lane(&want, 16, 3, B.lo & 0xffff);
  check_v128("pinsrw_3", run2(op_pinsrw_3, A, B), want);
  want = A;
  put_lane(&want, 16, 1, B.lo & 0xffff);
  check_v128("pinsrw_9_is_word_1", run2(op_pinsrw_9, A, B), want);
  want = A;
  put_lane(&want, 16, 7, (B.lo >> 16) & 0xffff);
  check_v128("pinsrw_m16", run2(op_pinsrw_m16, A, B), want);

  section("alignment");
  fault_address = (u64)(uptr)(buffer + 8);
  check_eq("pshufd_m128_misaligned.vector", (u32)catch_call(misaligned_pshufd, 0), VEC_GP);
  check_eq("pshufd_m128_misaligned.error_code", last_trap.error, 0);
  check_eq("psrlw_m128_misaligned.vector", (u32)catch_call(misaligned_psrlw, 0), VEC_GP);
  check_eq("paddusb_m128_misaligned.vector", (u32)catch_call(misaligned_paddusb, 0), VEC_GP);
  fault_address = (u64)(uptr)(buffer + 3);
  check_eq("movhps_m64_misaligned.no_fault", (u32)catch_call(misaligned_movhps, 0), (u32)-1);
  check_eq("movlpd_store_misaligned.no_fault", (u32)catch_call(misaligned_movlpd_store, 0), (u32)-1);

  section("CR0 and CR4");
  const uptr cr0 = read_cr0(), cr4 = read_cr4();
  write_cr0(cr0 | CR0_TS);
  check_eq("ts.pshufd", (u32)catch_call(do_pshufd, 0), VEC_NM);
  write_cr0(cr0 | CR0_EM);
  check_eq("em.pshufd", (u32)catch_call(do_pshufd, 0), VEC_UD);
  write_cr0(cr0);
  write_cr4(cr4 & ~(uptr)CR4_OSFXSR);
  check_eq("no_osfxsr.pshufd", (u32)catch_call(do_pshufd, 0), VEC_UD);
  write_cr4(cr4);
  check_eq("enabled.pshufd", (u32)catch_call(do_pshufd, 0), (u32)-1);
}
