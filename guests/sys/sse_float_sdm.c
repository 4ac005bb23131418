/* The sse_float checks where QEMU 7.2 TCG departs from the hardware (see
 * sse_float.c): run in orcvm only, expected output as the SDM and the host CPU give it. */
#define FP_SDM_KERNEL 1
#include "sse_float.c"
