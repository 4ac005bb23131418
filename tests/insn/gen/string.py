"""MOVS STOS LODS CMPS SCAS at every width, alone and with REP/REPE/REPNE, with DF=0
and DF=1, RCX=0 (nothing happens, flags included), REPE/REPNE ending early, the 0x67
prefix (ESI/EDI/ECX), and an overlapping REP MOVSB that must copy byte by byte.
CMPS compares [RSI] - [RDI]; SCAS compares the accumulator - [RDI]; both set all six
status flags like CMP. LODSD zero-extends RAX; LODSB/LODSW merge."""

import model as m
from operands import ACC

FILE = 'string'
TITLE = 'MOVS STOS LODS CMPS SCAS with REP/REPE/REPNE'

OPCODES = {'movs': 0xa4, 'cmps': 0xa6, 'stos': 0xaa, 'lods': 0xac, 'scas': 0xae}
SUFFIX = {8: 'b', 16: 'w', 32: 'd', 64: 'q'}
REP = {None: [], 'rep': [0xf3], 'repe': [0xf3], 'repne': [0xf2]}

SOURCE, DESTINATION = 0x21000, 0x21100
REGION = 0x30  # bytes of each buffer the cases fill and assert
START = 0x18  # where RSI/RDI point in their buffer, so that either direction stays inside


def encode(op, w, rep, addr32):
    code = ([0x67] if addr32 else []) + REP[rep] + ([0x66] if w == 16 else []) + ([0x48] if w == 64 else [])
    return code + [OPCODES[op] + (w > 8)]


def run_string(s, op, w, rep, addr32):
    """Executes the instruction on state `s` element by element, as the SDM describes."""
    size = w // 8
    counter, src, dst = ('ecx', 'esi', 'edi') if addr32 else ('rcx', 'rsi', 'rdi')
    step = -size if s.flag('DF') else size
    while True:
        if rep and s.get(counter) == 0:
            return
        if op == 'movs':
            s.write(s.get(dst), size, s.read(s.get(src), size))
        elif op == 'stos':
            s.write(s.get(dst), size, s.get(ACC[w]))
        elif op == 'lods':
            s.set(ACC[w], s.read(s.get(src), size))
        elif op == 'cmps':
            s.set_flags(m.sub_flags(s.read(s.get(src), size), s.read(s.get(dst), size), 0, w)[1])
        else:
            s.set_flags(m.sub_flags(s.get(ACC[w]), s.read(s.get(dst), size), 0, w)[1])
        if op in ('movs', 'lods', 'cmps'):
            s.set(src, s.get(src) + step)
        if op in ('movs', 'stos', 'cmps', 'scas'):
            s.set(dst, s.get(dst) + step)
        if not rep:
            return
        s.set(counter, s.get(counter) - 1)
        if op in ('cmps', 'scas') and ((rep == 'repe' and not s.flag('ZF')) or (rep == 'repne' and s.flag('ZF'))):
            return


def string_case(name, op, w, rep=None, count=0, df=0, addr32=False, source=None, destination=None, rax=None,
                rsi=SOURCE + START, rdi=DESTINATION + START):
    prefix = f'{"addr32 " if addr32 else ""}{rep + " " if rep else ""}'
    show = f'{prefix}{op}{SUFFIX[w]}'
    code = encode(op, w, rep, addr32)
    source = source if source is not None else bytes((0x31 + 7 * i) & 0xff for i in range(REGION))
    destination = destination if destination is not None else bytes([0xee] * REGION)
    regs = {'rsi': rsi, 'rdi': rdi, 'rcx': count, 'rax': rax if rax is not None else 0x1111111111111111}
    # Only the buffers the instruction reads or writes, and the one an overlapping copy uses.
    buffers = {}
    if op in ('movs', 'lods', 'cmps') or rdi < DESTINATION:
        buffers[SOURCE] = source
    if op in ('movs', 'stos', 'cmps', 'scas') and rdi >= DESTINATION:
        buffers[DESTINATION] = destination
    c = m.Case(name, '.byte ' + ', '.join(hex(b) for b in code), show=show, regs=regs,
               rflags=m.rflags_of(**({'DF': 1} if df else {}), ZF=1, CF=1), mem=buffers)
    run_string(c.out, op, w, rep, addr32)
    return c


def plain_and_repeated():
    for op in OPCODES:
        repeat = 'repe' if op in ('cmps', 'scas') else 'rep'
        for w in (8, 16, 32, 64):
            for df in (0, 1):
                yield string_case(f'{op}{SUFFIX[w]}_df{df}', op, w, df=df)
                yield string_case(f'{repeat}_{op}{SUFFIX[w]}_count3_df{df}', op, w, rep=repeat, count=3, df=df)
            yield string_case(f'{repeat}_{op}{SUFFIX[w]}_count0', op, w, rep=repeat, count=0)
        yield string_case(f'addr32_{repeat}_{op}b', op, 8, rep=repeat, count=2, addr32=True)
        yield string_case(f'addr32_{op}q_df1', op, 64, df=1, addr32=True)


def compare_scans():
    same = bytes(range(0x40, 0x40 + REGION))
    for w in (8, 32):
        size = w // 8
        # REPE: runs while equal; all equal until the count runs out, or stops at the third element.
        yield string_case(f'repe_cmps{SUFFIX[w]}_all_equal', 'cmps', w, rep='repe', count=5, source=same, destination=same)
        differ = bytearray(same)
        differ[START + 2 * size] ^= 0x80
        yield string_case(f'repe_cmps{SUFFIX[w]}_stops_at_mismatch', 'cmps', w, rep='repe', count=8, source=same,
                          destination=bytes(differ))
        # REPNE: runs while different, stops at the first equal element.
        other = bytes((b ^ 0x55) for b in same)
        match = bytearray(other)
        match[START + 3 * size: START + 4 * size] = same[START + 3 * size: START + 4 * size]
        yield string_case(f'repne_cmps{SUFFIX[w]}_stops_at_match', 'cmps', w, rep='repne', count=8, source=same,
                          destination=bytes(match))
        yield string_case(f'repne_cmps{SUFFIX[w]}_no_match', 'cmps', w, rep='repne', count=4, source=same,
                          destination=other)
    text = b'hello, world\0'.ljust(REGION, b'\xee')
    yield string_case('repne_scasb_finds_terminator', 'scas', 8, rep='repne', count=0x40, destination=text, rax=0,
                      rdi=DESTINATION)
    yield string_case('repne_scasb_finds_comma', 'scas', 8, rep='repne', count=0x40, destination=text, rax=ord(','),
                      rdi=DESTINATION)
    yield string_case('repe_scasb_skips_spaces', 'scas', 8, rep='repe', count=0x40,
                      destination=b'    x'.ljust(REGION, b' '), rax=ord(' '), rdi=DESTINATION)
    yield string_case('repne_scasq_backwards', 'scas', 64, rep='repne', count=6, df=1,
                      destination=(0x1234).to_bytes(8, 'little') * 8, rax=0x1234, rdi=DESTINATION + 0x18)
    yield string_case('repe_scasd_count_runs_out', 'scas', 32, rep='repe', count=3,
                      destination=bytes(REGION), rax=0, rdi=DESTINATION)
    # REP with the "wrong" prefix on MOVS/STOS/LODS is still a plain REP.
    yield string_case('repne_movsb_is_rep', 'movs', 8, rep='repne', count=3)


def overlapping_and_large():
    # Destination one byte above the source: each byte copied is read again next time.
    yield string_case('rep_movsb_overlap_forward', 'movs', 8, rep='rep', count=8, rsi=SOURCE + START, rdi=SOURCE + START + 1)
    yield string_case('rep_movsb_overlap_backward', 'movs', 8, rep='rep', count=8, df=1, rsi=SOURCE + START,
                      rdi=SOURCE + START - 1)
    yield string_case('rep_stosq_fill', 'stos', 64, rep='rep', count=6, rax=0x0102030405060708, rdi=DESTINATION + 8)
    yield string_case('rep_movsd_long', 'movs', 32, rep='rep', count=12, rsi=SOURCE, rdi=DESTINATION)


def cases():
    yield from plain_and_repeated()
    yield from compare_scans()
    yield from overlapping_and_large()
