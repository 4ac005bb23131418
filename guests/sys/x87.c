/* The x87 instruction set (SDM Vol. 1, ch. 8; Vol. 2 per instruction), where QEMU
 * 7.2 TCG agrees with the SDM and a real x87: each family's results as FSW, tag
 * word and register images (x87_list.h; guests/sys/host/check_x87_host.sh runs
 * the same cases on the host's x87), then #NM with CR0.TS and CR0.EM, and memory
 * operands that fault leaving the x87 state and memory unchanged (x87_faults.h).
 * x87_sdm.c has the cases QEMU gets wrong. */
#include "x87_faults.h"

void kmain(void) {
  enable_fpu();
  x87_shared_sections(0);
  x87_nm_sections();
  x87_fault_sections();
}
