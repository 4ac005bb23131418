// ACPI tables (checksums, layout, the _S5 AML), the PM1a/PM timer block, fw_cfg.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "devices/acpi_pm.h"
#include "devices/acpi_tables.h"
#include "devices/fw_cfg.h"
#include "device_test_util.h"

namespace orcvm {
namespace {

uint32_t le32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24); }
uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint64_t le64(const uint8_t* p) { return le32(p) | (uint64_t{le32(p + 4)} << 32); }

class AcpiTest : public ::testing::Test {
 protected:
  AcpiTest() {
    AcpiConfig c;
    c.cpus = 2;
    c.ioapic_id = 2;
    t = build_acpi_tables(c, 0xf0000);
  }
  const uint8_t* table(uint64_t paddr) { return t.at(paddr); }
  uint32_t length(uint64_t paddr) { return le32(table(paddr) + 4); }
  AcpiTables t;
};

TEST_F(AcpiTest, RsdpRevision2WithBothChecksums) {
  const uint8_t* r = table(t.rsdp);
  EXPECT_EQ(t.rsdp % 16, 0u);
  EXPECT_EQ(std::memcmp(r, "RSD PTR ", 8), 0);
  EXPECT_EQ(acpi_checksum(r, 20), 0);
  EXPECT_EQ(acpi_checksum(r, 36), 0);
  EXPECT_EQ(r[15], 2);
  EXPECT_EQ(le32(r + 16), t.rsdt);
  EXPECT_EQ(le32(r + 20), 36u);
  EXPECT_EQ(le64(r + 24), t.xsdt);
}

TEST_F(AcpiTest, EveryTableChecksumIsZero) {
  for (uint64_t addr : {t.rsdt, t.xsdt, t.fadt, t.madt, t.dsdt}) {
    SCOPED_TRACE(std::string(reinterpret_cast<const char*>(table(addr)), 4));
    EXPECT_EQ(acpi_checksum(table(addr), length(addr)), 0);
    EXPECT_LE(addr - t.base + length(addr), t.image.size());
  }
}

TEST_F(AcpiTest, RsdtAndXsdtListFadtAndMadt) {
  const uint8_t* rsdt = table(t.rsdt);
  const uint8_t* xsdt = table(t.xsdt);
  EXPECT_EQ(std::memcmp(rsdt, "RSDT", 4), 0);
  EXPECT_EQ(std::memcmp(xsdt, "XSDT", 4), 0);
  EXPECT_EQ(length(t.rsdt), 36u + 8);
  EXPECT_EQ(length(t.xsdt), 36u + 16);
  EXPECT_EQ(std::memcmp(table(le32(rsdt + 36)), "FACP", 4), 0);
  EXPECT_EQ(std::memcmp(table(le32(rsdt + 40)), "APIC", 4), 0);
  EXPECT_EQ(le64(xsdt + 36), le32(rsdt + 36));
  EXPECT_EQ(le64(xsdt + 44), le32(rsdt + 40));
}

TEST_F(AcpiTest, FadtFields) {
  const uint8_t* f = table(t.fadt);
  EXPECT_EQ(length(t.fadt), 244u);
  EXPECT_GE(f[8], 3);
  EXPECT_EQ(le32(f + 36), t.facs);
  EXPECT_EQ(le32(f + 40), t.dsdt);
  EXPECT_EQ(le16(f + 46), 9);          // SCI_INT
  EXPECT_EQ(le32(f + 48), 0u);         // no SMI_CMD
  EXPECT_EQ(le32(f + 56), 0x600u);     // PM1a_EVT_BLK
  EXPECT_EQ(le32(f + 64), 0x604u);     // PM1a_CNT_BLK
  EXPECT_EQ(le32(f + 76), 0x608u);     // PM_TMR_BLK
  EXPECT_EQ(f[88], 4);                 // PM1_EVT_LEN
  EXPECT_EQ(f[89], 2);                 // PM1_CNT_LEN
  EXPECT_EQ(f[91], 4);                 // PM_TMR_LEN
  EXPECT_EQ(f[108], 0x32);             // CENTURY
  const uint32_t flags = le32(f + 112);
  EXPECT_TRUE(flags & (1u << 10));     // RESET_REG_SUP
  EXPECT_FALSE(flags & (1u << 8));     // TMR_VAL_EXT clear: 24-bit timer
  EXPECT_FALSE(flags & (1u << 20));    // not hardware-reduced
  EXPECT_EQ(f[116], 1);                // RESET_REG in system I/O
  EXPECT_EQ(f[117], 8);
  EXPECT_EQ(le64(f + 120), 0xcf9u);
  EXPECT_EQ(f[128], 0x06);             // RESET_VALUE
  EXPECT_EQ(le64(f + 132), t.facs);    // X_FIRMWARE_CTRL
  EXPECT_EQ(le64(f + 140), t.dsdt);    // X_DSDT
  EXPECT_EQ(f[148], 1);                // X_PM1a_EVT_BLK: I/O, 32 bits
  EXPECT_EQ(f[149], 32);
  EXPECT_EQ(le64(f + 152), 0x600u);
  EXPECT_EQ(le64(f + 176), 0x604u);    // X_PM1a_CNT_BLK
  EXPECT_EQ(f[173], 16);
  EXPECT_EQ(le64(f + 212), 0x608u);    // X_PM_TMR_BLK
}

TEST_F(AcpiTest, Facs) {
  const uint8_t* f = table(t.facs);
  EXPECT_EQ(t.facs % 64, 0u);
  EXPECT_EQ(std::memcmp(f, "FACS", 4), 0);
  EXPECT_EQ(le32(f + 4), 64u);
}

TEST_F(AcpiTest, MadtEntries) {
  const uint8_t* m = table(t.madt);
  EXPECT_EQ(le32(m + 36), 0xfee00000u);
  EXPECT_EQ(le32(m + 40), 1u);  // PCAT_COMPAT
  int lapics = 0, ioapics = 0, nmis = 0;
  bool irq0 = false, sci = false;
  for (uint32_t off = 44; off < length(t.madt);) {
    const uint8_t* e = m + off;
    ASSERT_GE(e[1], 2);
    switch (e[0]) {
      case 0:
        EXPECT_EQ(e[3], lapics);  // APIC ID
        EXPECT_EQ(le32(e + 4), 1u);
        ++lapics;
        break;
      case 1:
        EXPECT_EQ(e[2], 2);
        EXPECT_EQ(le32(e + 4), 0xfec00000u);
        EXPECT_EQ(le32(e + 8), 0u);
        ++ioapics;
        break;
      case 2:
        if (e[3] == 0) {
          irq0 = le32(e + 4) == 2 && le16(e + 8) == 0;
        } else if (e[3] == 9) {
          sci = le32(e + 4) == 9 && le16(e + 8) == 0x000d;
        }
        break;
      case 4:
        EXPECT_EQ(e[2], 0xff);
        EXPECT_EQ(e[5], 1);  // LINT1
        ++nmis;
        break;
    }
    off += e[1];
  }
  EXPECT_EQ(lapics, 2);
  EXPECT_EQ(ioapics, 1);
  EXPECT_EQ(nmis, 1);
  EXPECT_TRUE(irq0);
  EXPECT_TRUE(sci);
}

// A minimal AML reader for what \_S5 needs: NameOp NameSeg PackageOp PkgLength
// NumElements and integer elements.
bool parse_s5(const uint8_t* aml, size_t size, std::vector<uint64_t>* values) {
  for (size_t i = 0; i + 6 < size; ++i) {
    if (aml[i] != 0x08) continue;
    size_t p = i + 1;
    if (aml[p] == '\\') ++p;
    if (std::memcmp(aml + p, "_S5_", 4) != 0) continue;
    p += 4;
    if (aml[p++] != 0x12) return false;
    const uint8_t lead = aml[p];
    const unsigned follow = lead >> 6;
    size_t pkg_length = follow == 0 ? (lead & 0x3f) : (lead & 0x0f);
    for (unsigned k = 0; k < follow; ++k) pkg_length |= size_t{aml[p + 1 + k]} << (4 + 8 * k);
    const size_t end = p + pkg_length;
    if (end > size) return false;
    p += 1 + follow;
    const unsigned count = aml[p++];
    for (unsigned n = 0; n < count; ++n) {
      if (p >= end) return false;
      switch (aml[p]) {
        case 0x00: values->push_back(0); p += 1; break;
        case 0x01: values->push_back(1); p += 1; break;
        case 0xff: values->push_back(~uint64_t{0}); p += 1; break;
        case 0x0a: values->push_back(aml[p + 1]); p += 2; break;
        case 0x0b: values->push_back(le16(aml + p + 1)); p += 3; break;
        case 0x0c: values->push_back(le32(aml + p + 1)); p += 5; break;
        default: return false;
      }
    }
    return p == end;
  }
  return false;
}

TEST_F(AcpiTest, DsdtHasWellFormedS5Package) {
  const uint8_t* d = table(t.dsdt);
  EXPECT_EQ(std::memcmp(d, "DSDT", 4), 0);
  EXPECT_EQ(d[8], 2);  // 64-bit AML integers
  std::vector<uint64_t> values;
  ASSERT_TRUE(parse_s5(d + 36, length(t.dsdt) - 36, &values));
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], 5u);
  EXPECT_EQ(values[1], 5u);
  EXPECT_EQ(values[2], 0u);
  EXPECT_EQ(values[3], 0u);
}

TEST(AcpiBuild, RejectsUnalignedBase) {
  EXPECT_THROW(build_acpi_tables(AcpiConfig{}, 0xf0008), std::invalid_argument);
}

class AcpiPmTest : public ::testing::Test {
 protected:
  AcpiPmTest() : pm(clock, &sci, [this] { ++poweroffs; }) {}
  ManualClock clock;
  test::RecordingIrq sci;
  int poweroffs = 0;
  AcpiPm pm;
};

TEST_F(AcpiPmTest, SciEnabledFromReset) { EXPECT_EQ(pm.port_read(0x604, 2) & 1, 1u); }

TEST_F(AcpiPmTest, S5PowersOff) {
  pm.port_write(0x604, 2, (5 << 10) | (1 << 13) | 1);
  EXPECT_EQ(poweroffs, 1);
  EXPECT_EQ(pm.port_read(0x604, 2) & (1 << 13), 0u);  // SLP_EN reads 0
}

TEST_F(AcpiPmTest, QemuStyleTypeZeroPowersOffOtherStatesDoNot) {
  pm.port_write(0x604, 2, (1 << 10) | (1 << 13));  // S1
  EXPECT_EQ(poweroffs, 0);
  pm.port_write(0x604, 2, 5 << 10);  // SLP_TYP without SLP_EN
  EXPECT_EQ(poweroffs, 0);
  pm.port_write(0x604, 2, 0x2000);
  EXPECT_EQ(poweroffs, 1);
}

TEST_F(AcpiPmTest, ByteWritesPowerOffToo) {
  pm.port_write(0x604, 1, 0x01);
  pm.port_write(0x605, 1, 0x34);  // SLP_TYP 5 | SLP_EN in the high byte
  EXPECT_EQ(poweroffs, 1);
}

TEST_F(AcpiPmTest, PmTimer) {
  EXPECT_EQ(pm.port_read(0x608, 4), 0u);
  clock.set(kNsPerSecond);
  EXPECT_EQ(pm.port_read(0x608, 4), 3579545u);
  clock.set(5 * kNsPerSecond);  // 17897725 ticks wrap at 24 bits
  EXPECT_EQ(pm.port_read(0x608, 4), 17897725u & 0xffffff);
}

TEST_F(AcpiPmTest, PowerButtonRaisesSciUntilCleared) {
  pm.port_write(0x602, 2, 0x0100);  // PWRBTN_EN
  pm.press_power_button();
  EXPECT_TRUE(sci.level);
  EXPECT_EQ(pm.port_read(0x600, 2) & 0x100, 0x100u);
  pm.port_write(0x600, 2, 0x0100);  // write one to clear
  EXPECT_FALSE(sci.level);
  EXPECT_EQ(pm.port_read(0x600, 2) & 0x100, 0u);
}

TEST_F(AcpiPmTest, TimerOverflowStatus) {
  pm.port_write(0x602, 2, 0x0001);  // TMR_EN
  const uint64_t deadline = pm.next_deadline();
  EXPECT_EQ(deadline, ticks_to_ns_ceil(1u << 23, AcpiPm::kTimerHz));
  clock.set(deadline);
  pm.service(deadline);
  EXPECT_TRUE(sci.level);
  EXPECT_EQ(pm.next_deadline(), kNoDeadline);
}

class FwCfgTest : public ::testing::Test {
 protected:
  void select(uint16_t key) { fw.port_write(0x510, 2, key); }
  std::vector<uint8_t> read(size_t n) {
    std::vector<uint8_t> v;
    for (size_t i = 0; i < n; ++i) v.push_back(static_cast<uint8_t>(fw.port_read(0x511, 1)));
    return v;
  }
  FwCfg fw;
};

TEST_F(FwCfgTest, SignatureAndId) {
  select(FwCfg::kSignature);
  EXPECT_EQ(read(4), (std::vector<uint8_t>{'Q', 'E', 'M', 'U'}));
  EXPECT_EQ(read(2), (std::vector<uint8_t>{0, 0}));  // past the end
  select(FwCfg::kSignature);                         // selecting rewinds
  EXPECT_EQ(read(1)[0], 'Q');
  select(FwCfg::kId);
  EXPECT_EQ(le32(read(4).data()), 1u);               // traditional interface, no DMA
  select(0x1234);
  EXPECT_EQ(read(1)[0], 0);                          // absent item
}

TEST_F(FwCfgTest, FileDirectory) {
  fw.add_file("etc/e820", {1, 2, 3, 4, 5});
  const uint16_t key = fw.add_file("etc/acpi/rsdp", {9, 8});
  select(FwCfg::kFileDir);
  std::vector<uint8_t> count = read(4);
  EXPECT_EQ(count[3], 2);
  EXPECT_EQ(count[0] | count[1] | count[2], 0);
  std::vector<uint8_t> e1 = read(64);
  EXPECT_EQ(e1[3], 5);                              // BE32 size
  EXPECT_EQ((e1[4] << 8) | e1[5], 0x20);            // BE16 selector
  EXPECT_STREQ(reinterpret_cast<const char*>(e1.data() + 8), "etc/e820");
  std::vector<uint8_t> e2 = read(64);
  EXPECT_EQ((e2[4] << 8) | e2[5], key);
  EXPECT_STREQ(reinterpret_cast<const char*>(e2.data() + 8), "etc/acpi/rsdp");
  select(key);
  EXPECT_EQ(read(2), (std::vector<uint8_t>{9, 8}));
  EXPECT_THROW(fw.add_file(std::string(60, 'x'), {}), std::invalid_argument);
}

}  // namespace
}  // namespace orcvm
