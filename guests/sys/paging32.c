/* 32-bit protected mode paging: 2-level with 4 KiB and 4 MiB pages, then PAE
 * with 4 KiB and 2 MiB pages and NX; #PF error codes and CR2, A/D bits,
 * combined PDE/PTE permissions, CR0.WP, INVLPG, SMEP and SMAP (where
 * advertised). */
#include "sys.h"

#define P 1u
#define W 2u
#define U 4u
#define A 0x20u
#define D 0x40u
#define PS 0x80u
#define G 0x100u

static u32 cpuid_ebx7, cpuid_edx81;
static u8 frames[4][4096] ALIGNED(4096);

/* ---- 2-level ---- */
static u32 pd[1024] ALIGNED(4096);
static u32 pt[1024] ALIGNED(4096);
#define WIN 0x40000000u   /* 4 KiB pages through pt */
#define BIG 0x80000000u   /* a 4 MiB alias of physical 0-4 MiB */

SNIPPET(rd, "mov probe_addr, %ebx", "mov (%ebx), %eax", "");
SNIPPET(wr, "mov probe_addr, %ebx", "movl $0x1234, (%ebx)", "");
USER_SNIPPET(urd, "mov probe_addr, %ebx", "mov (%ebx), %eax", "");
USER_SNIPPET(uwr, "mov probe_addr, %ebx", "movl $0x1234, (%ebx)", "");
SNIPPET(fetch, "mov probe_addr, %ebx", "call *%ebx", "");
u32 probe_addr;

/* Outcome of an access: -1 or the #PF error code (with CR2 checked). */
static u32 access(void (*kernel)(uptr), char* user, u32 addr) {
  probe_addr = addr;
  int v = kernel ? catch_call(kernel, 0) : user_jump((uptr)user, USER_CS32, 0);
  if (v == -1) return 0xffffffff;
  if (v != VEC_PF) return 0xee000000u | (u32)v;
  if (last_trap.cr2 != addr) return 0xcc000000u | (u32)last_trap.error;
  return (u32)last_trap.error;
}
#define OK 0xffffffffu

static void test_two_level(void) {
  section("2-level paging: 4 KiB and 4 MiB pages");
  for (u32 i = 0; i < 1024; ++i) pd[i] = (i << 22) | PS | P | W | U;
  for (u32 i = 0; i < 1024; ++i) pt[i] = 0;
  pt[0] = (u32)(uptr)frames[0] | P | W | U;
  pt[1] = (u32)(uptr)frames[1] | P | U;      /* read-only user */
  pt[2] = (u32)(uptr)frames[2] | P | W;      /* supervisor */
  pt[3] = 0;                                 /* not present */
  pd[WIN >> 22] = (u32)(uptr)pt | P | W | U;
  pd[BIG >> 22] = 0 | PS | P | W | U;
  pd[(BIG >> 22) + 1] = 0 | PS | P | U;      /* read-only 4 MiB user page */
  pd[(BIG >> 22) + 2] = 0 | PS | P | W;      /* supervisor 4 MiB page */
  write_cr4(read_cr4() | CR4_PSE);
  write_cr3((uptr)pd);
  write_cr0(read_cr0() | CR0_PG | CR0_WP);
  check_eq("pg2.enabled", read_cr0() & CR0_PG, CR0_PG);

  frames[0][4] = 0x11;
  check_eq("pg2.4k.read_through_alias", *(volatile u8*)(WIN + 4), 0x11);
  *(volatile u8*)(WIN + 5) = 0x22;
  check_eq("pg2.4k.write_through_alias", frames[0][5], 0x22);
  check_eq("pg2.4k.pte_accessed_dirty", pt[0] & (A | D), A | D);
  check_eq("pg2.4k.pde_accessed", pd[WIN >> 22] & A, A);
  check_eq("pg2.4k.pde_not_dirty", pd[WIN >> 22] & D, 0);
  static u32 marker = 0xfeedf00d;
  check_eq("pg2.4m.read_through_alias", *(volatile u32*)(BIG + (uptr)&marker), 0xfeedf00d);
  check_eq("pg2.4m.pde_accessed", pd[BIG >> 22] & (A | D), A);
  *(volatile u32*)(BIG + (uptr)&marker) = 0x0ddba11;
  check_eq("pg2.4m.write_through_alias", marker, 0x0ddba11);
  check_eq("pg2.4m.pde_dirty", pd[BIG >> 22] & (A | D), A | D);

  check_eq("pf2.read_not_present", access(rd, 0, WIN + 0x3010), 0);
  check_eq("pf2.write_not_present", access(wr, 0, WIN + 0x3020), 2);
  pd[0xc0000000u >> 22] = 0;
  invlpg(0xc0000000u);
  check_eq("pf2.read_not_present_pde", access(rd, 0, 0xc0000000u + 0x10), 0);
  check_eq("pf2.supervisor_write_read_only_wp1", access(wr, 0, WIN + 0x1008), 3);
  write_cr0(read_cr0() & ~CR0_WP);
  check_eq("pf2.supervisor_write_read_only_wp0", access(wr, 0, WIN + 0x1008), OK);
  write_cr0(read_cr0() | CR0_WP);
  check_eq("pf2.user_read_supervisor_4k", access(0, urd, WIN + 0x2000), 5);
  check_eq("pf2.user_write_read_only_4k", access(0, uwr, WIN + 0x1000), 7);
  check_eq("pf2.user_read_user_4k", access(0, urd, WIN + 0x1000), OK);
  check_eq("pf2.user_read_supervisor_4m", access(0, urd, BIG + 0x800000 + 0x100), 5);
  check_eq("pf2.user_write_read_only_4m", access(0, uwr, BIG + 0x400000 + 0x100), 7);
  check_eq("pf2.supervisor_write_read_only_4m_wp1", access(wr, 0, BIG + 0x400000 + 0x200), 3);
  /* PDE and PTE permissions combine: the stricter one wins */
  pd[WIN >> 22] = (u32)(uptr)pt | P | U;  /* PDE read-only */
  invlpg(WIN);
  check_eq("pf2.read_only_pde_over_writable_pte", access(0, uwr, WIN + 0x10), 7);
  pd[WIN >> 22] = (u32)(uptr)pt | P | W;  /* PDE supervisor */
  invlpg(WIN);
  check_eq("pf2.supervisor_pde_over_user_pte", access(0, urd, WIN + 0x10), 5);
  pd[WIN >> 22] = (u32)(uptr)pt | P | W | U;
  invlpg(WIN);
  /* fetch from a not-present page: CR2 = EIP = target; no I/D bit without NX */
  check_eq("pf2.fetch_not_present", access(fetch, 0, WIN + 0x3000), 0);
  check_eq("pf2.fetch_not_present.eip", last_trap.ip, WIN + 0x3000);
  /* INVLPG makes a changed PTE visible */
  frames[3][0] = 0x33;
  pt[0] = (u32)(uptr)frames[3] | P | W | U;
  invlpg(WIN);
  check_eq("pg2.invlpg_remaps", *(volatile u8*)WIN, 0x33);
  pt[3] = (u32)(uptr)frames[3] | P | W | U;
  invlpg(WIN + 0x3000);
  check_eq("pg2.not_present_then_present", *(volatile u8*)(WIN + 0x3000), 0x33);
  pt[0] = (u32)(uptr)frames[0] | P | W | U | G;
  write_cr4(read_cr4() | CR4_PGE);
  write_cr3((uptr)pd);
  check_eq("pg2.global_page_readable", *(volatile u8*)(WIN + 4), 0x11);
  write_cr4(read_cr4() & ~CR4_PGE);
  write_cr0(read_cr0() & ~CR0_PG);
  check_eq("pg2.disabled", read_cr0() & CR0_PG, 0);
}

/* ---- PAE ---- */
static u64 pdpt[4] ALIGNED(32);
static u64 pae_pd[4][512] ALIGNED(4096);
static u64 pae_pt[512] ALIGNED(4096);
#define XD (1ull << 63)

SNIPPET(fetch_pae, "mov probe_addr, %ebx", "call *%ebx", "");

static void test_pae(void) {
  section("PAE paging: 4 KiB and 2 MiB pages, NX");
  for (int d = 0; d < 4; ++d) {
    pdpt[d] = (uptr)pae_pd[d] | P;
    for (u32 i = 0; i < 512; ++i) pae_pd[d][i] = ((u64)d << 30) | ((u64)i << 21) | PS | P | W | U;
  }
  for (u32 i = 0; i < 512; ++i) pae_pt[i] = 0;
  pae_pt[0] = (uptr)frames[0] | P | W | U;
  pae_pt[1] = (uptr)frames[1] | P | W | U | XD;
  pae_pt[2] = (uptr)frames[2] | P | W;
  pae_pd[1][0] = (uptr)pae_pt | P | W | U;           /* WIN = 0x40000000: PDPT 1, PD 0 */
  pae_pd[2][0] = 0 | PS | P | W | U;                 /* 0x80000000: 2 MiB alias of 0 */
  pae_pd[2][1] = 0 | PS | P | U;                     /* read-only */
  write_cr4(read_cr4() | CR4_PAE);
  write_cr3((uptr)pdpt);
  write_cr0(read_cr0() | CR0_PG | CR0_WP);
  check_eq("pae.enabled", (read_cr0() & CR0_PG) && (read_cr4() & CR4_PAE), 1);

  frames[0][8] = 0x44;
  check_eq("pae.4k.read_through_alias", *(volatile u8*)(WIN + 8), 0x44);
  *(volatile u8*)(WIN + 9) = 0x55;
  check_eq("pae.4k.write_through_alias", frames[0][9], 0x55);
  check_eq("pae.4k.pte_accessed_dirty", pae_pt[0] & (A | D), A | D);
  check_eq("pae.4k.pde_accessed", pae_pd[1][0] & A, A);
  static u32 marker = 0xabcd1234;
  check_eq("pae.2m.read_through_alias", *(volatile u32*)(0x80000000u + (uptr)&marker), 0xabcd1234);
  check_eq("pae.2m.pde_accessed", pae_pd[2][0] & (A | D), A);
  check_eq("pf3.user_write_read_only_2m", access(0, uwr, 0x80200000u + 0x40), 7);
  check_eq("pf3.user_read_supervisor_4k", access(0, urd, WIN + 0x2000), 5);
  check_eq("pf3.read_not_present", access(rd, 0, WIN + 0x3000), 0);
  pae_pd[1][1] = 0;
  invlpg(0x40200000u);
  check_eq("pf3.write_not_present_pde", access(wr, 0, 0x40200000u), 2);

  /* NX: without EFER.NXE bit 63 is reserved; with it, fetches fault */
  frames[1][0] = 0xc3;  /* ret */
  const int has_nx = (cpuid_edx81 >> 20) & 1;
  u32 e = access(fetch_pae, 0, WIN + 0x1000);
  /* RSVD; P is masked (the SDM sets it, QEMU does not) */
  check_eq("pf3.xd_without_nxe_is_reserved", e & ~1u, 0x8);
  if (has_nx) wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
  e = access(fetch_pae, 0, WIN + 0x1000);
  check_eq("pf3.nx_fetch_per_cpuid", has_nx ? e : e & ~1u, has_nx ? 0x11 : 0x8);
  e = access(rd, 0, WIN + 0x1000);
  check_eq("pf3.nx_page_readable", has_nx ? e : e & ~1u, has_nx ? OK : 0x8);
  check_eq("pf3.fetch_not_present_sets_id_with_nxe", access(fetch_pae, 0, WIN + 0x3000), has_nx ? 0x10 : 0);
  pae_pt[1] &= ~XD;
  invlpg(WIN + 0x1000);
  check_eq("pf3.executable_page_runs", access(fetch_pae, 0, WIN + 0x1000), OK);

  /* SMEP and SMAP, where advertised: CR4 bits settable iff CPUID says so. */
  const int smep = (cpuid_ebx7 >> 7) & 1, smap = (cpuid_ebx7 >> 20) & 1;
  /* The kernel's own identity mapping becomes supervisor-only meanwhile. */
  for (u32 i = 0; i < 512; ++i) pae_pd[0][i] &= ~(u64)U;
  write_cr3((uptr)pdpt);
  if (smep) {
    write_cr4(read_cr4() | CR4_SMEP);
    check_eq("smep.supervisor_fetch_from_user_page", access(fetch_pae, 0, WIN + 0x1000), 0x11);
    write_cr4(read_cr4() & ~CR4_SMEP);
  } else {
    check_eq("smep.supervisor_fetch_from_user_page", access(fetch_pae, 0, WIN + 0x1000), OK);
  }
  if (smap) {
    write_cr4(read_cr4() | CR4_SMAP);
    check_eq("smap.supervisor_read_user_page_ac0", access(rd, 0, WIN + 0x8), 0x1);
    __asm__ volatile("stac");
    check_eq("smap.supervisor_read_user_page_ac1", access(rd, 0, WIN + 0x8), OK);
    __asm__ volatile("clac");
    write_cr4(read_cr4() & ~CR4_SMAP);
  } else {
    check_eq("smap.supervisor_read_user_page_ac0", access(rd, 0, WIN + 0x8), OK);
    check_eq("smap.supervisor_read_user_page_ac1", access(rd, 0, WIN + 0x8), OK);
  }
  for (u32 i = 0; i < 512; ++i) pae_pd[0][i] |= U;
  write_cr3((uptr)pdpt);
  if (has_nx) wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~(u64)EFER_NXE);
  write_cr0(read_cr0() & ~CR0_PG);
  write_cr4(read_cr4() & ~CR4_PAE);
}

void kmain(void) {
  u32 r[4];
  cpuid(7, 0, r);
  cpuid_ebx7 = r[1];
  cpuid(0x80000001u, 0, r);
  cpuid_edx81 = r[3];
  test_two_level();
  test_pae();
}
