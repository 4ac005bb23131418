"""LAHF SAHF CLC STC CMC CLD STD, and the accumulator sign extensions CBW CWDE CDQE CWD
CDQ CQO. LAHF loads AH with SF:ZF:0:AF:0:PF:1:CF; SAHF stores bits 7, 6, 4, 2, 0 of AH
into SF ZF AF PF CF and leaves OF alone."""

import model as m

FILE = 'flagops'
TITLE = 'LAHF SAHF CLC STC CMC CLD STD CBW CWDE CDQE CWD CDQ CQO'

FLAG_COMBINATIONS = {
    'none': {}, 'cf': {'CF': 1}, 'zf_sf': {'ZF': 1, 'SF': 1}, 'af_pf': {'AF': 1, 'PF': 1}, 'of': {'OF': 1},
    'all': {f: 1 for f in m.STATUS},
}
FILL = 0x8877665544332211


def sahf_flags(ah):
    return {'SF': ah >> 7 & 1, 'ZF': ah >> 6 & 1, 'AF': ah >> 4 & 1, 'PF': ah >> 2 & 1, 'CF': ah & 1}


def lahf_sahf():
    for name, flags in FLAG_COMBINATIONS.items():
        c = m.Case(f'lahf_{name}', 'lahf', regs={'rax': FILL}, rflags=m.rflags_of(**flags))
        s = c.input
        c.out.set('ah', s.flag('SF') << 7 | s.flag('ZF') << 6 | s.flag('AF') << 4 | s.flag('PF') << 2 | 2 | s.flag('CF'))
        yield c
    for ah, before in ((0xff, {}), (0x00, {f: 1 for f in m.STATUS}), (0xd5, {'OF': 1}), (0x2a, {'CF': 1}),
                       (0x41, {}), (0x84, {'ZF': 1})):
        c = m.Case(f'sahf_{ah:02x}', 'sahf', regs={'rax': FILL & ~0xff00 | ah << 8}, rflags=m.rflags_of(**before))
        c.set_flags(sahf_flags(ah))
        yield c
    c = m.Case('lahf_sahf_round_trip', 'lahf; xor ah, 0x41; sahf', rflags=m.rflags_of(CF=1, SF=1, OF=1))
    ah = (0x80 | 0x02 | 0x01) ^ 0x41  # LAHF gives SF, bit 1 and CF
    c.out.set('ah', ah)
    c.set_flags({'OF': 0})  # from the XOR; SAHF then loads the other five from AH
    c.set_flags(sahf_flags(ah))
    yield c


def carry_and_direction():
    for op, update in (('clc', lambda s: {'CF': 0}), ('stc', lambda s: {'CF': 1}), ('cmc', lambda s: {'CF': 1 - s.flag('CF')})):
        for name, flags in FLAG_COMBINATIONS.items():
            c = m.Case(f'{op}_{name}', op, rflags=m.rflags_of(**flags))
            c.set_flags(update(c.input))
            yield c
    df = 1 << m.FLAG_BITS['DF']
    for op, result in (('cld', 0), ('std', 1)):
        for before in (0, 1):
            c = m.Case(f'{op}_df{before}', op, rflags=m.rflags_of(CF=1, ZF=1) | (df if before else 0))
            c.set_flags({'DF': result})
            yield c


def sign_extensions():
    # (mnemonic, source, destination(s) as (register, bits taken from the extended value))
    forms = [('cbw', 'al', 8, [('ax', 0)]), ('cwde', 'ax', 16, [('eax', 0)]), ('cdqe', 'eax', 32, [('rax', 0)]),
             ('cwd', 'ax', 16, [('dx', 16)]), ('cdq', 'eax', 32, [('edx', 32)]), ('cqo', 'rax', 64, [('rdx', 64)])]
    for op, src, w, destinations in forms:
        for value in (0, (1 << (w - 1)) - 1, 1 << (w - 1), m.mask(w)):
            c = m.Case(f'{op}_{m.vname(value, w)}', op, regs={'rax': FILL & ~m.mask(w) | value, 'rdx': 0x3333333333333333},
                       rflags=m.rflags_of(CF=1, ZF=1))
            extended = m.signed(value, w) & m.mask(128)
            for dst, shift in destinations:
                c.out.set(dst, extended >> shift)
            yield c


def cases():
    yield from lahf_sahf()
    yield from carry_and_direction()
    yield from sign_extensions()
