// The Linux boot protocol loader on synthetic bzImages built in memory: the
// boot_params it writes (setup header, e820, command line, initrd), where it puts
// the kernel and the initrd, the 64-bit and 32-bit entry states and the identity
// page tables; and every rejection, each one LoadError with one reason.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <map>
#include <random>

#include "loader/kernel.h"
#include "loader/linux_boot.h"

namespace orcvm {
namespace {

constexpr uint64_t kRam = 128ull << 20;
constexpr uint64_t kMiB = 1ull << 20;
// The top of the first RAM entry above 1 MiB for 128 MiB (the firmware's 128 KiB are reserved).
constexpr uint64_t kUsableTop = kRam - 0x20000;

template <class T>
void put(std::vector<uint8_t>& v, size_t at, T x) {
  std::memcpy(v.data() + at, &x, sizeof x);
}

// The header fields of a synthetic bzImage; the defaults describe a modern
// 64-bit relocatable kernel like Debian's (protocol 2.15, 2 MiB alignment,
// preferring 16 MiB), with a small init_size so that it fits in 128 MiB.
struct BzImage {
  uint8_t setup_sects = 4;
  uint16_t boot_flag = 0xaa55;
  uint8_t jump = 0x6a;  // the header ends at 0x26c
  uint16_t version = 0x020f;
  uint8_t loadflags = 0x01;
  uint32_t code32_start = 0x100000;
  uint32_t initrd_addr_max = 0x7fffffff;
  uint32_t kernel_alignment = 0x200000;
  uint8_t relocatable = 1;
  uint16_t xloadflags = 0x3;  // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
  uint32_t cmdline_size = 2047;
  uint64_t pref_address = 0x1000000;
  uint32_t init_size = 0x800000;
  size_t kernel_bytes = 0x3000;

  std::vector<uint8_t> build() const {
    const size_t setup = (setup_sects ? setup_sects + 1 : 5) * 512ull;
    std::vector<uint8_t> f(setup + kernel_bytes);
    for (size_t i = 0; i < setup; ++i) f[i] = static_cast<uint8_t>(0x5a ^ i);  // setup code: noise
    for (size_t i = setup; i < f.size(); ++i) f[i] = static_cast<uint8_t>(i * 7 + 3);
    f[0x1f1] = setup_sects;
    put<uint16_t>(f, 0x1f2, 1);       // root_flags
    put<uint32_t>(f, 0x1f4, static_cast<uint32_t>(kernel_bytes / 16));
    put<uint16_t>(f, 0x1fa, 0xffff);  // vid_mode
    put<uint16_t>(f, 0x1fc, 0);       // root_dev
    put<uint16_t>(f, 0x1fe, boot_flag);
    f[0x200] = 0xeb;
    f[0x201] = jump;
    std::memcpy(f.data() + 0x202, "HdrS", 4);
    put<uint16_t>(f, 0x206, version);
    put<uint16_t>(f, 0x20e, 0x3e00);  // kernel_version string offset
    f[0x210] = 0;
    f[0x211] = loadflags;
    put<uint32_t>(f, 0x214, code32_start);
    put<uint32_t>(f, 0x218, 0);
    put<uint32_t>(f, 0x21c, 0);
    put<uint16_t>(f, 0x224, 0x5be0);  // heap_end_ptr as the build leaves it
    put<uint32_t>(f, 0x228, 0);
    put<uint32_t>(f, 0x22c, initrd_addr_max);
    put<uint32_t>(f, 0x230, kernel_alignment);
    f[0x234] = relocatable;
    f[0x235] = 0x15;
    put<uint16_t>(f, 0x236, xloadflags);
    put<uint32_t>(f, 0x238, cmdline_size);
    put<uint64_t>(f, 0x250, 0);
    put<uint64_t>(f, 0x258, pref_address);
    put<uint32_t>(f, 0x260, init_size);
    put<uint32_t>(f, 0x264, 0x1234);  // handover_offset
    put<uint32_t>(f, 0x268, 0x5678);  // kernel_info_offset
    return f;
  }
};

class LinuxBootTest : public ::testing::Test {
 protected:
  PhysicalMemory memory{kRam};
  CpuState cpu{};
  std::map<std::string, std::vector<uint8_t>> files;

  BootConfig config() {
    BootConfig c;
    c.kernel_path = "vmlinuz";
    c.read_module = [this](const std::string& name, uint64_t max_size) {
      auto it = files.find(name);
      if (it == files.end()) throw LoadError("cannot open '" + name + "'");
      if (it->second.size() > max_size) throw LoadError("'" + name + "' is too big");
      return it->second;
    };
    return c;
  }
  template <class T>
  T read(uint64_t paddr) {
    T v;
    std::memcpy(&v, memory.host(paddr, sizeof v), sizeof v);
    return v;
  }
  std::string error_of(const std::vector<uint8_t>& file, const BootConfig& c) {
    try {
      load_kernel(file, c, memory, cpu);
    } catch (const LoadError& e) {
      return e.what();
    }
    return "";
  }
  std::string error_of(const BzImage& image) { return error_of(image.build(), config()); }

  // The physical address the guest's 4-level page tables give va, or ~0 when it
  // is not mapped (present bit clear at some level).
  uint64_t translate(uint64_t va) {
    uint64_t table = cpu.cr3 & ~0xfffull;
    for (int level = 3; level >= 0; --level) {
      const uint64_t entry = read<uint64_t>(table + ((va >> (12 + 9 * level)) & 0x1ff) * 8);
      if (!(entry & 1)) return ~0ull;
      const uint64_t frame = entry & 0x000ffffffffff000ull;
      if (level == 0 || (level <= 2 && (entry & 0x80))) {
        const uint64_t page_mask = (1ull << (12 + 9 * level)) - 1;
        return (frame & ~page_mask) | (va & page_mask);
      }
      table = frame;
    }
    return ~0ull;
  }
};

TEST_F(LinuxBootTest, ZeroPageHoldsTheHeaderTheMapTheCommandLineAndTheInitrd) {
  const BzImage image;
  const std::vector<uint8_t> file = image.build();
  files["initrd.img"] = std::vector<uint8_t>(0x12345);
  for (size_t i = 0; i < files["initrd.img"].size(); ++i) files["initrd.img"][i] = static_cast<uint8_t>(i ^ (i >> 8));
  BootConfig c = config();
  c.append = "console=ttyS0 root=/dev/ram0";
  c.module_list = "initrd.img";
  c.acpi_rsdp = 0xf0000;
  const LoadedKernel loaded = load_kernel(file, c, memory, cpu);
  EXPECT_EQ(loaded.format, KernelFormat::Linux);
  EXPECT_STREQ(format_name(loaded.format), "Linux bzImage");
  EXPECT_EQ(loaded.entry, 0x1000200u);

  const uint64_t zp = kLinuxZeroPageAddr;
  // The setup header [0x1f1, 0x26c) is the file's, except what a loader writes.
  const std::map<size_t, size_t> written = {{0x210, 1}, {0x211, 1}, {0x214, 4}, {0x218, 4},
                                            {0x21c, 4}, {0x224, 2}, {0x228, 4}};
  for (size_t at = 0x1f1; at < 0x26c; ++at) {
    bool loader_field = false;
    for (const auto& [start, size] : written) loader_field |= at >= start && at < start + size;
    if (!loader_field) {
      EXPECT_EQ(read<uint8_t>(zp + at), file[at]) << "header byte " << std::hex << at;
    }
  }
  EXPECT_EQ(read<uint8_t>(zp + 0x210), 0xff);             // type_of_loader: undefined
  EXPECT_EQ(read<uint8_t>(zp + 0x211), 0x81);             // LOADED_HIGH kept, CAN_USE_HEAP
  EXPECT_EQ(read<uint16_t>(zp + 0x224), 0xfe00);          // heap_end_ptr
  EXPECT_EQ(read<uint32_t>(zp + 0x214), 0x1000000u);      // code32_start = the load address
  EXPECT_EQ(read<uint32_t>(zp + 0x228), kLinuxCmdlineAddr);
  EXPECT_STREQ(reinterpret_cast<const char*>(memory.host(kLinuxCmdlineAddr, 1)), "console=ttyS0 root=/dev/ram0");
  // Beyond the header and before it: zero except the fields boot_params defines.
  for (size_t at = 0x26c; at < 0x290; ++at) EXPECT_EQ(read<uint8_t>(zp + at), 0) << std::hex << at;
  EXPECT_EQ(read<uint8_t>(zp + 0x1ef), 0);                // sentinel: the loader cleared what it does not fill
  EXPECT_EQ(read<uint64_t>(zp + 0x070), 0xf0000u);        // acpi_rsdp_addr
  EXPECT_EQ(read<uint32_t>(zp + 0x0c0), 0u);              // ext_ramdisk_image: below 4 GiB
  EXPECT_EQ(read<uint32_t>(zp + 0x0c4), 0u);
  EXPECT_EQ(read<uint32_t>(zp + 0x0c8), 0u);              // ext_cmd_line_ptr

  // e820: the platform's map.
  const std::vector<MemoryMapEntry> map = memory.address_map().memory_map();
  ASSERT_EQ(read<uint8_t>(zp + 0x1e8), map.size());
  for (size_t n = 0; n < map.size(); ++n) {
    const uint64_t e = zp + 0x2d0 + 20 * n;
    EXPECT_EQ(read<uint64_t>(e), map[n].base) << n;
    EXPECT_EQ(read<uint64_t>(e + 8), map[n].length) << n;
    EXPECT_EQ(read<uint32_t>(e + 16), map[n].type) << n;
  }
  EXPECT_EQ(read<uint64_t>(zp + 0x2d0 + 20 * map.size()), 0u);

  // The initrd: page-aligned, as high as the RAM entry above 1 MiB allows, and above
  // the kernel's load address + init_size.
  const uint32_t initrd = read<uint32_t>(zp + 0x218);
  EXPECT_EQ(read<uint32_t>(zp + 0x21c), 0x12345u);
  EXPECT_EQ(initrd % 4096, 0u);
  EXPECT_EQ(initrd, (kUsableTop - 0x12345) & ~0xfffull);
  EXPECT_GE(initrd, 0x1000000u + image.init_size);
  EXPECT_EQ(std::memcmp(memory.host(initrd, 0x12345), files["initrd.img"].data(), 0x12345), 0);
  // The protected-mode kernel at pref_address.
  EXPECT_EQ(std::memcmp(memory.host(0x1000000, image.kernel_bytes), file.data() + 5 * 512, image.kernel_bytes), 0);
}

TEST_F(LinuxBootTest, SixtyFourBitEntryState) {
  load_kernel(BzImage{}.build(), config(), memory, cpu);
  EXPECT_EQ(cpu.rip, 0x1000200u);
  EXPECT_EQ(cpu.gpr[RSI], kLinuxZeroPageAddr);
  EXPECT_EQ(cpu.gpr[RSP], kLinuxStackTop);
  EXPECT_EQ(cpu.get_rflags() & (rflags::IF | rflags::TF | rflags::DF | rflags::VM), 0u);
  EXPECT_EQ(cpu.cpl, 0);
  EXPECT_EQ(cpu.cr0, cr0::PE | cr0::ET | cr0::NE | cr0::PG);
  EXPECT_EQ(cpu.cr4, cr4::PAE);
  EXPECT_EQ(cpu.efer, efer::LME | efer::LMA);
  EXPECT_EQ(cpu.seg[1].selector, 0x10);
  EXPECT_EQ(cpu.seg[1].attrs, 0xa09b);  // 64-bit code, DPL 0
  for (int s : {0, 2, 3, 4, 5}) {
    EXPECT_EQ(cpu.seg[s].selector, 0x18) << s;
    EXPECT_EQ(cpu.seg[s].base, 0u) << s;
    EXPECT_EQ(cpu.seg[s].limit, 0xffffffffu) << s;
    EXPECT_EQ(cpu.seg[s].attrs, 0xc093) << s;
  }
  // The GDT agrees with the loaded segments: __BOOT_CS has L set and D clear, __BOOT_DS is writable data.
  EXPECT_EQ(cpu.gdtr.base, kLinuxGdtAddr);
  EXPECT_EQ(cpu.gdtr.limit, 0x1f);
  const uint64_t code = read<uint64_t>(kLinuxGdtAddr + 0x10), data = read<uint64_t>(kLinuxGdtAddr + 0x18);
  EXPECT_EQ((code >> 53) & 1, 1u);
  EXPECT_EQ((code >> 54) & 1, 0u);
  EXPECT_EQ((code >> 40) & 0xff, 0x9bu);
  EXPECT_EQ((data >> 40) & 0xff, 0x93u);
  EXPECT_EQ(cpu.idtr.limit, 0);  // any exception before the kernel's IDT is a triple fault
  // The page tables map every address below 4 GiB (and above, for RAM there) to itself.
  for (uint64_t va = 0; va < (4ull << 30); va += 2 * kMiB) {
    ASSERT_EQ(translate(va), va) << std::hex << va;
    ASSERT_EQ(translate(va + 0x1ff123), va + 0x1ff123) << std::hex << va;
  }
  EXPECT_EQ(translate(0x123456789ull), 0x123456789ull);
  // ...and they and the GDT sit below the zero page, clear of the IVT and BIOS data area.
  EXPECT_GE(cpu.cr3, 0x1000u);
  EXPECT_LT(cpu.cr3, kLinuxZeroPageAddr);
}

TEST_F(LinuxBootTest, ThirtyTwoBitEntryForKernelsWithoutXlfKernel64) {
  BzImage image;
  image.xloadflags = 0;
  load_kernel(image.build(), config(), memory, cpu);
  EXPECT_EQ(cpu.rip, 0x1000000u);  // startup_32 at the load address
  EXPECT_EQ(cpu.gpr[RSI], kLinuxZeroPageAddr);
  EXPECT_EQ(cpu.gpr[RBP], 0u);
  EXPECT_EQ(cpu.gpr[RBX], 0u);
  EXPECT_EQ(cpu.gpr[RDI], 0u);
  EXPECT_EQ(cpu.cr0, cr0::PE | cr0::ET);  // paging off
  EXPECT_EQ(cpu.efer, 0u);
  EXPECT_EQ(cpu.cr4, 0u);
  EXPECT_EQ(cpu.get_rflags() & rflags::IF, 0u);
  EXPECT_EQ(cpu.seg[1].selector, 0x10);
  EXPECT_EQ(cpu.seg[1].attrs, 0xc09b);
  EXPECT_EQ(cpu.seg[1].limit, 0xffffffffu);
  for (int s : {0, 2, 3}) {
    EXPECT_EQ(cpu.seg[s].selector, 0x18) << s;
    EXPECT_EQ(cpu.seg[s].attrs, 0xc093) << s;
  }
  EXPECT_EQ(cpu.gdtr.base, kLinuxGdtAddr);
  EXPECT_EQ(read<uint64_t>(kLinuxGdtAddr + 0x10), 0x00cf9b000000ffffull);  // 32-bit flat code
  EXPECT_EQ(read<uint64_t>(kLinuxGdtAddr + 0x18), 0x00cf93000000ffffull);
  EXPECT_EQ(read<uint32_t>(kLinuxZeroPageAddr + 0x214), 0x1000000u);
}

TEST_F(LinuxBootTest, ProtocolFieldsAreReadOnlyFromTheVersionThatDefinesThem) {
  // Protocol 2.06 has no xloadflags, pref_address or init_size: the bytes there
  // are ignored, the kernel goes to code32_start and gets the 32-bit entry.
  BzImage image;
  image.version = 0x0206;
  load_kernel(image.build(), config(), memory, cpu);
  EXPECT_EQ(cpu.rip, 0x100000u);
  EXPECT_EQ(cpu.cr0 & cr0::PG, 0u);
}

TEST_F(LinuxBootTest, NonRelocatableKernelLoadsAtCode32Start) {
  BzImage image;
  image.relocatable = 0;
  load_kernel(image.build(), config(), memory, cpu);
  EXPECT_EQ(cpu.rip, 0x100200u);
  EXPECT_EQ(read<uint8_t>(0x100000), image.build()[5 * 512]);
}

TEST_F(LinuxBootTest, EmptyCommandLineAndNoInitrd) {
  load_kernel(BzImage{}.build(), config(), memory, cpu);
  EXPECT_EQ(read<uint8_t>(kLinuxCmdlineAddr), 0);
  EXPECT_EQ(read<uint32_t>(kLinuxZeroPageAddr + 0x218), 0u);
  EXPECT_EQ(read<uint32_t>(kLinuxZeroPageAddr + 0x21c), 0u);
  EXPECT_EQ(read<uint64_t>(kLinuxZeroPageAddr + 0x070), 0u);  // no RSDP given
}

TEST_F(LinuxBootTest, CommandLineOfExactlyCmdlineSizeFits) {
  BzImage image;
  image.cmdline_size = 13;
  BootConfig c = config();
  c.append = "console=ttyS0";
  EXPECT_EQ(error_of(image.build(), c), "");
  c.append = "console=ttyS0 ";
  EXPECT_EQ(error_of(image.build(), c),
            "the command line (--append) has 14 characters, more than the kernel's cmdline_size of 13");
}

TEST_F(LinuxBootTest, InitrdStaysBelowInitrdAddrMaxAndInsideTheE820RamEntry) {
  BzImage image;
  image.initrd_addr_max = 0x1ffffff;
  files["rd"] = std::vector<uint8_t>(7 * kMiB, 1);
  BootConfig c = config();
  c.module_list = "rd";
  load_kernel(image.build(), c, memory, cpu);
  EXPECT_EQ(read<uint32_t>(kLinuxZeroPageAddr + 0x218), 0x2000000u - 7 * kMiB);

  files["rd"] = std::vector<uint8_t>(0x5001, 1);
  c.memory_map = {{0, 0x9fc00, kE820Ram}, {0x100000, 0x2f00000, kE820Ram}, {0x3000000, 0x5000000, kE820Reserved}};
  load_kernel(BzImage{}.build(), c, memory, cpu);
  EXPECT_EQ(read<uint32_t>(kLinuxZeroPageAddr + 0x218), 0x3000000u - 0x6000);
  EXPECT_EQ(read<uint8_t>(kLinuxZeroPageAddr + 0x1e8), 3);
  EXPECT_EQ(read<uint32_t>(kLinuxZeroPageAddr + 0x2d0 + 2 * 20 + 16), kE820Reserved);
}

TEST_F(LinuxBootTest, CorruptHeadersAreRejected) {
  auto with = [](auto edit) {
    BzImage image;
    edit(image);
    return image;
  };
  EXPECT_EQ(error_of(with([](BzImage& b) { b.boot_flag = 0x1234; })),
            "bad boot flag 0x1234 at 0x1fe (want 0xaa55): a corrupt bzImage");
  EXPECT_EQ(error_of(with([](BzImage& b) { b.version = 0x0205; })),
            "boot protocol version 2.05 is too old (orcvm needs a bzImage of protocol 2.06 or later)");
  EXPECT_EQ(error_of(with([](BzImage& b) { b.loadflags = 0x80; })),
            "loadflags 0x80 lack LOADED_HIGH: a zImage (loaded at 0x10000) is not supported");
  EXPECT_EQ(error_of(with([](BzImage& b) { b.jump = 0x40; })),
            "the setup header ends at 0x242 (the jump at 0x200), before the 0x264 that protocol 2.15 needs");
  EXPECT_EQ(error_of(with([](BzImage& b) { b.jump = 0x90; })),
            "the setup header ends at 0x292 (the jump at 0x200), beyond its room in boot_params (0x290)");
  EXPECT_EQ(error_of(with([](BzImage& b) { b.kernel_alignment = 0x300000; })),
            "kernel_alignment 0x300000 of a relocatable kernel is not a power of two");
  EXPECT_EQ(error_of(with([](BzImage& b) { b.init_size = 0x2000; })),
            "init_size 0x2000 is smaller than the protected-mode kernel (0x3000 bytes)");
  EXPECT_EQ(error_of(with([](BzImage& b) {
              b.relocatable = 0;
              b.code32_start = 0x10000;
            })),
            "code32_start 0x10000 is below 1 MiB");
  EXPECT_EQ(error_of(with([](BzImage& b) { b.pref_address = 0x200000000ull; })),
            "the kernel would decompress at 0x200000000 (+0x800000 for its init_size), beyond 4 GiB");

  std::vector<uint8_t> no_jump = BzImage{}.build();
  no_jump[0x200] = 0xe9;
  EXPECT_EQ(error_of(no_jump, config()),
            "no short jump at 0x200, so the setup header's length is unknown: a corrupt bzImage");
}

TEST_F(LinuxBootTest, TruncatedFilesAreRejected) {
  const std::vector<uint8_t> file = BzImage{}.build();
  EXPECT_EQ(error_of(std::vector<uint8_t>(file.begin(), file.begin() + 0x230), config()),
            "the bzImage ends at 0x230, inside its setup header (truncated?)");
  EXPECT_EQ(error_of(std::vector<uint8_t>(file.begin(), file.begin() + 0x900), config()),
            "setup_sects 4 puts the protected-mode kernel at file offset 0xa00, but the file has only 0x900 bytes "
            "(truncated?)");
  EXPECT_EQ(error_of(std::vector<uint8_t>(file.begin(), file.end() - 0x100), config()),
            "the protected-mode kernel has 0x2f00 bytes, fewer than the 0x3000 that syssize declares (truncated?)");
  BzImage big_setup;
  big_setup.setup_sects = 200;
  std::vector<uint8_t> f = big_setup.build();
  f.resize(0x8000);
  EXPECT_EQ(error_of(f, config()),
            "setup_sects 200 puts the protected-mode kernel at file offset 0x19200, but the file has only 0x8000 bytes "
            "(truncated?)");
  // setup_sects 0 means 4.
  BzImage zero_sects;
  zero_sects.setup_sects = 0;
  load_kernel(zero_sects.build(), config(), memory, cpu);
  EXPECT_EQ(read<uint8_t>(0x1000000), zero_sects.build()[0xa00]);
}

TEST_F(LinuxBootTest, TooLittleRamForInitSize) {
  BzImage image;
  image.init_size = 0x8000000;
  EXPECT_EQ(error_of(image),
            "the kernel needs 0x8000000 bytes of RAM from 0x1000000 for its init_size (use -m 145M or more)");
  // The hint is enough: with that much RAM it loads.
  PhysicalMemory bigger(145 * kMiB);
  CpuState other{};
  EXPECT_NO_THROW(load_kernel(image.build(), config(), bigger, other));
}

TEST_F(LinuxBootTest, InitrdThatDoesNotFitIsRejected) {
  BootConfig c = config();
  c.module_list = "big.img";
  files["big.img"] = std::vector<uint8_t>(120 * kMiB);
  EXPECT_EQ(error_of(BzImage{}.build(), c),
            "the initrd 'big.img' (0x7800000 bytes) does not fit in RAM above the end of the kernel's init_size at "
            "0x1800000 (use -m 145M or more)");
  BzImage low_max;
  low_max.initrd_addr_max = 0x1ffffff;
  files["big.img"] = std::vector<uint8_t>(9 * kMiB);
  EXPECT_EQ(error_of(low_max.build(), c),
            "the initrd 'big.img' (0x900000 bytes) does not fit between the end of the kernel's init_size at 0x1800000 "
            "and its initrd_addr_max 0x1ffffff");
  c.module_list = "missing.img";
  EXPECT_EQ(error_of(BzImage{}.build(), c), "initrd 'missing.img': cannot open 'missing.img'");
}

TEST_F(LinuxBootTest, CommandLineLongerThanCmdlineSizeIsRejected) {
  BootConfig c = config();
  c.append = std::string(2048, 'x');
  EXPECT_EQ(error_of(BzImage{}.build(), c),
            "the command line (--append) has 2048 characters, more than the kernel's cmdline_size of 2047");
  BzImage unbounded;
  unbounded.cmdline_size = 0xffffffff;
  c.append = std::string(0x7000, 'x');
  EXPECT_EQ(error_of(unbounded.build(), c),
            "the command line (--append) has 28672 characters, more than the 28671 orcvm has room for");
}

TEST_F(LinuxBootTest, MemoryMapLongerThanBootParamsHoldsIsRejected) {
  BootConfig c = config();
  for (uint64_t n = 0; n < 129; ++n) c.memory_map.push_back({n * 0x100000, 0x100000, kE820Ram});
  EXPECT_EQ(error_of(BzImage{}.build(), c), "the memory map has 129 entries, more than the 128 boot_params holds");
}

// Random corruptions and truncations of a valid bzImage: each load succeeds or
// throws LoadError, never crashes (run under ASan in the sanitizer build).
TEST_F(LinuxBootTest, MutatedBzImagesNeverCrash) {
  const unsigned seed = std::random_device{}();
  std::cout << "seed " << seed << "\n";
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  files["rd"] = std::vector<uint8_t>(0x3000, 7);
  const std::vector<uint8_t> valid = BzImage{}.build();
  int loaded = 0, rejected = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> f = valid;
    for (int e = 1 + rng() % 3; e > 0; --e) {
      const size_t at = 0x1f1 + rng() % (0x290 - 0x1f1);  // mostly the header
      switch (rng() % 4) {
        case 0: f[at] = static_cast<uint8_t>(rng()); break;
        case 1: put<uint32_t>(f, at, static_cast<uint32_t>(rng())); break;
        case 2: f[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 3: f.resize(rng() % f.size()); break;
      }
      if (f.size() < 0x294) break;
    }
    BootConfig c = config();
    if (round % 2) c.module_list = "rd";
    try {
      load_kernel(f, c, memory, cpu);
      ++loaded;
    } catch (const LoadError&) {
      ++rejected;
    }
  }
  EXPECT_GT(loaded, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace orcvm
