// The CPU model against the rest of orcvm: the frequencies CPUID reports are
// the ones the platform counts, the cache leaves agree with each other, and the
// model's MSRs behave as the SDM (Vol. 4, table 2-2) describes them.
#include <gtest/gtest.h>

#include <memory>

#include "devices/lapic.h"
#include "devices/platform.h"
#include "runtime/softmmu/address_map.h"
#include "runtime/vcpu/cpu_model.h"
#include "runtime/vcpu/exec_context.h"
#include "runtime/vcpu/msr.h"

namespace orcvm {
namespace {

TEST(CpuModel, TscAndCrystalLeavesAreThePlatformsClocks) {
  const CpuidResult tsc = cpuid(0x15, 0);
  ASSERT_NE(tsc.eax, 0u);
  EXPECT_EQ(uint64_t{tsc.ecx} * tsc.ebx / tsc.eax, kTscHz);
  EXPECT_EQ(kTscHz, PlatformConfig{}.tsc_hz);
  // Linux sets lapic_timer_period from the crystal: it must be the APIC timer's input.
  EXPECT_EQ(uint64_t{tsc.ecx}, Lapic::kBusHz);
  const CpuidResult mhz = cpuid(0x16, 0);
  EXPECT_EQ(uint64_t{mhz.eax} * 1'000'000, kTscHz);
  EXPECT_EQ(mhz.ebx, mhz.eax);
  EXPECT_EQ(uint64_t{mhz.ecx} * 1'000'000, Lapic::kBusHz);
}

TEST(CpuModel, LeavesUpToTheMaximaAndBeyond) {
  const uint32_t max_basic = cpuid(0, 0).eax, max_extended = cpuid(0x80000000, 0).eax;
  for (uint32_t leaf : {4u, 0xbu, 0x15u, 0x16u}) EXPECT_LE(leaf, max_basic);
  EXPECT_EQ(max_extended, 0x80000008u);
  const CpuidResult top = cpuid(max_basic, 0);
  for (uint32_t leaf : {max_basic + 1, 0x7fffffffu, max_extended + 1, 0xc0000000u, 0xffffffffu}) {
    const CpuidResult r = cpuid(leaf, 0);
    EXPECT_TRUE(r.eax == top.eax && r.ebx == top.ebx && r.ecx == top.ecx && r.edx == top.edx) << std::hex << leaf;
  }
  const CpuidResult hv = cpuid(0x40000000, 0);
  EXPECT_EQ(hv.eax | hv.ebx | hv.ecx | hv.edx, 0u);
}

TEST(CpuModel, AddressSizesAreTheAddressMaps) {
  EXPECT_EQ(cpuid(0x80000008, 0).eax & 0xff, PhysicalAddressMap::kPhysicalAddressBits);
  EXPECT_EQ((cpuid(0x80000008, 0).eax >> 8) & 0xff, 48u);
}

TEST(CpuModel, CacheLeavesAgree) {
  uint64_t l2_bytes = 0;
  unsigned caches = 0;
  for (uint32_t sub = 0; sub < 8; ++sub) {
    const CpuidResult r = cpuid(4, sub);
    if ((r.eax & 0x1f) == 0) break;
    ++caches;
    const uint64_t bytes = uint64_t{(r.ebx >> 22) + 1} * (((r.ebx >> 12) & 0x3ff) + 1) * ((r.ebx & 0xfff) + 1) *
                           (uint64_t{r.ecx} + 1);
    EXPECT_EQ(r.eax >> 14, 0u) << "one logical processor shares each cache, in a one-core package";
    if (((r.eax >> 5) & 7) == 2) l2_bytes = bytes;
  }
  EXPECT_EQ(caches, 4u);
  EXPECT_EQ(uint64_t{cpuid(0x80000006, 0).ecx >> 16} << 10, l2_bytes);
  EXPECT_EQ(cpuid(2, 0).eax, 0x0000ff01u);  // "use leaf 4"
}

// What Linux needs and orcvm implements, and nothing beyond it: no MMX, SSE3 or
// later, no XSAVE (kernels and C libraries use every feature they see).
TEST(CpuModel, FloatingPointFeaturesAreWhatIsImplemented) {
  const CpuidResult leaf1 = cpuid(1, 0);
  for (unsigned bit : {0u /*FPU*/, 24u /*FXSR*/, 25u /*SSE*/, 26u /*SSE2*/}) EXPECT_NE(leaf1.edx & (1u << bit), 0u) << bit;
  EXPECT_EQ(leaf1.edx & (1u << 23), 0u);  // MMX
  for (unsigned bit : {0u /*SSE3*/, 9u /*SSSE3*/, 12u /*FMA*/, 19u /*SSE4.1*/, 20u /*SSE4.2*/, 25u /*AES*/,
                       26u /*XSAVE*/, 28u /*AVX*/, 29u /*F16C*/, 1u /*PCLMULQDQ*/})
    EXPECT_EQ(leaf1.ecx & (1u << bit), 0u) << bit;
  EXPECT_EQ(cpuid(7, 0).ebx & (1u << 5), 0u);  // AVX2
}

TEST(CpuModel, TopologyIsOneLogicalProcessor) {
  const CpuidResult leaf1 = cpuid(1, 0);
  EXPECT_EQ((leaf1.ebx >> 16) & 0xff, 1u);
  EXPECT_EQ(leaf1.edx & (1u << 28), 0u);  // no HTT
  for (uint32_t sub = 0; sub < 2; ++sub) {
    const CpuidResult r = cpuid(0xb, sub);
    EXPECT_EQ(r.eax & 0x1f, 0u);
    EXPECT_EQ(r.ebx & 0xffff, 1u);
    EXPECT_EQ(r.ecx, sub | (sub + 1) << 8);  // SMT, then core
    EXPECT_EQ(r.edx, leaf1.ebx >> 24);       // the x2APIC ID is the initial APIC ID
  }
  EXPECT_EQ(cpuid(0xb, 2).ecx, 2u);
  EXPECT_EQ(cpuid(0xb, 2).ebx, 0u);
}

class ModelMsrTest : public ::testing::Test {
 protected:
  ModelMsrTest() : ctx(std::make_unique<ExecContext>()) { ctx->cpu.misc_enable = misc_enable::kPowerOn; }
  bool gp_raised() {
    const bool gp = ctx->cpu.exception.pending && ctx->cpu.exception.vector == 13 && ctx->cpu.exception.error_code == 0;
    ctx->cpu.exception = {};
    return gp;
  }
  uint64_t read(uint32_t index) {
    uint64_t v = 0xbad;
    EXPECT_TRUE(read_msr(ctx.get(), index, &v)) << std::hex << index;
    return v;
  }
  std::unique_ptr<ExecContext> ctx;
};

TEST_F(ModelMsrTest, ArchCapabilitiesIsAdvertisedAndReadOnly) {
  EXPECT_NE(cpuid(7, 0).edx & (1u << 29), 0u);
  EXPECT_EQ(read(msr::ARCH_CAPABILITIES), 0x400000000d10e179ull);
  EXPECT_FALSE(write_msr(ctx.get(), msr::ARCH_CAPABILITIES, 0x400000000d10e179ull));
  EXPECT_TRUE(gp_raised());
  EXPECT_EQ(read(msr::ARCH_CAPABILITIES), 0x400000000d10e179ull);
}

TEST_F(ModelMsrTest, MiscEnableFastStringsIsTheOneWritableBit) {
  EXPECT_EQ(read(msr::MISC_ENABLE), 0x1801u);  // fast strings, BTS and PEBS unavailable
  EXPECT_TRUE(write_msr(ctx.get(), msr::MISC_ENABLE, 0x1800));
  EXPECT_EQ(read(msr::MISC_ENABLE), 0x1800u);
  EXPECT_TRUE(write_msr(ctx.get(), msr::MISC_ENABLE, 0x1));  // the read-only bits ignore the write
  EXPECT_EQ(read(msr::MISC_ENABLE), 0x1801u);
  for (unsigned bit : {3u, 7u, 16u, 18u, 22u, 23u, 34u}) {  // features the model lacks
    EXPECT_FALSE(write_msr(ctx.get(), msr::MISC_ENABLE, 0x1801 | uint64_t{1} << bit)) << bit;
    EXPECT_TRUE(gp_raised()) << bit;
    EXPECT_EQ(read(msr::MISC_ENABLE), 0x1801u);
  }
}

// SDM Vol. 3, 18.17.3: a write to IA32_TSC_ADJUST moves the TSC by the same
// amount, and a write to IA32_TSC moves IA32_TSC_ADJUST.
TEST_F(ModelMsrTest, TscAdjustAndTscMoveTogether) {
  EXPECT_NE(cpuid(7, 0).ebx & (1u << 1), 0u);
  ctx->deterministic_tsc_reads = 1;  // the TSC advances 1000 per read
  EXPECT_EQ(read(msr::TSC_ADJUST), 0u);
  const uint64_t before = read(msr::TSC);
  EXPECT_TRUE(write_msr(ctx.get(), msr::TSC_ADJUST, 1'000'000));
  EXPECT_EQ(read(msr::TSC), before + 1000 + 1'000'000);
  // The write reads the TSC once more (3000 + 1'000'000) and moves it to 5'000'000.
  EXPECT_TRUE(write_msr(ctx.get(), msr::TSC, 5'000'000));
  EXPECT_EQ(read(msr::TSC_ADJUST), 1'000'000u + (5'000'000u - (3000 + 1'000'000)));
  EXPECT_EQ(read(msr::TSC), 5'000'000u + 1000);
}

TEST_F(ModelMsrTest, MsrsOutsideTheModelRaiseGp) {
  uint64_t v;
  for (uint32_t index : {0x4eu, 0x140u, 0x48u, 0x10bu, 0x606u}) {
    EXPECT_FALSE(read_msr(ctx.get(), index, &v)) << std::hex << index;
    EXPECT_TRUE(gp_raised());
    EXPECT_FALSE(write_msr(ctx.get(), index, 0)) << std::hex << index;
    EXPECT_TRUE(gp_raised());
  }
}

}  // namespace
}  // namespace orcvm
