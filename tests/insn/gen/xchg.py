"""XCHG XADD CMPXCHG CMPXCHG8B CMPXCHG16B, register and memory forms, with and without
LOCK, both outcomes of each compare, and the same-register corners:
- 90 is NOP but 87 C0 (xchg eax, eax) zero-extends RAX, and 41 90 is xchg r8d, eax;
- XADD r, r with one register: TEMP <- SRC + DEST; SRC <- DEST; DEST <- TEMP;
- CMPXCHG sets the flags of CMP accumulator, DEST. On a match it stores the source
  in DEST (a 32-bit register DEST is zero-extended) and leaves the accumulator alone;
  on a mismatch it loads the accumulator (zero-extended) and, although the SDM's
  pseudocode writes DEST back, a register DEST keeps all 64 bits on real processors
  (AMD here; Intel likewise, as QEMU and FEX found);
- CMPXCHG8B/16B change only ZF; CMPXCHG16B needs a 16-byte aligned operand (#GP(0))."""

import model as m
from operands import PTR, ACC, regs_with

FILE = 'xchg'
TITLE = 'XCHG XADD CMPXCHG CMPXCHG8B CMPXCHG16B'

SOME_FLAGS = m.rflags_of(CF=1, AF=1, SF=1)
A, B = 0x0123456789abcdef, 0xfedcba9876543210


def exchange_registers():
    pairs = [('rax', 'rbx'), ('rcx', 'r13'), ('eax', 'ebx'), ('r9d', 'esi'), ('ax', 'r9w'), ('dx', 'si'),
             ('al', 'ah'), ('ah', 'bl'), ('sil', 'r15b'), ('ch', 'dh'), ('rcx', 'rax'), ('eax', 'edx'), ('ax', 'bp')]
    for x, y in pairs:
        fx, fy = m.REGS[x][0], m.REGS[y][0]
        regs = {fx: A, fy: B} if fx != fy else {fx: A}
        c = m.Case(f'xchg_{x}_{y}', f'xchg {x}, {y}', regs=regs, rflags=SOME_FLAGS)
        vx, vy = c.input.get(x), c.input.get(y)
        c.out.set(x, vy)
        c.out.set(y, vx)
        yield c
    raw = [('xchg_eax_eax_zero_extends', [0x87, 0xc0], 'xchg eax, eax (87 C0)', lambda s: s.set('eax', s.get('eax'))),
           ('xchg_rax_rax_is_a_no_op', [0x48, 0x87, 0xc0], 'xchg rax, rax (48 87 C0)', lambda s: None),
           ('nop_90_keeps_rax', [0x90], 'nop (90)', lambda s: None),
           ('xchg_r8d_eax_41_90', [0x41, 0x90], 'xchg r8d, eax (41 90)',
            lambda s: (lambda a, b: (s.set('eax', b), s.set('r8d', a)))(s.get('eax'), s.get('r8d'))),
           ('xchg_r8_rax_49_90', [0x49, 0x90], 'xchg r8, rax (49 90)',
            lambda s: (lambda a, b: (s.set('rax', b), s.set('r8', a)))(s.get('rax'), s.get('r8')))]
    for name, code, show, effect in raw:
        c = m.Case(name, '.byte ' + ', '.join(hex(b) for b in code), show=show, regs={'rax': A, 'r8': B})
        effect(c.out)
        yield c


def exchange_memory():
    for w in (8, 16, 32, 64):
        for lock in ('', 'lock '):
            reg = {8: 'bh', 16: 'cx', 32: 'r10d', 64: 'rdx'}[w]
            c = m.Case(f'{lock.strip() + "_" if lock else ""}xchg{w}_mem', f'{lock}xchg {PTR[w]} ptr [rsi + 2], {reg}',
                       regs={'rsi': 0x20e00, m.REGS[reg][0]: A}, mem={0x20e00: B.to_bytes(8, 'little') + b'\xee' * 4},
                       rflags=SOME_FLAGS)
            old = c.out.read(0x20e02, w // 8)
            c.out.write(0x20e02, w // 8, c.input.get(reg))
            c.out.set(reg, old)
            yield c


def xadd_values(w):
    M = m.mask(w)
    return [(1, 2), (M, 1), (M >> 1, 1), (1 << (w - 1), 1 << (w - 1))]


def xadd():
    for w in (8, 16, 32, 64):
        dst, src = {8: ('al', 'ch'), 16: ('r11w', 'ax'), 32: ('ebx', 'ecx'), 64: ('rbx', 'r14')}[w]
        for a, b in xadd_values(w):
            c = m.Case(f'xadd{w}_rr_{m.vname(a, w)}_{m.vname(b, w)}', f'xadd {dst}, {src}', regs=regs_with((dst, a), (src, b)))
            res, flags = m.add_flags(a, b, 0, w)
            c.out.set(src, a)
            c.out.set(dst, res)
            c.set_flags(flags)
            yield c
        for lock in ('', 'lock '):
            a, b = m.mask(w), 2
            c = m.Case(f'{lock.strip() + "_" if lock else ""}xadd{w}_mem', f'{lock}xadd {PTR[w]} ptr [rdi], {src}',
                       regs=regs_with(('rdi', 0x20e00), (src, b)), mem={0x20e00: a.to_bytes(w // 8, 'little')})
            res, flags = m.add_flags(a, b, 0, w)
            c.out.set(src, a)
            c.out.write(0x20e00, w // 8, res)
            c.set_flags(flags)
            yield c
    for reg, a in (('rax', 0x4000000000000001), ('ecx', 0x80000001), ('dl', 0x81)):
        w = m.REGS[reg][1]
        c = m.Case(f'xadd{w}_same_register_{reg}', f'xadd {reg}, {reg}', regs=regs_with((reg, a)))
        res, flags = m.add_flags(a, a, 0, w)
        c.out.set(reg, res)
        c.set_flags(flags)
        yield c


def cmpxchg():
    for w in (8, 16, 32, 64):
        acc = ACC[w]
        dst, src = {8: ('bl', 'dh'), 16: ('r12w', 'cx'), 32: ('esi', 'r9d'), 64: ('rsi', 'r9')}[w]
        M = m.mask(w)
        for equal in (True, False):
            tag = 'equal' if equal else 'differ'
            old = 0x7f & M if equal else 0x80
            # Registers start with junk above the operand, to show what is written.
            c = m.Case(f'cmpxchg{w}_rr_{tag}', f'cmpxchg {dst}, {src}',
                       regs=regs_with((m.REGS[acc][0], A), (acc, 0x7f), (m.REGS[dst][0], B), (dst, old),
                                      (m.REGS[src][0], A ^ M), (src, 0x55)), rflags=SOME_FLAGS)
            _, flags = m.sub_flags(0x7f, old, 0, w)
            if equal:
                c.out.set(dst, 0x55)
            else:
                c.out.set(acc, old)
            c.set_flags(flags)
            yield c
            for lock in ('', 'lock '):
                c = m.Case(f'{lock.strip() + "_" if lock else ""}cmpxchg{w}_mem_{tag}',
                           f'{lock}cmpxchg {PTR[w]} ptr [rbx + 8], {src}',
                           regs=regs_with(('rbx', 0x20e00), (m.REGS[acc][0], A), (acc, M),
                                          (m.REGS[src][0], B), (src, 0x1234 & M)),
                           mem={0x20e08: (M if equal else 1).to_bytes(w // 8, 'little')})
                old = c.input.read(0x20e08, w // 8)
                _, flags = m.sub_flags(M, old, 0, w)
                if equal:
                    c.out.write(0x20e08, w // 8, 0x1234)
                else:
                    c.out.set(acc, old)
                c.set_flags(flags)
                yield c
    # The accumulator as the destination always compares equal: it receives the source.
    c = m.Case('cmpxchg64_accumulator_destination', 'cmpxchg rax, rcx', regs={'rax': A, 'rcx': B})
    c.out.regs['rax'] = B
    c.set_flags(m.sub_flags(A, A, 0, 64)[1])
    yield c
    c = m.Case('cmpxchg32_same_register', 'cmpxchg edx, edx', regs={'rax': 5, 'rdx': 0xffffffff00000005})
    c.out.set('edx', 5)
    c.set_flags(m.sub_flags(5, 5, 0, 32)[1])
    yield c


def cmpxchg_wide():
    for op, w, low, high, new_low, new_high in (('cmpxchg8b', 32, 'eax', 'edx', 'ebx', 'ecx'),
                                                ('cmpxchg16b', 64, 'rax', 'rdx', 'rbx', 'rcx')):
        size = 2 * w // 8
        ptr = 'qword' if w == 32 else 'xmmword'
        for equal in (True, False):
            for lock in ('', 'lock '):
                tag = 'equal' if equal else 'differ'
                stored = (0x1111 << w | 0x2222) if equal else (0x3333 << w | 0x4444)
                c = m.Case(f'{lock.strip() + "_" if lock else ""}{op}_{tag}', f'{lock}{op} {ptr} ptr [rdi]',
                           regs={'rdi': 0x20e10, 'rax': A & ~m.mask(w) | 0x2222, 'rdx': B & ~m.mask(w) | 0x1111,
                                 'rbx': 0x5555, 'rcx': 0x6666}, mem={0x20e10: stored.to_bytes(size, 'little')},
                           rflags=SOME_FLAGS | (m.rflags_of(ZF=1) if not equal else 0))
                if equal:
                    c.out.write(0x20e10, size, 0x6666 << w | 0x5555)
                else:
                    c.out.set(low, stored)
                    c.out.set(high, stored >> w)
                c.set_flags({'ZF': int(equal)})
                yield c
    c = m.Case('cmpxchg16b_misaligned', 'cmpxchg16b xmmword ptr [rdi]', regs={'rdi': 0x20e18})
    c.fault('#GP(0)')
    yield c
    c = m.Case('cmpxchg8b_misaligned_is_fine', 'cmpxchg8b qword ptr [rdi]', regs={'rdi': 0x20e13},
               mem={0x20e13: bytes(8)})
    c.out.write(0x20e13, 8, 0)
    c.set_flags({'ZF': 1})
    yield c


def cases():
    yield from exchange_registers()
    yield from exchange_memory()
    yield from xadd()
    yield from cmpxchg()
    yield from cmpxchg_wide()
