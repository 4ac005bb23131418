"""Operand choices shared by the families: register pairs per width (high-byte and REX
registers included), boundary values, and the helpers that place a value in the low
part of a register that otherwise holds its fill pattern."""

import model as m

WIDTHS = (8, 16, 32, 64)
PTR = {8: 'byte', 16: 'word', 32: 'dword', 64: 'qword'}
ACC = {8: 'al', 16: 'ax', 32: 'eax', 64: 'rax'}

# (destination, source) pairs; the cycle mixes legacy, REX and high-byte registers.
REG_PAIRS = {
    64: [('rax', 'rbx'), ('rcx', 'rdx'), ('rsi', 'rdi'), ('r8', 'r9'), ('r14', 'r15'), ('rbp', 'r11'), ('r12', 'r10')],
    32: [('eax', 'ebx'), ('ecx', 'edx'), ('esi', 'edi'), ('r8d', 'r9d'), ('r14d', 'r15d'), ('ebp', 'r11d')],
    16: [('ax', 'bx'), ('cx', 'dx'), ('si', 'di'), ('r8w', 'r9w'), ('r14w', 'r15w'), ('bp', 'r12w')],
    8: [('al', 'bl'), ('ah', 'bh'), ('cl', 'dh'), ('sil', 'dil'), ('r8b', 'r9b'), ('ch', 'al'), ('r15b', 'bpl')],
}


def pair(w, i):
    pairs = REG_PAIRS[w]
    return pairs[i % len(pairs)]


def boundary_pairs(w):
    """(a, b) operand pairs at the carry, overflow and adjust boundaries, plus one
    arbitrary pattern."""
    M = m.mask(w)
    SMAX, SMIN = M >> 1, 1 << (w - 1)
    pattern = {8: (0x5a, 0xc3), 16: (0x1234, 0xfedc), 32: (0x12345678, 0x9abcdef0),
               64: (0x0123456789abcdef, 0xfedcba9876543210)}[w]
    return [(0, 0), (1, 1), (M, 1), (SMAX, 1), (SMIN, M), (SMIN, SMIN), (0x0f, 1), (0x10, 1),
            (0, 1), (SMIN, 1), (SMAX, M), (M, M), pattern]


def boundary_values(w):
    M = m.mask(w)
    return [0, 1, M >> 1, 1 << (w - 1), M, 0x0f, 0x10]


def place(regs, name, value):
    """Puts `value` into sub-register `name` of the input register set `regs`, over the
    register's fill pattern (or its value already placed)."""
    full, w, shift = m.REGS[name]
    base = regs.get(full, m.fill(full) if w < 64 else 0)
    regs[full] = (base & ~(m.mask(w) << shift) & m.mask(64)) | ((value & m.mask(w)) << shift)
    return regs


def regs_with(*assignments):
    regs = {}
    for name, value in assignments:
        place(regs, name, value)
    return regs


def imm_text(v):
    return str(v) if -10 < v < 10 else (hex(v) if v >= 0 else '-' + hex(-v))
