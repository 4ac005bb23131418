/* IRET in every direction in 32-bit protected mode: same privilege (32- and
 * 16-bit operand size, and through a 16-bit interrupt gate), to CPL 3 (data
 * segments nulled), from CPL 3 through a DPL 3 gate and back, IF/IOPL as IRET
 * loads them at each CPL/IOPL, and the faults: to a more privileged level,
 * to a not-present or non-code segment. (IRETQ is in longmode, the 16-bit
 * real-mode IRET in realmode, IRET with NT in segmentation/exceptions.) */
#include "sys.h"

#define SEL_CODE_NP (GDT_SCRATCH + 0x00)
#define SEL_BASED_CS (GDT_SCRATCH + 0x08) /* 32-bit code, base 1 MiB: 16-bit offsets reach the kernel */

u32 after_sp, after_flags, after_cs, after_ds, after_es, after_fs, after_ss;
#define RECORD_AFTER                                                                 \
  "mov %esp, %ss:after_sp\n pushf\n popl %ss:after_flags\n mov %cs, %eax\n"          \
  "mov %eax, %ss:after_cs\n mov %ds, %eax\n mov %eax, %ss:after_ds\n mov %es, %eax\n" \
  "mov %eax, %ss:after_es\n mov %fs, %eax\n mov %eax, %ss:after_fs\n mov %ss, %eax\n mov %eax, %ss:after_ss\n"

/* CPL 0 -> CPL 0 */
SNIPPET(iret_same, "pushl $0x8d7\n pushl $0x08\n pushl $1f", "iret",
        "1:" RECORD_AFTER "pushl $2\n popfl");
SNIPPET(iret_same_if, "pushl $0x202\n pushl $0x08\n pushl $1f", "iret", "1:" RECORD_AFTER "cli");
SNIPPET(iretw_same, "pushw $0x08c3\n pushw $0x50\n mov $1f, %eax\n sub $0x100000, %eax\n pushw %ax", "iretw",
        "1:" RECORD_AFTER "pushl $2\n popfl\n ljmp $0x08, $2f\n 2:");

/* CPL 0 -> CPL 3: DS = kernel data (DPL 0) is nulled, ES = user data stays, FS = null stays */
extern char user_landing[];
__asm__(".text\nuser_landing:\n" RECORD_AFTER "int $0x80\n");
SNIPPET(iret_to_user, "mov $0x10, %eax\n mov %eax, %ds\n mov $0x23, %eax\n mov %eax, %es\n xor %eax, %eax\n mov %eax, %fs\n"
        "pushl $0x23\n pushl $user_stack_top\n pushl $0x3202\n pushl $0x1b\n pushl $user_landing",
        "iret", "");

/* CPL 3 -> CPL 0 through a DPL 3 gate and back by IRET */
static int gate_hits;
static u32 gate_frame[5];
static void gate_handler(struct regs* r) {
  gate_hits++;
  gate_frame[0] = r->ip;
  gate_frame[1] = r->cs;
  gate_frame[2] = r->flags;
  gate_frame[3] = r->sp;
  gate_frame[4] = r->ss;
  r->ax = 0x600d;
}
u32 user_eax_after;
USER_SNIPPET(user_int_and_back, "pushl $0x8c3\n popfl\n mov $1, %eax", "int $0x44",
             "mov %eax, user_eax_after\n" RECORD_AFTER);

/* CPL 3 -> CPL 3: IRET cannot change IF or IOPL unless allowed */
USER_SNIPPET(user_iret_same, "pushl $0x3202\n pushl $0x1b\n pushl $1f", "iret", "1:" RECORD_AFTER);

/* faults */
USER_SNIPPET(user_iret_to_cpl0, "pushl $0x2\n pushl $0x08\n pushl $1f", "iret", "1:");
SNIPPET(iret_to_np, "pushl $0x2\n pushl $0x48\n pushl $1f", "iret", "1:");
SNIPPET(iret_to_data, "pushl $0x2\n pushl $0x10\n pushl $1f", "iret", "1:");
SNIPPET(iret_to_user_bad_ss, "pushl $0x10\n pushl $user_stack_top\n pushl $0x2\n pushl $0x1b\n pushl $user_landing", "iret", "");

/* through a 16-bit interrupt gate: a 16-bit frame, returned with IRETW */
u32 gate16_sp_before_frame;
extern char gate16_handler[];
__asm__(".text\ngate16_handler:\n mov %esp, gate16_sp_before_frame\n iretw\n");
SNIPPET(int_gate16, "ljmp $0x50, $(1f - 0x100000)\n 1:", "int $0x45", RECORD_AFTER "ljmp $0x08, $2f\n 2:");

static void test_iret(void) {
  section("IRET at CPL 0");
  _Static_assert(SEL_BASED_CS == 0x50, "selector number in the snippets");
  set_gdt_entry(SEL_BASED_CS, make_desc(0x100000, 0xfffff, ACC_P | ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB));
  int v = catch_call(iret_same, 0);
  check_eq("iret.same_privilege.returns", (u32)v, (u32)-1);
  check_eq("iret.same_privilege.pops_12_bytes", after_sp, pre_sp + 12);
  check_eq("iret.same_privilege.loads_eflags", after_flags, 0x8d7);
  check_eq("iret.same_privilege.cs", after_cs, KERNEL_CS);
  v = catch_call(iret_same_if, 0);
  check_eq("iret.cpl0.sets_if", after_flags & FL_IF, FL_IF);
  v = catch_call(iretw_same, 0);
  check_eq("iretw.same_privilege.returns", (u32)v, (u32)-1);
  check_eq("iretw.same_privilege.pops_6_bytes", after_sp, pre_sp + 6);
  check_eq("iretw.same_privilege.loads_low_flags", after_flags & 0xffff, 0x08c3);
  check_eq("iretw.same_privilege.cs", after_cs, SEL_BASED_CS);

  section("IRET to CPL 3");
  v = catch_call(iret_to_user, 0);
  check_eq("iret.to_cpl3.returns_through_int80", (u32)v, (u32)-1);
  check_eq("iret.to_cpl3.cs", after_cs, USER_CS32);
  check_eq("iret.to_cpl3.ss", after_ss, USER_DS);
  check_eq("iret.to_cpl3.esp", after_sp, (uptr)user_stack_top);
  check_eq("iret.to_cpl3.eflags_iopl_if", after_flags & (FL_IOPL3 | FL_IF), FL_IOPL3 | FL_IF);
  check_eq("iret.to_cpl3.dpl0_ds_nulled", after_ds, 0);
  check_eq("iret.to_cpl3.dpl3_es_kept", after_es, USER_DS);
  check_eq("iret.to_cpl3.null_fs_kept", after_fs, 0);
  check_eq("iret.to_cpl3.int80_frame_esp", user_ret_frame.sp, (uptr)user_stack_top);

  section("CPL 3 through a gate and back by IRET");
  set_handler(0x44, gate_handler);
  set_gate(0x44, isr_stub_address(0x44), KERNEL_CS, SYS_INT_GATE32, 3, 0);
  gate_hits = 0;
  v = user_jump((uptr)user_int_and_back, USER_CS32, 0);
  check_eq("iret.from_gate_to_cpl3.returns", (u32)v, (u32)-1);
  check_eq("iret.from_gate_to_cpl3.handler_ran", gate_hits, 1);
  check_eq("iret.from_gate_to_cpl3.frame_eip", gate_frame[0], (uptr)user_int_and_back_after);
  check_eq("iret.from_gate_to_cpl3.frame_cs", gate_frame[1] & 0xffff, USER_CS32);
  check_eq("iret.from_gate_to_cpl3.frame_eflags", gate_frame[2] & ~FL_RF, 0x8c3);
  check_eq("iret.from_gate_to_cpl3.frame_esp", gate_frame[3], pre_sp);
  check_eq("iret.from_gate_to_cpl3.frame_ss", gate_frame[4] & 0xffff, USER_DS);
  check_eq("iret.from_gate_to_cpl3.esp_restored", after_sp, pre_sp);
  check_eq("iret.from_gate_to_cpl3.eflags_restored", after_flags, 0x8c3);
  check_eq("iret.from_gate_to_cpl3.cs", after_cs, USER_CS32);
  check_eq("iret.from_gate_to_cpl3.ss", after_ss, USER_DS);
  check_eq("iret.from_gate_to_cpl3.ds_kept", after_ds, USER_DS);
  check_eq("iret.from_gate_to_cpl3.eax_from_handler", user_eax_after, 0x600d);
  set_handler(0x44, 0);
  restore_default_gate(0x44);

  section("IRET at CPL 3: IF and IOPL");
  v = user_jump((uptr)user_iret_same, USER_CS32, 0);
  check_eq("iret.cpl3_iopl0.returns", (u32)v, (u32)-1);
  check_eq("iret.cpl3_iopl0.if_iopl_unchanged", after_flags & (FL_IF | FL_IOPL3), 0);
  check_eq("iret.cpl3_iopl0.pops_12_bytes", after_sp, pre_sp + 12);
  v = user_jump((uptr)user_iret_same, USER_CS32, FL_IOPL3);
  check_eq("iret.cpl3_iopl3.sets_if", after_flags & FL_IF, FL_IF);
  check_eq("iret.cpl3_iopl3.iopl_unchanged", after_flags & FL_IOPL3, FL_IOPL3);
  v = user_jump((uptr)user_iret_same, USER_CS32, FL_IOPL(1));
  check_eq("iret.cpl3_iopl1.if_unchanged", after_flags & FL_IF, 0);
  check_eq("iret.cpl3_iopl1.iopl_stays_1", after_flags & FL_IOPL3, FL_IOPL(1));

  section("IRET faults");
  v = user_jump((uptr)user_iret_to_cpl0, USER_CS32, 0);
  check_eq("iret.cpl3_to_cpl0.vector", (u32)v, VEC_GP);
  check_eq("iret.cpl3_to_cpl0.error_code", last_trap.error, KERNEL_CS);
  check_eq("iret.cpl3_to_cpl0.eip", last_trap.ip, (uptr)user_iret_to_cpl0_insn);
  set_gdt_entry(SEL_CODE_NP, make_desc(0, 0xfffff, ACC_S | DESC_TYPE_CODE_XR, FLG_G | FLG_DB));
  _Static_assert(SEL_CODE_NP == 0x48, "selector number in the snippet");
  v = catch_call(iret_to_np, 0);
  check_eq("iret.to_not_present_cs.vector", (u32)v, VEC_NP);
  check_eq("iret.to_not_present_cs.error_code", last_trap.error, SEL_CODE_NP);
  v = catch_call(iret_to_data, 0);
  check_eq("iret.to_data_segment.vector", (u32)v, VEC_GP);
  check_eq("iret.to_data_segment.error_code", last_trap.error, KERNEL_DS);
  v = catch_call(iret_to_user_bad_ss, 0);
  check_eq("iret.to_cpl3_with_dpl0_ss.vector", (u32)v, VEC_GP);
  check_eq("iret.to_cpl3_with_dpl0_ss.error_code", last_trap.error, KERNEL_DS);

  section("16-bit interrupt gate");
  /* A 16-bit gate holds a 16-bit offset (SDM Vol. 2 INT n: CS:IP <- Gate(CS:IP);
   * QEMU uses bits 31:16 as well): the handler is reached through the segment
   * based at 1 MiB, as the interrupted code is. */
  set_gate(0x45, (uptr)gate16_handler - 0x100000, SEL_BASED_CS, SYS_INT_GATE16, 0, 0);
  v = catch_call(int_gate16, 0);
  check_eq("gate16.returns", (u32)v, (u32)-1);
  check_eq("gate16.frame_is_6_bytes", gate16_sp_before_frame, pre_sp - 6);
  check_eq("gate16.iretw_restores_esp", after_sp, pre_sp);
  restore_default_gate(0x45);
}

void kmain(void) { test_iret(); }
