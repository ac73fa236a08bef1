#!/usr/bin/env python3
"""Write the fuzz targets' seed corpora (corpus/<target>/): small valid
inputs of each kind, from which the fuzzer mutates.  Run from this folder;
the files are committed, this script says how they were made."""
import os
import struct

BASE = 0x10000000  # fuzz-syscall.c's and fuzz-exitless.c's arena
NR = dict(read=0, write=1, poll=7, readv=19, writev=20, select=23, nanosleep=35, getpid=39,
          socket=41, connect=42, accept=43, sendto=44, recvfrom=45, sendmsg=46, recvmsg=47,
          bind=49, getsockname=51, socketpair=53, setsockopt=54, getsockopt=55, clone=56,
          epoll_wait=232, ppoll=271, accept4=288, preadv=295, recvmmsg=299, sendmmsg=307)


def put(target, name, data):
    d = os.path.join('corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# ---- loader: tiny executables ----

def elf(etype=2, vbase=0x400000, interp=None, stack_x=False):
    phdrs = []
    nph = 3 + (interp is not None)
    hdr_end = 64 + 56 * nph
    text_len = 0x200
    interp_off = text_len
    data_off = interp_off + (len(interp) + 1 if interp else 0)
    data_off = (data_off + 15) & ~15
    if interp is not None:
        phdrs.append((3, 4, interp_off, vbase + interp_off, len(interp) + 1, len(interp) + 1, 1))
    phdrs.append((1, 5, 0, vbase, text_len, text_len, 0x1000))  # PT_LOAD R X
    data_va = vbase + 0x1000 + data_off
    phdrs.append((1, 6, data_off, data_va, 0x40, 0x3000, 0x1000))  # PT_LOAD RW + bss
    phdrs.append((0x6474e551, 6 | (1 if stack_x else 0), 0, 0, 0, 0, 16))  # PT_GNU_STACK
    eh = b'\x7fELF' + bytes([2, 1, 1]) + bytes(9)
    eh += struct.pack('<HHIQQQIHHHHHH', etype, 62, 1, vbase + 0x180, 64, 0, 0, 64, 56, nph,
                      64, 0, 0)
    body = bytearray(eh + b''.join(struct.pack('<IIQQQQQQ', t, fl, off, va, va, fs, ms, al)
                                   for t, fl, off, va, fs, ms, al in phdrs))
    assert len(body) <= 0x180
    body += bytes(0x180 - len(body)) + b'\x0f\x05' * 0x40  # text: syscalls
    if interp is not None:
        body += interp.encode() + b'\0'
    body += bytes(data_off - len(body)) + b'D' * 0x40
    return bytes(body)


put('loader', 'static', elf())
put('loader', 'static-pie', elf(etype=3, vbase=0))
put('loader', 'exec-stack', elf(stack_x=True))
put('loader', 'dynamic', elf(etype=3, vbase=0, interp='/lib/ld-musl-x86_64.so.1') +
    b'ELHINTERP' + elf(etype=3, vbase=0))
put('loader', 'script', b'#!/bin/sh -e\necho hi\n')
put('loader', 'script-tabs', b'#! \t/usr/bin/env  python3 \t\n')
put('loader', 'script-long', b'#!/' + b'x' * 300)


# ---- syscall: a call, its registers, the fake kernel's script, the arena ----

def call(name, regs, script=b'', arena=b''):
    regs = list(regs) + [0] * (6 - len(regs))
    return struct.pack('<HB5x6Q', NR[name], len(script), *regs) + script + arena


def at(arena, off, data):
    arena = bytearray(arena)
    if len(arena) < off + len(data):
        arena += bytes(off + len(data) - len(arena))
    arena[off:off + len(data)] = data
    return bytes(arena)


def iov(*pairs):
    return b''.join(struct.pack('<QQ', BASE + o, n) for o, n in pairs)


def msghdr(name_off, namelen, iov_off, iovlen, ctl_off, ctllen):
    return struct.pack('<QI4xQQQQi4x', BASE + name_off if name_off else 0, namelen,
                       BASE + iov_off, iovlen, BASE + ctl_off if ctl_off else 0, ctllen, 0)


def rights(*fds):
    n = 4 * len(fds)
    return struct.pack('<Qii', 16 + n, 1, 1) + b''.join(struct.pack('<i', f) for f in fds)


a = at(b'', 0x100, iov((0x1000, 16), (0x1100, 32)))
put('syscall', 'readv', call('readv', [3, BASE + 0x100, 2], b'\x10', a))
put('syscall', 'writev', call('writev', [1, BASE + 0x100, 2], b'\x85', a))
put('syscall', 'preadv', call('preadv', [3, BASE + 0x100, 2, 0], b'\x01', a))
m = at(at(at(b'', 0x40, msghdr(0x200, 16, 0x100, 2, 0x300, 64)), 0x100,
          iov((0x1000, 16), (0x1100, 32))), 0x300, rights(3, 4))
put('syscall', 'sendmsg', call('sendmsg', [3, BASE + 0x40, 0], b'\x08', m))
put('syscall', 'recvmsg', call('recvmsg', [3, BASE + 0x40, 0],
                               b'\x00\x10\x01\x02\x02\x05\x01\x01\x40\x00\x08', m))
mm = at(at(at(b'', 0x40, msghdr(0x200, 16, 0x100, 1, 0x300, 32) + bytes(8) +
              msghdr(0, 0, 0x110, 1, 0x340, 32) + bytes(8)), 0x100,
           iov((0x1000, 16), (0x1100, 32))), 0x300, rights(5))
put('syscall', 'sendmmsg', call('sendmmsg', [3, BASE + 0x40, 2, 0], b'\x01\x04\x04', mm))
put('syscall', 'recvmmsg', call('recvmmsg', [3, BASE + 0x40, 2, 0, 0],
                                b'\x01\x00\x08\x01\x01\x03\x04\x00\x08\x00', mm))
sin = struct.pack('<HH4s8x', 2, 0x5000, bytes([127, 0, 0, 1]))
put('syscall', 'bind', call('bind', [3, BASE + 0x200, 16], b'\x00', at(b'', 0x200, sin)))
put('syscall', 'connect', call('connect', [3, BASE + 0x200, 16], b'\x81', at(b'', 0x200, sin)))
put('syscall', 'sendto', call('sendto', [3, BASE + 0x1000, 8, 0, BASE + 0x200, 16], b'\x08',
                              at(b'', 0x200, sin)))
lenbuf = at(b'', 0x400, struct.pack('<i', 16))
put('syscall', 'recvfrom', call('recvfrom', [3, BASE + 0x1000, 64, 0, BASE + 0x200,
                                             BASE + 0x400], b'\x10\x10', lenbuf))
put('syscall', 'accept4', call('accept4', [3, BASE + 0x200, BASE + 0x400, 0x80000], b'\x00\x6e\x02',
                               lenbuf))
put('syscall', 'getsockname', call('getsockname', [3, BASE + 0x200, BASE + 0x400], b'\x00\x10',
                                   lenbuf))
put('syscall', 'getsockopt', call('getsockopt', [3, 1, 7, BASE + 0x200, BASE + 0x400], b'\x00\x04',
                                  lenbuf))
fprog = at(at(b'', 0x200, struct.pack('<H6xQ', 2, BASE + 0x300)), 0x300,
           struct.pack('<HBBI', 6, 0, 0, 0xffff) * 2)
put('syscall', 'setsockopt-filter', call('setsockopt', [3, 1, 26, BASE + 0x200, 16], b'\x00', fprog))
put('syscall', 'setsockopt', call('setsockopt', [3, 1, 2, BASE + 0x200, 4], b'\x00',
                                  at(b'', 0x200, struct.pack('<i', 1))))
put('syscall', 'socketpair', call('socketpair', [1, 1, 0, BASE + 0x200], b'\x00\x02\x03'))
put('syscall', 'read', call('read', [0, BASE + 0x1000, 64], b'\x10'))
put('syscall', 'nanosleep', call('nanosleep', [BASE + 0x200, BASE + 0x300], b'\x00',
                                 at(b'', 0x200, struct.pack('<qq', 0, 1000))))
put('syscall', 'poll', call('poll', [BASE + 0x200, 2, 0], b'\x01',
                            at(b'', 0x200, struct.pack('<ihhihh', 0, 1, 0, 1, 4, 0))))
put('syscall', 'ppoll', call('ppoll', [BASE + 0x200, 1, BASE + 0x300, BASE + 0x400, 8], b'\x01',
                             at(b'', 0x200, struct.pack('<ihh', 0, 1, 0))))
put('syscall', 'select', call('select', [4, BASE + 0x200, BASE + 0x280, 0, BASE + 0x300], b'\x01',
                              at(b'', 0x200, b'\x0f')))
put('syscall', 'epoll_wait', call('epoll_wait', [3, BASE + 0x200, 4, 0], b'\x02'))


# ---- exitless: guest actions on the shared area ----

def sqe(nr, args, state=1, owner=100, notify=0, interrupt=0):
    args = list(args) + [0] * (6 - len(args))
    e = struct.pack('<IIIIq6QqIIIII', state, 0, owner, 0, nr, *args, 0, interrupt, 0, 0, 0,
                    notify)
    return e + bytes(128 - len(e))


SHARED = 37 * 1024  # above sizeof(struct elh_shared): where guest data goes


def submit(slot, e):
    return b'\x00' + bytes([slot]) + e


def poke(off, data):
    # fuzz-exitless.c puts it at sizeof(struct elh_shared) + off (mod its room).
    return b'\x01' + struct.pack('<H', off) + data + bytes(64 - len(data))


put('exitless', 'getpid', b'\x00' + submit(0, sqe(NR['getpid'], [])))
put('exitless', 'two-slots', b'\x02\x05\x81' + submit(3, sqe(NR['read'], [0, BASE + 0x10000, 8])) +
    submit(255, sqe(NR['write'], [1, BASE + 0x10000, 8], notify=1)))
put('exitless', 'not-allowed', b'\x00' + submit(1, sqe(NR['clone'], [0x11, 0, 0, 0, 0])) +
    submit(2, sqe(-1, [])) + submit(4, sqe(600, [])))
put('exitless', 'needs-vcpu', b'\x00' + submit(7, sqe(NR['ppoll'], [0, 0, 0, BASE + 0x10000, 8])))
put('exitless', 'blocking', b'\x01\x80' + submit(9, sqe(NR['read'], [0, BASE + 0x10000, 8],
                                                        interrupt=2)))
put('exitless', 'states', b'\x00' + submit(5, sqe(NR['getpid'], [], state=0)) +
    submit(6, sqe(NR['getpid'], [], state=2)) + submit(8, sqe(NR['getpid'], [], state=3)))
put('exitless', 'interrupt', b'\x00' + b'\x02' + struct.pack('<QB', 3, 1) + b'\x02' +
    struct.pack('<QB', 256, 0) + b'\x04' + struct.pack('<IB', 100, 1))
put('exitless', 'thread-exit', b'\x00' + submit(10, sqe(NR['getpid'], [], state=3, owner=42)) +
    b'\x03' + struct.pack('<I', 42))
put('exitless', 'writev', b'\x01\x10' +
    poke(0, struct.pack('<QQ', BASE + SHARED + 0x100, 16)) +
    submit(11, sqe(NR['writev'], [1, BASE + SHARED + 0, 1])))


# ---- insn: registers, then code at rip ----

def regs(**kw):
    names = ('rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip rflags '
             'fs_base gs_base').split()
    r = dict(rax=0x10000, rbx=0x20000, rsi=0x30000, rdi=0x40000, rsp=0x7fff0000, rip=0x401000,
             rflags=0x202, fs_base=0x500000)
    r.update(kw)
    return struct.pack('<20Q', *(r.get(n, 0) for n in names))


for name, code in [('movb-store', b'\xc6\x00\x77'), ('movq-sib', b'\x48\x8b\x44\x83\x10'),
                   ('riprel', b'\x8b\x05\x00\x01\x00\x00'), ('fs', b'\x64\x48\x8b\x04\x25\x28\0\0\0'),
                   ('push', b'\x50'), ('call', b'\xe8\0\0\0\0'), ('ret', b'\xc3'),
                   ('movs', b'\xf3\xa4'), ('sgdt', b'\x0f\x01\x00'), ('sidt', b'\x0f\x01\x08'),
                   ('smsw-reg', b'\x0f\x01\xe0'), ('smsw-mem', b'\x66\x0f\x01\x20'),
                   ('sldt', b'\x0f\x00\xc0'), ('str', b'\x0f\x00\x08'),
                   ('avx', b'\xc5\xfc\x11\x00'), ('nop', b'\x90')]:
    put('insn', name, regs() + code)
