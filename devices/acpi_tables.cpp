#include "devices/acpi_tables.h"

#include <cstring>
#include <stdexcept>

namespace orcvm {

namespace {

constexpr char kOemId[7] = "ORCVM ";
constexpr char kOemTableId[9] = "ORCVMPC ";
constexpr char kCreatorId[5] = "ORCV";

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  size_t pos() const { return out_.size(); }
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void bytes(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(s[i]));
  }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }
  void align(size_t a) {
    while (out_.size() % a) out_.push_back(0);
  }
  // A generic address structure: address space, register bit width, bit offset,
  // access size (1 byte .. 4 qword), address.
  void gas(uint8_t space, uint8_t width, uint8_t access, uint64_t address) {
    u8(space);
    u8(width);
    u8(0);
    u8(access);
    u64(address);
  }
  void patch32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) out_[at + i] = uint8_t(v >> (8 * i));
  }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(uint8_t(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

// Starts a table with the standard 36-byte header; returns its offset.
size_t begin_table(Writer& w, const char* signature, uint8_t revision) {
  const size_t start = w.pos();
  w.bytes(signature, 4);
  w.u32(0);  // length, patched by end_table
  w.u8(revision);
  w.u8(0);   // checksum, patched by end_table
  w.bytes(kOemId, 6);
  w.bytes(kOemTableId, 8);
  w.u32(1);  // OEM revision
  w.bytes(kCreatorId, 4);
  w.u32(1);  // creator revision
  return start;
}

void end_table(std::vector<uint8_t>& image, size_t start) {
  Writer w(image);
  const uint32_t length = static_cast<uint32_t>(image.size() - start);
  w.patch32(start + 4, length);
  image[start + 9] = 0;
  image[start + 9] = static_cast<uint8_t>(-acpi_checksum(image.data() + start, length));
}

// AML: a small integer as ZeroOp, OneOp or BytePrefix.
void aml_integer(std::vector<uint8_t>& aml, uint8_t value) {
  if (value == 0) aml.push_back(0x00);
  else if (value == 1) aml.push_back(0x01);
  else {
    aml.push_back(0x0a);
    aml.push_back(value);
  }
}

}  // namespace

uint8_t acpi_checksum(const uint8_t* data, size_t length) {
  uint8_t sum = 0;
  for (size_t i = 0; i < length; ++i) sum += data[i];
  return sum;
}

std::vector<uint8_t> build_dsdt_aml(const AcpiConfig& config) {
  // Name (_S5, Package (0x04) { S5, S5, Zero, Zero })
  std::vector<uint8_t> elements;
  aml_integer(elements, config.s5_sleep_type);  // PM1a_CNT.SLP_TYP
  aml_integer(elements, config.s5_sleep_type);  // PM1b_CNT.SLP_TYP (no PM1b block)
  aml_integer(elements, 0);                     // reserved
  aml_integer(elements, 0);                     // reserved
  std::vector<uint8_t> aml = {0x08, '_', 'S', '5', '_', 0x12};  // NameOp, NameSeg, PackageOp
  // PkgLength covers itself, NumElements and the elements; one byte while < 64.
  aml.push_back(static_cast<uint8_t>(1 + 1 + elements.size()));
  aml.push_back(4);  // NumElements
  aml.insert(aml.end(), elements.begin(), elements.end());
  return aml;
}

AcpiTables build_acpi_tables(const AcpiConfig& config, uint64_t base) {
  if (base % 16) throw std::invalid_argument("ACPI RSDP must be 16-byte aligned");
  if (base + 0x10000 > 0x100000000ull) throw std::invalid_argument("ACPI tables must lie below 4 GiB");
  AcpiTables t;
  t.base = base;
  std::vector<uint8_t>& img = t.image;
  Writer w(img);
  auto addr = [&](size_t offset) { return base + offset; };

  // RSDP, completed at the end.
  const size_t rsdp = w.pos();
  w.zeros(36);
  w.align(64);

  // FACS: 64-byte aligned, no checksum.
  const size_t facs = w.pos();
  w.bytes("FACS", 4);
  w.u32(64);
  w.u32(0);  // hardware signature
  w.u32(0);  // firmware waking vector
  w.u32(0);  // global lock
  w.u32(0);  // flags
  w.u64(0);  // X firmware waking vector
  w.u8(1);   // version
  w.zeros(3);
  w.u32(0);  // OSPM flags
  w.zeros(24);
  w.align(16);

  // DSDT.
  const size_t dsdt = begin_table(w, "DSDT", 2);
  std::vector<uint8_t> aml = build_dsdt_aml(config);
  img.insert(img.end(), aml.begin(), aml.end());
  end_table(img, dsdt);
  w.align(16);

  // FADT, revision 3 (ACPI 2.0 layout, 244 bytes).
  const size_t fadt = begin_table(w, "FACP", 3);
  const uint16_t pm = config.pm_base;
  w.u32(static_cast<uint32_t>(addr(facs)));  // FIRMWARE_CTRL
  w.u32(static_cast<uint32_t>(addr(dsdt)));  // DSDT
  w.u8(0);                     // reserved (ACPI 1.0 INT_MODEL)
  w.u8(0);                     // preferred PM profile: unspecified
  w.u16(config.sci_irq);       // SCI_INT
  w.u32(0);                    // SMI_CMD: none, the hardware is always in ACPI mode
  w.u8(0);                     // ACPI_ENABLE
  w.u8(0);                     // ACPI_DISABLE
  w.u8(0);                     // S4BIOS_REQ
  w.u8(0);                     // PSTATE_CNT
  w.u32(pm);                   // PM1a_EVT_BLK
  w.u32(0);                    // PM1b_EVT_BLK
  w.u32(pm + 4);               // PM1a_CNT_BLK
  w.u32(0);                    // PM1b_CNT_BLK
  w.u32(0);                    // PM2_CNT_BLK
  w.u32(pm + 8);               // PM_TMR_BLK
  w.u32(0);                    // GPE0_BLK
  w.u32(0);                    // GPE1_BLK
  w.u8(4);                     // PM1_EVT_LEN
  w.u8(2);                     // PM1_CNT_LEN
  w.u8(0);                     // PM2_CNT_LEN
  w.u8(4);                     // PM_TMR_LEN
  w.u8(0);                     // GPE0_BLK_LEN
  w.u8(0);                     // GPE1_BLK_LEN
  w.u8(0);                     // GPE1_BASE
  w.u8(0);                     // CST_CNT
  w.u16(0x0fff);               // P_LVL2_LAT: C2 not supported
  w.u16(0x0fff);               // P_LVL3_LAT: C3 not supported
  w.u16(0);                    // FLUSH_SIZE
  w.u16(0);                    // FLUSH_STRIDE
  w.u8(0);                     // DUTY_OFFSET
  w.u8(0);                     // DUTY_WIDTH
  w.u8(0);                     // DAY_ALRM
  w.u8(0);                     // MON_ALRM
  w.u8(config.rtc_century);    // CENTURY
  w.u16(0x0007);               // IAPC_BOOT_ARCH: legacy devices, 8042, no VGA
  w.u8(0);                     // reserved
  // Flags: WBINVD, PROC_C1, SLP_BUTTON (no fixed sleep button), FIX_RTC,
  // RESET_REG_SUP, USE_PLATFORM_CLOCK. TMR_VAL_EXT is clear: a 24-bit PM timer.
  w.u32((1u << 0) | (1u << 2) | (1u << 5) | (1u << 6) | (1u << 10) | (1u << 15));
  w.gas(1, 8, 1, config.reset_port);  // RESET_REG: system I/O, 8 bits, byte access
  w.u8(config.reset_value);           // RESET_VALUE
  w.zeros(3);                          // reserved (ARM_BOOT_ARCH, minor version in later revisions)
  w.u64(addr(facs));                   // X_FIRMWARE_CTRL
  w.u64(addr(dsdt));                   // X_DSDT
  w.gas(1, 32, 2, pm);                 // X_PM1a_EVT_BLK
  w.gas(0, 0, 0, 0);                   // X_PM1b_EVT_BLK
  w.gas(1, 16, 2, pm + 4);             // X_PM1a_CNT_BLK
  w.gas(0, 0, 0, 0);                   // X_PM1b_CNT_BLK
  w.gas(0, 0, 0, 0);                   // X_PM2_CNT_BLK
  w.gas(1, 32, 3, pm + 8);             // X_PM_TMR_BLK
  w.gas(0, 0, 0, 0);                   // X_GPE0_BLK
  w.gas(0, 0, 0, 0);                   // X_GPE1_BLK
  end_table(img, fadt);
  w.align(16);

  // MADT.
  const size_t madt = begin_table(w, "APIC", 3);
  w.u32(config.lapic_base);
  w.u32(1);  // PCAT_COMPAT: 8259s present
  for (unsigned i = 0; i < config.cpus; ++i) {
    w.u8(0);  // processor local APIC
    w.u8(8);
    w.u8(static_cast<uint8_t>(i));  // ACPI processor UID
    w.u8(static_cast<uint8_t>(i));  // APIC ID
    w.u32(1);                       // enabled
  }
  w.u8(1);  // I/O APIC
  w.u8(12);
  w.u8(config.ioapic_id);
  w.u8(0);
  w.u32(config.ioapic_base);
  w.u32(0);  // GSI base
  w.u8(2);   // interrupt source override: ISA IRQ0 -> GSI 2, bus defaults
  w.u8(10);
  w.u8(0);
  w.u8(0);
  w.u32(2);
  w.u16(0);
  w.u8(2);   // interrupt source override: SCI, level-triggered, active high
  w.u8(10);
  w.u8(0);
  w.u8(static_cast<uint8_t>(config.sci_irq));
  w.u32(config.sci_irq);
  w.u16(0x000d);  // polarity 01 (active high), trigger 11 (level)
  w.u8(4);        // local APIC NMI: all processors, LINT1
  w.u8(6);
  w.u8(0xff);
  w.u16(0);
  w.u8(1);
  end_table(img, madt);
  w.align(16);

  // RSDT and XSDT: the FADT and the MADT.
  const size_t rsdt = begin_table(w, "RSDT", 1);
  w.u32(static_cast<uint32_t>(addr(fadt)));
  w.u32(static_cast<uint32_t>(addr(madt)));
  end_table(img, rsdt);
  w.align(16);
  const size_t xsdt = begin_table(w, "XSDT", 1);
  w.u64(addr(fadt));
  w.u64(addr(madt));
  end_table(img, xsdt);
  w.align(16);

  // RSDP, revision 2.
  uint8_t* r = img.data() + rsdp;
  std::memcpy(r, "RSD PTR ", 8);
  std::memcpy(r + 9, kOemId, 6);
  r[15] = 2;
  const uint32_t rsdt_addr = static_cast<uint32_t>(addr(rsdt));
  std::memcpy(r + 16, &rsdt_addr, 4);
  const uint32_t length = 36;
  std::memcpy(r + 20, &length, 4);
  const uint64_t xsdt_addr = addr(xsdt);
  std::memcpy(r + 24, &xsdt_addr, 8);
  r[8] = static_cast<uint8_t>(-acpi_checksum(r, 20));
  r[32] = static_cast<uint8_t>(-acpi_checksum(r, 36));

  t.rsdp = addr(rsdp);
  t.rsdt = addr(rsdt);
  t.xsdt = addr(xsdt);
  t.fadt = addr(fadt);
  t.facs = addr(facs);
  t.dsdt = addr(dsdt);
  t.madt = addr(madt);
  return t;
}

}  // namespace orcvm
