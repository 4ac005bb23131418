#pragma once
#include <cstdint>

namespace orcvm {

enum class Helper : uint8_t {
#define X(name, may_fault, registers) name,
#include "ir/semantics/helpers.inc"
#undef X
  Count
};

constexpr bool helper_may_fault(Helper h) {
  constexpr bool table[] = {
#define X(name, may_fault, registers) may_fault,
#include "ir/semantics/helpers.inc"
#undef X
  };
  return table[static_cast<int>(h)];
}

// What a helper does with the guest registers a compiled block holds as SSA values.
enum class HelperRegisters : uint8_t { None, Read, Write };

constexpr HelperRegisters helper_registers(Helper h) {
  constexpr HelperRegisters table[] = {
#define X(name, may_fault, registers) HelperRegisters::registers,
#include "ir/semantics/helpers.inc"
#undef X
  };
  return table[static_cast<int>(h)];
}

constexpr const char* helper_symbol(Helper h) {
  constexpr const char* table[] = {
#define X(name, may_fault, registers) "orcvm_helper_" #name,
#include "ir/semantics/helpers.inc"
#undef X
  };
  return table[static_cast<int>(h)];
}

}  // namespace orcvm
