#include "runtime/vcpu/fxsave.h"

#include <cstring>

#include "runtime/fpu/sse_float.h"

namespace orcvm {

namespace {

constexpr unsigned kFcw = 0, kFsw = 2, kFtw = 4, kFop = 6, kFip = 8, kFcs = 12, kFdp = 16, kFds = 20,
                   kMxcsr = 24, kMxcsrMask = 28, kRegisters = 32, kXmm = 160;

template <class T> void put(uint8_t* image, unsigned offset, T value) { std::memcpy(image + offset, &value, sizeof value); }
template <class T> T get(const uint8_t* image, unsigned offset) {
  T value;
  std::memcpy(&value, image + offset, sizeof value);
  return value;
}

unsigned top(const FpuState& f) { return (f.status & x87::TopMask) >> x87::TopShift; }
unsigned xmm_count(bool long_mode) { return long_mode ? 16 : 8; }

}  // namespace

void write_fxsave_image(const CpuState& cpu, FxsaveFormat format, bool long_mode, uint8_t* image) {
  const FpuState& f = cpu.fpu;
  std::memset(image, 0, fxsave_written_bytes(long_mode));
  put<uint16_t>(image, kFcw, f.control);
  put<uint16_t>(image, kFsw, x87::status_with_summary(f.status, f.control));
  put<uint8_t>(image, kFtw, f.not_empty);
  put<uint16_t>(image, kFop, f.last_opcode & 0x7ff);
  if (format == FxsaveFormat::Rex64) {
    put<uint64_t>(image, kFip, f.last_ip);
    put<uint64_t>(image, kFdp, f.last_dp);
  } else {
    put<uint32_t>(image, kFip, static_cast<uint32_t>(f.last_ip));
    put<uint16_t>(image, kFcs, f.last_cs);
    put<uint32_t>(image, kFdp, static_cast<uint32_t>(f.last_dp));
    put<uint16_t>(image, kFds, f.last_ds);
  }
  put<uint32_t>(image, kMxcsr, f.mxcsr);
  put<uint32_t>(image, kMxcsrMask, fpu::mxcsr::Writable);
  // ST(i), in stack order: the register TOP + i.
  for (unsigned i = 0; i < 8; ++i) {
    const X87Register& r = f.reg[(top(f) + i) & 7];
    put<uint64_t>(image, kRegisters + 16 * i, r.significand);
    put<uint16_t>(image, kRegisters + 16 * i + 8, r.sign_exponent);
  }
  for (unsigned i = 0; i < xmm_count(long_mode); ++i) std::memcpy(image + kXmm + 16 * i, cpu.vec[i], 16);
}

bool read_fxsave_image(CpuState& cpu, FxsaveFormat format, bool long_mode, const uint8_t* image) {
  const uint32_t mxcsr = get<uint32_t>(image, kMxcsr);
  if (mxcsr & ~fpu::mxcsr::Writable) return false;
  FpuState& f = cpu.fpu;
  f.control = get<uint16_t>(image, kFcw);
  f.status = get<uint16_t>(image, kFsw);
  f.not_empty = get<uint8_t>(image, kFtw);
  f.last_opcode = get<uint16_t>(image, kFop) & 0x7ff;
  if (format == FxsaveFormat::Rex64) {
    f.last_ip = get<uint64_t>(image, kFip);
    f.last_dp = get<uint64_t>(image, kFdp);
    f.last_cs = f.last_ds = 0;
  } else {
    f.last_ip = get<uint32_t>(image, kFip);
    f.last_cs = get<uint16_t>(image, kFcs);
    f.last_dp = get<uint32_t>(image, kFdp);
    f.last_ds = get<uint16_t>(image, kFds);
  }
  f.mxcsr = mxcsr;
  for (unsigned i = 0; i < 8; ++i) {
    X87Register& r = f.reg[(top(f) + i) & 7];
    r.significand = get<uint64_t>(image, kRegisters + 16 * i);
    r.sign_exponent = get<uint16_t>(image, kRegisters + 16 * i + 8);
  }
  for (unsigned i = 0; i < xmm_count(long_mode); ++i) std::memcpy(cpu.vec[i], image + kXmm + 16 * i, 16);
  return true;
}

}  // namespace orcvm
