#include "runtime/vcpu/x87_operands.h"

#include <cstring>

namespace orcvm {

namespace {

template <class T> T get(const uint8_t* bytes) {
  T value;
  std::memcpy(&value, bytes, sizeof value);
  return value;
}
template <class T> void put(uint8_t* bytes, T value) { std::memcpy(bytes, &value, sizeof value); }

fpu::Float80 get_extended(const uint8_t* bytes) { return {get<uint64_t>(bytes), get<uint16_t>(bytes + 8)}; }
void put_extended(uint8_t* bytes, fpu::Float80 v) {
  put<uint64_t>(bytes, v.significand);
  put<uint16_t>(bytes + 8, v.sign_exponent);
}

unsigned integer_bits(X87Operand format) {
  return format == X87Operand::Int16 ? 16 : format == X87Operand::Int32 ? 32 : 64;
}

}  // namespace

unsigned x87_operand_bytes(X87Operand format) {
  switch (format) {
    case X87Operand::Int16: return 2;
    case X87Operand::Real32:
    case X87Operand::Int32: return 4;
    case X87Operand::Real64:
    case X87Operand::Int64: return 8;
    default: return 10;
  }
}

fpu::Float80 x87_read_operand(X87Operand format, const uint8_t* bytes, uint16_t* status) {
  switch (format) {
    case X87Operand::Real32: return fpu::x87_from_binary32(get<uint32_t>(bytes), status);
    case X87Operand::Real64: return fpu::x87_from_binary64(get<uint64_t>(bytes), status);
    case X87Operand::Int16: return fpu::x87_from_int(get<int16_t>(bytes));
    case X87Operand::Int32: return fpu::x87_from_int(get<int32_t>(bytes));
    case X87Operand::Int64: return fpu::x87_from_int(get<int64_t>(bytes));
    case X87Operand::Bcd: return fpu::x87_from_bcd(get_extended(bytes));
    default: return get_extended(bytes);
  }
}

void x87_write_operand(X87Operand format, fpu::Float80 value, bool truncate, uint16_t control, uint16_t* status,
                       uint8_t* bytes) {
  switch (format) {
    case X87Operand::Real32: put(bytes, fpu::x87_to_binary32(value, control, status)); break;
    case X87Operand::Real64: put(bytes, fpu::x87_to_binary64(value, control, status)); break;
    case X87Operand::Int16:
    case X87Operand::Int32:
    case X87Operand::Int64: {
      const int64_t v = fpu::x87_to_int(value, integer_bits(format), truncate, control, status);
      std::memcpy(bytes, &v, integer_bits(format) / 8);  // the low bytes: little-endian
      break;
    }
    case X87Operand::Bcd: put_extended(bytes, fpu::x87_to_bcd(value, control, status)); break;
    default: put_extended(bytes, value); break;
  }
}

void x87_write_indefinite(X87Operand format, uint8_t* bytes) {
  switch (format) {
    case X87Operand::Real32: put<uint32_t>(bytes, 0xffc00000); break;
    case X87Operand::Real64: put<uint64_t>(bytes, 0xfff8000000000000); break;
    case X87Operand::Int16: put<uint16_t>(bytes, 0x8000); break;
    case X87Operand::Int32: put<uint32_t>(bytes, 0x80000000); break;
    case X87Operand::Int64: put<uint64_t>(bytes, 0x8000000000000000); break;
    default: put_extended(bytes, fpu::kX87Indefinite); break;  // the packed BCD indefinite has the same bits
  }
}

}  // namespace orcvm
