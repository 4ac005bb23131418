"""MUL, IMUL (one, two and three operands), DIV, IDIV at every width.
MUL/IMUL define CF and OF (set when the product does not fit the destination) and
leave SF ZF AF PF undefined. DIV/IDIV leave all six status flags undefined and raise
#DE for a zero divisor or a quotient that does not fit, without changing any register."""

import model as m
from operands import WIDTHS, PTR, ACC, regs_with, imm_text

FILE = 'muldiv'
TITLE = 'MUL IMUL DIV IDIV'

MUL_UNDEFINED = {'SF', 'ZF', 'AF', 'PF'}
ALL_SET = m.rflags_of(CF=1, PF=1, AF=1, ZF=1, SF=1, OF=1)
# Where the double-width product/dividend lives: (low, high) registers, or AX for 8-bit.
WIDE = {8: ('ax', None), 16: ('ax', 'dx'), 32: ('eax', 'edx'), 64: ('rax', 'rdx')}
SOURCES = {8: ['bl', 'ch', 'r10b'], 16: ['bx', 'r9w', 'si'], 32: ['ebx', 'r9d', 'esi'], 64: ['rbx', 'r9', 'rsi']}


def mul_pairs(w):
    M = m.mask(w)
    SMAX, SMIN = M >> 1, 1 << (w - 1)
    return [(0, M), (1, 1), (M, M), (M, 2), (SMAX, 2), (SMIN, SMIN), (SMIN, M), (3, 5), (1 << (w // 2), 1 << (w // 2)),
            (SMAX, SMAX)]


def store_wide(c, w, value):
    low, high = WIDE[w]
    if high is None:
        c.out.set(low, value)
    else:
        c.out.set(low, value)
        c.out.set(high, value >> w)


def one_operand_mul():
    for op in ('mul', 'imul'):
        for w in WIDTHS:
            for i, (a, b) in enumerate(mul_pairs(w)):
                src = SOURCES[w][i % 3]
                acc = ACC[w]
                # RDX holds junk that a 32-bit product must clear and a 8-bit one keep.
                c = m.Case(f'{op}{w}_{src}_{m.vname(a, w)}_{m.vname(b, w)}', f'{op} {src}',
                           regs=regs_with((acc, a), ('rdx', 0x3333333333333333), (src, b)),
                           rflags=ALL_SET if i % 2 else m.DEFAULT_RFLAGS)
                if op == 'mul':
                    product = a * b
                    overflow = int(product >> w != 0)
                else:
                    product = (m.signed(a, w) * m.signed(b, w)) & m.mask(2 * w)
                    overflow = int(m.signed(product, 2 * w) != m.signed(product, w))
                store_wide(c, w, product)
                c.set_flags({'CF': overflow, 'OF': overflow}, MUL_UNDEFINED)
                yield c
        for w in WIDTHS:
            a, b = 0x7f, 0x7f
            c = m.Case(f'{op}{w}_mem', f'{op} {PTR[w]} ptr [rbx + 0x18]', regs={'rax': a, 'rbx': 0x20700},
                       mem={0x20718: b.to_bytes(w // 8, 'little')})
            store_wide(c, w, a * b)
            overflow = int(w == 8)
            c.set_flags({'CF': overflow, 'OF': overflow}, MUL_UNDEFINED)
            yield c


def imul_truncating(w, a, b):
    product = m.signed(a, w) * m.signed(b, w)
    res = product & m.mask(w)
    overflow = int(m.signed(res, w) != product)
    return res, {'CF': overflow, 'OF': overflow}


def multi_operand_imul():
    for w in (16, 32, 64):
        dst = {16: 'cx', 32: 'ecx', 64: 'rcx'}[w]
        for i, (a, b) in enumerate(mul_pairs(w)):
            src = SOURCES[w][i % 3]
            c = m.Case(f'imul{w}_rr_{m.vname(a, w)}_{m.vname(b, w)}', f'imul {dst}, {src}',
                       regs=regs_with((dst, a), (src, b)), rflags=ALL_SET if i % 2 else m.DEFAULT_RFLAGS)
            res, flags = imul_truncating(w, a, b)
            c.out.set(dst, res)
            c.set_flags(flags, MUL_UNDEFINED)
            yield c
        M = m.mask(w)
        for a, imm in ((3, -1), (M >> 1, 2), (1 << (w - 1), -1), (0x1234, 0x100), (M, 0x7f), (5, -0x80)):
            src = SOURCES[w][0]
            b = imm & M
            c = m.Case(f'imul{w}_rri_{m.vname(a, w)}_{m.vname(b, w)}', f'imul {dst}, {src}, {imm_text(imm)}',
                       regs=regs_with((dst, 0x5555), (src, a)))
            res, flags = imul_truncating(w, a, b)
            c.out.set(dst, res)
            c.set_flags(flags, MUL_UNDEFINED)
            yield c
        c = m.Case(f'imul{w}_rm', f'imul {dst}, {PTR[w]} ptr [rdi]', regs=regs_with((dst, M), ('rdi', 0x20700)),
                   mem={0x20700: (M).to_bytes(w // 8, 'little')})
        res, flags = imul_truncating(w, M, M)
        c.out.set(dst, res)
        c.set_flags(flags, MUL_UNDEFINED)
        yield c
        c = m.Case(f'imul{w}_rmi', f'imul {dst}, {PTR[w]} ptr [rdi], 0x1000', regs={'rdi': 0x20700},
                   mem={0x20700: (0x1000).to_bytes(w // 8, 'little')})
        res, flags = imul_truncating(w, 0x1000, 0x1000)
        c.out.set(dst, res)
        c.set_flags(flags, MUL_UNDEFINED)
        yield c


def divide(op, w, dividend, divisor):
    """(quotient, remainder), or None for #DE."""
    if divisor == 0:
        return None
    if op == 'div':
        q, r = divmod(dividend, divisor)
        return (q, r) if q <= m.mask(w) else None
    n, d = m.signed(dividend, 2 * w), m.signed(divisor, w)
    q = abs(n) // abs(d) * (1 if (n < 0) == (d < 0) else -1)
    r = n - q * d
    if not -(1 << (w - 1)) <= q < (1 << (w - 1)):
        return None
    return q & m.mask(w), r & m.mask(w)


def div_inputs(w):
    """(dividend, divisor) covering exact, remainder, signed, and #DE outcomes."""
    M = m.mask(w)
    SMIN = 1 << (w - 1)
    WM = m.mask(2 * w)
    return [(100, 7), (M, 1), (M, M), ((5 << w) | M, 0x10), (WM, 1), ((-7) & WM, 2), (7, (-2) & M),
            ((-100) & WM, (-7) & M), (SMIN, 1), ((-SMIN) & WM, (-1) & M), (SMIN - 1, (-1) & M),
            ((-2 * SMIN) & WM, 2), (1 << w, 1), (1 << w, 2), (12345, 0), (0, 0)]


def store_quotient(c, w, quotient, remainder):
    low, high = WIDE[w]
    c.out.set('al' if w == 8 else low, quotient)
    c.out.set('ah' if w == 8 else high, remainder)
    c.set_flags({}, m.STATUS)


def division():
    for op in ('div', 'idiv'):
        for w in WIDTHS:
            for i, (dividend, divisor) in enumerate(div_inputs(w)):
                src = SOURCES[w][i % 3]
                low, high = WIDE[w]
                assignments = [(low, dividend & (m.mask(w) if high else 0xffff))]
                if high:
                    assignments.append((high, dividend >> w))
                assignments.append((src, divisor))
                c = m.Case(f'{op}{w}_{m.vname(dividend, 2 * w)}_by_{m.vname(divisor, w)}', f'{op} {src}',
                           regs=regs_with(*assignments), rflags=ALL_SET if i % 2 else m.DEFAULT_RFLAGS)
                result = divide(op, w, dividend, divisor)
                if result is None:
                    c.fault('#DE')
                else:
                    store_quotient(c, w, *result)
                yield c
        for w in WIDTHS:
            low, high = WIDE[w]
            c = m.Case(f'{op}{w}_mem', f'{op} {PTR[w]} ptr [rsp]', regs=regs_with((low, 500), ('rsp', 0x2fff0)),
                       mem={0x2fff0: (7).to_bytes(w // 8, 'little')})
            store_quotient(c, w, *divide(op, w, 500, 7))
            yield c


def cases():
    yield from one_operand_mul()
    yield from multi_operand_imul()
    yield from division()
