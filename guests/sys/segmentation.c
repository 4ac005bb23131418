/* Segmentation in 32-bit protected mode: hidden parts, the accessed bit, LDT,
 * LAR/LSL/VERR/VERW/ARPL at CPL 0 and 3, far JMP/CALL/RET (direct, through
 * call gates with a stack switch and parameter copy, conforming code), and
 * hardware task switches (CALL/JMP to a TSS, IRET with NT, a task gate in the
 * IDT handling #DF raised by a stack fault). */
#include "sys.h"

#define SEL_ALIAS_CS (GDT_SCRATCH + 0x00)   /* DPL0 code, base 0 */
#define SEL_CONF_CS (GDT_SCRATCH + 0x08)    /* DPL0 conforming code */
#define SEL_BASED_DS (GDT_SCRATCH + 0x10)   /* data with a base */
#define SEL_CALL_GATE (GDT_SCRATCH + 0x18)  /* call gate DPL3 -> KERNEL_CS, 2 parameters */
#define SEL_GATE_DPL0 (GDT_SCRATCH + 0x20)  /* call gate DPL0 */
#define SEL_GATE_NP (GDT_SCRATCH + 0x28)    /* call gate not present */
#define SEL_LDT (GDT_SCRATCH + 0x30)
#define SEL_TASK_GATE (GDT_SCRATCH + 0x38)  /* task gate -> DF_TSS_SEL */
#define SEL_SHORT_TSS (GDT_SCRATCH + 0x40)  /* TSS with a limit below 0x67 */
#define SEL_TEST (GDT_SCRATCH + 0x60)       /* rewritten by the LAR/LSL table */
#define SEL_GATE_SAME (GDT_SCRATCH + 0x68)  /* call gate DPL0 -> SEL_ALIAS_CS, 0 parameters */

static u32 based_area[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};
static u32 other_area[4] = {0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc, 0xdddddddd};

/* ---- hidden parts and the accessed bit ---- */
static u32 fs_read(u32 offset) {
  u32 v;
  __asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"(offset));
  return v;
}

static void test_hidden_parts(void) {
  section("descriptor caches and the accessed bit");
  set_gdt_entry(SEL_BASED_DS, make_desc((u32)(uptr)based_area, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_DB));
  WRITE_SEG(fs, SEL_BASED_DS);
  check_eq("seg.base_applies", fs_read(4), 0x22222222);
  check_eq("seg.accessed_bit_set_on_load", (get_gdt_entry(SEL_BASED_DS) >> 40) & DESC_ACCESSED, 1);
  set_gdt_entry(SEL_BASED_DS, make_desc((u32)(uptr)other_area, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_DB));
  check_eq("seg.cached_base_survives_gdt_write", fs_read(4), 0x22222222);
  WRITE_SEG(fs, SEL_BASED_DS);
  check_eq("seg.reload_picks_up_new_base", fs_read(8), 0xcccccccc);
  WRITE_SEG(fs, 0);
  check_eq("seg.fs_null_selector_reads_back", READ_SEG(fs), 0);
  WRITE_SEG(fs, KERNEL_DS);

  /* An LDT with one data segment. */
  static u64 ldt[4] ALIGNED(8);
  ldt[1] = make_desc((u32)(uptr)based_area, 0xfffff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_DB);
  set_gdt_entry(SEL_LDT, make_desc((u32)(uptr)ldt, sizeof ldt - 1, ACC_P | SYS_LDT, 0));
  lldt(SEL_LDT);
  check_eq("ldt.sldt_reads_back", sldt(), SEL_LDT);
  WRITE_SEG(gs, 0x0c);  /* index 1, TI = 1, RPL 0 */
  u32 v;
  __asm__ volatile("mov %%gs:12, %0" : "=r"(v));
  check_eq("ldt.data_segment_from_ldt", v, 0x44444444);
  check_eq("ldt.accessed_bit_set_in_ldt", (ldt[1] >> 40) & DESC_ACCESSED, 1);
  WRITE_SEG(gs, KERNEL_DS);
  lldt(0);
  check_eq("ldt.sldt_null", sldt(), 0);
}

/* ---- LAR / LSL / VERR / VERW / ARPL ---- */
struct probe {
  u32 lar, lar_zf, lsl, lsl_zf, verr, verw;
};
static struct probe probe_result;
static u32 probe_selector;

static void probe(uptr unused) {
  u32 sel = probe_selector, lar = 0xdeadbeef, lsl = 0xdeadbeef;
  u8 zf_lar, zf_lsl, zf_r, zf_w;
  __asm__ volatile("lar %2, %0\n setz %1" : "+r"(lar), "=q"(zf_lar) : "r"(sel) : "cc");
  __asm__ volatile("lsl %2, %0\n setz %1" : "+r"(lsl), "=q"(zf_lsl) : "r"(sel) : "cc");
  __asm__ volatile("verr %w1\n setz %0" : "=q"(zf_r) : "r"(sel) : "cc");
  __asm__ volatile("verw %w1\n setz %0" : "=q"(zf_w) : "r"(sel) : "cc");
  probe_result.lar = lar;
  probe_result.lar_zf = zf_lar;
  probe_result.lsl = lsl;
  probe_result.lsl_zf = zf_lsl;
  probe_result.verr = zf_r;
  probe_result.verw = zf_w;
}

#define NULL_SELECTOR 0x10000 /* selector 0 (0 in the table means SEL_TEST) */
struct probe_case {
  const char* name;
  u64 desc;    /* written to SEL_TEST unless selector is given */
  u32 selector;
  int cpl;
  /* expected: ZF of LAR, LSL, VERR, VERW; LAR value (masked); LSL value */
  u8 lar_ok, lsl_ok, verr, verw;
  u32 lar, lsl;
};

static void test_lar_lsl(void) {
  section("LAR LSL VERR VERW at CPL 0 and 3");
#define CODE(dpl, type, flags) make_desc(0, 0xfffff, ACC_P | ACC_DPL(dpl) | ACC_S | (type), flags)
#define DATA(dpl, type, limit, flags) make_desc(0, limit, ACC_P | ACC_DPL(dpl) | ACC_S | (type), flags)
  const struct probe_case cases[] = {
      {"lar.data_rw_dpl0_cpl0", DATA(0, DESC_TYPE_DATA_RW, 0xfffff, FLG_G | FLG_DB), 0, 0, 1, 1, 1, 1, 0x00c09200, 0xffffffff},
      {"lar.data_ro_byte_limit", DATA(0, DESC_TYPE_DATA_RO, 0x1234, 0), 0, 0, 1, 1, 1, 0, 0x00009000, 0x1234},
      {"lar.code_xr", CODE(0, DESC_TYPE_CODE_XR, FLG_G | FLG_DB), 0, 0, 1, 1, 1, 0, 0x00c09a00, 0xffffffff},
      {"lar.code_execute_only", CODE(0, DESC_TYPE_CODE_X, FLG_G | FLG_DB), 0, 0, 1, 1, 0, 0, 0x00c09800, 0xffffffff},
      {"lar.data_dpl0_at_cpl3", DATA(0, DESC_TYPE_DATA_RW, 0xfffff, FLG_G), 0, 3, 0, 0, 0, 0, 0xdeadbeef, 0xdeadbeef},
      {"lar.data_dpl3_at_cpl3", DATA(3, DESC_TYPE_DATA_RW, 0xfffff, FLG_G), 0, 3, 1, 1, 1, 1, 0x0080f200, 0xffffffff},
      {"lar.conforming_dpl0_at_cpl3", CODE(0, DESC_TYPE_CODE_XR_CONF, FLG_DB), 0, 3, 1, 1, 1, 0, 0x00409e00, 0xfffff},
      {"lar.tss_available", make_desc(0x1000, 0x67, ACC_P | SYS_TSS32_AVAIL, 0), 0, 0, 1, 1, 0, 0, 0x00008900, 0x67},
      {"lar.ldt", make_desc(0x1000, 0x17, ACC_P | SYS_LDT, 0), 0, 0, 1, 1, 0, 0, 0x00008200, 0x17},
      {"lar.call_gate_not_lsl", make_gate32(KERNEL_CS, 0x1000, SYS_CALL_GATE32, 0, 0), 0, 0, 1, 0, 0, 0, 0x00008c00, 0xdeadbeef},
      {"lar.interrupt_gate_invalid", make_gate32(KERNEL_CS, 0x1000, SYS_INT_GATE32, 0, 0), 0, 0, 0, 0, 0, 0, 0xdeadbeef, 0xdeadbeef},
      {"lar.trap_gate_invalid", make_gate32(KERNEL_CS, 0x1000, SYS_TRAP_GATE32, 0, 0), 0, 0, 0, 0, 0, 0, 0xdeadbeef, 0xdeadbeef},
      {"lar.system_type_0_invalid", make_desc(0, 0xffff, ACC_P, 0), 0, 0, 0, 0, 0, 0, 0xdeadbeef, 0xdeadbeef},
      {"lar.not_present_data_verr_verw_ignore_p", make_desc(0, 0xffff, ACC_S | DESC_TYPE_DATA_RW, 0), 0, 0, 1, 1, 1, 1, 0x00001200, 0xffff},
      {"lar.null_selector", 0, NULL_SELECTOR, 0, 0, 0, 0, 0, 0xdeadbeef, 0xdeadbeef},
      {"lar.beyond_gdt_limit", 0, GDT_ENTRIES * 8, 0, 0, 0, 0, 0, 0xdeadbeef, 0xdeadbeef},
      {"lar.rpl3_of_dpl0_data_at_cpl0", DATA(0, DESC_TYPE_DATA_RW, 0xfffff, FLG_G), SEL_TEST | 3, 0, 0, 0, 0, 0, 0xdeadbeef, 0xdeadbeef},
      {"lar.user_code_at_cpl3", 0, USER_CS32, 3, 1, 1, 1, 0, 0x00c0fa00, 0xffffffff},
  };
  for (unsigned n = 0; n < ARRAY_SIZE(cases); ++n) {
    const struct probe_case* c = &cases[n];
    probe_selector = c->selector ? c->selector & 0xffff : SEL_TEST;
    if (c->desc) set_gdt_entry(SEL_TEST, c->desc);
    memset(&probe_result, 0, sizeof probe_result);
    if (c->cpl == 3)
      user_call(probe, 0, 0);
    else
      probe(0);
    check_eqf(probe_result.lar_zf, c->lar_ok, "%s.lar_zf", c->name);
    /* Bits 19:16 (limit) are masked: the SDM leaves them undefined. The
     * accessed bit of the user code segment is masked: QEMU does not set it
     * when IRET loads CS (docs/system-tests.md). */
    u32 lar_mask = 0x00f0ff00 & (c->selector == USER_CS32 ? ~0x100u : ~0u);
    check_eqf(c->lar_ok ? probe_result.lar & lar_mask : probe_result.lar, c->lar_ok ? c->lar & lar_mask : c->lar,
              "%s.lar_value", c->name);
    check_eqf(probe_result.lsl_zf, c->lsl_ok, "%s.lsl_zf", c->name);
    check_eqf(probe_result.lsl, c->lsl, "%s.lsl_value", c->name);
    check_eqf(probe_result.verr, c->verr, "%s.verr", c->name);
    check_eqf(probe_result.verw, c->verw, "%s.verw", c->name);
  }

  section("ARPL");
  static const struct {
    u16 dest, src, result;
    u8 zf;
  } arpl[] = {{0x10, 0x23, 0x13, 1}, {0x13, 0x20, 0x13, 0}, {0x12, 0x12, 0x12, 0}, {0xfff8, 0x1, 0xfff9, 1}};
  for (unsigned n = 0; n < ARRAY_SIZE(arpl); ++n) {
    u16 d = arpl[n].dest;
    u8 zf;
    __asm__ volatile("arpl %2, %0\n setz %1" : "+rm"(d), "=q"(zf) : "r"(arpl[n].src) : "cc");
    check_eqf(d, arpl[n].result, "arpl.%x_%x.result", arpl[n].dest, arpl[n].src);
    check_eqf(zf, arpl[n].zf, "arpl.%x_%x.zf", arpl[n].dest, arpl[n].src);
  }
}

/* ---- far transfers ---- */
u32 far_cs, far_frame[6], far_sp, far_user_ds, far_user_sp_after, conf_cs;
extern char far_target[], far_return_point[], jmp_target[], cg_target[], conf_target[];
__asm__(".text\n"
        "far_target:\n"
        " mov %cs, %eax\n mov %eax, far_cs\n"
        " mov (%esp), %eax\n mov %eax, far_frame\n"
        " mov 4(%esp), %eax\n mov %eax, far_frame+4\n"
        " mov %esp, far_sp\n"
        " lret\n"
        "jmp_target:\n"
        " mov %cs, %eax\n mov %eax, far_cs\n"
        " ljmp $0x08, $far_return_point\n"
        "cg_target:\n"  /* CPL 0 through the call gate, on the TSS stack */
        " mov %esp, far_sp\n"
        " mov %cs, %eax\n mov %eax, far_cs\n"
        " mov 0(%esp), %eax\n mov %eax, far_frame\n"
        " mov 4(%esp), %eax\n mov %eax, far_frame+4\n"
        " mov 8(%esp), %eax\n mov %eax, far_frame+8\n"
        " mov 12(%esp), %eax\n mov %eax, far_frame+12\n"
        " mov 16(%esp), %eax\n mov %eax, far_frame+16\n"
        " mov 20(%esp), %eax\n mov %eax, far_frame+20\n"
        " mov $0x10, %eax\n mov %eax, %ds\n"  /* DPL 0 data: nulled by the return to CPL 3 */
        " lret $8\n"
        "conf_target:\n"
        " mov %cs, %eax\n mov %eax, %ss:conf_cs\n"
        " lret\n");

SNIPPET(far_call_alias, "", "lcall $" "0x48" ", $far_target", "");
SNIPPET(far_jmp_alias, "", "ljmp $" "0x48" ", $jmp_target", ".globl far_return_point\nfar_return_point:");
SNIPPET(far_call_same_gate, "", "lcall $" "0xb0" ", $0", "");
USER_SNIPPET(user_call_gate, "pushl $0x1111\n pushl $0x2222",
             "lcall $" "0x63" ", $0",
             "mov %esp, %ss:far_user_sp_after\n mov %ds, %eax\n mov %eax, %ss:far_user_ds\n"
             "mov $0x23, %eax\n mov %eax, %ds");
USER_SNIPPET(user_jmp_gate, "", "ljmp $" "0x63" ", $0", "");
USER_SNIPPET(user_call_gate_dpl0, "", "lcall $" "0x6b" ", $0", "");
USER_SNIPPET(user_call_gate_np, "", "lcall $" "0x73" ", $0", "");
USER_SNIPPET(user_call_conforming, "", "lcall $" "0x50" ", $conf_target", "");
USER_SNIPPET(user_call_kernel_cs, "", "lcall $" "0x08" ", $far_target", "");
SNIPPET(call_gate_rpl3, "", "lcall $" "0x6b" ", $0", "");

static void test_far_transfers(void) {
  section("far CALL JMP RET");
  /* The selectors are spelled as numbers in the snippets; keep them in sync. */
  _Static_assert(SEL_ALIAS_CS == 0x48 && SEL_CALL_GATE == 0x60 && SEL_GATE_DPL0 == 0x68 &&
                     SEL_GATE_NP == 0x70 && SEL_CONF_CS == 0x50 && SEL_GATE_SAME == 0xb0,
                 "selector numbers in the snippets");
  set_gdt_entry(SEL_ALIAS_CS, make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB));
  set_gdt_entry(SEL_CONF_CS, make_desc(0, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR_CONF, FLG_G | FLG_DB));
  set_gdt_entry(SEL_CALL_GATE, make_gate32(KERNEL_CS, (u32)(uptr)cg_target, SYS_CALL_GATE32, 3, 2));
  set_gdt_entry(SEL_GATE_DPL0, make_gate32(KERNEL_CS, (u32)(uptr)cg_target, SYS_CALL_GATE32, 0, 2));
  set_gdt_entry(SEL_GATE_NP, make_gate32(KERNEL_CS, (u32)(uptr)cg_target, SYS_CALL_GATE32, 3, 2) & ~(1ull << 47));
  set_gdt_entry(SEL_GATE_SAME, make_gate32(SEL_ALIAS_CS, (u32)(uptr)far_target, SYS_CALL_GATE32, 0, 0));

  int v = catch_call(far_call_alias, 0);
  check_eq("far.call_direct.returns", (u32)v, (u32)-1);
  check_eq("far.call_direct.callee_cs", far_cs, SEL_ALIAS_CS);
  check_eq("far.call_direct.pushed_eip", far_frame[0], (uptr)far_call_alias_after);
  check_eq("far.call_direct.pushed_cs", far_frame[1], KERNEL_CS);
  check_eq("far.call_direct.stack", far_sp, pre_sp - 8);
  v = catch_call(far_jmp_alias, 0);
  check_eq("far.jmp_direct.returns", (u32)v, (u32)-1);
  check_eq("far.jmp_direct.target_cs", far_cs, SEL_ALIAS_CS);
  v = catch_call(far_call_same_gate, 0);
  check_eq("far.call_gate_same_privilege.returns", (u32)v, (u32)-1);
  check_eq("far.call_gate_same_privilege.callee_cs", far_cs, SEL_ALIAS_CS);
  check_eq("far.call_gate_same_privilege.pushed_eip", far_frame[0], (uptr)far_call_same_gate_after);
  check_eq("far.call_gate_same_privilege.pushed_cs", far_frame[1], KERNEL_CS);
  check_eq("far.call_gate_same_privilege.no_stack_switch", far_sp, pre_sp - 8);

  memset(far_frame, 0, sizeof far_frame);
  v = user_jump((uptr)user_call_gate, USER_CS32, 0);
  check_eq("far.call_gate_to_cpl0.returns", (u32)v, (u32)-1);
  check_eq("far.call_gate_to_cpl0.callee_cs", far_cs, KERNEL_CS);
  check_eq("far.call_gate_to_cpl0.stack_from_tss", far_sp, (uptr)ring0_stack_top - 24);
  check_eq("far.call_gate_to_cpl0.pushed_eip", far_frame[0], (uptr)user_call_gate_after);
  check_eq("far.call_gate_to_cpl0.pushed_cs", far_frame[1], USER_CS32);
  check_eq("far.call_gate_to_cpl0.parameter_0", far_frame[2], 0x2222);
  check_eq("far.call_gate_to_cpl0.parameter_1", far_frame[3], 0x1111);
  check_eq("far.call_gate_to_cpl0.pushed_esp", far_frame[4], pre_sp);
  check_eq("far.call_gate_to_cpl0.pushed_ss", far_frame[5], USER_DS);
  check_eq("far.ret_to_cpl3.releases_parameters", far_user_sp_after, pre_sp + 8);
  check_eq("far.ret_to_cpl3.nulls_dpl0_ds", far_user_ds, 0);

  v = user_jump((uptr)user_jmp_gate, USER_CS32, 0);
  check_eq("far.jmp_gate_to_more_privileged.vector", (u32)v, VEC_GP);
  check_eq("far.jmp_gate_to_more_privileged.error_code", last_trap.error, KERNEL_CS);
  v = user_jump((uptr)user_call_gate_dpl0, USER_CS32, 0);
  check_eq("far.call_gate_dpl_below_cpl.vector", (u32)v, VEC_GP);
  check_eq("far.call_gate_dpl_below_cpl.error_code", last_trap.error, SEL_GATE_DPL0);
  v = user_jump((uptr)user_call_gate_np, USER_CS32, 0);
  check_eq("far.call_gate_not_present.vector", (u32)v, VEC_NP);
  check_eq("far.call_gate_not_present.error_code", last_trap.error, SEL_GATE_NP);
  v = catch_call(call_gate_rpl3, 0);
  check_eq("far.call_gate_rpl3_selector_at_cpl0.vector", (u32)v, VEC_GP);
  check_eq("far.call_gate_rpl3_selector_at_cpl0.error_code", last_trap.error, SEL_GATE_DPL0);
  v = user_jump((uptr)user_call_kernel_cs, USER_CS32, 0);
  check_eq("far.call_to_dpl0_code_from_cpl3.vector", (u32)v, VEC_GP);
  check_eq("far.call_to_dpl0_code_from_cpl3.error_code", last_trap.error, KERNEL_CS);
  v = user_jump((uptr)user_call_conforming, USER_CS32, 0);
  check_eq("far.call_conforming.returns", (u32)v, (u32)-1);
  check_eq("far.call_conforming.keeps_cpl3", conf_cs, SEL_CONF_CS | 3);
}

/* ---- task switches ---- */
static struct tss32 df_tss ALIGNED(128);
static u8 df_stack[4096] ALIGNED(16);
static u8 recover_stack[4096] ALIGNED(16);
u32 task_runs, task_error, task_flags, task_tr, task_cr2, task_link, task_ebx_saved, task_main_busy,
    task_self_busy;
extern char task_entry[], task_recover[];
__asm__(".text\n"
        "task_entry:\n"
        " incl task_runs\n"
        " pushf\n popl task_flags\n"
        " str %eax\n movzwl %ax, %eax\n mov %eax, task_tr\n"
        " mov %cr2, %eax\n mov %eax, task_cr2\n"
        " call task_record\n"
        " iret\n"
        " jmp task_entry\n"
        "task_recover:\n"  /* back in the main task, on recover_stack */
        " pushl $8\n"
        " call catch_resume\n");

static u32 recover_top, task_esp_saved;
void task_record(void) {
  task_esp_saved = tss.t.esp;
  task_link = df_tss.link;
  task_ebx_saved = tss.t.ebx;
  task_main_busy = (u32)((get_gdt_entry(TSS_SEL) >> 40) & 0xf);
  task_self_busy = (u32)((get_gdt_entry(DF_TSS_SEL) >> 40) & 0xf);
  /* resume the interrupted task at task_recover on a good stack */
  tss.t.eip = (u32)(uptr)task_recover;
  tss.t.esp = recover_top;
}

static void init_task(void) {
  memset(&df_tss, 0, sizeof df_tss);
  df_tss.eip = (u32)(uptr)task_entry;
  df_tss.esp = (u32)(uptr)(df_stack + sizeof df_stack);
  df_tss.cs = KERNEL_CS;
  df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = df_tss.ss = KERNEL_DS;
  df_tss.eflags = FL_FIXED;
  df_tss.cr3 = (u32)read_cr3();
  df_tss.iomap_base = sizeof df_tss;
  set_gdt_entry(DF_TSS_SEL, make_desc((u32)(uptr)&df_tss, sizeof df_tss - 1, ACC_P | SYS_TSS32_AVAIL, 0));
  tss.t.cr3 = (u32)read_cr3();
  recover_top = (u32)(uptr)(recover_stack + sizeof recover_stack);
}

SNIPPET(task_call, "mov $0x12345678, %ebx", "lcall $" "0x30" ", $0", "");
SNIPPET(task_call_gate, "", "lcall $" "0x80" ", $0", "");
SNIPPET(task_call_short, "", "lcall $" "0x88" ", $0", "");
SNIPPET(task_call_busy, "", "lcall $" "0x28" ", $0", "");
SNIPPET(df_by_stack_fault, "mov $0x12345678, %ebx\n mov $0x401000, %esp", "int3", "");

static u32 pd[1024] ALIGNED(4096);
static u32 pt[1024] ALIGNED(4096);

static void test_tasks(void) {
  section("hardware task switches");
  _Static_assert(DF_TSS_SEL == 0x30 && SEL_TASK_GATE == 0x80 && SEL_SHORT_TSS == 0x88 && TSS_SEL == 0x28,
                 "selector numbers in the snippets");
  init_task();
  /* CALL to a TSS: nested task, back through IRET; the called task sends us to
   * task_recover, which unwinds like a caught exception (vector 8 as a tag). */
  task_runs = 0;
  int v = catch_call(task_call, 0);
  check_eq("task.call_tss.ran", task_runs, 1);
  check_eq("task.call_tss.returned_through_iret", (u32)v, 8);
  check_eq("task.call_tss.new_task_has_nt", task_flags & FL_NT, FL_NT);
  check_eq("task.call_tss.tr_is_new_task", task_tr, DF_TSS_SEL);
  check_eq("task.call_tss.back_link", task_link, TSS_SEL);
  check_eq("task.call_tss.old_task_state_saved", task_ebx_saved, 0x12345678);
  check_eq("task.call_tss.old_tss_stays_busy", task_main_busy, SYS_TSS32_BUSY);
  check_eq("task.call_tss.new_tss_busy", task_self_busy, SYS_TSS32_BUSY);
  check_eq("task.iret_back.tr", str(), TSS_SEL);
  check_eq("task.iret_back.called_tss_not_busy", (get_gdt_entry(DF_TSS_SEL) >> 40) & 0xf, SYS_TSS32_AVAIL);
  check_eq("task.iret_back.main_tss_busy", (get_gdt_entry(TSS_SEL) >> 40) & 0xf, SYS_TSS32_BUSY);

  set_gdt_entry(SEL_TASK_GATE, make_gate32(DF_TSS_SEL, 0, SYS_TASK_GATE, 0, 0));
  v = catch_call(task_call_gate, 0);
  check_eq("task.call_task_gate.ran", task_runs, 2);
  check_eq("task.call_task_gate.returned", (u32)v, 8);
  check_eq("task.call_task_gate.back_link", task_link, TSS_SEL);

  set_gdt_entry(SEL_SHORT_TSS, make_desc((u32)(uptr)&df_tss, 0x60, ACC_P | SYS_TSS32_AVAIL, 0));
  v = catch_call(task_call_short, 0);
  check_eq("task.tss_limit_below_0x67.vector", (u32)v, VEC_TS);
  check_eq("task.tss_limit_below_0x67.error_code", last_trap.error, SEL_SHORT_TSS);
  check_eq("task.tss_limit_below_0x67.eip", last_trap.ip, (uptr)task_call_short_insn);
  v = catch_call(task_call_busy, 0);
  check_eq("task.call_busy_tss.vector", (u32)v, VEC_GP);
  check_eq("task.call_busy_tss.error_code", last_trap.error, TSS_SEL);

  /* #DF through a task gate: INT3 with ESP in a not-present page faults on the
   * push, the #PF faults again, and the #DF task runs on its own stack. */
  for (u32 i = 0; i < 1024; ++i) pd[i] = (i << 22) | 0x87;
  for (u32 i = 0; i < 1024; ++i) pt[i] = (0x400000 + (i << 12)) | 0x7;
  pt[0] = 0;  /* 0x400000-0x400fff not present: the stack below 0x401000 */
  pd[1] = (u32)(uptr)pt | 0x7;
  write_cr4(read_cr4() | CR4_PSE);
  write_cr3((uptr)pd);
  write_cr0(read_cr0() | CR0_PG);
  init_task();
  idt[VEC_DF] = make_gate32(DF_TSS_SEL, 0, SYS_TASK_GATE, 0, 0);
  task_runs = 0;
  df_tss.eip = (u32)(uptr)task_entry;
  v = catch_call(df_by_stack_fault, 0);
  restore_default_gate(VEC_DF);
  write_cr0(read_cr0() & ~CR0_PG);
  check_eq("task.double_fault_task.ran", task_runs, 1);
  check_eq("task.double_fault_task.recovered", (u32)v, 8);
  check_eq("task.double_fault_task.tr", task_tr, DF_TSS_SEL);
  check_eq("task.double_fault_task.back_link", task_link, TSS_SEL);
  check_eq("task.double_fault_task.nt", task_flags & FL_NT, FL_NT);
  check_eq("task.double_fault_task.cr2_is_the_stack", task_cr2 & ~0xfffu, 0x400000);
  check_eq("task.double_fault_task.error_code_pushed", *(u32*)(df_stack + sizeof df_stack - 4), 0);
  check_eq("task.double_fault_task.old_state_saved", task_ebx_saved, 0x12345678);
  check_eq("task.double_fault_task.old_esp_saved", task_esp_saved, 0x401000);
  check_eq("task.after_double_fault.tr", str(), TSS_SEL);
}

/* ---- segment limits and types on data accesses ---- */
SNIPPET(limit_read_ok, "", "mov %fs:0xffc, %eax", "");
SNIPPET(down_read_high, "", "mov %fs:0x2000, %eax", "mov %eax, down_value");
u32 down_value;

static void test_limits(void) {
  section("segment limits");
  set_gdt_entry(SEL_BASED_DS, make_desc((u32)(uptr)based_area, 0xfff, ACC_P | ACC_S | DESC_TYPE_DATA_RW, FLG_DB));
  WRITE_SEG(fs, SEL_BASED_DS);
  u32 lsl = 0;
  __asm__ volatile("lsl %1, %0" : "=r"(lsl) : "r"((u32)SEL_BASED_DS));
  check_eq("limit.lsl_byte_granular", lsl, 0xfff);
  int v = catch_call(limit_read_ok, 0);
  check_eq("limit.read_at_limit_ok", (u32)v, (u32)-1);
  /* QEMU does not check limits, read-only or execute-only types, or
   * expand-down segments on data accesses: only the accesses that are valid
   * are checked here (docs/system-tests.md lists the rest). */
  set_gdt_entry(SEL_BASED_DS, make_desc((u32)(uptr)based_area - 0x2000, 0xfff, ACC_P | ACC_S | DESC_TYPE_DATA_RW_DOWN, FLG_DB));
  WRITE_SEG(fs, SEL_BASED_DS);
  __asm__ volatile("lsl %1, %0" : "=r"(lsl) : "r"((u32)SEL_BASED_DS));
  check_eq("limit.lsl_expand_down", lsl, 0xfff);
  v = catch_call(down_read_high, 0);
  check_eq("limit.expand_down_above_limit.ok", (u32)v, (u32)-1);
  check_eq("limit.expand_down_above_limit.value", down_value, 0x11111111);
  WRITE_SEG(fs, KERNEL_DS);
}

void kmain(void) {
  test_hidden_parts();
  test_lar_lsl();
  test_far_transfers();
  test_tasks();
  test_limits();
}
