#!/usr/bin/env python3
"""
nfs4probe: a small NFSv4.0 client (RFC 7530) for test_nfs4.sh, for what
libnfs cannot send: raw COMPOUNDs through the pseudo file system, minor
version and op-number errors, and the state ops with their seqids.
One command per run; what a later run needs (client id, stateid, file
handle, seqids) is kept in a JSON state file.

  nfs4probe PORT path P1/P2/...      PUTROOTFH + LOOKUPs + GETATTR + GETFH:
                                     "OK type T fsid MAJ:MIN fileid F
                                      mounted_on M fh HEX" or "ERR n"
  nfs4probe PORT fhpath HEX [NAME..] PUTFH + LOOKUPs + GETATTR + GETFH,
                                     printed as "path" prints
  nfs4probe PORT mkdir P NAME        CREATE directory NAME in P: "MKDIR 0
                                     fh HEX" or "MKDIR n"
  nfs4probe PORT minor N             COMPOUND of minorversion N: "STATUS n"
  nfs4probe PORT afterfail           PUTROOTFH, LOOKUP of a missing name,
                                     GETFH: "STATUS n RESULTS k"
  nfs4probe PORT illegal             op 9999: "STATUS n RESULTS k OP o"
  nfs4probe PORT secinfo P1 NAME     SECINFO of NAME: "STATUS n FLAVORS ..."
  nfs4probe PORT open STATE P/NAME   SETCLIENTID(+CONFIRM), OPEN (create
                                     UNCHECKED, rw), OPEN_CONFIRM; the
                                     OPEN is then sent again with the same
                                     seqid: "OPEN ok REPLAY same|differs"
  nfs4probe PORT openhow STATE P/NAME guarded|exclusive
                                     OPEN creating GUARDED4 / EXCLUSIVE4,
                                     sent again with the same seqid: "OPEN
                                     ok REPLAY same FH same" (EXCLUSIVE4
                                     then "AGAIN ok": the same verifier,
                                     the next seqid)
  nfs4probe PORT write STATE DATA    PUTFH + WRITE (FILE_SYNC) + READ with
                                     the kept stateid: "READ data"
  nfs4probe PORT reads STATE N       N COMPOUNDs of PUTFH + READ with the
                                     kept stateid: "READS N ok" or "ERR n"
  nfs4probe PORT ops N [TAG]         PUTROOTFH and N - 1 GETFH, tagged TAG:
                                     "STATUS s RESULTS r"
  nfs4probe PORT null                NULL of version 4: "OK" or
                                     "PROG_MISMATCH low high"
  nfs4probe PORT meta P N            N COMPOUNDs of PUTROOTFH, LOOKUPs of
                                     P, ACCESS, GETATTR change and size:
                                     "META N ok access A change C size S"
  nfs4probe PORT btime P             PUTROOTFH, LOOKUPs of P, GETATTR
                                     time_create: "BTIME sec nsec"
  nfs4probe PORT readmid STATE       PUTFH, READ, GETFH: "READ data NEXT n"
  nfs4probe PORT readat STATE OFF N  PUTFH + READ of N bytes at OFF, then
                                     GETFH (the READ's padding and eof in
                                     the reply's middle): "READ eof E len L
                                     DATA NEXT n"
  nfs4probe PORT anonread STATE      READ with the anonymous stateid
  nfs4probe PORT commit STATE DATA   PUTFH + WRITE (UNSTABLE) + COMMIT:
                                     "COMMIT ok same" (same verifiers)
  nfs4probe PORT lock STATE OFF LEN  LOCK (write) as a new lock owner:
                                     "LOCK ok" or "LOCK denied" / "ERR n"
  nfs4probe PORT lockt STATE OFF LEN LOCKT (write): "LOCKT ok|denied"
  nfs4probe PORT locku STATE OFF LEN LOCKU of the kept lock stateid
  nfs4probe PORT close STATE         CLOSE: "CLOSE ok" or "ERR n"
  nfs4probe PORT dirops P            in share P: CREATE directory d1, RENAME
                                     it to d2, REMOVE d2, LOOKUP d2:
                                     "CREATE n RENAME n REMOVE n LOOKUP n"
  nfs4probe PORT truncate STATE SIZE [bad]
                                     SETATTR of the size with the kept (or a
                                     changed) stateid, GETATTR size:
                                     "SIZE n" or "ERR n"
  nfs4probe PORT acl STATE          SETATTR of an acl (OWNER@ all but
                                     WRITE_ACL..., EVERYONE@ READ_DATA),
                                     then GETATTR acl: "ACL who:type:mask ..."
                                     or "ERR n"
  nfs4probe PORT garbage N SEED     N COMPOUNDs of random ops (PUTROOTFH,
                                     then known op numbers with random
                                     argument bytes): "SENT n ANSWERED a"
  nfs4probe PORT badstateid STATE    WRITE with the open's stateid changed
                                     in its last byte: "ERR n"

  nfs4probe PORT readdir P N [MAX]  N whole listings of P (READDIR from
                                     cookie 0 to eof, maxcount MAX, default
                                     32768, with type, mode, fileid, size):
                                     "READDIR N ok entries E names a,b,..
                                      calls C" (the last listing's, sorted;
                                     C READDIRs in all) or "ERR n"
  nfs4probe PORT v3create P NAME     NFSv3 CREATE (UNCHECKED, mode 0644)
                                     of NAME in P's handle: "V3CREATE n"
  nfs4probe PORT v3remove P NAME     NFSv3 REMOVE of NAME in P's handle:
                                     "V3REMOVE n"
  nfs4probe PORT getacl P            GETATTR acl of P: "ACL who:type:flags:
                                     mask ..." (hex flags and mask) or "ERR n"
  nfs4probe PORT setacl P ACE...     SETATTR acl of P to the ACEs, each
                                     "who:type:flags:mask" as getacl prints
                                     them: "SETACL n"
  nfs4probe PORT v3write P UID DATA  NFSv3 WRITE (FILE_SYNC) of DATA at 0 to
                                     P's handle as UID: "V3WRITE n"
  nfs4probe PORT opens P/NAME N [UID [ACCESS]]
                                     as UID (default 0), a client of its
                                     own: N x (OPEN with no create, ACCESS
                                     default 1 = read, GETFH, GETATTR;
                                     OPEN_CONFIRM when asked; CLOSE):
                                     "OPENS N ok" or "ERR n"
  nfs4probe PORT chmod P/NAME MODE   SETATTR of the mode (octal), the
                                     anonymous stateid: "CHMOD n"
  nfs4probe PORT remove P NAME       REMOVE of NAME in P: "REMOVE n"
Delegations (RFC 7530 10.2-10.4): client A runs a callback server (an
ONC RPC TCP listener answering CB_NULL and CB_COMPOUND, recording each
CB_RECALL) and opens P/NAME for reading; client B has no callback.
  nfs4probe PORT deleg P/NAME MODE   A's grant, then the conflict of MODE:
      v4       B OPENs for writing: "GRANT read READ ok CONFLICT 10008
               RECALL same RETURN 0 RETRY 0 CLAIMCUR 0" (A's OPEN with
               CLAIM_DELEGATE_CUR before its DELEGRETURN)
      v3       an NFSv3 WRITE of the file (JUKEBOX 10008 first)
      remove   B's v4 REMOVE of the name
      rename   B's v4 RENAME of another file (NAME.src) onto NAME
      truncate B's v4 SETATTR of the size, with the anonymous stateid
      nlm      an NLM write lock (NLM_CLIENT names nlm-client):
               denied_grace_period, counted as 10008
      revoke   A answers CB_RECALL but never returns: B retries until
               the lease has run out ("... RETRY 0 LATE 10025": A's late
               DELEGRETURN and READ find the delegation revoked)
      nocb     A's callback port listens to nobody: "GRANT none"
    With DELEG_HOOK set, that shell command runs between A's grant and
    the conflict (a restart of nfsd).
"""
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

import oncrpc
from oncrpc import opaque, u32

NFS4_OK = 0
OP = dict(ACCESS=3, CLOSE=4, COMMIT=5, CREATE=6, DELEGRETURN=8,
          GETATTR=9, GETFH=10,
          LOCK=12, LOCKT=13, LOCKU=14, LOOKUP=15, OPEN=18, OPEN_CONFIRM=20,
          PUTFH=22, PUTROOTFH=24, READ=25, READDIR=26, REMOVE=28,
          SECINFO=33, SETCLIENTID=35, SETCLIENTID_CONFIRM=36, WRITE=38)


def p32(v):
    return struct.pack(">I", v)


def p64(v):
    return struct.pack(">Q", v)


def compound(port, ops, minor=0, uid=0, tag=b"nfs4probe"):
    body = opaque(tag) + p32(minor) + p32(len(ops)) + b"".join(ops)
    rep = oncrpc.results(oncrpc.call(port, 100003, 4, 1, body, uid=uid,
                                     machine=b"nfs4probe"))
    return Reply(rep)


class Reply:
    """COMPOUND4res: status, tag, then results read in order."""

    def __init__(self, b):
        self.b, self.off = b, 0
        self.why = -1           # OPEN_DELEGATE_NONE_EXT's, when read
        self.status = self.u32()
        self.opaque()
        self.nres = self.u32()

    def u32(self):
        v = u32(self.b, self.off)
        self.off += 4
        return v

    def u64(self):
        v = struct.unpack(">Q", self.b[self.off:self.off + 8])[0]
        self.off += 8
        return v

    def fixed(self, n):
        v = self.b[self.off:self.off + n]
        self.off += n + (-n % 4)
        return v

    def skip_words(self):
        """A counted array of words (a bitmap4): passed over."""
        n = self.u32()
        self.off += 4 * n

    def opaque(self):
        return self.fixed(self.u32())

    def res(self):
        """The next result's op and status."""
        return self.u32(), self.u32()


def putroot():
    return p32(OP["PUTROOTFH"])


def lookup(name):
    return p32(OP["LOOKUP"]) + opaque(name.encode())


def putfh(fh):
    return p32(OP["PUTFH"]) + opaque(fh)


def getfh():
    return p32(OP["GETFH"])


def getattr_(words):
    return p32(OP["GETATTR"]) + p32(len(words)) + b"".join(p32(w)
                                                           for w in words)


def stateid(sid):
    return p32(sid[0]) + bytes.fromhex(sid[1])


def read_stateid(r):
    seq = r.u32()
    other = r.b[r.off:r.off + 12]
    r.off += 12
    return [seq, other.hex()]


def path_ops(path):
    """LOOKUP of each component; ".." is LOOKUPP."""
    return [p32(16) if c == ".." else lookup(c)
            for c in path.strip("/").split("/") if c]


def fail(r, op_status):
    print("ERR %d" % op_status)
    sys.exit(0)


def run_path(port, path):
    ops = [putroot()] + path_ops(path) + \
        [getattr_([1 << 1 | 1 << 8 | 1 << 20, 1 << (55 - 32)]), getfh()]
    r = compound(port, ops)
    if r.status != NFS4_OK:
        print("ERR %d" % r.status)
        return
    for _ in range(len(ops) - 2):
        r.res()
    print_obj(r)


def print_obj(r):
    """GETATTR (type, fsid, fileid, mounted_on_fileid) and GETFH next."""
    r.res()
    r.skip_words()        # the bitmap
    r.u32()                     # attrlist4 length
    typ, maj, mn, fileid, mounted = r.u32(), r.u64(), r.u64(), r.u64(), \
        r.u64()
    r.res()
    fh = r.opaque()
    print("OK type %d fsid %x:%x fileid %x mounted_on %x fh %s" %
          (typ, maj, mn, fileid, mounted, fh.hex()))


def load(path):
    with open(path) as f:
        return json.load(f)


def save(path, st):
    with open(path, "w") as f:
        json.dump(st, f)


def setclientid(port, st, uaddr="127.0.0.1.0.0", uid=0):
    """SETCLIENTID (callback program 0x40000000 over tcp at uaddr; port
    0: none) and SETCLIENTID_CONFIRM."""
    verf = os.urandom(8)
    ops = [p32(OP["SETCLIENTID"]) + verf + opaque(b"nfs4probe-" +
           os.urandom(6).hex().encode()) + p32(0x40000000) +
           opaque(b"tcp") + opaque(uaddr.encode()) + p32(1)]
    r = compound(port, ops, uid=uid)
    r.res()
    if r.status != NFS4_OK:
        fail(r, r.status)
    clientid, confirm = r.u64(), r.fixed(8)
    r = compound(port, [p32(OP["SETCLIENTID_CONFIRM"]) + p64(clientid) +
                        confirm], uid=uid)
    if r.status != NFS4_OK:
        fail(r, r.status)
    st["clientid"] = clientid


CREATEMODE = dict(unchecked=0, guarded=1, exclusive=2)


def open_op(st, name, how="unchecked", verf=b"verf0001"):
    # OPEN4args: seqid, access BOTH, deny NONE, owner, CREATE (UNCHECKED
    # or GUARDED with an empty fattr4, the mode from the server;
    # EXCLUSIVE with a verifier), CLAIM_NULL name.
    mode = CREATEMODE[how]
    createhow = p32(mode) + (verf if mode == 2 else p32(0) + p32(0))
    return p32(OP["OPEN"]) + p32(st["oseq"]) + p32(3) + p32(0) + \
        p64(st["clientid"]) + opaque(b"owner-1") + p32(1) + createhow + \
        p32(0) + opaque(name.encode())


def open_result(r, nops):
    """OPEN4resok (the last op but GETFH of nops): its stateid, rflags,
    read delegation's stateid (or None), and GETFH's handle."""
    for _ in range(nops - 2):
        r.res()
    r.res()
    sid = read_stateid(r)
    r.u32()
    r.u64()
    r.u64()                     # change_info4
    rflags = r.u32()
    r.skip_words()              # attrset
    deleg = None
    if r.u32() == 1:            # OPEN_DELEGATE_READ
        deleg = read_stateid(r)
        r.u32()                 # recall
        r.u32()
        r.u32()
        r.u32()
        r.opaque()              # nfsace4
    r.res()
    return sid, rflags, deleg, r.opaque()


def do_open(port, st, path, how="unchecked", onfail=None):
    d, name = path.rsplit("/", 1)
    ops = [putroot()] + path_ops(d) + [open_op(st, name, how), getfh()]
    r = compound(port, ops)
    if r.status != NFS4_OK:
        if onfail is not None:
            onfail(r.status)
        fail(r, r.status)
    sid, rflags, _, fh = open_result(r, len(ops))
    return ops, sid, rflags, fh


def confirm(port, st, fh, sid, rflags):
    """OPEN_CONFIRM when the OPEN asked for it: the stateid to use."""
    if not rflags & 2:
        return sid
    r = compound(port, [putfh(fh), p32(OP["OPEN_CONFIRM"]) + stateid(sid) +
                        p32(st["oseq"])])
    if r.status != NFS4_OK:
        fail(r, r.status)
    r.res()
    r.res()
    st["oseq"] += 1
    return read_stateid(r)


def cmd_open(port, stfile, path):
    st = {"oseq": 0}
    setclientid(port, st)
    _, sid, rflags, fh = do_open(port, st, path)
    # The same OPEN again, same seqid: the owner's kept reply.
    _, sid2, _, _ = do_open(port, st, path)
    first = sid
    st["oseq"] += 1
    st["fh"] = fh.hex()
    st["sid"] = confirm(port, st, fh, sid, rflags)
    save(stfile, st)
    print("OPEN ok REPLAY %s" % ("same" if sid2 == first else "differs"))


def cmd_openhow(port, stfile, path, how):
    """
    OPEN creating with GUARDED4 or EXCLUSIVE4, then the same OPEN again
    with the same seqid (a retransmission whose first reply was lost):
    "OPEN ok REPLAY same|differs FH same|differs", or "... REPLAY ERR n".
    EXCLUSIVE4 then opens the file once more with the next seqid and the
    same verifier: "AGAIN ok" or "AGAIN ERR n".
    """
    st = {"oseq": 0}
    setclientid(port, st)
    _, sid, rflags, fh = do_open(port, st, path, how)
    out = ["OPEN ok"]

    def again_failed(status):
        print("%s REPLAY ERR %d" % (" ".join(out), status))
        sys.exit(0)
    _, sid2, _, fh2 = do_open(port, st, path, how, again_failed)
    out.append("REPLAY %s FH %s" % ("same" if sid2 == sid else "differs",
                                    "same" if fh2 == fh else "differs"))
    st["oseq"] += 1
    st["fh"] = fh.hex()
    st["sid"] = confirm(port, st, fh, sid, rflags)
    if how == "exclusive":
        def excl_failed(status):
            print("%s AGAIN ERR %d" % (" ".join(out), status))
            sys.exit(0)
        _, sid, _, _ = do_open(port, st, path, how, excl_failed)
        st["oseq"] += 1
        st["sid"] = sid
        out.append("AGAIN ok")
    save(stfile, st)
    print(" ".join(out))


def cmd_write(port, stfile, data):
    st = load(stfile)
    fh, sid, data = bytes.fromhex(st["fh"]), st["sid"], data.encode()
    r = compound(port, [putfh(fh), p32(OP["WRITE"]) + stateid(sid) +
                        p64(0) + p32(2) + opaque(data),
                        p32(OP["READ"]) + stateid(sid) + p64(0) +
                        p32(4096)])
    if r.status != NFS4_OK:
        fail(r, r.status)
    r.res()
    r.res()
    r.u32()
    r.u32()
    r.fixed(8)
    r.res()
    r.u32()
    print("READ %s" % r.opaque().decode(errors="replace"))


def cmd_reads(port, stfile, n):
    """n COMPOUNDs of PUTFH + READ with the kept stateid: "READS n ok"."""
    st = load(stfile)
    fh, sid = bytes.fromhex(st["fh"]), st["sid"]
    for _ in range(n):
        r = compound(port, [putfh(fh), p32(OP["READ"]) + stateid(sid) +
                            p64(0) + p32(4096)])
        if r.status != NFS4_OK:
            fail(r, r.status)
    print("READS %d ok" % n)


def cmd_commit(port, stfile, data):
    """WRITE UNSTABLE at offset 0, then COMMIT: both verifiers alike."""
    st = load(stfile)
    fh, sid, data = bytes.fromhex(st["fh"]), st["sid"], data.encode()
    r = compound(port, [putfh(fh), p32(OP["WRITE"]) + stateid(sid) +
                        p64(0) + p32(0) + opaque(data),
                        p32(OP["COMMIT"]) + p64(0) + p32(0)])
    if r.status != NFS4_OK:
        fail(r, r.status)
    r.res()
    r.res()
    r.u32()
    committed = r.u32()
    wverf = r.fixed(8)
    r.res()
    cverf = r.fixed(8)
    print("COMMIT %s %s" % ("ok" if committed == 0 else "committed=%d" %
                            committed,
                            "same" if wverf == cverf else "differ"))


def cmd_badstateid(port, stfile):
    st = load(stfile)
    # The open's stateid with its last byte changed: no such state.
    other = bytearray.fromhex(st["sid"][1])
    other[-1] ^= 0x5a
    r = compound(port, [putfh(bytes.fromhex(st["fh"])), p32(OP["WRITE"]) +
                        stateid([st["sid"][0], other.hex()]) + p64(0) +
                        p32(2) + opaque(b"x")])
    print("ERR %d" % r.status)


def cmd_lock(port, stfile, off, length):
    st = load(stfile)
    # open_to_lock_owner4: open seqid, open stateid, lock seqid, owner.
    op = p32(OP["LOCK"]) + p32(2) + p32(0) + p64(off) + p64(length) + \
        p32(1) + p32(st["oseq"]) + stateid(st["sid"]) + p32(0) + \
        p64(st["clientid"]) + opaque(b"lockowner-%d" % off)
    r = compound(port, [putfh(bytes.fromhex(st["fh"])), op])
    r.res()
    opnum, status = r.res()
    if status == 10010:
        print("LOCK denied")
        return
    if status != NFS4_OK:
        print("ERR %d" % status)
        return
    st["oseq"] += 1
    st["lsid"] = read_stateid(r)
    st["lseq"] = 1
    save(stfile, st)
    print("LOCK ok")


def cmd_lockt(port, stfile, off, length):
    st = load(stfile)
    op = p32(OP["LOCKT"]) + p32(2) + p64(off) + p64(length) + \
        p64(st["clientid"]) + opaque(b"other-owner")
    r = compound(port, [putfh(bytes.fromhex(st["fh"])), op])
    print("LOCKT %s" % ("ok" if r.status == 0 else "denied"
                        if r.status == 10010 else "ERR %d" % r.status))


def cmd_locku(port, stfile, off, length):
    st = load(stfile)
    op = p32(OP["LOCKU"]) + p32(2) + p32(st["lseq"]) + \
        stateid(st["lsid"]) + p64(off) + p64(length)
    r = compound(port, [putfh(bytes.fromhex(st["fh"])), op])
    if r.status != NFS4_OK:
        fail(r, r.status)
    st["lseq"] += 1
    save(stfile, st)
    print("LOCKU ok")


def cmd_close(port, stfile):
    st = load(stfile)
    r = compound(port, [putfh(bytes.fromhex(st["fh"])), p32(OP["CLOSE"]) +
                        p32(st["oseq"]) + stateid(st["sid"])])
    if r.status != NFS4_OK:
        fail(r, r.status)
    print("CLOSE ok")


# type, mode, fileid, size: words 0 and 1 of a bitmap4.
RD_ATTRS = [1 << 1 | 1 << 4 | 1 << 20, 1 << (33 - 32)]


def cmd_readdir(port, path, n, maxcount):
    """n whole listings of path; the names of the last, sorted."""
    dirfh = lookup_fh(port, path)
    calls = 0
    for _ in range(n):
        cookie, verf, names = 0, b"\0" * 8, []
        while True:
            r = compound(port, [putfh(dirfh), p32(OP["READDIR"]) +
                                p64(cookie) + verf + p32(maxcount // 4) +
                                p32(maxcount) + p32(len(RD_ATTRS)) +
                                b"".join(p32(w) for w in RD_ATTRS)])
            calls += 1
            if r.status != NFS4_OK:
                fail(r, r.status)
            r.res()
            r.res()
            verf = r.fixed(8)
            while r.u32() == 1:
                cookie = r.u64()
                name = r.opaque().decode()
                r.skip_words()
                a = Reply.__new__(Reply)
                a.b, a.off = r.opaque(), 0
                typ, size, fileid, mode = a.u32(), a.u64(), a.u64(), a.u32()
                if typ == 0 or fileid == 0:
                    print("BADATTR %s" % name)
                    sys.exit(0)
                names.append(name)
            if r.u32():
                break
    print("READDIR %d ok entries %d names %s calls %d" %
          (n, len(names), ",".join(sorted(names)), calls))


def lookup_fh(port, path):
    r = compound(port, [putroot()] + path_ops(path) + [getfh()])
    if r.status != NFS4_OK:
        fail(r, r.status)
    for _ in range(r.nres - 1):
        r.res()
    r.res()
    return r.opaque()


def cmd_v3create(port, path, name):
    """NFSv3 CREATE UNCHECKED (mode 0644) in path's handle (the same
    bytes in both versions)."""
    dirfh = lookup_fh(port, path)
    sattr = p32(1) + p32(0o644) + p32(0) * 5
    body = opaque(dirfh) + opaque(name.encode()) + p32(0) + sattr
    print("V3CREATE %d" % u32(oncrpc.results(
        oncrpc.call(port, 100003, 3, 8, body)), 0))


def cmd_v3getattr(port, path):
    """NFSv3 GETATTR of path: its status, uid and gid."""
    res = oncrpc.results(oncrpc.call(port, 100003, 3, 1,
                                     opaque(lookup_fh(port, path))))
    if u32(res, 0) != 0:
        print("V3GETATTR %d" % u32(res, 0))
        return
    print("V3GETATTR 0 uid %d gid %d" % (u32(res, 16), u32(res, 20)))


def cmd_v3setattr(port, path, what):
    """NFSv3 SETATTR of path's mode (an octal number), its size
    ("size=N") or its owner ("uid=N", a chown), unguarded."""
    if what.startswith("size="):
        sattr = p32(0) * 3 + p32(1) + p64(int(what[5:])) + p32(0) * 2
    elif what.startswith("uid="):
        sattr = p32(0) + p32(1) + p32(int(what[4:])) + p32(0) * 4
    else:
        sattr = p32(1) + p32(int(what, 8)) + p32(0) * 5
    body = opaque(lookup_fh(port, path)) + sattr + p32(0)
    print("V3SETATTR %d" % u32(oncrpc.results(
        oncrpc.call(port, 100003, 3, 2, body)), 0))


def cmd_getacl(port, path):
    r = compound(port, [putfh(lookup_fh(port, path)), getattr_([1 << 12])])
    if r.status != NFS4_OK:
        print("ERR %d" % r.status)
        return
    r.res()
    r.res()
    r.skip_words()
    r.u32()
    got = []
    for _ in range(r.u32()):
        t, f, m = r.u32(), r.u32(), r.u32()
        got.append("%s:%d:%x:%x" % (r.opaque().decode(), t, f, m))
    print("ACL " + " ".join(got))


def cmd_setacl(port, path, aces):
    """SETATTR acl of path; each ace is who:type:flags:mask (hex)."""
    body = p32(len(aces))
    for a in aces:
        who, t, f, m = a.rsplit(":", 3)
        body += p32(int(t)) + p32(int(f, 16)) + p32(int(m, 16)) + \
            opaque(who.encode())
    r = compound(port, [putfh(lookup_fh(port, path)),
                        p32(34) + stateid([0, "00" * 12]) + p32(1) +
                        p32(1 << 12) + opaque(body)])
    print("SETACL %d" % r.status)


def cmd_v3write(port, path, uid, data):
    """NFSv3 WRITE FILE_SYNC of data at offset 0 as uid (gid uid)."""
    body = opaque(lookup_fh(port, path)) + p64(0) + p32(len(data)) + \
        p32(2) + opaque(data.encode())
    print("V3WRITE %d" % u32(oncrpc.results(
        oncrpc.call(port, 100003, 3, 7, body, uid=uid)), 0))


def cmd_opens(port, path, n, uid, access):
    """n OPEN + CLOSE pairs of an existing file as uid."""
    d, name = path.rsplit("/", 1)
    dirfh = lookup_fh(port, d)
    st = {"oseq": 0}
    setclientid(port, st, uid=uid)
    for _ in range(n):
        op = p32(OP["OPEN"]) + p32(st["oseq"]) + p32(access) + p32(0) + \
            p64(st["clientid"]) + opaque(b"owner-opens") + p32(0) + \
            p32(0) + opaque(name.encode())
        r = compound(port, [putfh(dirfh), op, getfh(),
                            getattr_([1 << 1 | 1 << 4])], uid=uid)
        if r.status != NFS4_OK:
            fail(r, r.status)
        sid, rflags, _, fh = open_result(r, 3)
        st["oseq"] += 1
        if rflags & 2:
            r = compound(port, [putfh(fh), p32(OP["OPEN_CONFIRM"]) +
                                stateid(sid) + p32(st["oseq"])], uid=uid)
            if r.status != NFS4_OK:
                fail(r, r.status)
            r.res()
            r.res()
            sid = read_stateid(r)
            st["oseq"] += 1
        r = compound(port, [putfh(fh), p32(OP["CLOSE"]) + p32(st["oseq"]) +
                            stateid(sid)], uid=uid)
        if r.status != NFS4_OK:
            fail(r, r.status)
        st["oseq"] += 1
    print("OPENS %d ok" % n)


def cmd_chmod(port, path, mode):
    fh = lookup_fh(port, path)
    r = compound(port, [putfh(fh), p32(34) + stateid([0, "00" * 12]) +
                        p32(2) + p32(0) + p32(1 << (33 - 32)) +
                        opaque(p32(mode))])
    print("CHMOD %d" % r.status)


class CallbackServer:
    """A client's NFSv4.0 callback service: CB_NULL, CB_COMPOUND
    (CB_RECALL answered NFS4_OK and recorded)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.nulls = 0
        self.recalls = []
        self.cond = threading.Condition()
        threading.Thread(target=self.serve, daemon=True).start()

    def uaddr(self):
        return "127.0.0.1.%d.%d" % (self.port >> 8, self.port & 255)

    def serve(self):
        while True:
            c, _ = self.sock.accept()
            threading.Thread(target=self.conn, args=(c,),
                             daemon=True).start()

    def conn(self, c):
        try:
            while True:
                rec = oncrpc._read_record(c)
                self.call(c, rec)
        except (OSError, EOFError, struct.error):
            c.close()

    def call(self, c, rec):
        xid, mtype, _, prog, vers, proc = struct.unpack(">IIIIII",
                                                        rec[:24])
        off = 24
        for _ in range(2):      # credential, verifier
            n = u32(rec, off + 4)
            off += 8 + n + (-n % 4)
        res = b""
        if proc == 1:
            tlen = u32(rec, off)
            off += 4 + tlen + (-tlen % 4)
            off += 12           # minorversion, callback_ident, numops
            op = u32(rec, off)
            if op == 4:         # CB_RECALL: stateid, truncate, fh
                sid = [u32(rec, off + 4), rec[off + 8:off + 20].hex()]
                with self.cond:
                    self.recalls.append(sid)
                    self.cond.notify_all()
            res = p32(0) + opaque(b"") + p32(1) + p32(op) + p32(0)
        else:
            with self.cond:
                self.nulls += 1
                self.cond.notify_all()
        msg = struct.pack(">IIIIII", xid, 1, 0, 0, 0, 0) + res
        c.sendall(struct.pack(">I", 0x80000000 | len(msg)) + msg)

    def wait(self, what, timeout):
        end = time.time() + timeout
        with self.cond:
            while not what() and time.time() < end:
                self.cond.wait(end - time.time())
            return what()


def open_args(st, owner, access, name, create):
    how = p32(1) + p32(0) + p32(0) + p32(0) if create else p32(0)
    return p32(OP["OPEN"]) + p32(st["oseq"]) + p32(access) + p32(0) + \
        p64(st["clientid"]) + opaque(owner) + how + p32(0) + \
        opaque(name.encode())


def open_deleg(port, st, path, owner, access, create):
    """OPEN (+ OPEN_CONFIRM): status and, if granted, the delegation."""
    d, name = path.rsplit("/", 1)
    ops = [putroot()] + path_ops(d) + [open_args(st, owner, access, name,
                                                 create), getfh()]
    r = compound(port, ops)
    st["oseq"] += 1
    if r.status != NFS4_OK:
        return r.status, None
    sid, rflags, deleg, fh = open_result(r, len(ops))
    st["fh"] = fh.hex()
    if rflags & 2:
        r = compound(port, [putfh(bytes.fromhex(st["fh"])),
                            p32(OP["OPEN_CONFIRM"]) + stateid(sid) +
                            p32(st["oseq"])])
        st["oseq"] += 1
        r.res()
        r.res()
        sid = read_stateid(r)
    st["sid"] = sid
    return NFS4_OK, deleg


def v3_write(port, fh):
    """NFSv3 WRITE (FILE_SYNC) of 3 bytes: its nfsstat3."""
    body = opaque(fh) + p64(0) + p32(3) + p32(2) + opaque(b"v3!")
    return u32(oncrpc.results(oncrpc.call(port, 100003, 3, 7, body)), 0)


def delegreturn(port, fh, sid):
    r = compound(port, [putfh(fh), p32(OP["DELEGRETURN"]) + stateid(sid)])
    return r.status


def cmd_deleg(port, path, mode):
    cb = CallbackServer()
    a = {"oseq": 1}
    if mode == "nocb":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
        s.close()
        setclientid(port, a, "127.0.0.1.%d.%d" % (dead >> 8, dead & 255))
        time.sleep(1)           # the probe fails at once
    else:
        setclientid(port, a, cb.uaddr())
        if not cb.wait(lambda: cb.nulls > 0, 20):
            print("NO CB_NULL")
            return
        time.sleep(1)           # nfsd tells stated after the answer
    status, deleg = open_deleg(port, a, path, b"A-owner", 1, True)
    if status != NFS4_OK:
        print("ERR %d" % status)
        return
    out = ["GRANT", "read" if deleg else "none"]
    if deleg is None:
        print(" ".join(out))
        return
    fh = bytes.fromhex(a["fh"])
    r = compound(port, [putfh(fh), p32(OP["READ"]) + stateid(deleg) +
                        p64(0) + p32(16)])
    out += ["READ", "ok" if r.status == NFS4_OK else str(r.status)]
    if os.environ.get("DELEG_HOOK"):
        subprocess.run(os.environ["DELEG_HOOK"], shell=True, check=False)
    b = {"oseq": 1}
    setclientid(port, b)
    if mode == "rename":
        open_deleg(port, b, path + ".src", b"B-src", 3, True)

    def conflict():
        if mode == "v3":
            return v3_write(port, fh)
        if mode == "nlm":
            # An NLM write lock (NLM_CLIENT: tests/clients/nlm-client):
            # denied_grace_period is NLM's "later".
            out = subprocess.run([os.environ["NLM_CLIENT"], "-T", "tcp",
                                  "-x", "lock", fh.hex(), "0", "100"],
                                 capture_output=True, text=True).stdout
            return 10008 if "grace" in out else 0 if "granted" in out \
                else out.strip()
        d, name = path.rsplit("/", 1)
        if mode == "remove":
            return compound(port, [putroot()] + path_ops(d) +
                            [p32(OP["REMOVE"]) + opaque(name.encode())]
                            ).status
        if mode == "rename":    # another file onto the delegated one
            return compound(port, [putroot()] + path_ops(d) +
                            [p32(32), p32(29) + opaque(name.encode() +
                                                       b".src") +
                             opaque(name.encode())]).status
        if mode == "truncate":  # SETATTR of the size, anonymous stateid
            return compound(port, [putfh(fh), p32(34) + stateid(
                [0, "00" * 12]) + p32(1) + p32(1 << 4) +
                opaque(p64(0))]).status
        return open_deleg(port, b, path, b"B-owner", 2, False)[0]
    out += ["CONFLICT", str(conflict())]
    got = cb.wait(lambda: len(cb.recalls) > 0, 20)
    out += ["RECALL", "same" if got and cb.recalls[0] == deleg else
            "none" if not got else "other"]
    claimcur = None
    if mode == "v4":
        # A's open under the delegation, made known while returning it.
        d, name = path.rsplit("/", 1)
        claimcur = compound(port, [putroot()] + path_ops(d) + [
            p32(OP["OPEN"]) + p32(a["oseq"]) + p32(1) + p32(0) +
            p64(a["clientid"]) + opaque(b"A-local") + p32(0) + p32(2) +
            stateid(deleg) + opaque(name.encode())]).status
    if mode != "revoke":
        out += ["RETURN", str(delegreturn(port, fh, deleg))]
    # The conflicting request again until it goes (the lease bounds it).
    for _ in range(60):
        st = conflict()
        if st not in (10008,):
            break
        time.sleep(1)
    out += ["RETRY", str(st)]
    if mode == "revoke":
        out += ["LATE", str(delegreturn(port, fh, deleg))]
    if claimcur is not None:
        out += ["CLAIMCUR", str(claimcur)]
    print(" ".join(out))


# ---- NFSv4.0 delegations, the rest (test_nfs4_deleg.sh): write
# delegations and what conflicts with them, SETATTR by another client,
# CLAIM_DELEGATE_CUR checks, reclaims after a stated restart, ACLs in
# CREATE and OPEN.

class Conn:
    """One TCP connection kept for a client's COMPOUNDs, as a kernel
    client keeps one (nfsd tells a client's requests by it)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=20)

    def compound(self, ops, uid=0):
        body = opaque(b"deleg40") + p32(0) + p32(len(ops)) + b"".join(ops)
        xid = struct.unpack(">I", os.urandom(4))[0]
        msg = struct.pack(">IIIIII", xid, 0, 2, 100003, 4, 1) + \
            oncrpc.auth_unix(b"nfs4probe", uid) + p32(0) + p32(0) + body
        self.s.sendall(p32(0x80000000 | len(msg)) + msg)
        return Reply(oncrpc.results(oncrpc._read_record(self.s)))

    def close(self):
        self.s.close()


def setclientid40(conn, st, uaddr, ident):
    """SETCLIENTID with id string ident (kept over a server restart)
    and SETCLIENTID_CONFIRM: the status."""
    verf = st.setdefault("verf", os.urandom(8).hex())
    r = conn.compound([p32(OP["SETCLIENTID"]) + bytes.fromhex(verf) +
                       opaque(ident) + p32(0x40000000) + opaque(b"tcp") +
                       opaque(uaddr.encode()) + p32(1)])
    if r.status != NFS4_OK:
        return r.status
    r.res()
    clientid, cfm = r.u64(), r.fixed(8)
    r = conn.compound([p32(OP["SETCLIENTID_CONFIRM"]) + p64(clientid) + cfm])
    if r.status == NFS4_OK:
        st["clientid"] = clientid
    return r.status


def open40(st, owner, access, claim, create=False, attrs=b""):
    """OPEN4args; claim is the encoded open_claim4."""
    how = p32(1) + p32(0) + (attrs or p32(0) + p32(0)) if create else p32(0)
    return p32(OP["OPEN"]) + p32(st["oseq"]) + p32(access) + p32(0) + \
        p64(st["clientid"]) + opaque(owner) + how + claim


def claim_null(name):
    return p32(0) + opaque(name.encode())


def open_result40(r, nops):
    """OPEN4resok (op nops - 1 of nops, GETFH last): stateid, rflags,
    delegation type, its stateid, recall, and the handle."""
    for _ in range(nops - 2):
        r.res()
    r.res()
    sid = read_stateid(r)
    r.u32()
    r.u64()
    r.u64()
    rflags = r.u32()
    r.skip_words()
    dtype, dsid, recall = r.u32(), None, 0
    if dtype in (1, 2):
        dsid = read_stateid(r)
        recall = r.u32()
        if dtype == 2:
            if r.u32() == 1:
                r.u64()
            else:
                r.u32()
                r.u32()
        r.u32()
        r.u32()
        r.u32()
        r.opaque()
    elif dtype == 3:            # 4.1's OPEN_DELEGATE_NONE_EXT: why
        r.why = r.u32()
        if r.why in (1, 2):     # ... and whether it will push one
            r.u32()
    r.res()
    return sid, rflags, dtype, dsid, recall, r.opaque()


def do_open40(conn, st, ops, owner, access, claim, create=False):
    """PUTs in ops, OPEN, GETFH (+ OPEN_CONFIRM): status, and st gets
    sid, fh, dtype, dsid, recall."""
    ops = ops + [open40(st, owner, access, claim, create), getfh()]
    r = conn.compound(ops)
    st["oseq"] += 1
    if r.status != NFS4_OK:
        return r.status
    sid, rflags, st["dtype"], st["dsid"], st["recall"], fh = \
        open_result40(r, len(ops))
    st["fh"] = fh.hex()
    if rflags & 2:
        r = conn.compound([putfh(fh), p32(OP["OPEN_CONFIRM"]) +
                           stateid(sid) + p32(st["oseq"])])
        st["oseq"] += 1
        if r.status != NFS4_OK:
            return r.status
        r.res()
        r.res()
        sid = read_stateid(r)
    st["sid"] = sid
    return NFS4_OK


DTYPE = {0: "none", 1: "read", 2: "write"}
ANON = [0, "00" * 12]


def write40(conn, fh, sid, data, getattr_too=True):
    ops = [putfh(fh), p32(OP["WRITE"]) + stateid(sid) + p64(0) + p32(2) +
           opaque(data)]
    if getattr_too:
        ops.append(getattr_([1 << 3 | 1 << 4]))
    return conn.compound(ops).status


def setattr_mode40(conn, fh, sid, mode):
    return conn.compound([putfh(fh), p32(34) + stateid(sid) + p32(2) +
                          p32(0) + p32(1 << 1) + opaque(p32(mode))]).status


def v3_call(port, proc, body):
    return u32(oncrpc.results(oncrpc.call(port, 100003, 3, proc, body)), 0)


def read_anon(port, fh):
    """The file's first bytes, READ with the anonymous stateid."""
    r = compound(port, [putfh(fh), p32(OP["READ"]) + stateid(ANON) +
                        p64(0) + p32(64)])
    if r.status != NFS4_OK:
        return "ERR%d" % r.status
    r.res()
    r.res()
    r.u32()
    return r.opaque().decode(errors="replace")


def holder40(port, path, access):
    """A (callback up, one connection) opens path (creating it) with
    access: (cb, conn, state) or None."""
    cb = CallbackServer()
    conn = Conn(port)
    a = {"oseq": 1}
    if setclientid40(conn, a, cb.uaddr(), b"deleg40-" +
                     os.urandom(6).hex().encode()) != NFS4_OK or \
            not cb.wait(lambda: cb.nulls > 0, 20):
        print("NO CALLBACK")
        return None
    time.sleep(1)               # nfsd tells stated after the answer
    d, name = path.rsplit("/", 1)
    st = do_open40(conn, a, [putroot()] + path_ops(d), b"A-owner", access,
                   claim_null(name), True)
    if st != NFS4_OK:
        print("ERR %d" % st)
        return None
    return cb, conn, a


def holder_of(port, path, access, dtype):
    """holder40 with a delegation of dtype: (cb, conn, state, handle,
    ["GRANT", type]), or None once the failure or "GRANT type" is
    printed."""
    h = holder40(port, path, access)
    if h is None:
        return None
    cb, conn, a = h
    out = ["GRANT", DTYPE[a["dtype"]]]
    if a["dtype"] != dtype:
        print(" ".join(out))
        return None
    return cb, conn, a, bytes.fromhex(a["fh"]), out


def other_conflict(port, path, fh, what):
    """What another client (or protocol) does to the file: its status
    (10008 is DELAY, JUKEBOX, or NLM's grace)."""
    d, name = path.rsplit("/", 1)
    if what in ("open-read", "read", "getattr", "setattr"):
        b = {"oseq": 1}
        setclientid(port, b)
    if what == "open-read":
        conn = Conn(port)
        st = do_open40(conn, b, [putroot()] + path_ops(d), b"B-owner", 1,
                       claim_null(name))
        conn.close()
        return st
    if what == "read":
        return compound(port, [putfh(fh), p32(OP["READ"]) + stateid(ANON) +
                               p64(0) + p32(16)]).status
    if what == "getattr":
        return compound(port, [putfh(fh), getattr_([1 << 3 | 1 << 4])]).status
    if what == "setattr":
        return compound(port, [putfh(fh), p32(34) + stateid(ANON) + p32(2) +
                               p32(0) + p32(1 << 1) +
                               opaque(p32(0o640))]).status
    if what == "v3read":
        return v3_call(port, 6, opaque(fh) + p64(0) + p32(16))
    if what == "v3getattr":
        return v3_call(port, 1, opaque(fh))
    if what == "v3create":      # UNCHECKED over it, size 0: a truncate
        sattr = p32(0) * 3 + p32(1) + p64(0) + p32(0) * 2
        return v3_call(port, 8, opaque(lookup_fh(port, d)) +
                       opaque(name.encode()) + p32(0) + sattr)
    if what == "nlmread":
        out = subprocess.run([os.environ["NLM_CLIENT"], "-T", "tcp",
                              "lock", fh.hex(), "0", "100"],
                             capture_output=True, text=True).stdout
        return 10008 if "grace" in out else 0 if "granted" in out \
            else out.strip()
    return -1


def recalled(cb, dsid):
    """The callback got CB_RECALL of dsid: "RECALL same"."""
    got = cb.wait(lambda: len(cb.recalls) > 0, 20)
    return ["RECALL", "same" if got and cb.recalls[0] == dsid else
            "none" if not got else "other"]


def return_retry(port, conn, dsid, path, fh, what):
    """DELEGRETURN, then what waited again until it goes: "RETURN 0
    RETRY 0"."""
    r = conn.compound([putfh(fh), p32(OP["DELEGRETURN"]) + stateid(dsid)])
    out = ["RETURN", str(r.status)]
    for _ in range(30):
        st = other_conflict(port, path, fh, what)
        if st != 10008:
            break
        time.sleep(1)
    return out + ["RETRY", str(st)]


def cmd_deleg_write(port, path, what):
    """
    A opens path for reading and writing (creating it) and gets a write
    delegation: "GRANT write"; writes under it, with GETATTR in the
    COMPOUND ("WRITE 0"), GETATTRs and SETATTRs the mode on its own
    connection ("OWN 0 0") recalling nothing ("RECALLS 0"); then what
    another client does waits and recalls it ("CONFLICT 10008 RECALL
    same"), A returns it ("RETURN 0"), the request goes ("RETRY 0") and
    the data A wrote is in the file ("DATA deleg40-data").
    """
    h = holder_of(port, path, 3, 2)
    if h is None:
        return
    cb, conn, a, fh, out = h
    out += ["WRITE", str(write40(conn, fh, a["dsid"], b"deleg40-data"))]
    own_getattr = conn.compound([putfh(fh),
                                 getattr_([1 << 3 | 1 << 4])]).status
    own_setattr = setattr_mode40(conn, fh, ANON, 0o644)
    time.sleep(1)
    out += ["OWN", str(own_getattr), str(own_setattr),
            "RECALLS", str(len(cb.recalls))]
    out += ["CONFLICT", str(other_conflict(port, path, fh, what))]
    out += recalled(cb, a["dsid"])
    # While recalled the holder's own writes under it go on.
    out += ["FLUSH", str(write40(conn, fh, a["dsid"], b"deleg40-data",
                                 False))]
    out += return_retry(port, conn, a["dsid"], path, fh, what)
    data = read_anon(port, fh)
    out += ["DATA", data[:12] if what != "v3create" else
            "empty" if data == "" else data[:12]]
    print(" ".join(out))


def cmd_deleg_setattr(port, path):
    """
    A's read delegation: A's own SETATTR of the mode recalls nothing
    ("OWN 0 RECALLS 0"); another client's does ("OTHER 10008 RECALL
    same"), and goes once A returned it ("RETURN 0 RETRY 0").
    """
    h = holder_of(port, path, 1, 1)
    if h is None:
        return
    cb, conn, a, fh, out = h
    out += ["OWN", str(setattr_mode40(conn, fh, a["sid"], 0o644))]
    time.sleep(1)
    out += ["RECALLS", str(len(cb.recalls))]
    out += ["OTHER", str(other_conflict(port, path, fh, "setattr"))]
    out += recalled(cb, a["dsid"])
    out += return_retry(port, conn, a["dsid"], path, fh, "setattr")
    print(" ".join(out))


def cmd_deleg_claimcur(port, path):
    """
    OPEN with CLAIM_DELEGATE_CUR: a made-up delegation stateid ("BAD
    10025"), one of an earlier stated start ("STALE 10023"), A's
    delegation in another client's OPEN ("OTHER 10025"), A's own
    ("OWN 0").
    """
    h = holder_of(port, path, 1, 1)
    if h is None:
        return
    a, out = h[2], h[4]
    d, name = path.rsplit("/", 1)
    dsid = a["dsid"]

    def cur(st, sid):
        c = Conn(port)
        status = do_open40(c, st, [putroot()] + path_ops(d), b"cur-owner",
                           1, p32(2) + stateid(sid) + opaque(name.encode()))
        c.close()
        return status
    other = bytearray.fromhex(dsid[1])
    other[11] ^= 0x5a
    bad = [dsid[0], other.hex()]
    other = bytearray.fromhex(dsid[1])
    other[0] ^= 0x80
    stale = [dsid[0], other.hex()]
    b = {"oseq": 1}
    setclientid(port, b)
    out += ["BAD", str(cur(a, bad)), "STALE", str(cur(a, stale)),
            "OTHER", str(cur(b, dsid)), "OWN", str(cur(a, dsid))]
    print(" ".join(out))


def cmd_deleg_reclaim(port, path):
    """
    A holds a write delegation; DELEG_HOOK restarts stated.  A's client
    id is then stale; it sets up again with the same id string and
    reclaims its open with CLAIM_PREVIOUS naming a write delegation:
    "RECLAIM 0 write".  CLAIM_DELEGATE_PREV and DELEGPURGE: "PREV 10004
    PURGE 10004" (not supported, nfsd(8)).  DELEGRETURN of the
    reclaimed one: "RETURN 0".
    """
    cb = CallbackServer()
    conn = Conn(port)
    ident = b"deleg40-reclaim-" + os.urandom(6).hex().encode()
    a = {"oseq": 1}
    if setclientid40(conn, a, cb.uaddr(), ident) != NFS4_OK or \
            not cb.wait(lambda: cb.nulls > 0, 20):
        print("NO CALLBACK")
        return
    time.sleep(1)
    d, name = path.rsplit("/", 1)
    st = do_open40(conn, a, [putroot()] + path_ops(d), b"A-owner", 3,
                   claim_null(name), True)
    out = ["GRANT", DTYPE.get(a.get("dtype", 0), "?") if st == 0 else
           "ERR%d" % st]
    fh = bytes.fromhex(a.get("fh", ""))
    if os.environ.get("DELEG_HOOK"):
        subprocess.run(os.environ["DELEG_HOOK"], shell=True, check=False)
    for _ in range(60):
        r = conn.compound([p32(30) + p64(a["clientid"])])   # RENEW
        if r.status != 10008:
            break
        time.sleep(0.5)
    out += ["RENEW", str(r.status)]
    nulls = cb.nulls
    st = setclientid40(conn, a, cb.uaddr(), ident)
    cb.wait(lambda: cb.nulls > nulls, 20)
    time.sleep(1)
    a["oseq"] = 1
    st = do_open40(conn, a, [putfh(fh)], b"A-owner", 3,
                   p32(1) + p32(2))
    out += ["RECLAIM", str(st), DTYPE.get(a.get("dtype", 0), "?")
            if st == 0 else "-"]
    prev = conn.compound([putroot()] + path_ops(d) + [
        open40({"oseq": a["oseq"], "clientid": a["clientid"]}, b"P-owner", 1,
               p32(3) + opaque(name.encode()))]).status
    purge = conn.compound([p32(7) + p64(a["clientid"])]).status
    out += ["PREV", str(prev), "PURGE", str(purge)]
    if st == 0 and a.get("dsid"):
        r = conn.compound([putfh(fh), p32(OP["DELEGRETURN"]) +
                           stateid(a["dsid"])])
        out += ["RETURN", str(r.status)]
    print(" ".join(out))


def cmd_acl_create(port, path, inherit=False):
    """
    CREATE of a directory and OPEN creating a file, each with an acl in
    its attributes: "MKDIR 0 ACL ... OPEN 0 ACL ..." with the ACEs
    GETATTR then reads (NFS4ERR_ATTRNOTSUPP before they were set).
    inherit: with no attribute at all (no mode either), the ACEs read as
    who:type:flags:mask, so that what they inherited shows.
    """
    aces = [(0, 0, 0x1 | 0x2 | 0x4 | 0x20 | 0x80 | 0x100 | 0x100000,
             b"OWNER@"),
            (0, 0, 0x1 | 0x80 | 0x100000, b"EVERYONE@")]
    acl = p32(len(aces)) + b"".join(p32(t) + p32(f) + p32(m) + opaque(w)
                                     for t, f, m, w in aces)
    fattr = p32(1) + p32(1 << 12) + opaque(acl)
    if inherit:
        fattr = p32(0) + opaque(b"")

    def acl_of(r):
        r.skip_words()
        r.u32()
        got = []
        for _ in range(r.u32()):
            t, f, m = r.u32(), r.u32(), r.u32()
            w = r.opaque().decode()
            got.append("%s:%d:%x:%x" % (w, t, f, m) if inherit else
                       "%s:%d:%x" % (w, t, m))
        return ",".join(got)
    d, name = path.rsplit("/", 1)
    out = []
    r = compound(port, [putroot()] + path_ops(d) + [
        p32(OP["CREATE"]) + p32(2) + opaque((name + ".dir").encode()) +
        fattr, getattr_([1 << 12])])
    out += ["MKDIR", str(r.status)]
    if r.status == NFS4_OK:
        for _ in range(r.nres - 2):
            r.res()
        r.res()
        r.u32()
        r.u64()
        r.u64()
        r.skip_words()
        r.res()
        out += ["ACL", acl_of(r)]
    st = {"oseq": 1}
    setclientid(port, st)
    op = p32(OP["OPEN"]) + p32(st["oseq"]) + p32(3) + p32(0) + \
        p64(st["clientid"]) + opaque(b"acl-owner") + p32(1) + p32(0) + \
        fattr + claim_null(name)
    r = compound(port, [putroot()] + path_ops(d) + [op,
                                                    getattr_([1 << 12])])
    out += ["OPEN", str(r.status)]
    if r.status == NFS4_OK:
        for _ in range(r.nres - 2):
            r.res()
        r.res()
        read_stateid(r)
        r.u32()
        r.u64()
        r.u64()
        r.u32()
        r.skip_words()
        if r.u32() != 0:        # no delegation asked for by this test
            out += ["DELEG?"]
        else:
            r.res()
            out += ["ACL", acl_of(r)]
    print(" ".join(out))


def cmd_deleg_ownio(port, path, n):
    """
    A's write delegation; DELEG_HOOK runs before and after A's n WRITEs
    (each with GETATTR of size and change) under it: "GRANT write WRITES
    0 RECALLS 0", then DELEGRETURN "RETURN 0".  The hook's snapshots of
    nfsd's counters show what the writes cost.
    """
    h = holder_of(port, path, 3, 2)
    if h is None:
        return
    cb, conn, a, fh, out = h
    hook = os.environ.get("DELEG_HOOK")
    if hook:
        subprocess.run(hook, shell=True, check=False)
    worst = 0
    for _ in range(n):
        st = write40(conn, fh, a["dsid"], b"own-io")
        worst = worst or st
    if hook:
        subprocess.run(hook, shell=True, check=False)
    out += ["WRITES", str(worst), "RECALLS", str(len(cb.recalls))]
    r = conn.compound([putfh(fh), p32(OP["DELEGRETURN"]) +
                       stateid(a["dsid"])])
    out += ["RETURN", str(r.status)]
    print(" ".join(out))


def cmd_deleg40(port, args):
    if args[0] == "write":
        cmd_deleg_write(port, args[1], args[2])
    elif args[0] == "setattr":
        cmd_deleg_setattr(port, args[1])
    elif args[0] == "claimcur":
        cmd_deleg_claimcur(port, args[1])
    elif args[0] == "reclaim":
        cmd_deleg_reclaim(port, args[1])
    elif args[0] == "aclcreate":
        cmd_acl_create(port, args[1])
    elif args[0] == "inhcreate":
        cmd_acl_create(port, args[1], True)
    elif args[0] == "ownio":
        cmd_deleg_ownio(port, args[1], int(args[2]))
    else:
        sys.exit("unknown deleg40 mode " + args[0])


def main():
    port, cmd, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if cmd == "path":
        run_path(port, args[0])
    elif cmd == "fhpath":
        # PUTFH of HEX, GETATTR, GETFH: as "path" prints.
        fh = bytes.fromhex(args[0])
        names = [lookup(n) for n in args[1:]]
        r = compound(port, [putfh(fh)] + names +
                     [getattr_([1 << 1 | 1 << 8 | 1 << 20, 1 << (55 - 32)]),
                      getfh()])
        if r.status != NFS4_OK:
            print("ERR %d" % r.status)
        else:
            for _ in range(1 + len(names)):
                r.res()
            print_obj(r)
    elif cmd == "mkdir":
        # In directory P: CREATE directory NAME, GETFH: "MKDIR n fh HEX".
        r = compound(port, [putroot()] + path_ops(args[0]) + [
            p32(OP["CREATE"]) + p32(2) + opaque(args[1].encode()) + p32(0) +
            p32(0), getfh()])
        if r.status != NFS4_OK:
            print("MKDIR %d" % r.status)
        else:
            for _ in range(r.nres - 2):
                r.res()
            r.res()
            r.u32()
            r.u64()
            r.u64()             # change_info4
            r.skip_words()      # attrset
            r.res()
            print("MKDIR 0 fh %s" % r.opaque().hex())
    elif cmd == "minor":
        r = compound(port, [putroot()], minor=int(args[0]))
        print("STATUS %d RESULTS %d" % (r.status, r.nres))
    elif cmd == "afterfail":
        r = compound(port, [putroot(), lookup("no-such-name"), getfh()])
        print("STATUS %d RESULTS %d" % (r.status, r.nres))
    elif cmd == "illegal":
        r = compound(port, [putroot(), p32(9999)])
        r.res()
        print("STATUS %d RESULTS %d OP %d" % (r.status, r.nres, r.res()[0]))
    elif cmd == "secinfo":
        r = compound(port, [putroot()] + path_ops(args[0]) +
                     [p32(OP["SECINFO"]) + opaque(args[1].encode())])
        flavors = []
        if r.status == NFS4_OK:
            for _ in range(r.nres - 1):
                r.res()
            r.res()
            flavors = [str(r.u32()) for _ in range(r.u32())]
        print("STATUS %d FLAVORS %s" % (r.status, " ".join(flavors)))
    elif cmd == "open":
        cmd_open(port, args[0], args[1])
    elif cmd == "write":
        cmd_write(port, args[0], args[1])
    elif cmd == "openhow":
        cmd_openhow(port, args[0], args[1], args[2])
    elif cmd == "dirops":
        share = path_ops(args[0])
        out = []
        # CREATE4args: NF4DIR, name, empty fattr4.
        r = compound(port, [putroot()] + share + [
            p32(OP["CREATE"]) + p32(2) + opaque(b"d1") + p32(0) + p32(0)])
        out.append("CREATE %d" % r.status)
        r = compound(port, [putroot()] + share + [
            p32(32), p32(29) + opaque(b"d1") + opaque(b"d2")])
        out.append("RENAME %d" % r.status)
        r = compound(port, [putroot()] + share + [
            p32(OP["REMOVE"]) + opaque(b"d2")])
        out.append("REMOVE %d" % r.status)
        r = compound(port, [putroot()] + share + [lookup("d2")])
        out.append("LOOKUP %d" % r.status)
        print(" ".join(out))
    elif cmd == "truncate":
        st = load(args[0])
        sid = list(st["sid"])
        if len(args) > 2:
            other = bytearray.fromhex(sid[1])
            other[-1] ^= 0x5a
            sid[1] = other.hex()
        # fattr4 with size (bit 4): bitmap, attrlist4 of one uint64.
        r = compound(port, [putfh(bytes.fromhex(st["fh"])),
                            p32(34) + stateid(sid) + p32(1) + p32(1 << 4) +
                            opaque(p64(int(args[1]))),
                            getattr_([1 << 4])])
        if r.status != NFS4_OK:
            print("ERR %d" % r.status)
        else:
            r.res()
            r.res()
            r.skip_words()    # SETATTR's attrsset
            r.res()
            r.skip_words()    # GETATTR's bitmap
            r.u32()                 # attrlist4 length
            print("SIZE %d" % r.u64())
    elif cmd == "acl":
        st = load(args[0])
        aces = [(0, 0, 0x1 | 0x2 | 0x4 | 0x20 | 0x80 | 0x100 | 0x100000,
                 b"OWNER@"),
                (0, 0, 0x1 | 0x80 | 0x100000, b"EVERYONE@")]
        acl = p32(len(aces)) + b"".join(p32(t) + p32(f) + p32(m) + opaque(w)
                                         for t, f, m, w in aces)
        r = compound(port, [putfh(bytes.fromhex(st["fh"])),
                            p32(34) + stateid([0, "00" * 12]) + p32(1) +
                            p32(1 << 12) + opaque(acl),
                            getattr_([1 << 12])])
        if r.status != NFS4_OK:
            print("ERR %d" % r.status)
        else:
            r.res()
            r.res()
            r.skip_words()
            r.res()
            r.skip_words()
            r.u32()
            got = []
            for _ in range(r.u32()):
                t, f, m = r.u32(), r.u32(), r.u32()
                got.append("%s:%d:%x" % (r.opaque().decode(), t, m))
            print("ACL " + " ".join(got))
    elif cmd == "garbage":
        import random
        rnd = random.Random(int(args[1]))
        answered = 0
        for _ in range(int(args[0])):
            ops = [putroot(), lookup("export")]
            for _ in range(rnd.randint(1, 6)):
                ops.append(p32(rnd.randint(3, 40)) +
                           bytes(rnd.getrandbits(8) if rnd.random() < 0.5
                                 else 0 for _ in range(4 * rnd.randint(0, 12))))
            body = opaque(b"g") + p32(0) + p32(len(ops)) + b"".join(ops)
            try:
                rec = oncrpc.call(port, 100003, 4, 1, body, uid=0)
                answered += u32(rec, 8) == 0
            except (OSError, EOFError):
                pass
        print("SENT %s ANSWERED %d" % (args[0], answered))
    elif cmd == "commit":
        cmd_commit(port, args[0], args[1])
    elif cmd == "reads":
        cmd_reads(port, args[0], int(args[1]))
    elif cmd == "ops":
        # A COMPOUND of PUTROOTFH and N - 1 GETFH, with tag TAG.
        n = int(args[0])
        tag = args[1].encode() if len(args) > 1 else b"t"
        r = compound(port, [putroot()] + [getfh()] * (n - 1), tag=tag)
        print("STATUS %d RESULTS %d" % (r.status, r.nres))
    elif cmd == "null":
        # NULL of version 4: "OK", or "PROG_MISMATCH low high".
        rec = oncrpc.call(port, 100003, 4, 0, b"")
        vlen = u32(rec, 16)
        off = 20 + vlen + (-vlen % 4)
        stat = u32(rec, off)
        if u32(rec, 8) != 0:
            print("DENIED")
        elif stat == 2:
            print("PROG_MISMATCH %d %d" % (u32(rec, off + 4),
                                           u32(rec, off + 8)))
        else:
            print("OK" if stat == 0 else "ACCEPT_STAT %d" % stat)
    elif cmd == "btime":
        # The birth time an SMB client may have set (time_create, 50).
        ops = [putroot()] + path_ops(args[0]) + [getattr_([0, 1 << 18])]
        r = compound(port, ops)
        if r.status != NFS4_OK:
            fail(r, r.status)
        for _ in range(len(ops)):
            r.res()
        r.skip_words()          # the bitmap
        r.u32()                 # attrlist4 length
        sec = r.u64()
        print("BTIME %d %d" % (sec - (1 << 64) if sec >> 63 else sec,
                               r.u32()))
    elif cmd == "meta":
        # N x (PUTROOTFH, LOOKUPs, ACCESS, GETATTR change+size):
        # "META n ok access A change C size S" from the last one.
        path, n = args[0], int(args[1])
        ops = [putroot()] + path_ops(path) + \
            [p32(OP["ACCESS"]) + p32(0x3f), getattr_([1 << 3 | 1 << 4])]
        for _ in range(n):
            r = compound(port, ops)
            if r.status != NFS4_OK:
                fail(r, r.status)
        for _ in range(len(ops) - 2):
            r.res()
        r.res()
        r.u32()                 # supported
        access = r.u32()
        r.res()
        r.skip_words()
        r.u32()
        change, size = r.u64(), r.u64()
        print("META %d ok access %x change %x size %d" % (n, access, change,
                                                          size))
    elif cmd == "readmid":
        # PUTFH, READ, GETFH: READ is not last, its data inline.
        st = load(args[0])
        sid = st["sid"]
        r = compound(port, [putfh(bytes.fromhex(st["fh"])), p32(OP["READ"]) +
                            stateid(sid) + p64(0) + p32(4096), getfh()])
        if r.status != NFS4_OK:
            fail(r, r.status)
        r.res()
        r.res()
        r.u32()
        data = r.opaque().decode(errors="replace")
        print("READ %s NEXT %d" % (data, r.res()[1]))
    elif cmd == "readat":
        st = load(args[0])
        r = compound(port, [putfh(bytes.fromhex(st["fh"])), p32(OP["READ"]) +
                            stateid(st["sid"]) + p64(int(args[1])) +
                            p32(int(args[2])), getfh()])
        if r.status != NFS4_OK:
            fail(r, r.status)
        r.res()
        r.res()
        eof = r.u32()
        data = r.opaque()
        nxt = r.res()[1]
        print("READ eof %d len %d %s NEXT %d" % (eof, len(data),
                                                data.decode(errors="replace"),
                                                nxt))
    elif cmd == "anonread":
        # READ with the anonymous stateid (all zeros, RFC 7530 9.1.4.3).
        st = load(args[0])
        r = compound(port, [putfh(bytes.fromhex(st["fh"])), p32(OP["READ"]) +
                            stateid([0, "00" * 12]) + p64(0) + p32(4096)])
        if r.status != NFS4_OK:
            fail(r, r.status)
        r.res()
        r.res()
        r.u32()
        print("READ %s" % r.opaque().decode(errors="replace"))
    elif cmd == "badstateid":
        cmd_badstateid(port, args[0])
    elif cmd == "lock":
        cmd_lock(port, args[0], int(args[1]), int(args[2]))
    elif cmd == "lockt":
        cmd_lockt(port, args[0], int(args[1]), int(args[2]))
    elif cmd == "locku":
        cmd_locku(port, args[0], int(args[1]), int(args[2]))
    elif cmd == "close":
        cmd_close(port, args[0])
    elif cmd == "deleg":
        cmd_deleg(port, args[0], args[1])
    elif cmd == "deleg40":
        cmd_deleg40(port, args)
    elif cmd == "readdir":
        cmd_readdir(port, args[0], int(args[1]),
                    int(args[2]) if len(args) > 2 else 32768)
    elif cmd == "v3create":
        cmd_v3create(port, args[0], args[1])
    elif cmd == "v3getattr":
        cmd_v3getattr(port, args[0])
    elif cmd == "v3setattr":
        cmd_v3setattr(port, args[0], args[1])
    elif cmd == "getacl":
        cmd_getacl(port, args[0])
    elif cmd == "setacl":
        cmd_setacl(port, args[0], args[1:])
    elif cmd == "v3write":
        cmd_v3write(port, args[0], int(args[1]), args[2])
    elif cmd == "v3remove":
        body = opaque(lookup_fh(port, args[0])) + opaque(args[1].encode())
        print("V3REMOVE %d" % u32(oncrpc.results(
            oncrpc.call(port, 100003, 3, 12, body)), 0))
    elif cmd == "opens":
        cmd_opens(port, args[0], int(args[1]),
                  int(args[2]) if len(args) > 2 else 0,
                  int(args[3]) if len(args) > 3 else 1)
    elif cmd == "chmod":
        cmd_chmod(port, args[0], int(args[1], 8))
    elif cmd == "remove":
        r = compound(port, [putfh(lookup_fh(port, args[0])),
                            p32(OP["REMOVE"]) + opaque(args[1].encode())])
        print("REMOVE %d" % r.status)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
