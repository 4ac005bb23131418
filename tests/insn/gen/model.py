"""The pieces every family generator shares: the machine state a case starts from and
ends in, x86 register and flag semantics as the Intel SDM states them, the assembler
bridge (llvm-mc-19), and the rendering of a case as one line of the .cases format
(difftest/case_format.h), in exactly the form print_case() produces."""

import json
import os
import struct
import subprocess

CODE = 0x10000
DATA = 0x20000
DATA_END = 0x30000
STACK_TOP = 0x30000
DEFAULT_RFLAGS = 0x202

GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
         'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15']
_GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] + [f'r{i}d' for i in range(8, 16)]
_GPR16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] + [f'r{i}w' for i in range(8, 16)]
_GPR8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil'] + [f'r{i}b' for i in range(8, 16)]

# name -> (64-bit register, width in bits, bit offset)
REGS = {}
for _i, _r in enumerate(GPR64):
    REGS[_r] = (_r, 64, 0)
    REGS[_GPR32[_i]] = (_r, 32, 0)
    REGS[_GPR16[_i]] = (_r, 16, 0)
    REGS[_GPR8[_i]] = (_r, 8, 0)
for _h, _r in zip(['ah', 'ch', 'dh', 'bh'], ['rax', 'rcx', 'rdx', 'rbx']):
    REGS[_h] = (_r, 8, 8)

# Canonical flag order of case_format.cpp (kFlagNames).
FLAG_BITS = {'CF': 0, 'PF': 2, 'AF': 4, 'ZF': 6, 'SF': 7, 'TF': 8, 'IF': 9, 'DF': 10, 'OF': 11,
             'NT': 14, 'RF': 16, 'AC': 18, 'VIF': 19, 'VIP': 20, 'ID': 21}
STATUS = ['CF', 'PF', 'AF', 'ZF', 'SF', 'OF']
ALL_STATUS = frozenset(STATUS)


def mask(w):
    return (1 << w) - 1


def msb(v, w):
    return (v >> (w - 1)) & 1


def signed(v, w):
    v &= mask(w)
    return v - (1 << w) if msb(v, w) else v


def parity(v):
    return int(bin(v & 0xff).count('1') % 2 == 0)


def szp(res, w):
    """SF, ZF and PF of a result, as nearly every arithmetic instruction sets them."""
    res &= mask(w)
    return {'SF': msb(res, w), 'ZF': int(res == 0), 'PF': parity(res)}


def rflags_of(**flags):
    v = DEFAULT_RFLAGS
    for name, bit in flags.items():
        if bit:
            v |= 1 << FLAG_BITS[name]
    return v


def fill(reg):
    """A recognisable background value for a register whose low part an operand uses,
    so that merging and zero-extension show in the upper bits."""
    i = GPR64.index(reg)
    return 0xf0f0f0f0f0f0f0f0 if i == 15 else 0x1111111111111111 * (i + 1)


def vname(v, w):
    """A short token for an operand value in a case name."""
    v &= mask(w)
    names = {0: '0', 1: '1', mask(w): 'max', mask(w) >> 1: 'smax', 1 << (w - 1): 'smin'}
    return names.get(v, f'{v:x}')


class State:
    def __init__(self, regs=None, rflags=DEFAULT_RFLAGS, mem=None):
        self.regs = {r: 0 for r in GPR64}
        self.regs['rsp'] = STACK_TOP
        self.regs.update(regs or {})
        self.rflags = rflags
        self.mem = {}
        self.written = set()  # addresses stored to, whether or not the byte changed
        for address, data in (mem or {}).items():
            for i, b in enumerate(data):
                self.mem[address + i] = b

    def copy(self):
        s = State()
        s.regs, s.rflags, s.mem, s.written = dict(self.regs), self.rflags, dict(self.mem), set(self.written)
        return s

    def get(self, name):
        full, w, shift = REGS[name]
        return (self.regs[full] >> shift) & mask(w)

    def set(self, name, value):
        """A register write with x86-64 rules: 32-bit writes zero-extend, 8/16 merge."""
        full, w, shift = REGS[name]
        value &= mask(w)
        if w == 32:
            self.regs[full] = value
        else:
            keep = self.regs[full] & ~(mask(w) << shift) & mask(64)
            self.regs[full] = keep | (value << shift)

    def read(self, address, size):
        return int.from_bytes(bytes(self.mem.get(address + i, 0) for i in range(size)), 'little')

    def write(self, address, size, value):
        for i, b in enumerate((value & mask(8 * size)).to_bytes(size, 'little')):
            self.mem[address + i] = b
            self.written.add(address + i)

    def flag(self, name):
        return (self.rflags >> FLAG_BITS[name]) & 1

    def set_flags(self, flags):
        for name, bit in flags.items():
            b = 1 << FLAG_BITS[name]
            self.rflags = (self.rflags | b) if bit else (self.rflags & ~b)

    def push(self, value, size=8):
        self.regs['rsp'] = (self.regs['rsp'] - size) & mask(64)
        self.write(self.regs['rsp'], size, value)

    def pop(self, size=8):
        value = self.read(self.regs['rsp'], size)
        self.regs['rsp'] = (self.regs['rsp'] + size) & mask(64)
        return value


# --- flag computations (Intel SDM, Vol. 2, each instruction's "Flags Affected") ---

def add_flags(a, b, carry, w):
    total = (a & mask(w)) + (b & mask(w)) + carry
    res = total & mask(w)
    f = szp(res, w)
    f['CF'] = int(total > mask(w))
    f['OF'] = int(msb(a, w) == msb(b, w) and msb(res, w) != msb(a, w))
    f['AF'] = ((a ^ b ^ res) >> 4) & 1
    return res, f


def sub_flags(a, b, borrow, w):
    a &= mask(w)
    b &= mask(w)
    res = (a - b - borrow) & mask(w)
    f = szp(res, w)
    f['CF'] = int(a < b + borrow)
    f['OF'] = int(msb(a, w) != msb(b, w) and msb(res, w) != msb(a, w))
    f['AF'] = ((a ^ b ^ res) >> 4) & 1
    return res, f


def logic_flags(res, w):
    f = szp(res, w)
    f['CF'] = 0
    f['OF'] = 0
    return f


# --- assembling ---

_CACHE_PATH = os.path.join(os.environ.get('XDG_CACHE_HOME', os.path.expanduser('~/.cache')), 'orcvm-insn-asm.json')
_cache = None


def _text_section(elf):
    """The bytes of .text from an ELF64 relocatable; refuses objects with relocations."""
    shoff, = struct.unpack_from('<Q', elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', elf, 0x3a)
    sections = [struct.unpack_from('<IIQQQQIIQQ', elf, shoff + i * shentsize) for i in range(shnum)]
    names_offset = sections[shstrndx][4]

    def name(s):
        start = names_offset + s[0]
        return elf[start:elf.index(b'\0', start)].decode()
    by_name = {name(s): s for s in sections}
    if '.rela.text' in by_name:
        raise ValueError('the snippet needs relocations (a reference outside itself)')
    text = by_name['.text']
    return elf[text[4]:text[4] + text[5]]


def assemble(source):
    """Machine code for Intel-syntax source; instructions separated by ';'."""
    global _cache
    if _cache is None:
        _cache = json.load(open(_CACHE_PATH)) if os.path.exists(_CACHE_PATH) else {}
    if source not in _cache:
        text = '.intel_syntax noprefix\n' + '\n'.join(s.strip() for s in source.split(';')) + '\n'
        result = subprocess.run(['llvm-mc-19', '-triple=x86_64', '-filetype=obj', '-o', '-'],
                                input=text.encode(), capture_output=True)
        if result.returncode != 0:
            raise ValueError(f'llvm-mc rejected {source!r}: {result.stderr.decode()}')
        _cache[source] = _text_section(result.stdout).hex()
    return bytes.fromhex(_cache[source])


def save_assembler_cache():
    if _cache is not None:
        os.makedirs(os.path.dirname(_CACHE_PATH), exist_ok=True)
        with open(_CACHE_PATH, 'w') as f:
            json.dump(_cache, f)


# --- cases ---

EXCEPTIONS_WITH_CODE = {'DF', 'TS', 'NP', 'SS', 'GP', 'PF', 'AC'}


def value_text(v):
    return str(v) if v < 10 else hex(v)


class Case:
    """One case: its code, its input state, and the model's result. Family generators
    build the input, then update `out` the way the instruction would."""

    def __init__(self, name, asm, regs=None, rflags=DEFAULT_RFLAGS, mem=None, show=None):
        self.name = name
        self.show = show if show is not None else asm
        self.code = assemble(asm)
        self.end = CODE + len(self.code)
        self.input = State(regs, rflags, mem)
        self.mentioned = set((regs or {}).keys())
        self.out = self.input.copy()
        self.undef = set()
        self.undefined_registers = set()
        self.exception = None
        self.fault_rip = None
        self.host_skip = None  # a reason, for a case the host CPU cannot reproduce
        self.assert_whole_rflags = False  # rflags=, covering IF, IOPL and the rest

    # Inputs that depend on the code's length (a jump target at the end, say) are set
    # after assembling, before the model runs.
    def set_input_register(self, reg, value):
        self.input.regs[reg] = self.out.regs[reg] = value
        self.mentioned.add(reg)

    def set_input_memory(self, address, size, value):
        self.input.write(address, size, value)
        self.out.write(address, size, value)
        self.input.written.clear()
        self.out.written.clear()

    # The model's verbs.
    def set_flags(self, flags, undefined=()):
        self.out.set_flags({k: v for k, v in flags.items() if k not in undefined})
        self.undef |= set(undefined)

    def fault(self, exception, rip=CODE):
        """The case ends with `exception` ('#UD', '#GP(0)'); the state is as before the
        faulting instruction, which the caller has arranged by not modelling it."""
        name = exception[1:].split('(')[0]
        assert (name in EXCEPTIONS_WITH_CODE) == ('(' in exception), exception
        self.exception = exception
        self.fault_rip = rip

    def render(self):
        inp, out = self.input, self.out
        parts = [f'{self.name}:', ' '.join(f'{b:02x}' for b in self.code)]
        if self.show:
            assert '"' not in self.show
            parts.append(f'"{self.show}"')
        parts.append('|')
        for r in GPR64:
            if inp.regs[r] != (STACK_TOP if r == 'rsp' else 0):
                parts.append(f'{r}={value_text(inp.regs[r])}')
        if inp.rflags != DEFAULT_RFLAGS:
            parts.append(f'rflags={inp.rflags:#x}')
        parts += [f'mem:{a:#x}={data.hex()}' for a, data in _runs(inp.mem, inp.mem.keys())]
        parts.append('=>')
        if self.exception:
            parts.append(self.exception)
        for r in GPR64:
            if r in self.undefined_registers:
                continue
            if r in self.mentioned or out.regs[r] != inp.regs[r]:
                parts.append(f'{r}={value_text(out.regs[r])}')
        if self.exception:
            parts.append(f'rip={value_text(self.fault_rip)}')
        if self.assert_whole_rflags:
            assert not self.undef
            parts.append(f'rflags={out.rflags:#x}')
        else:
            # The status flags the instruction does not leave undefined, and the other
            # flags a case sets or changes.
            asserted = {f for f in STATUS if f not in self.undef}
            asserted |= {f for f in ('DF', 'AC', 'NT', 'ID') if inp.flag(f) or out.flag(f)}
            if asserted:
                parts.append('flags=' + ','.join(f'{"+" if out.flag(f) else "-"}{f}' for f in FLAG_BITS if f in asserted))
        touched = set(inp.mem) | out.written
        parts += [f'mem:{a:#x}={data.hex()}' for a, data in _runs(out.mem, touched)]
        options = []
        if self.undef:
            options.append('undef=' + ','.join(f for f in FLAG_BITS if f in self.undef))
        if self.host_skip:
            options.append(f'host=skip({self.host_skip})')
        if options:
            parts += ['|'] + options
        return ' '.join(parts)


def _runs(memory, addresses):
    """Contiguous runs of `addresses`, with their bytes from `memory`."""
    runs = []
    for a in sorted(addresses):
        if runs and runs[-1][0] + len(runs[-1][1]) == a:
            runs[-1][1].append(memory.get(a, 0))
        else:
            runs.append((a, bytearray([memory.get(a, 0)])))
    for a, data in runs:
        assert DATA <= a and a + len(data) <= DATA_END, f'memory {a:#x} outside the data window'
    return [(a, bytes(data)) for a, data in runs]
