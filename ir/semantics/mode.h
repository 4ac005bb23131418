#pragma once
// The execution mode a block was translated for. It is part of the translation
// cache key: the same bytes translate differently in another mode.
#include <cstdint>

namespace orcvm {

struct BlockMode {
  uint32_t bits = 0;

  static constexpr uint32_t kCplMask = 3;          // bits 0-1
  static constexpr uint32_t kCode64 = 1u << 2;
  static constexpr uint32_t kCode32 = 1u << 3;     // neither: 16-bit code
  static constexpr uint32_t kStack32 = 1u << 4;
  static constexpr uint32_t kProtected = 1u << 5;  // CR0.PE
  static constexpr uint32_t kPaging = 1u << 6;     // CR0.PG
  static constexpr uint32_t kIoplShift = 7;        // bits 7-8
  static constexpr uint32_t kTrap = 1u << 9;       // RFLAGS.TF: single-step
  static constexpr uint32_t kCounting = 1u << 10;  // blocks decrement the instruction budget
  static constexpr uint32_t kSegBases = 1u << 11;  // some of CS/DS/ES/SS has a non-zero base
  static constexpr uint32_t kAlignCheck = 1u << 12;  // CR0.AM, RFLAGS.AC and CPL 3: misaligned -> #AC
  // Bits 13-18, one per segment register (ES CS SS DS FS GS): accesses through it check
  // its limit and type (16/32-bit modes, runtime/vcpu/segment_checks.h).
  static constexpr uint32_t kSegCheckShift = 13;
  static constexpr uint32_t segment_check_bit(unsigned segment) { return 1u << (kSegCheckShift + segment); }
  // SSE instructions fault: #UD with CR0.EM or without CR4.OSFXSR, else #NM with CR0.TS.
  static constexpr uint32_t kSseUd = 1u << 19, kSseNm = 1u << 20;

  unsigned cpl() const { return bits & kCplMask; }
  unsigned iopl() const { return (bits >> kIoplShift) & 3; }
  unsigned code_bits() const { return bits & kCode64 ? 64 : bits & kCode32 ? 32 : 16; }
  bool long64() const { return bits & kCode64; }
  bool counting() const { return bits & kCounting; }
  // The soft TLB bank: 0 user, 1 supervisor, 2 supervisor with SMAP active.
  unsigned tlb_bank() const { return cpl() == 3 ? 0 : 1; }
  bool operator==(const BlockMode&) const = default;
};

}  // namespace orcvm
