/* Self-checks against known answers, shared by the guest and host builds. */
#include "guest.h"

static int failures;

void check_u64(const char *name, uint64_t got, uint64_t want)
{
    if (got == want) {
        gprintf("%s: ok\n", name);
        return;
    }
    gprintf("%s: MISMATCH got 0x%lx want 0x%lx\n", name, got, want);
    failures++;
}

void check_str(const char *name, const char *got, const char *want)
{
    size_t got_length = strlen(got);
    if (got_length == strlen(want) && memcmp(got, want, got_length) == 0) {
        gprintf("%s: ok\n", name);
        return;
    }
    gprintf("%s: MISMATCH got \"%s\" want \"%s\"\n", name, got, want);
    failures++;
}

int check_summary(void)
{
    if (failures)
        gprintf("%d checks failed\n", failures);
    return failures ? 1 : 0;
}
