/* The x87 cases where QEMU 7.2 TCG departs from the SDM and from a real x87, so
 * this kernel runs in orcvm only (docs/system-tests.md lists what QEMU does):
 * C1 for a rounded-up result, DE, stack overflow and underflow, the unmasked
 * responses, the transcendental results below double precision, FOP and the
 * last-instruction pointers, and the FNSTENV/FNSAVE images, all checked against
 * the host's x87 (guests/sys/host/check_x87_host.sh); then #MF before every
 * waiting instruction, faults on the second page of the long operands, and C1
 * after FCOMI, where orcvm follows the SDM rather than the AMD host. */
#include "x87_faults.h"

SNIPPET(fcomi_clears_c1, "fninit; fld1; fld1\n" PRESET_CODES, "fcomi %st(1), %st", "fnstsw x87_mem(%rip)");

void kmain(void) {
  enable_fpu();
  x87_shared_sections(QEMU_DIFFERS);
  x87_mf_sections();
  x87_multi_page_fault_sections();
  section("FCOMI: C1 = 0, C3 C2 C0 kept (SDM Vol. 2, FCOMI; the AMD host keeps C1)");
  catch_call(fcomi_clears_c1, 0);
  check_eq("fcomi.condition_codes", x87_get16(x87_mem, 0) & 0x4700, 0x4500);
  catch_call(do_fninit, 0);
}
