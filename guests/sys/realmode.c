/* Real mode, entered from the multiboot 32-bit state through a 16-bit
 * protected-mode segment and CR0.PE = 0: IVT delivery of INT n and of
 * exceptions (#DE, #UD, #BP, #OF, #BR, #GP for a vector beyond the IVT
 * limit) with their 16-bit frames, IRET, far CALL, segment arithmetic and
 * 16-bit wraparound, the stack, unreal mode, LIDT, FNSTENV's real-mode
 * layouts, and the A20 gate. The
 * 16-bit code is in realmode16.S. */
#include "sys.h"

#define RM_BASE 0x10000u
#define RM_SEG 0x1000u
extern char rm_blob_start[], rm_blob_end[];
extern int realmode_call(u32 offset);
#define OFF(sym) ((u32)((uptr)(sym) - (uptr)rm_blob_start))
#define R16(sym) (*(volatile u16*)(uptr)(RM_BASE + OFF(sym)))
#define R32(sym) (*(volatile u32*)(uptr)(RM_BASE + OFF(sym)))

extern char h_vec0[], h_vec3[], h_vec4[], h_vec5[], h_vec6[], h_vec13[], h_vec80[], h_vec81[], h_vec82[];
extern char r_vector[], r_ip[], r_cs[], r_flags[], r_sp[], r_hflags[], r_count[], r_presp[], r_after_flags[],
    r_resumed[], r_seg_alias[], r_wrap16[], r_wrap_sp[], r_wrap_val[], r_unreal[], r_fs_real[], r_far_ip[],
    r_far_cs[], r_same_ip[], r_iopl[], r_msw[], r_cr0[], r_cs_after[], r_cf_after[], r_push32_sp[], unreal_address[], r_port92[], r_port92_off[], r_a20_on[], r_a20_off[],
    r_a20_alias[], r_a20_back[], r_ffff_on[], r_ffff_off[], r_ivt0[], s_a20[];
extern char s_int80[], s_int80_after[], s_de[], s_de_insn[], s_ud[], s_ud_insn[], s_int3[], s_int3_after[],
    s_into[], s_into_after[], s_bound[], s_bound_insn[], s_iret_cs[], s_segarith[], s_stackwrap[], s_unreal[],
    s_farcall[], s_farcall_after[], s_same_ip[], s_sys[], s_moved_ivt[], s_ivt_limit[], s_ivt_limit_insn[], s_x87[],
    s_x87_insn[], r_x87_env16[], r_x87_env32[], x87_operand[];

static volatile u32* const ivt = (volatile u32*)(uptr)0;
static volatile u32* const moved_ivt = (volatile u32*)(uptr)(RM_BASE + 0x4000);
static u32 unreal_marker = 0x600dcafe;

static void vector_to(volatile u32* table, int v, char* handler) { table[v] = (RM_SEG << 16) | OFF(handler); }

static void run(const char* name, char* scenario) {
  R16(r_vector) = 0xffff;
  R16(r_count) = 0;
  int v = realmode_call(OFF(scenario));
  check_eqf((u32)v, (u32)-1, "rm.%s.returns_to_protected_mode", name);
}

static void test_real_mode(void) {
  section("real mode: IVT delivery and 16-bit frames");
  memcpy((void*)(uptr)RM_BASE, rm_blob_start, (size_t)(rm_blob_end - rm_blob_start));
  set_gdt_entry(CODE16_SEL, make_desc(RM_BASE, 0xffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, 0));
  vector_to(ivt, 0, h_vec0);
  vector_to(ivt, 3, h_vec3);
  vector_to(ivt, 4, h_vec4);
  vector_to(ivt, 5, h_vec5);
  vector_to(ivt, 6, h_vec6);
  vector_to(ivt, 13, h_vec13);
  vector_to(ivt, 0x80, h_vec80);
  vector_to(ivt, 0x81, h_vec81);
  vector_to(moved_ivt, 0x82, h_vec82);
  R32(unreal_address) = (u32)(uptr)&unreal_marker;

  run("int_n", s_int80);
  check_eq("rm.int_n.vector", R16(r_vector), 0x80);
  check_eq("rm.int_n.pushed_ip", R16(r_ip), OFF(s_int80_after));
  check_eq("rm.int_n.pushed_cs", R16(r_cs), RM_SEG);
  check_eq("rm.int_n.pushed_flags_if", R16(r_flags) & (FL_IF | FL_FIXED), FL_IF | FL_FIXED);
  check_eq("rm.int_n.frame_is_three_words", R16(r_sp), (u16)(R16(r_presp) - 6));
  check_eq("rm.int_n.handler_if_tf_clear", R16(r_hflags) & (FL_IF | FL_TF), 0);
  check_eq("rm.int_n.iret_restores_if", R16(r_after_flags) & FL_IF, FL_IF);
  check_eq("rm.int_n.one_delivery", R16(r_count), 1);

  run("divide_error", s_de);
  check_eq("rm.de.vector", R16(r_vector), 0);
  check_eq("rm.de.pushed_ip_is_the_div", R16(r_ip), OFF(s_de_insn));
  check_eq("rm.de.pushed_cs", R16(r_cs), RM_SEG);
  check_eq("rm.de.frame_is_three_words", R16(r_sp), (u16)(R16(r_presp) - 6));
  check_eq("rm.de.resumed_after_iret", R16(r_resumed), 1);
  run("invalid_opcode", s_ud);
  check_eq("rm.ud.vector", R16(r_vector), 6);
  check_eq("rm.ud.pushed_ip_is_the_ud2", R16(r_ip), OFF(s_ud_insn));
  check_eq("rm.ud.resumed_after_iret", R16(r_resumed), 1);
  run("breakpoint", s_int3);
  check_eq("rm.bp.vector", R16(r_vector), 3);
  check_eq("rm.bp.pushed_ip_after_int3", R16(r_ip), OFF(s_int3_after));
  run("overflow", s_into);
  check_eq("rm.of.vector", R16(r_vector), 4);
  check_eq("rm.of.pushed_ip_after_into", R16(r_ip), OFF(s_into_after));
  check_eq("rm.of.pushed_flags_of", R16(r_flags) & FL_OF, FL_OF);
  run("bound", s_bound);
  check_eq("rm.br.vector", R16(r_vector), 5);
  check_eq("rm.br.pushed_ip_is_the_bound", R16(r_ip), OFF(s_bound_insn));
  run("ivt_limit", s_ivt_limit);
  check_eq("rm.int_beyond_ivt_limit.vector_gp", R16(r_vector), 13);
  check_eq("rm.int_beyond_ivt_limit.pushed_ip", R16(r_ip), OFF(s_ivt_limit_insn));
  run("moved_ivt", s_moved_ivt);
  check_eq("rm.lidt_moves_the_ivt", R16(r_vector), 0x82);

  section("real mode: IRET, far CALL, segments, stack, unreal mode");
  run("iret_other_cs", s_iret_cs);
  check_eq("rm.iret_loads_cs", R16(r_cs_after), RM_SEG - 1);
  check_eq("rm.iret_loads_flags", R16(r_cf_after), 0xffff);
  run("far_call", s_farcall);
  check_eq("rm.far_call.pushed_ip", R16(r_far_ip), OFF(s_farcall_after));
  check_eq("rm.far_call.pushed_cs", R16(r_far_cs), RM_SEG);
  run("same_ip_two_segments", s_same_ip);
  check_eq("rm.same_ip_two_segments.each_runs_its_own", R16(r_same_ip), 0x5028);  /* DL = 40 x 1, DH = 40 x 2 */
  run("segments", s_segarith);
  check_eq("rm.segment_times_16_plus_offset", R16(r_seg_alias) & 0xff, 0x5a);
  check_eq("rm.16bit_address_wraps", R16(r_wrap16) & 0xff, 0xa5);
  run("stack", s_stackwrap);
  check_eq("rm.push_at_sp_0_wraps.sp", R16(r_wrap_sp), 0xfffe);
  check_eq("rm.push_at_sp_0_wraps.value", R16(r_wrap_val), 0x1234);
  check_eq("rm.push32_takes_4_bytes", R16(r_push32_sp), 0xfffa);
  run("unreal", s_unreal);
  check_eq("rm.unreal_mode_reaches_above_1mib", R32(r_unreal), 0x600dcafe);
  check_eq("rm.segment_load_sets_base", R16(r_fs_real), 10);
  run("system", s_sys);
  check_eq("rm.popf_sets_iopl", R16(r_iopl) & FL_IOPL3, FL_IOPL3);
  check_eq("rm.smsw_pe_clear", R16(r_msw) & CR0_PE, 0);
  check_eq("rm.cr0_pe_clear", R32(r_cr0) & CR0_PE, 0);
  check_eq("rm.back_in_protected_mode", read_cr0() & CR0_PE, CR0_PE);
}

/* FNSTENV in real mode stores the real-mode layouts (SDM Vol. 1, Figures 8-10 and
 * 8-12): FIP and FDP as linear addresses, bits 19:16 (31:16) beside FOP. QEMU
 * 7.2 stores FOP as 0, so FOP is left to tests/vcpu/x87_environment_test.cpp. */
static void test_x87_environment(void) {
  section("real mode: the x87 environment (FNSTENV, 16- and 32-bit operand size)");
  write_cr0(read_cr0() & ~(uptr)(CR0_EM | CR0_TS));
  run("x87", s_x87);
  const u32 ip = RM_BASE + OFF(s_x87_insn), dp = RM_BASE + OFF(x87_operand);
  volatile u16* env16 = &R16(r_x87_env16);
  volatile u32* env32 = &R32(r_x87_env32);
  check_eq("rm.fnstenv16.fcw", env16[0], 0x037f);
  check_eq("rm.fnstenv16.fip_15_0", env16[3], ip & 0xffff);
  check_eq("rm.fnstenv16.fip_19_16", env16[4] >> 12, ip >> 16 & 0xf);
  check_eq("rm.fnstenv16.fdp_15_0", env16[5], dp & 0xffff);
  check_eq("rm.fnstenv16.fdp_19_16", env16[6] >> 12, dp >> 16 & 0xf);
  check_eq("rm.fnstenv32.fip_15_0", env32[3] & 0xffff, ip & 0xffff);
  check_eq("rm.fnstenv32.fip_31_16", env32[4] >> 12, ip >> 16);
  check_eq("rm.fnstenv32.fdp_15_0", env32[5] & 0xffff, dp & 0xffff);
  check_eq("rm.fnstenv32.fdp_31_16", env32[6] >> 12, dp >> 16);
}

static void test_a20(void) {
  section("A20 gate (port 0x92), from real mode");
  run("a20", s_a20);
  check_eq("a20.enabled_at_entry", R16(r_port92) & 2, 2);
  check_eq("a20.enabled_no_alias", R32(r_a20_on), 0x2222);
  check_eq("a20.enabled_ffff_0010_is_1mib", R32(r_ffff_on), 0x1badb002);
  check_eq("a20.disabled_reads_back", R16(r_port92_off) & 2, 0);
  check_eq("a20.disabled_bit20_masked", R32(r_a20_off), 0x1111);
  check_eq("a20.disabled_write_aliases", R32(r_a20_alias), 0x3333);
  check_eq("a20.disabled_ffff_0010_wraps_to_0", R32(r_ffff_off), R32(r_ivt0));
  check_eq("a20.reenabled", R32(r_a20_back), 0x2222);
}

void kmain(void) {
  test_real_mode();
  test_x87_environment();
  test_a20();
}
