#pragma once
// The FXSAVE image (SDM Vol. 1, 10.5.1, Tables 10-2 and 10-3): the live x87/SSE
// state of CpuState written to and read from the 512-byte layout.
#include <cstdint>

#include "runtime/vcpu/cpu_state.h"

namespace orcvm {

constexpr unsigned kFxsaveImageBytes = 512;
// What FXSAVE writes: the header, ST0-ST7 and XMM0-XMM15 (XMM0-XMM7 outside 64-bit
// mode); the reserved bytes 416-463 and the software bytes 464-511 are left alone.
constexpr unsigned fxsave_written_bytes(bool long_mode) { return long_mode ? 416 : 288; }

enum class FxsaveFormat { Legacy32, Rex64 };  // FXSAVE's FIP/FCS/FDP/FDS or FXSAVE64's 64-bit FIP/FDP

void write_fxsave_image(const CpuState& cpu, FxsaveFormat format, bool long_mode, uint8_t* image);

// False, loading nothing, when MXCSR in the image sets a reserved bit (#GP(0)).
bool read_fxsave_image(CpuState& cpu, FxsaveFormat format, bool long_mode, const uint8_t* image);

}  // namespace orcvm
