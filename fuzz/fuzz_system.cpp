// libFuzzer harness: random bytes as the CPL 0 code and data of a whole orcvm PC
// (runtime/vcpu/machine.h: RAM, the platform's devices, the VCPU, the JIT), entered in
// 32-bit protected mode or in long mode, with paging off or on identity page tables of
// the whole 4 GiB. Unlike fuzz_vm's user-mode code, which sees only its own pages, this
// code can reach every physical address, as code and as data: the local APIC and IOAPIC
// windows, unassigned space, the last bytes of RAM and the addresses just above it; and
// it may rewrite CR0, CR3, CR4 and its page tables. Whatever it does, the run must end
// with a result (usually a triple fault: no IDT is set up) within its instruction
// budget: never a host crash, a sanitizer report or an uncaught exception.
//
// Input (docs/difftest.md, "Fuzzing"):
//   byte 0     bits 0-1  tier: interpreter, JIT, auto, interpreter
//              bits 2-3  RAM: 1 MiB, 2 MiB, 64 MiB, 3 MiB + 4 KiB (not a power of two)
//              bits 4-5  entry: 32-bit protected mode flat with paging off; the same with
//                        32-bit paging (4 MiB pages); with PAE paging (2 MiB pages); long
//                        mode (4-level paging, 2 MiB pages, 64-bit code)
//              bit 6     the code address counts back from the end of RAM
//              bit 7     the data address counts back from the end of RAM
//   bytes 1-4  code address, little endian: where the code goes and execution starts
//   bytes 5-8  data address
//   byte 9     code length N
//   the rest   N bytes of code, then the data
// The code and the data are written where they fall into RAM, the code last; the bytes
// that miss RAM are dropped. At entry EAX points at the data, EBX at the local APIC, ECX
// at the end of RAM, EDX at the IOAPIC, ESI at the last 8 bytes of RAM, EDI into
// unassigned space, ESP and EBP at a stack in low RAM.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "fuzz/instruction_budgets.h"
#include "loader/boot_state.h"
#include "loader/elf.h"
#include "runtime/vcpu/machine.h"

using namespace orcvm;

namespace {

constexpr uint64_t kRamSizes[4] = {1ull << 20, 2ull << 20, 64ull << 20, (3ull << 20) + 4096};
enum class Entry { Flat, Paging32, Pae, Long };
constexpr size_t kHeaderSize = 10;

constexpr uint32_t kLocalApic = 0xfee00000, kIoApic = 0xfec00000, kUnassigned = 0xe0000000;
constexpr uint32_t kStackTop = 0x80000;
// The harness's page tables, clear of the boot area of loader/elf.h (whose tables the
// long-mode entry writes), of the stack and of the boot GDT and ACPI tables above 640 KiB.
constexpr uint64_t kDirectory32 = 0x10000, kPml4 = 0x10000, kPdpt = 0x11000, kPaeDirectories = 0x12000;
constexpr uint64_t kPresent = 1, kWritable = 2, kLargePage = 0x80;

// Auto compiles a block in the background once it has run hot_threshold times: this
// budget makes at most 128 instructions hot, as many as two blocks.
constexpr int64_t kAutoBudget = int64_t{VcpuOptions{}.hot_threshold} * 128;
// A guest that enables interrupts with every source masked and halts waits for ever:
// the budget counts no halted time, so a host-time limit ends its run. Twice what the
// budgets allow the slowest run (a JIT run of fresh 64-instruction blocks, about 1 s
// under ASan), so it ends only idle guests (about one input in 700).
constexpr std::chrono::milliseconds kHostTimeLimit{2000};

struct Input {
  Tier tier;
  uint64_t ram_size;
  Entry entry;
  uint32_t code_address, data_address;
  const uint8_t *code, *data;
  size_t code_size, data_size;
};

uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t{p[3]} << 24; }

Input parse(const uint8_t* data, size_t size) {
  constexpr Tier kTiers[4] = {Tier::Interpreter, Tier::Jit, Tier::Auto, Tier::Interpreter};
  Input in;
  in.tier = kTiers[data[0] & 3];
  in.ram_size = kRamSizes[(data[0] >> 2) & 3];
  in.entry = static_cast<Entry>((data[0] >> 4) & 3);
  const auto ram_end = static_cast<uint32_t>(in.ram_size);
  in.code_address = (data[0] & 0x40) ? ram_end - le32(data + 1) : le32(data + 1);
  in.data_address = (data[0] & 0x80) ? ram_end - le32(data + 5) : le32(data + 5);
  in.code = data + kHeaderSize;
  in.code_size = std::min<size_t>(data[9], size - kHeaderSize);
  in.data = in.code + in.code_size;
  in.data_size = size - kHeaderSize - in.code_size;
  return in;
}

// Through the physical write path, as a DMA device would: only RAM is written.
void place(PhysicalMemory& memory, uint32_t address, const uint8_t* bytes, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    const uint32_t a = address + static_cast<uint32_t>(i);
    if (memory.is_ram(a, 1)) memory.write(a, 1, bytes[i]);
  }
}

// Large pages mapping all 4 GiB one to one, so that paging on or off reaches the same
// physical addresses.
void map_four_gib(PhysicalMemory& memory, CpuState& cpu, Entry entry) {
  const uint64_t leaf = kPresent | kWritable | kLargePage;
  if (entry == Entry::Paging32) {
    for (uint64_t i = 0; i < 1024; ++i) memory.write(kDirectory32 + i * 4, 4, i << 22 | leaf);
    cpu.cr3 = kDirectory32;
    cpu.cr4 |= cr4::PSE;
  } else {
    for (uint64_t i = 0; i < 2048; ++i) memory.write(kPaeDirectories + i * 8, 8, i << 21 | leaf);
    // R/W is reserved in a PAE PDPTE; long mode needs it.
    const uint64_t directory = entry == Entry::Pae ? kPresent : kPresent | kWritable;
    for (uint64_t i = 0; i < 4; ++i) memory.write(kPdpt + i * 8, 8, (kPaeDirectories + i * kPageSize) | directory);
    if (entry == Entry::Long) {
      memory.write(kPml4, 8, kPdpt | kPresent | kWritable);
      cpu.cr3 = kPml4;
    } else {
      cpu.cr3 = kPdpt;
      cpu.cr4 |= cr4::PAE;
    }
  }
  cpu.cr0 |= cr0::PG;
}

void load(const Input& in, Machine& machine) {
  PhysicalMemory& memory = machine.memory();
  CpuState& cpu = machine.vcpu().cpu();
  if (in.entry == Entry::Long)
    enter_long_mode(memory, cpu, in.code_address);
  else
    enter_protected_mode_flat(memory, cpu, in.code_address, EntryRegisters32{});
  if (in.entry != Entry::Flat) map_four_gib(memory, cpu, in.entry);
  cpu.gpr[RAX] = in.data_address;
  cpu.gpr[RBX] = kLocalApic;
  cpu.gpr[RCX] = in.ram_size;
  cpu.gpr[RDX] = kIoApic;
  cpu.gpr[RSI] = in.ram_size - 8;
  cpu.gpr[RDI] = kUnassigned;
  cpu.gpr[RSP] = cpu.gpr[RBP] = kStackTop;
  place(memory, in.data_address, in.data, in.data_size);
  place(memory, in.code_address, in.code, in.code_size);
}

// Runs a machine on the calling thread and stops it from its own thread once the run
// has taken kHostTimeLimit.
class HostTimeLimit {
 public:
  HostTimeLimit() : thread_([this] { watch(); }) {}
  ~HostTimeLimit() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }

  RunResult run(Machine& machine) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_ = &machine;
      deadline_ = std::chrono::steady_clock::now() + kHostTimeLimit;
    }
    changed_.notify_one();
    RunResult result = machine.run();
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = nullptr;
    return result;
  }

 private:
  void watch() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!quit_) {
      if (!running_) {
        changed_.wait(lock);
      } else if (std::chrono::steady_clock::now() < deadline_) {
        changed_.wait_until(lock, deadline_);
      } else {
        running_->vcpu().request_stop(RunResult{RunResult::Kind::Budget, 0, "host time limit"});
        running_->platform().kick(0);  // out of HLT
        running_ = nullptr;
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  Machine* running_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static HostTimeLimit limit;
  if (size < kHeaderSize) return 0;
  const Input in = parse(data, size);
  MachineConfig config;
  config.ram_size = in.ram_size;
  config.serial = nullptr;
  config.vcpu.tier = in.tier;
  config.vcpu.count_instructions = true;
  // A fresh machine per input: nothing of the last input's RAM, devices or translations
  // survives into this one, so every crash replays from its input alone. Making and
  // destroying it costs about 5 ms under ASan, against 15 ms for an average
  // interpreted run and 400 ms for a JIT run.
  Machine machine(config);
  machine.boot([&](Machine& m) { load(in, m); });
  machine.vcpu().context().budget = in.tier == Tier::Interpreter ? fuzz::kInterpreterBudget
                                    : in.tier == Tier::Jit       ? fuzz::kJitBudget
                                                                 : kAutoBudget;
  limit.run(machine);
  return 0;
}
