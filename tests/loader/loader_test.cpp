// The kernel loaders on crafted images: multiboot (a.out kludge and ELF32), plain
// ELF32, ELF64 and flat binaries; the entry states; and corrupt files, each of
// which must end in a one-line LoadError, never a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

#include "loader/elf32.h"
#include "loader/kernel.h"
#include "loader/multiboot.h"

namespace orcvm {
namespace {

constexpr uint64_t kRam = 128ull << 20;

// ---- image builders -------------------------------------------------------

void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  if (v.size() < at + 4) v.resize(at + 4);
  std::memcpy(v.data() + at, &x, 4);
}
void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  if (v.size() < at + 2) v.resize(at + 2);
  std::memcpy(v.data() + at, &x, 2);
}
void put64(std::vector<uint8_t>& v, size_t at, uint64_t x) {
  if (v.size() < at + 8) v.resize(at + 8);
  std::memcpy(v.data() + at, &x, 8);
}

void put_multiboot_header(std::vector<uint8_t>& v, size_t at, uint32_t flags) {
  put32(v, at, kMultibootHeaderMagic);
  put32(v, at + 4, flags);
  put32(v, at + 8, 0u - kMultibootHeaderMagic - flags);
}

struct Segment {
  uint32_t vaddr, paddr;
  std::vector<uint8_t> data;
  uint32_t memsz;  // 0: data.size()
  uint32_t flags = 5;  // R X
  uint32_t type = 1;
};

// An ELF32 i386 executable: header, program headers at 52, segment data from 0x1000.
std::vector<uint8_t> make_elf32(uint32_t entry, const std::vector<Segment>& segments) {
  std::vector<uint8_t> f(52 + 32 * segments.size(), 0);
  std::memcpy(f.data(), "\x7f" "ELF\x01\x01\x01", 7);
  put16(f, 16, 2);  // ET_EXEC
  put16(f, 18, 3);  // EM_386
  put32(f, 20, 1);
  put32(f, 24, entry);
  put32(f, 28, 52);
  put16(f, 40, 52);
  put16(f, 42, 32);
  put16(f, 44, static_cast<uint16_t>(segments.size()));
  size_t offset = 0x1000;
  for (size_t n = 0; n < segments.size(); ++n) {
    const Segment& s = segments[n];
    const size_t ph = 52 + 32 * n;
    put32(f, ph + 0, s.type);
    put32(f, ph + 4, static_cast<uint32_t>(offset));
    put32(f, ph + 8, s.vaddr);
    put32(f, ph + 12, s.paddr);
    put32(f, ph + 16, static_cast<uint32_t>(s.data.size()));
    put32(f, ph + 20, s.memsz ? s.memsz : static_cast<uint32_t>(s.data.size()));
    put32(f, ph + 24, s.flags);
    put32(f, ph + 28, 0x1000);
    if (f.size() < offset) f.resize(offset);
    f.insert(f.begin() + offset, s.data.begin(), s.data.end());
    offset += (s.data.size() + 0xfff) & ~size_t{0xfff};
  }
  return f;
}

// A multiboot ELF kernel: the header at the start of the first segment's data.
std::vector<uint8_t> make_multiboot_elf(uint32_t paddr, uint32_t filesz, uint32_t memsz, uint32_t entry_offset) {
  std::vector<uint8_t> text(filesz, 0x90);
  put_multiboot_header(text, 0, 3);
  return make_elf32(paddr + entry_offset, {{paddr, paddr, text, memsz}});
}

// An a.out-kludge kernel whose file is loaded in full at load_addr (header at file offset at).
std::vector<uint8_t> make_aout(uint32_t load_addr, uint32_t size, uint32_t bss_end, uint32_t entry, size_t at = 0) {
  std::vector<uint8_t> f(size, 0xcc);
  put_multiboot_header(f, at, kMultibootFlagAout | 3);
  put32(f, at + 12, load_addr + static_cast<uint32_t>(at));
  put32(f, at + 16, load_addr);
  put32(f, at + 20, load_addr + size);
  put32(f, at + 24, bss_end);
  put32(f, at + 28, entry);
  return f;
}

std::vector<uint8_t> make_elf64(uint64_t entry, uint64_t paddr, size_t size) {
  std::vector<uint8_t> f(64 + 56, 0);
  std::memcpy(f.data(), "\x7f" "ELF\x02\x01\x01", 7);
  put16(f, 16, 2);
  put16(f, 18, 62);
  put32(f, 20, 1);
  put64(f, 24, entry);
  put64(f, 32, 64);
  put16(f, 52, 64);
  put16(f, 54, 56);
  put16(f, 56, 1);
  put32(f, 64, 1);
  put32(f, 68, 5);
  put64(f, 72, 0x1000);
  put64(f, 80, paddr);
  put64(f, 88, paddr);
  put64(f, 96, size);
  put64(f, 104, size);
  f.resize(0x1000 + size, 0x90);
  return f;
}

// ---- fixture ----------------------------------------------------------------

class LoaderTest : public ::testing::Test {
 protected:
  PhysicalMemory memory{kRam};
  CpuState cpu{};
  std::map<std::string, std::vector<uint8_t>> files;

  BootConfig config(const std::string& path = "kernel.elf") {
    BootConfig c;
    c.kernel_path = path;
    c.read_module = [this](const std::string& name, uint64_t) {
      auto it = files.find(name);
      if (it == files.end()) throw LoadError("cannot open '" + name + "'");
      return it->second;
    };
    return c;
  }
  uint32_t r32(uint64_t paddr) {
    uint32_t v;
    std::memcpy(&v, memory.host(paddr, 4), 4);
    return v;
  }
  uint64_t r64(uint64_t paddr) {
    uint64_t v;
    std::memcpy(&v, memory.host(paddr, 8), 8);
    return v;
  }
  std::string str(uint64_t paddr) { return reinterpret_cast<const char*>(memory.host(paddr, 1)); }
  // The LoadError message of loading file, or "" when it loads.
  std::string error_of(const std::vector<uint8_t>& file, BootConfig c) {
    try {
      load_kernel(file, c, memory, cpu);
    } catch (const LoadError& e) {
      return e.what();
    }
    return "";
  }
  std::string error_of(const std::vector<uint8_t>& file) { return error_of(file, config()); }
};

void expect_flat_protected_state(const CpuState& cpu, uint32_t eip) {
  EXPECT_EQ(cpu.rip, eip);
  EXPECT_EQ(cpu.cpl, 0);
  EXPECT_EQ(cpu.cr0, 0x11u);
  EXPECT_EQ(cpu.cr3, 0u);
  EXPECT_EQ(cpu.cr4, 0u);
  EXPECT_EQ(cpu.efer, 0u);
  EXPECT_EQ(cpu.gdtr.base, 0xcb2b8u);
  EXPECT_EQ(cpu.gdtr.limit, 0x27);
  EXPECT_EQ(cpu.idtr.base, 0u);
  EXPECT_EQ(cpu.idtr.limit, 0x3ff);
  EXPECT_EQ(cpu.seg[1].selector, 0x08);
  EXPECT_EQ(cpu.seg[1].base, 0u);
  EXPECT_EQ(cpu.seg[1].limit, 0xffffffffu);
  EXPECT_EQ(cpu.seg[1].attrs, 0xc09b);
  for (int s : {0, 2, 3, 4, 5}) {
    EXPECT_EQ(cpu.seg[s].selector, 0x10) << "segment " << s;
    EXPECT_EQ(cpu.seg[s].base, 0u);
    EXPECT_EQ(cpu.seg[s].limit, 0xffffffffu);
    EXPECT_EQ(cpu.seg[s].attrs, 0xc093);
  }
  EXPECT_EQ(cpu.ldtr.selector, 0);
  EXPECT_EQ(cpu.tr.selector, 0);
  EXPECT_EQ(cpu.tr.attrs, 0x8b);
  EXPECT_EQ(cpu.get_rflags() & (rflags::IF | rflags::VM | rflags::TF | rflags::DF | rflags::IOPL), 0u);
  EXPECT_EQ(cpu.gpr[RSP], 0x6f08u);
  EXPECT_EQ(cpu.apic_base, 0xfee00900u);
  EXPECT_EQ(cpu.dr[7], 0x400u);
}

// ---- multiboot header search ------------------------------------------------

TEST(MultibootHeaderTest, FoundAtAlignedOffsetsBelowQemusLimit) {
  for (size_t at : {size_t{0}, size_t{4}, size_t{0x100}, size_t{8192 - 52}}) {
    std::vector<uint8_t> f(8192, 0);
    put_multiboot_header(f, at, 3);
    auto h = find_multiboot_header(f);
    ASSERT_TRUE(h) << at;
    EXPECT_EQ(h->offset, at);
    EXPECT_EQ(h->flags, 3u);
  }
}

TEST(MultibootHeaderTest, NotFoundMisalignedBeyondLimitOrBadChecksum) {
  std::vector<uint8_t> f(16384, 0);
  put_multiboot_header(f, 8192 - 48, 3);  // QEMU stops before 8192 - 48
  put_multiboot_header(f, 8192, 3);
  put_multiboot_header(f, 0x102, 3);  // misaligned
  EXPECT_FALSE(find_multiboot_header(f));
  std::vector<uint8_t> g(64, 0);
  put_multiboot_header(g, 8, 3);
  put32(g, 16, 0x12345678);  // checksum off
  EXPECT_FALSE(find_multiboot_header(g));
}

TEST(MultibootHeaderTest, FirstValidHeaderWins) {
  std::vector<uint8_t> f(256, 0);
  put_multiboot_header(f, 16, 3);
  put32(f, 24, 0);  // bad checksum at 16
  put_multiboot_header(f, 64, 1);
  put_multiboot_header(f, 128, 2);
  auto h = find_multiboot_header(f);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->offset, 64u);
}

TEST(MultibootHeaderTest, TruncatedAoutFieldsAreAnError) {
  std::vector<uint8_t> f(24, 0);
  put_multiboot_header(f, 0, kMultibootFlagAout);
  f.resize(24);
  EXPECT_THROW(find_multiboot_header(f), LoadError);
}

TEST(MultibootHeaderTest, ModuleListSplitsLikeQemu) {
  EXPECT_EQ(split_module_list("a"), std::vector<std::string>({"a"}));
  EXPECT_EQ(split_module_list("mod1 arg1 x,mod2"), std::vector<std::string>({"mod1 arg1 x", "mod2"}));
  EXPECT_EQ(split_module_list("mo,,d3 x,,y,mod1"), std::vector<std::string>({"mo,d3 x,y", "mod1"}));
  EXPECT_EQ(split_module_list("a,"), std::vector<std::string>({"a", ""}));
}

// ---- multiboot loading --------------------------------------------------------

// The layout QEMU 7.2 produced for a 0x2f10-byte kernel at 1 MiB run as
// `-kernel probe.elf -append "foo bar=1" -initrd "mod1 arg1 x,mod2"` (observed).
TEST_F(LoaderTest, MultibootElfLayoutMatchesQemu) {
  files["mod1"] = {'h', 'e', 'l', 'l', 'o', '\n'};
  files["mod2"] = std::vector<uint8_t>(11, 'w');
  auto c = config("probe.elf");
  c.append = "foo bar=1";
  c.module_list = "mod1 arg1 x,mod2";
  auto k = make_multiboot_elf(0x100000, 0x2000, 0x2f10, 0x0c);
  LoadedKernel loaded = load_kernel(k, c, memory, cpu);
  EXPECT_EQ(loaded.format, KernelFormat::Multiboot);
  EXPECT_EQ(loaded.entry, 0x10000cu);

  const uint32_t mbi = 0x9500;
  EXPECT_EQ(r32(mbi + 0), 0x24fu);
  EXPECT_EQ(r32(mbi + 4), 0x27fu);
  EXPECT_EQ(r32(mbi + 8), 0x1fb80u);
  EXPECT_EQ(r32(mbi + 12), 0x8000ffffu);
  EXPECT_EQ(r32(mbi + 16), 0x103031u);
  EXPECT_EQ(str(0x103031), "probe.elf foo bar=1");
  EXPECT_EQ(r32(mbi + 20), 2u);
  EXPECT_EQ(r32(mbi + 24), 0x103000u);
  EXPECT_EQ(r32(mbi + 44), 6u * 24);
  EXPECT_EQ(r32(mbi + 48), 0x9000u);
  EXPECT_EQ(r32(mbi + 64), 0x103045u);
  EXPECT_EQ(str(0x103045), "qemu");
  for (uint32_t off : {28u, 32u, 36u, 40u, 52u, 56u, 60u, 68u, 72u, 76u, 80u, 84u}) EXPECT_EQ(r32(mbi + off), 0u) << off;

  EXPECT_EQ(r32(0x103000), 0x104000u);
  EXPECT_EQ(r32(0x103004), 0x104006u);
  EXPECT_EQ(r32(0x103008), 0x103020u);
  EXPECT_EQ(str(0x103020), "mod1 arg1 x");
  EXPECT_EQ(r32(0x10300c), 0u);
  EXPECT_EQ(r32(0x103010), 0x105000u);
  EXPECT_EQ(r32(0x103014), 0x10500bu);
  EXPECT_EQ(str(0x10302c), "mod2");
  EXPECT_EQ(std::memcmp(memory.host(0x104000, 6), "hello\n", 6), 0);
  EXPECT_EQ(*memory.host(0x105000, 1), 'w');

  // bss zeroed, text copied
  EXPECT_EQ(*memory.host(0x100010, 1), 0x90);
  EXPECT_EQ(*memory.host(0x102000, 1), 0);
  EXPECT_EQ(r32(0x100000), kMultibootHeaderMagic);

  // The e820 map QEMU's SeaBIOS reports for 128 MiB with an Intel CPU model.
  const uint64_t want[6][3] = {{0, 0x9fc00, 1},          {0x9fc00, 0x400, 2},        {0xf0000, 0x10000, 2},
                               {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x20000, 2}, {0xfffc0000, 0x40000, 2}};
  for (int n = 0; n < 6; ++n) {
    const uint64_t e = 0x9000 + 24 * n;
    EXPECT_EQ(r32(e), 20u);
    EXPECT_EQ(r64(e + 4), want[n][0]) << n;
    EXPECT_EQ(r64(e + 12), want[n][1]) << n;
    EXPECT_EQ(r32(e + 20), want[n][2]) << n;
  }

  expect_flat_protected_state(cpu, 0x10000c);
  EXPECT_EQ(cpu.gpr[RAX], 0x2badb002u);
  EXPECT_EQ(cpu.gpr[RBX], 0x9500u);
  EXPECT_EQ(cpu.gpr[RCX], 0x10000cu);
  EXPECT_EQ(cpu.get_rflags(), 0x6u);
  for (int n = 0; n < 5; ++n) EXPECT_EQ(r64(0xcb2b8 + 8 * n), kBootGdt[n]);
  EXPECT_EQ(r64(0xcb2c0), 0x00cf9a000000ffffull);
}

TEST_F(LoaderTest, MultibootCommandLinesLikeQemu) {
  files["mo,d3"] = {'a', 'b', 'c', '\n'};
  files["mod1"] = {'x'};
  auto c = config("./probe.elf");
  c.append = "a,b c";
  c.module_list = "mo,,d3 x,,y,mod1";
  load_kernel(make_multiboot_elf(0x100000, 0x2000, 0x2f10, 0), c, memory, cpu);
  EXPECT_EQ(str(0x103020), "mo,d3 x,y");
  EXPECT_EQ(str(0x10302a), "mod1");
  EXPECT_EQ(r32(0x9500 + 16), 0x10302fu);
  EXPECT_EQ(str(0x10302f), "./probe.elf a,b c");
  EXPECT_EQ(r32(0x103000), 0x104000u);
  EXPECT_EQ(r32(0x103004), 0x104004u);
  EXPECT_EQ(r32(0x103010), 0x105000u);
}

TEST_F(LoaderTest, MultibootWithoutAppendOrModules) {
  load_kernel(make_multiboot_elf(0x100000, 0x2000, 0x2f10, 0), config("probe.elf"), memory, cpu);
  EXPECT_EQ(r32(0x9500 + 16), 0x103000u);
  EXPECT_EQ(str(0x103000), "probe.elf ");  // QEMU keeps the space
  EXPECT_EQ(r32(0x9500 + 20), 0u);
  EXPECT_EQ(r32(0x9500 + 24), 0x103000u);
  EXPECT_EQ(r32(0x9500 + 64), 0x10300bu);
  EXPECT_EQ(str(0x10300b), "qemu");
}

TEST_F(LoaderTest, MultibootEntryOfAHigherHalfElfIsTranslated) {
  std::vector<uint8_t> text(0x100, 0x90);
  put_multiboot_header(text, 0, 3);
  auto f = make_elf32(0xc0100010, {{0xc0100000, 0x100000, text, 0}});
  EXPECT_EQ(load_kernel(f, config(), memory, cpu).entry, 0x100010u);
  EXPECT_EQ(cpu.rip, 0x100010u);
}

TEST_F(LoaderTest, MultibootElfWithSeveralSegments) {
  std::vector<uint8_t> text(0x80, 0x90), data(0x10, 0xaa);
  put_multiboot_header(text, 0, 3);
  auto f = make_elf32(0x100000, {{0x100000, 0x100000, text, 0}, {0x200000, 0x200000, data, 0x2000, 6}});
  load_kernel(f, config(), memory, cpu);
  EXPECT_EQ(*memory.host(0x200000, 1), 0xaa);
  EXPECT_EQ(r32(0x9500 + 24), 0x202000u);  // info after the highest segment
}

TEST_F(LoaderTest, MultibootAoutKludge) {
  auto f = make_aout(0x200000, 0x1800, 0x204000, 0x200020, 0x40);
  LoadedKernel k = load_kernel(f, config(), memory, cpu);
  EXPECT_EQ(k.format, KernelFormat::Multiboot);
  EXPECT_EQ(cpu.rip, 0x200020u);
  EXPECT_EQ(*memory.host(0x200000, 1), 0xcc);
  EXPECT_EQ(r32(0x200040), kMultibootHeaderMagic);
  EXPECT_EQ(*memory.host(0x2017ff, 1), 0xcc);
  EXPECT_EQ(*memory.host(0x201800, 1), 0);
  EXPECT_EQ(r32(0x9500 + 24), 0x204000u);
}

TEST_F(LoaderTest, MultibootAoutSkipsFileBytesBeforeTheLoadedText) {
  // The header sits 0x200 into the file but only 0x40 into the loaded text:
  // loading starts at file offset 0x1c0.
  std::vector<uint8_t> f(0x1000, 0);
  for (size_t i = 0; i < f.size(); ++i) f[i] = static_cast<uint8_t>(i >> 4);
  put_multiboot_header(f, 0x200, kMultibootFlagAout);
  put32(f, 0x20c, 0x300040);  // header_addr
  put32(f, 0x210, 0x300000);  // load_addr
  put32(f, 0x214, 0);         // load to the end of the file
  put32(f, 0x218, 0);         // no bss
  put32(f, 0x21c, 0x300040);
  load_kernel(f, config(), memory, cpu);
  EXPECT_EQ(*memory.host(0x300000, 1), 0x1c);
  EXPECT_EQ(r32(0x300040), kMultibootHeaderMagic);
  EXPECT_EQ(*memory.host(0x300000 + 0x1000 - 0x1c0 - 1, 1), 0xff);
  EXPECT_EQ(r32(0x9500 + 24), 0x301000u);
}

TEST_F(LoaderTest, MultibootAoutKludgeAppliesToElf64FilesToo) {
  auto f = make_elf64(0x100000, 0x100000, 0x100);
  put_multiboot_header(f, 0x1000, kMultibootFlagAout);
  put32(f, 0x100c, 0x101000);
  put32(f, 0x1010, 0x100000);
  put32(f, 0x1014, 0);
  put32(f, 0x1018, 0x110000);
  put32(f, 0x101c, 0x101010);
  EXPECT_EQ(load_kernel(f, config(), memory, cpu).format, KernelFormat::Multiboot);
  EXPECT_EQ(cpu.rip, 0x101010u);
  EXPECT_EQ(*memory.host(0x100000, 1), 0x7f);  // the whole file from offset 0
}

TEST_F(LoaderTest, Elf64WithAMultibootHeaderButNoKludgeUsesTheLongModeEntry) {
  auto f = make_elf64(0x100000, 0x100000, 0x100);
  put_multiboot_header(f, 0x1000, 3);
  EXPECT_EQ(load_kernel(f, config(), memory, cpu).format, KernelFormat::Elf64);
  EXPECT_EQ(cpu.efer & efer::LMA, efer::LMA);
}

TEST_F(LoaderTest, MemoryMapScalesWithRam) {
  PhysicalMemory small(4ull << 20);
  load_kernel(make_multiboot_elf(0x100000, 0x100, 0x100, 0), config(), small, cpu);
  uint32_t upper;
  std::memcpy(&upper, small.host(0x9500 + 8, 4), 4);
  EXPECT_EQ(upper, (4u << 10) - 1024 - 128);
}

TEST_F(LoaderTest, MultibootReportsThePlatformMemoryMap) {
  auto c = config();
  c.memory_map = {{0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0xf0000, 0x10000, 2}, {0x100000, kRam - 0x100000, 1}};
  load_kernel(make_multiboot_elf(0x100000, 0x100, 0x100, 0), c, memory, cpu);
  EXPECT_EQ(r32(0x9500 + 44), 4u * 24);
  EXPECT_EQ(r32(0x9500 + 4), 639u);
  EXPECT_EQ(r32(0x9500 + 8), (kRam - 0x100000) >> 10);
  EXPECT_EQ(r64(0x9000 + 3 * 24 + 4), 0x100000u);
  EXPECT_EQ(r64(0x9000 + 3 * 24 + 12), kRam - 0x100000);
  EXPECT_EQ(r32(0x9000 + 3 * 24 + 20), 1u);
}

TEST_F(LoaderTest, TooLongMemoryMapIsRejected) {
  auto c = config();
  for (int i = 0; i < 60; ++i) c.memory_map.push_back({uint64_t(i) << 32, 0x1000, 2});
  EXPECT_EQ(error_of(make_multiboot_elf(0x100000, 0x100, 0x100, 0), c),
            "the memory map does not fit below the multiboot information");
}


struct BadMultiboot {
  const char* name;
  std::function<std::vector<uint8_t>()> make;
  const char* message;  // a fragment of the error
};

TEST_F(LoaderTest, CorruptMultibootKernelsAreRejected) {
  const BadMultiboot cases[] = {
      {"header_addr below load_addr",
       [] {
         auto f = make_aout(0x100000, 0x1000, 0, 0x100000);
         put32(f, 12, 0xfffff);
         return f;
       },
       "header_addr 0xfffff is below load_addr"},
      {"header_addr beyond the header's offset",
       [] {
         auto f = make_aout(0x100000, 0x1000, 0, 0x100000);
         put32(f, 12, 0x100010);
         return f;
       },
       "exceeds the header's file offset"},
      {"load_end_addr below load_addr",
       [] {
         auto f = make_aout(0x100000, 0x1000, 0, 0x100000);
         put32(f, 20, 0x1000);
         return f;
       },
       "load_end_addr 0x1000 is below load_addr"},
      {"bss_end_addr below the loaded end",
       [] { return make_aout(0x100000, 0x1000, 0x100800, 0x100000); }, "bss_end_addr 0x100800 is below"},
      {"load_end_addr beyond the file",
       [] {
         auto f = make_aout(0x100000, 0x1000, 0, 0x100000);
         put32(f, 20, 0x102000);
         return f;
       },
       "lies outside the file (truncated?)"},
      {"entry outside", [] { return make_aout(0x100000, 0x1000, 0, 0x200000); }, "entry_addr 0x200000 is outside"},
      {"kernel over the multiboot info", [] { return make_aout(0x8000, 0x2000, 0, 0x8000); },
       "overlaps the multiboot memory map and information at 0x9000-0x9558"},
      {"kernel in the VGA hole", [] { return make_aout(0xb8000, 0x1000, 0, 0xb8000); },
       "overlaps the VGA and BIOS area at 0xa0000-0x100000"},
      {"kernel above RAM", [] { return make_aout(0x10000000, 0x1000, 0, 0x10000000); },
       "does not fit in 0x8000000 bytes of RAM (use -m)"},
      {"bss above RAM", [] { return make_aout(0x7fff000, 0x800, 0x8001000, 0x7fff000); },
       "does not fit in 0x8000000 bytes of RAM"},
      {"info above RAM", [] { return make_aout(0x7fff000, 0x1000, 0, 0x7fff000); },
       "the multiboot modules and command lines at 0x8000000"},
      {"kernel wraps 4 GiB",
       [] {
         auto f = make_aout(0xfffff800, 0x1000, 0, 0xfffff800);
         put32(f, 20, 0);  // load to the end of the file
         return f;
       },
       "does not fit below 4 GiB"},
      {"no kludge and not ELF",
       [] {
         std::vector<uint8_t> f(0x100, 0);
         put_multiboot_header(f, 0, 3);
         return f;
       },
       "not an ELF32 image"},
      {"ELF not i386",
       [] {
         auto f = make_multiboot_elf(0x100000, 0x100, 0x100, 0);
         put16(f, 18, 62);
         return f;
       },
       "not an i386 ELF file (e_machine 62)"},
      {"ELF segment over the info", [] { return make_multiboot_elf(0x9000, 0x100, 0x100, 0); },
       "kernel segment 0 (0x9000-0x9100) overlaps the multiboot memory map"},
      {"ELF truncated",
       [] {
         auto f = make_multiboot_elf(0x100000, 0x2000, 0x2000, 0);
         f.resize(0x2000);
         return f;
       },
       "segment 0: data lies outside the file (truncated?)"},
  };
  for (const BadMultiboot& c : cases) {
    const std::string error = error_of(c.make());
    EXPECT_NE(error.find(c.message), std::string::npos) << c.name << ": got '" << error << "'";
    EXPECT_EQ(error.find('\n'), std::string::npos) << c.name;
  }
}

TEST_F(LoaderTest, MissingModuleIsNamed) {
  auto c = config();
  c.module_list = "nonexistent arg";
  EXPECT_EQ(error_of(make_multiboot_elf(0x100000, 0x100, 0x100, 0), c), "module 'nonexistent': cannot open 'nonexistent'");
}

TEST_F(LoaderTest, ModulesAboveRamAreRejected) {
  files["big"] = std::vector<uint8_t>(kRam, 1);
  auto c = config();
  c.module_list = "big";
  EXPECT_NE(error_of(make_multiboot_elf(0x100000, 0x100, 0x100, 0), c).find("does not fit in 0x8000000 bytes"),
            std::string::npos);
}

// ---- ELF32 without multiboot --------------------------------------------------------

TEST_F(LoaderTest, PlainElf32EntersProtectedModeWithRamSizeInEdi) {
  std::vector<uint8_t> text(0x20, 0xf4);
  auto f = make_elf32(0x100004, {{0x100000, 0x100000, text, 0x1000}});
  LoadedKernel k = load_kernel(f, config(), memory, cpu);
  EXPECT_EQ(k.format, KernelFormat::Elf32);
  expect_flat_protected_state(cpu, 0x100004);
  EXPECT_EQ(cpu.gpr[RAX], 0u);
  EXPECT_EQ(cpu.gpr[RBX], 0u);
  EXPECT_EQ(cpu.gpr[RDI], kRam);
  EXPECT_EQ(cpu.get_rflags(), 0x2u);
  EXPECT_EQ(*memory.host(0x10001f, 1), 0xf4);
  EXPECT_EQ(r64(0xcb2c8), 0x00cf92000000ffffull);
}

TEST_F(LoaderTest, CorruptElf32IsRejected) {
  std::vector<uint8_t> text(0x100, 0x90);
  const auto good = [&] { return make_elf32(0x100000, {{0x100000, 0x100000, text, 0}}); };
  struct Case {
    const char* name;
    std::function<void(std::vector<uint8_t>&)> corrupt;
    const char* message;
  } cases[] = {
      {"short", [](auto& f) { f.resize(40); }, "not an ELF file"},
      {"big endian", [](auto& f) { f[5] = 2; }, "not a little-endian ELF file"},
      {"relocatable", [](auto& f) { put16(f, 16, 1); }, "not an ELF executable (e_type 1)"},
      {"phentsize", [](auto& f) { put16(f, 42, 40); }, "bad program header size (e_phentsize 40, want 32)"},
      {"phoff outside", [](auto& f) { put32(f, 28, 0x7fffffff); }, "program headers lie outside the file"},
      {"phnum too large", [](auto& f) { put16(f, 44, 0xffff); }, "program headers lie outside the file"},
      {"filesz > memsz", [](auto& f) { put32(f, 52 + 20, 0x10); }, "segment 0: file size exceeds memory size"},
      {"offset outside", [](auto& f) { put32(f, 52 + 4, 0xfffffff0); }, "segment 0: data lies outside the file"},
      {"wraps", [](auto& f) { put32(f, 52 + 12, 0xffffff80); }, "wraps around 4 GiB"},
      {"not loadable", [](auto& f) { put32(f, 52, 4); }, "no loadable segment"},
      {"entry outside", [](auto& f) { put32(f, 24, 0x200000); }, "entry point 0x200000 is not inside a loaded segment"},
      {"above RAM", [](auto& f) { put32(f, 52 + 12, 0x20000000); put32(f, 24, 0x20000000); },
       "segment 0 at 0x20000000 (+0x100) does not fit in 0x8000000 bytes of RAM (use -m)"},
      {"in the VGA hole", [](auto& f) { put32(f, 52 + 12, 0xa0000); put32(f, 52 + 8, 0xa0000); put32(f, 24, 0xa0000); },
       "segment 0 (0xa0000-0xa0100) overlaps the VGA and BIOS area"},
  };
  for (const Case& c : cases) {
    auto f = good();
    c.corrupt(f);
    const std::string error = error_of(f);
    EXPECT_NE(error.find(c.message), std::string::npos) << c.name << ": got '" << error << "'";
  }
  auto two = make_elf32(0x100000, {{0x100000, 0x100000, text, 0}, {0x100080, 0x100080, text, 0}});
  EXPECT_EQ(error_of(two), "segment 1 overlaps segment 0");
}

// ---- ELF64 and dispatch -------------------------------------------------------------

TEST_F(LoaderTest, Elf64OverlappingSegmentsAreRejected) {
  auto f = make_elf64(0x100000, 0x100000, 0x100);
  // A second PT_LOAD header, 0x80 bytes into the first segment's physical range.
  f.insert(f.begin() + 64 + 56, f.begin() + 64, f.begin() + 64 + 56);
  put16(f, 56, 2);
  put64(f, 64 + 56 + 24, 0x100080);
  EXPECT_EQ(error_of(f), "segment 1 overlaps segment 0");
  put64(f, 64 + 56 + 24, 0x100100);  // adjacent: accepted
  EXPECT_EQ(error_of(f), "");
}

TEST_F(LoaderTest, Elf64KeepsTheLongModeContract) {
  LoadedKernel k = load_kernel(make_elf64(0x100010, 0x100000, 0x100), config(), memory, cpu);
  EXPECT_EQ(k.format, KernelFormat::Elf64);
  EXPECT_EQ(cpu.rip, 0x100010u);
  EXPECT_EQ(cpu.gpr[RDI], kRam);
  EXPECT_EQ(cpu.cr3, 0x1000u);
  EXPECT_EQ(cpu.seg[1].attrs, 0xa09b);
}

TEST_F(LoaderTest, OptionsThatDoNotApply) {
  auto c = config();
  c.append = "x";
  EXPECT_EQ(error_of(make_elf64(0x100010, 0x100000, 0x100), c),
            "--append and --initrd need a multiboot kernel or a bzImage (no multiboot header in the first 8 KiB)");
  auto real_without_load = config();
  real_without_load.entry_mode = EntryMode::Real;
  EXPECT_EQ(error_of(make_elf64(0x100010, 0x100000, 0x100), real_without_load), "--entry-mode needs --load ADDR");
  EXPECT_EQ(error_of(std::vector<uint8_t>(100, 0x90)),
            "not a multiboot kernel or an ELF executable (load a flat binary with --load ADDR)");
}

// ---- flat binaries --------------------------------------------------------------------

TEST_F(LoaderTest, FlatBinaryInProtectedMode) {
  auto c = config();
  c.load_addr = 0x200000;
  LoadedKernel k = load_kernel(std::vector<uint8_t>(0x10, 0xf4), c, memory, cpu);
  EXPECT_EQ(k.format, KernelFormat::Flat);
  expect_flat_protected_state(cpu, 0x200000);
  EXPECT_EQ(cpu.gpr[RDI], kRam);
  EXPECT_EQ(*memory.host(0x20000f, 1), 0xf4);
}

TEST_F(LoaderTest, FlatBinaryInRealMode) {
  auto c = config();
  c.load_addr = 0x7c05;
  c.entry_mode = EntryMode::Real;
  load_kernel(std::vector<uint8_t>(0x200, 0x90), c, memory, cpu);
  EXPECT_EQ(cpu.seg[1].selector, 0x7c0);
  EXPECT_EQ(cpu.seg[1].base, 0x7c00u);
  EXPECT_EQ(cpu.seg[1].limit, 0xffffu);
  EXPECT_EQ(cpu.rip, 5u);
  EXPECT_EQ(cpu.cr0, 0x10u);
  EXPECT_EQ(cpu.gpr[RSP], 0x7000u);
  EXPECT_EQ(cpu.seg[2].selector, 0);
  EXPECT_EQ(cpu.seg[3].base, 0u);
  EXPECT_EQ(cpu.idtr.base, 0u);
  EXPECT_EQ(cpu.idtr.limit, 0x3ff);
  EXPECT_EQ(cpu.get_rflags(), 0x2u);
  EXPECT_EQ(r32(0), 0xf000ff53u);
  EXPECT_EQ(r32(0x3fc), 0xf000ff53u);
  EXPECT_EQ(*memory.host(0xfff53, 1), 0xcf);
  EXPECT_EQ(*memory.host(0x7c05, 1), 0x90);
}

TEST_F(LoaderTest, BadFlatBinaries) {
  auto c = config();
  c.load_addr = 0x100000;
  EXPECT_EQ(error_of({}, c), "the flat binary is empty");
  c.load_addr = 0x7fffff0;
  EXPECT_EQ(error_of(std::vector<uint8_t>(0x20, 0), c),
            "the flat binary at 0x7fffff0 (+0x20) does not fit in 0x8000000 bytes of RAM (use -m)");
  c.load_addr = 0x9f000;
  EXPECT_EQ(error_of(std::vector<uint8_t>(0x2000, 0), c),
            "the flat binary (0x9f000-0xa1000) overlaps the VGA and BIOS area at 0xa0000-0x100000");
  c.load_addr = 0xfffffff0;
  EXPECT_EQ(error_of(std::vector<uint8_t>(0x20, 0), c), "--load 0xfffffff0: a 32-bit flat binary must lie below 4 GiB");
  c.entry_mode = EntryMode::Real;
  c.load_addr = 0x100000;
  EXPECT_EQ(error_of(std::vector<uint8_t>(0x20, 0), c), "--load 0x100000: a real-mode entry point must lie below 1 MiB");
  c.load_addr = 0x200;
  EXPECT_EQ(error_of(std::vector<uint8_t>(0x300, 0), c),
            "the flat binary (0x200-0x500) overlaps the interrupt vector table at 0x0-0x400");
  c.append = "x";
  EXPECT_EQ(error_of(std::vector<uint8_t>(0x20, 0), c), "--append and --initrd need a multiboot kernel or a bzImage, not --load");
}

// ---- robustness -------------------------------------------------------------------------

// Random corruptions and truncations of valid kernels of every kind: each load
// either succeeds or throws LoadError (run under ASan in the sanitizer build).
TEST_F(LoaderTest, MutatedKernelsNeverCrash) {
  std::vector<uint8_t> text(0x300, 0x90);
  put_multiboot_header(text, 0, 3);
  const std::vector<std::vector<uint8_t>> seeds = {
      make_multiboot_elf(0x100000, 0x300, 0x1000, 0), make_aout(0x100000, 0x400, 0x102000, 0x100010, 0x20),
      make_elf32(0x100000, {{0x100000, 0x100000, text, 0}, {0x300000, 0x300000, text, 0x5000, 6}}),
      make_elf64(0x100000, 0x100000, 0x200)};
  std::mt19937 rng(12345);
  int loaded = 0, rejected = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> f = seeds[round % seeds.size()];
    const int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; ++e) {
      const size_t header_bias = rng() % 2 ? 0x60 : f.size();
      const size_t at = rng() % std::min(f.size(), header_bias);
      switch (rng() % 3) {
        case 0: f[at] = static_cast<uint8_t>(rng()); break;
        case 1: if (at + 4 <= f.size()) put32(f, at, static_cast<uint32_t>(rng())); break;
        case 2: f.resize(at); break;
      }
      if (f.empty()) f.push_back(0);
    }
    try {
      load_kernel(f, config(), memory, cpu);
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
