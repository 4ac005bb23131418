#pragma once
// The soft TLB that compiled code probes inline: per privilege bank, a direct-mapped
// array of page entries with one tag per kind of access.
#include <cstdint>

namespace orcvm {

// A tag is the page-aligned linear address the entry maps for that kind of access,
// or kTlbInvalid. host = linear + addend.
struct TlbEntry {
  uint64_t read_tag;
  uint64_t write_tag;
  uint64_t exec_tag;
  uint64_t addend;
};
static_assert(sizeof(TlbEntry) == 32);
constexpr uint64_t kTlbInvalid = 1;  // never equal to a page-aligned address
constexpr unsigned kTlbBits = 8;
constexpr unsigned kTlbEntries = 1u << kTlbBits;
constexpr unsigned kTlbBanks = 3;  // user, supervisor, supervisor with SMAP active

struct SoftTlb {
  TlbEntry entries[kTlbBanks][kTlbEntries];  // first: generated code addresses it
  // Entries made from global pages (CR4.PGE and PTE.G), which a CR3 write keeps.
  bool global[kTlbBanks][kTlbEntries];
  // The span of linear addresses that entries made from large pages cover: an
  // INVLPG inside it flushes the whole TLB.
  uint64_t large_page_first;
  uint64_t large_page_last;
};

}  // namespace orcvm
