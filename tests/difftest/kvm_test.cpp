// The KVM oracle: everything that does not need /dev/kvm (guest memory layout, page
// tables, descriptor tables, state conversion, exit decoding) always; the VM itself
// only where /dev/kvm exists (otherwise the test says "skipped: no /dev/kvm").
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <vector>

#include "difftest/host_batch.h"
#include "difftest/kvm_oracle.h"
#include "difftest/kvm_setup.h"

namespace orcvm::difftest::kvm {
namespace {

uint64_t get64(const std::vector<uint8_t>& m, uint64_t phys) {
  uint64_t v;
  std::memcpy(&v, m.data() + phys, 8);
  return v;
}

TestCase sample_case() {
  TestCase t;
  t.name = "sample";
  t.code = {0x48, 0x01, 0xd8};
  t.input.gpr[0] = 1;
  t.input.gpr[4] = kStackTop;
  t.input.rflags = 0x202 | 0x400 | 0x100 | 0x3000;  // DF; TF and IOPL must be dropped
  t.input.memory.push_back({kDataAddress + 0x10, {1, 2, 3}});
  return t;
}

TEST(KvmSetup, PageTablesMapTheUserPagesAndHideTheSystemArea) {
  std::vector<uint8_t> guest(kGuestMemorySize);
  build_system_area(guest.data(), 0x1800);  // code spans two pages
  Translation code = walk(guest.data(), kCodeAddress + 0x123);
  EXPECT_TRUE(code.present && code.user && code.writable && code.executable);
  EXPECT_EQ(code.phys, kCodeAddress + 0x123);
  EXPECT_TRUE(walk(guest.data(), kCodeAddress + 0x1000).present);
  EXPECT_FALSE(walk(guest.data(), kCodeAddress + 0x2000).present);  // beyond the code
  for (uint64_t a = kDataAddress; a < kDataAddress + kDataSize; a += 0x1000) {
    Translation d = walk(guest.data(), a);
    EXPECT_TRUE(d.present && d.user && d.writable && !d.executable) << std::hex << a;
    EXPECT_EQ(d.phys, a);
  }
  for (uint64_t a : std::initializer_list<uint64_t>{0x0, 0x1000, 0x30000, 0x40000, 0x7000000, kSystemPhys})
    EXPECT_FALSE(walk(guest.data(), a).present) << std::hex << a;
  for (uint64_t phys : {kGdtPhys, kIdtPhys, kStubsPhys, kStackPhys, kStackTopPhys - 8}) {
    Translation s = walk(guest.data(), system_va(phys));
    EXPECT_TRUE(s.present && !s.user && s.writable) << std::hex << phys;
    EXPECT_EQ(s.phys, phys);
    EXPECT_EQ(s.executable, phys == kStubsPhys);
  }
  EXPECT_FALSE(walk(guest.data(), 0x8000000000000000ull).present);  // non-canonical
}

TEST(KvmSetup, DescriptorTablesHaveLinuxSelectorsAndAGatePerVector) {
  std::vector<uint8_t> guest(kGuestMemorySize);
  build_system_area(guest.data(), 3);
  // 64-bit user code: DPL 3, L, present; user data DPL 3.
  const uint64_t user_cs = get64(guest, kGdtPhys + (kUserCs & ~7));
  EXPECT_EQ((user_cs >> 40) & 0xff, 0xfbu);
  EXPECT_EQ((user_cs >> 53) & 1, 1u);  // L
  EXPECT_EQ((get64(guest, kGdtPhys + (kUserDs & ~7)) >> 40) & 0xff, 0xf3u);
  EXPECT_EQ((get64(guest, kGdtPhys + kKernelCs) >> 40) & 0xff, 0x9bu);
  // TSS: busy 64-bit TSS, RSP0 at the top of the kernel stack.
  EXPECT_EQ((get64(guest, kGdtPhys + kTss) >> 40) & 0xff, 0x8bu);
  EXPECT_EQ(get64(guest, kTssPhys + 4), system_va(kStackTopPhys));
  for (unsigned v : {0u, 3u, 13u, 14u, 0x21u, 255u}) {
    const uint64_t low = get64(guest, kIdtPhys + v * 16), high = get64(guest, kIdtPhys + v * 16 + 8);
    const uint64_t target = (low & 0xffff) | ((low >> 48) << 16) | (high << 32);
    EXPECT_EQ(target, system_va(kStubsPhys) + v * kStubSize) << v;
    EXPECT_EQ((low >> 16) & 0xffff, kKernelCs);
    EXPECT_EQ(((low >> 40) & 0xff), (v == 3 || v == 4) ? 0xeeu : 0x8eu) << v;  // DPL 3 only for INT3/INTO
    EXPECT_EQ(guest[kStubsPhys + v * kStubSize], 0xf4) << v;  // hlt
  }
}

TEST(KvmSetup, StateConversion) {
  TestCase t = sample_case();
  kvm_regs r = to_kvm_regs(t.input);
  EXPECT_EQ(r.rax, 1u);
  EXPECT_EQ(r.rsp, kStackTop);
  EXPECT_EQ(r.rip, kCodeAddress);
  EXPECT_EQ(r.rflags, 0x202u | 0x400u);  // TF and IOPL cleared, IF set
  kvm_sregs s = make_sregs();
  EXPECT_EQ(s.cs.selector, kUserCs);
  EXPECT_EQ(s.cs.dpl, 3);
  EXPECT_EQ(s.cs.l, 1);
  EXPECT_EQ(s.cs.db, 0);
  EXPECT_EQ(s.ss.selector, kUserDs);
  EXPECT_EQ(s.ss.dpl, 3);
  EXPECT_EQ(s.ds.unusable, 1);
  EXPECT_EQ(s.fs.unusable, 1);
  EXPECT_EQ(s.tr.selector, kTss);
  EXPECT_EQ(s.tr.type, 0xb);
  EXPECT_EQ(s.gdt.base, system_va(kGdtPhys));
  EXPECT_EQ(s.idt.limit, kVectors * 16 - 1);
  EXPECT_EQ(s.cr3, kPml4Phys);
  EXPECT_TRUE(s.cr0 & (1ull << 31));   // PG
  EXPECT_TRUE(s.cr0 & (1ull << 18));   // AM
  EXPECT_TRUE(s.cr4 & (1ull << 5));    // PAE
  EXPECT_EQ(s.efer & 0xd01, 0xd01u);   // SCE LME LMA NXE
}

TEST(KvmSetup, WriteCasePlacesCodeUd2AndMemory) {
  std::vector<uint8_t> guest(kGuestMemorySize, 0xcc);
  TestCase t = sample_case();
  write_case(guest.data(), t);
  EXPECT_EQ(std::vector<uint8_t>(guest.begin() + kCodeAddress, guest.begin() + kCodeAddress + 5),
            (std::vector<uint8_t>{0x48, 0x01, 0xd8, 0x0f, 0x0b}));
  EXPECT_EQ(guest[kCodeAddress + 5], 0);
  EXPECT_EQ(guest[kDataAddress + 0x11], 2);
  EXPECT_EQ(guest[kDataAddress + 0x13], 0);
}

// Builds the state KVM would show after the guest took `vector` at user RIP `rip`:
// the frame on the kernel stack, RIP just past the stub's HLT.
kvm_regs take_exception(std::vector<uint8_t>& guest, unsigned vector, bool error_code, uint32_t code, uint64_t rip,
                        uint64_t rsp, uint64_t rflags) {
  std::vector<uint64_t> frame;
  if (error_code) frame.push_back(code);
  frame.insert(frame.end(), {rip, kUserCs, rflags | (1u << 16), rsp, kUserDs});
  const uint64_t top = kStackTopPhys - frame.size() * 8;
  std::memcpy(guest.data() + top, frame.data(), frame.size() * 8);
  kvm_regs r{};
  r.rax = 0x1111;
  r.r15 = 0xf15;
  r.rsp = system_va(top);
  r.rip = system_va(kStubsPhys) + vector * kStubSize + 1;
  r.rflags = 2;
  return r;
}

TEST(KvmSetup, DecodesExceptionFrames) {
  std::vector<uint8_t> guest(kGuestMemorySize);
  TestCase t = sample_case();
  write_case(guest.data(), t);
  guest[kDataAddress + 0x40] = 0x77;
  // #PF(6) at the instruction: error code, state at the fault, RF dropped.
  kvm_regs r = take_exception(guest, 14, true, 6, kCodeAddress, kStackTop - 8, 0x246);
  OracleResult o = decode_exit(KVM_EXIT_HLT, r, guest.data(), t);
  ASSERT_EQ(o.status, OracleResult::Status::Ok) << o.message;
  EXPECT_EQ(o.outcome.exception, (ExceptionRecord{14, 6}));
  EXPECT_EQ(o.outcome.state.rip, kCodeAddress);
  EXPECT_EQ(o.outcome.state.gpr[4], kStackTop - 8);
  EXPECT_EQ(o.outcome.state.gpr[0], 0x1111u);
  EXPECT_EQ(o.outcome.state.gpr[15], 0xf15u);
  EXPECT_EQ(o.outcome.state.rflags, 0x246u);
  ASSERT_EQ(o.outcome.state.memory.size(), 1u);
  EXPECT_EQ(o.outcome.state.memory[0].bytes[0x40], 0x77);
  // #UD at the UD2 after the code: the normal end.
  r = take_exception(guest, 6, false, 0, kCodeAddress + t.code.size(), kStackTop, 0x202);
  o = decode_exit(KVM_EXIT_HLT, r, guest.data(), t);
  ASSERT_EQ(o.status, OracleResult::Status::Ok);
  EXPECT_FALSE(o.outcome.exception);
  EXPECT_EQ(o.outcome.state.rip, kCodeAddress + 3);
  // #BP: no error code.
  r = take_exception(guest, 3, false, 0, kCodeAddress + 1, kStackTop, 0x202);
  o = decode_exit(KVM_EXIT_HLT, r, guest.data(), t);
  EXPECT_EQ(o.outcome.exception, (ExceptionRecord{3, 0}));
  // #GP(0x10a) for INT 0x21 through a DPL 0 gate.
  r = take_exception(guest, 13, true, 0x10a, kCodeAddress, kStackTop, 0x202);
  EXPECT_EQ(decode_exit(KVM_EXIT_HLT, r, guest.data(), t).outcome.exception, (ExceptionRecord{13, 0x10a}));
}

TEST(KvmSetup, RejectsExitsItCannotExplain) {
  std::vector<uint8_t> guest(kGuestMemorySize);
  TestCase t = sample_case();
  write_case(guest.data(), t);
  kvm_regs r{};
  EXPECT_EQ(decode_exit(KVM_EXIT_SHUTDOWN, r, guest.data(), t).status, OracleResult::Status::Error);
  EXPECT_NE(decode_exit(KVM_EXIT_SHUTDOWN, r, guest.data(), t).message.find("triple fault"), std::string::npos);
  r.rip = kCodeAddress + 1;  // a HLT outside the stubs
  EXPECT_EQ(decode_exit(KVM_EXIT_HLT, r, guest.data(), t).status, OracleResult::Status::Error);
  r = take_exception(guest, 8, true, 0, kCodeAddress, kStackTop, 0x202);
  EXPECT_NE(decode_exit(KVM_EXIT_HLT, r, guest.data(), t).message.find("double fault"), std::string::npos);
  EXPECT_EQ(exit_reason_name(KVM_EXIT_IO), "KVM_EXIT_IO");
}

TEST(KvmOracle, ReportsAMissingDevice) {
  KvmOracle missing("/nonexistent/kvm");
  EXPECT_EQ(missing.unavailable(), "no /nonexistent/kvm");
  OracleResult r = missing.run(sample_case());
  EXPECT_EQ(r.status, OracleResult::Status::Error);
  EXPECT_NE(r.message.find("skipped: no /nonexistent/kvm"), std::string::npos);
}

TEST(KvmOracle, SaysWhyItCannotRun) {
  KvmOracle kvm;
  if (access("/dev/kvm", F_OK) != 0) {
    EXPECT_EQ(kvm.unavailable(), "no /dev/kvm");
    GTEST_SKIP() << "skipped: no /dev/kvm";
  }
  if (KvmOracle::device_is_pvm()) {
    EXPECT_NE(kvm.unavailable().find("kvm-pvm"), std::string::npos) << kvm.unavailable();
  }
}

// On kvm-pvm too: these cases run natively there.
TEST(KvmOracle, AgreesWithTheHostOnSimpleCases) {
  KvmOracle kvm("/dev/kvm", /*allow_pvm=*/true);
  if (!kvm.unavailable().empty()) GTEST_SKIP() << "skipped: " << kvm.unavailable();
  HostBatch host;
  std::vector<TestCase> cases;
  cases.push_back(sample_case());
  TestCase div = sample_case();
  div.code = {0x48, 0xf7, 0xf3};  // div rbx, rbx = 0: #DE
  cases.push_back(div);
  TestCase pf = sample_case();
  pf.code = {0x48, 0x89, 0x03};  // mov [rbx], rax, rbx unmapped: #PF(6)
  pf.input.gpr[3] = 0x7000000;
  cases.push_back(pf);
  for (const TestCase& t : cases) {
    OracleResult k = kvm.run(t), h = host.run(t);
    ASSERT_EQ(k.status, OracleResult::Status::Ok) << k.message;
    ASSERT_EQ(h.status, OracleResult::Status::Ok) << h.message;
    EXPECT_EQ(k.outcome.exception, h.outcome.exception) << t.name;
    EXPECT_EQ(k.outcome.state.rip, h.outcome.state.rip);
    EXPECT_EQ(0, std::memcmp(k.outcome.state.gpr, h.outcome.state.gpr, sizeof k.outcome.state.gpr));
  }
}

}  // namespace
}  // namespace orcvm::difftest::kvm
