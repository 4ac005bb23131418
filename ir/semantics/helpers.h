#pragma once
#include <cstdint>

namespace orcvm {

enum class Helper : uint8_t {
#define X(name, may_fault) name,
#include "ir/semantics/helpers.inc"
#undef X
  Count
};

constexpr bool helper_may_fault(Helper h) {
  constexpr bool table[] = {
#define X(name, may_fault) may_fault,
#include "ir/semantics/helpers.inc"
#undef X
  };
  return table[static_cast<int>(h)];
}

constexpr const char* helper_symbol(Helper h) {
  constexpr const char* table[] = {
#define X(name, may_fault) "orcvm_helper_" #name,
#include "ir/semantics/helpers.inc"
#undef X
  };
  return table[static_cast<int>(h)];
}

}  // namespace orcvm
