#!/usr/bin/env python3
"""A stand-in for dittofs-gssd in smbd's tests, of common/gssd_msg.x's
shape, used only while no dittofs-gssd is built: it listens on
RUNDIR/gssd.sock, answers HELLO, and takes any SPNEGO token.  The first
GSSD_ACCEPT of a context gets GSSD_CONTINUE with a token "stub-challenge"
and context 1; the second gets GSSD_COMPLETE with the identity and the
session key given on the command line.  A token "deny" gets GSSD_DENIED;
an empty one with no context, what gssd offers without a keytab (a
NegTokenInit naming NTLMSSP, which smbd's NEGOTIATE carries).
It authenticates nothing: it lets the tests drive smbd's session, tree
and file commands and check its signatures with a key they know.

usage: gssd-stub.py RUNDIR UID GID SESSIONKEYHEX
"""
import os
import socket
import struct
import sys

IPC_HELLO, IPC_HELLO_REPLY, IPC_ERROR = 1, 2, 3
GSSD_ACCEPT, GSSD_ACCEPT_REPLY = 400, 420
NTLMSSP_HINT = bytes.fromhex("601c06062b0601050502a0123010a00e300c060a"
                             "2b06010401823702020a")
IPC_F_REPLY = 2
# gssd_accept_reply.expires: 0, a login that does not expire (NTLMSSP).
NO_EXPIRY = struct.pack(">Q", 0)

rundir, uid, gid, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    bytes.fromhex(sys.argv[4])
path = os.path.join(rundir, "gssd.sock")


def xdr_opaque(b):
    return struct.pack(">I", len(b)) + b + b"\0" * ((4 - len(b) % 4) % 4)


def xdr_string(s):
    return xdr_opaque(s.encode())


def read_opaque(b, pos):
    n = struct.unpack_from(">I", b, pos)[0]
    return b[pos + 4:pos + 4 + n], pos + 4 + n + (4 - n % 4) % 4


def send(c, typ, rid, flags, body):
    c.sendall(struct.pack("<IIIHH", typ, len(body), rid, flags, 0) + body)


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        k = c.recv(n - len(b))
        if not k:
            raise EOFError
        b += k
    return b


def serve(c):
    stage = {}
    while True:
        typ, ln, rid, flags, _r = struct.unpack("<IIIHH", recv_exact(c, 16))
        body = recv_exact(c, ln) if ln else b""
        if typ == IPC_HELLO:
            send(c, IPC_HELLO_REPLY, rid, IPC_F_REPLY,
                 struct.pack(">III", 8, 2, os.getpid()) +
                 xdr_string("gssd-stub"))
            continue
        if typ != GSSD_ACCEPT:
            send(c, IPC_ERROR, rid, IPC_F_REPLY,
                 struct.pack(">i", 38) + xdr_string("not in the stub"))
            continue
        ctx, mech = struct.unpack_from(">QI", body, 0)
        _svc, pos = read_opaque(body, 12)
        token, pos = read_opaque(body, pos)
        if token == b"deny":
            rep = struct.pack(">IQ", 2, 0) + xdr_opaque(b"") + \
                struct.pack(">I", 0) + xdr_opaque(b"") + \
                struct.pack(">II", 0, 0) + xdr_opaque(b"") + \
                xdr_string("") + xdr_string("") + NO_EXPIRY
        elif ctx == 0 and token == b"":
            # What gssd offers without a keytab (MS-SPNG 3.2.5.2): a
            # NegTokenInit naming NTLMSSP, smbd's NEGOTIATE hint.
            rep = struct.pack(">IQ", 1, 0) + xdr_opaque(NTLMSSP_HINT) + \
                struct.pack(">I", 0) + xdr_opaque(b"") + \
                struct.pack(">II", 0, 0) + xdr_opaque(b"") + \
                xdr_string("") + xdr_string("") + NO_EXPIRY
        elif ctx == 0:
            stage[1] = True
            rep = struct.pack(">IQ", 1, 1) + xdr_opaque(b"stub-challenge") + \
                struct.pack(">I", 0) + xdr_opaque(b"") + \
                struct.pack(">II", 0, 0) + xdr_opaque(b"") + \
                xdr_string("") + xdr_string("") + NO_EXPIRY
        else:
            rep = struct.pack(">IQ", 0, ctx) + xdr_opaque(b"") + \
                struct.pack(">I", 4) + xdr_opaque(key) + \
                struct.pack(">II", uid, gid) + \
                struct.pack(">II", 1, gid) + \
                xdr_string("stubuser") + xdr_string("STUB") + NO_EXPIRY
        send(c, GSSD_ACCEPT_REPLY, rid, IPC_F_REPLY, rep)


def main():
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.listen(4)
    # One peer at a time: smbd keeps one channel, and reconnects.
    while True:
        c, _ = s.accept()
        try:
            serve(c)
        except (EOFError, ConnectionResetError):
            pass
        c.close()


if __name__ == "__main__":
    main()
