"""ADD ADC SUB SBB CMP INC DEC NEG: every width, register/immediate/memory forms, and
operands at the carry, overflow and auxiliary-carry boundaries. All six status flags
are defined for these instructions (INC/DEC leave CF alone)."""

import model as m
from operands import WIDTHS, PTR, pair, boundary_pairs, boundary_values, regs_with, imm_text

FILE = 'arith'
TITLE = 'ADD ADC SUB SBB CMP INC DEC NEG'

ALL_SET = m.rflags_of(CF=1, PF=1, AF=1, ZF=1, SF=1, OF=1)


def apply(op, a, b, carry, w):
    """(result or None for CMP, flags)"""
    if op == 'add':
        return m.add_flags(a, b, 0, w)
    if op == 'adc':
        return m.add_flags(a, b, carry, w)
    if op == 'sbb':
        return m.sub_flags(a, b, carry, w)
    res, f = m.sub_flags(a, b, 0, w)
    return (None if op == 'cmp' else res), f


def binary_case(name, asm, op, w, a, b, rflags, regs=None, mem=None, dst=None, dst_mem=None):
    c = m.Case(name, asm, regs=regs, rflags=rflags, mem=mem)
    res, f = apply(op, a, b, (rflags & 1), w)
    if res is not None:
        if dst:
            c.out.set(dst, res)
        else:
            c.out.write(dst_mem, w // 8, res)
    c.set_flags(f)
    return c


def register_forms():
    for op in ('add', 'adc', 'sub', 'sbb', 'cmp'):
        for w in WIDTHS:
            for i, (a, b) in enumerate(boundary_pairs(w)):
                carries = (0, 1) if op in ('adc', 'sbb') else (i % 2,)
                for carry in carries:
                    dst, src = pair(w, i)
                    # Flags start at the opposite of "all clear" every other case, so a
                    # flag the instruction forgets to write shows.
                    rflags = (ALL_SET if i % 2 else m.DEFAULT_RFLAGS) & ~1 | carry
                    suffix = f'_cf{carry}' if op in ('adc', 'sbb') else ''
                    yield binary_case(f'{op}{w}_rr_{m.vname(a, w)}_{m.vname(b, w)}{suffix}', f'{op} {dst}, {src}',
                                      op, w, a, b, rflags, regs=regs_with((dst, a), (src, b)), dst=dst)


def same_register_forms():
    for op in ('add', 'adc', 'sub', 'sbb', 'cmp'):
        for w, reg, a in ((64, 'r13', 0x8000000000000001), (32, 'edx', 0x80000000), (16, 'di', 0x8000), (8, 'ah', 0x88)):
            yield binary_case(f'{op}{w}_same_{reg}', f'{op} {reg}, {reg}', op, w, a, a, m.rflags_of(CF=1),
                              regs=regs_with((reg, a)), dst=reg)


# (width, destination, a, immediate): the immediate's size picks the encoding
# (accumulator short forms, sign-extended imm8, imm16/imm32).
IMMEDIATE_FORMS = [
    (8, 'al', 0x7f, 1), (8, 'al', 0x80, -1), (8, 'bh', 0x10, 0x7f), (8, 'r10b', 0xff, 0x80),
    (16, 'ax', 0x7fff, 0x1234), (16, 'cx', 0x8000, -1), (16, 'r9w', 0xffff, 0x7f), (16, 'si', 0x0001, -0x8000),
    (32, 'eax', 0x7fffffff, 0x1000), (32, 'ebx', 0x80000000, -1), (32, 'r11d', 0xffffffff, 0x7f),
    (32, 'edi', 0x12345678, -0x80000000),
    (64, 'rax', 0x7fffffffffffffff, 1), (64, 'rax', 0x8000000000000000, -0x80000000),
    (64, 'rdx', 0xffffffff, 0x7fffffff), (64, 'r12', 0, -1), (64, 'r15', 0x7fffffff, 1),
]


def immediate_forms():
    for op in ('add', 'adc', 'sub', 'sbb', 'cmp'):
        for i, (w, dst, a, imm) in enumerate(IMMEDIATE_FORMS):
            carry = i % 2
            b = imm & m.mask(w)
            yield binary_case(f'{op}{w}_ri_{dst}_{m.vname(a, w)}_{m.vname(b, w)}', f'{op} {dst}, {imm_text(imm)}',
                              op, w, a, b, m.rflags_of(CF=carry), regs=regs_with((dst, a)), dst=dst)


def memory_forms():
    base = 0x20100
    for op in ('add', 'adc', 'sub', 'sbb', 'cmp'):
        for w in WIDTHS:
            size = w // 8
            M = m.mask(w)
            a, b = M, 1  # wraps to zero with a carry out
            mem = {base + 8: (a).to_bytes(size, 'little')}
            src = {8: 'cl', 16: 'cx', 32: 'ecx', 64: 'rcx'}[w]
            yield binary_case(f'{op}{w}_mr', f'{op} {PTR[w]} ptr [rbx + 8], {src}', op, w, a, b, m.rflags_of(CF=1),
                              regs=regs_with(('rbx', base), (src, b)), mem=mem, dst_mem=base + 8)
            a, b = 1 << (w - 1), 1  # signed overflow for SUB/CMP
            mem = {base: (b).to_bytes(size, 'little')}
            dst = {8: 'dl', 16: 'dx', 32: 'edx', 64: 'rdx'}[w]
            yield binary_case(f'{op}{w}_rm', f'{op} {dst}, {PTR[w]} ptr [rsi]', op, w, a, b, m.DEFAULT_RFLAGS,
                              regs=regs_with(('rsi', base), (dst, a)), mem=mem, dst=dst)
            a = 0x0f
            mem = {base + 0x20: (a).to_bytes(size, 'little')}
            yield binary_case(f'{op}{w}_mi', f'{op} {PTR[w]} ptr [0x20120], 1', op, w, a, 1, m.rflags_of(CF=1),
                              mem=mem, dst_mem=base + 0x20)
        c = binary_case(f'{op}64_rm_rip_relative', f'{op} rax, qword ptr [rip + 0xfff9]', op, 64, 5, 7,
                        m.DEFAULT_RFLAGS, regs={'rax': 5}, mem={0x20000: (7).to_bytes(8, 'little')}, dst='rax')
        assert c.end == 0x10007, 'the displacement assumes a 7-byte instruction reaching 0x20000'
        yield c


def inc_dec_neg():
    for op in ('inc', 'dec', 'neg'):
        for w in WIDTHS:
            for i, a in enumerate(boundary_values(w)):
                reg = pair(w, i)[i % 2]
                carry = (i + 1) % 2
                c = m.Case(f'{op}{w}_{reg}_{m.vname(a, w)}', f'{op} {reg}', regs=regs_with((reg, a)),
                           rflags=m.rflags_of(CF=carry))
                if op == 'neg':
                    res, f = m.sub_flags(0, a, 0, w)
                else:
                    res, f = (m.add_flags if op == 'inc' else m.sub_flags)(a, 1, 0, w)
                    del f['CF']
                c.out.set(reg, res)
                c.set_flags(f)
                yield c
        for w in WIDTHS:
            a = m.mask(w) >> 1 if op != 'dec' else 1 << (w - 1)
            c = m.Case(f'{op}{w}_mem', f'{op} {PTR[w]} ptr [rdi + 0x40]', regs={'rdi': 0x20200},
                       mem={0x20240: a.to_bytes(w // 8, 'little')}, rflags=m.rflags_of(CF=1))
            if op == 'neg':
                res, f = m.sub_flags(0, a, 0, w)
            else:
                res, f = (m.add_flags if op == 'inc' else m.sub_flags)(a, 1, 0, w)
                del f['CF']
            c.out.write(0x20240, w // 8, res)
            c.set_flags(f)
            yield c


def locked_forms():
    for op in ('add', 'adc', 'sub', 'sbb'):
        a, b = 0xfffffffffffffffe, 3
        c = binary_case(f'lock_{op}64_mr', f'lock {op} qword ptr [rbx], rax', op, 64, a, b, m.rflags_of(CF=1),
                        regs={'rbx': 0x20300, 'rax': b}, mem={0x20300: a.to_bytes(8, 'little')}, dst_mem=0x20300)
        yield c
    for op in ('inc', 'dec', 'neg'):
        c = m.Case(f'lock_{op}32_m', f'lock {op} dword ptr [rbx]', regs={'rbx': 0x20300},
                   mem={0x20300: (0x7fffffff).to_bytes(4, 'little')})
        if op == 'neg':
            res, f = m.sub_flags(0, 0x7fffffff, 0, 32)
        else:
            res, f = (m.add_flags if op == 'inc' else m.sub_flags)(0x7fffffff, 1, 0, 32)
            del f['CF']
        c.out.write(0x20300, 4, res)
        c.set_flags(f)
        yield c
    c = m.Case('lock_add32_register_destination', '.byte 0xf0, 0x01, 0xd8', show='lock add eax, ebx',
               regs={'rax': 1, 'rbx': 2})
    c.fault('#UD')
    yield c


def cases():
    yield from register_forms()
    yield from same_register_forms()
    yield from immediate_forms()
    yield from memory_forms()
    yield from inc_dec_neg()
    yield from locked_forms()
