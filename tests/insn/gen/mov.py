"""MOV MOVZX MOVSX MOVSXD MOVBE LEA: every width, the high-byte registers AH..BH, 32-bit
writes zero-extending and 8/16-bit writes merging, immediates of every size, and the
addressing forms: base, base+disp8/disp32, SIB with each scale, RSP/RBP/R12/R13 bases
(which need SIB or a displacement), index without base, absolute disp32, RIP-relative,
64-bit moffs, and the 0x67 prefix (32-bit effective addresses that wrap). None of
these instructions changes a flag, so every case starts with some flags set."""

import model as m
from operands import PTR, regs_with, imm_text

FILE = 'mov'
TITLE = 'MOV MOVZX MOVSX MOVSXD MOVBE LEA'

SOME_FLAGS = m.rflags_of(CF=1, ZF=1, OF=1)
PATTERN = 0xf8e7d6c5b4a39281


def register_moves():
    moves = [('rax', 'rbx'), ('r8', 'rsp'), ('rsp', 'r15'), ('eax', 'ebx'), ('r9d', 'ecx'), ('eax', 'eax'),
             ('esi', 'r12d'), ('ax', 'bx'), ('r10w', 'dx'), ('di', 'di'), ('al', 'bl'), ('ah', 'bh'), ('al', 'ah'),
             ('ch', 'dl'), ('bh', 'bh'), ('sil', 'dil'), ('r11b', 'spl'), ('bpl', 'r14b')]
    for dst, src in moves:
        c = m.Case(f'mov_{dst}_{src}', f'mov {dst}, {src}', regs={m.REGS[dst][0]: m.fill(m.REGS[dst][0]),
                                                                   m.REGS[src][0]: PATTERN if src != 'rsp' else 0x2fff0},
                   rflags=SOME_FLAGS)
        c.out.set(dst, c.input.get(src))
        yield c


def immediate_moves():
    moves = [('al', 0x80), ('ah', 0xff), ('r9b', 0x7f), ('dil', 1), ('ax', 0x8001), ('r12w', 0xffff),
             ('eax', 0x80000000), ('r13d', 0xffffffff), ('ecx', 0), ('rax', 0x7fffffff), ('rdx', -1),
             ('r8', -0x80000000), ('rbx', 0x123456789), ('r15', 0x8000000000000000), ('rsi', 0xffffffff)]
    for dst, imm in moves:
        full = m.REGS[dst][0]
        c = m.Case(f'mov_{dst}_imm_{m.vname(imm, m.REGS[dst][1])}', f'mov {dst}, {imm_text(imm)}',
                   regs={full: m.fill(full)}, rflags=SOME_FLAGS)
        c.out.set(dst, imm)
        yield c
    # The encodings assemblers avoid for these values: C7 /0 with a 32-bit immediate
    # that is sign-extended, and the 10-byte movabs with a small value.
    raw = [('mov_rax_c7_imm32_negative', [0x48, 0xc7, 0xc0, 0xfe, 0xff, 0xff, 0xff], 'mov rax, imm32 -2 (C7)',
            'rax', -2),
           ('mov_ecx_c7_imm32', [0xc7, 0xc1, 0x78, 0x56, 0x34, 0x12], 'mov ecx, imm32 (C7)', 'ecx', 0x12345678),
           ('movabs_rdx_small', [0x48, 0xba, 5, 0, 0, 0, 0, 0, 0, 0], 'movabs rdx, 5', 'rdx', 5)]
    for name, code, show, dst, value in raw:
        full = m.REGS[dst][0]
        c = m.Case(name, '.byte ' + ', '.join(hex(b) for b in code), show=show, regs={full: m.fill(full)})
        c.out.set(dst, value)
        yield c


# (tag, address expression, register values, effective address)
ADDRESSING = [
    ('base', 'rbx', {'rbx': 0x20d00}, 0x20d00),
    ('base_disp8', 'rbx + 0x7f', {'rbx': 0x20d00}, 0x20d7f),
    ('base_disp8_negative', 'rbx - 0x10', {'rbx': 0x20d10}, 0x20d00),
    ('base_disp32', 'rbx + 0x1000', {'rbx': 0x20000}, 0x21000),
    ('base_disp32_negative', 'rsi - 0x10000', {'rsi': 0x30d00}, 0x20d00),
    ('sib_scale1', 'rbx + rcx', {'rbx': 0x20c00, 'rcx': 0x100}, 0x20d00),
    ('sib_scale2', 'rbx + rcx*2 + 4', {'rbx': 0x20c00, 'rcx': 0x80}, 0x20d04),
    ('sib_scale4', 'rdi + r9*4 - 8', {'rdi': 0x20c08, 'r9': 0x40}, 0x20d00),
    ('sib_scale8', 'r10 + r11*8 + 0x200', {'r10': 0x20800, 'r11': 0x60}, 0x20d00),
    ('sib_negative_index', 'rbx + rcx*8', {'rbx': 0x20d40, 'rcx': 0xfffffffffffffff8}, 0x20d00),
    ('rsp_base', 'rsp', {'rsp': 0x20d00}, 0x20d00),
    ('rsp_base_disp8', 'rsp + 8', {'rsp': 0x20cf8}, 0x20d00),
    ('rbp_base', 'rbp', {'rbp': 0x20d00}, 0x20d00),
    ('r12_base', 'r12', {'r12': 0x20d00}, 0x20d00),
    ('r13_base', 'r13', {'r13': 0x20d00}, 0x20d00),
    ('r12_r13_index', 'r12 + r13*2', {'r12': 0x20c00, 'r13': 0x80}, 0x20d00),
    ('index_only', 'rcx*8 + 0x20000', {'rcx': 0x1a0}, 0x20d00),
    ('absolute', '0x20d00', {}, 0x20d00),
    ('addr32_base', 'ebx', {'rbx': 0xffffffff00020d00}, 0x20d00),
    ('addr32_wraps', 'ebx + ecx*2 - 4', {'rbx': 0x20d10, 'rcx': 0xfffffffa}, 0x20d00),
    ('addr32_index_only', 'ecx*4 + 0x20000', {'rcx': 0x340}, 0x20d00),
]


def memory_moves():
    for w in (8, 16, 32, 64):
        dst = {8: 'dl', 16: 'dx', 32: 'edx', 64: 'rdx'}[w]
        for i, (tag, expression, regs, address) in enumerate(ADDRESSING):
            if i % 2 and w in (8, 16):
                continue  # every addressing form at 32/64 bits, half of them at 8/16
            value = PATTERN & m.mask(w)
            c = m.Case(f'mov{w}_load_{tag}', f'mov {dst}, {PTR[w]} ptr [{expression}]',
                       regs=dict(regs, rdx=m.fill('rdx')), mem={address: value.to_bytes(w // 8, 'little')},
                       rflags=SOME_FLAGS)
            c.out.set(dst, value)
            yield c
            # AH cannot be encoded next to a REX prefix, which R8-R15 in the address need.
            needs_rex = any(f'r{i}' in expression for i in range(8, 16))
            src = {8: 'r8b' if needs_rex else 'ah', 16: 'r8w', 32: 'r8d', 64: 'r8'}[w]
            value = 0x0102030405060708
            c = m.Case(f'mov{w}_store_{tag}', f'mov {PTR[w]} ptr [{expression}], {src}',
                       regs=regs_with(*regs.items(), (src, value)), mem={address - 2: bytes([0xee] * (w // 8 + 4))})
            c.out.write(address, w // 8, value)
            yield c


def rip_relative_and_moffs():
    # Reaching 0x20000 from the end of a 7-byte load at 0x10000.
    c = m.Case('mov64_load_rip_relative', 'mov rax, qword ptr [rip + 0xfff9]', mem={0x20000: PATTERN.to_bytes(8, 'little')})
    assert c.end == 0x10007
    c.out.regs['rax'] = PATTERN
    yield c
    c = m.Case('mov32_store_rip_relative', 'mov dword ptr [rip + 0xfffa], ecx', regs={'rcx': 0xaabbccdd})
    assert c.end == 0x10006
    c.out.write(0x20000, 4, 0xaabbccdd)
    yield c
    c = m.Case('mov8_store_rip_relative_imm', 'mov byte ptr [rip + 0x10000], 0x5a')
    assert c.end == 0x10007  # C6 05 disp32 imm8: the immediate counts in the length
    c.out.write(0x20007, 1, 0x5a)
    yield c
    c = m.Case('mov64_load_eip_relative', 'mov rax, qword ptr [eip + 0xfff8]', mem={0x20000: PATTERN.to_bytes(8, 'little')})
    assert c.end == 0x10008  # 0x67 adds a byte
    c.out.regs['rax'] = PATTERN
    yield c
    for w, acc in ((8, 'al'), (16, 'ax'), (32, 'eax'), (64, 'rax')):
        value = PATTERN & m.mask(w)
        c = m.Case(f'movabs{w}_load_moffs', f'movabs {acc}, {PTR[w]} ptr [0x20d00]', regs={'rax': m.fill('rax')},
                   mem={0x20d00: value.to_bytes(w // 8, 'little')})
        c.out.set(acc, value)
        yield c
        c = m.Case(f'movabs{w}_store_moffs', f'movabs {PTR[w]} ptr [0x20d00], {acc}', regs={'rax': PATTERN})
        c.out.write(0x20d00, w // 8, PATTERN)
        yield c


def immediate_stores():
    for w, imm in ((8, 0x80), (16, 0x8001), (32, 0x80000001), (64, -2), (64, 0x7fffffff)):
        c = m.Case(f'mov{w}_store_imm_{m.vname(imm, w)}', f'mov {PTR[w]} ptr [rbx + 4], {imm_text(imm)}',
                   regs={'rbx': 0x20d00}, mem={0x20d00: bytes([0xee] * 16)})
        c.out.write(0x20d04, w // 8, imm)
        yield c


def extensions():
    byte_value, word_value, dword_value = 0x81, 0x8001, 0x80000001
    forms = [('movzx', 'ax', 'bl', byte_value), ('movzx', 'eax', 'bl', byte_value), ('movzx', 'rax', 'bl', byte_value),
             ('movzx', 'ecx', 'ah', 0x7f), ('movzx', 'r9d', 'sil', byte_value), ('movzx', 'eax', 'bx', word_value),
             ('movzx', 'r10', 'r11w', word_value),
             ('movsx', 'ax', 'bl', byte_value), ('movsx', 'eax', 'bl', byte_value), ('movsx', 'rax', 'bl', byte_value),
             ('movsx', 'edx', 'bh', byte_value), ('movsx', 'r9', 'r8b', 0x7f), ('movsx', 'eax', 'bx', word_value),
             ('movsx', 'rsi', 'di', word_value), ('movsx', 'ecx', 'cx', word_value),
             ('movsxd', 'rax', 'ebx', dword_value), ('movsxd', 'r12', 'r13d', 0x7fffffff),
             ('movsxd', 'rdx', 'edx', dword_value)]
    for op, dst, src, value in forms:
        src_w = m.REGS[src][1]
        regs = regs_with((m.REGS[dst][0], m.fill(m.REGS[dst][0])), (src, value))
        c = m.Case(f'{op}_{dst}_{src}_{m.vname(value, src_w)}', f'{op} {dst}, {src}', regs=regs, rflags=SOME_FLAGS)
        c.out.set(dst, value if op == 'movzx' else m.signed(value, src_w))
        yield c
    for op in ('movzx', 'movsx'):
        for dst, ptr, value in (('eax', 'byte', 0x80), ('rax', 'word', 0x8000), ('cx', 'byte', 0xfe)):
            src_w = 8 if ptr == 'byte' else 16
            c = m.Case(f'{op}_{dst}_{ptr}_mem', f'{op} {dst}, {ptr} ptr [rbx]', regs={'rbx': 0x20d00, 'rax': PATTERN,
                                                                                      'rcx': PATTERN},
                       mem={0x20d00: value.to_bytes(src_w // 8, 'little')})
            c.out.set(dst, value if op == 'movzx' else m.signed(value, src_w))
            yield c
    c = m.Case('movsxd_rax_dword_mem', 'movsxd rax, dword ptr [rbx]', regs={'rbx': 0x20d00},
               mem={0x20d00: (0xfffffffe).to_bytes(4, 'little')})
    c.out.regs['rax'] = m.mask(64) - 1
    yield c
    # MOVSXD without REX.W: the SDM lists it as a plain 32-bit move.
    c = m.Case('movsxd_without_rexw', '.byte 0x63, 0xc3', show='movsxd eax, ebx', regs={'rax': PATTERN, 'rbx': 0x80000001})
    c.out.set('eax', 0x80000001)
    yield c


def movbe():
    value = 0x0102030405060708
    for w, reg in ((16, 'cx'), (32, 'ecx'), (64, 'rcx')):
        c = m.Case(f'movbe{w}_load', f'movbe {reg}, {PTR[w]} ptr [rsi]', regs={'rsi': 0x20d00, 'rcx': PATTERN},
                   mem={0x20d00: value.to_bytes(8, 'little')})
        c.out.set(reg, int.from_bytes(value.to_bytes(8, 'little')[:w // 8], 'big'))
        yield c
        c = m.Case(f'movbe{w}_store', f'movbe {PTR[w]} ptr [rsi + 8], {reg}', regs={'rsi': 0x20d00, 'rcx': value},
                   mem={0x20d08: bytes([0xee] * 8)}, rflags=SOME_FLAGS)
        c.out.write(0x20d08, w // 8, int.from_bytes((value & m.mask(w)).to_bytes(w // 8, 'big'), 'little'))
        yield c


def lea():
    forms = [
        ('lea64_sib', 'lea rax, [rbx + rcx*4 + 0x10]', {'rbx': 0x1000, 'rcx': 3}, 'rax', 0x1000 + 12 + 0x10),
        ('lea64_wraps', 'lea rax, [rbx - 1]', {'rbx': 0}, 'rax', m.mask(64)),
        ('lea64_index_only', 'lea rdx, [rcx*8 + 5]', {'rcx': 0x10}, 'rdx', 0x85),
        ('lea64_rsp', 'lea rsi, [rsp + 8]', {'rsp': 0x2fff0}, 'rsi', 0x2fff8),
        ('lea64_same_register', 'lea rax, [rax + rax*2]', {'rax': 0x5555555555555556}, 'rax',
         (0x5555555555555556 * 3) & m.mask(64)),
        ('lea64_rip_relative', 'lea rax, [rip + 0x100]', {}, 'rax', None),
        ('lea32_truncates', 'lea eax, [rbx + rcx]', {'rbx': 0xffffffff00000001, 'rcx': 0xffffffff}, 'eax', 0),
        ('lea32_zero_extends', 'lea r8d, [r9 + 1]', {'r8': PATTERN, 'r9': 0x7fffffff}, 'r8d', 0x80000000),
        ('lea16_merges', 'lea cx, [rbx + rdx*2]', {'rcx': PATTERN, 'rbx': 0x1fffe, 'rdx': 1}, 'cx', 0),
        ('lea64_addr32', 'lea rax, [ebx + ecx]', {'rbx': 0xfffffff0, 'rcx': 0x20}, 'rax', 0x10),
        ('lea32_addr32', 'lea eax, [ebx + ecx*8 - 8]', {'rbx': 0x5, 'rcx': 0, 'rax': PATTERN}, 'eax', 0xfffffffd),
    ]
    for name, asm, regs, dst, value in forms:
        c = m.Case(name, asm, regs=regs, rflags=SOME_FLAGS)
        c.out.set(dst, value if value is not None else c.end + 0x100)
        yield c


def cases():
    yield from register_moves()
    yield from immediate_moves()
    yield from memory_moves()
    yield from rip_relative_and_moffs()
    yield from immediate_stores()
    yield from extensions()
    yield from movbe()
    yield from lea()
