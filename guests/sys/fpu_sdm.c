/* The FPU checks where QEMU 7.2 TCG departs from the SDM, so this kernel runs in
 * orcvm only: FXSAVE writes FOP (QEMU leaves the bytes), FLDCW is a waiting
 * instruction that reports a pending unmasked exception first (SDM Vol. 1,
 * 8.6.1: only the FN- forms do not wait), and a reserved MXCSR bit in LDMXCSR's
 * operand or FXRSTOR's image raises #GP(0) and loads nothing. With CR0.EM and
 * CR0.TS both set an SSE instruction raises #UD, not #NM (SDM Vol. 3, 13.2:
 * with EM set, SSE instructions are invalid opcodes; QEMU 7.2 checks TS first). */
#include "fpu_snippets.h"

SNIPPET(do_pxor, "", "pxor %xmm1, %xmm0", "");

void kmain(void) {
  enable_fpu();
  run(do_fninit);
  dword_value = 0x1f80;
  run(do_ldmxcsr);

  section("FXSAVE writes FOP");
  memset(image, 0xa5, sizeof image);
  fxsave64_into(image);
  check_eq("image.fop", get16(image, 6), 0);

  section("FLDCW waits");
  memcpy(image2, image, 512);
  put16(image2, 0, 0x037e); /* IE unmasked */
  put16(image2, 2, 0x8081); /* B, ES, IE */
  fxrstor64_from(image2);
  word_value = 0x037f;
  expect_fault("pending.fldcw", do_fldcw, VEC_MF);
  check_eq("pending.fldcw.control_unchanged", fnstcw(), 0x037e);
  run(do_fnclex);
  word_value = 0x037f;
  expect_no_fault("cleared.fldcw", do_fldcw);
  check_eq("cleared.fldcw.loaded", fnstcw(), 0x037f);

  section("#GP(0): reserved MXCSR bits");
  dword_value = 0x10000 | 0x1f80;
  expect_fault("reserved.ldmxcsr", do_ldmxcsr, VEC_GP);
  check_eq("reserved.ldmxcsr.error_code", last_trap.error, 0);
  memcpy(image2, image, 512);
  put32(image2, 24, 0x80000000u | 0x1f80);
  put16(image2, 0, 0x027f);
  image_ptr = (u64)(uptr)image2;
  expect_fault("reserved.fxrstor", do_fxrstor64, VEC_GP);
  run(do_stmxcsr);
  check_eq("reserved.fxrstor.mxcsr_unchanged", dword_value, 0x1f80);
  check_eq("reserved.fxrstor.fcw_unchanged", fnstcw(), 0x037f);

  section("CR0.EM and CR0.TS: #UD before #NM");
  const uptr cr0 = read_cr0();
  write_cr0(cr0 | CR0_EM | CR0_TS);
  expect_fault("em_ts.pxor", do_pxor, VEC_UD);
  write_cr0(cr0);
}
