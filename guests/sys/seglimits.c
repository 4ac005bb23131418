/* Segment limit and type checks on data accesses in 32-bit protected mode (SDM
 * Vol. 3, 5.3 "Limit checking" and 5.5 "Privilege and type checks"): the side QEMU
 * does not implement, so this kernel runs only in orcvm and its expected output is
 * what the SDM requires (every line PASS). */
#include "sys.h"

#define SEL_LIMITED (GDT_SCRATCH + 0x00) /* loaded into FS by each test */
#define SEL_STACK (GDT_SCRATCH + 0x08)   /* a stack segment with a 2 GiB limit */

static u32 area[1024] __attribute__((aligned(4096)));
u32 scratch = 0x5a5a5a5a;

SNIPPET(read_fs_0, "", "mov %fs:0, %eax", "");
SNIPPET(read_fs_ffc, "", "mov %fs:0xffc, %eax", "");
SNIPPET(read_fs_ffe, "", "mov %fs:0xffe, %eax", "");
SNIPPET(read_fs_fff, "", "mov %fs:0xfff, %eax", "");
SNIPPET(read_fs_1000, "", "mov %fs:0x1000, %eax", "");
SNIPPET(read_fs_fffe_word, "", "movw %fs:0xfffe, %ax", "");
SNIPPET(read_fs_ffff_word, "", "movw %fs:0xffff, %ax", "");
SNIPPET(write_fs_0, "", "movl $1, %fs:0", "");
SNIPPET(inc_fs_0, "", "incl %fs:0", "");
SNIPPET(movs_to_fs, "mov $scratch, %esi\n mov $0x1000, %edi\n push %es\n push %fs\n pop %es",
        "movsl", "pop %es");
SNIPPET(write_cs, "", "movl $1, %cs:scratch", "");
SNIPPET(read_cs, "", "mov %cs:scratch, %eax", "");
SNIPPET(read_ss_high, "", "mov %ss:0x80000000, %eax", "");
SNIPPET(read_ss_low, "", "mov %ss:scratch, %eax", "");

/* The exception handler leaves FS as the kernel's: each run reloads it. */
static u16 fs_selector;

static void load_fs(u32 base, u32 limit, u8 type, u8 flags) {
  set_gdt_entry(SEL_LIMITED, make_desc(base, limit, ACC_P | ACC_S | type, flags));
  fs_selector = SEL_LIMITED;
}

static int run(void (*fn)(uptr)) {
  WRITE_SEG(fs, fs_selector);
  int v = catch_call(fn, 0);
  WRITE_SEG(fs, KERNEL_DS);
  return v;
}

/* The snippet raises #GP(0) (or #SS(0) through SS) at its instruction. */
static void expect_fault(const char* name, void (*fn)(uptr), const char* insn, int vector) {
  int v = run(fn);
  check_eqf((u32)v, (u32)vector, "%s.vector", name);
  check_eqf((u32)last_trap.error, 0, "%s.error_code", name);
  check_eqf(last_trap.ip, (uptr)insn, "%s.eip", name);
}

static void expect_ok(const char* name, void (*fn)(uptr)) { check_eq(name, (u32)run(fn), (u32)-1); }

static void test_expand_up(void) {
  section("expand-up data segment, byte-granular limit 0xfff");
  load_fs((u32)(uptr)area, 0xfff, DESC_TYPE_DATA_RW, FLG_DB);
  expect_ok("up.read_last_dword", read_fs_ffc);
  expect_fault("up.dword_straddling_limit", read_fs_ffe, read_fs_ffe_insn, VEC_GP);
  expect_fault("up.read_beyond_limit", read_fs_1000, read_fs_1000_insn, VEC_GP);
  expect_fault("up.movs_destination_beyond_limit", movs_to_fs, movs_to_fs_insn, VEC_GP);
  load_fs((u32)(uptr)area, 0xffff, DESC_TYPE_DATA_RW, 0);
  expect_ok("up.word_at_fffe_of_64k", read_fs_fffe_word);
  expect_fault("up.word_at_ffff_of_64k", read_fs_ffff_word, read_fs_ffff_word_insn, VEC_GP);
  load_fs(0, 0xfffff, DESC_TYPE_DATA_RW, FLG_G | FLG_DB);
  expect_ok("up.page_granular_4g_reads_anywhere", read_fs_1000);
}

static void test_expand_down(void) {
  section("expand-down data segment, limit 0xfff");
  load_fs((u32)(uptr)area - 0x1000, 0xfff, DESC_TYPE_DATA_RW_DOWN, FLG_DB);
  expect_ok("down.read_above_limit", read_fs_1000);
  expect_fault("down.read_at_limit", read_fs_fff, read_fs_fff_insn, VEC_GP);
  expect_fault("down.read_below_limit", read_fs_0, read_fs_0_insn, VEC_GP);
  load_fs((u32)(uptr)area - 0x1000, 0xfff, DESC_TYPE_DATA_RW_DOWN, 0);
  expect_ok("down.16bit_word_at_fffe", read_fs_fffe_word);
  expect_fault("down.16bit_word_past_ffff", read_fs_ffff_word, read_fs_ffff_word_insn, VEC_GP);
}

static void test_types(void) {
  section("segment types");
  load_fs((u32)(uptr)area, 0xfff, DESC_TYPE_DATA_RO, FLG_DB);
  expect_ok("type.read_only_read", read_fs_0);
  expect_fault("type.read_only_write", write_fs_0, write_fs_0_insn, VEC_GP);
  expect_fault("type.read_only_read_modify_write", inc_fs_0, inc_fs_0_insn, VEC_GP);
  check_eq("type.read_only_left_unchanged", area[0], 0);
  load_fs((u32)(uptr)area, 0xfff, DESC_TYPE_CODE_XR, FLG_DB);
  expect_ok("type.readable_code_read", read_fs_0);
  expect_fault("type.readable_code_write", write_fs_0, write_fs_0_insn, VEC_GP);
  expect_ok("type.cs_override_read", read_cs);
  expect_fault("type.cs_override_write", write_cs, write_cs_insn, VEC_GP);
  check_eq("type.cs_override_write_left_unchanged", scratch, 0x5a5a5a5a);
  fs_selector = 0;
  expect_fault("type.null_fs_read", read_fs_0, read_fs_0_insn, VEC_GP);
  expect_fault("type.null_fs_write", write_fs_0, write_fs_0_insn, VEC_GP);
}

static void test_stack(void) {
  section("stack segment limit: #SS");
  set_gdt_entry(SEL_STACK, make_desc(0, 0x7ffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_G | FLG_DB));
  WRITE_SEG(ss, SEL_STACK);
  expect_ok("ss.read_below_limit", read_ss_low);
  expect_fault("ss.read_beyond_limit", read_ss_high, read_ss_high_insn, VEC_SS);
  WRITE_SEG(ss, KERNEL_DS);
}

void kmain(void) {
  test_expand_up();
  test_expand_down();
  test_types();
  test_stack();
}
