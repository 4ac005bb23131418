/* Resets the machine a different way on each boot and counts its boots in
 * CMOS RAM, which survives a reset. With --on-reset=restart it goes through
 * every reset source, checks after each that the restart cleared RAM,
 * reloaded the kernel and reset the A20 gate, and exits after the sixth boot.
 * With --on-reset=exit (the default) orcvm stops at the first reset. */
#include "guest.h"
#include "x86.h"

enum { CMOS_BOOT_COUNT = 0x7e };  /* a CMOS RAM byte that nothing else uses */

/* RAM outside the kernel image (which is loaded at 1 MiB): zero after a restart. */
#define RAM_MARK ((volatile uint64_t *)0x400000)
/* Two addresses that alias while the A20 gate is closed. */
#define BELOW_A20_ALIAS ((volatile uint32_t *)0x200000)
#define ABOVE_A20_ALIAS ((volatile uint32_t *)0x300000)

/* In .data: a reloaded kernel starts with this value again. */
static uint64_t image_mark = 0x1234;

static uint8_t cmos_read(uint8_t index)
{
    outb(0x70, index);
    return inb(0x71);
}

static void cmos_write(uint8_t index, uint8_t value)
{
    outb(0x70, index);
    outb(0x71, value);
}

static void triple_fault(void)
{
    /* INT3 through an empty IDT: #GP, then #DF, then shutdown. */
    static const struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } empty_idt = {0, 0};
    __asm__ volatile("lidt %0\n\tint3" : : "m"(empty_idt));
}

int guest_main(uint64_t ram_size)
{
    const unsigned boot = cmos_read(CMOS_BOOT_COUNT);
    gprintf("boot %u\n", boot);
    check_u64("ram_cleared", *RAM_MARK, 0);
    check_u64("image_reloaded", image_mark, 0x1234);
    check_u64("port92_a20", inb(0x92) & 2, 2);
    *BELOW_A20_ALIAS = 1;
    *ABOVE_A20_ALIAS = 2;
    check_u64("a20_open", *BELOW_A20_ALIAS, 1);
    *RAM_MARK = 0xdeadbeef;
    image_mark = 0;
    cmos_write(CMOS_BOOT_COUNT, (uint8_t)(boot + 1));

    switch (boot) {
    case 0:
        gputs("reset: i8042 pulse (port 0x64 <- 0xfe)\n");
        outb(0x64, 0xfe);
        break;
    case 1:
        gputs("reset: port 0xcf9 <- 0x06 (the FADT reset register)\n");
        outb(0xcf9, 0x06);
        break;
    case 2:
        /* One write closes the gate and resets: this code, above 1 MiB, must
         * not run with bit 20 masked. */
        gputs("reset: port 0x92 <- 0x01 (fast reset, A20 gate closed)\n");
        outb(0x92, 0x01);
        break;
    case 3:
        gputs("reset: i8042 output port bit 0\n");
        outb(0x64, 0xd1);
        outb(0x60, 0xce);
        break;
    case 4:
        gputs("reset: triple fault\n");
        triple_fault();
        break;
    default:
        return check_summary();
    }
    gputs("the reset did not happen\n");
    return 2;
}
