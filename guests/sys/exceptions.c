/* Exceptions in 32-bit protected mode: every vector that can be provoked, each
 * checked for vector, error code and the frame the CPU pushed (EIP, CS, EFLAGS,
 * where on the stack, and ESP/SS on a privilege change); #DF from contributory
 * pairs, benign-then-contributory, error-code EXT/IDT/TI bits, interrupt versus
 * trap gates. */
#include "sys.h"

/* Flags every snippet loads before its faulting instruction. */
#define SNIP_FLAGS "0x8c7" /* CF PF ZF SF OF + bit 1 */
#define SET_FLAGS "pushl $" SNIP_FLAGS "\n popfl\n"
#define WANT_FLAGS 0x8c7u

static void expect_frame(const char* name, int got, int vector, uptr error, uptr ip, uptr flags) {
  check_eqf((u32)got, (u32)vector, "%s.vector", name);
  check_eqf(last_trap.error, error, "%s.error_code", name);
  check_eqf(last_trap.ip, ip, "%s.eip", name);
  check_eqf(last_trap.cs, KERNEL_CS, "%s.cs", name);
  check_eqf(last_trap.flags & ~FL_RF, flags, "%s.eflags", name);
  check_eqf(last_trap.frame, pre_sp - 12, "%s.frame_on_current_stack", name);
}

/* ---- #DE ---- */
SNIPPET(de_div32, "mov $0x1234, %eax\n xor %edx, %edx\n xor %ecx, %ecx\n" SET_FLAGS, "div %ecx", "");
SNIPPET(de_idiv32, "mov $0x80000000, %eax\n cdq\n mov $-1, %ecx", "idiv %ecx", "");
SNIPPET(de_div8, "mov $0x1000, %eax\n mov $0x10, %cl", "div %cl", "");
SNIPPET(de_div16, "mov $1, %edx\n xor %eax, %eax\n mov $1, %ecx", "div %cx", "");
SNIPPET(de_ok, "mov $100, %eax\n xor %edx, %edx\n mov $7, %ecx", "div %ecx", "mov %eax, de_quotient");
u32 de_quotient;

static void test_de(void) {
  section("#DE divide error");
  int v = catch_call(de_div32, 0);
  expect_frame("de.div32", v, VEC_DE, 0, (uptr)de_div32_insn, WANT_FLAGS);
  check_eq("de.div32.eax_unchanged", last_trap.ax, 0x1234);
  check_eq("de.div32.edx_unchanged", last_trap.dx, 0);
  v = catch_call(de_idiv32, 0);
  check_eq("de.idiv_int_min_by_minus1.vector", (u32)v, VEC_DE);
  check_eq("de.idiv_int_min_by_minus1.eip", last_trap.ip, (uptr)de_idiv32_insn);
  v = catch_call(de_div8, 0);
  check_eq("de.div8_quotient_overflow.vector", (u32)v, VEC_DE);
  check_eq("de.div8_quotient_overflow.eip", last_trap.ip, (uptr)de_div8_insn);
  v = catch_call(de_div16, 0);
  check_eq("de.div16_quotient_overflow.vector", (u32)v, VEC_DE);
  v = catch_call(de_ok, 0);
  check_eq("de.valid_division_does_not_fault", (u32)v, (u32)-1);
  check_eq("de.valid_division_result", de_quotient, 14);
}

/* ---- #BP, #OF, #BR ---- */
SNIPPET(bp_int3, SET_FLAGS, "int3", "");
SNIPPET(bp_int_3, SET_FLAGS, ".byte 0xcd, 0x03", ""); /* not the one-byte INT3 */
SNIPPET(of_into, "pushl $0x802\n popfl", "into", "");
SNIPPET(of_into_clear, "pushl $0x2\n popfl", "into", "");
u32 bound_pair[2] = {10, 20};
SNIPPET(br_low, SET_FLAGS "mov $9, %eax", "bound %eax, bound_pair", "");
SNIPPET(br_high, "mov $21, %eax", "bound %eax, bound_pair", "");
SNIPPET(br_in, "mov $20, %eax", "bound %eax, bound_pair", "");

static void test_traps(void) {
  section("#BP #OF #BR");
  int v = catch_call(bp_int3, 0);
  expect_frame("bp.int3", v, VEC_BP, 0, (uptr)bp_int3_after, WANT_FLAGS);
  v = catch_call(bp_int_3, 0);
  expect_frame("bp.int_3", v, VEC_BP, 0, (uptr)bp_int_3_after, WANT_FLAGS);
  check_eq("bp.int_3.is_two_bytes", (uptr)bp_int_3_after - (uptr)bp_int_3_insn, 2);
  v = catch_call(of_into, 0);
  expect_frame("of.into", v, VEC_OF, 0, (uptr)of_into_after, 0x802);
  v = catch_call(of_into_clear, 0);
  check_eq("of.into_without_of_is_a_no_op", (u32)v, (u32)-1);
  v = catch_call(br_low, 0);
  expect_frame("br.below_lower_bound", v, VEC_BR, 0, (uptr)br_low_insn, WANT_FLAGS);
  v = catch_call(br_high, 0);
  check_eq("br.above_upper_bound.vector", (u32)v, VEC_BR);
  check_eq("br.above_upper_bound.eip", last_trap.ip, (uptr)br_high_insn);
  v = catch_call(br_in, 0);
  check_eq("br.in_bounds_is_a_no_op", (u32)v, (u32)-1);
}

/* ---- #UD ---- */
SNIPPET(ud_ud2, SET_FLAGS, "ud2", "");
SNIPPET(ud_lock_nop, "", ".byte 0xf0, 0x90", "");
SNIPPET(ud_lock_reg, "", ".byte 0xf0, 0x01, 0xc3", ""); /* lock add %eax, %ebx */
SNIPPET(ud_cr1, "", ".byte 0x0f, 0x20, 0xc8", "");     /* mov %cr1, %eax */
SNIPPET(ud_mov_cs, "mov %cs, %eax", "mov %eax, %cs", "");
SNIPPET(ud_lds_reg, "", ".byte 0xc5, 0xc0", "");        /* lds with a register operand */
SNIPPET(ud_ud0, "", ".byte 0x0f, 0xff, 0xc0", "");

static void test_ud(void) {
  section("#UD invalid opcode");
  int v = catch_call(ud_ud2, 0);
  expect_frame("ud.ud2", v, VEC_UD, 0, (uptr)ud_ud2_insn, WANT_FLAGS);
  static const struct {
    const char* name;
    void (*fn)(uptr);
    char* insn;
  } cases[] = {
      {"ud.lock_nop", ud_lock_nop, ud_lock_nop_insn},     {"ud.lock_register_destination", ud_lock_reg, ud_lock_reg_insn},
      {"ud.mov_from_cr1", ud_cr1, ud_cr1_insn},           {"ud.mov_to_cs", ud_mov_cs, ud_mov_cs_insn},
      {"ud.lds_register_operand", ud_lds_reg, ud_lds_reg_insn}, {"ud.ud0", ud_ud0, ud_ud0_insn},
  };
  for (unsigned n = 0; n < ARRAY_SIZE(cases); ++n) {
    v = catch_call(cases[n].fn, 0);
    check_eqf((u32)v, VEC_UD, "%s.vector", cases[n].name);
    check_eqf(last_trap.ip, (uptr)cases[n].insn, "%s.eip", cases[n].name);
  }
}

/* ---- #NM ---- */
SNIPPET(nm_fninit, SET_FLAGS, "fninit", "");
SNIPPET(nm_fnop, "", "fnop", "");
SNIPPET(nm_wait, "", "wait", "");

static void test_nm(void) {
  section("#NM device not available");
  const uptr cr0 = read_cr0();
  write_cr0((cr0 & ~(CR0_EM | CR0_MP)) | CR0_TS);
  int v = catch_call(nm_fninit, 0);
  expect_frame("nm.ts_fninit", v, VEC_NM, 0, (uptr)nm_fninit_insn, WANT_FLAGS);
  v = catch_call(nm_wait, 0);
  check_eq("nm.ts_wait_without_mp_is_a_no_op", (u32)v, (u32)-1);
  write_cr0(read_cr0() | CR0_MP);
  v = catch_call(nm_wait, 0);
  check_eq("nm.ts_wait_with_mp.vector", (u32)v, VEC_NM);
  check_eq("nm.ts_wait_with_mp.eip", last_trap.ip, (uptr)nm_wait_insn);
  write_cr0((read_cr0() & ~(CR0_TS | CR0_MP)) | CR0_EM);
  v = catch_call(nm_fnop, 0);
  check_eq("nm.em_fnop.vector", (u32)v, VEC_NM);
  check_eq("nm.em_fnop.eip", last_trap.ip, (uptr)nm_fnop_insn);
  write_cr0(cr0 | CR0_TS);
  __asm__ volatile("clts");
  check_eq("nm.clts_clears_ts", read_cr0() & CR0_TS, 0);
  /* Without TS (and EM), FNINIT runs. */
  v = catch_call(nm_fninit, 0);
  check_eq("nm.fninit_after_clts_runs", (u32)v, (u32)-1);
  write_cr0(cr0);
}

/* ---- #DB ---- */
u32 db_var;
SNIPPET(db_single_step, "pushl $0x102\n popfl", "nop", "nop\n nop");
SNIPPET(db_exec_bp, SET_FLAGS, "nop", "");
SNIPPET(db_write_bp, SET_FLAGS, "movl $1, db_var", "");
SNIPPET(db_read_only_bp, "", "movl db_var, %eax", "");

static uptr read_dr6(void) {
  uptr v;
  __asm__ volatile("mov %%dr6, %0" : "=r"(v));
  return v;
}
static void write_dr(int n, uptr v) {
  switch (n) {
    case 0: __asm__ volatile("mov %0, %%dr0" ::"r"(v)); break;
    case 1: __asm__ volatile("mov %0, %%dr1" ::"r"(v)); break;
    case 6: __asm__ volatile("mov %0, %%dr6" ::"r"(v)); break;
    case 7: __asm__ volatile("mov %0, %%dr7" ::"r"(v)); break;
  }
}
static uptr read_dr7(void) {
  uptr v;
  __asm__ volatile("mov %%dr7, %0" : "=r"(v));
  return v;
}

static void test_db(void) {
  section("#DB debug");
  write_dr(6, 0);
  int v = catch_call(db_single_step, 0);
  check_eq("db.single_step.vector", (u32)v, VEC_DB);
  /* POPF sets TF: the trap follows the next instruction (the store of pre_sp). */
  check_eq("db.single_step.eip_after_the_stepped_instruction", last_trap.ip, (uptr)db_single_step_insn);
  check_eq("db.single_step.pushed_tf", last_trap.flags & FL_TF, FL_TF);
  check_eq("db.single_step.frame_on_current_stack", last_trap.frame, pre_sp - 12);
  check_eq("db.single_step.dr6_bs", read_dr6() & 0x400f, 0x4000);

  write_dr(6, 0);
  write_dr(0, (uptr)db_exec_bp_insn);
  write_dr(7, 0x1);  /* L0, execute, 1 byte */
  v = catch_call(db_exec_bp, 0);
  write_dr(7, 0);
  expect_frame("db.execute_breakpoint", v, VEC_DB, 0, (uptr)db_exec_bp_insn, WANT_FLAGS);
  check_eq("db.execute_breakpoint.dr6_b0", read_dr6() & 0xf, 0x1);

  write_dr(6, 0);
  write_dr(1, (uptr)&db_var);
  write_dr(7, 0x4 | (1u << 20) | (3u << 22));  /* L1, write, 4 bytes */
  v = catch_call(db_write_bp, 0);
  check_eq("db.write_breakpoint.vector", (u32)v, VEC_DB);
  check_eq("db.write_breakpoint.eip_after_the_store", last_trap.ip, (uptr)db_write_bp_after);
  check_eq("db.write_breakpoint.store_done", db_var, 1);
  check_eq("db.write_breakpoint.dr6_b1", read_dr6() & 0xf, 0x2);
  v = catch_call(db_read_only_bp, 0);
  write_dr(7, 0);
  check_eq("db.write_breakpoint_ignores_reads", (u32)v, (u32)-1);
  check_eq("db.dr7_reads_back", read_dr7() & 0xffff03ffu, 0);
}

/* ---- segment-load faults: #GP, #NP, #SS ---- */
#define SEL_CODE_XONLY (GDT_SCRATCH + 0x00)
#define SEL_DATA_RO (GDT_SCRATCH + 0x08)
#define SEL_NOT_PRESENT (GDT_SCRATCH + 0x10)
#define SEL_CODE_XR (GDT_SCRATCH + 0x18)

u32 load_selector;
SNIPPET(load_ds, SET_FLAGS "mov load_selector, %eax", "mov %eax, %ds", "mov $0x10, %eax\n mov %eax, %ds");
SNIPPET(load_ss, "mov load_selector, %eax", "mov %eax, %ss", "mov $0x10, %eax\n mov %eax, %ss");
SNIPPET(load_fs, "mov load_selector, %eax", "mov %eax, %fs", "mov $0x10, %eax\n mov %eax, %fs");
SNIPPET(ltr_sel, "mov load_selector, %eax", "ltr %ax", "");
SNIPPET(int_40, "", "int $0x40", "");
SNIPPET(int_ff, "", "int $0xff", "");

struct load_case {
  const char* name;
  void (*fn)(uptr);
  char* insn;
  u32 selector;
  int vector;
  u32 error;
};

static void test_segment_loads(void) {
  section("segment loads: #GP #NP #SS with selector error codes");
  set_gdt_entry(SEL_CODE_XONLY, make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_X, FLG_G | FLG_DB));
  set_gdt_entry(SEL_DATA_RO, make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RO, FLG_G | FLG_DB));
  set_gdt_entry(SEL_NOT_PRESENT, make_desc(0, 0xfffff, ACC_S | DESC_TYPE_DATA_RW, FLG_G | FLG_DB));
  set_gdt_entry(SEL_CODE_XR, make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB));
  static const struct load_case cases[] = {
      {"gp.ds_beyond_gdt_limit", load_ds, load_ds_insn, GDT_ENTRIES * 8, VEC_GP, GDT_ENTRIES * 8},
      {"gp.ds_execute_only_code", load_ds, load_ds_insn, SEL_CODE_XONLY, VEC_GP, SEL_CODE_XONLY},
      {"gp.ds_system_descriptor", load_ds, load_ds_insn, TSS_SEL, VEC_GP, TSS_SEL},
      {"gp.ds_rpl3_of_dpl0_data", load_ds, load_ds_insn, KERNEL_DS | 3, VEC_GP, KERNEL_DS},
      {"gp.ds_ldt_selector_without_ldt", load_ds, load_ds_insn, 0x0c, VEC_GP, 0x0c},
      {"np.ds_not_present", load_ds, load_ds_insn, SEL_NOT_PRESENT, VEC_NP, SEL_NOT_PRESENT},
      {"np.fs_not_present", load_fs, load_fs_insn, SEL_NOT_PRESENT, VEC_NP, SEL_NOT_PRESENT},
      {"gp.ss_null", load_ss, load_ss_insn, 0, VEC_GP, 0},
      {"gp.ss_read_only_data", load_ss, load_ss_insn, SEL_DATA_RO, VEC_GP, SEL_DATA_RO},
      {"gp.ss_code", load_ss, load_ss_insn, SEL_CODE_XR, VEC_GP, SEL_CODE_XR},
      {"gp.ss_dpl3_at_cpl0", load_ss, load_ss_insn, USER_DS, VEC_GP, USER_DS & ~3},
      {"ss.ss_not_present", load_ss, load_ss_insn, SEL_NOT_PRESENT, VEC_SS, SEL_NOT_PRESENT},
      {"gp.ltr_data_segment", ltr_sel, ltr_sel_insn, KERNEL_DS, VEC_GP, KERNEL_DS},
  };
  lldt(0);  /* a null LDTR: TI = 1 selectors fault */
  for (unsigned n = 0; n < ARRAY_SIZE(cases); ++n) {
    const struct load_case* c = &cases[n];
    load_selector = c->selector;
    int v = catch_call(c->fn, 0);
    check_eqf((u32)v, (u32)c->vector, "%s.vector", c->name);
    check_eqf(last_trap.error, c->error, "%s.error_code", c->name);
    check_eqf(last_trap.ip, (uptr)c->insn, "%s.eip", c->name);
    if (n == 0) {
      check_eqf(last_trap.cs, KERNEL_CS, "%s.cs", c->name);
      check_eqf(last_trap.flags & ~FL_RF, WANT_FLAGS, "%s.eflags", c->name);
      check_eqf(last_trap.frame, pre_sp - 12, "%s.frame_on_current_stack", c->name);
    }
  }
  static const struct load_case ok[] = {
      {"load.ds_null_is_allowed", load_ds, 0, 0, -1, 0},
      {"load.ds_readable_code_is_allowed", load_ds, 0, SEL_CODE_XR, -1, 0},
      {"load.ds_read_only_data_is_allowed", load_ds, 0, SEL_DATA_RO, -1, 0},
      {"load.ds_dpl3_data_at_cpl0_is_allowed", load_ds, 0, USER_DS, -1, 0},
  };
  for (unsigned n = 0; n < ARRAY_SIZE(ok); ++n) {
    load_selector = ok[n].selector;
    check_eq(ok[n].name, (u32)catch_call(ok[n].fn, 0), (u32)-1);
  }

  section("INT n: #NP and #GP with IDT error codes");
  set_gate(0x40, isr_stub_address(0x40), KERNEL_CS, SYS_INT_GATE32, 0, 0);
  set_gate_present(0x40, 0);
  int v = catch_call(int_40, 0);
  check_eq("np.int_not_present_gate.vector", (u32)v, VEC_NP);
  check_eq("np.int_not_present_gate.error_code", last_trap.error, (0x40 << 3) | 2);
  check_eq("np.int_not_present_gate.eip", last_trap.ip, (uptr)int_40_insn);
  restore_default_gate(0x40);
  struct dtr small = {0x80 * 8 - 1, (uptr)idt}, full = {256 * 8 - 1, (uptr)idt};
  lidt(&small);
  v = catch_call(int_ff, 0);
  lidt(&full);
  check_eq("gp.int_beyond_idt_limit.vector", (u32)v, VEC_GP);
  check_eq("gp.int_beyond_idt_limit.error_code", last_trap.error, (0xff << 3) | 2);
  check_eq("gp.int_beyond_idt_limit.eip", last_trap.ip, (uptr)int_ff_insn);
  set_gate(0x40, isr_stub_address(0x40), KERNEL_DS, SYS_INT_GATE32, 0, 0);
  v = catch_call(int_40, 0);
  check_eq("gp.int_gate_with_data_selector.vector", (u32)v, VEC_GP);
  check_eq("gp.int_gate_with_data_selector.error_code", last_trap.error, KERNEL_DS);
  idt[0x40] = make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, 0);
  v = catch_call(int_40, 0);
  check_eq("gp.int_through_non_gate_descriptor.vector", (u32)v, VEC_GP);
  check_eq("gp.int_through_non_gate_descriptor.error_code", last_trap.error, (0x40 << 3) | 2);
  restore_default_gate(0x40);
}

/* ---- #TS through IRET with NT ---- */
SNIPPET(ts_iret_nt, "pushl $0x4002\n popfl", "iret", "");

static void test_ts(void) {
  section("#TS invalid TSS");
  tss.t.link = KERNEL_DS;
  int v = catch_call(ts_iret_nt, 0);
  tss.t.link = 0;
  check_eq("ts.iret_nt_back_link_not_a_tss.vector", (u32)v, VEC_TS);
  check_eq("ts.iret_nt_back_link_not_a_tss.error_code", last_trap.error, KERNEL_DS);
  check_eq("ts.iret_nt_back_link_not_a_tss.eip", last_trap.ip, (uptr)ts_iret_nt_insn);
  check_eq("ts.iret_nt_back_link_not_a_tss.frame_on_current_stack", last_trap.frame, pre_sp - 12);
}

/* ---- #PF with 2-level paging ---- */
static u32 page_directory[1024] ALIGNED(4096);
static u32 page_table[1024] ALIGNED(4096);
#define PF_AREA 0x800000u
#define PTE_P 1u
#define PTE_W 2u
#define PTE_U 4u
#define PDE_PS 0x80u

SNIPPET(pf_read, SET_FLAGS, "mov 0x800010, %eax", "");
SNIPPET(pf_write, "", "movl $1, 0x800020", "");
SNIPPET(pf_write_ro, "", "movl $1, 0x801040", "");
SNIPPET(pf_write_ok, "", "movl $1, 0x802000", "");
USER_SNIPPET(pf_user_read_super, "", "mov 0x802008, %eax", "");
USER_SNIPPET(pf_user_write_ro, "", "movl $1, 0x80300c", "");
USER_SNIPPET(pf_user_read_ok, "", "mov 0x803000, %eax", "");

static void test_pf(void) {
  section("#PF page faults (2-level paging)");
  for (u32 i = 0; i < 1024; ++i) page_directory[i] = (i << 22) | PDE_PS | PTE_P | PTE_W | PTE_U;
  for (u32 i = 0; i < 1024; ++i) page_table[i] = (PF_AREA + (i << 12)) | PTE_P | PTE_W | PTE_U;
  page_table[0] = 0;                                    /* not present */
  page_table[1] = (PF_AREA + 0x1000) | PTE_P;           /* read-only supervisor */
  page_table[2] = (PF_AREA + 0x2000) | PTE_P | PTE_W;   /* read/write supervisor */
  page_table[3] = (PF_AREA + 0x3000) | PTE_P | PTE_U;   /* read-only user */
  page_directory[PF_AREA >> 22] = (u32)(uptr)page_table | PTE_P | PTE_W | PTE_U;
  write_cr4(read_cr4() | CR4_PSE);
  write_cr3((uptr)page_directory);
  write_cr0(read_cr0() | CR0_PG | CR0_WP);

  int v = catch_call(pf_read, 0);
  expect_frame("pf.read_not_present", v, VEC_PF, 0, (uptr)pf_read_insn, WANT_FLAGS);
  check_eq("pf.read_not_present.cr2", last_trap.cr2, 0x800010);
  v = catch_call(pf_write, 0);
  check_eq("pf.write_not_present.vector", (u32)v, VEC_PF);
  check_eq("pf.write_not_present.error_code", last_trap.error, 2);
  check_eq("pf.write_not_present.cr2", last_trap.cr2, 0x800020);
  v = catch_call(pf_write_ro, 0);
  check_eq("pf.write_read_only_wp1.error_code", last_trap.error, 3);
  check_eq("pf.write_read_only_wp1.cr2", last_trap.cr2, 0x801040);
  check_eq("pf.write_read_only_wp1.eip", last_trap.ip, (uptr)pf_write_ro_insn);
  write_cr0(read_cr0() & ~CR0_WP);
  v = catch_call(pf_write_ro, 0);
  check_eq("pf.write_read_only_wp0_is_allowed", (u32)v, (u32)-1);
  write_cr0(read_cr0() | CR0_WP);
  /* fetch from a not-present page: CR2 and EIP are the target */
  v = catch_call((void (*)(uptr))(uptr)0x800100, 0);
  check_eq("pf.fetch_not_present.vector", (u32)v, VEC_PF);
  check_eq("pf.fetch_not_present.error_code", last_trap.error, 0);
  check_eq("pf.fetch_not_present.cr2", last_trap.cr2, 0x800100);
  check_eq("pf.fetch_not_present.eip", last_trap.ip, 0x800100);
  v = catch_call(pf_write_ok, 0);
  check_eq("pf.supervisor_write_to_rw_page_is_allowed", (u32)v, (u32)-1);

  v = user_jump((uptr)pf_user_read_super, USER_CS32, 0);
  check_eq("pf.user_read_of_supervisor_page.vector", (u32)v, VEC_PF);
  check_eq("pf.user_read_of_supervisor_page.error_code", last_trap.error, 5);
  check_eq("pf.user_read_of_supervisor_page.cr2", last_trap.cr2, 0x802008);
  check_eq("pf.user_read_of_supervisor_page.cs", last_trap.cs, USER_CS32);
  check_eq("pf.user_read_of_supervisor_page.ss", last_trap.ss, USER_DS);
  check_eq("pf.user_read_of_supervisor_page.esp", last_trap.sp, pre_sp);
  check_eq("pf.user_read_of_supervisor_page.frame_on_tss_esp0_stack", last_trap.frame,
           (uptr)ring0_stack_top - 20);
  v = user_jump((uptr)pf_user_write_ro, USER_CS32, 0);
  check_eq("pf.user_write_of_read_only_page.error_code", last_trap.error, 7);
  check_eq("pf.user_write_of_read_only_page.cr2", last_trap.cr2, 0x80300c);
  v = user_jump((uptr)pf_user_read_ok, USER_CS32, 0);
  check_eq("pf.user_read_of_user_page_is_allowed", (u32)v, (u32)-1);

  /* #PF whose delivery raises #NP: page fault then contributory = #DF */
  set_gate_present(VEC_PF, 0);
  v = catch_call(pf_read, 0);
  set_gate_present(VEC_PF, 1);
  check_eq("df.page_fault_then_not_present_gate.vector", (u32)v, VEC_DF);
  check_eq("df.page_fault_then_not_present_gate.error_code", last_trap.error, 0);

  write_cr0(read_cr0() & ~CR0_PG);
}

/* ---- #DF and event classes ---- */
SNIPPET(df_gp, "mov $0x200, %eax", "mov %eax, %ds", "");
SNIPPET(df_de, "xor %edx, %edx\n xor %ecx, %ecx", "div %ecx", "");
SNIPPET(benign_int3, "", "int3", "");
SNIPPET(benign_step, "pushl $0x102\n popfl", "nop", "");

static void test_df(void) {
  section("#DF double fault and event classes");
  set_gate_present(VEC_GP, 0);
  int v = catch_call(df_gp, 0);
  set_gate_present(VEC_GP, 1);
  check_eq("df.gp_then_not_present_gate.vector", (u32)v, VEC_DF);
  check_eq("df.gp_then_not_present_gate.error_code", last_trap.error, 0);
  check_eq("df.gp_then_not_present_gate.cs", last_trap.cs, KERNEL_CS);
  set_gate_present(VEC_DE, 0);
  v = catch_call(df_de, 0);
  set_gate_present(VEC_DE, 1);
  check_eq("df.de_then_not_present_gate.vector", (u32)v, VEC_DF);
  check_eq("df.de_then_not_present_gate.error_code", last_trap.error, 0);
  set_gate_present(VEC_BP, 0);
  v = catch_call(benign_int3, 0);
  set_gate_present(VEC_BP, 1);
  check_eq("np.int3_not_present_gate_is_not_a_df.vector", (u32)v, VEC_NP);
  check_eq("np.int3_not_present_gate_is_not_a_df.error_code", last_trap.error, (VEC_BP << 3) | 2);
  check_eq("np.int3_not_present_gate_is_not_a_df.eip", last_trap.ip, (uptr)benign_int3_insn);
  set_gate_present(VEC_DB, 0);
  v = catch_call(benign_step, 0);
  set_gate_present(VEC_DB, 1);
  check_eq("np.single_step_not_present_gate.vector", (u32)v, VEC_NP);
  /* The SDM sets EXT (bit 0) here; QEMU does not (docs/system-tests.md). */
  check_eq("np.single_step_not_present_gate.error_code_idt", last_trap.error & ~1u, (VEC_DB << 3) | 2);
  check_eq("np.single_step_not_present_gate.eip", last_trap.ip, (uptr)benign_step_insn);
}

/* ---- interrupt gates versus trap gates ---- */
static uptr handler_flags;
static uptr handler_cs;
static void flags_handler(struct regs* r) {
  handler_flags = read_flags();
  handler_cs = READ_SEG(cs);
  r->flags &= ~(FL_IF | FL_TF);
}
SNIPPET(int_41_sti, "pushl $0x202\n popfl", "int $0x41", "");

static void test_gates(void) {
  section("interrupt gates and trap gates");
  set_handler(0x41, flags_handler);
  set_gate(0x41, isr_stub_address(0x41), KERNEL_CS, SYS_INT_GATE32, 0, 0);
  handler_flags = 0;
  int v = catch_call(int_41_sti, 0);
  check_eq("gate.interrupt_gate_returns", (u32)v, (u32)-1);
  check_eq("gate.interrupt_gate_clears_if", handler_flags & FL_IF, 0);
  check_eq("gate.handler_cs", handler_cs, KERNEL_CS);
  set_gate(0x41, isr_stub_address(0x41), KERNEL_CS, SYS_TRAP_GATE32, 0, 0);
  handler_flags = 0;
  v = catch_call(int_41_sti, 0);
  check_eq("gate.trap_gate_returns", (u32)v, (u32)-1);
  check_eq("gate.trap_gate_keeps_if", handler_flags & FL_IF, FL_IF);
  set_handler(0x41, 0);
  restore_default_gate(0x41);
}

/* ---- faults at CPL 3 ---- */
USER_SNIPPET(user_cli, "", "cli", "");
USER_SNIPPET(user_int_40, "", "int $0x40", "");
USER_SNIPPET(user_int3, "", "int3", "");
USER_SNIPPET(user_ud2, "", "ud2", "");

static void test_user_faults(void) {
  section("exceptions from CPL 3");
  int v = user_jump((uptr)user_cli, USER_CS32, 0);
  check_eq("user.gp_cli.vector", (u32)v, VEC_GP);
  check_eq("user.gp_cli.error_code", last_trap.error, 0);
  check_eq("user.gp_cli.eip", last_trap.ip, (uptr)user_cli_insn);
  check_eq("user.gp_cli.cs", last_trap.cs, USER_CS32);
  check_eq("user.gp_cli.eflags", last_trap.flags & ~FL_RF, FL_FIXED);
  check_eq("user.gp_cli.esp", last_trap.sp, pre_sp);
  check_eq("user.gp_cli.ss", last_trap.ss, USER_DS);
  check_eq("user.gp_cli.frame_on_tss_esp0_stack", last_trap.frame, (uptr)ring0_stack_top - 20);
  v = user_jump((uptr)user_int_40, USER_CS32, 0);
  check_eq("user.int_to_dpl0_gate.vector", (u32)v, VEC_GP);
  check_eq("user.int_to_dpl0_gate.error_code", last_trap.error, (0x40 << 3) | 2);
  check_eq("user.int_to_dpl0_gate.eip", last_trap.ip, (uptr)user_int_40_insn);
  v = user_jump((uptr)user_int3, USER_CS32, 0);
  check_eq("user.int3_through_dpl3_gate.vector", (u32)v, VEC_BP);
  check_eq("user.int3_through_dpl3_gate.eip", last_trap.ip, (uptr)user_int3_after);
  check_eq("user.int3_through_dpl3_gate.esp", last_trap.sp, pre_sp);
  set_gate(VEC_BP, isr_stub_address(VEC_BP), KERNEL_CS, SYS_INT_GATE32, 0, 0);
  v = user_jump((uptr)user_int3, USER_CS32, 0);
  restore_default_gate(VEC_BP);
  check_eq("user.int3_through_dpl0_gate.vector", (u32)v, VEC_GP);
  check_eq("user.int3_through_dpl0_gate.error_code", last_trap.error, (VEC_BP << 3) | 2);
  v = user_jump((uptr)user_ud2, USER_CS32, FL_IOPL3);
  check_eq("user.ud2.vector", (u32)v, VEC_UD);
  check_eq("user.ud2.eflags_iopl3", last_trap.flags & ~FL_RF, FL_FIXED | FL_IOPL3);
}

void kmain(void) {
  test_de();
  test_traps();
  test_ud();
  test_nm();
  test_db();
  test_segment_loads();
  test_ts();
  test_pf();
  test_df();
  test_gates();
  test_user_faults();
}
