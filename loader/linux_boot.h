#pragma once
// Linux bzImage kernels through the x86 boot protocol (Documentation/x86/boot.rst
// in the kernel tree), entered the way Firecracker and cloud-hypervisor enter
// them: no BIOS and no real-mode setup code, the loader fills boot_params (the
// "zero page") itself and jumps to the 64-bit entry (or, for kernels without
// XLF_KERNEL_64, the 32-bit one). docs/loaders.md has the layout and the checks.
#include <cstdint>
#include <vector>

#include "loader/kernel.h"

namespace orcvm {

// Where the loader puts its structures, all below 1 MiB and clear of the IVT and
// BIOS data area (0-0xfff):
//   0x1000-0x6fff  identity page tables (write_identity_page_tables)
//   0x7000-0x701f  the GDT: null, null, __BOOT_CS = 0x10, __BOOT_DS = 0x18
//   0x7020-0x7fff  a boot stack (RSP = 0x8000); the kernel sets its own before it pushes
//   0x8000-0x8fff  boot_params
//   0x9000-0xffff  the command line, NUL-terminated
constexpr uint64_t kLinuxGdtAddr = 0x7000;
constexpr uint64_t kLinuxStackTop = 0x8000;
constexpr uint64_t kLinuxZeroPageAddr = 0x8000;
constexpr uint64_t kLinuxZeroPageSize = 0x1000;
constexpr uint64_t kLinuxCmdlineAddr = 0x9000;
constexpr uint64_t kLinuxCmdlineAreaEnd = 0x10000;
constexpr uint16_t kLinuxBootCs = 0x10, kLinuxBootDs = 0x18;

// Offsets in the setup header (file) and in boot_params, which are the same for the header.
namespace bp {
constexpr uint32_t kAcpiRsdpAddr = 0x070, kExtRamdiskImage = 0x0c0, kExtRamdiskSize = 0x0c4;
constexpr uint32_t kE820Entries = 0x1e8, kSentinel = 0x1ef;
constexpr uint32_t kSetupSects = 0x1f1, kSyssize = 0x1f4, kBootFlag = 0x1fe, kJump = 0x200, kHeaderMagic = 0x202,
                   kVersion = 0x206, kTypeOfLoader = 0x210, kLoadflags = 0x211, kCode32Start = 0x214,
                   kRamdiskImage = 0x218, kRamdiskSize = 0x21c, kHeapEndPtr = 0x224, kCmdLinePtr = 0x228,
                   kInitrdAddrMax = 0x22c, kKernelAlignment = 0x230, kRelocatableKernel = 0x234,
                   kXloadflags = 0x236, kCmdlineSize = 0x238, kSetupData = 0x250, kPrefAddress = 0x258,
                   kInitSize = 0x260;
constexpr uint32_t kE820Table = 0x2d0, kE820MaxEntries = 128, kE820EntrySize = 20;
// The setup header ends before edd_mbr_sig_buffer, whatever its jump says.
constexpr uint32_t kSetupHeaderLimit = 0x290;
constexpr uint8_t kLoadedHigh = 0x01, kCanUseHeap = 0x80;
constexpr uint16_t kXlfKernel64 = 0x1, kXlfCanBeLoadedAbove4G = 0x2;
}  // namespace bp

// The setup header fields the loader uses, each checked by parse_linux_setup_header.
struct LinuxSetupHeader {
  uint16_t version;         // 0x0206 or later
  uint64_t kernel_offset;   // (setup_sects + 1) * 512: the protected-mode kernel in the file
  uint64_t kernel_size;     // file bytes from kernel_offset on (at least syssize * 16)
  uint32_t header_end;      // 0x202 + the jump's displacement: boot_params gets [0x1f1, header_end)
  uint8_t loadflags;
  uint32_t code32_start;    // the load address of a kernel that is not relocated
  uint32_t initrd_addr_max; // the highest address the initrd may occupy
  bool relocatable;
  uint32_t kernel_alignment;  // a power of two when relocatable
  uint16_t xloadflags;        // 0 before 2.12
  uint32_t cmdline_size;      // characters, without the NUL
  // 2.10 and later; before, code32_start and the protected-mode kernel's size.
  uint64_t pref_address;
  uint32_t init_size;
  bool has_64bit_entry() const { return xloadflags & bp::kXlfKernel64; }
};

// Throws LoadError with one reason when the file is not a bzImage orcvm can boot.
LinuxSetupHeader parse_linux_setup_header(const std::vector<uint8_t>& file);

struct LinuxBootLayout {
  LinuxSetupHeader header;
  uint64_t load_addr;      // where the protected-mode kernel was copied
  uint64_t runtime_start;  // where it decompresses: [runtime_start, + init_size) must be RAM
  uint64_t initrd_addr = 0, initrd_size = 0;
  uint64_t entry;          // load_addr + 0x200 (64-bit) or load_addr (32-bit)
};

// Checks that everything fits, then writes the kernel, the initrd, the command
// line and boot_params into RAM. config.append is the command line (default
// empty), config.module_list the initrd's path, config.memory_map the e820 map
// (empty: the address map's) and config.acpi_rsdp the RSDP's address (0: none).
LinuxBootLayout load_linux(const std::vector<uint8_t>& file, const BootConfig& config, PhysicalMemory& memory);

// The entry state after reset_cpu: interrupts off, CS = 0x10, DS/ES/SS/FS/GS =
// 0x18 (flat), RSI = boot_params, RSP = 0x8000, IDTR limit 0. With XLF_KERNEL_64:
// long mode (CR0 = PE | ET | NE | PG, CR4 = PAE, EFER = LME | LMA, CR3 = the
// identity tables) at load_addr + 0x200; else 32-bit protected mode, paging off,
// EBP = EBX = EDI = 0, at load_addr.
void enter_linux(PhysicalMemory& memory, CpuState& cpu, const LinuxBootLayout& layout);

}  // namespace orcvm
