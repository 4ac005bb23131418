#include "devices/fw_cfg.h"

#include <stdexcept>

namespace orcvm {

FwCfg::FwCfg() {
  add_bytes(kSignature, {'Q', 'E', 'M', 'U'});
  add_u32(kId, 1);  // traditional interface; no DMA
  rebuild_directory();
}

void FwCfg::add_bytes(uint16_t key, std::vector<uint8_t> data) { items_[key & ~kWriteChannel] = std::move(data); }

void FwCfg::add_u16(uint16_t key, uint16_t value) { add_bytes(key, {uint8_t(value), uint8_t(value >> 8)}); }

void FwCfg::add_u32(uint16_t key, uint32_t value) {
  std::vector<uint8_t> b(4);
  for (int i = 0; i < 4; ++i) b[i] = uint8_t(value >> (8 * i));
  add_bytes(key, std::move(b));
}

void FwCfg::add_u64(uint16_t key, uint64_t value) {
  std::vector<uint8_t> b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(value >> (8 * i));
  add_bytes(key, std::move(b));
}

uint16_t FwCfg::add_file(const std::string& name, std::vector<uint8_t> data) {
  if (name.size() > kMaxNameLength) throw std::invalid_argument("fw_cfg file name too long: " + name);
  for (auto& [file, key] : files_) {
    if (file == name) {
      add_bytes(key, std::move(data));
      rebuild_directory();
      return key;
    }
  }
  const uint16_t key = static_cast<uint16_t>(kFileFirst + files_.size());
  files_.emplace_back(name, key);
  add_bytes(key, std::move(data));
  rebuild_directory();
  return key;
}

void FwCfg::rebuild_directory() {
  std::vector<uint8_t> dir;
  auto be32 = [&](uint32_t v) {
    for (int i = 3; i >= 0; --i) dir.push_back(uint8_t(v >> (8 * i)));
  };
  be32(static_cast<uint32_t>(files_.size()));
  for (auto& [name, key] : files_) {
    be32(static_cast<uint32_t>(items_[key].size()));
    dir.push_back(uint8_t(key >> 8));
    dir.push_back(uint8_t(key));
    dir.push_back(0);
    dir.push_back(0);
    for (size_t i = 0; i < 56; ++i) dir.push_back(i < name.size() ? uint8_t(name[i]) : 0);
  }
  items_[kFileDir] = std::move(dir);
}

const std::vector<uint8_t>* FwCfg::item(uint16_t key) const {
  auto it = items_.find(key & ~kWriteChannel);
  return it == items_.end() ? nullptr : &it->second;
}

uint8_t FwCfg::read_data() {
  const std::vector<uint8_t>* data = item(selector_);
  if (!data || offset_ >= data->size()) return 0;
  return (*data)[offset_++];
}

uint32_t FwCfg::port_read(uint16_t port, unsigned size) {
  // As QEMU's combined port: byte reads of either port read the data.
  if (size != 1) return size == 4 ? 0xffffffffu : 0xffffu;
  return read_data();
}

void FwCfg::port_write(uint16_t port, unsigned size, uint32_t value) {
  if (port == 0x510 && size == 2) {
    selector_ = static_cast<uint16_t>(value);
    offset_ = 0;
  }
  // Byte writes to the data port: ignored (the write channel is gone since QEMU 2.4).
}

}  // namespace orcvm
