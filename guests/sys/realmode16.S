/* Real-mode half of the realmode kernel: realmode_call(offset) switches from
 * 32-bit protected mode to real mode (through a 16-bit protected-mode code
 * segment and CR0.PE = 0), calls the 16-bit scenario at that offset of the
 * blob and comes back. The blob (rm_blob_start..rm_blob_end) is copied to
 * RM_BASE and runs with CS = DS = ES = SS = RM_SEG; FS keeps the flat 4 GiB
 * descriptor it had in protected mode ("unreal mode"). Scenarios record what
 * they see in the r_* words, which the 32-bit side checks. */
#define RM_BASE 0x10000
#define RM_SEG 0x1000
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define CODE16_SEL 0x38
#define DATA16_SEL 0x40
#define O(x) ((x) - rm_blob_start)
#define RM_STACK 0xfff0

    .text
    .code32
/* int realmode_call(u32 offset) */
    .globl realmode_call
realmode_call:
    push %ebp
    push %ebx
    push %esi
    push %edi
    pushf
    cli
    mov %esp, saved_esp
    sidt saved_idtr
    mov 24(%esp), %eax
    mov %ax, RM_BASE + O(rm_fn)
    mov $KERNEL_DS, %eax
    mov %eax, %fs                   /* flat 4 GiB: kept in real mode */
    ljmp $CODE16_SEL, $O(rm_pm16)
back32:
    mov $KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    mov %eax, %ss
    mov saved_esp, %esp
    lidt saved_idtr
    popf
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    mov $-1, %eax
    ret

    .data
    .balign 8
saved_esp: .long 0
saved_idtr: .word 0
    .long 0

/* ---------------------------------------------------------------------- */
    .section .rodata.realmode, "a"
    .balign 16
    .globl rm_blob_start, rm_blob_end
rm_blob_start:
    .code16
rm_pm16:                            /* 16-bit protected mode, CS base = RM_BASE */
    mov $DATA16_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %gs
    mov %cr0, %eax
    and $~1, %eax
    mov %eax, %cr0
    ljmp $RM_SEG, $O(rm_real)
rm_real:
    mov $RM_SEG, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %gs
    mov $RM_STACK, %sp
    lidt O(rm_ivt_desc)
    call *O(rm_fn)
    cli
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $KERNEL_CS, $back32

    .balign 4
rm_fn: .word 0
rm_ivt_desc: .word 0x3ff
    .long 0
rm_ivt_small: .word 0x3f
    .long 0
rm_ivt_moved: .word 0x3ff
    .long RM_BASE + 0x4000

/* ---- results ---- */
    .balign 4
    .globl r_vector, r_ip, r_cs, r_flags, r_sp, r_hflags, r_count, r_presp, r_after_flags, r_resumed
    .globl r_same_ip
    .globl rm_skip, r_seg_alias, r_wrap16, r_wrap_sp, r_wrap_val, r_unreal, r_fs_real, r_far_ip, r_far_cs
    .globl r_iopl, r_msw, r_cr0, r_cs_after, r_cf_after, r_push32_sp
r_vector: .word 0
r_ip: .word 0
r_cs: .word 0
r_flags: .word 0
r_sp: .word 0
r_hflags: .word 0
r_count: .word 0
r_presp: .word 0
r_after_flags: .word 0
r_resumed: .word 0
rm_skip: .word 0
r_seg_alias: .word 0
r_wrap16: .word 0
r_wrap_sp: .word 0
r_wrap_val: .word 0
r_fs_real: .word 0
r_far_ip: .word 0
r_far_cs: .word 0
r_same_ip: .word 0
r_iopl: .word 0
r_msw: .word 0
r_cs_after: .word 0
r_cf_after: .word 0
r_push32_sp: .word 0
r_port92: .word 0
r_port92_off: .word 0
    .balign 4
    .globl r_port92, r_port92_off, r_a20_on, r_a20_off, r_a20_alias, r_a20_back, r_ffff_on, r_ffff_off, r_ivt0
r_a20_on: .long 0
r_a20_off: .long 0
r_a20_alias: .long 0
r_a20_back: .long 0
r_ffff_on: .long 0
r_ffff_off: .long 0
r_ivt0: .long 0
r_unreal: .long 0
r_cr0: .long 0
    .globl r_x87_env16, r_x87_env32, x87_operand
r_x87_env16: .space 14
    .balign 4
r_x87_env32: .space 28
x87_operand: .quad 0x3ff8000000000000   /* 1.5 */
bound_pair: .word 10, 20
    .globl unreal_address
unreal_address: .long 0

/* ---- interrupt handlers: record the frame, skip rm_skip bytes, IRET ---- */
    .globl h_vec0, h_vec3, h_vec4, h_vec5, h_vec6, h_vec13, h_vec80, h_vec81, h_vec82
h_vec0: push $0
    jmp h_common
h_vec3: push $3
    jmp h_common
h_vec4: push $4
    jmp h_common
h_vec5: push $5
    jmp h_common
h_vec6: push $6
    jmp h_common
h_vec13: push $13
    jmp h_common
h_vec80: push $0x80
    jmp h_common
h_vec82: push $0x82
    jmp h_common
h_common:
    push %bp
    mov %sp, %bp
    push %ax
    mov 2(%bp), %ax
    mov %ax, %cs:O(r_vector)
    mov 4(%bp), %ax
    mov %ax, %cs:O(r_ip)
    mov 6(%bp), %ax
    mov %ax, %cs:O(r_cs)
    mov 8(%bp), %ax
    mov %ax, %cs:O(r_flags)
    lea 4(%bp), %ax
    mov %ax, %cs:O(r_sp)
    pushf
    pop %ax
    mov %ax, %cs:O(r_hflags)
    incw %cs:O(r_count)
    mov %cs:O(rm_skip), %ax
    add %ax, 4(%bp)
    pop %ax
    pop %bp
    add $2, %sp
    iret
/* 0x81: return to the same linear address through CS - 1 and set CF */
h_vec81:
    push %bp
    mov %sp, %bp
    decw 4(%bp)                     /* CS - 1 */
    addw $16, 2(%bp)                /* IP + 16 */
    orw $1, 6(%bp)                  /* CF in the saved FLAGS */
    pop %bp
    iret

/* ---- scenarios (near functions) ---- */
    .globl s_int80, s_int80_after
s_int80:
    sti
    mov %sp, %cs:O(r_presp)
    int $0x80
s_int80_after:
    pushf
    popw %cs:O(r_after_flags)
    cli
    ret

    .globl s_de, s_de_insn
s_de:
    movw $2, %cs:O(rm_skip)
    movw $0, %cs:O(r_resumed)
    xor %cl, %cl
    mov $1, %ax
    mov %sp, %cs:O(r_presp)
s_de_insn:
    div %cl
    movw $1, %cs:O(r_resumed)
    movw $0, %cs:O(rm_skip)
    ret

    .globl s_ud, s_ud_insn
s_ud:
    movw $2, %cs:O(rm_skip)
    movw $0, %cs:O(r_resumed)
s_ud_insn:
    ud2
    movw $1, %cs:O(r_resumed)
    movw $0, %cs:O(rm_skip)
    ret

    .globl s_int3, s_int3_after
s_int3:
    int3
s_int3_after:
    ret

    .globl s_into, s_into_after
s_into:
    mov $0x7f, %al
    add $1, %al                     /* OF = 1 */
    into
s_into_after:
    ret

    .globl s_bound, s_bound_insn
s_bound:
    movw $4, %cs:O(rm_skip)
    mov $30, %ax
s_bound_insn:
    bound %ax, O(bound_pair)
    movw $0, %cs:O(rm_skip)
    ret

    .globl s_iret_cs
s_iret_cs:
    clc
    int $0x81
    /* now CS = RM_SEG - 1, IP + 16: same linear address */
    mov %cs, %ax
    mov %ax, %cs:O(r_cs_after) + 16
    sbb %ax, %ax
    mov %ax, %cs:O(r_cf_after) + 16
    ljmp $RM_SEG, $O(1f)
1:  ret

    .globl s_segarith
s_segarith:
    push %es
    mov $0x2000, %ax
    mov %ax, %es
    movb $0x5a, %es:0x0010
    movb $0xa5, %es:0x0011
    mov $0x2001, %ax
    mov %ax, %es
    mov %es:0x0000, %al
    mov %al, %cs:O(r_seg_alias)
    mov $0xffff, %bx
    mov %es:2(%bx), %al             /* 16-bit address wraps to es:0001 */
    mov %al, %cs:O(r_wrap16)
    pop %es
    ret

    .globl s_stackwrap
s_stackwrap:
    mov %ss, %dx
    mov %sp, %cx
    mov $0x3000, %ax
    mov %ax, %ss
    xor %sp, %sp
    pushw $0x1234
    mov %sp, %cs:O(r_wrap_sp)
    mov %ss:0xfffe, %ax
    mov %ax, %cs:O(r_wrap_val)
    pushl $0x55aa55aa               /* 32-bit push in real mode */
    mov %sp, %cs:O(r_push32_sp)
    mov %dx, %ss
    mov %cx, %sp
    ret

    .globl s_unreal
s_unreal:
    mov %cs:O(unreal_address), %ebx
    mov %fs:(%ebx), %eax            /* beyond 1 MiB through the cached 4 GiB limit */
    mov %eax, %cs:O(r_unreal)
    mov $RM_SEG, %ax
    mov %ax, %fs                    /* a real-mode load: base = RM_SEG * 16 */
    mov %fs:O(bound_pair), %ax
    mov %ax, %cs:O(r_fs_real)
    ret

    .globl s_farcall, s_farcall_after
s_farcall:
    lcall $RM_SEG, $O(far_fn)
s_farcall_after:
    ret
far_fn:
    push %bp
    mov %sp, %bp
    mov 2(%bp), %ax
    mov %ax, %cs:O(r_far_ip)
    mov 4(%bp), %ax
    mov %ax, %cs:O(r_far_cs)
    pop %bp
    lret

/* Two routines reached at the same IP through two code segments: each far call
 * must run its own (a block looked up by IP alone would run the other). */
    .balign 16
same_ip_a:
    mov $1, %al
    lret
    .balign 16
same_ip_b:
    mov $2, %al
    lret
    .globl s_same_ip
s_same_ip:
    xor %dx, %dx
    mov $40, %cx
1:  lcall $RM_SEG + (O(same_ip_a) - 0x10) / 16, $0x10
    add %al, %dl
    lcall $RM_SEG + (O(same_ip_b) - 0x10) / 16, $0x10
    add %al, %dh
    loop 1b
    mov %dx, %cs:O(r_same_ip)
    ret

    .globl s_sys
s_sys:
    pushf
    pop %ax
    or $0x3000, %ax
    push %ax
    popf
    pushf
    pop %ax
    mov %ax, %cs:O(r_iopl)
    and $~0x3000, %ax
    push %ax
    popf
    smsw %ax
    mov %ax, %cs:O(r_msw)
    mov %cr0, %eax
    mov %eax, %cs:O(r_cr0)
    ret

    .globl s_moved_ivt
s_moved_ivt:
    lidt O(rm_ivt_moved)
    int $0x82
    lidt O(rm_ivt_desc)
    ret

    .globl s_ivt_limit, s_ivt_limit_insn
s_ivt_limit:
    movw $2, %cs:O(rm_skip)
    lidt O(rm_ivt_small)
s_ivt_limit_insn:
    int $0x20
    lidt O(rm_ivt_desc)
    movw $0, %cs:O(rm_skip)
    ret

    .globl s_a20
s_a20:
    in $0x92, %al
    mov %al, %cs:O(r_port92)
    mov $0x200000, %ecx
    mov $0x300000, %ebx
    movl $0x1111, %fs:(%ecx)
    movl $0x2222, %fs:(%ebx)
    mov %fs:(%ebx), %eax
    mov %eax, %cs:O(r_a20_on)
    mov $0xffff, %ax
    mov %ax, %es
    mov %es:0x10, %eax              /* FFFF:0010 = 1 MiB with A20 on */
    mov %eax, %cs:O(r_ffff_on)
    in $0x92, %al
    and $~3, %al
    out %al, $0x92
    in $0x92, %al
    mov %al, %cs:O(r_port92_off)
    mov %fs:(%ebx), %eax
    mov %eax, %cs:O(r_a20_off)
    movl $0x3333, %fs:(%ebx)
    mov %fs:(%ecx), %eax
    mov %eax, %cs:O(r_a20_alias)
    mov %es:0x10, %eax              /* wraps to 0000:0000 */
    mov %eax, %cs:O(r_ffff_off)
    mov %gs:0, %eax
    mov %eax, %cs:O(r_ivt0)
    in $0x92, %al
    or $2, %al
    and $~1, %al
    out %al, $0x92
    mov %fs:(%ebx), %eax
    mov %eax, %cs:O(r_a20_back)
    mov %ds, %ax
    mov %ax, %es
    ret

/* The x87 environment in real mode, in both operand sizes: pointers are linear. */
    .globl s_x87, s_x87_insn
s_x87:
    fninit
s_x87_insn:
    fldl %cs:O(x87_operand)
    fnstenv %cs:O(r_x87_env16)
    .byte 0x66                      /* 32-bit operand size: the 28-byte layout */
    fnstenv %cs:O(r_x87_env32)
    fninit
    ret

    .code32
rm_blob_end:
