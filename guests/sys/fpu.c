/* The x87 control instructions, MXCSR, FXSAVE and FXRSTOR, and the CR0/CR4 bits
 * that gate them (SDM Vol. 1, 8.1 and 10.5; Vol. 3, 2.5 and 13.1): FNINIT's
 * state, FNSTSW/FNSTCW/FLDCW, the FXSAVE64 and FXSAVE images, XMM registers
 * round-tripping through FXRSTOR, #MF for a pending unmasked exception, #NM with
 * CR0.TS (FWAIT only with CR0.MP), #UD with CR0.EM or without CR4.OSFXSR, and
 * #GP(0) for a misaligned image. fpu_sdm.c has the checks QEMU 7.2 TCG fails. */
#include "fpu_snippets.h"

void kmain(void) {
  const uptr cr0 = read_cr0(), cr4 = read_cr4();
  enable_fpu();

  section("FNINIT, FNSTSW, FNSTCW, FLDCW");
  expect_no_fault("fninit", do_fninit);
  check_eq("fninit.control_word", fnstcw(), 0x037f);
  check_eq("fninit.status_word", fnstsw(), 0);
  run(do_fnstsw_ax);
  check_eq("fnstsw_ax", word_value, 0);
  word_value = 0x0c7f; /* round toward zero, all masked */
  expect_no_fault("fldcw", do_fldcw);
  check_eq("fldcw.read_back", fnstcw(), 0x0c7f);
  run(do_fninit);
  check_eq("fninit.resets_control", fnstcw(), 0x037f);

  section("FXSAVE64 after FNINIT");
  memset(image, 0xa5, sizeof image);
  dword_value = 0x1f80;
  run(do_ldmxcsr);
  fxsave64_into(image);
  check_eq("image.fcw", get16(image, 0), 0x037f);
  check_eq("image.fsw", get16(image, 2), 0);
  check_eq("image.abridged_ftw", image[4], 0);
  check_eq("image.mxcsr", get32(image, 24), 0x1f80);
  check_eq("image.mxcsr_mask", get32(image, 28), 0xffff);
  check_eq("image.available_bytes_untouched", image[500], 0xa5);

  section("FXRSTOR64 then FXSAVE64: MXCSR, FCW, XMM registers, tags");
  memcpy(image2, image, 512);
  put16(image2, 0, 0x027f);     /* 53-bit precision */
  put32(image2, 24, 0x7f80);    /* round toward zero, every exception masked */
  image2[4] = 0x81;             /* R0 and R7 tagged valid */
  for (unsigned i = 0; i < 16; ++i)
    for (unsigned b = 0; b < 16; ++b) image2[160 + 16 * i + b] = (u8)(i * 16 + b);
  fxrstor64_from(image2);
  check_eq("restored.fcw", fnstcw(), 0x027f);
  run(do_stmxcsr);
  check_eq("restored.mxcsr", dword_value, 0x7f80);
  memset(image, 0, sizeof image);
  fxsave64_into(image);
  check_eq("resaved.abridged_ftw", image[4], 0x81);
  check_true("resaved.xmm_registers", memcmp(image + 160, image2 + 160, 256) == 0);
  image_ptr = (u64)(uptr)image;
  run(do_fxsave);
  check_eq("fxsave32.fcw", get16(image, 0), 0x027f);
  check_true("fxsave32.xmm_registers", memcmp(image + 160, image2 + 160, 256) == 0);
  run(do_fninit);
  fxsave64_into(image);
  check_eq("fninit.empties_tags", image[4], 0);
  check_eq("fninit.keeps_mxcsr", get32(image, 24), 0x7f80);

  section("pending unmasked exception: #MF at the next waiting instruction");
  memcpy(image2, image, 512);
  put16(image2, 0, 0x037e);   /* IE unmasked */
  put16(image2, 2, 0x8081);   /* B, ES, IE */
  fxrstor64_from(image2);
  check_eq("pending.fnstsw", fnstsw(), 0x8081);
  expect_fault("pending.fwait", do_fwait, VEC_MF);
  expect_no_fault("pending.fnstcw_does_not_wait", do_fnstcw);
  expect_no_fault("fnclex", do_fnclex);
  check_eq("fnclex.status_word", fnstsw(), 0);
  expect_no_fault("cleared.fwait", do_fwait);
  run(do_fninit);

  section("CR0.TS, CR0.MP, CR0.EM and CR4.OSFXSR");
  image_ptr = (u64)(uptr)image;
  const uptr cr0_run = read_cr0();
  write_cr0(cr0_run | CR0_TS);
  expect_fault("ts.fninit", do_fninit, VEC_NM);
  expect_fault("ts.fnstsw", do_fnstsw_ax, VEC_NM);
  expect_fault("ts_mp.fwait", do_fwait, VEC_NM);
  expect_fault("ts.fxsave", do_fxsave64, VEC_NM);
  expect_fault("ts.ldmxcsr", do_ldmxcsr, VEC_NM);
  write_cr0((cr0_run | CR0_TS) & ~(uptr)CR0_MP);
  expect_no_fault("ts_without_mp.fwait", do_fwait);
  write_cr0(cr0_run | CR0_EM);
  expect_fault("em.fninit", do_fninit, VEC_NM);
  expect_fault("em.stmxcsr", do_stmxcsr, VEC_UD);
  expect_no_fault("em.fwait", do_fwait);
  write_cr0(cr0_run);
  write_cr4(read_cr4() & ~(uptr)CR4_OSFXSR);
  expect_fault("no_osfxsr.stmxcsr", do_stmxcsr, VEC_UD);
  expect_fault("no_osfxsr.ldmxcsr", do_ldmxcsr, VEC_UD);
  expect_no_fault("no_osfxsr.fninit", do_fninit);
  write_cr4(read_cr4() | CR4_OSFXSR);

  section("#GP(0): misaligned image");
  image_ptr = (u64)(uptr)(image2 + 8);
  expect_fault("misaligned.fxsave", do_fxsave64, VEC_GP);
  check_eq("misaligned.fxsave.error_code", last_trap.error, 0);
  expect_fault("misaligned.fxrstor", do_fxrstor64, VEC_GP);


  write_cr4(cr4 | CR4_OSFXSR);
  write_cr0(cr0);
}
