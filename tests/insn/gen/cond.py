"""SETcc, CMOVcc and Jcc for all 16 conditions, each taken and not taken under several
flag combinations; JMP, CALL, RET, LOOP/LOOPE/LOOPNE, JRCXZ/JECXZ with targets inside
the case or at its end. CMOVcc with a 32-bit destination zero-extends it even when
the condition is false; with a memory source it reads memory either way."""

import model as m
from operands import regs_with

FILE = 'cond'
TITLE = 'SETcc CMOVcc Jcc JMP CALL RET LOOP LOOPE LOOPNE JRCXZ JECXZ'

CONDITIONS = {
    'o': lambda f: f['OF'], 'no': lambda f: not f['OF'],
    'b': lambda f: f['CF'], 'ae': lambda f: not f['CF'],
    'e': lambda f: f['ZF'], 'ne': lambda f: not f['ZF'],
    'be': lambda f: f['CF'] or f['ZF'], 'a': lambda f: not (f['CF'] or f['ZF']),
    's': lambda f: f['SF'], 'ns': lambda f: not f['SF'],
    'p': lambda f: f['PF'], 'np': lambda f: not f['PF'],
    'l': lambda f: f['SF'] != f['OF'], 'ge': lambda f: f['SF'] == f['OF'],
    'le': lambda f: f['ZF'] or f['SF'] != f['OF'], 'g': lambda f: not f['ZF'] and f['SF'] == f['OF'],
}
CONDITION_CODES = {name: i for i, name in enumerate(CONDITIONS)}  # the tttn encoding

# Flag combinations that between them make every condition both true and false,
# including the mixed cases of BE/A/L/GE/LE/G.
FLAG_SETS = {
    'none': {}, 'cf': {'CF': 1}, 'zf': {'ZF': 1}, 'sf': {'SF': 1}, 'of': {'OF': 1}, 'pf': {'PF': 1},
    'sf_of': {'SF': 1, 'OF': 1}, 'cf_zf': {'CF': 1, 'ZF': 1}, 'all': {f: 1 for f in m.STATUS},
}


def holds(cond, flag_set):
    flags = {f: FLAG_SETS[flag_set].get(f, 0) for f in m.STATUS}
    return bool(CONDITIONS[cond](flags))


def setcc():
    destinations = ['al', 'ah', 'r9b', 'sil']
    for n, cond in enumerate(CONDITIONS):
        for i, flag_set in enumerate(FLAG_SETS):
            dst = destinations[i % 4]
            c = m.Case(f'set{cond}_{flag_set}', f'set{cond} {dst}', regs=regs_with((dst, 0x5a)),
                       rflags=m.rflags_of(**FLAG_SETS[flag_set]))
            c.out.set(dst, int(holds(cond, flag_set)))
            yield c
        flag_set = 'all' if n % 3 else 'none'
        c = m.Case(f'set{cond}_mem', f'set{cond} byte ptr [rbx + 3]', regs={'rbx': 0x20b00},
                   mem={0x20b00: bytes([0xee] * 8)}, rflags=m.rflags_of(**FLAG_SETS[flag_set]))
        c.out.write(0x20b03, 1, int(holds(cond, flag_set)))
        yield c


def cmovcc():
    for cond in CONDITIONS:
        true_set = next(s for s in FLAG_SETS if holds(cond, s))
        false_set = next(s for s in FLAG_SETS if not holds(cond, s))
        for truth, flag_set in ((True, true_set), (False, false_set)):
            tag = 'taken' if truth else 'not_taken'
            rflags = m.rflags_of(**FLAG_SETS[flag_set])
            for w, dst, src in ((64, 'rax', 'r12'), (32, 'ecx', 'edx'), (16, 'r8w', 'bx')):
                c = m.Case(f'cmov{cond}{w}_{tag}', f'cmov{cond} {dst}, {src}',
                           regs=regs_with((m.REGS[dst][0], 0x8888888888888888), (m.REGS[src][0], 0x123456789abcdef0)),
                           rflags=rflags)
                # A 32-bit CMOV writes its destination whether or not it moves.
                c.out.set(dst, c.input.get(src) if truth else c.input.get(dst))
                yield c
            c = m.Case(f'cmov{cond}64_mem_{tag}', f'cmov{cond} rsi, qword ptr [rdi + 8]',
                       regs={'rsi': 0x1111, 'rdi': 0x20b00}, mem={0x20b08: (0xfedcba9876543210).to_bytes(8, 'little')},
                       rflags=rflags)
            if truth:
                c.out.set('rsi', 0xfedcba9876543210)
            yield c
        # The memory operand is read even when nothing moves: an unmapped source faults.
        c = m.Case(f'cmov{cond}32_unmapped_not_taken', f'cmov{cond} esi, dword ptr [0x40000]', regs={'rsi': 0x1111},
                   rflags=m.rflags_of(**FLAG_SETS[false_set]))
        c.fault('#PF(4)')
        yield c


def jcc():
    for cond in CONDITIONS:
        true_set = next(s for s in reversed(list(FLAG_SETS)) if holds(cond, s))
        false_set = next(s for s in reversed(list(FLAG_SETS)) if not holds(cond, s))
        for truth, flag_set in ((True, true_set), (False, false_set)):
            tag = 'taken' if truth else 'not_taken'
            rflags = m.rflags_of(**FLAG_SETS[flag_set])
            # Short form, forward to the end of the case.
            c = m.Case(f'j{cond}_short_{tag}', f'j{cond} 1f; mov ebx, 0x11; 1:', regs={'rbx': 0x22}, rflags=rflags)
            if not truth:
                c.out.set('rbx', 0x11)
            yield c
            # Near form (0F 8x rel32), encoded by hand: assemblers pick the short one.
            code = [0x0f, 0x80 | CONDITION_CODES[cond], 5, 0, 0, 0, 0xbb, 0x11, 0, 0, 0]
            c = m.Case(f'j{cond}_near_{tag}', '.byte ' + ', '.join(hex(b) for b in code),
                       show=f'j{cond} rel32 +5; mov ebx, 0x11', regs={'rbx': 0x22}, rflags=rflags)
            if not truth:
                c.out.set('rbx', 0x11)
            yield c
            # Backward: jump over a block, then branch back into it.
            c = m.Case(f'j{cond}_backward_{tag}', f'jmp 2f; 1: mov ecx, 0x33; jmp 3f; 2: j{cond} 1b; mov ecx, 0x44; 3:',
                       rflags=rflags)
            c.out.set('ecx', 0x33 if truth else 0x44)
            yield c


def jumps_calls_returns():
    c = m.Case('jmp_short', 'jmp 1f; mov eax, 1; 1:')
    yield c
    c = m.Case('jmp_near', '.byte 0xe9, 5, 0, 0, 0, 0xb8, 1, 0, 0, 0', show='jmp rel32 +5; mov eax, 1')
    yield c
    c = m.Case('jmp_register_to_end', 'jmp rax; mov ebx, 1')
    c.set_input_register('rax', c.end)
    yield c
    c = m.Case('jmp_memory_to_end', 'jmp qword ptr [rbx]; mov ecx, 1', regs={'rbx': 0x20c00})
    c.set_input_memory(0x20c00, 8, c.end)
    yield c
    c = m.Case('jmp_rip_relative_memory', 'jmp qword ptr [rip + 0xfffa]; mov ecx, 1')
    assert c.end == 0x1000b  # the displacement reaches 0x20000 from the end of the 6-byte jmp
    c.set_input_memory(0x20000, 8, c.end)
    yield c
    c = m.Case('jmp_unmapped_target', 'jmp rax', regs={'rax': 0x7000000})
    c.fault('#PF(0x14)', rip=0x7000000)
    yield c

    c = m.Case('call_pushes_return_address', 'call 1f; 1: pop rax', regs={'rax': 0})
    c.out.regs['rax'] = 0x10005
    c.out.write(0x2fff8, 8, 0x10005)
    yield c
    c = m.Case('call_register_to_end', 'call rdx')
    c.set_input_register('rdx', c.end)
    c.out.push(c.end)
    yield c
    c = m.Case('call_memory_to_end', 'call qword ptr [rbx]', regs={'rbx': 0x20c00})
    c.set_input_memory(0x20c00, 8, c.end)
    c.out.push(c.end)
    yield c
    c = m.Case('call_then_ret', 'call 1f; mov edi, 7; jmp 2f; 1: mov esi, 9; ret; 2:')
    c.out.set('esi', 9)
    c.out.set('edi', 7)
    c.out.write(0x2fff8, 8, 0x10005)
    yield c
    for imm in (0, 8, 0x18):
        c = m.Case(f'ret_imm{imm}', f'call 1f; jmp 2f; 1: ret {imm}; 2:', regs={'rsp': 0x2ff00})
        c.out.write(0x2fef8, 8, 0x10005)
        c.out.regs['rsp'] = 0x2ff00 + imm
        yield c
    c = m.Case('ret_to_end', 'ret; mov eax, 1', regs={'rsp': 0x2fff0})
    c.set_input_memory(0x2fff0, 8, c.end)
    c.out.regs['rsp'] = 0x2fff8
    yield c
    c = m.Case('ret_from_stack_top_faults', 'ret')
    c.fault('#PF(4)')
    yield c


def loops():
    for n in (1, 2, 5):
        c = m.Case(f'loop_count_{n}', 'xor eax, eax; 1: lea eax, [rax + 3]; loop 1b', regs={'rcx': n},
                   rflags=m.rflags_of(ZF=1, CF=1))
        c.out.set('eax', 3 * n)
        c.out.regs['rcx'] = 0
        c.set_flags({'ZF': 1, 'CF': 0, 'PF': 1, 'SF': 0, 'OF': 0, 'AF': 0})  # from the XOR
        yield c
    # LOOPE/LOOPNE test the ZF left by the body; LEA leaves the flags alone, so ZF stays
    # as the case set it and the loop runs to the end (or stops after one iteration).
    for op, zf in (('loope', 1), ('loope', 0), ('loopne', 0), ('loopne', 1)):
        continues = (op == 'loope') == bool(zf)
        c = m.Case(f'{op}_zf{zf}', f'1: lea eax, [rax + 1]; {op} 1b', regs={'rcx': 4}, rflags=m.rflags_of(ZF=zf))
        iterations = 4 if continues else 1
        c.out.regs['rax'] = iterations
        c.out.regs['rcx'] = 4 - iterations
        yield c
    # LOOPE ends early when an iteration clears ZF: scan "AAAB" for the first non-'A'.
    c = m.Case('loope_stops_when_zf_clears', "1: lodsb; cmp al, 0x41; loope 1b", regs={'rcx': 10, 'rsi': 0x20b00},
               mem={0x20b00: b'AAABAA'})
    c.out.regs['rax'] = ord('B')
    c.out.regs['rsi'] = 0x20b04
    c.out.regs['rcx'] = 6
    c.set_flags(m.sub_flags(ord('B'), ord('A'), 0, 8)[1])
    yield c
    c = m.Case('loopne_stops_on_match', '1: inc eax; cmp eax, 3; loopne 1b', regs={'rcx': 10})
    c.out.regs['rax'] = 3
    c.out.regs['rcx'] = 7
    c.set_flags(m.sub_flags(3, 3, 0, 32)[1])
    yield c
    for reg_value, taken in ((0, True), (1, False), (0x100000000, False)):
        c = m.Case(f'jrcxz_{m.vname(reg_value, 64)}', 'jrcxz 1f; mov eax, 1; 1:', regs={'rcx': reg_value})
        if not taken:
            c.out.regs['rax'] = 1
        yield c
        c = m.Case(f'jecxz_{m.vname(reg_value, 64)}', 'jecxz 1f; mov eax, 1; 1:', regs={'rcx': reg_value})
        if reg_value & 0xffffffff:
            c.out.regs['rax'] = 1
        yield c


def cases():
    yield from setcc()
    yield from cmovcc()
    yield from jcc()
    yield from jumps_calls_returns()
    yield from loops()
