#pragma once
// The interpreter tier's emitter: each semantics operation computes its value at
// once, on plain integers.
#include <array>
#include <atomic>
#include <type_traits>

#include "ir/semantics/canonical.h"
#include "ir/semantics/emitter.h"
#include "ir/semantics/lazy_flags.h"
#include "runtime/softmmu/locked_access.h"
#include "runtime/softmmu/mmu.h"
#include "runtime/vcpu/exec_context.h"
#include "runtime/vcpu/helpers.h"
#include "runtime/vcpu/segment_checks.h"

namespace orcvm {

// Thrown when a semantics operation faulted; the exception is recorded in CpuState.
struct GuestFault {};

class InterpEmitter {
 public:
  template <unsigned W>
  struct Value {
    static constexpr unsigned bits = W;
    using T = std::conditional_t<(W > 64), unsigned __int128, uint64_t>;
    T v;
    static constexpr T mask(T x) {
      if constexpr (W == 64 || W == 128) return x;
      else return x & ((T{1} << W) - 1);
    }
    static constexpr Value make(T x) { return Value{mask(x)}; }
    // The value as a signed number of W bits.
    using S = std::conditional_t<(W > 64), __int128, int64_t>;
    S sv() const {
      if constexpr (W == 64 || W == 128) return static_cast<S>(v);
      else return static_cast<S>(v << (sizeof(T) * 8 - W)) >> (sizeof(T) * 8 - W);
    }
  };

  InterpEmitter(ExecContext* ctx, BlockMode mode) : ctx_(ctx), mode_(mode) {}

  BlockMode mode() const { return mode_; }
  bool block_ended() const { return ended_; }
  bool ended_to_loop() const { return to_loop_; }
  void begin_instruction(const DecodedInsn& insn) { insn_ = &insn; ended_ = false; }

  template <unsigned W> Value<W> imm(uint64_t x) { return Value<W>::make(x); }
  template <unsigned To, unsigned From> Value<To> zext(Value<From> x) { return Value<To>::make(x.v); }
  template <unsigned To, unsigned From> Value<To> sext(Value<From> x) {
    return Value<To>::make(static_cast<typename Value<To>::T>(x.sv()));
  }
  template <unsigned To, unsigned From> Value<To> trunc(Value<From> x) { return Value<To>::make(x.v); }

  template <unsigned W> Value<W> add(Value<W> a, Value<W> b) { return Value<W>::make(a.v + b.v); }
  template <unsigned W> Value<W> sub(Value<W> a, Value<W> b) { return Value<W>::make(a.v - b.v); }
  template <unsigned W> Value<W> mul(Value<W> a, Value<W> b) { return Value<W>::make(a.v * b.v); }
  template <unsigned W> Value<W> and_(Value<W> a, Value<W> b) { return {a.v & b.v}; }
  template <unsigned W> Value<W> or_(Value<W> a, Value<W> b) { return {a.v | b.v}; }
  template <unsigned W> Value<W> xor_(Value<W> a, Value<W> b) { return {a.v ^ b.v}; }
  template <unsigned W> Value<W> not_(Value<W> a) { return Value<W>::make(~a.v); }
  template <unsigned W> Value<W> neg(Value<W> a) { return Value<W>::make(-a.v); }
  template <unsigned W> Value<W> shl(Value<W> a, Value<W> n) { return Value<W>::make(a.v << n.v); }
  template <unsigned W> Value<W> lshr(Value<W> a, Value<W> n) { return {a.v >> n.v}; }
  template <unsigned W> Value<W> ashr(Value<W> a, Value<W> n) {
    return Value<W>::make(static_cast<typename Value<W>::T>(a.sv() >> n.v));
  }
  template <unsigned W> Value<W> fshl(Value<W> hi, Value<W> lo, Value<W> n) {
    unsigned c = static_cast<unsigned>(n.v % W);
    return c == 0 ? hi : Value<W>::make((hi.v << c) | (lo.v >> (W - c)));
  }
  template <unsigned W> Value<W> fshr(Value<W> hi, Value<W> lo, Value<W> n) {
    unsigned c = static_cast<unsigned>(n.v % W);
    return c == 0 ? lo : Value<W>::make((hi.v << (W - c)) | (lo.v >> c));
  }
  template <unsigned W> Value<W> udiv(Value<W> a, Value<W> b) { return {a.v / b.v}; }
  template <unsigned W> Value<W> urem(Value<W> a, Value<W> b) { return {a.v % b.v}; }
  template <unsigned W> Value<W> sdiv(Value<W> a, Value<W> b) {
    return Value<W>::make(static_cast<typename Value<W>::T>(a.sv() / b.sv()));
  }
  template <unsigned W> Value<W> srem(Value<W> a, Value<W> b) {
    return Value<W>::make(static_cast<typename Value<W>::T>(a.sv() % b.sv()));
  }
  template <unsigned W> Value<W> ctpop(Value<W> a) {
    unsigned n = __builtin_popcountll(static_cast<uint64_t>(a.v));
    if constexpr (W > 64) n += __builtin_popcountll(static_cast<uint64_t>(a.v >> 64));
    return {n};
  }
  template <unsigned W> Value<W> ctlz(Value<W> a) {
    unsigned n = 0;
    for (int b = W - 1; b >= 0 && !((a.v >> b) & 1); --b) ++n;
    return {n};
  }
  template <unsigned W> Value<W> cttz(Value<W> a) {
    unsigned n = 0;
    while (n < W && !((a.v >> n) & 1)) ++n;
    return {n};
  }
  template <unsigned W> Value<W> bswap(Value<W> a) {
    typename Value<W>::T r = 0;
    for (unsigned i = 0; i < W / 8; ++i) r |= ((a.v >> (8 * i)) & 0xff) << (W - 8 - 8 * i);
    return {r};
  }

  template <unsigned W> Value<1> eq(Value<W> a, Value<W> b) { return {a.v == b.v}; }
  template <unsigned W> Value<1> ne(Value<W> a, Value<W> b) { return {a.v != b.v}; }
  template <unsigned W> Value<1> ult(Value<W> a, Value<W> b) { return {a.v < b.v}; }
  template <unsigned W> Value<1> ule(Value<W> a, Value<W> b) { return {a.v <= b.v}; }
  template <unsigned W> Value<1> slt(Value<W> a, Value<W> b) { return {a.sv() < b.sv()}; }
  template <unsigned W> Value<1> sle(Value<W> a, Value<W> b) { return {a.sv() <= b.sv()}; }
  template <unsigned W> Value<W> select(Value<1> c, Value<W> a, Value<W> b) { return c.v ? a : b; }

  Value<64> get_gpr(unsigned n) { return {ctx_->cpu.gpr[n]}; }
  void set_gpr(unsigned n, Value<64> v) { ctx_->cpu.gpr[n] = v.v; }
  Value<1> get_flag(sem::Flag f) { return {(&ctx_->cpu.cf)[static_cast<int>(f)]}; }
  void set_flag(sem::Flag f, Value<1> b) { (&ctx_->cpu.cf)[static_cast<int>(f)] = static_cast<uint8_t>(b.v); }
  template <class X> void flags_from(sem::LazyFlags, X, X) {}  // stored already
  Value<1> get_df() { return {(ctx_->cpu.rflags & rflags::DF) != 0}; }
  void set_df(Value<1> b) { ctx_->cpu.rflags = (ctx_->cpu.rflags & ~rflags::DF) | (b.v ? rflags::DF : 0); }

  template <unsigned W> Value<W> load(Seg seg, Value<64> ea) { return read<W>(seg, ea, Access::Read); }
  template <unsigned W> Value<W> load_aligned(Seg seg, Value<64> ea) {
    require_alignment(seg, ea, W / 8);
    return load<W>(seg, ea);
  }

  template <unsigned W> void store(Seg seg, Value<64> ea, Value<W> v) {
    check_segment(seg, ea.v, W / 8, true);
    uint64_t linear = linear_address(seg, ea.v);
    check_alignment(linear, W / 8);
    if (uint8_t* host = tlb_lookup(ctx_, mode_.tlb_bank(), linear, W / 8, Access::Write)) {
      __builtin_memcpy(host, &v.v, W / 8);
      return;
    }
    if constexpr (W == 128)
      mmu_write128(ctx_, linear, static_cast<uint64_t>(v.v), static_cast<uint64_t>(v.v >> 64), how(seg, false));
    else
      mmu_write(ctx_, linear, W / 8, static_cast<uint64_t>(v.v), how(seg, false));
    check_fault();
  }
  template <unsigned W> void store_aligned(Seg seg, Value<64> ea, Value<W> v) {
    require_alignment(seg, ea, W / 8);
    store<W>(seg, ea, v);
  }

  Value<128> get_xmm(unsigned n) {
    const uint64_t* lanes = ctx_->cpu.vec[n];
    return {(static_cast<unsigned __int128>(lanes[1]) << 64) | lanes[0]};
  }
  void set_xmm(unsigned n, Value<128> v) {
    ctx_->cpu.vec[n][0] = static_cast<uint64_t>(v.v);
    ctx_->cpu.vec[n][1] = static_cast<uint64_t>(v.v >> 64);
  }
  template <unsigned L> Value<128> vadd(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) { return x + y; });
  }
  template <unsigned L> Value<128> vsub(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) { return x - y; });
  }
  template <unsigned L> Value<128> vcmpeq(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) { return x == y ? ~uint64_t{0} : 0; });
  }
  template <unsigned L> Value<128> vcmpgt(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t, uint64_t, int64_t x, int64_t y) { return x > y ? ~uint64_t{0} : 0; });
  }
  template <unsigned L> Value<128> vmul(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) { return x * y; });
  }
  template <unsigned L> Value<128> vumulh(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) {
      return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * y) >> L);
    });
  }
  template <unsigned L> Value<128> vsmulh(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t, uint64_t, int64_t x, int64_t y) {
      return static_cast<uint64_t>((static_cast<__int128>(x) * y) >> L);
    });
  }
  template <unsigned L> Value<128> vumin(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) { return x < y ? x : y; });
  }
  template <unsigned L> Value<128> vumax(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) { return x > y ? x : y; });
  }
  template <unsigned L> Value<128> vsmin(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t, uint64_t, int64_t x, int64_t y) { return static_cast<uint64_t>(x < y ? x : y); });
  }
  template <unsigned L> Value<128> vsmax(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t, uint64_t, int64_t x, int64_t y) { return static_cast<uint64_t>(x > y ? x : y); });
  }
  template <unsigned L> Value<128> vuadd_sat(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) {
      return unsigned_saturate<L>(static_cast<__int128>(x) + y);
    });
  }
  template <unsigned L> Value<128> vusub_sat(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) {
      return unsigned_saturate<L>(static_cast<__int128>(x) - y);
    });
  }
  template <unsigned L> Value<128> vsadd_sat(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t, uint64_t, int64_t x, int64_t y) {
      return signed_saturate<L>(static_cast<__int128>(x) + y);
    });
  }
  template <unsigned L> Value<128> vssub_sat(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t, uint64_t, int64_t x, int64_t y) {
      return signed_saturate<L>(static_cast<__int128>(x) - y);
    });
  }
  template <unsigned L> Value<128> vavgu(Value<128> a, Value<128> b) {
    return lanewise<L>(a, b, [](uint64_t x, uint64_t y, int64_t, int64_t) {
      return static_cast<uint64_t>((static_cast<unsigned __int128>(x) + y + 1) >> 1);
    });
  }
  template <unsigned L> Value<128> vshl(Value<128> a, Value<64> n) {
    return lanewise<L>(a, a, [n](uint64_t x, uint64_t, int64_t, int64_t) { return x << n.v; });
  }
  template <unsigned L> Value<128> vlshr(Value<128> a, Value<64> n) {
    return lanewise<L>(a, a, [n](uint64_t x, uint64_t, int64_t, int64_t) { return x >> n.v; });
  }
  template <unsigned L> Value<128> vashr(Value<128> a, Value<64> n) {
    return lanewise<L>(a, a, [n](uint64_t, uint64_t, int64_t x, int64_t) { return static_cast<uint64_t>(x >> n.v); });
  }
  template <unsigned L> Value<128> vshuffle(Value<128> a, Value<128> b, const std::array<uint8_t, 128 / L>& pick) {
    constexpr unsigned kLanes = 128 / L;
    unsigned __int128 r = 0;
    for (unsigned k = 0; k < kLanes; ++k) {
      const unsigned from = pick[k];
      r |= static_cast<unsigned __int128>(lane<L>(from < kLanes ? a : b, from % kLanes)) << (k * L);
    }
    return {r};
  }
  template <unsigned L> Value<L> vextract(Value<128> a, unsigned n) { return {lane<L>(a, n)}; }
  template <unsigned L> Value<128> vinsert(Value<128> a, unsigned n, Value<L> x) {
    const unsigned __int128 field = static_cast<unsigned __int128>(lane_mask<L>()) << (n * L);
    return {(a.v & ~field) | (static_cast<unsigned __int128>(x.v) << (n * L))};
  }
  template <unsigned L> Value<32> movemask(Value<128> a) {
    uint64_t mask = 0;
    for (unsigned i = 0; i < 128 / L; ++i) mask |= static_cast<uint64_t>((a.v >> (i * L + L - 1)) & 1) << i;
    return {mask};
  }

  template <unsigned W, class F>
  std::pair<Value<W>, Value<W>> update(Seg seg, Value<64> ea, F&& compute) {
    const Value<W> old = read<W>(seg, ea, Access::Write);
    const Value<W> result = compute(old);
    store(seg, ea, result);
    return {old, result};
  }

  template <unsigned W, class F>
  std::pair<Value<W>, Value<W>> locked_update(Seg seg, Value<64> ea, F&& compute) {
    using T = typename Value<W>::T;
    using Word = std::conditional_t<W == 8, uint8_t, std::conditional_t<W == 16, uint16_t,
                 std::conditional_t<W == 32, uint32_t, uint64_t>>>;
    check_segment(seg, ea.v, W / 8, true);
    const uint64_t linear = linear_address(seg, ea.v);
    check_alignment(linear, W / 8);
    auto* host = static_cast<Word*>(mmu_rmw_pointer(ctx_, linear, W / 8, how(seg, true)));
    check_fault();
    Word old = __atomic_load_n(host, __ATOMIC_SEQ_CST);
    for (;;) {
      Value<W> result = compute(Value<W>{static_cast<T>(old)});
      Word desired = static_cast<Word>(result.v);
      if (__atomic_compare_exchange_n(host, &old, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        if (is_locked_bounce(ctx_, host)) mmu_locked_commit(ctx_);
        return {Value<W>{static_cast<T>(old)}, result};
      }
    }
  }

  template <class... Args>
  Value<64> call(Helper h, Args... args) {
    static_assert(sizeof...(Args) <= 3);
    uint64_t values[3] = {args.v...};
    uint64_t r = helper_function(h)(ctx_, values[0], values[1], values[2]);
    if (helper_may_fault(h)) check_fault();
    return {r};
  }

  template <class C, class B> void loop_while(C&& cond, B&& body) {
    while (cond().v) {
      if (std::atomic_ref<uint32_t>(ctx_->exit_request).load(std::memory_order_relaxed)) {
        exit_to_loop(insn_->rip);  // resume this instruction after the VCPU loop's work
        return;
      }
      if (!body().v) break;
    }
  }

  void jump(uint64_t target) { end_block(target); }
  void jump_cond(Value<1> c, uint64_t taken, uint64_t not_taken) { end_block(c.v ? taken : not_taken); }
  void jump_indirect(Value<64> target) { end_block(target.v); }
  void exit_to_loop(uint64_t rip) {
    end_block(rip);
    to_loop_ = true;
  }
  void raise(uint8_t vector) { raise_exception(ctx_, vector); throw GuestFault{}; }
  void raise(uint8_t vector, uint32_t error_code) { raise_exception(ctx_, vector, error_code, true); throw GuestFault{}; }
  void raise_if(Value<1> c, uint8_t vector) { if (c.v) raise(vector); }
  void raise_if(Value<1> c, uint8_t vector, uint32_t error_code) { if (c.v) raise(vector, error_code); }
  void raise_trap_if(Value<1> c, uint8_t vector, uint64_t next_rip) {
    if (c.v) raise_trap(vector, next_rip);
  }
  void exit_at_current_rip() { ended_ = to_loop_ = true; }
  void raise_trap(uint8_t vector, uint64_t next_rip) {
    ctx_->cpu.rip = next_rip;
    raise_exception(ctx_, vector);
    ctx_->cpu.exception.software = 1;
    ctx_->cpu.exception.instruction_length = insn_->length;
    throw GuestFault{};
  }

 private:
  template <unsigned L> static constexpr uint64_t lane_mask() { return L == 64 ? ~uint64_t{0} : (uint64_t{1} << L) - 1; }
  template <unsigned L> static uint64_t lane(Value<128> a, unsigned n) {
    return static_cast<uint64_t>(a.v >> (n * L)) & lane_mask<L>();
  }
  // x clamped to the L-bit unsigned or signed range.
  template <unsigned L> static uint64_t unsigned_saturate(__int128 x) {
    const __int128 high = lane_mask<L>();
    return static_cast<uint64_t>(x < 0 ? 0 : x > high ? high : x);
  }
  template <unsigned L> static uint64_t signed_saturate(__int128 x) {
    const __int128 high = static_cast<__int128>(lane_mask<L>() >> 1), low = -high - 1;
    return static_cast<uint64_t>(x < low ? low : x > high ? high : x);
  }
  // Lane i of the result is f(lane i of a, of b, each also sign-extended).
  template <unsigned L, class F> static Value<128> lanewise(Value<128> a, Value<128> b, F&& f) {
    constexpr uint64_t kMask = lane_mask<L>();
    unsigned __int128 r = 0;
    for (unsigned i = 0; i < 128 / L; ++i) {
      const uint64_t x = static_cast<uint64_t>(a.v >> (i * L)) & kMask, y = static_cast<uint64_t>(b.v >> (i * L)) & kMask;
      const auto sx = static_cast<int64_t>(x << (64 - L)) >> (64 - L), sy = static_cast<int64_t>(y << (64 - L)) >> (64 - L);
      r |= static_cast<unsigned __int128>(f(x, y, sx, sy) & kMask) << (i * L);
    }
    return {r};
  }
  void require_alignment(Seg seg, Value<64> ea, unsigned bytes) {
    if (linear_address(seg, ea.v) & (bytes - 1)) raise(vector::GP, 0);
  }
  template <unsigned W> Value<W> read(Seg seg, Value<64> ea, Access access) {
    check_segment(seg, ea.v, W / 8, access == Access::Write);
    uint64_t linear = linear_address(seg, ea.v);
    check_alignment(linear, W / 8);
    if (const uint8_t* host = tlb_lookup(ctx_, mode_.tlb_bank(), linear, W / 8, access)) {
      typename Value<W>::T x = 0;
      __builtin_memcpy(&x, host, W / 8);
      return {x};
    }
    if constexpr (W == 128) {
      const uint64_t low = mmu_read(ctx_, linear, 8, how(seg, access == Access::Write));
      check_fault();
      const uint64_t high = mmu_read(ctx_, linear + 8, 8, how(seg, access == Access::Write));
      check_fault();
      return {(static_cast<unsigned __int128>(high) << 64) | low};
    } else {
      uint64_t x = mmu_read(ctx_, linear, W / 8, how(seg, access == Access::Write));
      check_fault();
      return Value<W>::make(x);
    }
  }
  unsigned how(Seg seg, bool write_intent) const {
    return mode_.tlb_bank() | (seg == Seg::SS ? access_how::Stack : 0) | (write_intent ? access_how::WriteIntent : 0);
  }
  void check_segment(Seg seg, uint64_t offset, unsigned size, bool write) {
    if (seg == Seg::None || !(mode_.bits & BlockMode::segment_check_bit(static_cast<unsigned>(seg)))) return;
    if (!check_segment_access(ctx_, seg, offset, size, write)) check_fault();
  }
  void check_alignment(uint64_t linear, unsigned size) {
    // #AC has the lowest priority: a non-canonical address faults in the MMU instead.
    if ((mode_.bits & BlockMode::kAlignCheck) && (linear & (size - 1)) && canonical(linear)) raise(vector::AC, 0);
  }
  uint64_t linear_address(Seg seg, uint64_t ea) const {
    if (seg == Seg::FS || seg == Seg::GS || (mode_.bits & BlockMode::kSegBases && seg != Seg::None))
      return ea + ctx_->cpu.seg[static_cast<int>(seg)].base;
    return ea;
  }
  void check_fault() {
    if (!ctx_->cpu.exception.pending) return;
    ctx_->cpu.exception.rip = ctx_->cpu.rip;
    throw GuestFault{};
  }
  void end_block(uint64_t rip) {
    ctx_->cpu.rip = rip;
    ended_ = true;
  }

  ExecContext* ctx_;
  BlockMode mode_;
  const DecodedInsn* insn_ = nullptr;
  bool ended_ = false;
  bool to_loop_ = false;
};

}  // namespace orcvm
