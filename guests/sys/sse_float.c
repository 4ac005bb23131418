/* SSE/SSE2 floating point (SDM Vol. 1, 10.2.3, 11.5; Vol. 2 per instruction):
 * every form of sse_float_cases.h against what the host CPU gave, a few cases
 * written out with their values, the packed exception rule, #XM with the
 * destination unwritten and #UD without CR4.OSXMMEXCPT, #GP(0) for a misaligned
 * 128-bit operand, the CR0/CR4 checks, MASKMOVDQU and MOVNTI.
 *
 * sse_float_sdm.c builds the same file with FP_SDM_KERNEL 1: the checks where
 * QEMU 7.2 TCG departs from the hardware (listed in fp_qemu_departs and marked
 * below), which run in orcvm only. */
#include "sys.h"

#include "sse_float_cases.h"
#include "sse_float_expected.h"

#ifndef FP_SDM_KERNEL
#define FP_SDM_KERNEL 0
#endif
#define CR4_OSXMMEXCPT 0x400u

static int fp_execute(void (*fn)(struct fp_io*), struct fp_io* io) {
  const int vector = catch_call((void (*)(uptr))(void (*)(void))fn, (uptr)io);
  if (vector >= 0) {
    fp_save(io);
    io->gpr_out = last_trap.ax;
  }
  return vector;
}

/* Where QEMU 7.2 TCG gives other results than the host CPU, which orcvm follows
 * (the host agrees with the SDM in each): these groups and approximation checks
 * run in the SDM kernel. '*' matches any characters. */
static const char* const fp_qemu_departs[] = {
    /* QEMU never raises #XM: it sets the flag and writes the result. */
    "*.unmasked", "*.unmasked.nan_denormal",
    /* QEMU never sets DE for a denormal operand (SDM Vol. 1, 4.9.1.2), and with
     * an SNaN and a QNaN operand it returns the QNaN, not the first operand
     * quieted (Vol. 1, Table 4-7). */
    "*.nan_denormal",
    /* The same for the denormals that the shifted bytes of a misaligned m64 make. */
    "*sd.m.misaligned", "cmpsd.*.m.misaligned", "cvtsd2ss.m.misaligned",
    /* QEMU does not check the alignment of these m128 operands (#GP(0), SDM
     * Vol. 2, 2.4, exception type 2). */
    "cvtpd2ps.m.misaligned", "cvtdq2ps.m.misaligned", "cvtps2dq.m.misaligned", "cvttps2dq.m.misaligned",
    "cvtpd2dq.m.misaligned", "cvttpd2dq.m.misaligned",
    /* RCP/RSQRT: QEMU approximates a denormal operand where the hardware reads a
     * zero and returns an infinity, and returns a denormal for a tiny result,
     * which the SDM says is always flushed to zero (RCPPS). */
    "rcpps.set8", "rcpps.set9", "rcpps.set13", "rcpss.set8", "rcpss.set9", "rsqrtps.set3", "rsqrtps.set13",
    "rsqrtss.set13",
};

static int matches(const char* s, const char* pattern) {
  if (*pattern == '*') return matches(s, pattern + 1) || (*s && matches(s + 1, pattern));
  if (!*pattern) return !*s;
  return *s == *pattern && matches(s + 1, pattern + 1);
}

static int qemu_departs(const char* name) {
  for (unsigned i = 0; i < ARRAY_SIZE(fp_qemu_departs); ++i)
    if (matches(name, fp_qemu_departs[i])) return 1;
  return 0;
}

static void dump_group(const struct fp_op* op, const struct fp_class* c, uint8_t kind, const char* name) {
  static struct fp_io io;
  for (unsigned m = 0; m < c->count; ++m)
    for (unsigned set = 0; set < fp_set_count(op->input); ++set) {
      if (fp_set_kind(op->input, set) != kind) continue;
      const int vector = fp_run_case(op, c->form, set, c->mxcsr[m], &io);
      kprintf("%s mxcsr=0x%x set=%u: out=%016llx:%016llx rax=0x%llx flags=0x%x mxcsr=0x%x vector=%d\n", name,
              c->mxcsr[m], set, (unsigned long long)io.out.hi, (unsigned long long)io.out.lo,
              (unsigned long long)io.gpr_out, io.rflags & 0x8d5, io.mxcsr, vector);
    }
}

static void check_groups(void) {
  char name[64];
  for (unsigned i = 0; i < FP_OP_COUNT; ++i)
    for (unsigned k = 0; k < FP_CLASS_COUNT; ++k)
      for (uint8_t kind = FP_PLAIN; kind <= FP_NAN_DENORMAL; ++kind) {
      if (!fp_group_exists(&fp_ops[i], kind)) continue;
      fp_group_name(name, sizeof name, &fp_ops[i], &fp_classes[k], kind);
      if (qemu_departs(name) != FP_SDM_KERNEL) continue;
      const struct fp_expected_group* want = 0;
      for (unsigned e = 0; e < ARRAY_SIZE(fp_expected_groups); ++e)
        if (fp_expected_groups[e].name && strcmp(fp_expected_groups[e].name, name) == 0) want = &fp_expected_groups[e];
      const uint64_t got = fp_group_hash(&fp_ops[i], &fp_classes[k], kind);
      check_true(name, want && got == want->hash);
      if (!want || got != want->hash) dump_group(&fp_ops[i], &fp_classes[k], kind, name);
    }
}

/* RCP/RSQRT: every lane within the error bound of the host's. */
static void check_approximations(void) {
  static struct fp_io io;
  for (unsigned e = 0; e < ARRAY_SIZE(fp_expected_approximations); ++e) {
    const struct fp_expected_approximation* x = &fp_expected_approximations[e];
    const struct fp_op* op = 0;
    for (unsigned i = 0; i < FP_OP_COUNT; ++i)
      if (x->name && strcmp(fp_ops[i].name, x->name) == 0) op = &fp_ops[i];
    char name[64];
    ksnprintf(name, sizeof name, "%s.set%u", x->name, x->set);
    if (!op || qemu_departs(name) != FP_SDM_KERNEL) continue;
    const int vector = fp_run_case(op, 0, x->set, 0x1f80, &io);
    int close = vector == -1 && io.mxcsr == 0x1f80;
    for (unsigned lane = 0; lane < 4; ++lane) {
      const uint64_t got = lane < 2 ? io.out.lo : io.out.hi, want = lane < 2 ? x->lo : x->hi;
      const unsigned shift = 32 * (lane % 2);
      close = close && fp_approximately_equal((uint32_t)(got >> shift), (uint32_t)(want >> shift));
    }
    check_true(name, close);
    if (!close)
      kprintf("%s: got %016llx:%016llx want %016llx:%016llx mxcsr=0x%x vector=%d\n", name, (unsigned long long)io.out.hi,
              (unsigned long long)io.out.lo, (unsigned long long)x->hi, (unsigned long long)x->lo, io.mxcsr, vector);
  }
}

/* ---- cases written out ---- */

static struct fp_io io;

/* Runs a form on xmm0 = a, xmm1 = b under mxcsr; returns the vector or -1. */
static int run(void (*fn)(struct fp_io*), fp_v128 a, fp_v128 b, u32 mxcsr) {
  io.a = a;
  io.b = b;
  io.gpr = FP_RAX_CANARY;
  io.mxcsr = mxcsr;
  return fp_execute(fn, &io);
}
static void check_xmm(const char* name, fp_v128 want) {
  check_eqf(io.out.lo, want.lo, "%s.low", name);
  check_eqf(io.out.hi, want.hi, "%s.high", name);
}

#define ONE 0x3f800000u
#define TWO 0x40000000u
#define THREE 0x40400000u
#define QNAN 0x7fc00001u
#define SNAN 0x7f800001u
#define INF 0x7f800000u
#define MAX 0x7f7fffffu

static void written_out(void) {
  const fp_v128 ones = {F2(ONE, 0x11111111), 0x2222222233333333};

  section("arithmetic");
  check_eq("addss.no_fault", (u32)run(fp_addss_reg, ones, (fp_v128){F2(TWO, 0), 0}, 0x1f80), (u32)-1);
  check_xmm("addss.1_plus_2_keeps_upper_lanes", (fp_v128){F2(THREE, 0x11111111), 0x2222222233333333});
  check_eq("addss.exact.mxcsr", io.mxcsr, 0x1f80);
  run(fp_divss_reg, ones, (fp_v128){0, 0}, 0x1f80);
  check_eq("divss.by_zero_masked", (u32)io.out.lo, INF);
  check_eq("divss.by_zero_masked.mxcsr_ze", io.mxcsr, 0x1f84);
  run(fp_addss_reg, ones, (fp_v128){F2(TWO, 0), 0}, 0x1f81);
  check_eq("addss.sticky_ie_kept", io.mxcsr, 0x1f81);
  run(fp_addss_reg, (fp_v128){F2(0x00000001, 0), 0}, (fp_v128){0, 0}, 0x1fc0);
  check_eq("addss.daz.denormal_read_as_zero", (u32)io.out.lo, 0);
  check_eq("addss.daz.no_de", io.mxcsr, 0x1fc0);
  run(fp_mulss_reg, (fp_v128){F2(0x00800000, 0), 0}, (fp_v128){F2(0x3f000000, 0), 0}, 0x9f80);
  check_eq("mulss.ftz.flushed", (u32)io.out.lo, 0);
  check_eq("mulss.ftz.ue_pe", io.mxcsr, 0x9fb0);
  run(fp_mulss_reg, (fp_v128){F2(0x00800000, 0), 0}, (fp_v128){F2(0x3f000000, 0), 0}, 0x1f80);
  check_eq("mulss.denormal_result", (u32)io.out.lo, 0x00400000);
  check_eq("mulss.denormal_result.exact_no_ue", io.mxcsr, 0x1f80);
  run(fp_addsd_reg, (fp_v128){0x3ff0000000000000, 7}, (fp_v128){0x3ca0000000000000, 0}, 0x5f80);
  check_xmm("addsd.halfway_rounds_up", (fp_v128){0x3ff0000000000001, 7});
  check_eq("addsd.halfway_rounds_up.pe", io.mxcsr, 0x5fa0);

  section("NaN rules");
  run(fp_addss_reg, (fp_v128){F2(QNAN | 0x1234, 0), 0}, (fp_v128){F2(QNAN, 0), 0}, 0x1f80);
  check_eq("addss.first_qnan", (u32)io.out.lo, QNAN | 0x1234);
  check_eq("addss.qnan.no_ie", io.mxcsr, 0x1f80);
  run(fp_minss_reg, (fp_v128){F2(QNAN, 0), 0}, (fp_v128){F2(ONE, 0), 0}, 0x1f80);
  check_eq("minss.nan_first.returns_second", (u32)io.out.lo, ONE);
  check_eq("minss.qnan.ie", io.mxcsr, 0x1f81);
  run(fp_maxss_reg, (fp_v128){F2(ONE, 0), 0}, (fp_v128){F2(SNAN, 0), 0}, 0x1f80);
  check_eq("maxss.nan_second.returned_unquieted", (u32)io.out.lo, SNAN);
  run(fp_maxss_reg, (fp_v128){F2(0, 0), 0}, (fp_v128){F2(0x80000000, 0), 0}, 0x1f80);
  check_eq("maxss.zeros.returns_second", (u32)io.out.lo, 0x80000000);
  run(fp_cmpps1_reg, (fp_v128){F2(QNAN, ONE), F2(ONE, ONE)}, (fp_v128){F2(ONE, TWO), F2(ONE, QNAN)}, 0x1f80);
  check_xmm("cmpltps.nan_false", (fp_v128){F2(0, 0xffffffff), F2(0, 0)});
  check_eq("cmpltps.qnan.ie", io.mxcsr, 0x1f81);
  run(fp_cmpps3_reg, (fp_v128){F2(QNAN, ONE), F2(ONE, ONE)}, (fp_v128){F2(ONE, TWO), F2(ONE, QNAN)}, 0x1f80);
  check_xmm("cmpunordps", (fp_v128){F2(0xffffffff, 0), F2(0, 0xffffffff)});
  check_eq("cmpunordps.qnan.no_ie", io.mxcsr, 0x1f80);

  section("comparisons into RFLAGS");
  run(fp_comiss_reg, (fp_v128){F2(QNAN, 0), 0}, (fp_v128){F2(ONE, 0), 0}, 0x1f80);
  check_eq("comiss.unordered.zf_pf_cf", io.rflags & 0x8d5, FL_ZF | FL_PF | FL_CF);
  check_eq("comiss.qnan.ie", io.mxcsr, 0x1f81);
  run(fp_ucomiss_reg, (fp_v128){F2(QNAN, 0), 0}, (fp_v128){F2(ONE, 0), 0}, 0x1f80);
  check_eq("ucomiss.qnan.no_ie", io.mxcsr, 0x1f80);
  run(fp_ucomiss_reg, (fp_v128){F2(ONE, 0), 0}, (fp_v128){F2(TWO, 0), 0}, 0x1f80);
  check_eq("ucomiss.less.cf_only", io.rflags & 0x8d5, FL_CF);
  run(fp_comisd_reg, (fp_v128){0x8000000000000000, 0}, (fp_v128){0, 0}, 0x1f80);
  check_eq("comisd.zeros_equal.zf_only", io.rflags & 0x8d5, FL_ZF);

  section("conversions");
  run(fp_cvttss2si_r32_reg, ones, (fp_v128){F2(0x4f32d05e, 0), 0}, 0x1f80); /* 3e9 */
  check_eq("cvttss2si.r32.out_of_range.indefinite", io.gpr_out, 0x80000000);
  check_eq("cvttss2si.r32.out_of_range.ie", io.mxcsr, 0x1f81);
  run(fp_cvtss2si_r64_reg, ones, (fp_v128){F2(0x40200000, 0), 0}, 0x1f80); /* 2.5 */
  check_eq("cvtss2si.r64.nearest_even", io.gpr_out, 2);
  run(fp_cvtss2si_r64_reg, ones, (fp_v128){F2(0x40200000, 0), 0}, 0x5f80);
  check_eq("cvtss2si.r64.up", io.gpr_out, 3);
  check_eq("cvtss2si.r64.up.pe", io.mxcsr, 0x5fa0);
  io.gpr = 0x0020000000000001; /* 2^53 + 1 */
  io.a = (fp_v128){0, 0x99};
  io.mxcsr = 0x1f80;
  fp_execute(fp_cvtsi2sd_r64_reg, &io);
  check_xmm("cvtsi2sd.r64.rounded", (fp_v128){0x4340000000000000, 0x99});
  check_eq("cvtsi2sd.r64.rounded.pe", io.mxcsr, 0x1fa0);
  run(fp_cvtpd2ps_reg, ones, (fp_v128){0x3ff0000000000000, 0xc000000000000000}, 0x1f80);
  check_xmm("cvtpd2ps.upper_half_zeroed", (fp_v128){F2(ONE, 0xc0000000), 0});
  run(fp_cvtsd2ss_reg, (fp_v128){0x1111111122222222, 0x33}, (fp_v128){0x7ff0000000012345, 0}, 0x1f80);
  check_eq("cvtsd2ss.snan_payload_kept_quieted", (u32)io.out.lo, 0x7fc00000);
  check_eq("cvtsd2ss.keeps_lane1", io.out.lo >> 32, 0x11111111);

  section("alignment");
  check_eq("addps.m128_misaligned.vector", (u32)run(fp_addps_misaligned, ones, ones, 0x1f80), VEC_GP);
  check_eq("addps.m128_misaligned.error_code", last_trap.error, 0);
  check_eq("cvtps2pd.m64_misaligned.no_fault", (u32)run(fp_cvtps2pd_misaligned, ones, ones, 0x1f80), (u32)-1);
  check_eq("addss.m32_misaligned.no_fault", (u32)run(fp_addss_misaligned, ones, ones, 0x1f80), (u32)-1);
}

/* ---- unmasked exceptions (QEMU 7.2 never raises #XM: SDM kernel) ---- */

/* QEMU returns the QNaN; the first operand quieted is the SDM's (Vol. 1, Table 4-7). */
static void nan_and_denormal_operands(void) {
  section("NaN and denormal operands");
  run(fp_addss_reg, (fp_v128){F2(SNAN | 0x1234, 0), 0}, (fp_v128){F2(QNAN, 0), 0}, 0x1f80);
  check_eq("addss.snan_first.quieted", (u32)io.out.lo, QNAN | 0x1234);
  check_eq("addss.snan_first.ie", io.mxcsr, 0x1f81);
  run(fp_addsd_reg, (fp_v128){0x000fffffffffffff, 0}, (fp_v128){0x0000000000000001, 0}, 0x1f80);
  check_eq("addsd.denormals", io.out.lo, 0x0010000000000000);
  check_eq("addsd.denormals.de", io.mxcsr, 0x1f82);
}

static void unmasked_exceptions(void) {
  const fp_v128 ones = {F2(ONE, 0x11111111), 0x2222222233333333};
  const fp_v128 zero = {0, 0};
  section("#XM");
  check_eq("divss.by_zero_unmasked.vector", (u32)run(fp_divss_reg, ones, zero, 0x1d80), VEC_XM);
  check_xmm("divss.by_zero_unmasked.destination_unwritten", ones);
  check_eq("divss.by_zero_unmasked.ze_set", io.mxcsr, 0x1d84);
  /* Packed: lane 0 is invalid (IE unmasked), lane 1 overflows (masked): only
   * the pre-computation flags are reported (SDM Vol. 1, 11.5.3). */
  const fp_v128 a = {F2(INF, MAX), F2(ONE, ONE)}, b = {F2(0xff800000, MAX), F2(ONE, ONE)};
  check_eq("addps.ie_and_oe.vector", (u32)run(fp_addps_reg, a, b, 0x1f00), VEC_XM);
  check_eq("addps.ie_and_oe.only_ie", io.mxcsr, 0x1f01);
  check_xmm("addps.ie_and_oe.destination_unwritten", a);
  /* Post-computation: an unmasked OE; max + max is exact at an unbounded
   * exponent, so no PE comes with it. Lane 1 is inexact: its PE is reported. */
  const fp_v128 c = {F2(MAX, ONE), F2(ONE, ONE)}, d = {F2(MAX, 0x33800001), F2(ONE, ONE)};
  check_eq("addps.oe_unmasked.vector", (u32)run(fp_addps_reg, c, d, 0x1b80), VEC_XM);
  check_eq("addps.oe_unmasked.oe_pe", io.mxcsr, 0x1ba8);
  check_xmm("addps.oe_unmasked.destination_unwritten", c);
  check_eq("cvttsd2si.unmasked_ie.vector", (u32)run(fp_cvttsd2si_r64_reg, ones, (fp_v128){0x7ff8000000000000, 0}, 0x1f00),
           VEC_XM);
  check_eq("cvttsd2si.unmasked_ie.rax_unwritten", io.gpr_out, FP_RAX_CANARY);
  check_eq("comiss.unmasked_ie.vector", (u32)run(fp_comiss_reg, (fp_v128){F2(QNAN, 0), 0}, ones, 0x1f00), VEC_XM);

  section("#UD without CR4.OSXMMEXCPT");
  const uptr cr4 = read_cr4();
  write_cr4(cr4 & ~(uptr)CR4_OSXMMEXCPT);
  check_eq("divss.by_zero_unmasked.no_osxmmexcpt.vector", (u32)run(fp_divss_reg, ones, zero, 0x1d80), VEC_UD);
  check_xmm("divss.by_zero_unmasked.no_osxmmexcpt.destination_unwritten", ones);
  check_eq("divss.by_zero_unmasked.no_osxmmexcpt.ze_set", io.mxcsr, 0x1d84);
  check_eq("divss.by_zero_masked.no_osxmmexcpt.no_fault", (u32)run(fp_divss_reg, ones, zero, 0x1f80), (u32)-1);
  write_cr4(cr4);
}

/* ---- CR0 and CR4 ---- */

/* Without fp_save, which would fault the same way. */
static int run_unavailable(void (*fn)(struct fp_io*)) {
  io.a = io.b = (fp_v128){F2(ONE, ONE), F2(ONE, ONE)};
  io.mxcsr = 0x1f80;
  return catch_call((void (*)(uptr))(void (*)(void))fn, (uptr)&io);
}

static void availability(void) {
  section("CR0 and CR4");
  const uptr cr0 = read_cr0(), cr4 = read_cr4();
  write_cr0(cr0 | CR0_TS);
  check_eq("ts.addps", (u32)run_unavailable(fp_addps_reg), VEC_NM);
  check_eq("ts.cvtsi2sd", (u32)run_unavailable(fp_cvtsi2sd_r64_reg), VEC_NM);
  write_cr0(cr0 | CR0_EM);
  check_eq("em.sqrtpd", (u32)run_unavailable(fp_sqrtpd_reg), VEC_UD);
  write_cr0(cr0);
  write_cr4(cr4 & ~(uptr)CR4_OSFXSR);
  check_eq("no_osfxsr.comisd", (u32)run_unavailable(fp_comisd_reg), VEC_UD);
  write_cr4(cr4);
  check_eq("enabled.addps", (u32)run_unavailable(fp_addps_reg), (u32)-1);
}

/* ---- MASKMOVDQU and MOVNTI ---- */

u8 store_buffer[64] ALIGNED(16);
u64 mask_address, movnti_value;
const fp_v128 mask_data = {0x0706050403020100, 0x0f0e0d0c0b0a0908};
fp_v128 mask_bytes;
/* maskmovdqu xmm0, xmm1 (66 0F F7 /r); with 67h (EDI) and with FS. */
SNIPPET(do_maskmovdqu, "movdqa mask_data(%rip), %xmm0\n movdqa mask_bytes(%rip), %xmm1\n mov mask_address(%rip), %rdi",
        ".byte 0x66, 0x0f, 0xf7, 0xc1", "");
SNIPPET(do_maskmovdqu_a32, "movdqa mask_data(%rip), %xmm0\n movdqa mask_bytes(%rip), %xmm1\n mov mask_address(%rip), %rdi",
        ".byte 0x67, 0x66, 0x0f, 0xf7, 0xc1", "");
SNIPPET(do_maskmovdqu_fs, "movdqa mask_data(%rip), %xmm0\n movdqa mask_bytes(%rip), %xmm1\n mov mask_address(%rip), %rdi",
        ".byte 0x64, 0x66, 0x0f, 0xf7, 0xc1", "");
SNIPPET(do_movnti32, "mov movnti_value(%rip), %rax\n lea store_buffer(%rip), %rdi", "movnti %eax, 8(%rdi)", "");
SNIPPET(do_movnti64, "mov movnti_value(%rip), %rax\n lea store_buffer(%rip), %rdi", "movnti %rax, 16(%rdi)", "");

static int selected_bytes_only(const u8* p, u8 fill) {
  for (unsigned k = 0; k < 16; ++k)
    if (p[k] != (((u8*)&mask_bytes)[k] & 0x80 ? ((const u8*)&mask_data)[k] : fill)) return 0;
  return 1;
}

static void byte_stores(void) {
  section("MASKMOVDQU");
  mask_bytes = (fp_v128){0x80ff007f80000080, 0x0000000000008081};
  memset(store_buffer, 0xee, sizeof store_buffer);
  mask_address = (u64)(uptr)(store_buffer + 3);
  check_eq("maskmovdqu.no_fault", (u32)catch_call(do_maskmovdqu, 0), (u32)-1);
  check_true("maskmovdqu.selected_bytes", selected_bytes_only(store_buffer + 3, 0xee));
  check_true("maskmovdqu.neighbours_untouched", store_buffer[2] == 0xee && store_buffer[19] == 0xee);
  memset(store_buffer, 0xee, sizeof store_buffer);
  mask_address = 0xffffffff00000000ull | (uptr)(store_buffer + 16);
  check_eq("maskmovdqu.a32.no_fault", (u32)catch_call(do_maskmovdqu_a32, 0), (u32)-1);
  check_true("maskmovdqu.a32.edi", selected_bytes_only(store_buffer + 16, 0xee));
  memset(store_buffer, 0xee, sizeof store_buffer);
  const u64 fs_base = rdmsr(0xc0000100);
  wrmsr(0xc0000100, (uptr)store_buffer);
  mask_address = 32;
  check_eq("maskmovdqu.fs.no_fault", (u32)catch_call(do_maskmovdqu_fs, 0), (u32)-1);
  wrmsr(0xc0000100, fs_base);
  check_true("maskmovdqu.fs.base_added", selected_bytes_only(store_buffer + 32, 0xee));

  section("MOVNTI");
  memset(store_buffer, 0xee, sizeof store_buffer);
  movnti_value = 0x1122334455667788ull;
  catch_call(do_movnti32, 0);
  catch_call(do_movnti64, 0);
  check_eq("movnti.m32", *(u64*)(store_buffer + 8), 0xeeeeeeee55667788ull);
  check_eq("movnti.m64", *(u64*)(store_buffer + 16), 0x1122334455667788ull);
}

/* MASKMOVDQU writes its 16 bytes as one access: a page the operand reaches
 * faults even for masked-off bytes and before any byte is written, as on this AMD
 * host (QEMU 7.2 stores byte by byte and faults only on a selected byte). */
extern u64 boot_pd[];
#define PTE_P 1ull
static void byte_store_fault(void) {
  section("MASKMOVDQU #PF");
  u8* below = (u8*)(uptr)(0x400000 - 8); /* the last bytes of the page before 0x400000 */
  boot_pd[2] &= ~PTE_P;                   /* 0x400000-0x5fffff not present */
  invlpg(0x400000);
  memset(below, 0xee, 8);
  mask_bytes = (fp_v128){0x8080808080808080, 0};
  mask_address = (uptr)below;
  check_eq("maskmovdqu.masked_off_page.vector", (u32)catch_call(do_maskmovdqu, 0), VEC_PF);
  check_eq("maskmovdqu.masked_off_page.cr2", last_trap.cr2, 0x400000);
  check_true("maskmovdqu.masked_off_page.nothing_written", below[0] == 0xee && below[7] == 0xee);
  mask_bytes = (fp_v128){0, 0};
  check_eq("maskmovdqu.zero_mask.vector", (u32)catch_call(do_maskmovdqu, 0), VEC_PF);
  boot_pd[2] |= PTE_P;
  invlpg(0x400000);
}

void kmain(void) {
  write_cr0(read_cr0() & ~(uptr)(CR0_EM | CR0_TS));
  write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
  if (!FP_SDM_KERNEL) {
    written_out();
    availability();
    byte_stores();
  } else {
    nan_and_denormal_operands();
    unmasked_exceptions();
    byte_store_fault();
  }
  section(FP_SDM_KERNEL ? "groups where QEMU departs from the hardware" : "groups");
  check_groups();
  if (!FP_SDM_KERNEL) {
    section("RCP and RSQRT within the SDM's bound of the host's");
    check_approximations();
  }
}
