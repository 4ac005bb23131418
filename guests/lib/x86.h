/* Privileged and port I/O instructions for guests (never built for the host). */
#ifndef ORCVM_GUEST_X86_H
#define ORCVM_GUEST_X86_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static inline uint64_t read_cr3(void)
{
    uint64_t value;
    __asm__ volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

/* The memory clobbers keep the compiler from moving page-table stores or
 * accesses through the changed mappings across the TLB operation. */
static inline void write_cr3(uint64_t value)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

static inline void invlpg(const volatile void *address)
{
    __asm__ volatile("invlpg (%0)" : : "r"(address) : "memory");
}

/* Ends the run the way returning from guest_main does. */
static inline __attribute__((noreturn)) void guest_exit(uint32_t status)
{
    outl(0xf4, status);
    for (;;)
        __asm__ volatile("hlt");
}

#endif
