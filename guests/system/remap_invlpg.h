/* Layout shared by remap_invlpg.S and remap_invlpg.c. */
#ifndef ORCVM_GUEST_REMAP_INVLPG_H
#define ORCVM_GUEST_REMAP_INVLPG_H

/* The virtual page V whose mapping the test switches: outside the identity
 * map of paging_init(), and within a rel32 call of the guest's code. */
#define REMAP_VIRTUAL_PAGE 0x40000000

/* Offsets of the entry points in each remap page. */
#define SWITCH_WITH_INVLPG_OFFSET 64
#define SWITCH_WITH_CR3_OFFSET 128

#endif
