"""AND OR XOR TEST NOT. AND/OR/XOR/TEST clear CF and OF, set SF ZF PF from the result
and leave AF undefined; NOT changes no flags."""

import model as m
from operands import WIDTHS, PTR, pair, regs_with, imm_text

FILE = 'logic'
TITLE = 'AND OR XOR TEST NOT'

OPS = {'and': lambda a, b: a & b, 'or': lambda a, b: a | b, 'xor': lambda a, b: a ^ b, 'test': lambda a, b: a & b}
ALL_SET = m.rflags_of(CF=1, PF=1, AF=1, ZF=1, SF=1, OF=1)


def value_pairs(w):
    M = m.mask(w)
    alternating = int('55' * (w // 8), 16)
    return [(0, 0), (M, M), (M, alternating), (alternating, M ^ alternating), (1 << (w - 1), M), (0x0f, 0xf1),
            (M ^ 1, 1)]


def logic_case(name, asm, op, w, a, b, rflags, regs=None, mem=None, dst=None, dst_mem=None):
    c = m.Case(name, asm, regs=regs, rflags=rflags, mem=mem)
    res = OPS[op](a, b) & m.mask(w)
    if op != 'test':
        if dst:
            c.out.set(dst, res)
        else:
            c.out.write(dst_mem, w // 8, res)
    c.set_flags(m.logic_flags(res, w), undefined={'AF'})
    return c


def register_forms():
    for op in OPS:
        for w in WIDTHS:
            for i, (a, b) in enumerate(value_pairs(w)):
                dst, src = pair(w, i)
                yield logic_case(f'{op}{w}_rr_{m.vname(a, w)}_{m.vname(b, w)}', f'{op} {dst}, {src}', op, w, a, b,
                                 ALL_SET if i % 2 else m.DEFAULT_RFLAGS, regs=regs_with((dst, a), (src, b)), dst=dst)


def same_register_forms():
    # XOR r32, r32 is the zeroing idiom: it must still clear the upper half.
    for op in OPS:
        for w, reg in ((64, 'rsi'), (32, 'eax'), (16, 'r10w'), (8, 'bh')):
            a = {64: 0x8000000000000001, 32: 0x80000001, 16: 0x8001, 8: 0x81}[w]
            yield logic_case(f'{op}{w}_same_{reg}', f'{op} {reg}, {reg}', op, w, a, a, ALL_SET,
                             regs=regs_with((reg, a)), dst=reg)


IMMEDIATE_FORMS = [(8, 'al', 0xf0, 0x3c), (8, 'dh', 0x81, -1), (16, 'ax', 0xff00, 0x0ff0), (16, 'r8w', 0x1234, 0x7f),
                   (32, 'eax', 0xdeadbeef, 0x0000ffff), (32, 'ecx', 0x80000000, -0x80000000), (32, 'r13d', 1, 0x40),
                   (64, 'rax', 0xffffffff00000000, -1), (64, 'rbx', 0x123456789abcdef0, 0x7fffffff),
                   (64, 'r9', 0x8000000000000000, -0x80000000), (64, 'r14', 0x00ff00ff00ff00ff, 0x7f)]


def immediate_forms():
    for op in OPS:
        for w, dst, a, imm in IMMEDIATE_FORMS:
            b = imm & m.mask(w)
            yield logic_case(f'{op}{w}_ri_{dst}_{m.vname(a, w)}_{m.vname(b, w)}', f'{op} {dst}, {imm_text(imm)}',
                             op, w, a, b, m.DEFAULT_RFLAGS, regs=regs_with((dst, a)), dst=dst)


def memory_forms():
    address = 0x20400
    for op in OPS:
        for w in WIDTHS:
            size = w // 8
            a, b = int('c3' * size, 16), int('5a' * size, 16)
            reg = {8: 'r11b', 16: 'r11w', 32: 'r11d', 64: 'r11'}[w]
            mem = {address: a.to_bytes(size, 'little')}
            yield logic_case(f'{op}{w}_mr', f'{op} {PTR[w]} ptr [rdx + rcx*2], {reg}', op, w, a, b, ALL_SET,
                             regs=regs_with(('rdx', address - 0x20), ('rcx', 0x10), (reg, b)), mem=mem, dst_mem=address)
            if op != 'test':  # TEST has no r, r/m form distinct from r/m, r
                yield logic_case(f'{op}{w}_rm', f'{op} {reg}, {PTR[w]} ptr [rdx + 0x20]', op, w, b, a,
                                 m.DEFAULT_RFLAGS, regs=regs_with(('rdx', address - 0x20), (reg, b)), mem=mem, dst=reg)
            yield logic_case(f'{op}{w}_mi', f'{op} {PTR[w]} ptr [{address:#x}], 0x70', op, w, a, 0x70,
                             m.DEFAULT_RFLAGS, mem=mem, dst_mem=address)
        if op != 'test':
            yield logic_case(f'lock_{op}64_mr', f'lock {op} qword ptr [rdx], rax', op, 64, 0xff00ff00ff00ff00,
                             0x0ff00ff00ff00ff0, m.DEFAULT_RFLAGS, regs={'rdx': address, 'rax': 0x0ff00ff00ff00ff0},
                             mem={address: (0xff00ff00ff00ff00).to_bytes(8, 'little')}, dst_mem=address)


def not_forms():
    for w in WIDTHS:
        M = m.mask(w)
        for i, a in enumerate((0, M, 1 << (w - 1), int('5a' * (w // 8), 16))):
            reg = pair(w, i)[0]
            c = m.Case(f'not{w}_{reg}_{m.vname(a, w)}', f'not {reg}', regs=regs_with((reg, a)),
                       rflags=ALL_SET if i % 2 else m.DEFAULT_RFLAGS)
            c.out.set(reg, ~a)
            yield c
        c = m.Case(f'not{w}_mem', f'not {PTR[w]} ptr [rbx]', regs={'rbx': 0x20400},
                   mem={0x20400: (0x0f).to_bytes(w // 8, 'little')})
        c.out.write(0x20400, w // 8, ~0x0f)
        yield c
    c = m.Case('lock_not64_mem', 'lock not qword ptr [rbx]', regs={'rbx': 0x20400},
               mem={0x20400: (0x0f).to_bytes(8, 'little')})
    c.out.write(0x20400, 8, ~0x0f)
    yield c


def cases():
    yield from register_forms()
    yield from same_register_forms()
    yield from immediate_forms()
    yield from memory_forms()
    yield from not_forms()
