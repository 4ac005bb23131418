#pragma once
// ACPI tables for the orcvm PC, built as one image for a given guest physical
// address in the BIOS area, where a kernel scans for "RSD PTR " on 16-byte
// boundaries (0xE0000-0xFFFFF):
//   RSDP (revision 2, pointing at the RSDT and the XSDT), RSDT, XSDT, FADT
//   (revision 3: PM1a event/control blocks and the PM timer at QEMU pc's ports,
//   SCI on IRQ 9, reset register = I/O port 0xCF9 value 6, RESET_REG_SUP, the
//   RTC century at CMOS 0x32, X_ fields equal to the 32-bit ones), FACS, MADT
//   (one enabled local APIC per CPU, the IOAPIC at GSI base 0, overrides IRQ0 ->
//   GSI 2 and IRQ9 level/active-high, LINT1 as NMI on all processors) and a DSDT
//   whose AML holds Name(_S5_, Package(){5, 5, 0, 0}).
// Every table carries a correct checksum; the RSDP both of its checksums.
#include <cstdint>
#include <string>
#include <vector>

namespace orcvm {

struct AcpiConfig {
  unsigned cpus = 1;
  uint32_t lapic_base = 0xfee00000;
  uint32_t ioapic_base = 0xfec00000;
  uint8_t ioapic_id = 0;
  uint16_t pm_base = 0x600;      // PM1a_EVT = base, PM1a_CNT = base + 4, PM_TMR = base + 8
  uint16_t sci_irq = 9;
  uint16_t reset_port = 0xcf9;
  uint8_t reset_value = 0x06;
  uint8_t s5_sleep_type = 5;     // SLP_TYP the DSDT's \_S5 gives for PM1a_CNT
  uint8_t rtc_century = 0x32;
};

struct AcpiTables {
  uint64_t base = 0;             // guest physical address of image[0] (= the RSDP)
  std::vector<uint8_t> image;
  uint64_t rsdp = 0, rsdt = 0, xsdt = 0, fadt = 0, facs = 0, dsdt = 0, madt = 0;
  // The bytes of the table at guest physical address paddr (inside the image).
  const uint8_t* at(uint64_t paddr) const { return image.data() + (paddr - base); }
};

// Builds the tables for placement at base (16-byte aligned; the image is
// a few hundred bytes).
AcpiTables build_acpi_tables(const AcpiConfig& config, uint64_t base);

// The AML body of the DSDT (without the table header).
std::vector<uint8_t> build_dsdt_aml(const AcpiConfig& config);

// Sum of bytes mod 256 (0 for a table with a correct checksum).
uint8_t acpi_checksum(const uint8_t* data, size_t length);

}  // namespace orcvm
