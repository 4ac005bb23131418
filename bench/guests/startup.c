/* Benchmark baseline: does nothing, so its time is the fixed cost of starting
 * the emulator (or the host process) and ending the guest. */
#include "guest.h"

int guest_main(uint64_t ram_size)
{
    gprintf("startup: ok\n");
    return 0;
}
