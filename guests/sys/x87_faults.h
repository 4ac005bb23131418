/* The x87 checks only a kernel can make: #MF for a pending unmasked exception at
 * the next waiting instruction, #NM with CR0.TS and CR0.EM, and memory operands
 * that fault (#PF, #GP) leaving the x87 state and memory as they were. */
#pragma once
#include "fpu_snippets.h"
#include "x87_list.h"

/* ---- #MF ----
 * Each snippet leaves ZE pending (unmasked 1/0), then runs one instruction: the
 * waiting ones raise #MF before they execute, the FN- forms and FENI/FDISI/FSETPM
 * do not wait (SDM Vol. 1, 8.6 and 8.7). */
#define PENDING "fninit; fldcw cw_ze_unmasked(%rip); fldz; fld1; fdiv %st(1), %st\n"
#define X87_WAITING(X)                                 \
  X(mf_fld1, "fld1")                                   \
  X(mf_fadd_m64, "faddl d_3(%rip)")                    \
  X(mf_fstp_m64, "fstpl x87_mem(%rip)")                \
  X(mf_fxch, "fxch %st(1)")                            \
  X(mf_fcomi, "fcomi %st(1), %st")                     \
  X(mf_fnop, "fnop")                                   \
  X(mf_fsin, "fsin")                                   \
  X(mf_ffree, "ffree %st(3)")                          \
  X(mf_fldenv, "fldenv x87_image(%rip)")               \
  X(mf_frstor, "frstor x87_image(%rip)")               \
  X(mf_fwait, "fwait")
#define X87_NO_WAIT(X)                                 \
  X(mf_fnstenv, "fnstenv x87_mem(%rip)")               \
  X(mf_fnsave, "fnsave x87_image(%rip)")               \
  X(mf_fnstsw, "fnstsw %ax")                           \
  X(mf_fnstcw, "fnstcw x87_mem(%rip)")                 \
  X(mf_fnclex, "fnclex")                               \
  X(mf_fninit, "fninit")                               \
  X(mf_feni, ".byte 0xdb, 0xe0")                       \
  X(mf_fdisi, ".byte 0xdb, 0xe1")                      \
  X(mf_fsetpm, ".byte 0xdb, 0xe4")
#define MF_SNIPPET(name, insn) SNIPPET(name, PENDING, insn, "");
X87_WAITING(MF_SNIPPET)
X87_NO_WAIT(MF_SNIPPET)
SNIPPET(x87_save_state, "", "fnsave x87_out(%rip)", "");

static void x87_check_waiting(const char* name, void (*fn)(uptr), const char* insn) {
  check_eqf((u32)catch_call(fn, 0), VEC_MF, "%s.vector", name);
  check_eqf(last_trap.ip, (uptr)insn, "%s.rip", name);
  catch_call(x87_save_state, 0);
  /* Nothing ran: TOP 6, ST(0) = 1, ZE still pending. */
  check_eqf(x87_get16(x87_out, 4), 0xb084, "%s.fsw", name);
  check_eqf(x87_get16(x87_out, 28 + 8), 0x3fff, "%s.st0", name);
}

SNIPPET(mf_after_nm, "", "fld1", "");

static inline void x87_mf_sections(void) {
  section("#MF before a waiting instruction");
#define CHECK_WAITING(name, insn) x87_check_waiting(#name, name, name##_insn);
  X87_WAITING(CHECK_WAITING)
#define CHECK_NO_WAIT(name, insn) check_eqf((u32)catch_call(name, 0), (u32)-1, "%s.no_fault", #name);
  X87_NO_WAIT(CHECK_NO_WAIT)
  const uptr cr0 = read_cr0();
  catch_call(mf_fld1, 0);  /* leaves ZE pending */
  write_cr0(cr0 | CR0_TS);
  check_eq("ts_before_mf.vector", (u32)catch_call(mf_after_nm, 0), VEC_NM);
  write_cr0(cr0);
  check_eq("then_mf.vector", (u32)catch_call(mf_after_nm, 0), VEC_MF);
  catch_call(do_fninit, 0);
}

/* ---- #NM ---- */
SNIPPET(nm_fld1, "fninit", "fld1", "");
SNIPPET(nm_fadd_m64, "fninit; fld1", "faddl d_3(%rip)", "");
SNIPPET(nm_fnstenv, "fninit", "fnstenv x87_mem(%rip)", "");
SNIPPET(nm_fnsave, "fninit", "fnsave x87_image(%rip)", "");
SNIPPET(nm_frstor, "fninit", "frstor x87_image(%rip)", "");
SNIPPET(nm_fcmov, "fninit; fld1; fld1", "fcmovb %st(1), %st", "");
SNIPPET(nm_feni, "fninit", ".byte 0xdb, 0xe0", "");

static inline void x87_nm_sections(void) {
  section("#NM with CR0.TS or CR0.EM");
  const uptr cr0 = read_cr0();
  catch_call(x87_save_state, 0);
  memcpy(x87_image, x87_out, sizeof x87_image);  /* an empty, initialised state for FRSTOR */
  write_cr0(cr0 | CR0_TS);
  check_eq("ts.fld1.vector", (u32)catch_call(nm_fld1, 0), VEC_NM);
  check_eq("ts.fadd_m64.vector", (u32)catch_call(nm_fadd_m64, 0), VEC_NM);
  check_eq("ts.fnstenv.vector", (u32)catch_call(nm_fnstenv, 0), VEC_NM);
  check_eq("ts.fnsave.vector", (u32)catch_call(nm_fnsave, 0), VEC_NM);
  check_eq("ts.frstor.vector", (u32)catch_call(nm_frstor, 0), VEC_NM);
  check_eq("ts.fcmov.vector", (u32)catch_call(nm_fcmov, 0), VEC_NM);
  check_eq("ts.feni.vector", (u32)catch_call(nm_feni, 0), VEC_NM);
  write_cr0(cr0 | CR0_EM);
  check_eq("em.fld1.vector", (u32)catch_call(nm_fld1, 0), VEC_NM);
  check_eq("em.fnsave.vector", (u32)catch_call(nm_fnsave, 0), VEC_NM);
  write_cr0(cr0);
  catch_call(do_fninit, 0);
}

/* ---- faulting memory operands ----
 * A 2 MiB page is unmapped; an operand in it, or straddling into it, faults
 * before the instruction changes anything. */
extern u64 boot_pd[];
#define X87_HOLE 0x04000000ull
u64 x87_address;
#define STATE "fninit; fldcw cw_down(%rip); fld1; fldpi; fldl d_1p5(%rip); fldz; fdiv %st(0), %st\n"
#define X87_FAULTING(X)                                                   \
  X(pf_fld_m64, "fldl (%rax)")                                            \
  X(pf_fld_m80, "fldt (%rax)")                                            \
  X(pf_fadd_m32, "fadds (%rax)")                                          \
  X(pf_ficom_m16, "ficoms (%rax)")                                        \
  X(pf_fstp_m64, "fstpl (%rax)")                                          \
  X(pf_fistp_m64, "fistpll (%rax)")                                       \
  X(pf_fbstp, "fbstp (%rax)")                                             \
  X(pf_fisttp_m16, "fisttps (%rax)")                                      \
  X(pf_fnstenv, "fnstenv (%rax)")                                         \
  X(pf_fldenv, "fldenv (%rax)")                                           \
  X(pf_fnsave, "fnsave (%rax)")                                           \
  X(pf_frstor, "frstor (%rax)")
#define FAULTING_SNIPPET(name, insn) SNIPPET(name, STATE "mov x87_address(%rip), %rax", insn, "");
X87_FAULTING(FAULTING_SNIPPET)
SNIPPET(x87_reference_state, STATE, "fnsave x87_out(%rip)", "");

static void x87_check_faulting(const char* name, void (*fn)(uptr), const char* insn, u64 address, u32 vector,
                               u32 error) {
  u8 before[108];
  catch_call(x87_reference_state, 0);
  memcpy(before, x87_out, sizeof before);
  x87_address = address;
  volatile u32* guard = (volatile u32*)(uptr)(X87_HOLE - 4);
  *guard = 0x5a5a5a5a;
  check_eqf((u32)catch_call(fn, 0), vector, "%s.vector", name);
  check_eqf(last_trap.error, error, "%s.error_code", name);
  check_eqf(last_trap.ip, (uptr)insn, "%s.rip", name);
  if (vector == VEC_PF) check_eqf(last_trap.cr2, X87_HOLE, "%s.cr2", name);
  catch_call(x87_save_state, 0);
  /* All of the state but FIP, which names the other snippet's last instruction. */
  check_eqf(memcmp(before, x87_out, 12) == 0 && memcmp(before + 16, x87_out + 16, sizeof before - 16) == 0, 1,
            "%s.state_unchanged", name);
  check_eqf(*guard, 0x5a5a5a5a, "%s.memory_unchanged", name);
}

static void x87_unmap_hole(int unmapped) {
  if (unmapped)
    boot_pd[X87_HOLE >> 21] &= ~1ull;
  else
    boot_pd[X87_HOLE >> 21] |= 1;
  invlpg(X87_HOLE);
}

/* Operands straddle into the hole, but for the 2-byte ones, which start in it. */
#define X87_STRADDLING (X87_HOLE - 4)

static inline void x87_fault_sections(void) {
  section("#PF and #GP on memory operands leave the x87 state and memory unchanged");
  x87_unmap_hole(1);
  x87_check_faulting("fld_m64", pf_fld_m64, pf_fld_m64_insn, X87_STRADDLING, VEC_PF, 0);
  x87_check_faulting("fld_m80", pf_fld_m80, pf_fld_m80_insn, X87_STRADDLING, VEC_PF, 0);
  x87_check_faulting("fadd_m32", pf_fadd_m32, pf_fadd_m32_insn, X87_HOLE, VEC_PF, 0);
  x87_check_faulting("ficom_m16", pf_ficom_m16, pf_ficom_m16_insn, X87_HOLE, VEC_PF, 0);
  x87_check_faulting("fstp_m64", pf_fstp_m64, pf_fstp_m64_insn, X87_STRADDLING, VEC_PF, 2);
  x87_check_faulting("fistp_m64", pf_fistp_m64, pf_fistp_m64_insn, X87_STRADDLING, VEC_PF, 2);
  x87_check_faulting("fisttp_m16", pf_fisttp_m16, pf_fisttp_m16_insn, X87_HOLE, VEC_PF, 2);
  const u64 non_canonical = 0x8000000000000000ull;
  x87_check_faulting("noncanonical.fld_m64", pf_fld_m64, pf_fld_m64_insn, non_canonical, VEC_GP, 0);
  x87_check_faulting("noncanonical.fstp_m64", pf_fstp_m64, pf_fstp_m64_insn, non_canonical, VEC_GP, 0);
  x87_check_faulting("noncanonical.fnsave", pf_fnsave, pf_fnsave_insn, non_canonical, VEC_GP, 0);
  x87_unmap_hole(0);
}

/* The operands longer than 8 bytes, of which QEMU 7.2 writes or loads the part
 * before the hole. */
static inline void x87_multi_page_fault_sections(void) {
  section("#PF on the second page of a 10- to 108-byte operand: nothing written or loaded");
  x87_unmap_hole(1);
  x87_check_faulting("fbstp", pf_fbstp, pf_fbstp_insn, X87_STRADDLING, VEC_PF, 2);
  x87_check_faulting("fnstenv", pf_fnstenv, pf_fnstenv_insn, X87_STRADDLING, VEC_PF, 2);
  x87_check_faulting("fldenv", pf_fldenv, pf_fldenv_insn, X87_STRADDLING, VEC_PF, 0);
  x87_check_faulting("fnsave", pf_fnsave, pf_fnsave_insn, X87_STRADDLING, VEC_PF, 2);
  x87_check_faulting("frstor", pf_frstor, pf_frstor_insn, X87_STRADDLING, VEC_PF, 0);
  x87_unmap_hole(0);
}
