"""NOP forms, ENDBR64, PAUSE, fences, prefetches, undefined opcodes (#UD), LOCK where it
is not allowed (#UD), privileged instructions at CPL 3 with IOPL 0 (#GP(0)), INT3, and
memory faults: unmapped pages (#PF with the error code's W and I/D bits), accesses
straddling into an unmapped page (nothing stored), non-canonical addresses (#GP(0),
or #SS(0) through RSP/RBP), alignment checks with RFLAGS.AC (#AC(0)), and a REP MOVSB
interrupted by a fault with its registers showing the progress made.
CPUID, RDTSC and the like are absent on purpose: their results differ by design."""

import model as m

FILE = 'misc'
TITLE = 'NOP ENDBR PAUSE fences prefetch, #UD, #GP, #PF, #SS, #AC, #BP'

ALL_FILLED = {r: m.fill(r) for r in m.GPR64 if r != 'rsp'}
SOME_FILLED = {r: m.fill(r) for r in ('rax', 'rcx', 'r8', 'r15')}
UNMAPPED = 0x40000
FAR_UNMAPPED = 0x7000000
NONCANONICAL = [0x8000000000000000, 0x00ff000000000000, 0xdead000000000000]
AC = 1 << m.FLAG_BITS['AC']


def raw(name, code, show, regs=None, rflags=m.DEFAULT_RFLAGS, mem=None):
    return m.Case(name, '.byte ' + ', '.join(hex(b) for b in code), show=show, regs=regs, rflags=rflags, mem=mem)


def no_ops():
    forms = [
        ('nop', [0x90], 'nop'),
        ('nop_66', [0x66, 0x90], 'xchg ax, ax (66 90)'),
        ('nop_3', [0x0f, 0x1f, 0x00], 'nop dword ptr [rax]'),
        ('nop_4', [0x0f, 0x1f, 0x40, 0x00], 'nop dword ptr [rax + 0]'),
        ('nop_5', [0x0f, 0x1f, 0x44, 0x00, 0x00], 'nop dword ptr [rax + rax + 0]'),
        ('nop_6', [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00], 'nop word ptr [rax + rax + 0]'),
        ('nop_7', [0x0f, 0x1f, 0x80, 0, 0, 0, 0], 'nop dword ptr [rax + 0x0] (disp32)'),
        ('nop_8', [0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0], 'nop dword ptr [rax + rax + 0x0] (disp32)'),
        ('nop_9', [0x66, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0], 'nop word ptr [rax + rax + 0x0] (disp32)'),
        ('nop_10', [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0], 'cs nop word ptr [rax + rax + 0x0]'),
        ('nop_11', [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0], 'data16 cs nop word ptr [rax + rax + 0x0]'),
        ('nop_register_operand_keeps_rax', [0x0f, 0x1f, 0xc0], 'nop eax'),
        ('endbr64', [0xf3, 0x0f, 0x1e, 0xfa], 'endbr64'),
        ('endbr32', [0xf3, 0x0f, 0x1e, 0xfb], 'endbr32'),
        ('pause', [0xf3, 0x90], 'pause'),
        ('lfence', [0x0f, 0xae, 0xe8], 'lfence'),
        ('mfence', [0x0f, 0xae, 0xf0], 'mfence'),
        ('sfence', [0x0f, 0xae, 0xf8], 'sfence'),
        ('prefetchnta', [0x0f, 0x18, 0x00], 'prefetchnta byte ptr [rax]'),
        ('prefetcht0', [0x0f, 0x18, 0x08], 'prefetcht0 byte ptr [rax]'),
        ('prefetcht1', [0x0f, 0x18, 0x10], 'prefetcht1 byte ptr [rax]'),
        ('prefetcht2', [0x0f, 0x18, 0x18], 'prefetcht2 byte ptr [rax]'),
        ('prefetchw', [0x0f, 0x0d, 0x08], 'prefetchw byte ptr [rax]'),
    ]
    for name, code, show in forms:
        yield raw(name, code, show, regs=dict(SOME_FILLED, rax=0x20100 if 'prefetch' in name else SOME_FILLED['rax']),
                  rflags=m.rflags_of(CF=1, ZF=1, OF=1))
    # Neither NOP's nor a prefetch's memory operand is accessed: no fault even where nothing is mapped.
    for name, code, show in (('nop_unmapped_operand', [0x0f, 0x1f, 0x00], 'nop dword ptr [rax]'),
                             ('nop_noncanonical_operand', [0x0f, 0x1f, 0x00], 'nop dword ptr [rax]'),
                             ('prefetcht0_unmapped', [0x0f, 0x18, 0x08], 'prefetcht0 byte ptr [rax]'),
                             ('prefetchw_unmapped', [0x0f, 0x0d, 0x08], 'prefetchw byte ptr [rax]')):
        yield raw(name, code, show, regs={'rax': NONCANONICAL[0] if 'noncanonical' in name else UNMAPPED})
    c = raw('clflush_data', [0x0f, 0xae, 0x3b], 'clflush byte ptr [rbx]', regs={'rbx': 0x20100},
            mem={0x20100: b'\x5a'})
    yield c


# Opcodes that are invalid in 64-bit mode, or undefined everywhere.
INVALID = [
    ('ud2', [0x0f, 0x0b], 'ud2'), ('ud1', [0x0f, 0xb9, 0x00], 'ud1 eax, dword ptr [rax]'),
    ('ud0', [0x0f, 0xff, 0x00], 'ud0 eax, dword ptr [rax]'),
    ('push_es', [0x06], 'push es'), ('pop_es', [0x07], 'pop es'), ('push_cs', [0x0e], 'push cs'),
    ('push_ss', [0x16], 'push ss'), ('pop_ss', [0x17], 'pop ss'), ('push_ds', [0x1e], 'push ds'),
    ('pop_ds', [0x1f], 'pop ds'), ('daa', [0x27], 'daa'), ('das', [0x2f], 'das'), ('aaa', [0x37], 'aaa'),
    ('aas', [0x3f], 'aas'), ('pusha', [0x60], 'pusha'), ('popa', [0x61], 'popa'),
    ('opcode_82', [0x82, 0xc0, 0x01], 'add al, 1 (82 /0, 32-bit only)'), ('call_far', [0x9a, 0, 0, 0, 0, 0, 0], 'call far'),
    ('into', [0xce], 'into'), ('aam', [0xd4, 0x0a], 'aam'), ('aad', [0xd5, 0x0a], 'aad'), ('salc', [0xd6], 'salc'),
    ('jmp_far', [0xea, 0, 0, 0, 0, 0, 0], 'jmp far'),
    ('lock_nop', [0xf0, 0x90], 'lock nop'), ('lock_mov_store', [0xf0, 0x89, 0x18], 'lock mov dword ptr [rax], ebx'),
    ('lock_bt_memory', [0xf0, 0x0f, 0xa3, 0x18], 'lock bt dword ptr [rax], ebx'),
    ('lock_cmp_memory', [0xf0, 0x39, 0x18], 'lock cmp dword ptr [rax], ebx'),
    ('lock_inc_register', [0xf0, 0xff, 0xc0], 'lock inc eax'),
]

# Privileged, or needing IOPL 3, at CPL 3 with IOPL 0.
PRIVILEGED = [
    ('hlt', [0xf4], 'hlt'), ('cli', [0xfa], 'cli'), ('sti', [0xfb], 'sti'),
    ('in_al_dx', [0xec], 'in al, dx'), ('in_al_imm', [0xe4, 0x60], 'in al, 0x60'), ('out_dx_al', [0xee], 'out dx, al'),
    ('out_imm_eax', [0xe7, 0x80], 'out 0x80, eax'), ('insb', [0x6c], 'insb'), ('outsb', [0x6e], 'outsb'),
    ('rdmsr', [0x0f, 0x32], 'rdmsr'), ('wrmsr', [0x0f, 0x30], 'wrmsr'),
    ('mov_from_cr0', [0x0f, 0x20, 0xc0], 'mov rax, cr0'), ('mov_to_cr3', [0x0f, 0x22, 0xd8], 'mov cr3, rax'),
    ('mov_from_dr7', [0x0f, 0x21, 0xf8], 'mov rax, dr7'), ('lgdt', [0x0f, 0x01, 0x10], 'lgdt [rax]'),
    ('lidt', [0x0f, 0x01, 0x18], 'lidt [rax]'), ('lldt', [0x0f, 0x00, 0xd0], 'lldt ax'), ('ltr', [0x0f, 0x00, 0xd8], 'ltr ax'),
    ('lmsw', [0x0f, 0x01, 0xf0], 'lmsw ax'), ('invlpg', [0x0f, 0x01, 0x38], 'invlpg byte ptr [rax]'),
    ('wbinvd', [0x0f, 0x09], 'wbinvd'), ('invd', [0x0f, 0x08], 'invd'), ('clts', [0x0f, 0x06], 'clts'),
    ('swapgs', [0x0f, 0x01, 0xf8], 'swapgs'),
]


def invalid_and_privileged():
    for name, code, show in INVALID:
        c = raw(name, code, show, regs={'rax': 0x20100, 'rbx': 1})
        c.fault('#UD')
        yield c
    for name, code, show in PRIVILEGED:
        c = raw(name, code, show, regs={'rax': 0x20100, 'rdx': 0x60, 'rcx': 0x10})
        c.fault('#GP(0)')
        yield c


def breakpoints():
    c = raw('int3', [0xcc], 'int3', regs={'rax': 7})
    c.fault('#BP', rip=0x10001)  # a trap: RIP is past the instruction
    yield c
    c = raw('int_3', [0xcd, 0x03], 'int 3', regs={'rax': 7})
    c.fault('#BP', rip=0x10002)
    yield c
    c = m.Case('int3_after_work', 'mov eax, 5; add eax, 6; int3; mov eax, 1')
    c.out.set('eax', 11)
    c.set_flags(m.add_flags(5, 6, 0, 32)[1])
    c.fault('#BP', rip=0x10009)
    yield c


def page_faults():
    # Only addresses unmapped in every oracle: orcvm may map more code pages than one.
    for address in (UNMAPPED, FAR_UNMAPPED, m.DATA_END):
        c = m.Case(f'read_unmapped_{address:#x}', f'mov rax, qword ptr [rbx]', regs={'rbx': address})
        c.fault('#PF(4)')
        yield c
        c = m.Case(f'write_unmapped_{address:#x}', f'mov qword ptr [rbx], rax', regs={'rbx': address, 'rax': 1})
        c.fault('#PF(6)')
        yield c
    c = m.Case('read_modify_write_unmapped', 'add dword ptr [rbx], 1', regs={'rbx': UNMAPPED})
    c.fault('#PF(6)')
    yield c
    c = m.Case('fetch_unmapped', 'jmp rbx', regs={'rbx': FAR_UNMAPPED})
    c.fault('#PF(0x14)', rip=FAR_UNMAPPED)
    yield c
    c = m.Case('read_straddles_window_end', 'mov rax, qword ptr [rbx]', regs={'rbx': m.DATA_END - 4},
               mem={m.DATA_END - 4: b'\x11\x22\x33\x44'})
    c.fault('#PF(4)')
    yield c
    c = m.Case('write_straddles_window_end_stores_nothing', 'mov qword ptr [rbx], rax',
               regs={'rbx': m.DATA_END - 4, 'rax': m.mask(64)}, mem={m.DATA_END - 4: b'\x11\x22\x33\x44'})
    c.fault('#PF(6)')
    yield c
    c = m.Case('push_to_unmapped_stack', 'push rax', regs={'rsp': UNMAPPED + 8, 'rax': 5})
    c.fault('#PF(6)')
    yield c
    c = m.Case('pop_above_window', 'pop rax', regs={'rax': 5})
    c.fault('#PF(4)')
    yield c
    c = m.Case('call_with_unmapped_stack', 'call 1f; 1:', regs={'rsp': UNMAPPED + 8})
    c.fault('#PF(6)')
    yield c
    # A fault in the middle of REP MOVSB: the completed iterations have happened.
    c = m.Case('rep_movsb_faults_midway', 'rep movsb', regs={'rsi': 0x20100, 'rdi': m.DATA_END - 2, 'rcx': 5},
               mem={0x20100: b'\x01\x02\x03\x04\x05', m.DATA_END - 4: b'\xee' * 4})
    c.out.write(m.DATA_END - 2, 2, 0x0201)
    c.out.regs.update(rsi=0x20102, rdi=m.DATA_END, rcx=3)
    c.fault('#PF(6)')
    yield c
    c = m.Case('faulting_second_instruction_keeps_first', 'mov eax, 7; mov rbx, qword ptr [rcx]', regs={'rcx': UNMAPPED})
    c.out.set('eax', 7)
    c.fault('#PF(4)', rip=0x10005)
    yield c


def noncanonical():
    for address in NONCANONICAL:
        c = m.Case(f'read_noncanonical_{address:#x}', 'mov rax, qword ptr [rbx]', regs={'rbx': address})
        c.fault('#GP(0)')
        yield c
    c = m.Case('write_noncanonical', 'mov byte ptr [rdi + 8], al', regs={'rdi': NONCANONICAL[1] - 8})
    c.fault('#GP(0)')
    yield c
    c = m.Case('noncanonical_by_displacement', 'mov eax, dword ptr [rbx + 0x10]', regs={'rbx': 0x00007ffffffffff8})
    c.fault('#GP(0)')
    yield c
    c = m.Case('stack_read_noncanonical_rsp', 'mov rax, qword ptr [rsp]', regs={'rsp': NONCANONICAL[0]})
    c.fault('#SS(0)')
    yield c
    c = m.Case('stack_read_noncanonical_rbp', 'mov rax, qword ptr [rbp + 8]', regs={'rbp': NONCANONICAL[2]})
    c.fault('#SS(0)')
    yield c
    c = m.Case('push_noncanonical_rsp', 'push rax', regs={'rsp': NONCANONICAL[0]})
    c.fault('#SS(0)')
    yield c
    # A branch to a non-canonical target faults on the branch itself, before it pushes or pops.
    c = m.Case('jmp_noncanonical_target', 'jmp rax', regs={'rax': NONCANONICAL[0]})
    c.fault('#GP(0)')
    yield c
    c = m.Case('call_noncanonical_target', 'call rax', regs={'rax': 0x0000800000000000})
    c.fault('#GP(0)')
    yield c
    c = m.Case('ret_to_noncanonical', 'ret', regs={'rsp': 0x2fff0}, mem={0x2fff0: NONCANONICAL[0].to_bytes(8, 'little')})
    c.fault('#GP(0)')
    yield c
    c = m.Case('rbp_as_index_is_not_a_stack_access', 'mov rax, qword ptr [rbx + rbp]', regs={'rbx': 0, 'rbp': NONCANONICAL[0]})
    c.fault('#GP(0)')
    yield c


def alignment_checks():
    ac = m.DEFAULT_RFLAGS | AC
    c = m.Case('ac_misaligned_dword_read', 'mov eax, dword ptr [rbx]', regs={'rbx': 0x20101}, rflags=ac)
    c.fault('#AC(0)')
    yield c
    c = m.Case('ac_misaligned_word_write', 'mov word ptr [rbx], ax', regs={'rbx': 0x20103}, rflags=ac)
    c.fault('#AC(0)')
    yield c
    c = m.Case('ac_misaligned_qword_push', 'push rax', regs={'rsp': 0x2fff4, 'rax': 1}, rflags=ac)
    c.fault('#AC(0)')
    yield c
    c = m.Case('ac_aligned_qword_is_fine', 'mov rax, qword ptr [rbx]', regs={'rbx': 0x20108}, rflags=ac,
               mem={0x20108: (0x1234).to_bytes(8, 'little')})
    c.out.regs['rax'] = 0x1234
    yield c
    c = m.Case('ac_byte_access_is_fine', 'mov al, byte ptr [rbx]', regs={'rbx': 0x20107}, rflags=ac,
               mem={0x20107: b'\x42'})
    c.out.set('al', 0x42)
    yield c
    c = m.Case('ac_clear_allows_misaligned', 'mov eax, dword ptr [rbx]', regs={'rbx': 0x20101},
               mem={0x20101: b'\x01\x02\x03\x04'})
    c.out.set('eax', 0x04030201)
    yield c


def division_fault_keeps_state():
    c = m.Case('div_by_zero_keeps_every_register', 'div r11', regs=dict(ALL_FILLED, r11=0), rflags=m.rflags_of(CF=1, SF=1))
    c.fault('#DE')
    yield c


def cases():
    yield from no_ops()
    yield from invalid_and_privileged()
    yield from breakpoints()
    yield from page_faults()
    yield from noncanonical()
    yield from alignment_checks()
    yield from division_fault_keeps_state()
