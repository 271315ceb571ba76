#!/usr/bin/env python3
"""A small SMB2 client of our own for dittofs-smbd's tests (MS-SMB2).

usage: smb2probe.py PORT COMMAND [ARGS]

Each command opens one connection to 127.0.0.1:PORT, sends what it
names and prints one line the test compares:

  negotiate D[,D...]  NEGOTIATE with these dialects (hex: 202 210 300
                      302 311): STATUS DIALECT SECMODE CTX SIGN HINT
  smb1 [002]          SMB1 NEGOTIATE naming "SMB 2.???" (or only "SMB
                      2.002"): DIALECT of the SMB2 response
  smb1bad             SMB1 NEGOTIATE naming no SMB2 dialect: CLOSED
  echo                NEGOTIATE, then ECHO: ECHO status
  compound N          NEGOTIATE, then N ECHOs in one chain: statuses
  badnext             a chain whose NextCommand points past the frame
  badhdr              a header with a wrong StructureSize
  badmid              a message id outside the credit window
  replaymid           a message id used twice
  early               ECHO before NEGOTIATE: its status
  session             SESSION_SETUP with an NTLMSSP NEGOTIATE token
  badsetup            SESSION_SETUP whose buffer lies past the message
  bigframe            a frame length above the limit
  dupctx              3.1.1 with two preauth contexts
  nosha512            3.1.1 whose preauth context lacks SHA-512
  nosession CMD       a command (create, read, treeconnect) with an
                      unknown session id: its status
  unknown             an unknown command number: its status
  credits N           NEGOTIATE asking N credits: the credits granted
  alive               NEGOTIATE answers: ALIVE
"""
import os
import socket
import struct
import sys

PORT = int(sys.argv[1])
CMD = sys.argv[2]
ARGS = sys.argv[3:]

NEGOTIATE, SESSION_SETUP, TREE_CONNECT, CREATE, READ, ECHO = 0, 1, 3, 5, 8, 13


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return s


def send_frame(s, data):
    s.sendall(struct.pack(">I", len(data)) + data)


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def recv_frame(s):
    hdr = recv_exact(s, 4)
    n = struct.unpack(">I", hdr)[0] & 0xFFFFFF
    return recv_exact(s, n)


def header(cmd, mid, credits=1, flags=0, next_cmd=0, sid=0, tid=0,
           charge=1, size=64):
    return (b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", size, charge, 0, cmd,
            credits, flags, next_cmd, mid, 0, tid, sid) + b"\0" * 16)


def parse(msg):
    (size, charge, status, cmd, credits, flags, nxt, mid, _r, tid,
     sid) = struct.unpack_from("<HHIHHIIQIIQ", msg, 4)
    return {"status": status, "cmd": cmd, "credits": credits,
            "flags": flags, "next": nxt, "mid": mid, "sid": sid,
            "tid": tid, "body": msg[64:]}


def pad8(b):
    return b + b"\0" * ((8 - len(b) % 8) % 8)


def negotiate_body(dialects, contexts=None):
    body = struct.pack("<HHHHI16sIHH", 36, len(dialects), 1, 0, 0x7f,
                       os.urandom(16), 0, 0, 0)
    body += b"".join(struct.pack("<H", d) for d in dialects)
    if contexts is None and 0x311 in dialects:
        contexts = default_contexts()
    if contexts:
        msg_len = 64 + len(body)
        off = (msg_len + 7) & ~7
        body += b"\0" * (off - msg_len)
        body = body[:28] + struct.pack("<IHH", off, len(contexts), 0) + \
            body[36:]
        blob = b""
        for i, (t, data) in enumerate(contexts):
            if i:
                blob = pad8(blob)
            blob += struct.pack("<HHI", t, len(data), 0) + data
        body += blob
    return body


def default_contexts():
    pre = struct.pack("<HHH", 1, 32, 1) + os.urandom(32)
    enc = struct.pack("<HHH", 2, 2, 1)
    sign = struct.pack("<HHH", 2, 2, 1)
    net = "127.0.0.1".encode("utf-16-le")
    return [(1, pre), (2, enc), (8, sign), (5, net)]


def do_negotiate(s, dialects, contexts=None, credits=1):
    send_frame(s, header(NEGOTIATE, 0, credits=credits) +
               negotiate_body(dialects, contexts))
    return parse(recv_frame(s))


def expect_closed(s, data):
    try:
        send_frame(s, data)
        s.settimeout(10)
        while True:
            recv_frame(s)
    except (EOFError, ConnectionResetError, BrokenPipeError):
        return "CLOSED"
    except socket.timeout:
        return "OPEN"


def main():
    s = connect()
    out = ""
    all_dialects = [0x202, 0x210, 0x300, 0x302, 0x311]
    if CMD == "negotiate":
        ds = [int(x, 16) for x in ARGS[0].split(",")]
        r = do_negotiate(s, ds)
        b = r["body"]
        if r["status"] != 0:
            out = "STATUS 0x%x" % r["status"]
        else:
            (_sz, mode, dialect, nctx) = struct.unpack_from("<HHHH", b, 0)
            (boff, blen, coff) = struct.unpack_from("<HHI", b, 56)
            hint = b[boff - 64:boff - 64 + blen]
            ctx, sign = [], "-"
            pos = coff - 64
            for i in range(nctx):
                if i:
                    pos = (pos + 7) & ~7
                (t, dl) = struct.unpack_from("<HH", b, pos)
                data = b[pos + 8:pos + 8 + dl]
                ctx.append(str(t))
                if t == 8:
                    sign = str(struct.unpack_from("<H", data, 2)[0])
                pos += 8 + dl
            ntlm = b"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a" in hint
            out = "STATUS 0x0 DIALECT %x SECMODE %d CTX %s SIGN %s HINT %s" % (
                dialect, mode, ",".join(ctx) or "-", sign,
                "ntlmssp" if ntlm and hint[:1] == b"\x60" else "none")
    elif CMD in ("smb1", "smb1bad"):
        names = [b"NT LM 0.12"]
        if CMD == "smb1":
            names += [b"SMB 2.002"] if ARGS[:1] == ["002"] else \
                [b"SMB 2.002", b"SMB 2.???"]
        data = b"".join(b"\x02" + n + b"\0" for n in names)
        smb1 = (b"\xffSMB\x72" + b"\0" * 27 + b"\0" +
                struct.pack("<H", len(data)) + data)
        if CMD == "smb1bad":
            out = expect_closed(s, smb1)
        else:
            send_frame(s, smb1)
            r = parse(recv_frame(s))
            out = "DIALECT %x" % struct.unpack_from("<H", r["body"], 4)[0]
    elif CMD == "echo":
        do_negotiate(s, all_dialects)
        send_frame(s, header(ECHO, 1) + struct.pack("<HH", 4, 0))
        out = "ECHO 0x%x" % parse(recv_frame(s))["status"]
    elif CMD == "compound":
        n = int(ARGS[0])
        do_negotiate(s, all_dialects, credits=64)
        msgs = []
        for i in range(n):
            msgs.append(header(ECHO, 1 + i) + struct.pack("<HH", 4, 0))
        frame = b""
        for i, m in enumerate(msgs):
            if i + 1 < len(msgs):
                m = pad8(m)
                m = m[:20] + struct.pack("<I", len(m)) + m[24:]
            frame += m
        send_frame(s, frame)
        f = recv_frame(s)
        sts, pos = [], 0
        while True:
            r = parse(f[pos:])
            sts.append("0x%x" % r["status"])
            if r["next"] == 0:
                break
            pos += r["next"]
        out = "COMPOUND " + " ".join(sts)
    elif CMD == "badnext":
        do_negotiate(s, all_dialects, credits=8)
        m = header(ECHO, 1, next_cmd=4096) + struct.pack("<HH", 4, 0)
        out = expect_closed(s, pad8(m) + header(ECHO, 2) +
                            struct.pack("<HH", 4, 0))
    elif CMD == "badhdr":
        do_negotiate(s, all_dialects)
        out = expect_closed(s, header(ECHO, 1, size=60) +
                            struct.pack("<HH", 4, 0))
    elif CMD == "badmid":
        do_negotiate(s, all_dialects)
        out = expect_closed(s, header(ECHO, 1000) + struct.pack("<HH", 4, 0))
    elif CMD == "replaymid":
        do_negotiate(s, all_dialects, credits=8)
        send_frame(s, header(ECHO, 1) + struct.pack("<HH", 4, 0))
        recv_frame(s)
        out = expect_closed(s, header(ECHO, 1) + struct.pack("<HH", 4, 0))
    elif CMD == "early":
        send_frame(s, header(ECHO, 0) + struct.pack("<HH", 4, 0))
        out = "STATUS 0x%x" % parse(recv_frame(s))["status"]
    elif CMD in ("session", "badsetup"):
        do_negotiate(s, all_dialects)
        tok = b"NTLMSSP\0" + struct.pack("<I", 1) + b"\0" * 28
        off = 64 + 24 if CMD == "session" else 4000
        body = struct.pack("<HBBIIHHQ", 25, 0, 1, 0, 0, off, len(tok), 0)
        send_frame(s, header(SESSION_SETUP, 1) + body + tok)
        r = parse(recv_frame(s))
        out = "STATUS 0x%x" % r["status"]
    elif CMD == "bigframe":
        do_negotiate(s, all_dialects)
        try:
            s.sendall(struct.pack(">I", 0xFFFFFF) + b"\xfeSMB")
            out = expect_closed(s, b"")
        except (BrokenPipeError, ConnectionResetError):
            out = "CLOSED"
    elif CMD in ("dupctx", "nosha512"):
        pre = struct.pack("<HHH", 1, 32, 1) + os.urandom(32)
        if CMD == "dupctx":
            ctx = [(1, pre), (1, pre)]
        else:
            ctx = [(1, struct.pack("<HHH", 1, 0, 7))]
        r = do_negotiate(s, [0x311], ctx)
        out = "STATUS 0x%x" % r["status"]
    elif CMD == "nosession":
        do_negotiate(s, all_dialects, credits=4)
        what = ARGS[0]
        if what == "create":
            body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0,
                               0x80000000, 0, 7, 1, 0, 64 + 56, 0, 0, 0)
            m = header(CREATE, 1, sid=0x1234, tid=1) + body + b"\0"
        elif what == "read":
            body = struct.pack("<HBBIQQQIIIHHB", 49, 0, 0, 16, 0, 1, 1, 0,
                               0, 0, 0, 0, 0)
            m = header(READ, 1, sid=0x1234, tid=1) + body
        else:
            path = "\\\\127.0.0.1\\export".encode("utf-16-le")
            body = struct.pack("<HHHH", 9, 0, 64 + 8, len(path)) + path
            m = header(TREE_CONNECT, 1, sid=0x1234) + body
        send_frame(s, m)
        out = "STATUS 0x%x" % parse(recv_frame(s))["status"]
    elif CMD == "unknown":
        do_negotiate(s, all_dialects)
        send_frame(s, header(0x55, 1) + struct.pack("<HH", 4, 0))
        out = "STATUS 0x%x" % parse(recv_frame(s))["status"]
    elif CMD == "credits":
        r = do_negotiate(s, all_dialects, credits=int(ARGS[0]))
        out = "CREDITS %d" % r["credits"]
    elif CMD == "alive":
        r = do_negotiate(s, all_dialects)
        out = "ALIVE" if r["status"] == 0 else "STATUS 0x%x" % r["status"]
    else:
        sys.exit("unknown command " + CMD)
    print(out)


if __name__ == "__main__":
    try:
        main()
    except (EOFError, ConnectionResetError):
        print("CLOSED")
    except socket.timeout:
        print("TIMEOUT")
