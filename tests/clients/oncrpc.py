"""
ONC RPC calls (RFC 5531) for the integration tests' small Python
clients: an AUTH_UNIX call over TCP (record marking, section 11) or UDP,
from an optional source address and reserved port, and the results of
an accepted, successful reply.  The shell tests put this folder on
PYTHONPATH.
"""
import errno
import os
import random
import socket
import struct
import sys


def opaque(b):
    """XDR variable-length opaque: length, bytes, padding to 4."""
    return struct.pack(">I", len(b)) + b + b"\0" * (-len(b) % 4)


def u32(b, off):
    return struct.unpack(">I", b[off:off + 4])[0]


def auth_unix(machine, uid):
    """AUTH_UNIX credential (flavor 1) with uid = gid and one group."""
    body = struct.pack(">I", 0) + opaque(machine) + \
        struct.pack(">IIII", uid, uid, 1, uid)
    return struct.pack(">I", 1) + opaque(body)


def _socket(kind, src, reserved):
    """A socket bound to src (and a port below 1024 if reserved)."""
    if src is None and not reserved:
        return socket.socket(socket.AF_INET, kind)
    for _ in range(50):
        s = socket.socket(socket.AF_INET, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((src or "0.0.0.0",
                    random.randint(600, 1000) if reserved else 0))
            return s
        except OSError as e:
            s.close()
            if e.errno != errno.EADDRINUSE:
                raise
    raise OSError(errno.EADDRINUSE, "no free reserved port")


def _read_record(s):
    rec, last = b"", False
    while not last:
        hdr = b""
        while len(hdr) < 4:
            got = s.recv(4 - len(hdr))
            if not got:
                raise EOFError("connection closed")
            hdr += got
        mark = struct.unpack(">I", hdr)[0]
        last, n = bool(mark & 0x80000000), mark & 0x7fffffff
        frag = b""
        while len(frag) < n:
            got = s.recv(n - len(frag))
            if not got:
                raise EOFError("connection closed")
            frag += got
        rec += frag
    return rec


def call(port, prog, vers, proc, body, uid=0, machine=b"test",
         udp=False, src=None, reserved=False, host="127.0.0.1"):
    """One call; the whole reply message."""
    xid = struct.unpack(">I", os.urandom(4))[0]
    msg = struct.pack(">IIIIII", xid, 0, 2, prog, vers, proc) + \
        auth_unix(machine, uid) + struct.pack(">II", 0, 0) + body
    s = _socket(socket.SOCK_DGRAM if udp else socket.SOCK_STREAM, src,
                reserved)
    s.settimeout(20)
    try:
        if udp:
            s.sendto(msg, (host, port))
            return s.recv(65536)
        s.connect((host, port))
        s.sendall(struct.pack(">I", 0x80000000 | len(msg)) + msg)
        return _read_record(s)
    finally:
        s.close()


def results(rec):
    """The results of an accepted, successful reply; exits otherwise."""
    if len(rec) < 24 or u32(rec, 8) != 0:
        sys.exit("rpc error")
    vlen = u32(rec, 16)
    off = 20 + vlen + (-vlen % 4)
    if u32(rec, off) != 0:
        sys.exit("rpc error")
    return rec[off + 4:]
