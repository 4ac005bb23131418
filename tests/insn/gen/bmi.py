"""BMI1/BMI2/ADX: ANDN BEXTR BLSI BLSMSK BLSR BZHI MULX PDEP PEXT RORX SARX SHLX SHRX
ADCX ADOX, 32- and 64-bit (32-bit results zero-extend). Flags per the SDM:
ANDN: SF ZF from the result, CF OF cleared, AF PF undefined.
BEXTR: ZF from the result, CF OF cleared, AF SF PF undefined.
BLSI: CF = (source != 0); BLSR, BLSMSK: CF = (source == 0); all three: OF cleared, SF
from the result, AF PF undefined; ZF from the result except BLSMSK, which clears it.
BZHI: CF = (index > width - 1), SF ZF from the result, OF cleared, AF PF undefined.
MULX PDEP PEXT RORX SARX SHLX SHRX change no flags. ADCX changes only CF, ADOX only OF."""

import model as m
from operands import PTR, regs_with

FILE = 'bmi'
TITLE = 'ANDN BEXTR BLSI BLSMSK BLSR BZHI MULX PDEP PEXT RORX SARX SHLX SHRX ADCX ADOX'

# Every flag set beforehand: a result flag that is not written shows.
ALL_SET = m.rflags_of(CF=1, PF=1, AF=1, ZF=1, SF=1, OF=1)
NAMES = {32: ('eax', 'ebx', 'ecx'), 64: ('rax', 'rbx', 'rcx')}
ALT_NAMES = {32: ('r8d', 'r12d', 'r15d'), 64: ('r8', 'r12', 'r15')}


def names(w, i):
    return (NAMES if i % 2 == 0 else ALT_NAMES)[w]


def values(w):
    M = m.mask(w)
    return [0, 1, M, 1 << (w - 1), 0x00f0f0f0 if w == 32 else 0x00f0f0f0f0f0f0f0, 0x12345678 if w == 32 else 0xfedcba9876543210]


def vex_case(name, asm, regs, w, dst, result, flags=None, undefined=(), rflags=ALL_SET):
    c = m.Case(name, asm, regs=regs, rflags=rflags)
    if result is None:
        c.undefined_registers.add(m.REGS[dst][0])
    else:
        c.out.set(dst, result)
    c.set_flags(flags or {}, undefined)
    return c


def one_source_bmi1():
    ops = {
        'blsi': lambda a, w: (a & -a, {'CF': int(a != 0), 'ZF': int(a & -a & m.mask(w) == 0)}),
        'blsmsk': lambda a, w: (a ^ (a - 1), {'CF': int(a == 0), 'ZF': 0}),
        'blsr': lambda a, w: (a & (a - 1), {'CF': int(a == 0), 'ZF': int(a & (a - 1) == 0)}),
    }
    for op, f in ops.items():
        for w in (32, 64):
            for i, a in enumerate(values(w)):
                dst, src, _ = names(w, i)
                res, flags = f(a, w)
                res &= m.mask(w)
                flags.update(SF=m.msb(res, w), OF=0)
                yield vex_case(f'{op}{w}_{m.vname(a, w)}', f'{op} {dst}, {src}', regs_with((src, a), (dst, -1)), w, dst,
                               res, flags, {'AF', 'PF'}, rflags=ALL_SET if i % 2 else m.DEFAULT_RFLAGS)


def andn_and_bextr():
    for w in (32, 64):
        M = m.mask(w)
        for i, (a, b) in enumerate([(0, 0), (M, M), (0x0f0f, 0xffff), (1 << (w - 1), M), (0, 1 << (w - 1)), (M, 0)]):
            dst, src1, src2 = names(w, i)
            res = ~a & b & M
            yield vex_case(f'andn{w}_{m.vname(a, w)}_{m.vname(b, w)}', f'andn {dst}, {src1}, {src2}',
                           regs_with((src1, a), (src2, b)), w, dst, res,
                           {'SF': m.msb(res, w), 'ZF': int(res == 0), 'CF': 0, 'OF': 0}, {'AF', 'PF'})
        source = 0x8123456789abcdef & M
        for start, length in ((0, 0), (0, 8), (4, 8), (w - 4, 8), (w, 4), (0, w), (8, 255), (200, 3), (w - 1, 1)):
            dst, src1, src2 = names(w, start + length)
            control = 0xab0000 | (length << 8) | start  # bits above 15 are ignored
            res = (source >> start) & m.mask(length) if start < w else 0
            yield vex_case(f'bextr{w}_{start}_{length}', f'bextr {dst}, {src1}, {src2}',
                           regs_with((src1, source), (src2, control)), w, dst, res,
                           {'ZF': int(res == 0), 'CF': 0, 'OF': 0}, {'AF', 'SF', 'PF'})


def bzhi():
    for w in (32, 64):
        source = 0xf123456789abcdef & m.mask(w)
        for index in (0, 1, 4, w - 1, w, w + 1, 255, 0x1f05):  # only bits 7:0 of the index count
            dst, src, idx = names(w, index)
            n = index & 0xff
            res = source & m.mask(n) if n < w else source
            yield vex_case(f'bzhi{w}_{index}', f'bzhi {dst}, {src}, {idx}', regs_with((src, source), (idx, index)),
                           w, dst, res, {'CF': int(n > w - 1), 'ZF': int(res == 0), 'SF': m.msb(res, w), 'OF': 0},
                           {'AF', 'PF'})


def mulx():
    for w in (32, 64):
        M = m.mask(w)
        high, low, src = ('r10d', 'r11d', 'ebx') if w == 32 else ('r10', 'r11', 'rbx')
        rdx = 'edx' if w == 32 else 'rdx'
        for a, b in ((0, M), (M, M), (3, 5), (1 << (w - 1), 2), (0x12345678, 0x9abcdef0)):
            c = m.Case(f'mulx{w}_{m.vname(a, w)}_{m.vname(b, w)}', f'mulx {high}, {low}, {src}',
                       regs=regs_with((rdx, a), (src, b), ('r10', -1), ('r11', -1)), rflags=ALL_SET)
            product = a * b
            c.out.set(low, product)
            c.out.set(high, product >> w)
            yield c
        # Both destinations the same register: it receives the high half.
        reg = 'r9d' if w == 32 else 'r9'
        c = m.Case(f'mulx{w}_same_destination', f'mulx {reg}, {reg}, {src}', regs=regs_with((rdx, M), (src, M)))
        c.out.set(reg, (M * M) >> w)
        yield c
        c = m.Case(f'mulx{w}_mem', f'mulx {high}, {low}, {PTR[w]} ptr [rsi]', regs=regs_with((rdx, M), ('rsi', 0x20a00)),
                   mem={0x20a00: (M).to_bytes(w // 8, 'little')})
        c.out.set(low, (M * M) & M)
        c.out.set(high, (M * M) >> w)
        yield c


def pdep(source, mask, w):
    res, k = 0, 0
    for bit in range(w):
        if mask >> bit & 1:
            res |= ((source >> k) & 1) << bit
            k += 1
    return res


def pext(source, mask, w):
    res, k = 0, 0
    for bit in range(w):
        if mask >> bit & 1:
            res |= ((source >> bit) & 1) << k
            k += 1
    return res


def pdep_pext():
    for w in (32, 64):
        M = m.mask(w)
        for i, (source, selector) in enumerate([(M, 0), (M, M), (0b1011, 0xf0f0), (0x12345678, 0xff00ff00),
                                                (0xdeadbeef, 0x80000001), (M, 0xaaaaaaaa << (w - 32))]):
            dst, src, sel = names(w, i)
            for op, f in (('pdep', pdep), ('pext', pext)):
                yield vex_case(f'{op}{w}_{m.vname(source, w)}_{m.vname(selector, w)}', f'{op} {dst}, {src}, {sel}',
                               regs_with((src, source), (sel, selector)), w, dst, f(source, selector, w))


def shifts_without_flags():
    for w in (32, 64):
        M = m.mask(w)
        value = 0x80000001 if w == 32 else 0x8000000000000001
        for count in (0, 1, 4, w - 1, w, w + 3, 0x100 + 2):
            c = count & (w - 1)
            dst, src, cnt = names(w, count)
            results = {'shlx': (value << c) & M, 'shrx': value >> c, 'sarx': (m.signed(value, w) >> c) & M}
            for op, res in results.items():
                yield vex_case(f'{op}{w}_{count}', f'{op} {dst}, {src}, {cnt}', regs_with((src, value), (cnt, count)),
                               w, dst, res, rflags=m.DEFAULT_RFLAGS if count % 2 else ALL_SET)
            if count < 256:
                r = count % w
                res = ((value >> r) | (value << (w - r))) & M
                yield vex_case(f'rorx{w}_{count}', f'rorx {dst}, {src}, {count}', regs_with((src, value)), w, dst, res)


def adx():
    for op, flag in (('adcx', 'CF'), ('adox', 'OF')):
        for w in (32, 64):
            M = m.mask(w)
            for i, (a, b, carry) in enumerate([(M, 1, 0), (M, 0, 1), (1, 2, 1), (M, M, 1), (0, 0, 0)]):
                dst, src, _ = names(w, i)
                # The other status flags start opposite to the carry: ADCX/ADOX must keep them.
                others = {f: 1 - carry for f in m.STATUS if f != flag}
                c = m.Case(f'{op}{w}_{m.vname(a, w)}_{m.vname(b, w)}_{flag.lower()}{carry}', f'{op} {dst}, {src}',
                           regs=regs_with((dst, a), (src, b)), rflags=m.rflags_of(**{flag: carry}, **others))
                total = a + b + carry
                c.out.set(dst, total)
                c.set_flags({flag: int(total > M)})
                yield c
            c = m.Case(f'{op}{w}_mem', f'{op} {NAMES[w][0]}, {PTR[w]} ptr [rdi]', regs={'rax': 1, 'rdi': 0x20a00},
                       mem={0x20a00: (M).to_bytes(w // 8, 'little')}, rflags=m.rflags_of(**{flag: 1}))
            c.out.set(NAMES[w][0], (1 + M + 1) & M)
            c.set_flags({flag: 1})
            yield c


def cases():
    yield from one_source_bmi1()
    yield from andn_and_bextr()
    yield from bzhi()
    yield from mulx()
    yield from pdep_pext()
    yield from shifts_without_flags()
    yield from adx()
