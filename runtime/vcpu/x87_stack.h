#pragma once
// The x87 register stack (SDM Vol. 1, 8.1.2 and 8.1.7): ST(i) is the physical
// register (TOP + i) mod 8, and a register is empty or holds a value; the full
// tag word that FNSTENV and FNSAVE store classifies the values.
#include <cstdint>

#include "runtime/fpu/x87_float.h"
#include "runtime/vcpu/fpu_state.h"

namespace orcvm {

inline unsigned x87_top(const FpuState& f) { return (f.status & x87::TopMask) >> x87::TopShift; }

class X87Stack {
 public:
  explicit X87Stack(FpuState& f) : f_(f) {}

  unsigned top() const { return x87_top(f_); }
  unsigned physical(unsigned i) const { return (top() + i) & 7; }
  bool empty(unsigned i) const { return !(f_.not_empty >> physical(i) & 1); }
  fpu::Float80 st(unsigned i) const;
  void set(unsigned i, fpu::Float80 value);  // and tags it full
  void push(fpu::Float80 value);
  void pop();  // empties ST(0), then TOP + 1
  void free(unsigned i);
  void rotate(int by);  // TOP + by, tags unchanged (FINCSTP, FDECSTP)

 private:
  FpuState& f_;
};

// Two bits per physical register, R0 in bits 1:0: 0 valid, 1 zero, 2 special
// (NaN, infinity, denormal, unsupported), 3 empty.
uint16_t x87_tag_word(const FpuState& f);
// FLDENV and FRSTOR keep only whether each register is empty.
uint8_t x87_not_empty(uint16_t tag_word);

inline fpu::Float80 to_float80(const X87Register& r) { return {r.significand, r.sign_exponent}; }
inline X87Register to_register(fpu::Float80 v) { return {v.significand, v.sign_exponent}; }

}  // namespace orcvm
