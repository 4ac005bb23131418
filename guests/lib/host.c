/* Host twin of the guest runtime: the program's output goes to stdout. */
#include <stdio.h>

#include "guest.h"

/* The host has no RAM size to report; programs print nothing that depends on it. */
enum { HOST_RAM_SIZE = 128 << 20 };

void gputc(char c)
{
    putchar((unsigned char)c);
}

int main(void)
{
    int status = guest_main(HOST_RAM_SIZE);
    return fflush(stdout) == 0 ? status : 1;
}
