"""BT BTS BTR BTC, BSF BSR, TZCNT LZCNT POPCNT, BSWAP.
- BTx: CF = the selected bit; ZF unaffected; OF SF AF PF undefined. A register or
  immediate offset into a register, or an immediate offset into memory, is taken
  modulo the operand width; a register offset into memory is a signed bit offset from
  the operand's address, reaching bytes below it or far beyond it.
- BSF/BSR: ZF = (source == 0); CF OF SF AF PF undefined. For a zero source the SDM
  leaves the destination undefined; orcvm (like AMD, and Intel in practice) leaves it
  unchanged, and these cases assert that, with a 32-bit destination whose upper half
  is already zero (Intel clears it, AMD keeps it).
- TZCNT/LZCNT: CF = (source == 0), ZF = (result == 0); OF SF AF PF undefined.
- POPCNT: ZF = (source == 0); CF OF SF AF PF cleared."""

import model as m
from operands import PTR, regs_with

FILE = 'bits'
TITLE = 'BT BTS BTR BTC BSF BSR TZCNT LZCNT POPCNT BSWAP'

BT_UNDEFINED = {'OF', 'SF', 'AF', 'PF'}
BT_OPS = {'bt': None, 'bts': lambda v, bit: v | bit, 'btr': lambda v, bit: v & ~bit, 'btc': lambda v, bit: v ^ bit}
SCAN_UNDEFINED = {'CF', 'OF', 'SF', 'AF', 'PF'}


def bt_register_forms():
    for op, update in BT_OPS.items():
        for w, dst, src, value in ((16, 'ax', 'cx', 0x8421), (32, 'edx', 'r8d', 0x80000021),
                                   (64, 'r9', 'rbx', 0x8000000000000021)):
            for i, offset in enumerate((0, 1, 5, w - 1, w, w + 5, -1)):
                zf = i % 2
                c = m.Case(f'{op}{w}_rr_{offset if offset >= 0 else "minus" + str(-offset)}', f'{op} {dst}, {src}',
                           regs=regs_with((dst, value), (src, offset)), rflags=m.rflags_of(ZF=zf, CF=1 - zf))
                bit = 1 << (offset % w)
                if update:
                    c.out.set(dst, update(value, bit))
                c.set_flags({'CF': int(value & bit != 0)}, BT_UNDEFINED)
                yield c
            for imm in (0, 5, w - 1, w + 3, 255):
                c = m.Case(f'{op}{w}_ri_{imm}', f'{op} {dst}, {imm}', regs=regs_with((dst, value)))
                bit = 1 << (imm % w)
                if update:
                    c.out.set(dst, update(value, bit))
                c.set_flags({'CF': int(value & bit != 0)}, BT_UNDEFINED)
                yield c


BITSTRING = 0x20800  # the operand's address


def bitstring_memory(byte):
    """A pattern in the 16 bytes around the byte holding the selected bit, so that a
    wrong byte or bit shows."""
    return {byte - 8: bytes((i * 0x1d + 0x35) & 0xff for i in range(16))}


def bt_memory_forms():
    for op, update in BT_OPS.items():
        for w in (16, 32, 64):
            offset_reg = {16: 'cx', 32: 'ecx', 64: 'rcx'}[w]
            offsets = [0, 7, 8, w - 1, w, 100, -1, -8, -65, -129]
            if w == 16:
                offsets.append(0x10005)  # only the low 16 bits of the offset register count
            if w == 32:
                offsets.append(0x100000003)  # likewise the low 32
            for offset in offsets:
                effective = m.signed(offset, w)
                bit_address = BITSTRING * 8 + effective
                byte, bit = bit_address >> 3, 1 << (bit_address & 7)
                label = str(offset) if offset >= 0 else f'minus{-offset}'
                c = m.Case(f'{op}{w}_mr_{label if offset < 0x10000 else hex(offset)}',
                           f'{op} {PTR[w]} ptr [rbx], {offset_reg}', regs={'rbx': BITSTRING, 'rcx': offset & m.mask(64)},
                           mem=bitstring_memory(byte), rflags=m.rflags_of(ZF=1))
                old = c.out.read(byte, 1)
                if update:
                    c.out.write(byte, 1, update(old, bit))
                c.set_flags({'CF': int(old & bit != 0)}, BT_UNDEFINED)
                yield c
            for imm in (3, w - 1, w + 2):
                bit_index = imm % w
                byte, bit = BITSTRING + bit_index // 8, 1 << (bit_index % 8)
                c = m.Case(f'{op}{w}_mi_{imm}', f'{op} {PTR[w]} ptr [rbx], {imm}', regs={'rbx': BITSTRING},
                           mem=bitstring_memory(byte))
                old = c.out.read(byte, 1)
                if update:
                    c.out.write(byte, 1, update(old, bit))
                c.set_flags({'CF': int(old & bit != 0)}, BT_UNDEFINED)
                yield c
        if update:
            byte, bit = BITSTRING + 77 // 8, 1 << (77 % 8)
            c = m.Case(f'lock_{op}64_mr', f'lock {op} qword ptr [rbx], rcx', regs={'rbx': BITSTRING, 'rcx': 77},
                       mem=bitstring_memory(byte))
            old = c.out.read(byte, 1)
            c.out.write(byte, 1, update(old, bit))
            c.set_flags({'CF': int(old & bit != 0)}, BT_UNDEFINED)
            yield c


def scan_values(w):
    M = m.mask(w)
    return [0, 1, 1 << (w - 1), M, 0x00f0, int('0100' * (w // 16), 16) << 4, (M >> 3) ^ 0x10]


def bit_scans():
    for op in ('bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt'):
        for w, dst, src in ((16, 'dx', 'r11w'), (32, 'edx', 'esi'), (64, 'rdx', 'r11')):
            for i, a in enumerate(scan_values(w)):
                # The destination's old value must survive BSF/BSR of zero; a 32-bit one is
                # kept below 2^32 so that Intel's and AMD's behaviour agree (see above).
                old = {16: 0x3333333333331234, 32: 0x12345678, 64: 0x3333333333333333}[w]
                c = m.Case(f'{op}{w}_{m.vname(a, w)}', f'{op} {dst}, {src}', regs=regs_with((src, a), ('rdx', old)),
                           rflags=m.rflags_of(CF=i % 2, PF=1, AF=1, SF=1, OF=1, ZF=1 - i % 2))
                positions = [b for b in range(w) if a >> b & 1]
                if op in ('bsf', 'bsr'):
                    if a:
                        c.out.set(dst, positions[0] if op == 'bsf' else positions[-1])
                    c.set_flags({'ZF': int(a == 0)}, SCAN_UNDEFINED)
                elif op in ('tzcnt', 'lzcnt'):
                    count = (positions[0] if op == 'tzcnt' else w - 1 - positions[-1]) if a else w
                    c.out.set(dst, count)
                    c.set_flags({'CF': int(a == 0), 'ZF': int(count == 0)}, {'OF', 'SF', 'AF', 'PF'})
                else:
                    c.out.set(dst, len(positions))
                    c.set_flags({'ZF': int(a == 0), 'CF': 0, 'OF': 0, 'SF': 0, 'AF': 0, 'PF': 0})
                yield c
            a = 0x0180
            c = m.Case(f'{op}{w}_mem', f'{op} {dst}, {PTR[w]} ptr [rdi + 2]', regs={'rdi': 0x20900},
                       mem={0x20902: a.to_bytes(w // 8, 'little')})
            result = {'bsf': 7, 'bsr': 8, 'tzcnt': 7, 'lzcnt': w - 9, 'popcnt': 2}[op]
            c.out.set(dst, result)
            if op in ('bsf', 'bsr'):
                c.set_flags({'ZF': 0}, SCAN_UNDEFINED)
            elif op in ('tzcnt', 'lzcnt'):
                c.set_flags({'CF': 0, 'ZF': 0}, {'OF', 'SF', 'AF', 'PF'})
            else:
                c.set_flags({'ZF': 0, 'CF': 0, 'OF': 0, 'SF': 0, 'AF': 0, 'PF': 0})
            yield c


def byte_swaps():
    for reg, value in (('eax', 0x1111111112345678), ('r10d', 0xaabbccdd), ('edi', 0x80),
                       ('rax', 0x0123456789abcdef), ('r13', 0xff00000000000001), ('rsp', 0x0003020000000000)):
        full, w, _ = m.REGS[reg]
        c = m.Case(f'bswap{w}_{reg}', f'bswap {reg}', regs={full: value}, rflags=m.rflags_of(CF=1, ZF=1))
        c.out.set(reg, int.from_bytes((value & m.mask(w)).to_bytes(w // 8, 'little'), 'big'))
        yield c


def cases():
    yield from bt_register_forms()
    yield from bt_memory_forms()
    yield from bit_scans()
    yield from byte_swaps()
