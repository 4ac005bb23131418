#include <algorithm>
#include <atomic>
#include <cstring>

#include "ir/semantics/canonical.h"
#include "ir/semantics/exception_vectors.h"
#include "runtime/log.h"
#include "runtime/vcpu/debug_breakpoints.h"
#include "runtime/softmmu/memory.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/cpu_model.h"

namespace orcvm {

namespace {

namespace pte {
constexpr uint64_t P = 1, RW = 2, US = 4, A = 1u << 5, D = 1u << 6, PS = 1u << 7, G = 1u << 8;
constexpr uint64_t NX = 1ull << 63;
constexpr uint64_t Address = 0x000ffffffffff000ull;
}  // namespace pte


namespace pf {
constexpr uint32_t Present = 1, Write = 2, User = 4, Reserved = 8, Fetch = 16;
}

struct Walk {
  uint64_t paddr;      // of the accessed byte
  uint64_t page_size;  // 4 KiB, 2/4 MiB or 1 GiB
  bool writable;       // for this privilege, given CR0.WP
  bool executable;
  bool dirty;
  bool global;         // CR4.PGE and the leaf entry's G bit: kept across CR3 writes
};

void record_fault(ExecContext* ctx, uint8_t vector, uint32_t error_code, bool has_error_code, uint64_t cr2) {
  PendingException& ex = ctx->cpu.exception;
  ex.pending = 1;
  ex.vector = vector;
  ex.error_code = error_code;
  ex.has_error_code = has_error_code;
  ex.cr2 = cr2;
  // Both tiers store the faulting instruction's RIP before anything that can fault.
  ex.rip = ctx->cpu.rip;
}

// Sets accessed (and dirty) bits with an atomic OR: other VCPUs walk the same tables.
void set_bits(PhysicalMemory& mem, uint64_t entry_paddr, unsigned entry_size, uint64_t bits) {
  // Entries outside RAM (tables the guest placed in MMIO or unassigned space) keep their bits.
  uint8_t* entry = mem.host(entry_paddr, entry_size);
  if (!entry) return;
  // A locked OR only where a bit is still clear: most walks find them set.
  if (entry_size == 8) {
    std::atomic_ref<uint64_t> e(*reinterpret_cast<uint64_t*>(entry));
    if ((e.load(std::memory_order_relaxed) & bits) != bits) e.fetch_or(bits);
  } else {
    std::atomic_ref<uint32_t> e(*reinterpret_cast<uint32_t*>(entry));
    if ((e.load(std::memory_order_relaxed) & bits) != bits) e.fetch_or(static_cast<uint32_t>(bits));
  }
}

// Bits hi..lo set (none when lo > hi).
constexpr uint64_t bits(unsigned hi, unsigned lo) {
  return lo > hi ? 0 : (~uint64_t{0} >> (63 - hi)) & (~uint64_t{0} << lo);
}

// What orcvm's CPUID model says about paging, and the reserved bits that follow
// from it (SDM Vol. 3, 4.1.4 and the entry formats of 4.3-4.5).
struct PagingModel {
  unsigned maxphyaddr;
  bool gib_pages;
  uint64_t reserved_above_maxphyaddr;  // bits 51:MAXPHYADDR of a PAE or 4-level entry
  uint64_t reserved_in_4mib_pde;       // 32-bit paging, CR4.PSE = 1, PS = 1
  uint64_t reserved_in_pae_pdpte;      // the four PDPTEs of PAE paging
};

PagingModel paging_model() {
  PagingModel m;
  const bool pae = cpuid(1, 0).edx & (1u << 6);
  const bool pse36 = cpuid(1, 0).edx & (1u << 17);
  // MAXPHYADDR comes from CPUID.80000008H:EAX[7:0]; without that leaf it is 36
  // with PAE and 32 without.
  m.maxphyaddr = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : pae ? 36 : 32;
  m.gib_pages = cpuid(0x80000001, 0).edx & (1u << 26);
  m.reserved_above_maxphyaddr = bits(51, m.maxphyaddr);
  // A 4-MiB PDE holds physical address bits 39:32 in bits 20:13 with PSE-36;
  // without PSE-36 all of bits 21:13 are reserved.
  m.reserved_in_4mib_pde = pse36 ? bits(21, std::min(m.maxphyaddr, 40u) - 19) : bits(21, 13);
  // SDM 4.4.1: a reserved bit in a PDPTE makes the MOV to CR3 that loads the PDPTE
  // registers raise #GP(0). orcvm has no PDPTE registers and reads the PDPTEs on
  // every walk, so it reports them as QEMU does: #PF with RSVD at first use.
  m.reserved_in_pae_pdpte = bits(63, m.maxphyaddr) | bits(8, 5) | bits(2, 1);
  return m;
}

// Walks the guest page tables for every paging mode: 32-bit (with 4 MiB pages),
// PAE and 4-level. Returns 0 on success, else the #PF error code (with a marker bit
// so that 0 is never an error). A present entry with a reserved bit set ends the
// walk with P and RSVD in the error code (SDM Vol. 3, 4.7).
constexpr uint32_t kFaulted = 1u << 31;

uint32_t walk(ExecContext* ctx, uint64_t linear, Access access, bool user, Walk* out) {
  static const PagingModel paging = paging_model();
  const CpuState& cpu = ctx->cpu;
  PhysicalMemory& mem = *ctx->memory;
  const bool write = access == Access::Write;
  const bool fetch = access == Access::Execute;
  const bool nxe = cpu.efer & efer::NXE;
  const uint64_t address_mask = mem.cpu_address_mask();  // the walk's reads go through the A20 gate too
  uint32_t fault_bits = (write ? pf::Write : 0) | (user ? pf::User : 0) |
                        (fetch && (nxe || (cpu.cr4 & cr4::SMEP)) ? pf::Fetch : 0);

  const bool pae = cpu.cr4 & cr4::PAE;
  const bool long_mode = cpu.efer & efer::LMA;
  const unsigned entry_size = pae ? 8 : 4;
  unsigned levels;
  uint64_t table;
  if (long_mode) {
    levels = 4;
    table = cpu.cr3 & pte::Address;
  } else if (pae) {
    levels = 3;
    table = cpu.cr3 & 0xffffffe0u;
  } else {
    levels = 2;
    table = cpu.cr3 & 0xfffff000u;
  }

  bool rw = true, us = true, nx = false;
  uint64_t entry = 0, entry_paddr = 0;
  uint64_t entry_addrs[4];
  unsigned shift = 0;
  unsigned level = levels;
  for (; level >= 1; --level) {
    unsigned index_bits = pae ? 9 : 10;
    shift = 12 + index_bits * (level - 1);
    uint64_t index;
    if (pae && !long_mode && level == 3) {
      index = (linear >> 30) & 3;  // the four PDPTEs
    } else {
      index = (linear >> shift) & ((1u << index_bits) - 1);
    }
    entry_paddr = (table + index * entry_size) & address_mask;
    entry_addrs[level - 1] = entry_paddr;
    entry = mem.read(entry_paddr, entry_size);
    if (!(entry & pte::P)) return kFaulted | fault_bits;
    const bool pae_pdpte = levels == 3 && level == 3;
    bool maps_page = false;
    uint64_t reserved;
    if (levels == 2) {
      // With CR4.PSE = 0 the PS bit of a PDE is ignored, not reserved.
      maps_page = level == 2 && (entry & pte::PS) && (cpu.cr4 & cr4::PSE);
      reserved = maps_page ? paging.reserved_in_4mib_pde : 0;
    } else if (pae_pdpte) {
      reserved = paging.reserved_in_pae_pdpte;
    } else {
      reserved = paging.reserved_above_maxphyaddr | (nxe ? 0 : pte::NX);
      if (level > 1 && (entry & pte::PS)) {
        maps_page = level == 2 || (level == 3 && paging.gib_pages);
        // PS is reserved in a PML4E, and in a PDPTE without 1-GiB pages.
        reserved |= !maps_page ? pte::PS : level == 2 ? bits(20, 13) : bits(29, 13);
      }
    }
    if (entry & reserved) return kFaulted | fault_bits | pf::Present | pf::Reserved;
    if (pae_pdpte) {  // PAE PDPTEs carry no permissions
      table = entry & pte::Address;
      continue;
    }
    rw = rw && (entry & pte::RW);
    us = us && (entry & pte::US);
    if (nxe && (entry & pte::NX)) nx = true;
    if (maps_page || level == 1) break;
    table = entry & (pae ? pte::Address : 0xfffff000u);
  }

  // Permission checks (SDM Vol. 3, 4.6).
  const bool wp = cpu.cr0 & cr0::WP;
  const bool can_write = user ? (rw && us) : (rw || !wp);
  if (user && !us) return kFaulted | fault_bits | pf::Present;
  if (write && !can_write) return kFaulted | fault_bits | pf::Present;
  if (fetch && nx) return kFaulted | fault_bits | pf::Present;
  if (fetch && !user && us && (cpu.cr4 & cr4::SMEP)) return kFaulted | fault_bits | pf::Present;

  uint64_t page_size = uint64_t{1} << shift;
  uint64_t frame;
  if (!pae && shift == 22) {  // 4 MiB page: bits 20:13 hold physical address bits 39:32
    frame = (entry & 0xffc00000u) | ((entry & 0x1fe000u) << 19);
  } else {
    frame = entry & pte::Address & ~(page_size - 1);
  }

  // Accessed bits on every level used, dirty on the leaf for a write.
  for (unsigned l = levels; l > level; --l)
    if (!(pae && !long_mode && l == 3)) set_bits(mem, entry_addrs[l - 1], entry_size, pte::A);
  const bool dirty = (entry & pte::D) || write;
  set_bits(mem, entry_paddr, entry_size, pte::A | (write ? pte::D : 0));

  out->paddr = frame | (linear & (page_size - 1));
  out->page_size = page_size;
  out->writable = can_write;
  out->executable = !nx && !(!user && us && (cpu.cr4 & cr4::SMEP));
  out->dirty = dirty;
  out->global = (cpu.cr4 & cr4::PGE) && (entry & pte::G);
  return 0;
}

void fill_tlb(ExecContext* ctx, uint64_t linear, unsigned bank, const Walk& w) {
  PhysicalMemory& mem = *ctx->memory;
  const uint64_t page_paddr = w.paddr & kPageMask;
  TlbEntry& e = tlb_entry(ctx, bank, linear);
  e.read_tag = e.write_tag = e.exec_tag = kTlbInvalid;
  ctx->tlb.global[bank][tlb_index(linear)] = w.global;
  const uint8_t* host_page = mem.host(page_paddr, kPageSize);
  if (!host_page) return;                        // MMIO and holes always take the slow path
  if (data_breakpoints_armed(ctx->cpu)) return;  // every access must reach note_data_access
  const uint64_t vpage = linear & kPageMask;
  e.addend = reinterpret_cast<uint64_t>(host_page) - vpage;
  e.read_tag = vpage;
  if (w.executable) e.exec_tag = vpage;
  if (w.writable && w.dirty && !mem.is_code_page(page_paddr / kPageSize)) e.write_tag = vpage;
  if (w.page_size > kPageSize) {
    uint64_t first = linear & ~(w.page_size - 1), last = first + w.page_size - 1;
    SoftTlb& tlb = ctx->tlb;
    if (tlb.large_page_first > tlb.large_page_last) {
      tlb.large_page_first = first;
      tlb.large_page_last = last;
    } else {
      tlb.large_page_first = std::min(tlb.large_page_first, first);
      tlb.large_page_last = std::max(tlb.large_page_last, last);
    }
  }
}

}  // namespace

bool mmu_translate(ExecContext* ctx, uint64_t linear, Access access, unsigned how, uint64_t* paddr) {
  const CpuState& cpu = ctx->cpu;
  const unsigned bank = how & access_how::BankMask;
  const bool long_mode = cpu.efer & efer::LMA;
  if (long_mode && !canonical(linear)) {
    record_fault(ctx, how & access_how::Stack ? vector::SS : vector::GP, 0, true, 0);
    return false;
  }
  if (!long_mode) linear &= 0xffffffffu;
  Walk w;
  if (!(cpu.cr0 & cr0::PG)) {
    w = Walk{linear, kPageSize, true, true, true, false};
  } else {
    uint32_t error = walk(ctx, linear, access, bank == TlbBank::User, &w);
    if (error) {
      if (Log::on(LogItem::Mmu))
        Log::printf("mmu: #PF at 0x%llx error 0x%x\n", (unsigned long long)linear, error & ~kFaulted);
      record_fault(ctx, vector::PF, error & ~kFaulted, true, linear);
      return false;
    }
  }
  w.paddr &= ctx->memory->cpu_address_mask();
  fill_tlb(ctx, linear, bank, w);
  *paddr = w.paddr;
  return true;
}

namespace {
// Splits an access at page boundaries into byte accesses (rare: unaligned across pages).
bool crosses_page(uint64_t linear, unsigned size) { return ((linear & 0xfff) + size) > kPageSize; }
}  // namespace

// #AC has the lowest priority of the faults of a data access, after a non-canonical address.
bool misaligned_fault(ExecContext* ctx, uint64_t linear, unsigned size, unsigned how) {
  if (!(how & access_how::AlignChecked) || !(linear & (size - 1)) || !alignment_checking(ctx->cpu)) return false;
  if (!canonical(linear)) return false;
  record_fault(ctx, vector::AC, 0, true, 0);
  return true;
}

uint64_t mmu_read(ExecContext* ctx, uint64_t linear, unsigned size, unsigned how) {
  if (misaligned_fault(ctx, linear, size, how)) return 0;
  note_data_access(ctx, linear, size, false);
  const Access access = how & access_how::WriteIntent ? Access::Write : Access::Read;
  if (crosses_page(linear, size)) {
    // Translate both pages before reading, so a fault on the second leaves nothing half-done.
    uint64_t first_paddr, second_paddr;
    unsigned first_len = kPageSize - (linear & 0xfff);
    if (!mmu_translate(ctx, linear, access, how, &first_paddr)) return 0;
    if (!mmu_translate(ctx, linear + first_len, access, how, &second_paddr)) return 0;
    uint64_t value = 0;
    for (unsigned i = 0; i < size; ++i) {
      uint64_t pa = i < first_len ? first_paddr + i : second_paddr + (i - first_len);
      value |= ctx->memory->read(pa, 1) << (8 * i);
    }
    return value;
  }
  uint64_t paddr;
  if (!mmu_translate(ctx, linear, access, how, &paddr)) return 0;
  return ctx->memory->read(paddr, size);
}

void mmu_write(ExecContext* ctx, uint64_t linear, unsigned size, uint64_t value, unsigned how) {
  if (misaligned_fault(ctx, linear, size, how)) return;
  note_data_access(ctx, linear, size, true);
  if (crosses_page(linear, size)) {
    uint64_t first_paddr, second_paddr;
    unsigned first_len = kPageSize - (linear & 0xfff);
    if (!mmu_translate(ctx, linear, Access::Write, how, &first_paddr)) return;
    if (!mmu_translate(ctx, linear + first_len, Access::Write, how, &second_paddr)) return;
    for (unsigned i = 0; i < size; ++i) {
      uint64_t pa = i < first_len ? first_paddr + i : second_paddr + (i - first_len);
      ctx->memory->write(pa, 1, (value >> (8 * i)) & 0xff);
    }
    return;
  }
  uint64_t paddr;
  if (!mmu_translate(ctx, linear, Access::Write, how, &paddr)) return;
  ctx->memory->write(paddr, size, value);
}

void mmu_write128(ExecContext* ctx, uint64_t linear, uint64_t low, uint64_t high, unsigned how) {
  // Both pages are translated before either half is written.
  uint64_t paddr;
  if (!mmu_translate(ctx, linear, Access::Write, how, &paddr)) return;
  if (!mmu_translate(ctx, linear + 15, Access::Write, how, &paddr)) return;
  mmu_write(ctx, linear, 8, low, how);
  if (!ctx->cpu.exception.pending) mmu_write(ctx, linear + 8, 8, high, how);
}

bool mmu_fetch(ExecContext* ctx, uint64_t linear, uint8_t* buf, unsigned size, uint64_t* paddr) {
  unsigned bank = ctx->cpu.cpl == 3 ? TlbBank::User : TlbBank::Supervisor;
  if (!mmu_translate(ctx, linear, Access::Execute, bank, paddr)) return false;
  if (const uint8_t* bytes = ctx->memory->host(*paddr, size)) {
    std::memcpy(buf, bytes, size);
    return true;
  }
  for (unsigned i = 0; i < size; ++i) buf[i] = static_cast<uint8_t>(ctx->memory->read(*paddr + i, 1));
  return true;
}

void tlb_flush(ExecContext* ctx) {
  for (auto& bank : ctx->tlb.entries)
    for (TlbEntry& e : bank) e.read_tag = e.write_tag = e.exec_tag = kTlbInvalid;
  ctx->tlb.large_page_first = 1;
  ctx->tlb.large_page_last = 0;
}

// The large-page span stays: global large pages may remain.
void tlb_flush_non_global(ExecContext* ctx) {
  for (unsigned bank = 0; bank < kTlbBanks; ++bank)
    for (unsigned i = 0; i < kTlbEntries; ++i)
      if (!ctx->tlb.global[bank][i]) {
        TlbEntry& e = ctx->tlb.entries[bank][i];
        e.read_tag = e.write_tag = e.exec_tag = kTlbInvalid;
      }
}

void tlb_flush_page(ExecContext* ctx, uint64_t linear) {
  const SoftTlb& tlb = ctx->tlb;
  if (tlb.large_page_first <= tlb.large_page_last && linear >= tlb.large_page_first &&
      linear <= tlb.large_page_last) {
    tlb_flush(ctx);
    return;
  }
  for (unsigned bank = 0; bank < kTlbBanks; ++bank) {
    TlbEntry& e = tlb_entry(ctx, bank, linear);
    if (e.read_tag == (linear & kPageMask)) e.read_tag = e.write_tag = e.exec_tag = kTlbInvalid;
  }
}

void tlb_protect_code_page(ExecContext* ctx, uint64_t page_number) {
  const uint8_t* host_page = ctx->memory->host(page_number * kPageSize, kPageSize);
  if (!host_page) return;  // only RAM pages have TLB entries with write access
  for (auto& bank : ctx->tlb.entries)
    for (TlbEntry& e : bank)
      if (e.write_tag != kTlbInvalid && e.write_tag + e.addend == reinterpret_cast<uint64_t>(host_page))
        e.write_tag = kTlbInvalid;
}

}  // namespace orcvm
