"""PUSH POP (register, memory, immediate, 16-bit with 0x66), PUSHFQ POPFQ, ENTER LEAVE.
- PUSH RSP pushes the value RSP had before the push; POP RSP loads RSP from the stack;
- POP into memory addressed through RSP uses RSP after the pop;
- PUSH imm8/imm32 pushes the immediate sign-extended to 64 bits (2 bytes with 0x66);
- PUSHFQ stores RFLAGS with RF and VM clear;
- POPFQ at CPL 3 with IOPL 0 changes the status flags, DF, TF, NT, AC, ID, leaves IF,
  IOPL, VIF, VIP and VM unchanged, and clears RF (cases never pop TF=1, which would
  trap after the next instruction);
- ENTER size, level: level modulo 32; push RBP; with level L > 0 copy L-1 frame pointers from the old
  frame and push the new one; RBP = the frame; RSP -= size. LEAVE: RSP = RBP; pop RBP."""

import model as m

FILE = 'stack'
TITLE = 'PUSH POP PUSHFQ POPFQ ENTER LEAVE'

VALUE = 0x8877665544332211
SOME_FLAGS = m.rflags_of(CF=1, ZF=1, SF=1)


def push_pop():
    for reg in ('rax', 'rbx', 'rbp', 'r8', 'r15'):
        c = m.Case(f'push_{reg}', f'push {reg}', regs={reg: VALUE}, rflags=SOME_FLAGS)
        c.out.push(VALUE)
        yield c
        c = m.Case(f'pop_{reg}', f'pop {reg}', regs={reg: 0x1234, 'rsp': 0x2fff0}, mem={0x2fff0: VALUE.to_bytes(8, 'little')})
        c.out.regs[reg] = c.out.pop()
        yield c
    c = m.Case('push_rsp_pushes_old_value', 'push rsp', rflags=SOME_FLAGS)
    c.out.push(m.STACK_TOP)
    yield c
    c = m.Case('pop_rsp_loads_rsp', 'pop rsp', regs={'rsp': 0x2fff0}, mem={0x2fff0: (0x2ff00).to_bytes(8, 'little')})
    c.out.regs['rsp'] = 0x2ff00
    yield c
    for imm, pushed in ((0x7f, 0x7f), (-1, m.mask(64)), (-0x80, m.mask(64) - 0x7f), (0x80, 0x80),
                        (0x7fffffff, 0x7fffffff), (-0x80000000, 0xffffffff80000000)):
        text = hex(imm) if imm >= 0 else '-' + hex(-imm)
        c = m.Case(f'push_imm_{m.vname(pushed, 64)}', f'push {text}')
        c.out.push(pushed)
        yield c
    c = m.Case('push_mem', 'push qword ptr [rbx + 8]', regs={'rbx': 0x20f00}, mem={0x20f08: VALUE.to_bytes(8, 'little')})
    c.out.push(VALUE)
    yield c
    c = m.Case('pop_mem', 'pop qword ptr [rbx]', regs={'rbx': 0x20f00, 'rsp': 0x2fff0},
               mem={0x2fff0: VALUE.to_bytes(8, 'little'), 0x20f00: bytes(8)})
    c.out.write(0x20f00, 8, c.out.pop())
    yield c
    # The address is computed with RSP already incremented.
    c = m.Case('pop_mem_rsp_based', 'pop qword ptr [rsp]', regs={'rsp': 0x2ffe0},
               mem={0x2ffe0: VALUE.to_bytes(8, 'little') + (0x1111).to_bytes(8, 'little')})
    c.out.write(c.out.regs['rsp'] + 8, 8, c.out.pop())
    yield c
    c = m.Case('pop_mem_rsp_based_disp', 'pop qword ptr [rsp + 8]', regs={'rsp': 0x2ffe0},
               mem={0x2ffe0: VALUE.to_bytes(8, 'little') + bytes(24)})
    c.out.write(c.out.regs['rsp'] + 16, 8, c.out.pop())
    yield c
    c = m.Case('push_mem_rsp_based', 'push qword ptr [rsp]', regs={'rsp': 0x2fff0}, mem={0x2fff0: VALUE.to_bytes(8, 'little')})
    c.out.push(VALUE)
    yield c


def push_pop_16():
    c = m.Case('push16_ax', 'push ax', regs={'rax': VALUE})
    c.out.push(VALUE, 2)
    yield c
    c = m.Case('push16_r9w', 'push r9w', regs={'r9': VALUE})
    c.out.push(VALUE, 2)
    yield c
    c = m.Case('pop16_bx_merges', 'pop bx', regs={'rbx': VALUE, 'rsp': 0x2fff0}, mem={0x2fff0: (0xbeef).to_bytes(2, 'little')})
    c.out.set('bx', c.out.pop(2))
    yield c
    c = m.Case('push16_imm16', '.byte 0x66, 0x68, 0x34, 0x12', show='push word 0x1234')
    c.out.push(0x1234, 2)
    yield c
    c = m.Case('push16_imm8_sign_extended', '.byte 0x66, 0x6a, 0x80', show='push word -0x80')
    c.out.push(0xff80, 2)
    yield c
    c = m.Case('push16_mem', 'push word ptr [rbx]', regs={'rbx': 0x20f00}, mem={0x20f00: (0xcafe).to_bytes(2, 'little')})
    c.out.push(0xcafe, 2)
    yield c
    c = m.Case('pop16_mem_rsp_based', 'pop word ptr [rsp]', regs={'rsp': 0x2fff0},
               mem={0x2fff0: (0x1234).to_bytes(2, 'little') + bytes(6)})
    c.out.write(0x2fff2, 2, c.out.pop(2))
    yield c
    c = m.Case('push_pop_sequence', 'push rax; push rbx; pop rcx; pop rdx', regs={'rax': 1, 'rbx': 2})
    c.out.push(1)
    c.out.push(2)
    c.out.regs['rcx'] = c.out.pop()
    c.out.regs['rdx'] = c.out.pop()
    yield c


def pushf_popf():
    for name, flags in (('default', m.DEFAULT_RFLAGS), ('status', m.rflags_of(CF=1, PF=1, AF=1, ZF=1, SF=1, OF=1)),
                        ('df_ac', m.DEFAULT_RFLAGS | 1 << m.FLAG_BITS['DF'] | 1 << m.FLAG_BITS['AC']),
                        ('mixed', m.rflags_of(CF=1, SF=1, OF=1))):
        c = m.Case(f'pushfq_{name}', 'pushfq', rflags=flags)
        c.out.push(flags)
        yield c
    c = m.Case('pushf16', '.byte 0x66, 0x9c', show='pushfw', rflags=m.rflags_of(CF=1, OF=1))
    c.out.push(m.rflags_of(CF=1, OF=1), 2)
    yield c
    df, ac, nt, id_ = (1 << m.FLAG_BITS[f] for f in ('DF', 'AC', 'NT', 'ID'))
    cases = [
        ('popfq_status', m.rflags_of(CF=1, PF=1, AF=1, ZF=1, SF=1, OF=1), m.rflags_of(CF=1, PF=1, AF=1, ZF=1, SF=1, OF=1)),
        ('popfq_clears_status', 0x2, m.DEFAULT_RFLAGS),
        ('popfq_df_ac', df | ac | 0x2, m.DEFAULT_RFLAGS | df | ac),
        ('popfq_if_clear_is_ignored', 0x0, m.DEFAULT_RFLAGS),
        ('popfq_iopl_is_ignored', 0x3202, m.DEFAULT_RFLAGS),
        ('popfq_vif_vip_vm_rf_are_ignored', 0x1b0202, m.DEFAULT_RFLAGS),
        ('popfq_reserved_bits_are_ignored', 0xffffffffffc0802a, m.DEFAULT_RFLAGS),
        ('popfq_sets_nt', nt | 0x202, m.DEFAULT_RFLAGS | nt),
        ('popfq_sets_id', id_ | 0x202, m.DEFAULT_RFLAGS | id_),
        ('popfq_everything_but_tf', 0xfffffffffffffeff, m.DEFAULT_RFLAGS | 0xcd5 | nt | ac | id_),
    ]
    for name, popped, result in cases:
        c = m.Case(name, 'popfq', regs={'rsp': 0x2fff0}, mem={0x2fff0: popped.to_bytes(8, 'little')},
                   rflags=m.rflags_of(CF=1) if name == 'popfq_clears_status' else m.DEFAULT_RFLAGS)
        c.out.pop()
        c.out.rflags = result
        c.assert_whole_rflags = True
        yield c
    c = m.Case('popf16_merges_low_half', '.byte 0x66, 0x9d', show='popfw', regs={'rsp': 0x2fff0}, mem={0x2fff0: (0x08d5).to_bytes(2, 'little')},
               rflags=m.DEFAULT_RFLAGS | ac)
    c.out.pop(2)
    c.out.rflags = m.DEFAULT_RFLAGS | ac | 0x8d5
    c.assert_whole_rflags = True
    yield c
    c = m.Case('pushfq_popfq_round_trip', 'pushfq; pop rax; xor rax, 0x401; push rax; popfq',
               rflags=m.rflags_of(ZF=1, SF=1))
    c.out.push(c.input.rflags)
    c.out.regs['rax'] = c.out.pop() ^ 0x401
    c.out.push(c.out.regs['rax'])
    c.out.rflags = c.out.pop()
    yield c


def enter_case(size, level_operand, rbp=0x2ff80):
    """ENTER as the SDM's 64-bit pseudocode does it; the level is taken modulo 32."""
    level = level_operand % 32
    frame_chain = {rbp - 8 * i: (0x1000 * i + 0x11).to_bytes(8, 'little') for i in range(1, level)}
    c = m.Case(f'enter_{size:#x}_level{level_operand}', f'enter {size:#x}, {level_operand}', regs={'rbp': rbp, 'rsp': 0x2ffc0},
               mem=frame_chain)
    s = c.out
    s.push(s.regs['rbp'])
    frame = s.regs['rsp']
    if level > 0:
        for _ in range(1, level):
            s.regs['rbp'] -= 8
            s.push(s.read(s.regs['rbp'], 8))
        s.push(frame)
    s.regs['rbp'] = frame
    s.regs['rsp'] = (s.regs['rsp'] - size) & m.mask(64)
    return c


def enter_leave():
    for size, level in ((0, 0), (0x20, 0), (0x10, 1), (8, 3), (0x100, 2), (0x18, 33)):
        yield enter_case(size, level)
    c = m.Case('leave', 'leave', regs={'rbp': 0x2ffa0, 'rsp': 0x2ff00}, mem={0x2ffa0: (0x2ffe0).to_bytes(8, 'little')})
    c.out.regs['rsp'] = 0x2ffa8
    c.out.regs['rbp'] = 0x2ffe0
    yield c
    c = m.Case('enter_then_leave', 'enter 0x40, 0; mov qword ptr [rbp - 8], 7; leave', regs={'rbp': 0x12345})
    c.out.push(0x12345)  # enter: push rbp; rbp = rsp; rsp -= 0x40
    frame = c.out.regs['rsp']
    c.out.write(frame - 8, 8, 7)
    c.out.regs['rsp'] = frame  # leave: rsp = rbp; pop rbp
    c.out.regs['rbp'] = c.out.pop()
    yield c


def cases():
    yield from push_pop()
    yield from push_pop_16()
    yield from pushf_popf()
    yield from enter_leave()
