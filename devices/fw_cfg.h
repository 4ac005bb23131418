#pragma once
// QEMU's firmware configuration device, the x86 I/O port interface: a 16-bit
// selector written at 0x510 and a data byte read at 0x511 (the DMA interface at
// 0x514 is not offered: FW_CFG_ID reports the traditional interface only).
// Selecting an item rewinds it; reads past its end return 0; writes to the data
// port are ignored (as QEMU since 2.4). Named files live from selector 0x20 up
// and are listed in FW_CFG_FILE_DIR (big-endian count, then per file: BE32
// size, BE16 selector, 16 reserved bits, 56-byte NUL-padded name).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/softmmu/bus.h"

namespace orcvm {

class FwCfg : public PortDevice {
 public:
  static constexpr uint16_t kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNoGraphic = 0x04,
                            kNbCpus = 0x05, kMaxCpus = 0x0f, kFileDir = 0x19, kFileFirst = 0x20;
  static constexpr uint16_t kWriteChannel = 0x4000, kArchLocal = 0x8000;
  static constexpr size_t kMaxNameLength = 55;  // plus the terminating NUL

  FwCfg();

  // Ports 0x510 (selector) and 0x511 (data).
  uint32_t port_read(uint16_t port, unsigned size) override;
  void port_write(uint16_t port, unsigned size, uint32_t value) override;

  void add_bytes(uint16_t key, std::vector<uint8_t> data);
  void add_u16(uint16_t key, uint16_t value);
  void add_u32(uint16_t key, uint32_t value);
  void add_u64(uint16_t key, uint64_t value);
  // Adds (or replaces) a named file; returns its selector.
  uint16_t add_file(const std::string& name, std::vector<uint8_t> data);

  const std::vector<uint8_t>* item(uint16_t key) const;
  uint16_t selector() const { return selector_; }

 private:
  void rebuild_directory();
  uint8_t read_data();

  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::vector<std::pair<std::string, uint16_t>> files_;  // in selector order
  uint16_t selector_ = 0;
  size_t offset_ = 0;
};

}  // namespace orcvm
