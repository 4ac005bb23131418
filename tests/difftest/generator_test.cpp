// The generators, the code model and the flag rules of difftest/.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "difftest/case_format.h"
#include "difftest/code.h"
#include "difftest/flags.h"
#include "difftest/generator.h"
#include "difftest/isa.h"

namespace orcvm::difftest {
namespace {

constexpr uint64_t CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
constexpr uint64_t kStatus = CF | PF | AF | ZF | SF | OF;

bool inside_window(uint64_t a, size_t n) { return a >= kDataAddress && a + n <= kDataAddress + kDataSize; }

TEST(Forms, CoverEveryMnemonicOrcvmImplementsIn64BitMode) {
  const auto& forms = Generator::all_forms();
  ASSERT_GT(forms.size(), 1000u);
  std::set<std::string> keys, mnemonics;
  for (const OperandForm& f : forms) {
    EXPECT_TRUE(keys.insert(f.key).second) << "duplicate form " << f.key;
    mnemonics.insert(f.mnemonic);
    EXPECT_NE(mnemonic_by_name(f.mnemonic), Mnemonic::Other) << f.key;
  }
  for (const char* key : {"shl r32, cl", "shl r8, 1", "add r64, i8", "add al, i8", "lock add m32, r32", "rep movsb",
                          "repe cmpsb a32", "div m64", "imul r32, r32, i32", "shld r16, r16, cl", "jz rel8", "jz rel32",
                          "call r64", "ret i16", "cmpxchg16b m128", "bextr r64, r64, r64", "xlat a32"})
    EXPECT_TRUE(keys.count(key)) << "missing form " << key;
  for (const char* m : {"ADD", "SHLD", "CMPXCHG8B", "MOVSB", "LOOPNE", "ADOX", "PDEP", "BSWAP", "XADD"})
    EXPECT_TRUE(mnemonics.count(m)) << m;
}

TEST(Generator, IsDeterministicInSeedAndIndex) {
  Generator a, b;
  for (uint64_t i = 0; i < 20; ++i) {
    auto x = a.single(7, i), y = b.single(7, i);
    ASSERT_EQ(x.size(), y.size());
    for (size_t k = 0; k < x.size(); ++k) {
      EXPECT_EQ(x[k].test.code, y[k].test.code);
      EXPECT_EQ(0, std::memcmp(x[k].test.input.gpr, y[k].test.input.gpr, sizeof x[k].test.input.gpr));
      EXPECT_EQ(x[k].test.input.rflags, y[k].test.input.rflags);
    }
    auto p = a.sequence(7, i), q = b.sequence(7, i);
    ASSERT_EQ(p.size(), q.size());
    for (size_t k = 0; k < p.size(); ++k) EXPECT_EQ(p[k].test.code, q[k].test.code);
  }
  // Another seed, other cases.
  EXPECT_NE(a.single(7, 3).at(0).test.input.rflags ^ a.single(7, 3).at(0).test.input.gpr[0],
            a.single(8, 3).at(0).test.input.rflags ^ a.single(8, 3).at(0).test.input.gpr[0]);
}

TEST(Generator, SinglesWalkEveryFormAndDecodeToIt) {
  Generator g;
  const size_t n = Generator::all_forms().size();
  std::set<std::string> seen;
  for (uint64_t i = 0; i < n; ++i) {
    auto family = g.single(1, i);
    if (family.empty()) continue;
    const GeneratedCase& c = family[0];
    EXPECT_EQ(c.kind, CaseKind::Single);
    EXPECT_EQ(c.test.input.rip, kCodeAddress);
    InsnFacts f = describe(c.test.code.data(), c.test.code.size());
    ASSERT_TRUE(f.valid) << c.test.name;
    EXPECT_TRUE(f.implemented) << f.text;
    EXPECT_EQ(f.form, c.form);
    for (const MemoryChunk& m : c.test.input.memory) EXPECT_TRUE(inside_window(m.address, m.bytes.size()));
    seen.insert(c.form);
  }
  // One run of n families covers nearly every form (the encoder picks a shorter
  // encoding for some operand values, e.g. AL for an r8 operand).
  EXPECT_GT(seen.size(), n * 9 / 10);
}

TEST(Generator, RelativeBranchesSkipAMarkerUd2) {
  Generator g(GeneratorOptions{{"JZ"}, 4});
  for (uint64_t i = 0; i < 8; ++i)
    for (const GeneratedCase& c : g.single(1, i)) {
      ASSERT_EQ(c.insns.size(), 2u) << c.test.name;
      EXPECT_EQ(c.insns[0].target, 2);  // the end, past the UD2
      EXPECT_EQ(c.insns[1].bytes, (std::vector<uint8_t>{0x0f, 0x0b}));
    }
}

TEST(Generator, MnemonicFilterSelectsOnlyThose) {
  Generator g(GeneratorOptions{{"shl", "ADC"}, 2});
  for (const OperandForm& f : g.selected_forms()) EXPECT_TRUE(f.mnemonic == "SHL" || f.mnemonic == "ADC") << f.key;
  for (uint64_t i = 0; i < 30; ++i) {
    for (const GeneratedCase& c : g.single(3, i)) {
      InsnFacts f = describe(c.test.code.data(), c.test.code.size());
      EXPECT_TRUE(f.name == "SHL" || f.name == "ADC") << f.text;
    }
    for (const GeneratedCase& c : g.bytes(3, i)) {
      InsnFacts f = describe(c.test.code.data(), c.test.code.size());
      EXPECT_TRUE(f.name == "SHL" || f.name == "ADC") << f.text;
    }
  }
}

TEST(Generator, RandomBytesAreImplementedSafeInstructions) {
  Generator g;
  for (uint64_t i = 0; i < 300; ++i)
    for (const GeneratedCase& c : g.bytes(5, i)) {
      InsnFacts f = describe(c.test.code.data(), c.test.code.size());
      ASSERT_TRUE(f.valid);
      EXPECT_TRUE(f.implemented) << f.text;
      EXPECT_FALSE(f.uses_fs_gs) << f.text;
      EXPECT_FALSE(f.segment_register_operand) << f.text;
      EXPECT_FALSE(f.non_gpr_register_operand) << f.text;
      EXPECT_NE(f.name, "SYSCALL");
      EXPECT_NE(f.name, "SYSENTER");
    }
}

TEST(Generator, SequencesBranchForwardAndKeepTheirPointers) {
  Generator g;
  for (uint64_t i = 0; i < 200; ++i) {
    auto family = g.sequence(11, i);
    if (family.empty()) continue;
    const GeneratedCase& c = family[0];
    EXPECT_EQ(c.kind, CaseKind::Sequence);
    std::vector<CaseInsn> insns = split_code(c.test.code);
    size_t logical = 0;
    for (size_t k = 0; k < insns.size(); ++k) {
      InsnFacts f = describe(insns[k].bytes.data(), insns[k].bytes.size());
      ASSERT_TRUE(f.valid) << c.test.name;
      if (insns[k].rel_offset >= 0) {
        EXPECT_GT(insns[k].target, static_cast<int>(k)) << c.test.name << ": " << f.text;
      }
      EXPECT_FALSE(f.name == "CPUID" || f.name == "RDTSC") << "model-dependent instruction in a sequence";
      ++logical;
    }
    EXPECT_GE(logical, 1u);
    // An instruction that reads a flag some path may have left undefined has a CMP
    // before it: the conservative analysis finds no such read. (Not checked across an
    // indirect transfer: the analysis then assumes it may land anywhere after it.)
    bool indirect = false;
    for (const CaseInsn& in : insns) indirect |= describe(in.bytes.data(), in.bytes.size()).indirect_branch;
    if (indirect) continue;
    FlagAnalysis a = analyse_flags(insns, nullptr);
    for (size_t k = 0; k < insns.size(); ++k) {
      FlagEffect e = flag_effect(insns[k].bytes.data(), insns[k].bytes.size(), std::nullopt);
      EXPECT_EQ(e.tested & a.maybe_undefined[k] & kStatus, 0u)
          << c.test.name << ": " << describe(insns[k].bytes.data(), insns[k].bytes.size()).text << " reads "
          << format_flags(e.tested & a.maybe_undefined[k]);
    }
    for (const MemoryChunk& m : c.test.input.memory) EXPECT_TRUE(inside_window(m.address, m.bytes.size()));
  }
}

TEST(Code, LayoutPatchesBranchesAndSplitRecoversThem) {
  // jz +? to the end; nop; jmp to the nop... (forward only): jz -> 2, nop, jmp -> 3 (end)
  std::vector<CaseInsn> insns(3);
  insns[0].bytes = {0x0f, 0x84, 0, 0, 0, 0};
  insns[0].rel_offset = 2, insns[0].rel_size = 4, insns[0].target = 2;
  insns[1].bytes = {0x90};
  insns[2].bytes = {0xeb, 0};
  insns[2].rel_offset = 1, insns[2].rel_size = 1, insns[2].target = 3;
  std::vector<uint8_t> code;
  ASSERT_TRUE(layout(insns, code));
  EXPECT_EQ(code, (std::vector<uint8_t>{0x0f, 0x84, 1, 0, 0, 0, 0x90, 0xeb, 0}));
  std::vector<CaseInsn> back = split_code(code);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].target, 2);
  EXPECT_EQ(back[2].target, 3);
  // Removing the NOP re-targets the JZ to what followed it.
  remove_insn(back, 1);
  ASSERT_TRUE(layout(back, code));
  EXPECT_EQ(code, (std::vector<uint8_t>{0x0f, 0x84, 0, 0, 0, 0, 0xeb, 0}));
  // A short branch that cannot reach fails the layout.
  std::vector<CaseInsn> far(2);
  far[0].bytes = {0xeb, 0};
  far[0].rel_offset = 1, far[0].rel_size = 1, far[0].target = 2;
  far[1].bytes.assign(200, 0x90);
  EXPECT_FALSE(layout(far, code));
}

TEST(Code, RipRelativeOperandsKeepTheirAddress) {
  // mov eax, [rip + disp32] placed after a NOP: split records the absolute address.
  std::vector<uint8_t> code = {0x90, 0x8b, 0x05, 0xf9, 0xff, 0x00, 0x00};  // -> 0x10007 + 0xfff9 = 0x20000
  std::vector<CaseInsn> insns = split_code(code);
  ASSERT_EQ(insns.size(), 2u);
  EXPECT_EQ(insns[1].riprel_address, 0x20000u);
  remove_insn(insns, 0);
  ASSERT_TRUE(layout(insns, code));
  EXPECT_EQ(code, (std::vector<uint8_t>{0x8b, 0x05, 0xfa, 0xff, 0x00, 0x00}));
}

FlagEffect effect(std::vector<uint8_t> bytes, std::optional<uint64_t> rcx = std::nullopt) {
  return flag_effect(bytes.data(), bytes.size(), rcx);
}

TEST(Flags, ShiftCountsDecideWhatIsUndefined) {
  const std::vector<uint8_t> shl_eax_cl = {0xd3, 0xe0}, shl_ax_cl = {0x66, 0xd3, 0xe0}, shl_al_cl = {0xd2, 0xe0};
  EXPECT_EQ(effect(shl_eax_cl, 0).undefined, 0u);  // count 0: nothing changes
  EXPECT_EQ(effect(shl_eax_cl, 0).defined, 0u);
  EXPECT_EQ(effect(shl_eax_cl, 1).undefined, AF);
  EXPECT_EQ(effect(shl_eax_cl, 1).defined, kStatus & ~AF);
  EXPECT_EQ(effect(shl_eax_cl, 2).undefined, AF | OF);
  EXPECT_EQ(effect(shl_eax_cl, 32).undefined, 0u);  // masked to 0
  EXPECT_EQ(effect(shl_al_cl, 8).undefined, AF | OF | CF);  // count >= width on 8 bits
  EXPECT_EQ(effect(shl_ax_cl, 16).undefined, AF | OF | CF);
  EXPECT_EQ(effect(shl_ax_cl, 15).undefined, AF | OF);
  EXPECT_EQ(effect({0xd2, 0xf8}, 9).undefined, AF | OF);    // SAR: CF stays defined
  EXPECT_EQ(effect(shl_eax_cl).undefined, AF | OF);         // unknown count
  EXPECT_EQ(effect(shl_eax_cl).defined, 0u);
  EXPECT_EQ(effect(shl_al_cl).undefined, AF | OF | CF);
  EXPECT_EQ(effect({0xd1, 0xe0}).undefined, AF);            // shl eax, 1: the count is known
  EXPECT_EQ(effect({0xc1, 0xe0, 0x03}).undefined, AF | OF); // shl eax, 3
}

TEST(Flags, RotatesLeaveOnlyOverflowUndefined) {
  EXPECT_EQ(effect({0xd3, 0xc0}, 1).undefined, 0u);   // rol eax, cl = 1
  EXPECT_EQ(effect({0xd3, 0xc0}, 1).defined, CF | OF);
  EXPECT_EQ(effect({0xd3, 0xc0}, 5).undefined, OF);
  EXPECT_EQ(effect({0xd3, 0xc0}, 0).defined, 0u);
  EXPECT_EQ(effect({0xd2, 0xd0}, 9).defined, 0u);     // rcl al, 9: a multiple of 9 keeps CF
  EXPECT_EQ(effect({0xd2, 0xd0}, 9).undefined, OF);
}

TEST(Flags, DoubleShifts) {
  const std::vector<uint8_t> shld_ax_bx_cl = {0x66, 0x0f, 0xa5, 0xd8}, shld_eax_ebx_cl = {0x0f, 0xa5, 0xd8};
  EXPECT_EQ(effect(shld_eax_ebx_cl, 1).undefined, AF);
  EXPECT_EQ(effect(shld_eax_ebx_cl, 7).undefined, AF | OF);
  EXPECT_EQ(effect(shld_ax_bx_cl, 16).undefined, AF | OF);
  EXPECT_EQ(effect(shld_ax_bx_cl, 17).undefined, kStatus);  // count above the operand size
  EXPECT_EQ(effect(shld_ax_bx_cl).undefined, kStatus);
}

TEST(Flags, TablesForOtherFamilies) {
  EXPECT_EQ(effect({0x48, 0xf7, 0xe3}).undefined, SF | ZF | AF | PF);       // mul rbx
  EXPECT_EQ(effect({0x48, 0xf7, 0xe3}).defined, CF | OF);
  EXPECT_EQ(effect({0x48, 0xf7, 0xf3}).undefined, kStatus);                 // div rbx
  EXPECT_EQ(effect({0x21, 0xcb}).undefined, AF);                            // and ebx, ecx
  EXPECT_EQ(effect({0x21, 0xcb}).defined, kStatus & ~AF);
  EXPECT_EQ(effect({0x0f, 0xbc, 0xd9}).undefined, CF | OF | SF | AF | PF);  // bsf
  EXPECT_EQ(effect({0x0f, 0xa3, 0xcb}).undefined, OF | SF | AF | PF);       // bt
  EXPECT_EQ(effect({0xc4, 0xe2, 0x68, 0xf7, 0xd9}).undefined, AF | SF | PF);  // bextr: CF, OF cleared
  EXPECT_EQ(effect({0x48, 0x01, 0xd8}).undefined, 0u);                      // add
  EXPECT_EQ(effect({0x48, 0x01, 0xd8}).defined, kStatus);
  EXPECT_EQ(effect({0xf3, 0xa6}).defined, 0u);                              // repe cmpsb: maybe no iteration
  EXPECT_EQ(effect({0xf3, 0xa6}, 3).defined, kStatus);
  EXPECT_EQ(effect({0x0f, 0x94, 0xc0}).tested, ZF);                         // setz al
}

TEST(Flags, AnalysisJoinsForwardPaths) {
  // jz L; shl eax, cl; L: (end). At the end: the union of both paths.
  std::vector<uint8_t> code = {0x74, 0x02, 0xd3, 0xe0};
  FlagAnalysis a = analyse_flags(split_code(code), nullptr);
  ASSERT_EQ(a.maybe_undefined.size(), 3u);
  EXPECT_EQ(a.maybe_undefined[0], 0u);
  EXPECT_EQ(a.maybe_undefined[2], AF | OF);
  EXPECT_EQ(a.at(kCodeAddress + 4), AF | OF);
  EXPECT_EQ(a.at(kCodeAddress + 2), 0u);  // a fault in the SHL: the state before it
  // add then; the ADD defines everything again.
  code = {0xd3, 0xe0, 0x01, 0xd8};
  a = analyse_flags(split_code(code), nullptr);
  EXPECT_EQ(a.maybe_undefined[1], AF | OF);
  EXPECT_EQ(a.maybe_undefined[2], 0u);
  // The first instruction sees the case's RCX.
  MachineState in;
  in.gpr[1] = 1;
  EXPECT_EQ(analyse_flags(split_code({0xd3, 0xe0}), &in).maybe_undefined[1], AF);
  TestCase t;
  t.code = {0xd3, 0xe0};
  t.input.gpr[1] = 0;
  EXPECT_EQ(undefined_flags_at(t, kCodeAddress + 2), 0u);
}

TEST(Chunks, WindowChunksKeepNonZeroRuns) {
  std::vector<uint8_t> w(kDataSize, 0);
  w[0x10] = 1;
  w[0x12] = 2;   // a short gap stays inside one chunk
  w[0x100] = 3;  // a long one starts another
  auto chunks = window_chunks(w);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].address, kDataAddress + 0x10);
  EXPECT_EQ(chunks[0].bytes, (std::vector<uint8_t>{1, 0, 2}));
  EXPECT_EQ(chunks[1].address, kDataAddress + 0x100);
}

}  // namespace
}  // namespace orcvm::difftest
