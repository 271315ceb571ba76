#!/usr/bin/env python3
"""
nfs41probe: a small NFSv4.1 client (RFC 8881) for test_nfs41.sh, on
nfs4probe's COMPOUND helpers: a client id and a session, SEQUENCE with
its slot and sequence id checks, and the replies a slot keeps.  One
command per run; the session and each slot's sequence id are kept in a
JSON state file (and the last kept request and reply, for "again").

  nfs41probe PORT session STATE      EXCHANGE_ID + CREATE_SESSION:
                                     "SESSION ok impl NAME owner O slots N"
                                     or "ERR op status"
  nfs41probe PORT getattr STATE [SLOT]
                                     SEQUENCE + PUTROOTFH + GETATTR type:
                                     "STATUS n TYPE t" (the next sequence
                                     id of SLOT, default 0)
  nfs41probe PORT replay STATE [SLOT] a new request with sa_cachethis,
                                     then the same bytes again:
                                     "REPLAY same|differs" (the RPC
                                     reply after its xid); both kept
  nfs41probe PORT again STATE        the kept request once more: "AGAIN
                                     same|differs"
  nfs41probe PORT misordered STATE   SEQUENCE two ahead: "STATUS n"
  nfs41probe PORT falseretry STATE   the kept request's slot and sequence
                                     id with another body: "STATUS n"
  nfs41probe PORT uncached STATE     a new request without sa_cachethis,
                                     twice: "FIRST n AGAIN m"
  nfs41probe PORT v40op STATE OP     SEQUENCE + PUTROOTFH + OP (renew,
                                     setclientid_confirm, open_confirm,
                                     release_lockowner, layoutget):
                                     "STATUS n RESULTS k"
  nfs41probe PORT nosequence         PUTROOTFH + GETATTR, minor 1:
                                     "STATUS n"
  nfs41probe PORT seqpos STATE       SEQUENCE + PUTROOTFH + SEQUENCE:
                                     "STATUS n RESULTS k"
  nfs41probe PORT notonly            EXCHANGE_ID + PUTROOTFH: "STATUS n"
  nfs41probe PORT minor N            PUTROOTFH in minor version N:
                                     "STATUS n"
  nfs41probe PORT illegal STATE      SEQUENCE + op 59: "STATUS n OP o"
  nfs41probe PORT badsession         SEQUENCE of a made-up session:
                                     "STATUS n"
  nfs41probe PORT badslot STATE      SEQUENCE of slot 4095: "STATUS n"
  nfs41probe PORT destroy STATE      DESTROY_SESSION, then a SEQUENCE of
                                     it: "DESTROY n SEQUENCE m"
  nfs41probe PORT destroyclient STATE DESTROY_CLIENTID: "STATUS n"
  nfs41probe PORT reclaim STATE      SEQUENCE + RECLAIM_COMPLETE:
                                     "STATUS n"
  nfs41probe PORT secinfo STATE      SEQUENCE + PUTROOTFH +
                                     SECINFO_NO_NAME: "STATUS n FLAVORS .."
  nfs41probe PORT bind STATE DIR     BIND_CONN_TO_SESSION (DIR: 1 fore,
                                     3 fore or both, 2 back): "BIND n DIR d"
  nfs41probe PORT claimfh STATE P    SEQUENCE + PUTROOTFH + LOOKUPs of P +
                                     OPEN (CLAIM_FH, no create):
                                     "STATUS n RESULTS k"
  nfs41probe PORT curstateid STATE P SEQUENCE + PUTROOTFH + LOOKUPs of P +
                                     READ with the current stateid (none
                                     set yet): "STATUS n RESULTS k"
  nfs41probe PORT sp4 HOW            EXCHANGE_ID with state protection HOW
                                     (1 MACH_CRED, 2 SSV): "STATUS n"
The backchannel (RFC 8881 2.10.3.1, 20): one connection carries the
client's calls and the server's callbacks, which the client answers
(CB_NULL; CB_COMPOUND of CB_SEQUENCE and CB_RECALL, recorded).
  nfs41probe PORT back P/NAME        a session without a backchannel:
                                     SEQUENCE's flags; BIND_CONN_TO_SESSION
                                     both: its direction, CB_NULL, flags;
                                     an OPEN for reading: the delegation;
                                     a v4.0 client's OPEN for writing: its
                                     status while the CB_RECALL comes (with
                                     CB_SEQUENCE's session and sequence
                                     id); DELEGRETURN; the OPEN again:
                                     "DOWN f BIND d NULL n UP f GRANT
                                     read|none CONFLICT s RECALL same|
                                     other SEQ n RETURN s RETRY s"
  nfs41probe PORT toobig P/NAME      a session whose replies are at most
                                     6000 bytes: OPEN (create), WRITE of
                                     5000 bytes; READ of them with
                                     sa_cachethis (kept replies are at
                                     most the server's, 8192 in the test:
                                     fits), READ of 7000 (REP_TOO_BIG):
                                     "WRITE s CACHED s BIG s"; with a
                                     kept size of 1024, READ of 2000 with
                                     sa_cachethis and without: "... KEPT
                                     s PLAIN s"
  nfs41probe PORT want P/NAME        with a backchannel bound at
                                     CREATE_SESSION: OPEN (create) for
                                     reading with WANT_NO_DELEG, then OPEN
                                     of the file by CLAIM_FH (another
                                     owner, no preference), then one with
                                     a want of no kind: "NODELEG type why
                                     CLAIMFH type BADWANT status"
  nfs41probe PORT excl41 P/NAME      OPEN EXCLUSIVE4_1 of a new file with
                                     mode 0600 in its attributes, the
                                     same again, another verifier, then
                                     GETATTR supported_attrs and
                                     suppattr_exclcreat at 4.1 and 4.0:
                                     "ATTRSET w,w MODE m RETRY s OTHER s
                                     SUPPORTED w2 ASKED w,w,w EXCLCREAT
                                     w,w V40 asked/supported words"
  nfs41probe PORT trunk              a session made on connection A, a
                                     second connection B bound to it
                                     (BIND_CONN_TO_SESSION fore), SEQUENCE
                                     on B, A closed, SEQUENCE on B again,
                                     then on a third connection that never
                                     bound (SP4_NONE binds it at its first
                                     SEQUENCE): "BIND s B s AFTER s NEW s";
                                     with LIST_CMD (dittofsctl v4
                                     sessions) also "LISTED d,d THEN d,d":
                                     the directions of the connections
                                     listed under the session with A and
                                     B open, then with B and the third
  nfs41probe PORT backsave STATE P/NAME   "back", its session kept in STATE
  nfs41probe PORT backagain STATE P/NAME  "back" on STATE's session, on a new
                                     connection (after a restart of nfsd)
  nfs41probe PORT recallany P        with a backchannel: three OPENs for
                                     reading in P (three read delegations;
                                     the test caps a client at 4), then
                                     the CB_RECALL_ANY nfsd sends:
                                     "DELEGATIONS n RECALL_ANY keep k mask
                                     m" (or "RECALL_ANY none")
  nfs41probe PORT backchan P/NAME    the same with CONN_BACK_CHAN at
                                     CREATE_SESSION (no bind): "DOWN f"
                                     is the flags of the first SEQUENCE
  nfs41probe PORT wantdeleg P/NAME   WANT_DELEGATION (RFC 8881 18.49), with
                                     a backchannel: after an OPEN (create,
                                     read, WANT_NO_DELEG) of P/NAME, CLAIM_FH
                                     wants: any delegation, the same again,
                                     WANT_NO_DELEG, WANT_CANCEL; any of
                                     directory P; any of a file with no
                                     open; a want of no kind: "GRANT t
                                     AGAIN t NODELEG t w CANCEL t w DIR t w
                                     NOOPEN t w BADWANT s" (t the
                                     open_delegation_type4, w why)
  nfs41probe PORT recallslot        a session with a backchannel; then the
                                     shell command in RELOAD_CMD (which
                                     lowers [stated] nfsv4.1 slots per
                                     session and reloads nfsd): "SLOTS n
                                     RECALL_SLOT t TARGET t HIGHEST h SLOT5
                                     s SID id" (the slots negotiated,
                                     CB_RECALL_SLOT's target highest slot
                                     id, SEQUENCE's target and highest
                                     after it, a SEQUENCE on slot 5 then,
                                     the session id)
  nfs41probe PORT notifyfail P/D     a holder of new directory P/D (add
                                     notifications) that answers CB_NOTIFY
                                     with NFS4ERR_SERVERFAULT; an NFSv3
                                     CREATE of "told": "NOTIFY add:told
                                     RECALL same|none"
  nfs41probe PORT dirsave STATE P/D  a session with a backchannel and a
                                     directory delegation of new directory
                                     P/D (add notifications), kept in
                                     STATE: "GRANT g"
  nfs41probe PORT diragain STATE P/D on STATE's session after a restart of
                                     nfsd: BIND_CONN_TO_SESSION (both),
                                     CB_NULL, an NFSv3 CREATE of "after"
                                     in P/D: "BIND d NOTIFY .."
Directory delegations (RFC 8881 10.9, 18.39, 20.4): holder A (with a
backchannel) makes directory P/D and asks GET_DIR_DELEGATION for add,
remove, rename and directory attribute notifications; each CB_NOTIFY is
recorded as add:NAME, remove:NAME, rename:OLD>NEW, dirattrs.
  nfs41probe PORT dirdeleg P/D       "GRANT g MASK m VERF same|other
                                     NOBACK g" (B, no backchannel, asks
                                     too: 1 GDD4_UNAVAIL), then each step
                                     and the notifications A got for it:
                                     "V3ADD .." (an NFSv3 CREATE), "REMOVE
                                     .." (B's v4.1 REMOVE), "RENAME .."
                                     (B's v4.1 RENAME), "CHMOD .." (B's
                                     SETATTR of the directory's mode), "OWN
                                     .." (A's own OPEN create, then an
                                     NFSv3 CREATE of "mark"), then
                                     C (a backchannel, ADD alone) holds a
                                     delegation too; an NFSv3 REMOVE:
                                     "LAST .. RECALL same|none RETURN s
                                     LISTED yes|no" (A told, C recalled;
                                     C's DELEGRETURN; whether the command
                                     in DIRDELEG_CTL listed a directory
                                     delegation while both were held)
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time

import oncrpc
from oncrpc import opaque, u32
import nfs4probe
from nfs4probe import OP, Reply, getattr_, load, p32, p64, path_ops, \
    putfh, putroot, read_stateid, save, stateid

OP41 = dict(GET_DIR_DELEGATION=46, PUTROOTFH=24, RENEW=30, SETCLIENTID_CONFIRM=36,
            OPEN_CONFIRM=20, RELEASE_LOCKOWNER=39, BACKCHANNEL_CTL=40,
            BIND_CONN_TO_SESSION=41, EXCHANGE_ID=42, CREATE_SESSION=43,
            DESTROY_SESSION=44, LAYOUTGET=50, SECINFO_NO_NAME=52,
            SEQUENCE=53, DESTROY_CLIENTID=57, RECLAIM_COMPLETE=58)


def body_of(ops, minor=1, tag=b"nfs41probe"):
    return opaque(tag) + p32(minor) + p32(len(ops)) + b"".join(ops)


def raw_call(port, body):
    """The whole RPC reply of a COMPOUND whose arguments are body."""
    return oncrpc.call(port, 100003, 4, 1, body, uid=0,
                       machine=b"nfs41probe")


def send(port, body):
    return Reply(oncrpc.results(raw_call(port, body)))


def channel(slots, resp=1 << 20, cached=8192):
    """channel_attrs4: pad, max request, response, cached, ops, slots."""
    return p32(0) + p32(1 << 20) + p32(resp) + p32(cached) + p32(16) + \
        p32(slots) + p32(0)


def exchange_id(owner, how=0):
    b = p32(OP41["EXCHANGE_ID"]) + os.urandom(8) + opaque(owner) + \
        p32(0x00010000) + p32(how)
    if how == 1:
        b += p32(0) + p32(0)             # two empty bitmaps
    elif how == 2:
        b += p32(0) + p32(0) + p32(0) + p32(0) + p32(1) + p32(1)
    return b + p32(1) + opaque(b"probe.example") + opaque(b"nfs41probe") + \
        p64(0) + p32(0)


def sequence(st, slot, seqid, cache=1, sid=None):
    return p32(OP41["SEQUENCE"]) + bytes.fromhex(sid or st["session"]) + \
        p32(seqid) + p32(slot) + p32(slot) + p32(cache)


def next_seq(st, slot):
    """The slot's next sequence id (kept once the COMPOUND is sent)."""
    k = str(slot)
    st["slots"][k] = st["slots"].get(k, 0) + 1
    return st["slots"][k]


def cmd_session(port, stfile):
    r = send(port, body_of([exchange_id(os.urandom(12).hex().encode())]))
    if r.status != 0:
        print("ERR EXCHANGE_ID %d" % r.status)
        return
    r.res()
    clientid, seq, flags = r.u64(), r.u32(), r.u32()
    r.u32()                                 # SP4_NONE
    r.u64()
    owner = r.opaque().decode()
    r.opaque()                              # scope
    n = r.u32()
    impl = ""
    if n == 1:
        r.opaque()
        impl = r.opaque().decode().split()[0]
    cs = p32(OP41["CREATE_SESSION"]) + p64(clientid) + p32(seq) + \
        p32(0) + channel(8) + channel(1) + p32(0x40000000) + \
        p32(1) + p32(0)                     # one AUTH_NONE
    r = send(port, body_of([cs]))
    if r.status != 0:
        print("ERR CREATE_SESSION %d" % r.status)
        return
    r.res()
    sid = r.fixed(16)
    r.u32()
    r.u32()
    slots = [r.u32() for _ in range(7)][5]
    save(stfile, dict(clientid=clientid, session=sid.hex(), slots={},
                      nslots=slots, flags=flags))
    print("SESSION ok impl %s owner %s slots %d" % (impl, owner, slots))


def skip_sequence(r):
    """SEQUENCE4resok (status OK) passed over."""
    r.res()
    r.fixed(16)
    r.off += 20


def getattr_ops(st, slot, cache=1):
    return [sequence(st, slot, next_seq(st, slot), cache), putroot(),
            getattr_([1 << 1])]


def cmd_getattr(port, stfile, slot):
    st = load(stfile)
    ops = getattr_ops(st, slot)
    save(stfile, st)
    r = send(port, body_of(ops))
    typ = 0
    if r.status == 0:
        skip_sequence(r)
        r.res()
        r.res()
        r.skip_words()
        r.u32()
        typ = r.u32()
    print("STATUS %d TYPE %d" % (r.status, typ))


def cmd_replay(port, stfile, slot):
    st = load(stfile)
    body = body_of(getattr_ops(st, slot))
    save(stfile, st)
    first = raw_call(port, body)
    second = raw_call(port, body)
    st["req"], st["rep"], st["last_slot"] = body.hex(), first[4:].hex(), slot
    save(stfile, st)
    ok = Reply(oncrpc.results(first)).status == 0 and first[4:] == second[4:]
    print("REPLAY %s" % ("same" if ok else "differs"))


def cmd_again(port, stfile):
    st = load(stfile)
    rep = raw_call(port, bytes.fromhex(st["req"]))
    print("AGAIN %s" % ("same" if rep[4:].hex() == st["rep"] else "differs"))


def status_of(port, ops, minor=1):
    r = send(port, body_of(ops, minor))
    return r


def cmd_misordered(port, stfile):
    st = load(stfile)
    seq = st["slots"].get("0", 0) + 2
    print("STATUS %d" % status_of(port, [sequence(st, 0, seq), putroot()])
          .status)


def cmd_falseretry(port, stfile):
    st = load(stfile)
    slot = st["last_slot"]
    seq = st["slots"][str(slot)]
    print("STATUS %d" % status_of(port, [sequence(st, slot, seq),
                                         putroot()]).status)


def cmd_uncached(port, stfile):
    st = load(stfile)
    body = body_of([sequence(st, 1, next_seq(st, 1), 0), putroot()])
    save(stfile, st)
    a = send(port, body).status
    b = send(port, body).status
    print("FIRST %d AGAIN %d" % (a, b))


def cmd_v40op(port, stfile, name):
    st = load(stfile)
    op = dict(renew=p32(OP41["RENEW"]) + p64(st["clientid"]),
              setclientid_confirm=p32(OP41["SETCLIENTID_CONFIRM"]) +
              p64(st["clientid"]) + b"\0" * 8,
              open_confirm=p32(OP41["OPEN_CONFIRM"]) + b"\0" * 16 + p32(1),
              release_lockowner=p32(OP41["RELEASE_LOCKOWNER"]) +
              p64(st["clientid"]) + opaque(b"owner"),
              layoutget=p32(OP41["LAYOUTGET"]) + b"\0" * 64)[name]
    ops = [sequence(st, 0, next_seq(st, 0)), putroot(), op]
    save(stfile, st)
    r = status_of(port, ops)
    print("STATUS %d RESULTS %d" % (r.status, r.nres))


class Conn:
    """One TCP connection that carries COMPOUNDs and, the other way,
    the server's callbacks, answered here (CB_NULL; CB_SEQUENCE and
    CB_RECALL with NFS4_OK, the recall recorded)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), 20)
        self.s.settimeout(None)
        self.cond = threading.Condition()
        self.replies = {}
        self.nulls = 0
        self.creds = []         # (flavor, body) of each callback
        self.progs = []         # the program number of each callback
        self.recalls = []       # (session id hex, sequence id, stateid)
        self.recall_anys = []   # (objects to keep, type mask word 0)
        self.notifies = []      # (stateid other hex, [change, ...])
        self.recall_slots = []  # target highest slot ids
        self.notify_status = 0  # CB_NOTIFY's answer
        self.lock = threading.Lock()
        threading.Thread(target=self.reader, daemon=True).start()

    def send_rec(self, msg):
        with self.lock:
            self.s.sendall(struct.pack(">I", 0x80000000 | len(msg)) + msg)

    def reader(self):
        try:
            while True:
                rec = oncrpc._read_record(self.s)
                if u32(rec, 4) == 1:
                    with self.cond:
                        self.replies[u32(rec, 0)] = rec
                        self.cond.notify_all()
                else:
                    self.callback(rec)
        except (OSError, EOFError, struct.error):
            with self.cond:
                self.replies[None] = b""
                self.cond.notify_all()

    def callback(self, rec):
        xid, _, _, _, _, proc = struct.unpack(">IIIIII", rec[:24])
        off = 24
        with self.cond:
            self.creds.append((u32(rec, 24), rec[32:32 + u32(rec, 28)]))
            self.progs.append(u32(rec, 12))
        for _ in range(2):      # credential, verifier
            n = u32(rec, off + 4)
            off += 8 + n + (-n % 4)
        res = b""
        if proc == 1:
            tlen = u32(rec, off)
            off += 4 + tlen + (-tlen % 4) + 12  # minor, ident, numops
            if u32(rec, off) != 11:             # CB_SEQUENCE first
                res = p32(10071) + opaque(b"") + p32(0)
            else:
                sid = rec[off + 4:off + 20]
                seq = u32(rec, off + 20)
                off += 40       # ... cachethis, no referring lists
                op = u32(rec, off)
                err = self.notify_status if op == 6 else 0
                res = p32(err) + opaque(b"") + p32(2) + p32(11) + p32(0) + \
                    sid + p32(seq) + p32(0) + p32(0) + p32(0) + \
                    p32(op) + p32(err)
                if op == 4:                     # CB_RECALL
                    with self.cond:
                        self.recalls.append((sid.hex(), seq,
                                             rec[off + 8:off + 20].hex()))
                        self.cond.notify_all()
                elif op == 6:                   # CB_NOTIFY
                    got = notify_changes(rec, off + 4)
                    with self.cond:
                        self.notifies.append(got)
                        self.cond.notify_all()
                elif op == 10:                  # CB_RECALL_SLOT
                    with self.cond:
                        self.recall_slots.append(u32(rec, off + 4))
                        self.cond.notify_all()
                elif op == 8:                   # CB_RECALL_ANY
                    with self.cond:
                        self.recall_anys.append((u32(rec, off + 4),
                                                 u32(rec, off + 12)))
                        self.cond.notify_all()
        else:
            with self.cond:
                self.nulls += 1
                self.cond.notify_all()
        self.send_rec(struct.pack(">IIIIII", xid, 1, 0, 0, 0, 0) + res)

    def compound(self, ops):
        xid = struct.unpack(">I", os.urandom(4))[0] & 0x7fffffff
        msg = struct.pack(">IIIIII", xid, 0, 2, 100003, 4, 1) + \
            oncrpc.auth_unix(b"nfs41probe", 0) + struct.pack(">II", 0, 0) + \
            body_of(ops)
        self.send_rec(msg)
        with self.cond:
            self.cond.wait_for(lambda: xid in self.replies or
                               None in self.replies, 30)
            rec = self.replies.pop(xid, None)
        if rec is None:
            sys.exit("no reply")
        return Reply(oncrpc.results(rec))

    def wait(self, what, timeout):
        with self.cond:
            return self.cond.wait_for(what, timeout)


class Buf(Reply):
    """XDR read from off in b (Reply's readers without its header)."""

    def __init__(self, b, off):
        self.b, self.off, self.why = b, off, -1


def notify_entry(r):
    """notify_entry4: the name; its fattr4 passed over."""
    name = r.opaque().decode()
    r.skip_words()
    r.opaque()
    return name


def notify_add(r):
    if r.u32():                 # nad_old_entry<1>
        notify_entry(r)
        r.u64()
    name = notify_entry(r)
    if r.u32():                 # nad_new_entry_cookie<1>
        r.u64()
    if r.u32():                 # nad_prev_entry<1>
        notify_entry(r)
        r.u64()
    r.u32()                     # nad_last_entry
    return name


def notify_changes(rec, off):
    """CB_NOTIFY4args from off: the stateid's other (hex) and each
    change of each notify4, in order, as add:N remove:N rename:O>N
    dirattrs (or type:T for another)."""
    r = Buf(rec, off)
    r.u32()
    other = r.fixed(12).hex()
    r.opaque()                  # the directory's handle
    out = []
    for _ in range(r.u32()):
        words = [r.u32() for _ in range(r.u32())]
        vals = Buf(r.opaque(), 0)
        mask = words[0] if words else 0
        for t in range(32):
            if not mask & (1 << t):
                continue
            if t == 3:
                out.append("add:" + notify_add(vals))
            elif t == 2:
                out.append("remove:" + notify_entry(vals))
                vals.u64()
            elif t == 4:
                old = notify_entry(vals)
                vals.u64()
                out.append("rename:%s>%s" % (old, notify_add(vals)))
            elif t == 1:
                notify_entry(vals)
                out.append("dirattrs")
            else:
                out.append("type:%d" % t)
    return other, out


# callback_sec_parms4 (RFC 8881 18.36): one AUTH_NONE by default.
CB_SEC_NONE = p32(1) + p32(0)


def session_on(c, back, resp=1 << 20, cached=8192, cb_sec=CB_SEC_NONE):
    """EXCHANGE_ID and CREATE_SESSION (CONN_BACK_CHAN if back) on c."""
    r = c.compound([exchange_id(os.urandom(12).hex().encode())])
    r.res()
    clientid, seq = r.u64(), r.u32()
    cs = p32(OP41["CREATE_SESSION"]) + p64(clientid) + p32(seq) + \
        p32(2 if back else 0) + channel(8, resp, cached) + channel(1) + \
        p32(0x40000000) + cb_sec
    r = c.compound([cs])
    r.res()
    return dict(clientid=clientid, session=r.fixed(16).hex(), slots={})


def seq_flags(c, st):
    r = c.compound([sequence(st, 0, next_seq(st, 0))])
    if r.status != 0:
        return -r.status
    r.res()
    r.fixed(16)
    r.off += 16
    return r.u32()


def cmd_back(port, path, at_create, stfile=None, again=False):
    c = Conn(port)
    st = load(stfile) if again else session_on(c, at_create)
    out = ["DOWN", str(seq_flags(c, st))]
    if not at_create or again:
        r = c.compound([p32(OP41["BIND_CONN_TO_SESSION"]) +
                        bytes.fromhex(st["session"]) + p32(3) + p32(0)])
        r.res()
        r.fixed(16)
        out += ["BIND", str(r.u32() if r.status == 0 else -r.status)]
    c.wait(lambda: c.nulls > 0, 20)
    out += ["NULL", str(c.nulls)]
    time.sleep(1)               # nfsd tells stated after the answer
    out += ["UP", str(seq_flags(c, st))]
    d, name = path.rsplit("/", 1)
    ops = [sequence(st, 0, next_seq(st, 0)), putroot()] + path_ops(d) + \
        [p32(OP["OPEN"]) + p32(0) + p32(1) + p32(0) + p64(st["clientid"]) +
         opaque(b"A41-owner") + p32(1) + p32(0) + p32(0) + p32(0) +
         p32(0) + opaque(name.encode()), p32(OP["GETFH"])]
    r = c.compound(ops)
    if r.status != 0:
        print(" ".join(out + ["ERR", str(r.status)]))
        return
    r.res()
    r.fixed(16)
    r.off += 20
    _, _, deleg, fh = nfs4probe.open_result(r, len(ops) - 1)
    out += ["GRANT", "read" if deleg else "none"]
    if deleg is None:
        print(" ".join(out))
        return
    b = {"oseq": 1}
    nfs4probe.setclientid(port, b)
    status = nfs4probe.open_deleg(port, b, path, b"B-owner", 2, False)[0]
    out += ["CONFLICT", str(status)]
    c.wait(lambda: c.recalls, 20)
    if not c.recalls:
        print(" ".join(out + ["RECALL", "none"]))
        return
    sid, seq, rsid = c.recalls[0]
    out += ["RECALL", "same" if sid == st["session"] and
            rsid == deleg[1] else "other", "SEQ", str(seq)]
    r = c.compound([sequence(st, 0, next_seq(st, 0)), putfh(fh),
                    p32(OP["DELEGRETURN"]) + stateid(deleg)])
    out += ["RETURN", str(r.status)]
    out += ["RETRY", str(nfs4probe.open_deleg(port, b, path, b"B-owner", 2,
                                              False)[0])]
    if stfile is not None:
        save(stfile, st)
    print(" ".join(out))


def sys_sec(uid, stamp=77):
    """One callback_sec_parms4 of AUTH_SYS: machine probe-host, uid,
    gid 8765, one group 7."""
    return p32(1) + p32(stamp) + opaque(b"probe-host") + p32(uid) + \
        p32(8765) + p32(1) + p32(7)


def cred_words(creds):
    """What the first callback's credential says, as words."""
    if not creds:
        return []
    flavor, body = creds[0]
    out = ["FLAVOR", str(flavor)]
    if flavor == 1:
        n = u32(body, 4)
        name = body[8:8 + n].decode()
        o = 8 + n + (-n % 4)
        out += ["STAMP", str(u32(body, 0)), "MACHINE", name, "UID",
                str(u32(body, o)), "GID", str(u32(body, o + 4)),
                "GIDS", str(u32(body, o + 8))]
    return out


def cmd_backsec(port, kind):
    """RFC 8881 2.10.8.2: CREATE_SESSION with CONN_BACK_CHAN offering
    kind (none, sys, gss, or gss then sys) for callbacks: the first
    SEQUENCE's flags, and the credential CB_NULL came with; for gss alone
    (a handle naming no context), CREATE_SESSION's status."""
    sys_parms = sys_sec(4321)
    gss = p32(6) + p32(2) + opaque(b"server-h") + opaque(b"client-h")
    sec = {"none": CB_SEC_NONE, "sys": p32(1) + sys_parms,
           "gss": p32(1) + gss, "gsssys": p32(2) + gss + sys_parms}[kind]
    c = Conn(port)
    if kind == "gss":
        # RFC 8881 18.36.3: a handle that names no context: NOENT.
        r = c.compound([exchange_id(os.urandom(12).hex().encode())])
        r.res()
        clientid, seq = r.u64(), r.u32()
        r = c.compound([p32(OP41["CREATE_SESSION"]) + p64(clientid) +
                        p32(seq) + p32(2) + channel(8, 1 << 20, 8192) +
                        channel(1) + p32(0x40000000) + sec])
        print("STATUS %d NULL %d" % (r.status, c.nulls))
        return
    st = session_on(c, True, cb_sec=sec)
    out = ["FLAGS", str(seq_flags(c, st))]
    if kind != "gss":
        c.wait(lambda: c.nulls > 0, 20)
    with c.cond:
        creds = list(c.creds)
    out += ["NULL", str(c.nulls)]
    print(" ".join(out + cred_words(creds)))


def cmd_backctl(port, stfile, again):
    """RFC 8881 18.33: a session made with AUTH_SYS uid 4321 for its
    callbacks, then BACKCHANNEL_CTL to program 0x40000123 with AUTH_SYS
    uid 999 (the status; the CB_NULL before it).  again (after a restart
    of nfsd): the same session bound on a new connection, and the program
    and credential of the CB_NULL that comes over it."""
    c = Conn(port)
    if not again:
        st = session_on(c, True, cb_sec=p32(1) + sys_sec(4321))
        c.wait(lambda: c.nulls > 0, 20)
        with c.cond:
            creds = list(c.creds)
        r = c.compound([sequence(st, 0, next_seq(st, 0)),
                        p32(OP41["BACKCHANNEL_CTL"]) + p32(0x40000123) +
                        p32(1) + sys_sec(999)])
        save(stfile, st)
        print(" ".join(["CTL", str(r.status)] + cred_words(creds)))
        return
    st = load(stfile)
    r = c.compound([p32(OP41["BIND_CONN_TO_SESSION"]) +
                    bytes.fromhex(st["session"]) + p32(3) + p32(0)])
    out = ["BIND", str(r.status)]
    c.wait(lambda: c.nulls > 0, 20)
    with c.cond:
        creds = list(c.creds)
        progs = list(c.progs)
    out += ["NULL", str(c.nulls)]
    if progs:
        out += ["PROG", "%#x" % progs[0]]
    print(" ".join(out + cred_words(creds)))


def open41(st, path, owner, access):
    """SEQUENCE + PUTROOTFH + LOOKUPs + OPEN (UNCHECKED create) + GETFH."""
    d, name = path.rsplit("/", 1)
    return [sequence(st, 0, next_seq(st, 0), 0), putroot()] + \
        path_ops(d) + [p32(OP["OPEN"]) + p32(0) + p32(access) + p32(0) +
                       p64(st["clientid"]) + opaque(owner) + p32(1) +
                       p32(0) + p32(0) + p32(0) + p32(0) +
                       opaque(name.encode()), p32(OP["GETFH"])]


def open_deleg_type(r, nops):
    """OPEN4resok (op nops - 1 of nops after SEQUENCE, GETFH last): the
    delegation's type and, for NONE_EXT, why; and GETFH's handle."""
    skip_sequence(r)
    res = nfs4probe.open_result40(r, nops - 1)
    return res[2], r.why, res[5]


def open_no_deleg(port, owner, path):
    """A session with a backchannel that answered, and its OPEN (create,
    read, WANT_NO_DELEG) of path: (conn, state, (type, why, fh)), the
    last None when the OPEN failed (said on stdout)."""
    c, st = back_session(port)
    time.sleep(1)               # nfsd tells stated after the answer
    ops = open41(st, path, owner, 1 | 0x400)
    r = c.compound(ops)
    if r.status != 0:
        print("ERR OPEN %d" % r.status)
        return c, st, None
    return c, st, open_deleg_type(r, len(ops))


def cmd_want(port, path):
    c, st, got = open_no_deleg(port, b"want-owner", path)
    if got is None:
        return
    dtype, why, fh = got
    out = ["NODELEG", str(dtype), str(why)]
    ops = [sequence(st, 0, next_seq(st, 0), 0), putfh(fh),
           p32(OP["OPEN"]) + p32(0) + p32(1) + p32(0) +
           p64(st["clientid"]) + opaque(b"fh-owner") + p32(0) + p32(4),
           p32(OP["GETFH"])]
    r = c.compound(ops)
    if r.status != 0:
        print(" ".join(out + ["ERR", str(r.status)]))
        return
    dtype, why, _ = open_deleg_type(r, len(ops))
    out += ["CLAIMFH", str(dtype)]
    ops = [sequence(st, 0, next_seq(st, 0), 0), putfh(fh),
           p32(OP["OPEN"]) + p32(0) + p32(1 | 0x900) + p32(0) +
           p64(st["clientid"]) + opaque(b"bad-owner") + p32(0) + p32(4)]
    out += ["BADWANT", str(c.compound(ops).status)]
    print(" ".join(out))


def excl41_ops(st, path, verf, attrs):
    """SEQUENCE + PUTROOTFH + LOOKUPs + OPEN (EXCLUSIVE4_1 create with
    verf and the fattr4 attrs, read and write) + GETFH + GETATTR mode."""
    d, name = path.rsplit("/", 1)
    return [sequence(st, 0, next_seq(st, 0), 0), putroot()] + \
        path_ops(d) + [p32(OP["OPEN"]) + p32(0) + p32(3) + p32(0) +
                       p64(st["clientid"]) + opaque(b"excl41-owner") +
                       p32(1) + p32(3) + verf + attrs + p32(0) +
                       opaque(name.encode()), p32(OP["GETFH"]),
                       getattr_([0, 1 << 1])]


def words(r):
    return [r.u32() for _ in range(r.u32())]


def cmd_excl41(port, path):
    """RFC 8881 18.16.3: EXCLUSIVE4_1 sets its attributes (mode 0600
    here) and says so in attrset; a retry with the verifier opens the
    same file, another verifier is EXIST; suppattr_exclcreat (75) and
    supported_attrs' third word at 4.1, neither at 4.0."""
    c = Conn(port)
    st = session_on(c, False)
    mode = p32(2) + p32(0) + p32(1 << 1) + opaque(p32(0o600))
    ops = excl41_ops(st, path, b"verf0001", mode)
    r = c.compound(ops)
    if r.status != 0:
        print("ERR OPEN %d" % r.status)
        return
    skip_sequence(r)
    for _ in range(len(ops) - 4):
        r.res()
    r.res()
    r.fixed(16)
    r.u32()
    r.u64()
    r.u64()
    r.u32()
    attrset = words(r)
    dtype = r.u32()
    if dtype != 0:
        print("ERR DELEG %d" % dtype)
        return
    r.res()
    fh = r.opaque()
    r.res()
    words(r)
    r.u32()
    out = ["ATTRSET", ",".join("%x" % w for w in attrset),
           "MODE", "%o" % r.u32()]
    out += ["RETRY", str(c.compound(excl41_ops(st, path, b"verf0001",
                                               mode)).status)]
    out += ["OTHER", str(c.compound(excl41_ops(st, path, b"verf0002",
                                               mode)).status)]
    r = c.compound([sequence(st, 0, next_seq(st, 0), 0), putfh(fh),
                    getattr_([1, 0, 1 << 11])])
    skip_sequence(r)
    r.res()
    r.res()
    asked = words(r)
    r.u32()
    sup = words(r)
    excl = words(r)
    out += ["SUPPORTED", ",".join("%x" % w for w in sup[2:]),
            "ASKED", ",".join("%x" % w for w in asked),
            "EXCLCREAT", ",".join("%x" % w for w in excl)]
    r = send(port, body_of([putroot(), getattr_([1, 0, 1 << 11])], 0))
    r.res()
    r.res()
    asked = words(r)
    r.u32()
    sup = words(r)
    out += ["V40", "%d/%d" % (len(asked), len(sup))]
    print(" ".join(out))


def cmd_trunk(port):
    a = Conn(port)
    st = session_on(a, False)
    b = Conn(port)
    r = b.compound([p32(OP41["BIND_CONN_TO_SESSION"]) +
                    bytes.fromhex(st["session"]) + p32(1) + p32(0)])
    out = ["BIND", str(r.status)]
    out += ["B", str(b.compound([sequence(st, 1, next_seq(st, 1))]).status)]
    listed = [listed_conns(st)]
    # shutdown first: close alone leaves the reader thread's recv holding
    # the socket, and the server would never see A go.
    a.s.shutdown(socket.SHUT_RDWR)
    a.s.close()
    time.sleep(0.5)
    out += ["AFTER", str(b.compound([sequence(st, 1, next_seq(st, 1))])
                         .status)]
    c = Conn(port)
    out += ["NEW", str(c.compound([sequence(st, 2, next_seq(st, 2))])
                       .status)]
    listed.append(listed_conns(st))
    if "LIST_CMD" in os.environ:
        out += ["LISTED", listed[0], "THEN", listed[1]]
    print(" ".join(out))


def listed_conns(st):
    """The connections the shell command in LIST_CMD (dittofsctl v4
    sessions) lists under st's session: their directions, comma
    separated in the order listed ("-" when none or no LIST_CMD)."""
    if "LIST_CMD" not in os.environ:
        return "-"
    text = subprocess.run(os.environ["LIST_CMD"], shell=True, check=False,
                          capture_output=True, text=True).stdout
    dirs, mine = [], False
    for line in text.splitlines():
        if line.startswith("  session "):
            mine = line.split()[1] == st["session"]
        elif mine and line.startswith("    connection "):
            dirs.append(line.split("(", 1)[1].rstrip(")").replace(" ", "-"))
        else:
            mine = False
    return ",".join(dirs) or "-"


def cmd_recallany(port, d):
    c = Conn(port)
    st = session_on(c, True)
    c.wait(lambda: c.nulls > 0, 20)
    time.sleep(1)               # nfsd tells stated after the answer
    got = 0
    for k in range(3):
        ops = open41(st, "%s/ra%d" % (d, k), b"ra-owner", 1)
        r = c.compound(ops)
        if r.status != 0:
            print("ERR OPEN %d" % r.status)
            return
        got += open_deleg_type(r, len(ops))[0] == 1
    c.wait(lambda: c.recall_anys, 20)
    out = ["DELEGATIONS", str(got)]
    if c.recall_anys:
        keep, mask = c.recall_anys[0]
        out += ["RECALL_ANY", "keep", str(keep), "mask", str(mask)]
    else:
        out += ["RECALL_ANY", "none"]
    print(" ".join(out))


def gdd(c, st, fh, types):
    """SEQUENCE + PUTFH + GET_DIR_DELEGATION (types: NOTIFY4_* bits):
    (status, GDD4 status, verifier, stateid (seqid, other hex), mask)."""
    r = c.compound([sequence(st, 0, next_seq(st, 0), 0), putfh(fh),
                    p32(OP41["GET_DIR_DELEGATION"]) + p32(0) + p32(1) +
                    p32(types) + p64(0) + p32(0) + p64(0) + p32(0) +
                    p32(0) + p32(0)])
    if r.status != 0:
        return r.status, -1, None, None, 0
    skip_sequence(r)
    r.res()
    r.res()
    if r.u32() != 0:
        return 0, 1, None, None, 0
    verf = r.fixed(8)
    sid = read_stateid(r)
    words = [r.u32() for _ in range(r.u32())]
    return 0, 0, verf, sid, words[0] if words else 0


def readdir_verf(c, st, fh):
    r = c.compound([sequence(st, 0, next_seq(st, 0), 0), putfh(fh),
                    p32(OP["READDIR"]) + p64(0) + b"\0" * 8 + p32(4096) +
                    p32(8192) + p32(0)])
    skip_sequence(r)
    r.res()
    r.res()
    return r.fixed(8)


def v3_dirop(port, proc, dirfh, name):
    """NFSv3 CREATE (8, UNCHECKED, mode 0644) or REMOVE (12): nfsstat3."""
    body = opaque(dirfh) + opaque(name.encode())
    if proc == 8:
        body += p32(0) + p32(1) + p32(0o644) + p32(0) * 5
    return u32(oncrpc.results(oncrpc.call(port, 100003, 3, proc, body)), 0)


def notes_after(c, before, expect):
    """The changes notified to c after its first `before' CB_NOTIFYs,
    once `expect' is among them (or 20 s went by)."""
    def seen():
        return [x for _, ch in c.notifies[before:] for x in ch]
    c.wait(lambda: expect in seen(), 20)
    with c.cond:
        got = seen()
    return ",".join(got) if got else "none"


def back_session(port):
    c = Conn(port)
    st = session_on(c, True)
    c.wait(lambda: c.nulls > 0, 20)
    return c, st


def want(c, st, fh, want_bits, claim=4):
    """SEQUENCE + PUTFH + WANT_DELEGATION: "t" or "t why" (NONE_EXT),
    or the COMPOUND's status."""
    r = c.compound([sequence(st, 0, next_seq(st, 0), 0), putfh(fh),
                    p32(56) + p32(want_bits) + p32(claim)])
    if r.status != 0:
        return str(r.status)
    skip_sequence(r)
    r.res()
    r.res()
    t = r.u32()
    return "%d %d" % (t, r.u32()) if t == 3 else str(t)


def cmd_recallslot(port):
    c = Conn(port)
    r = c.compound([exchange_id(os.urandom(12).hex().encode())])
    r.res()
    clientid, seq = r.u64(), r.u32()
    r = c.compound([p32(OP41["CREATE_SESSION"]) + p64(clientid) + p32(seq) +
                    p32(2) + channel(64) + channel(1) + p32(0x40000000) +
                    CB_SEC_NONE])
    r.res()
    st = dict(clientid=clientid, session=r.fixed(16).hex(), slots={})
    r.u32()
    r.u32()
    slots = [r.u32() for _ in range(7)][5]
    c.wait(lambda: c.nulls > 0, 20)
    subprocess.run(os.environ["RELOAD_CMD"], shell=True, check=False,
                   stdout=subprocess.DEVNULL)
    c.wait(lambda: c.recall_slots, 20)
    out = ["SLOTS", str(slots), "RECALL_SLOT",
           str(c.recall_slots[0]) if c.recall_slots else "none"]
    # Slot 0, highest slot id 0: under the target, the slots above go.
    r = c.compound([sequence(st, 0, next_seq(st, 0))])
    target = highest = -r.status
    if r.status == 0:
        r.res()
        r.fixed(16)
        r.off += 8
        highest = r.u32()
        target = r.u32()
    above = c.compound([sequence(st, 5, 1, 0, None)]).status
    print(" ".join(out + ["TARGET", str(target), "HIGHEST", str(highest),
                          "SLOT5", str(above), "SID", st["session"]]))


def cmd_notifyfail(port, path):
    """A holder that answers CB_NOTIFY with NFS4ERR_SERVERFAULT: the
    notification of an NFSv3 create, then the recall of its directory
    delegation."""
    a, sa = back_session(port)
    a.notify_status = 10006
    time.sleep(1)               # nfsd tells stated after the answer
    d, name = path.rsplit("/", 1)
    a.compound([sequence(sa, 0, next_seq(sa, 0), 0), putroot()] +
               path_ops(d) + [p32(OP["CREATE"]) + p32(2) +
                              opaque(name.encode()) + p32(0) + p32(0)])
    fh = nfs4probe.lookup_fh(port, path)
    status, g, _, asid, _ = gdd(a, sa, fh, 1 << 3)
    if status != 0 or g != 0:
        print("GRANT %d" % (g if status == 0 else -status))
        return
    v3_dirop(port, 8, fh, "told")
    out = ["NOTIFY", notes_after(a, 0, "add:told")]
    a.wait(lambda: a.recalls, 20)
    out += ["RECALL", "same" if a.recalls and a.recalls[0][2] == asid[1]
            else "none"]
    print(" ".join(out))


def cmd_dirsave(port, stfile, path):
    a, sa = back_session(port)
    time.sleep(1)               # nfsd tells stated after the answer
    d, name = path.rsplit("/", 1)
    r = a.compound([sequence(sa, 0, next_seq(sa, 0), 0), putroot()] +
                   path_ops(d) + [p32(OP["CREATE"]) + p32(2) +
                                  opaque(name.encode()) + p32(0) + p32(0)])
    fh = nfs4probe.lookup_fh(port, path)
    status, g, _, _, _ = gdd(a, sa, fh, 1 << 3)
    save(stfile, sa)
    print("GRANT %d" % (g if status == 0 else -status))


def cmd_diragain(port, stfile, path):
    st = load(stfile)
    c = Conn(port)
    r = c.compound([p32(OP41["BIND_CONN_TO_SESSION"]) +
                    bytes.fromhex(st["session"]) + p32(3) + p32(0)])
    d = -r.status
    if r.status == 0:
        r.res()
        r.fixed(16)
        d = r.u32()
    c.wait(lambda: c.nulls > 0, 20)
    time.sleep(1)               # nfsd tells stated after the answer
    v3_dirop(port, 8, nfs4probe.lookup_fh(port, path), "after")
    print("BIND %d NOTIFY %s" % (d, notes_after(c, 0, "add:after")))


def cmd_wantdeleg(port, path):
    c, st, got = open_no_deleg(port, b"wd-owner", path)
    if got is None:
        return
    fh = got[2]
    d = path.rsplit("/", 1)[0]
    dirfh = nfs4probe.lookup_fh(port, d)
    v3_dirop(port, 8, dirfh, "wd-noopen")
    out = ["GRANT", want(c, st, fh, 0x300), "AGAIN", want(c, st, fh, 0x300),
           "NODELEG", want(c, st, fh, 0x400),
           "CANCEL", want(c, st, fh, 0x500),
           "DIR", want(c, st, dirfh, 0x300),
           "NOOPEN", want(c, st, nfs4probe.lookup_fh(port, d + "/wd-noopen"),
                          0x300),
           "BADWANT", want(c, st, fh, 0x900)]
    print(" ".join(out))


def cmd_dirdeleg(port, path):
    a, sa = back_session(port)
    time.sleep(1)               # nfsd tells stated after the answer
    d, name = path.rsplit("/", 1)
    r = a.compound([sequence(sa, 0, next_seq(sa, 0), 0), putroot()] +
                   path_ops(d) + [p32(OP["CREATE"]) + p32(2) +
                                  opaque(name.encode()) + p32(0) + p32(0),
                                  p32(OP["GETFH"])])
    if r.status != 0:
        print("ERR CREATE %d" % r.status)
        return
    fh = nfs4probe.lookup_fh(port, path)
    types = 1 << 1 | 1 << 2 | 1 << 3 | 1 << 4
    status, g, verf, asid, mask = gdd(a, sa, fh, types)
    out = ["GRANT", str(g if status == 0 else -status), "MASK", str(mask),
           "VERF", "same" if verf is not None and
           verf == readdir_verf(a, sa, fh) else "other"]
    b = Conn(port)
    sb = session_on(b, False)
    out += ["NOBACK", str(gdd(b, sb, fh, types)[1])]
    if g != 0:
        print(" ".join(out))
        return
    n = len(a.notifies)
    v3_dirop(port, 8, fh, "v3file")
    out += ["V3ADD", notes_after(a, n, "add:v3file")]
    n = len(a.notifies)
    b.compound([sequence(sb, 0, next_seq(sb, 0), 0), putfh(fh),
                p32(OP["REMOVE"]) + opaque(b"v3file")])
    out += ["REMOVE", notes_after(a, n, "remove:v3file")]
    n = len(a.notifies)
    v3_dirop(port, 8, fh, "r1")
    notes_after(a, n, "add:r1")
    n = len(a.notifies)
    b.compound([sequence(sb, 0, next_seq(sb, 0), 0), putfh(fh),
                p32(32), p32(29) + opaque(b"r1") +
                opaque(b"r2")])
    out += ["RENAME", notes_after(a, n, "rename:r1>r2")]
    n = len(a.notifies)
    b.compound([sequence(sb, 0, next_seq(sb, 0), 0), putfh(fh),
                p32(34) + b"\0" * 16 + p32(2) + p32(0) +
                p32(1 << 1) + opaque(p32(0o755))])
    out += ["CHMOD", notes_after(a, n, "dirattrs")]
    n = len(a.notifies)
    a.compound([sequence(sa, 0, next_seq(sa, 0), 0), putfh(fh),
                p32(OP["OPEN"]) + p32(0) + p32(1 | 0x400) + p32(0) +
                p64(sa["clientid"]) + opaque(b"own-owner") + p32(1) +
                p32(0) + p32(0) + p32(0) + p32(0) + opaque(b"own")])
    # Then someone else's: had A's own change been told, it would have
    # come first (one callback at a time, in order).
    v3_dirop(port, 8, fh, "mark")
    out += ["OWN", notes_after(a, n, "add:mark")]
    c, sc = back_session(port)
    time.sleep(1)
    _, gc, _, csid, _ = gdd(c, sc, fh, 1 << 3)
    listed = "no"
    if os.environ.get("DIRDELEG_CTL"):
        listing = subprocess.run(os.environ["DIRDELEG_CTL"], shell=True,
                                 capture_output=True, text=True).stdout
        listed = "yes" if listing.count("delegation directory granted") \
            >= 2 else "no"
    n = len(a.notifies)
    v3_dirop(port, 12, fh, "r2")
    out += ["LAST", notes_after(a, n, "remove:r2")]
    c.wait(lambda: c.recalls, 10)
    out += ["RECALL", "same" if gc == 0 and c.recalls and
            c.recalls[0][2] == csid[1] else "none"]
    r = c.compound([sequence(sc, 0, next_seq(sc, 0), 0), putfh(fh),
                    p32(OP["DELEGRETURN"]) + stateid(csid)]) \
        if gc == 0 else None
    out += ["RETURN", str(r.status if r is not None else -1),
            "LISTED", listed]
    print(" ".join(out))


def cmd_toobig(port, path):
    out = []
    for resp, cached, n, cache in ((6000, 8192, 5000, 1),
                                   (6000, 8192, 7000, 0),
                                   (1 << 20, 1024, 2000, 1),
                                   (1 << 20, 1024, 2000, 0)):
        c = Conn(port)
        st = session_on(c, False, resp, cached)
        ops = open41(st, path, b"big-owner", 3)
        r = c.compound(ops)
        if r.status != 0:
            print("ERR OPEN %d" % r.status)
            return
        skip_sequence(r)
        sid, _, _, fh = nfs4probe.open_result(r, len(ops) - 1)
        if not out:
            r = c.compound([sequence(st, 0, next_seq(st, 0), 0), putfh(fh),
                            p32(OP["WRITE"]) + stateid(sid) + p64(0) +
                            p32(2) + opaque(b"w" * 8000)])
            out += ["WRITE", str(r.status)]
        r = c.compound([sequence(st, 0, next_seq(st, 0), cache), putfh(fh),
                        p32(OP["READ"]) + stateid(sid) + p64(0) + p32(n)])
        out += [("CACHED", "BIG", "KEPT", "PLAIN")[len(out) // 2 - 1],
                str(r.status)]
    print(" ".join(out))


def main():
    port, cmd, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if cmd == "session":
        cmd_session(port, args[0])
    elif cmd == "getattr":
        cmd_getattr(port, args[0], int(args[1]) if len(args) > 1 else 0)
    elif cmd == "replay":
        cmd_replay(port, args[0], int(args[1]) if len(args) > 1 else 0)
    elif cmd == "again":
        cmd_again(port, args[0])
    elif cmd == "misordered":
        cmd_misordered(port, args[0])
    elif cmd == "falseretry":
        cmd_falseretry(port, args[0])
    elif cmd == "uncached":
        cmd_uncached(port, args[0])
    elif cmd == "v40op":
        cmd_v40op(port, args[0], args[1])
    elif cmd == "backsec":
        cmd_backsec(port, args[0])
    elif cmd == "backctl":
        cmd_backctl(port, args[0], len(args) > 1 and args[1] == "again")
    elif cmd == "nosequence":
        print("STATUS %d" % status_of(port, [putroot(), getattr_([2])])
              .status)
    elif cmd == "seqpos":
        st = load(args[0])
        ops = [sequence(st, 0, next_seq(st, 0)), putroot(),
               sequence(st, 0, 1)]
        save(args[0], st)
        r = status_of(port, ops)
        print("STATUS %d RESULTS %d" % (r.status, r.nres))
    elif cmd == "notonly":
        print("STATUS %d" % status_of(port, [exchange_id(b"notonly"),
                                             putroot()]).status)
    elif cmd == "minor":
        print("STATUS %d" % status_of(port, [putroot()], int(args[0]))
              .status)
    elif cmd == "illegal":
        st = load(args[0])
        ops = [sequence(st, 0, next_seq(st, 0)), p32(59)]
        save(args[0], st)
        r = status_of(port, ops)
        skip_sequence(r)
        print("STATUS %d OP %d" % (r.status, r.res()[0]))
    elif cmd == "badsession":
        st = dict(session=os.urandom(16).hex())
        print("STATUS %d" % status_of(port, [sequence(st, 0, 1)]).status)
    elif cmd == "badslot":
        st = load(args[0])
        print("STATUS %d" % status_of(port, [sequence(st, 4095, 1)])
              .status)
    elif cmd == "destroy":
        st = load(args[0])
        a = status_of(port, [p32(OP41["DESTROY_SESSION"]) +
                             bytes.fromhex(st["session"])]).status
        b = status_of(port, [sequence(st, 0, next_seq(st, 0))]).status
        save(args[0], st)
        print("DESTROY %d SEQUENCE %d" % (a, b))
    elif cmd == "destroyclient":
        st = load(args[0])
        print("STATUS %d" % status_of(port, [p32(OP41["DESTROY_CLIENTID"]) +
                                             p64(st["clientid"])]).status)
    elif cmd == "reclaim":
        st = load(args[0])
        ops = [sequence(st, 0, next_seq(st, 0)),
               p32(OP41["RECLAIM_COMPLETE"]) + p32(0)]
        save(args[0], st)
        print("STATUS %d" % status_of(port, ops).status)
    elif cmd == "secinfo":
        st = load(args[0])
        ops = [sequence(st, 0, next_seq(st, 0)), putroot(),
               p32(OP41["SECINFO_NO_NAME"]) + p32(0)]
        save(args[0], st)
        r = status_of(port, ops)
        flavors = []
        if r.status == 0:
            skip_sequence(r)
            r.res()
            r.res()
            flavors = [str(r.u32()) for _ in range(r.u32())]
        print("STATUS %d FLAVORS %s" % (r.status, " ".join(flavors)))
    elif cmd == "back":
        cmd_back(port, args[0], False)
    elif cmd == "want":
        cmd_want(port, args[0])
    elif cmd == "excl41":
        cmd_excl41(port, args[0])
    elif cmd == "trunk":
        cmd_trunk(port)
    elif cmd == "recallany":
        cmd_recallany(port, args[0])
    elif cmd == "toobig":
        cmd_toobig(port, args[0])
    elif cmd == "dirdeleg":
        cmd_dirdeleg(port, args[0])
    elif cmd == "wantdeleg":
        cmd_wantdeleg(port, args[0])
    elif cmd == "notifyfail":
        cmd_notifyfail(port, args[0])
    elif cmd == "dirsave":
        cmd_dirsave(port, args[0], args[1])
    elif cmd == "diragain":
        cmd_diragain(port, args[0], args[1])
    elif cmd == "recallslot":
        cmd_recallslot(port)
    elif cmd == "backsave":
        cmd_back(port, args[1], False, args[0])
    elif cmd == "backagain":
        cmd_back(port, args[1], False, args[0], True)
    elif cmd == "backchan":
        cmd_back(port, args[0], True)
    elif cmd == "bind":
        st = load(args[0])
        r = status_of(port, [p32(OP41["BIND_CONN_TO_SESSION"]) +
                             bytes.fromhex(st["session"]) +
                             p32(int(args[1])) + p32(0)])
        d = 0
        if r.status == 0:
            r.res()
            r.fixed(16)
            d = r.u32()
        print("BIND %d DIR %d" % (r.status, d))
    elif cmd in ("claimfh", "curstateid"):
        st = load(args[0])
        if cmd == "claimfh":
            last = p32(18) + p32(0) + p32(1) + p32(0) + p64(0) + \
                opaque(b"owner41") + p32(0) + p32(4)    # OPEN, CLAIM_FH
        else:
            last = p32(25) + p32(1) + b"\0" * 12 + p64(0) + p32(16)
        ops = [sequence(st, 0, next_seq(st, 0)), putroot()] + \
            path_ops(args[1]) + [last]
        save(args[0], st)
        r = status_of(port, ops)
        print("STATUS %d RESULTS %d" % (r.status, r.nres))
    elif cmd == "sp4":
        print("STATUS %d" % status_of(port, [exchange_id(b"sp4", int(
            args[0]))]).status)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
