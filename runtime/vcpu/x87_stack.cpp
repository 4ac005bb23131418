#include "runtime/vcpu/x87_stack.h"

namespace orcvm {

fpu::Float80 X87Stack::st(unsigned i) const { return to_float80(f_.reg[physical(i)]); }

void X87Stack::set(unsigned i, fpu::Float80 value) {
  f_.reg[physical(i)] = to_register(value);
  f_.not_empty |= static_cast<uint8_t>(1u << physical(i));
}

void X87Stack::push(fpu::Float80 value) {
  rotate(-1);
  set(0, value);
}

void X87Stack::pop() {
  free(0);
  rotate(1);
}

void X87Stack::free(unsigned i) { f_.not_empty &= static_cast<uint8_t>(~(1u << physical(i))); }

void X87Stack::rotate(int by) {
  const unsigned new_top = (top() + static_cast<unsigned>(by)) & 7;
  f_.status = static_cast<uint16_t>((f_.status & ~x87::TopMask) | new_top << x87::TopShift);
}

uint16_t x87_tag_word(const FpuState& f) {
  uint16_t tags = 0;
  for (unsigned r = 0; r < 8; ++r) {
    const X87Register& v = f.reg[r];
    const unsigned exponent = v.sign_exponent & 0x7fff;
    const bool integer_bit = v.significand >> 63;
    unsigned tag;
    if (!(f.not_empty >> r & 1))
      tag = 3;
    else if (exponent == 0)
      tag = v.significand == 0 ? 1 : 2;
    else
      tag = exponent == 0x7fff || !integer_bit ? 2 : 0;  // unnormals are unsupported: special
    tags |= static_cast<uint16_t>(tag << (2 * r));
  }
  return tags;
}

uint8_t x87_not_empty(uint16_t tag_word) {
  uint8_t full = 0;
  for (unsigned r = 0; r < 8; ++r)
    if ((tag_word >> (2 * r) & 3) != 3) full |= static_cast<uint8_t>(1u << r);
  return full;
}

}  // namespace orcvm
