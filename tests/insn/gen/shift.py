"""SHL SHR SAR ROL ROR RCL RCR SHLD SHRD, following the SDM's pseudocode:
- the count is masked to 5 bits (6 with REX.W); a masked count of 0 changes nothing,
  not even the flags;
- 8/16-bit ROL/ROR rotate modulo the width, RCL/RCR modulo 9/17;
- OF is defined only for a masked count of 1; AF is undefined after a nonzero shift
  (rotates leave SF ZF AF PF alone); SHL/SHR leave CF undefined when the count is at
  least the width (possible only at 8/16 bits);
- SHLD/SHRD with a 16-bit count above 16 leave the result and all flags undefined."""

import model as m
from operands import WIDTHS, PTR, regs_with

FILE = 'shift'
TITLE = 'SHL SHR SAR ROL ROR RCL RCR SHLD SHRD'

COUNTS = {8: [0, 1, 2, 7, 8, 9, 16, 17, 31, 32, 33], 16: [0, 1, 2, 15, 16, 17, 31, 32, 33],
          32: [0, 1, 2, 31, 32, 33, 63], 64: [0, 1, 2, 63, 64, 65, 127]}
SAMPLES = {8: [0x81, 0x5a], 16: [0x8001, 0x1234], 32: [0x80000001, 0x12345678],
           64: [0x8000000000000001, 0x0123456789abcdef]}
# Non-default status flags before the shift, so "unaffected" is observable.
BEFORE = m.rflags_of(PF=1, AF=1, ZF=1, SF=1)


def shift(op, w, a, count, cf):
    """(result, flags written, undefined flags) per the SDM pseudocode."""
    c = count & (63 if w == 64 else 31)
    if c == 0:
        return a, {}, set()
    M = m.mask(w)
    if op in ('shl', 'shr', 'sar'):
        if op == 'shl':
            res = (a << c) & M
            carry = (a >> (w - c)) & 1 if c <= w else 0
            overflow = m.msb(res, w) ^ carry
        elif op == 'shr':
            res = a >> c
            carry = (a >> (c - 1)) & 1 if c <= w else 0
            overflow = m.msb(a, w)
        else:
            res = (m.signed(a, w) >> c) & M
            carry = (m.signed(a, w) >> (c - 1)) & 1
            overflow = 0
        flags = dict(m.szp(res, w), CF=carry, OF=overflow)
        undefined = {'AF'} | ({'OF'} if c != 1 else set()) | ({'CF'} if op != 'sar' and c >= w else set())
        return res, flags, undefined
    if op in ('rol', 'ror'):
        r = c % w
        res = ((a << r) | (a >> (w - r))) & M if op == 'rol' else ((a >> r) | (a << (w - r))) & M
        if op == 'rol':
            carry = res & 1
            overflow = m.msb(res, w) ^ carry
        else:
            carry = m.msb(res, w)
            overflow = m.msb(res, w) ^ ((res >> (w - 2)) & 1)
        return res, {'CF': carry, 'OF': overflow}, set() if c == 1 else {'OF'}
    # RCL/RCR rotate the (w+1)-bit value CF:a.
    r = c % (w + 1) if w in (8, 16) else c
    wide = (cf << w) | a
    if op == 'rcl':
        wide = ((wide << r) | (wide >> (w + 1 - r))) & m.mask(w + 1)
    else:
        wide = ((wide >> r) | (wide << (w + 1 - r))) & m.mask(w + 1)
    res, carry = wide & M, wide >> w
    overflow = m.msb(res, w) ^ carry if op == 'rcl' else m.msb(a, w) ^ cf
    return res, {'CF': carry, 'OF': overflow}, set() if c == 1 else {'OF'}


def double_shift(op, w, a, b, count):
    """SHLD/SHRD: (result or None if undefined, flags, undefined flags)."""
    c = count & (63 if w == 64 else 31)
    if c == 0:
        return a, {}, set()
    if c > w:
        return None, {}, set(m.STATUS)
    M = m.mask(w)
    if op == 'shld':
        res = ((a << c) | (b >> (w - c))) & M
        carry = (a >> (w - c)) & 1
    else:
        res = ((a >> c) | (b << (w - c))) & M
        carry = (a >> (c - 1)) & 1
    flags = dict(m.szp(res, w), CF=carry, OF=m.msb(res, w) ^ m.msb(a, w))
    return res, flags, {'AF'} | (set() if c == 1 else {'OF'})


REGS = {8: ['al', 'bh', 'r9b', 'dil'], 16: ['ax', 'r12w', 'si', 'dx'], 32: ['eax', 'r10d', 'edi', 'ebx'],
        64: ['rax', 'r11', 'rdi', 'rbx']}


def count_operand(count, i):
    """The count as an immediate (llvm-mc picks the D0/D1 "by 1" encoding for 1) or in
    CL, with junk above CL that must be ignored."""
    if i % 2 == 0:
        return 'imm', str(count), {}
    return 'cl', 'cl', {'rcx': 0xff00 | count}


def single_shifts():
    for op in ('shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'):
        for w in WIDTHS:
            for i, count in enumerate(COUNTS[w]):
                for j, a in enumerate(SAMPLES[w]):
                    cf = (i + j) % 2
                    reg = REGS[w][(i + j) % 4]
                    form, operand, extra = count_operand(count, i + j)
                    c = m.Case(f'{op}{w}_{form}_{count}_{m.vname(a, w)}', f'{op} {reg}, {operand}',
                               regs=regs_with((reg, a), *extra.items()), rflags=BEFORE | cf)
                    res, flags, undefined = shift(op, w, a, count, cf)
                    c.out.set(reg, res)
                    c.set_flags(flags, undefined)
                    yield c


def imm8_count_of_one():
    """C0/C1 with an explicit imm8 of 1 (assemblers prefer D0/D1): OF is defined too."""
    for op, reg_field in (('rol', 0), ('ror', 1), ('rcl', 2), ('rcr', 3), ('shl', 4), ('shr', 5), ('sar', 7)):
        for w, prefix, opcode, reg, a in ((8, [], 0xc0, 'bl', 0xc1), (32, [], 0xc1, 'ebx', 0x40000001),
                                          (64, [0x48], 0xc1, 'rbx', 0x4000000000000001)):
            code = prefix + [opcode, 0xc0 | (reg_field << 3) | 3, 1]
            c = m.Case(f'{op}{w}_imm8_1', '.byte ' + ', '.join(hex(b) for b in code), show=f'{op} {reg}, imm8 1',
                       regs=regs_with((reg, a)), rflags=BEFORE | 1)
            res, flags, undefined = shift(op, w, a, 1, 1)
            c.out.set(reg, res)
            c.set_flags(flags, undefined)
            yield c


def memory_shifts():
    for op in ('shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'):
        for w in WIDTHS:
            a = SAMPLES[w][0]
            for count, operand in ((1, '1'), (3, '3'), (w - 1, 'cl')):
                c = m.Case(f'{op}{w}_mem_{count}', f'{op} {PTR[w]} ptr [rsi + 0x10], {operand}',
                           regs={'rsi': 0x20500, 'rcx': w - 1}, mem={0x20510: a.to_bytes(w // 8, 'little')},
                           rflags=m.rflags_of(CF=1))
                res, flags, undefined = shift(op, w, a, count, 1)
                c.out.write(0x20510, w // 8, res)
                c.set_flags(flags, undefined)
                yield c


DOUBLE_COUNTS = {16: [0, 1, 4, 15, 16, 17, 31, 32], 32: [0, 1, 4, 31, 32, 33], 64: [0, 1, 4, 63, 64, 65]}
DOUBLE_SAMPLES = {16: (0x8421, 0xf00f), 32: (0x80000001, 0x0f0f0f0f), 64: (0x8000000000000001, 0xfedcba9876543210)}


def double_shifts():
    for op in ('shld', 'shrd'):
        for w in (16, 32, 64):
            dst, src = {16: ('ax', 'bx'), 32: ('r8d', 'ecx'), 64: ('rdx', 'r15')}[w]
            a, b = DOUBLE_SAMPLES[w]
            for i, count in enumerate(DOUBLE_COUNTS[w]):
                by_cl = i % 2 == 1 and src != 'ecx'
                operand = 'cl' if by_cl else str(count)
                assignments = [(dst, a), (src, b)] + ([('rcx', 0x100 | count)] if by_cl else [])
                c = m.Case(f'{op}{w}_{"cl" if by_cl else "imm"}_{count}', f'{op} {dst}, {src}, {operand}',
                           regs=regs_with(*assignments), rflags=BEFORE)
                res, flags, undefined = double_shift(op, w, a, b, count)
                if res is None:
                    c.undefined_registers.add(m.REGS[dst][0])
                else:
                    c.out.set(dst, res)
                c.set_flags(flags, undefined)
                yield c
            c = m.Case(f'{op}{w}_mem', f'{op} {PTR[w]} ptr [rdi], {src}, 5', regs=regs_with(('rdi', 0x20600), (src, b)),
                       mem={0x20600: a.to_bytes(w // 8, 'little')})
            res, flags, undefined = double_shift(op, w, a, b, 5)
            c.out.write(0x20600, w // 8, res)
            c.set_flags(flags, undefined)
            yield c


def cases():
    yield from single_shifts()
    yield from imm8_count_of_one()
    yield from memory_shifts()
    yield from double_shifts()
