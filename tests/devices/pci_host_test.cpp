// PCI configuration mechanism #1 with the 440FX host bridge and the PIIX3 ISA
// bridge on bus 0 (PCI Local Bus Specification 3.0, 3.2.2.3.2; register values
// from the 82441FX and 82371SB data sheets as QEMU's pc machine presents them).
#include <gtest/gtest.h>

#include "devices/pci_host.h"

namespace orcvm {
namespace {

uint32_t address(unsigned bus, unsigned device, unsigned function, unsigned reg) {
  return 0x80000000u | bus << 16 | device << 11 | function << 8 | (reg & 0xfc);
}

class PciHostTest : public ::testing::Test {
 protected:
  uint32_t config_read(unsigned device, unsigned function, unsigned reg, unsigned size = 4, unsigned bus = 0) {
    pci.port_write(0xcf8, 4, address(bus, device, function, reg));
    return pci.port_read(0xcfc + (reg & 3), size);
  }
  void config_write(unsigned device, unsigned function, unsigned reg, uint32_t value, unsigned size = 4) {
    pci.port_write(0xcf8, 4, address(0, device, function, reg));
    pci.port_write(0xcfc + (reg & 3), size, value);
  }

  PciHost pci;
};

TEST_F(PciHostTest, ConfigAddressIsA32BitRegisterThatReadsBack) {
  pci.port_write(0xcf8, 4, 0x80001234);
  EXPECT_EQ(pci.port_read(0xcf8, 4), 0x80001234u);
  pci.port_write(0xcf8, 4, 0x00fff8fc);
  EXPECT_EQ(pci.port_read(0xcf8, 4), 0x00fff8fcu);
  // Byte and word accesses are not CONFADD: they read all-ones and change nothing.
  pci.port_write(0xcf8, 1, 0x00);
  pci.port_write(0xcfa, 2, 0x0000);
  pci.port_write(0xcfb, 1, 0x01);
  EXPECT_EQ(pci.port_read(0xcf8, 4), 0x00fff8fcu);
  EXPECT_EQ(pci.port_read(0xcf8, 1), 0xffu);
  EXPECT_EQ(pci.port_read(0xcfa, 2), 0xffffu);
  EXPECT_EQ(pci.port_read(0xcfb, 1), 0xffu);
}

TEST_F(PciHostTest, LinuxType1Probe) {
  // pci_check_type1(): a byte to 0xcfb, then CONFADD must read back 0x80000000.
  pci.port_write(0xcfb, 1, 0x01);
  const uint32_t saved = pci.port_read(0xcf8, 4);
  pci.port_write(0xcf8, 4, 0x80000000);
  EXPECT_EQ(pci.port_read(0xcf8, 4), 0x80000000u);
  // pci_sanity_check(): some function on bus 0 is a host bridge (class 0x0600).
  EXPECT_EQ(config_read(0, 0, 0x0a, 2), 0x0600u);
  pci.port_write(0xcf8, 4, saved);
  EXPECT_EQ(pci.port_read(0xcf8, 4), saved);
}

TEST_F(PciHostTest, HostBridgeIs440FX) {
  EXPECT_EQ(config_read(0, 0, 0x00), 0x12378086u);  // device 1237, vendor 8086
  EXPECT_EQ(config_read(0, 0, 0x08), 0x06000002u);  // class 06 00 00, revision 02
  EXPECT_EQ(config_read(0, 0, 0x0e, 1), 0x00u);     // header type 0, single function
  EXPECT_EQ(config_read(0, 0, 0x04), 0x00000000u);  // status DEVSEL fast, command clear
  EXPECT_EQ(config_read(0, 0, 0x72, 1), 0x02u);     // SMRAM at its default
  EXPECT_EQ(config_read(0, 0, 0x3c), 0x00000000u);  // no interrupt pin
}

TEST_F(PciHostTest, IsaBridgeIsPiix3) {
  EXPECT_EQ(config_read(1, 0, 0x00), 0x70008086u);
  EXPECT_EQ(config_read(1, 0, 0x08), 0x06010000u);  // class 06 01 00 (ISA bridge), revision 0
  EXPECT_EQ(config_read(1, 0, 0x0e, 1), 0x80u);     // multi-function
  EXPECT_EQ(config_read(1, 0, 0x04), 0x02000007u);  // DEVSEL medium; I/O, memory, bus master on
  EXPECT_EQ(config_read(1, 0, 0x60), 0x80808080u);  // PIRQ[A-D] not routed
}

TEST_F(PciHostTest, AbsentFunctionsReadAllOnes) {
  EXPECT_EQ(config_read(0, 1, 0x00), 0xffffffffu);   // the host bridge has one function
  EXPECT_EQ(config_read(1, 1, 0x00), 0xffffffffu);   // PIIX3 IDE is not there
  EXPECT_EQ(config_read(2, 0, 0x00), 0xffffffffu);
  EXPECT_EQ(config_read(31, 7, 0x08), 0xffffffffu);
  EXPECT_EQ(config_read(0, 0, 0x00, 4, 1), 0xffffffffu);  // bus 1 does not exist
  EXPECT_EQ(config_read(3, 0, 0x00, 2), 0xffffu);
  EXPECT_EQ(config_read(3, 0, 0x02, 1), 0xffu);
  config_write(3, 0, 0x3c, 0x0b, 1);  // vanishes
  EXPECT_EQ(config_read(3, 0, 0x3c, 1), 0xffu);
}

TEST_F(PciHostTest, DisabledConfigAddressReadsAllOnes) {
  pci.port_write(0xcf8, 4, 0x00000000);  // bit 31 clear: not a config cycle
  EXPECT_EQ(pci.port_read(0xcfc, 4), 0xffffffffu);
  EXPECT_EQ(pci.port_read(0xcfe, 2), 0xffffu);
  pci.port_write(0xcf8, 4, 0x0000003c);
  pci.port_write(0xcfc, 1, 0x0b);
  EXPECT_EQ(config_read(0, 0, 0x3c, 1), 0x00u);
}

TEST_F(PciHostTest, ByteAndWordAccessesAtTheDataOffsets) {
  pci.port_write(0xcf8, 4, address(0, 0, 0, 0x00));
  EXPECT_EQ(pci.port_read(0xcfc, 1), 0x86u);
  EXPECT_EQ(pci.port_read(0xcfd, 1), 0x80u);
  EXPECT_EQ(pci.port_read(0xcfe, 1), 0x37u);
  EXPECT_EQ(pci.port_read(0xcff, 1), 0x12u);
  EXPECT_EQ(pci.port_read(0xcfc, 2), 0x8086u);
  EXPECT_EQ(pci.port_read(0xcfe, 2), 0x1237u);
  // A dword at 0xcfd reaches three bytes of the register; 0xd00 is not config space.
  EXPECT_EQ(pci.port_read(0xcfd, 4), 0xff123780u);
  // CONFADD bits 1:0 do not select a byte.
  pci.port_write(0xcf8, 4, address(0, 0, 0, 0x00) | 2);
  EXPECT_EQ(pci.port_read(0xcfc, 4), 0x12378086u);
}

TEST_F(PciHostTest, ReadOnlyRegistersIgnoreWrites) {
  for (unsigned reg : {0x00u, 0x08u, 0x0cu, 0x10u, 0x14u, 0x24u, 0x2cu, 0x30u}) {
    const uint32_t before = config_read(1, 0, reg);
    config_write(1, 0, reg, 0xffffffffu);
    config_write(1, 0, reg, 0x00000000u);
    // Only the cache line size (0x0c) is read/write in these dwords.
    EXPECT_EQ(config_read(1, 0, reg) & (reg == 0x0c ? 0xffffff00u : ~0u), before & (reg == 0x0c ? 0xffffff00u : ~0u))
        << std::hex << reg;
  }
  // Neither bridge has a BAR: all-ones written to a BAR reads back 0 (nothing to size).
  config_write(0, 0, 0x10, 0xffffffffu);
  EXPECT_EQ(config_read(0, 0, 0x10), 0u);
}

TEST_F(PciHostTest, CommandRegisterChangesOnlyItsWritableBits) {
  config_write(0, 0, 0x04, 0xffffffffu);  // status bits are not writable either
  EXPECT_EQ(config_read(0, 0, 0x04), 0x00000507u);  // I/O, memory, bus master, SERR#, INTx disable
  config_write(0, 0, 0x04, 0x0002, 2);
  EXPECT_EQ(config_read(0, 0, 0x04, 2), 0x0002u);
  config_write(1, 0, 0x05, 0x01, 1);      // the high byte alone: SERR#
  EXPECT_EQ(config_read(1, 0, 0x04), 0x02000107u);
}

TEST_F(PciHostTest, InterruptLineIsReadWrite) {
  config_write(1, 0, 0x3c, 0x0b, 1);
  EXPECT_EQ(config_read(1, 0, 0x3c, 1), 0x0bu);
  config_write(1, 0, 0x3c, 0xffffffffu);  // the pin, minimum grant and maximum latency stay 0
  EXPECT_EQ(config_read(1, 0, 0x3c), 0x000000ffu);
  EXPECT_EQ(config_read(0, 0, 0x3c, 1), 0x00u);  // each function has its own
}

TEST_F(PciHostTest, ChipRegistersKeepWhatIsWritten) {
  config_write(1, 0, 0x60, 0x0b0a0980u);  // PIRQ routing to IRQ 9, 10, 11
  EXPECT_EQ(config_read(1, 0, 0x60), 0x0b0a0980u);
  EXPECT_EQ(pci.read_config(1, 0, 0x61, 1), 0x09u);
  pci.write_config(0, 0, 0x59, 1, 0x30);
  EXPECT_EQ(config_read(0, 0, 0x58), 0x00003000u);
}

}  // namespace
}  // namespace orcvm
