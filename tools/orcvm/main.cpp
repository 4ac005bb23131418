// orcvm: run an x86 guest by dynamic binary translation.
#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "loader/kernel.h"
#include "runtime/log.h"
#include "runtime/tcache/perf_map.h"
#include "runtime/vcpu/machine.h"
#include "tools/orcvm/console_input.h"
#include "tools/orcvm/termination_signals.h"

namespace po = boost::program_options;
using namespace orcvm;

namespace {

constexpr int kExitUsage = 2, kExitGuestFault = 3, kExitGuestHalted = 4;

// "-m 512", "-m 512M", "-m 2G": decimal, as QEMU reads it (a bare number is MiB).
uint64_t parse_size(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string suffix = text.substr(digits);
  uint64_t unit;
  if (suffix == "K" || suffix == "k") unit = 1ull << 10;
  else if (suffix == "M" || suffix == "m" || suffix.empty()) unit = 1ull << 20;
  else if (suffix == "G" || suffix == "g") unit = 1ull << 30;
  else unit = 0;
  constexpr uint64_t kMaxRam = 1ull << 40;
  if (digits == 0 || digits > 13 || unit == 0 || std::stoull(text.substr(0, digits)) > kMaxRam / unit)
    throw po::error("-m: '" + text + "' is not a size such as 512M or 2G (at most 1 TiB)");
  return std::stoull(text.substr(0, digits)) * unit;
}

void print_stats(const VcpuStats& s, const ExecContext& ctx) {
  const double per = s.blocks_translated ? 1.0 / s.blocks_translated : 0;
  const double compiled = s.blocks_compiled ? 1.0 / s.blocks_compiled : 0;
  const uint64_t lookups = s.jump_cache_hits + s.jump_cache_misses;
  std::fprintf(stderr,
               "orcvm stats:\n"
               "  blocks translated       %llu (%llu guest instructions, %.1f per block)\n"
               "  blocks compiled         %llu\n"
               "  us per translation      decode %.1f  lift %.1f  optimise %.1f  codegen %.1f  (total %.1f)\n"
               "  block executions (loop) %llu\n"
               "  interpreted             %llu block executions (%llu guest instructions)\n"
               "  chain patches           %llu\n"
               "  jump cache              %.1f%% hits of %llu loop lookups, %llu flushes\n"
               "  soft TLB                %.1f%% hits of %llu accesses by compiled code\n"
               "  blocks invalidated      %llu\n"
               "  uncached instructions   %llu (code outside RAM)\n",
               (unsigned long long)s.blocks_translated, (unsigned long long)s.guest_insns_translated,
               s.blocks_translated ? double(s.guest_insns_translated) / s.blocks_translated : 0.0,
               (unsigned long long)s.blocks_compiled, s.decode_us * per, s.lift_us * compiled,
               s.optimise_us * compiled, s.codegen_us * compiled,
               s.decode_us * per + (s.lift_us + s.optimise_us + s.codegen_us) * compiled,
               (unsigned long long)s.block_executions, (unsigned long long)s.interpreted_blocks,
               (unsigned long long)s.interpreted_insns, (unsigned long long)s.chain_patches,
               lookups ? 100.0 * s.jump_cache_hits / lookups : 0.0, (unsigned long long)lookups,
               (unsigned long long)s.jump_cache_flushes,
               ctx.memory_accesses ? 100.0 * (1.0 - double(ctx.tlb_misses) / double(ctx.memory_accesses)) : 0.0,
               (unsigned long long)ctx.memory_accesses,
               (unsigned long long)s.blocks_invalidated, (unsigned long long)s.uncached_instructions);
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description visible("Usage: orcvm [options] KERNEL\nOptions");
  visible.add_options()
      ("help,h", "show this help")
      ("memory,m", po::value<std::string>()->default_value("128M"), "guest RAM size (K, M, G suffix; bare number: MiB)")
      ("serial", po::value<std::string>()->default_value("stdio"), "UART: stdio (output to stdout, input from stdin; on a terminal Ctrl-A x quits), file:PATH (output) or none")
      ("debug,d", po::value<std::string>(), ("log items, comma separated: " + Log::item_names()).c_str())
      ("logfile,D", po::value<std::string>(), "write -d logs to FILE instead of stderr")
      ("one-insn-per-block", "translate one guest instruction per block")
      ("tier", po::value<std::string>()->default_value("auto"),
       "interp: interpret only; jit: compile every block; auto: interpret, compile hot blocks in the background")
      ("jit-opt", po::value<unsigned>()->default_value(1), "IR optimisation level of compiled blocks: 0, 1 or 2")
      ("stats", "print translation statistics when the guest stops")
      ("perfmap", "name compiled blocks by guest address for perf in /tmp/perf-PID.map")
      ("on-reset", po::value<std::string>()->default_value("exit"),
       "a guest reset or triple fault: exit (status 3, as QEMU's -no-reboot) or restart (reload KERNEL, run again)")
      ("icount", "deterministic time: every timer and the TSC count retired guest instructions (1 ns each)")
      ("smp", po::value<std::string>()->default_value("1"), "number of CPUs (only 1 is supported)");
  po::options_description boot("Kernel loading (docs/loaders.md)");
  boot.add_options()
      ("append", po::value<std::string>(),
       "kernel command line (multiboot: after the kernel path, as QEMU passes it; bzImage: as given)")
      ("initrd", po::value<std::string>(),
       "bzImage: the initial RAM disk FILE; multiboot: modules, comma separated, each 'FILE[ ARGS]' (its command "
       "line), ',,' a literal comma")
      ("load", po::value<std::string>(), "load KERNEL as a flat binary at physical address ADDR and enter it there")
      ("entry-mode", po::value<std::string>(),
       "with --load: 'protected' (32-bit flat, the default) or 'real' (real mode at CS:IP = ADDR>>4:ADDR&0xf)");
  visible.add(boot);
  po::options_description hidden;
  hidden.add_options()("kernel", po::value<std::string>());
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("kernel", 1);

  po::variables_map vm;
  MachineConfig config;
  std::string kernel;
  BootConfig boot_config;
  std::optional<std::string> serial_path, log_path;  // opened once the guest has loaded
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << visible;
      return 0;
    }
    if (!vm.count("kernel")) throw po::error("no KERNEL given");
    kernel = vm["kernel"].as<std::string>();
    boot_config.kernel_path = kernel;
    if (vm.count("append")) boot_config.append = vm["append"].as<std::string>();
    if (vm.count("initrd")) boot_config.module_list = vm["initrd"].as<std::string>();
    if (vm.count("load")) {
      const std::string text = vm["load"].as<std::string>();
      size_t end = 0;
      try {
        boot_config.load_addr = std::stoull(text, &end, 0);
      } catch (const std::exception&) {
        end = 0;
      }
      if (end == 0 || end != text.size()) throw po::error("--load: bad address '" + text + "'");
    }
    if (vm.count("entry-mode")) {
      const std::string mode = vm["entry-mode"].as<std::string>();
      if (!boot_config.load_addr) throw po::error("--entry-mode needs --load ADDR");
      if (mode == "real") boot_config.entry_mode = EntryMode::Real;
      else if (mode != "protected") throw po::error("--entry-mode must be protected or real");
    }
    config.ram_size = parse_size(vm["memory"].as<std::string>());
    if (config.ram_size < (2ull << 20)) throw po::error("-m: at least 2 MiB of RAM is needed");
    if (config.ram_size % kPageSize != 0) throw po::error("-m: RAM must be a whole number of 4 KiB pages");
    if (PhysicalAddressMap(config.ram_size).ram_top() > PhysicalAddressMap::kMaxPhysicalTop)
      throw po::error("-m: at most " + std::to_string((PhysicalAddressMap::kMaxPhysicalTop >> 30) - 1) +
                      " GiB of RAM fit in the CPU's 36-bit physical address space");
    const std::string serial = vm["serial"].as<std::string>();
    if (serial == "stdio") config.serial = stdout;
    else if (serial == "none") config.serial = nullptr;
    else if (serial.rfind("file:", 0) == 0) {
      serial_path = serial.substr(5);
      config.serial = nullptr;
    }
    else throw po::error("--serial must be stdio, file:PATH or none");
    if (vm.count("debug")) {
      std::string error = Log::enable(vm["debug"].as<std::string>());
      if (!error.empty()) throw po::error("-d: " + error);
    }
    if (vm.count("logfile")) log_path = vm["logfile"].as<std::string>();
    const std::string tier = vm["tier"].as<std::string>();
    if (tier == "interp") config.vcpu.tier = Tier::Interpreter;
    else if (tier == "jit") config.vcpu.tier = Tier::Jit;
    else if (tier == "auto") config.vcpu.tier = Tier::Auto;
    else throw po::error("--tier must be interp, jit or auto");
    config.vcpu.one_insn_per_block = vm.count("one-insn-per-block") != 0;
    config.vcpu.chaining = !Log::on(LogItem::NoChain);
    config.jit.opt_level = vm["jit-opt"].as<unsigned>();
    if (config.jit.opt_level > 2) throw po::error("--jit-opt must be 0, 1 or 2");
    config.jit.log_ir = Log::on(LogItem::Op);
    config.jit.log_ir_optimised = Log::on(LogItem::OpOpt);
    config.jit.log_asm = Log::on(LogItem::OutAsm);
    config.jit.count_memory_accesses = vm.count("stats") != 0;
    const std::string on_reset = vm["on-reset"].as<std::string>();
    if (on_reset == "restart") config.on_reset = OnReset::Restart;
    else if (on_reset != "exit") throw po::error("--on-reset must be exit or restart");
    config.icount = vm.count("icount") != 0;
    const std::string smp = vm["smp"].as<std::string>();
    if (smp.empty() || smp.find_first_not_of("0123456789") != std::string::npos)
      throw po::error("--smp: '" + smp + "' is not a number of CPUs");
    if (smp.substr(std::min(smp.find_first_not_of('0'), smp.size())) != "1")
      throw po::error("--smp: only 1 CPU is supported");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "orcvm: %s\nTry 'orcvm --help'.\n", e.what());
    return kExitUsage;
  }

  start_termination_signal_thread();
  std::unique_ptr<PerfMap> perf_map;  // outlives the machine, which writes it
  try {
    const std::vector<uint8_t> image = read_kernel_file(kernel, boot_config, config.ram_size);
    if (vm.count("perfmap")) {
      perf_map = std::make_unique<PerfMap>();
      config.vcpu.perf_map = perf_map.get();
    }
    if (config.serial == stdout) config.serial_in_fd = open_console_input();
    Machine machine(config);
    machine.boot([&](Machine& m) {  // again after each restart, into cleared RAM
      boot_config.memory_map = m.platform().e820();
      boot_config.acpi_rsdp = m.platform().acpi_tables().rsdp;
      load_kernel(image, boot_config, m.memory(), m.vcpu().cpu());
    });
    // Only a command line and kernel that passed every check may create or truncate files.
    if (log_path && !Log::set_file(*log_path)) {
      std::fprintf(stderr, "orcvm: -D: cannot write '%s'\n", log_path->c_str());
      return kExitUsage;
    }
    if (serial_path) {
      config.serial = std::fopen(serial_path->c_str(), "w");
      if (!config.serial) {
        std::fprintf(stderr, "orcvm: --serial: cannot write '%s'\n", serial_path->c_str());
        return kExitUsage;
      }
      machine.set_serial(config.serial);
    }
    stop_on_termination_signal(&machine);
    on_console_quit([&machine] { machine.stop(RunResult{RunResult::Kind::Stopped, 0, "quit with Ctrl-A x"}); });
    RunResult result = machine.run();
    on_console_quit(nullptr);
    stop_on_termination_signal(nullptr);
    restore_console();
    if (config.serial) std::fflush(config.serial);
    Log::flush();
    if (vm.count("stats")) print_stats(machine.vcpu().stats(), machine.vcpu().context());
    switch (result.kind) {
      case RunResult::Kind::Exited: return result.exit_status;
      case RunResult::Kind::Stopped:
        std::fprintf(stderr, "orcvm: %s\n", result.message.c_str());
        return result.exit_status;
      case RunResult::Kind::Fault:
      case RunResult::Kind::TripleFault:
      case RunResult::Kind::Reset:
        std::fprintf(stderr, "orcvm: %s\n", result.message.c_str());
        return kExitGuestFault;
      default:
        std::fprintf(stderr, "orcvm: %s\n", result.message.c_str());
        return kExitGuestHalted;
    }
  } catch (const LoadError& e) {
    std::fprintf(stderr, "orcvm: %s: %s\n", kernel.c_str(), e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "orcvm: %s\n", e.what());
    return kExitUsage;
  }
}
