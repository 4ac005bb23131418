/* Measures time with every clock of the PC and prints what it saw: the RTC
 * date, the TSC, how long polling loops wait for the PIT, the ACPI PM timer,
 * the LAPIC timer and a TSC-deadline timer, and how long HLT sleeps until a
 * LAPIC timer interrupt. With host time two runs print different numbers;
 * under --icount they print the same. */
#include "guest.h"
#include "x86.h"

#define LAPIC_BASE 0xfee00000ULL
#define LAPIC(reg) (*(volatile uint32_t *)(LAPIC_BASE + (reg)))
enum { LAPIC_SVR = 0xf0, LAPIC_LVT_TIMER = 0x320, LAPIC_INITIAL_COUNT = 0x380, LAPIC_CURRENT_COUNT = 0x390,
       LAPIC_DIVIDE = 0x3e0 };
enum { LVT_MASKED = 1 << 16, LVT_TSC_DEADLINE = 2 << 17 };
enum { MSR_TSC_DEADLINE = 0x6e0 };

static uint32_t inl(uint16_t port)
{
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static uint64_t rdtsc(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

static uint64_t rdmsr(uint32_t index)
{
    uint32_t low, high;
    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(index));
    return (uint64_t)high << 32 | low;
}

static void wrmsr(uint32_t index, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/* The LAPIC timer's interrupt: EOI and return. */
extern char timer_isr[];
__asm__(".text\n"
        "timer_isr:\n"
        "    push %rax\n"
        "    movabs $0xfee000b0, %rax\n"
        "    movl $0, (%rax)\n"
        "    pop %rax\n"
        "    iretq\n");

enum { TIMER_VECTOR = 0x40 };
static uint64_t idt[2 * (TIMER_VECTOR + 1)];

/* An IDT whose only gate is the timer's (a 64-bit interrupt gate to selector 0x08). */
static void load_idt(void)
{
    const uint64_t handler = (uint64_t)timer_isr;
    idt[2 * TIMER_VECTOR] = (handler & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | (handler >> 16 & 0xffff) << 48;
    idt[2 * TIMER_VECTOR + 1] = handler >> 32;
    const struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof idt - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

static uint8_t rtc(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

/* The boot tables map only RAM: map the 2 MiB page holding the local APIC
 * through a page directory at 0x8000 (free low memory), uncached. */
static void map_lapic(void)
{
    volatile uint64_t *pdpt = (volatile uint64_t *)0x2000;
    volatile uint64_t *pd = (volatile uint64_t *)0x8000;
    pd[(LAPIC_BASE >> 21) & 511] = LAPIC_BASE | 0x93; /* present, writable, PCD, 2 MiB */
    pdpt[LAPIC_BASE >> 30] = 0x8000 | 0x3;
    write_cr3(read_cr3());
}

int guest_main(uint64_t ram_size)
{
    gprintf("rtc 20%02x-%02x-%02x %02x:%02x:%02x\n", rtc(9), rtc(8), rtc(7), rtc(4), rtc(2), rtc(0));
    const uint64_t start = rdtsc();
    gprintf("tsc at start %lu\n", start);

    /* PIT channel 2, mode 0, 1193 ticks (1 ms): poll OUT2 in port 0x61 bit 5. */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb0);
    outb(0x42, 1193 & 0xff);
    outb(0x42, 1193 >> 8);
    uint64_t polls = 0, before = rdtsc();
    while (!(inb(0x61) & 0x20))
        polls++;
    gprintf("pit 1 ms: %lu polls, %lu tsc ticks\n", polls, rdtsc() - before);

    const uint32_t pm_before = inl(0x608) & 0xffffff;
    for (volatile int i = 0; i < 10000; i++) {
    }
    gprintf("pm timer over 10000 iterations: %u ticks\n", ((inl(0x608) & 0xffffff) - pm_before) & 0xffffff);

    map_lapic();
    LAPIC(LAPIC_SVR) = 0x1ff;
    LAPIC(LAPIC_DIVIDE) = 0xb; /* divide by 1 */
    LAPIC(LAPIC_LVT_TIMER) = LVT_MASKED | TIMER_VECTOR;
    LAPIC(LAPIC_INITIAL_COUNT) = 100000;
    polls = 0;
    while (LAPIC(LAPIC_CURRENT_COUNT) != 0)
        polls++;
    gprintf("lapic timer 100000: %lu polls\n", polls);

    LAPIC(LAPIC_LVT_TIMER) = LVT_MASKED | LVT_TSC_DEADLINE | TIMER_VECTOR;
    wrmsr(MSR_TSC_DEADLINE, rdtsc() + 50000);
    gprintf("tsc deadline armed: %d\n", rdmsr(MSR_TSC_DEADLINE) != 0);
    polls = 0;
    while (rdmsr(MSR_TSC_DEADLINE) != 0)
        polls++;
    gprintf("tsc deadline +50000: %lu polls\n", polls);

    load_idt();
    LAPIC(LAPIC_LVT_TIMER) = TIMER_VECTOR; /* one-shot, unmasked */
    LAPIC(LAPIC_INITIAL_COUNT) = 200000;
    before = rdtsc();
    __asm__ volatile("sti\n\thlt\n\tcli");
    gprintf("hlt until the lapic timer (200000): woke after %lu tsc ticks\n", rdtsc() - before);

    gprintf("tsc at end %lu\n", rdtsc() - start);
    return 0;
}
