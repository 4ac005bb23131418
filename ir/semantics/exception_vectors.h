#pragma once
// The architectural exception vectors (SDM Vol. 3, 6.3.1) and which of them push
// an error code: the one definition every layer uses.
#include <cstdint>

namespace orcvm::vector {

constexpr uint8_t DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
                  SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, CP = 21;
// AMD's SEV-ES #VC and #SX: orcvm never raises them, but a host or KVM oracle may report them.
constexpr uint8_t VC = 29, SX = 30;

// Whether delivering exception `vector` pushes an error code (never for INT n).
constexpr bool pushes_error_code(unsigned v) {
  return v == DF || (v >= TS && v <= PF) || v == AC || v == CP || v == VC || v == SX;
}

}  // namespace orcvm::vector
