#include "loader/kernel.h"

#include <algorithm>
#include <cstring>

#include "loader/elf.h"
#include "loader/elf32.h"
#include "loader/linux_boot.h"
#include "loader/multiboot.h"

namespace orcvm {

namespace {

// The first 8 KiB hold every format's identifying header (multiboot searches them).
constexpr uint64_t kFormatHeadBytes = 8192;
constexpr const char* kNotAKernel = "not a multiboot kernel or an ELF executable (load a flat binary with --load ADDR)";
constexpr uint64_t kFourGiB = 1ull << 32;
constexpr uint64_t kRealModeLimit = 0x100000;

bool is_linux_bzimage(const std::vector<uint8_t>& file) {
  return file.size() >= 0x206 && std::memcmp(file.data() + 0x202, "HdrS", 4) == 0;
}

// The registers of a 32-bit entry without multiboot: EDI = RAM size (saturated
// at 4 GiB - 1), as RDI is for 64-bit ELF kernels.
EntryRegisters32 plain_registers(const PhysicalMemory& memory) {
  EntryRegisters32 regs;
  regs.edi = static_cast<uint32_t>(std::min<uint64_t>(memory.ram_size(), 0xffffffffu));
  return regs;
}

LoadedKernel load_flat(const std::vector<uint8_t>& file, const BootConfig& config, PhysicalMemory& memory,
                       CpuState& cpu) {
  const uint64_t addr = *config.load_addr;
  if (file.empty()) throw LoadError("the flat binary is empty");
  if (config.entry_mode == EntryMode::Real) {
    if (addr >= kRealModeLimit)
      throw LoadError("--load " + to_hex(addr) + ": a real-mode entry point must lie below 1 MiB");
    check_placement(memory, "the flat binary", addr, file.size(),
                    {{0, 0x400, "the interrupt vector table"}, {kLegacyHoleStart, kLegacyHoleEnd, "the VGA and BIOS area"}});
    write_guest(memory, "the flat binary", addr, file.data(), file.size());
    enter_real_mode(memory, cpu, static_cast<uint16_t>(addr >> 4), static_cast<uint16_t>(addr & 0xf));
    return {KernelFormat::Flat, addr};
  }
  if (addr >= kFourGiB || file.size() > kFourGiB - addr)
    throw LoadError("--load " + to_hex(addr) + ": a 32-bit flat binary must lie below 4 GiB");
  check_placement(memory, "the flat binary", addr, file.size(),
                  {{kLegacyHoleStart, kLegacyHoleEnd, "the VGA and BIOS area"}});
  write_guest(memory, "the flat binary", addr, file.data(), file.size());
  enter_protected_mode_flat(memory, cpu, static_cast<uint32_t>(addr), plain_registers(memory));
  return {KernelFormat::Flat, addr};
}

}  // namespace

const char* format_name(KernelFormat format) {
  switch (format) {
    case KernelFormat::Linux: return "Linux bzImage";
    case KernelFormat::Multiboot: return "multiboot";
    case KernelFormat::Elf64: return "ELF64";
    case KernelFormat::Elf32: return "ELF32";
    case KernelFormat::Flat: return "flat binary";
  }
  return "?";
}

std::vector<uint8_t> read_kernel_file(const std::string& path, const BootConfig& config, uint64_t ram_size) {
  if (!config.load_addr) {
    const std::vector<uint8_t> head = read_file(path, ram_size, kFormatHeadBytes);
    if (!is_linux_bzimage(head) && !find_multiboot_header(head) && !is_elf64(head) && !is_elf32(head))
      throw LoadError(kNotAKernel);
  }
  return read_file(path, ram_size);
}

LoadedKernel load_kernel(const std::vector<uint8_t>& file, const BootConfig& config, PhysicalMemory& memory,
                         CpuState& cpu) {
  if (config.load_addr) {
    if (config.append || config.module_list)
      throw LoadError("--append and --initrd need a multiboot kernel or a bzImage, not --load");
    return load_flat(file, config, memory, cpu);
  }
  if (config.entry_mode != EntryMode::Protected) throw LoadError("--entry-mode needs --load ADDR");
  if (is_linux_bzimage(file)) {
    const LinuxBootLayout layout = load_linux(file, config, memory);
    enter_linux(memory, cpu, layout);
    return {KernelFormat::Linux, layout.entry};
  }

  const std::optional<MultibootHeader> header = find_multiboot_header(file);
  // A multiboot header wins, as in QEMU, except that an ELF64 file without the
  // a.out kludge (which QEMU refuses) gets orcvm's own 64-bit entry.
  if (header && ((header->flags & kMultibootFlagAout) || !is_elf64(file))) {
    MultibootConfig mb;
    mb.kernel_path = config.kernel_path;
    mb.append = config.append.value_or("");
    mb.module_list = config.module_list;
    mb.read_module = config.read_module;
    mb.memory_map = config.memory_map;
    const MultibootLayout layout = load_multiboot(file, *header, mb, memory);
    enter_multiboot(memory, cpu, layout.entry);
    return {KernelFormat::Multiboot, layout.entry};
  }
  if (config.append || config.module_list)
    throw LoadError("--append and --initrd need a multiboot kernel or a bzImage (no multiboot header in the first 8 KiB)");
  if (is_elf64(file)) {
    const uint64_t entry = load_elf64(file, memory);
    enter_long_mode(memory, cpu, entry);
    return {KernelFormat::Elf64, entry};
  }
  if (is_elf32(file)) {
    const Elf32Image image = parse_elf32(file);
    load_elf32_segments(file, image, memory, {{kLegacyHoleStart, kLegacyHoleEnd, "the VGA and BIOS area"}});
    enter_protected_mode_flat(memory, cpu, image.entry, plain_registers(memory));
    return {KernelFormat::Elf32, image.entry};
  }
  throw LoadError(kNotAKernel);
}

}  // namespace orcvm
