#include "runtime/vcpu/x87_environment.h"

#include <cstring>

#include "runtime/vcpu/x87_stack.h"

namespace orcvm {

namespace {

template <class T> void put(uint8_t* image, unsigned offset, T value) { std::memcpy(image + offset, &value, sizeof value); }
template <class T> T get(const uint8_t* image, unsigned offset) {
  T value;
  std::memcpy(&value, image + offset, sizeof value);
  return value;
}

// The reserved upper halves of the 32-bit formats' words read as ones, as this AMD
// host and Bochs write them.
constexpr uint32_t kReservedHigh = 0xffff0000;

uint32_t real_mode_linear(uint16_t selector, uint64_t offset) {
  return static_cast<uint32_t>((uint32_t{selector} << 4) + offset);
}

}  // namespace

void write_x87_environment(const FpuState& f, X87ImageFormat format, uint8_t* image) {
  const uint16_t status = x87::status_with_summary(f.status, f.control);
  const uint16_t tags = x87_tag_word(f);
  const uint16_t fop = f.last_opcode & 0x7ff;
  const uint32_t ip = format.real_mode ? real_mode_linear(f.last_cs, f.last_ip) : static_cast<uint32_t>(f.last_ip);
  const uint32_t dp = format.real_mode ? real_mode_linear(f.last_ds, f.last_dp) : static_cast<uint32_t>(f.last_dp);
  if (format.operand16) {
    put<uint16_t>(image, 0, f.control);
    put<uint16_t>(image, 2, status);
    put<uint16_t>(image, 4, tags);
    put<uint16_t>(image, 6, static_cast<uint16_t>(ip));
    put<uint16_t>(image, 10, static_cast<uint16_t>(dp));
    if (format.real_mode) {
      put<uint16_t>(image, 8, static_cast<uint16_t>((ip >> 16 & 0xf) << 12 | fop));
      put<uint16_t>(image, 12, static_cast<uint16_t>((dp >> 16 & 0xf) << 12));
    } else {
      put<uint16_t>(image, 8, f.last_cs);
      put<uint16_t>(image, 12, f.last_ds);
    }
    return;
  }
  put<uint32_t>(image, 0, kReservedHigh | f.control);
  put<uint32_t>(image, 4, kReservedHigh | status);
  put<uint32_t>(image, 8, kReservedHigh | tags);
  if (format.real_mode) {
    put<uint32_t>(image, 12, kReservedHigh | (ip & 0xffff));
    put<uint32_t>(image, 16, (ip >> 16) << 12 | fop);
    put<uint32_t>(image, 20, kReservedHigh | (dp & 0xffff));
    put<uint32_t>(image, 24, (dp >> 16) << 12);
  } else {
    put<uint32_t>(image, 12, ip);
    put<uint32_t>(image, 16, uint32_t{fop} << 16 | f.last_cs);
    put<uint32_t>(image, 20, dp);
    put<uint32_t>(image, 24, kReservedHigh | f.last_ds);
  }
}

void read_x87_environment(FpuState& f, X87ImageFormat format, const uint8_t* image) {
  const unsigned word = format.operand16 ? 2 : 4;
  f.control = get<uint16_t>(image, 0);
  f.status = get<uint16_t>(image, word);
  f.not_empty = x87_not_empty(get<uint16_t>(image, 2 * word));
  uint32_t ip, dp, ip_high_word, dp_high_word;
  if (format.operand16) {
    ip = get<uint16_t>(image, 6);
    dp = get<uint16_t>(image, 10);
    ip_high_word = get<uint16_t>(image, 8);
    dp_high_word = get<uint16_t>(image, 12);
  } else {
    ip = get<uint32_t>(image, 12);
    dp = get<uint32_t>(image, 20);
    ip_high_word = get<uint32_t>(image, 16);
    dp_high_word = get<uint32_t>(image, 24);
  }
  if (format.real_mode) {
    const unsigned high_bits = format.operand16 ? 4 : 16;
    const uint32_t high_mask = (1u << high_bits) - 1;
    f.last_ip = (ip & 0xffff) | (ip_high_word >> 12 & high_mask) << 16;
    f.last_dp = (dp & 0xffff) | (dp_high_word >> 12 & high_mask) << 16;
    f.last_opcode = ip_high_word & 0x7ff;
    f.last_cs = f.last_ds = 0;  // the pointers are linear addresses now
  } else {
    f.last_ip = ip;
    f.last_dp = dp;
    f.last_cs = static_cast<uint16_t>(ip_high_word);
    f.last_ds = static_cast<uint16_t>(dp_high_word);
    // The 16-bit format has no FOP; this AMD host then loads 0.
    f.last_opcode = format.operand16 ? 0 : ip_high_word >> 16 & 0x7ff;
  }
}

void write_x87_registers(const FpuState& f, uint8_t* image) {
  for (unsigned i = 0; i < 8; ++i) {
    const X87Register& r = f.reg[(x87_top(f) + i) & 7];
    put<uint64_t>(image, 10 * i, r.significand);
    put<uint16_t>(image, 10 * i + 8, r.sign_exponent);
  }
}

void read_x87_registers(FpuState& f, const uint8_t* image) {
  for (unsigned i = 0; i < 8; ++i)
    f.reg[(x87_top(f) + i) & 7] = {get<uint64_t>(image, 10 * i), get<uint16_t>(image, 10 * i + 8)};
}

}  // namespace orcvm
