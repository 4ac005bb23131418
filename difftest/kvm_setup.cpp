#include "difftest/kvm_setup.h"
#include "ir/semantics/exception_vectors.h"

#include <cstring>

namespace orcvm::difftest::kvm {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, NX = 1ull << 63;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;
constexpr uint8_t kUd2[] = {0x0f, 0x0b};
constexpr uint64_t kTrapFlag = 1ull << 8, kInterruptFlag = 1ull << 9, kIopl = 3ull << 12, kResumeFlag = 1ull << 16;

void put64(uint8_t* guest, uint64_t phys, uint64_t value) { std::memcpy(guest + phys, &value, 8); }
uint64_t get64(const uint8_t* guest, uint64_t phys) {
  uint64_t v;
  std::memcpy(&v, guest + phys, 8);
  return v;
}

// An 8-byte code or data segment descriptor (base 0, limit 0xfffff pages).
uint64_t segment_descriptor(uint8_t access, uint8_t flags) {
  const uint64_t limit = 0xfffff;
  return (limit & 0xffff) | (static_cast<uint64_t>(access) << 40) | (((limit >> 16) & 0xf) << 48) |
         (static_cast<uint64_t>(flags & 0xf) << 52);
}

// Whether the host kernel's GDT has Linux's 32-bit user code segment: a kernel that
// runs no 32-bit programs (this machine's, a PVM guest) has none, and LAR/LSL/VERR/
// VERW of that selector must find in the oracles what they find on the host.
bool host_has_compat_code_segment() {
#if defined(__x86_64__)
  static const bool present = [] {
    uint32_t rights = 0;
    uint8_t valid = 0;
    asm volatile("lar %2, %0\n\tsetz %1" : "+r"(rights), "=q"(valid) : "r"(uint32_t{kUserCs32}) : "cc");
    return valid != 0;
  }();
  return present;
#else
  return true;
#endif
}

}  // namespace

void build_system_area(uint8_t* guest, uint64_t code_bytes) {
  std::memset(guest + kSystemPhys, 0, kSystemPages * kPage);
  // Page tables: the user half identity-maps the code pages and the data window; the
  // top of the address space maps the system area for the supervisor only.
  put64(guest, kPml4Phys + 0 * 8, kPdptLowPhys | P | RW | US | A);
  put64(guest, kPdptLowPhys + 0 * 8, kPdLowPhys | P | RW | US | A);
  put64(guest, kPdLowPhys + 0 * 8, kPtLowPhys | P | RW | US | A);
  const uint64_t code_pages = (code_bytes + kPage - 1) / kPage;
  for (uint64_t p = 0; p < code_pages && p < (kDataAddress - kCodeAddress) / kPage; ++p) {
    const uint64_t page = kCodeAddress + p * kPage;
    put64(guest, kPtLowPhys + (page >> 12) * 8, page | P | RW | US | A | D);
  }
  for (uint64_t page = kDataAddress; page < kDataAddress + kDataSize; page += kPage)
    put64(guest, kPtLowPhys + (page >> 12) * 8, page | P | RW | US | A | D | NX);
  put64(guest, kPml4Phys + 511 * 8, kPdptHighPhys | P | RW | A);
  put64(guest, kPdptHighPhys + 511 * 8, kPdHighPhys | P | RW | A);
  put64(guest, kPdHighPhys + 0 * 8, kPtHighPhys | P | RW | A);
  for (uint64_t i = 0; i < kSystemPages; ++i) {
    const uint64_t phys = kSystemPhys + i * kPage;
    const bool code = phys == kStubsPhys;
    put64(guest, kPtHighPhys + i * 8, phys | P | RW | A | D | (code ? 0 : NX));
  }

  // GDT, Linux's selectors (those the host kernel has).
  put64(guest, kGdtPhys + kKernelCs, segment_descriptor(0x9b, 0xa));           // 64-bit code, DPL 0
  put64(guest, kGdtPhys + kKernelDs, segment_descriptor(0x93, 0xc));           // data, DPL 0
  if (host_has_compat_code_segment())
    put64(guest, kGdtPhys + (kUserCs32 & ~3), segment_descriptor(0xfb, 0xc));  // 32-bit code, DPL 3
  put64(guest, kGdtPhys + (kUserDs & ~3), segment_descriptor(0xf3, 0xc));      // data, DPL 3
  put64(guest, kGdtPhys + (kUserCs & ~3), segment_descriptor(0xfb, 0xa));      // 64-bit code, DPL 3
  const uint64_t tss = system_va(kTssPhys);
  const uint64_t tss_limit = 0x67;
  put64(guest, kGdtPhys + kTss,
        (tss_limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x8bull << 40) | (((tss >> 24) & 0xff) << 56));
  put64(guest, kGdtPhys + kTss + 8, tss >> 32);
  // TSS: RSP0 and an I/O bitmap offset past the limit (no port is open to CPL 3).
  put64(guest, kTssPhys + 4, system_va(kStackTopPhys));
  const uint16_t iomap = 0x68;
  std::memcpy(guest + kTssPhys + 0x66, &iomap, 2);

  // IDT: an interrupt gate per vector to its stub. Vectors 3 and 4 are open to CPL 3
  // (INT3, INTO), as on Linux; INT n to any other vector raises #GP(n * 8 + 2).
  for (unsigned v = 0; v < kVectors; ++v) {
    const uint64_t stub = system_va(kStubsPhys) + v * kStubSize;
    const uint64_t dpl = (v == 3 || v == 4) ? 3 : 0;
    const uint64_t type_attr = 0x80 | (dpl << 5) | 0xe;
    const uint64_t low = (stub & 0xffff) | (static_cast<uint64_t>(kKernelCs) << 16) | (type_attr << 40) |
                         (((stub >> 16) & 0xffff) << 48);
    put64(guest, kIdtPhys + v * 16, low);
    put64(guest, kIdtPhys + v * 16 + 8, stub >> 32);
    // The stub: HLT, and should the VM be resumed, HLT again.
    uint8_t* s = guest + kStubsPhys + v * kStubSize;
    s[0] = 0xf4;  // hlt
    s[1] = 0xeb;  // jmp $-3 (back to the hlt)
    s[2] = 0xfd;
  }
}

void write_case(uint8_t* guest, const TestCase& test) {
  std::memset(guest + kCodeAddress, 0, kDataAddress - kCodeAddress);
  std::memset(guest + kDataAddress, 0, kDataSize);
  std::memcpy(guest + kCodeAddress, test.code.data(), test.code.size());
  std::memcpy(guest + kCodeAddress + test.code.size(), kUd2, sizeof kUd2);
  for (const MemoryChunk& chunk : test.input.memory)
    if (chunk.address >= kDataAddress && chunk.address + chunk.bytes.size() <= kDataAddress + kDataSize)
      std::memcpy(guest + chunk.address, chunk.bytes.data(), chunk.bytes.size());
  build_system_area(guest, test.code.size() + sizeof kUd2);
}

Translation walk(const uint8_t* guest, uint64_t va) {
  Translation t;
  // Canonical addresses only.
  const int64_t sva = static_cast<int64_t>(va);
  if ((sva << 16 >> 16) != sva) return t;
  uint64_t table = kPml4Phys;
  bool writable = true, user = true, executable = true;
  for (int level = 3; level >= 0; --level) {
    const uint64_t index = (va >> (12 + 9 * level)) & 511;
    if (table + index * 8 + 8 > kGuestMemorySize) return t;
    const uint64_t e = get64(guest, table + index * 8);
    if (!(e & P)) return t;
    writable &= (e & RW) != 0;
    user &= (e & US) != 0;
    executable &= (e & NX) == 0;
    table = e & kAddressMask;
  }
  t.present = true;
  t.phys = table | (va & 0xfff);
  t.writable = writable;
  t.user = user;
  t.executable = executable;
  return t;
}

kvm_regs to_kvm_regs(const MachineState& s) {
  kvm_regs r{};
  r.rax = s.gpr[0];
  r.rcx = s.gpr[1];
  r.rdx = s.gpr[2];
  r.rbx = s.gpr[3];
  r.rsp = s.gpr[4];
  r.rbp = s.gpr[5];
  r.rsi = s.gpr[6];
  r.rdi = s.gpr[7];
  r.r8 = s.gpr[8];
  r.r9 = s.gpr[9];
  r.r10 = s.gpr[10];
  r.r11 = s.gpr[11];
  r.r12 = s.gpr[12];
  r.r13 = s.gpr[13];
  r.r14 = s.gpr[14];
  r.r15 = s.gpr[15];
  r.rip = s.rip;
  // As in the host oracle: CPL 3 with IOPL 0 and IF set; TF is never set.
  r.rflags = (s.rflags & ~(kTrapFlag | kIopl)) | kInterruptFlag | 2;
  return r;
}

kvm_segment user_code_segment() {
  kvm_segment s{};
  s.base = 0;
  s.limit = 0xffffffff;
  s.selector = kUserCs;
  s.type = 0xb;  // execute/read, accessed
  s.present = 1;
  s.dpl = 3;
  s.db = 0;
  s.s = 1;
  s.l = 1;
  s.g = 1;
  return s;
}

kvm_segment user_data_segment() {
  kvm_segment s{};
  s.base = 0;
  s.limit = 0xffffffff;
  s.selector = kUserDs;
  s.type = 0x3;  // read/write, accessed
  s.present = 1;
  s.dpl = 3;
  s.db = 1;
  s.s = 1;
  s.g = 1;
  return s;
}

kvm_sregs make_sregs() {
  kvm_sregs s{};
  s.cs = user_code_segment();
  s.ss = user_data_segment();
  kvm_segment null{};
  null.unusable = 1;
  s.ds = s.es = s.fs = s.gs = null;
  s.ldt = null;
  s.tr.base = system_va(kTssPhys);
  s.tr.limit = 0x67;
  s.tr.selector = kTss;
  s.tr.type = 0xb;  // 64-bit TSS, busy
  s.tr.present = 1;
  s.gdt.base = system_va(kGdtPhys);
  s.gdt.limit = kGdtLimit;
  s.idt.base = system_va(kIdtPhys);
  s.idt.limit = kVectors * 16 - 1;
  constexpr uint64_t PE = 1, MP = 2, ET = 0x10, NE = 0x20, WP = 1 << 16, AM = 1 << 18, PG = 1ull << 31;
  s.cr0 = PE | MP | ET | NE | WP | AM | PG;
  s.cr3 = kPml4Phys;
  constexpr uint64_t PAE = 1 << 5, OSFXSR = 1 << 9, OSXMMEXCPT = 1 << 10;
  s.cr4 = PAE | OSFXSR | OSXMMEXCPT;
  constexpr uint64_t SCE = 1, LME = 1 << 8, LMA = 1 << 10, NXE = 1 << 11;
  s.efer = SCE | LME | LMA | NXE;  // SCE as Linux sets it (SYSRET at CPL 3 is then #GP, not #UD)
  return s;
}

OracleResult decode_exit(uint32_t exit_reason, const kvm_regs& regs, const uint8_t* guest, const TestCase& test) {
  OracleResult r;
  auto fail = [&](const std::string& why) {
    r.status = OracleResult::Status::Error;
    r.message = "kvm oracle: case '" + test.name + "': " + why;
    return r;
  };
  if (exit_reason != KVM_EXIT_HLT) return fail("unexpected exit " + exit_reason_name(exit_reason));
  const uint64_t stubs = system_va(kStubsPhys);
  if (regs.rip < stubs + 1 || regs.rip > stubs + kVectors * kStubSize)
    return fail("HLT outside the exception stubs (rip " + std::to_string(regs.rip) + ")");
  const unsigned vector = static_cast<unsigned>((regs.rip - 1 - stubs) / kStubSize);
  const bool error_code = vector::pushes_error_code(vector);
  const uint64_t frame_va = regs.rsp;
  const uint64_t frame_size = (error_code ? 8 : 0) + 40;
  if (frame_va < system_va(kStackPhys) || frame_va + frame_size > system_va(kStackTopPhys))
    return fail("the exception frame is not on the kernel stack");
  const uint64_t frame = kSystemPhys + (frame_va - kSystemBase);
  const uint64_t off = error_code ? 8 : 0;
  const uint64_t user_rip = get64(guest, frame + off);
  const uint64_t user_cs = get64(guest, frame + off + 8) & 0xffff;
  const uint64_t user_rflags = get64(guest, frame + off + 16);
  const uint64_t user_rsp = get64(guest, frame + off + 24);
  if (vector == 8) return fail("double fault");
  if (user_cs != kUserCs)
    return fail("exception " + std::to_string(vector) + " outside the case's code (CS " + std::to_string(user_cs) + ")");
  Outcome& o = r.outcome;
  const uint64_t g[16] = {regs.rax, regs.rcx, regs.rdx, regs.rbx, user_rsp, regs.rbp, regs.rsi, regs.rdi,
                          regs.r8,  regs.r9,  regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15};
  std::memcpy(o.state.gpr, g, sizeof g);
  o.state.rip = user_rip;
  o.state.rflags = user_rflags & ~kResumeFlag;
  o.state.memory.push_back({kDataAddress, std::vector<uint8_t>(guest + kDataAddress, guest + kDataAddress + kDataSize)});
  const bool reached_end = vector == 6 && user_rip == kCodeAddress + test.code.size();
  if (!reached_end)
    o.exception = ExceptionRecord{static_cast<uint8_t>(vector),
                                  error_code ? static_cast<uint32_t>(get64(guest, frame)) : 0};
  return r;
}

std::string exit_reason_name(uint32_t reason) {
  switch (reason) {
    case KVM_EXIT_UNKNOWN: return "KVM_EXIT_UNKNOWN";
    case KVM_EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
    case KVM_EXIT_IO: return "KVM_EXIT_IO";
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
    case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN (triple fault)";
    case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
    case KVM_EXIT_INTR: return "KVM_EXIT_INTR";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    default: return "exit reason " + std::to_string(reason);
  }
}

}  // namespace orcvm::difftest::kvm
