#pragma once
// A set of encodings as the SDM's opcode tables name them: map and opcode byte,
// mandatory prefix (or VEX.pp), and where the table says so the ModRM reg field
// ("/digit"), register or memory form, rm field, W bit and mode. The binding
// table (bindings.h) maps patterns to semantics families.
#include <cstdint>

#include "frontend/decode/insn.h"

namespace orcvm::sem {

enum class Form : uint8_t { Any, Mem, Reg };     // ModRM.mod != 3, == 3
enum class Tristate : uint8_t { Any, No, Yes };  // W bit, 64-bit mode

struct OpcodePattern {
  OpcodeMap map = OpcodeMap::Primary;
  bool vex = false;
  uint8_t opcode = 0;
  SimdPrefix prefix = SimdPrefix::None;
  int8_t reg = -1;  // ModRM.reg, or -1: any
  Form form = Form::Any;
  int8_t rm = -1;   // ModRM.rm of a register form, or -1: any
  Tristate w = Tristate::Any;
  Tristate long_mode = Tristate::Any;

  constexpr OpcodePattern with_reg(int r) const { auto p = *this; p.reg = static_cast<int8_t>(r); return p; }
  constexpr OpcodePattern memory() const { auto p = *this; p.form = Form::Mem; return p; }
  constexpr OpcodePattern registers() const { auto p = *this; p.form = Form::Reg; return p; }
  constexpr OpcodePattern with_rm(int r) const { auto p = registers(); p.rm = static_cast<int8_t>(r); return p; }
  constexpr OpcodePattern with_prefix(SimdPrefix s) const { auto p = *this; p.prefix = s; return p; }
  constexpr OpcodePattern w1() const { auto p = *this; p.w = Tristate::Yes; return p; }
  constexpr OpcodePattern w0() const { auto p = *this; p.w = Tristate::No; return p; }
  constexpr OpcodePattern in_64_bit_mode() const { auto p = *this; p.long_mode = Tristate::Yes; return p; }
  constexpr OpcodePattern outside_64_bit_mode() const { auto p = *this; p.long_mode = Tristate::No; return p; }

  // How many ModRM/W/mode constraints it adds to its opcode: the more specific of
  // two matching patterns wins.
  constexpr int specificity() const {
    return (reg >= 0) + (form != Form::Any) + (rm >= 0) + (w != Tristate::Any) + (long_mode != Tristate::Any);
  }

  constexpr bool matches(const Encoding& e) const {
    if (e.map != map || e.vex != vex || e.opcode != opcode || e.prefix != prefix) return false;
    const bool register_form = e.mod() == 3;
    if (reg >= 0 && (!e.has_modrm || e.reg() != reg)) return false;
    if (form != Form::Any && (!e.has_modrm || register_form != (form == Form::Reg))) return false;
    if (rm >= 0 && e.rm() != rm) return false;
    if (w != Tristate::Any && e.w != (w == Tristate::Yes)) return false;
    if (long_mode != Tristate::Any && e.long_mode != (long_mode == Tristate::Yes)) return false;
    return true;
  }
};

// One-byte opcode, two-byte 0F xx, three-byte 0F 38 xx and 0F 3A xx; VEX maps.
constexpr OpcodePattern op(uint8_t b) { return {OpcodeMap::Primary, false, b}; }
constexpr OpcodePattern op0f(uint8_t b) { return {OpcodeMap::Map0F, false, b}; }
constexpr OpcodePattern op0f38(uint8_t b) { return {OpcodeMap::Map0F38, false, b}; }
constexpr OpcodePattern op0f3a(uint8_t b) { return {OpcodeMap::Map0F3A, false, b}; }
constexpr OpcodePattern vex0f38(uint8_t b) { return {OpcodeMap::Map0F38, true, b}; }
constexpr OpcodePattern vex0f3a(uint8_t b) { return {OpcodeMap::Map0F3A, true, b}; }

}  // namespace orcvm::sem
