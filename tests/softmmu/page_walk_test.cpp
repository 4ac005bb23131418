// The page walk's reserved-bit checks (SDM Vol. 3, 4.7), global pages and the A20 gate, on
// hand-built page tables: a walk of each paging mode through mmu_translate.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "runtime/softmmu/memory.h"
#include "runtime/softmmu/mmu.h"

namespace orcvm {
namespace {

constexpr uint64_t P = 1, RW = 2, US = 4, PS = 1u << 7, G = 1u << 8;
constexpr uint64_t NX = 1ull << 63;
constexpr uint32_t kPresent = 1, kWrite = 2, kUser = 4, kReserved = 8, kFetch = 16;
constexpr uint64_t kMaxPhysAddrBit = 36;  // CPUID has no leaf 0x80000008 and advertises PAE

class PageWalkTest : public ::testing::Test {
 protected:
  PageWalkTest() : memory(4 << 20), ctx(std::make_unique<ExecContext>()) {
    std::memset(ctx.get(), 0, sizeof(ExecContext));
    ctx->memory = &memory;
    tlb_flush(ctx.get());
  }

  void set64(uint64_t paddr, uint64_t value) { std::memcpy(memory.host(paddr, 8), &value, 8); }
  void set32(uint64_t paddr, uint32_t value) { std::memcpy(memory.host(paddr, 4), &value, 4); }

  // 4-level paging: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000; linear
  // 0x200000 goes through PD entry 1 and PT entry 0 to physical 0x100000.
  void long_mode_tables() {
    ctx->cpu.cr0 = cr0::PE | cr0::PG;
    ctx->cpu.cr4 = cr4::PAE;
    ctx->cpu.efer = efer::LME | efer::LMA;
    ctx->cpu.cr3 = 0x1000;
    set64(0x1000, 0x2000 | P | RW | US);
    set64(0x2000, 0x3000 | P | RW | US);
    set64(0x3000 + 8, 0x4000 | P | RW | US);
    set64(0x4000, 0x100000 | P | RW | US);
  }

  // PAE paging: PDPT 0x1000 (entry 0), PD 0x3000, PT 0x4000, same mapping.
  void pae_tables() {
    ctx->cpu.cr0 = cr0::PE | cr0::PG;
    ctx->cpu.cr4 = cr4::PAE;
    ctx->cpu.efer = 0;
    ctx->cpu.cr3 = 0x1000;
    set64(0x1000, 0x3000 | P);
    set64(0x3000 + 8, 0x4000 | P | RW | US);
    set64(0x4000, 0x100000 | P | RW | US);
  }

  // 32-bit paging: PD 0x1000; linear 0x400000 (PD entry 1) through PT 0x4000 to 0x100000.
  void paging32_tables() {
    ctx->cpu.cr0 = cr0::PE | cr0::PG;
    ctx->cpu.cr4 = 0;
    ctx->cpu.efer = 0;
    ctx->cpu.cr3 = 0x1000;
    set32(0x1000 + 4, 0x4000 | P | RW | US);
    set32(0x4000, 0x100000 | P | RW | US);
  }

  // The physical address, or fault(error code) after a #PF.
  int64_t translate(uint64_t linear, Access access = Access::Read, unsigned bank = TlbBank::Supervisor) {
    tlb_flush(ctx.get());
    ctx->cpu.exception = PendingException{};
    uint64_t paddr = 0;
    if (mmu_translate(ctx.get(), linear, access, bank, &paddr)) return static_cast<int64_t>(paddr);
    EXPECT_EQ(ctx->cpu.exception.vector, 14);
    EXPECT_EQ(ctx->cpu.exception.cr2, linear);
    return -1 - static_cast<int64_t>(ctx->cpu.exception.error_code);
  }

  PhysicalMemory memory;
  std::unique_ptr<ExecContext> ctx;
};

constexpr int64_t fault(uint32_t error_code) { return -1 - static_cast<int64_t>(error_code); }

TEST_F(PageWalkTest, LongModeBitsAboveMaxPhysAddrAreReserved) {
  long_mode_tables();
  ASSERT_EQ(translate(0x200123), 0x100123);
  set64(0x3000 + 8, 0x4000 | P | RW | US | (1ull << 51));
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  EXPECT_EQ(translate(0x200123, Access::Write, TlbBank::User), fault(kPresent | kReserved | kWrite | kUser));
  set64(0x3000 + 8, 0x4000 | P | RW | US | (1ull << kMaxPhysAddrBit));
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  // Below MAXPHYADDR the bit is an address bit.
  long_mode_tables();
  set64(0x4000, 0x100000 | P | RW | US | (1ull << (kMaxPhysAddrBit - 1)));
  EXPECT_EQ(translate(0x200123), (1ll << (kMaxPhysAddrBit - 1)) | 0x100123);
}

TEST_F(PageWalkTest, LongModeReservedBitsInEveryLevel) {
  long_mode_tables();
  set64(0x4000, 0x100000 | P | RW | US | (1ull << 40));  // PTE
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  long_mode_tables();
  set64(0x1000, 0x2000 | P | RW | US | PS);  // PS in a PML4E
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  long_mode_tables();
  set64(0x3000 + 8, 0x200000 | P | RW | US | PS);  // a 2 MiB page
  EXPECT_EQ(translate(0x200123), 0x200123);
  set64(0x3000 + 8, 0x200000 | P | RW | US | PS | (1u << 13));  // bits 20:13 of a 2 MiB PDE
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  set64(0x3000 + 8, 0x200000 | P | RW | US | PS | (1u << 20));
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  long_mode_tables();
  set64(0x2000, 0x40000000 | P | RW | US | PS);  // a 1 GiB page
  EXPECT_EQ(translate(0x200123), 0x40200123);
  set64(0x2000, 0x40000000 | P | RW | US | PS | (1u << 29));  // bits 29:13 of a 1 GiB PDPTE
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  set64(0x2000, 0x40000000 | P | RW | US | PS | (1u << 13));
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
}

// Tables outside RAM read as the hardware there reads: unassigned space gives
// all-ones entries, present with every reserved bit set.
TEST_F(PageWalkTest, TablesInUnassignedSpaceFaultAsReserved) {
  long_mode_tables();
  ctx->cpu.cr3 = 0xe0000000;
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  long_mode_tables();
  set64(0x3000 + 8, 0xe0000000 | P | RW | US);  // the page table in the PCI hole
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
}

// A page that maps MMIO or unassigned space never gets a host pointer in the TLB.
TEST_F(PageWalkTest, PagesOutsideRamTakeTheSlowPath) {
  long_mode_tables();
  for (uint64_t frame : {uint64_t{0xfee00000}, uint64_t{0xe0000000}, uint64_t{4} << 20}) {
    set64(0x4000, frame | P | RW | US);
    EXPECT_EQ(translate(0x200010), static_cast<int64_t>(frame | 0x10));
    for (Access access : {Access::Read, Access::Write, Access::Execute})
      EXPECT_EQ(tlb_lookup(ctx.get(), TlbBank::Supervisor, 0x200010, 4, access), nullptr) << frame;
  }
  set64(0x4000, 0x100000 | P | RW | US);  // RAM: the TLB maps it
  EXPECT_EQ(translate(0x200010, Access::Write), 0x100010);
  EXPECT_EQ(tlb_lookup(ctx.get(), TlbBank::Supervisor, 0x200010, 4, Access::Read), memory.host(0x100010, 4));
}

TEST_F(PageWalkTest, NxIsReservedWithoutEferNxe) {
  long_mode_tables();
  set64(0x4000, 0x100000 | P | RW | US | NX);
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  ctx->cpu.efer |= efer::NXE;
  EXPECT_EQ(translate(0x200123), 0x100123);
  EXPECT_EQ(translate(0x200123, Access::Execute), fault(kPresent | kFetch));
  // A reserved bit beats the NX check, and the fetch shows in the error code.
  set64(0x4000, 0x100000 | P | RW | US | NX | (1ull << 45));
  EXPECT_EQ(translate(0x200123, Access::Execute), fault(kPresent | kReserved | kFetch));
}

TEST_F(PageWalkTest, ANotPresentEntryIsNeverReserved) {
  long_mode_tables();
  set64(0x4000, 0x100000 | RW | US | (1ull << 51));
  EXPECT_EQ(translate(0x200123), fault(0));
}

TEST_F(PageWalkTest, PaeReservedBits) {
  pae_tables();
  ASSERT_EQ(translate(0x200123), 0x100123);
  set64(0x1000, 0x3000 | P | RW);  // bits 2:1 of a PDPTE are reserved
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  set64(0x1000, 0x3000 | P | NX);  // and so is bit 63, whatever EFER.NXE says
  ctx->cpu.efer = efer::NXE;
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
  pae_tables();
  set64(0x3000 + 8, 0x4000 | P | RW | US | NX);  // XD in a PDE without NXE
  EXPECT_EQ(translate(0x200123, Access::Write), fault(kPresent | kReserved | kWrite));
  pae_tables();
  set64(0x3000 + 8, 0x200000 | P | RW | US | PS | (1u << 14));
  EXPECT_EQ(translate(0x200123), fault(kPresent | kReserved));
}

TEST_F(PageWalkTest, Paging32LargePageReservedBits) {
  paging32_tables();
  ASSERT_EQ(translate(0x400123), 0x100123);
  // With CR4.PSE = 0 the PS bit is ignored: the PDE still points to a page table.
  set32(0x1000 + 4, 0x4000 | P | RW | US | PS);
  EXPECT_EQ(translate(0x400123), 0x100123);
  ctx->cpu.cr4 = cr4::PSE;
  set32(0x1000 + 4, 0x800000 | P | RW | US | PS);
  EXPECT_EQ(translate(0x400123), 0x800123);
  set32(0x1000 + 4, 0x800000 | P | RW | US | PS | (1u << 21));  // always reserved
  EXPECT_EQ(translate(0x400123), fault(kPresent | kReserved));
  // Bits 20:17 would be physical address bits 39:36, beyond MAXPHYADDR.
  set32(0x1000 + 4, 0x800000 | P | RW | US | PS | (1u << 17));
  EXPECT_EQ(translate(0x400123), fault(kPresent | kReserved));
}

TEST_F(PageWalkTest, ClosedA20GateMasksBit20OfEveryAccess) {
  memory.set_a20(false);
  EXPECT_EQ(translate(0x100123), 0x000123);  // paging off
  EXPECT_EQ(translate(0x3ff123), 0x2ff123);
  // The walk reads the page directory at 0x101000 from 0x1000 instead.
  paging32_tables();
  ctx->cpu.cr3 = 0x101000;
  EXPECT_EQ(translate(0x400123), 0x000123);  // and the page at 0x100000 is 0x000000
  memory.set_a20(true);
  set32(0x101000 + 4, 0x4000 | P | RW | US);
  EXPECT_EQ(translate(0x400123), 0x100123);
}

// A CR3 write keeps TLB entries of global pages when CR4.PGE is set (SDM Vol. 3,
// 4.10.4.1); INVLPG and a full flush drop them too.
TEST_F(PageWalkTest, Cr3WriteKeepsOnlyGlobalPages) {
  long_mode_tables();
  ctx->cpu.cr4 |= cr4::PGE;
  set64(0x4000, 0x100000 | P | RW | US | G);
  set64(0x4008, 0x101000 | P | RW | US);  // linear 0x201000, not global
  uint64_t paddr;
  ASSERT_TRUE(mmu_translate(ctx.get(), 0x200000, Access::Read, TlbBank::Supervisor, &paddr));
  ASSERT_TRUE(mmu_translate(ctx.get(), 0x201000, Access::Read, TlbBank::Supervisor, &paddr));
  tlb_flush_non_global(ctx.get());
  EXPECT_EQ(tlb_lookup(ctx.get(), TlbBank::Supervisor, 0x200000, 8, Access::Read), memory.host(0x100000, 8));
  EXPECT_EQ(tlb_lookup(ctx.get(), TlbBank::Supervisor, 0x201000, 8, Access::Read), nullptr);
  tlb_flush_page(ctx.get(), 0x200000);
  EXPECT_EQ(tlb_lookup(ctx.get(), TlbBank::Supervisor, 0x200000, 8, Access::Read), nullptr);

  ASSERT_TRUE(mmu_translate(ctx.get(), 0x200000, Access::Read, TlbBank::Supervisor, &paddr));
  tlb_flush(ctx.get());
  EXPECT_EQ(tlb_lookup(ctx.get(), TlbBank::Supervisor, 0x200000, 8, Access::Read), nullptr);
}

// G is ignored while CR4.PGE is clear.
TEST_F(PageWalkTest, GlobalBitIgnoredWithoutPge) {
  long_mode_tables();
  set64(0x4000, 0x100000 | P | RW | US | G);
  uint64_t paddr;
  ASSERT_TRUE(mmu_translate(ctx.get(), 0x200000, Access::Read, TlbBank::Supervisor, &paddr));
  tlb_flush_non_global(ctx.get());
  EXPECT_EQ(tlb_lookup(ctx.get(), TlbBank::Supervisor, 0x200000, 8, Access::Read), nullptr);
}

}  // namespace
}  // namespace orcvm
