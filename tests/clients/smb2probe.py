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
  streams D KEYHEX NAME
                      named streams of NAME (smbd/stream.c): CREATE,
                      WRITE, SET_INFO end of file, QUERY_INFO, READ of
                      NAME:s1, its rename (NOT_SUPPORTED), overwrite,
                      FileStreamInformation, FILE_NAMED_STREAMS; the
                      file's DELETE against its stream's share mode; a
                      directory's stream; a name too long; PASS/FAIL
                      lines
  secd D KEYHEX NAME UID
                      a CREATE of NAME with a SecD context (a DACL
                      denying UID write): SECD status
  files D KEYHEX      with tests/clients/gssd-stub.py as gssd (session
                      key KEYHEX): a session in dialect D, its final
                      SESSION_SETUP signature, signed and badly signed
                      ECHO, TREE_CONNECT, then CREATE, WRITE, READ,
                      QUERY_INFO, SET_INFO, QUERY_DIRECTORY, rename,
                      delete on close, renames while the target's or
                      the source's directory is open (SHARING_VIOLATION
                      or not), a related compound, LOGOFF; the
                      pipe srvsvc of IPC$ (BIND, NetShareEnumAll through
                      WRITE/READ and FSCTL_PIPE_TRANSCEIVE), CANCEL of
                      nothing; one line "PASS name" or "FAIL name:
                      detail" per step
  opens D KEYHEX N    the same session, then N + 1 opens: the last one
                      refused (open files per connection = N)
  enc D KEYHEX CIPHER [required]
                      SMB3 encryption with the stub's key: a session in
                      dialect D (3.1.1 offering only CIPHER, a name as
                      aes-128-gcm; 3.0 and 3.0.2: AES-128-CCM), then
                      transforms both ways (ECHO, CREATE, WRITE, READ,
                      a related chain), the share "sealed" (smb encrypt
                      = required) refusing requests in the clear, a
                      tampered transform and one of an unknown session
                      dropping the connection; with "required" ([smbd]
                      encryption = desired or required):
                      SESSION_FLAG_ENCRYPT_DATA and a request in the
                      clear refused; PASS/FAIL lines
  encless D KEYHEX [required]
                      a session that cannot encrypt (2.1, or 3.1.1
                      offering no cipher): the share "sealed" refuses
                      its TREE_CONNECT, "export" takes it; with
                      "required", SESSION_SETUP is refused
  garbage N SEED      N connections, each a good NEGOTIATE then a
                      mutated request (bytes flipped, cut short or
                      lengthened); then a NEGOTIATE answers: ALIVE
  multichannel D KEYHEX
                      a session on channel A, bound on channel B
                      (same ClientGuid): a WRITE on A read on B, A
                      closed with the session kept, a lease break and
                      A's waiting CHANGE_NOTIFY answered on B, LOGOFF;
                      PASS/FAIL lines
  locks D KEYHEX      two sessions (two connections) through the stub:
                      LOCK with Windows' rules (stacking, exact unlock,
                      rollback of a failed element, zero-length locks,
                      bad requests), READ/WRITE against another open's
                      lock, a blocking LOCK answered PENDING then
                      granted, one cancelled, CLOSE and LOGOFF freeing
                      locks; share modes of CREATE: "PASS name" lines
  hold D KEYHEX NAME lock OFF LEN | denywrite
                      open NAME (created if missing) and take an
                      exclusive lock, or open it for writing denying
                      write to others; print "HELD" (or "FAIL status"),
                      wait for a line on stdin, close, print "RELEASED"
  locklimit D KEYHEX N
                      with [smbd] locks per open = N and pending locks
                      per connection = 1: N locks of one open, then one
                      more refused (INSUFFICIENT_RESOURCES); a second
                      blocking LOCK of a connection fails at once
  trylock D KEYHEX NAME OFF LEN
                      open NAME and LOCK it exclusively, failing at
                      once: "LOCK 0x<status>"
  durable D KEYHEX NAME v1|v2|v2deny|v2lease|v2doc [TIMEOUT_MS]
                      open NAME (overwritten) for read and write with a
                      batch oplock and DHnQ (v1) or DH2Q (v2: a random
                      CreateGuid, Timeout TIMEOUT_MS or 0), sharing all
                      (v2deny: read only; v2lease: an RWH lease, not
                      batch, " LEASE <state> <key>" after the guid;
                      v2doc: with DELETE and FILE_DELETE_ON_CLOSE);
                      WRITE "durable-data" at 100,
                      LOCK 0-10 exclusively; print "DURABLE <oplock>
                      <context> <timeout> <fileid hex> <guid hex>",
                      wait for a line on stdin (or its end), then exit
                      without closing anything
  reconnect D KEYHEX NAME v1|v2|v2lease|v2leaseother|v2leasename FIDHEX GUIDHEX
                      a new session: CREATE with DHnC (v1) or DH2C (v2),
                      "RECONNECT 0x<status> <oplock> <same fileid>";
                      then READ at 100: "READ <data>"; a second session
                      opens NAME, the break it causes is acknowledged,
                      and its LOCK of 0-10 fails: "OTHER 0x<status>";
                      LOCK 50-60 of the reconnected open "OWN 0x<st>";
                      unless "keep" follows, CLOSE "CLOSE 0x<status>"
  durbreak D KEYHEX NAME
                      a durable v1 open of NAME with a batch oplock, a
                      second session's open breaks it, the break is
                      acknowledged, the second open closes; then the
                      first connection drops: "DURBREAK 0x<ack>
                      0x<second open> <fileid hex>"
  durcorners D KEYHEX NAME
                      durable v2 corners (NAME.ack, .csn, .del, .ren):
                      replay after a lease break acknowledgment, the
                      ChannelSequence of a DH2C, DeletePending over a
                      DH2C, delete on close after a rename; PASS/FAIL
                      lines
  replay D KEYHEX NAME
                      a DH2Q open of NAME, the same CreateGuid again
                      without and then with SMB2_FLAGS_REPLAY_OPERATION:
                      "REPLAY 0x<first> 0x<second> 0x<third> same|other
                      DH2Q|-"
  exists D KEYHEX NAME
                      CREATE of NAME with FILE_OPEN: "EXISTS 0x<status>"
  denyopen D KEYHEX NAME
                      open NAME for read and write denying all sharing,
                      then LOCK 0-10: "DENYOPEN 0x<status> 0x<lock>"
  nodurable D KEYHEX NAME
                      DHnQ without an oplock: "NODURABLE 0x<status>
                      <context>" (the context answered, or -)
  leases D KEYHEX     PASS/FAIL lines: leases v1 (2.1) or v2 (3.x) as
                      grants in stated: RWH granted, shared by two opens
                      of one key, broken to RH by another session's
                      reader and to none by its writer, acknowledged
  hold D KEYHEX NAME lease
                      an RWH lease of NAME: "HELD <state>", then its
                      break "BREAK <cmd> <current> <new> <flags>", its
                      acknowledgment "ACKED 0x<status>", a line on stdin
  notify D KEYHEX [CIPHER]
                      CHANGE_NOTIFY (smbd/notify.c), PASS/FAIL lines:
                      a signed request answered PENDING, then completed
                      (signed) by another session's CREATE; a rename's
                      OLD and NEW names; changes kept between requests
                      returned at once; a record's change through an
                      open (end of file): MODIFIED; a file's first
                      WRITE, its CLOSE and a CHANGE_NOTIFY in one
                      compound: MODIFIED at once; NOTIFY_ENUM_DIR for
                      a small OutputBufferLength and past [smbd] notify
                      buffer size (expects 1024); CANCEL; CLOSE ->
                      NOTIFY_CLEANUP; a file, a filter of 0, a length
                      above MaxTransactSize, a directory opened without
                      FILE_LIST_DIRECTORY refused; [smbd] pending
                      notifies per connection (expects 4); the watched
                      directory removed: DELETE_PENDING; a related
                      compound CREATE + CHANGE_NOTIFY; CHANGE_NOTIFY +
                      CLOSE in one chain: INTERNAL_ERROR for the
                      CHANGE_NOTIFY, then the CLOSE; with CIPHER (3.x)
                      the same in transforms, the completion sealed
  midsend             NEGOTIATE, then the first 64 KiB of a 512 KiB frame
                      (a WRITE as a client sends it): "PARTIAL"; wait
                      for a line on stdin (the test kills smbd), send
                      the rest in 16 KiB pieces 5 ms apart, then read
                      to the end of the stream: "MIDSEND SENT EOF" when
                      every piece went and the server closed cleanly;
                      "MIDSEND RESET <error> <bytes sent>" when the
                      connection was reset under the sender (what the
                      Linux cifs client reports as ECONNABORTED)
  watch D KEYHEX DIR N [tree|attrs]
                      watch DIR (made if missing) for names, with
                      SMB2_WATCH_TREE when "tree" follows, for the
                      entries' attributes, size and last write time too
                      when "attrs" follows: "PENDING"
                      once the first request waits, "NOTIFY 0x<status>
                      <action>:<name>..." per completion, re-armed until
                      N changes came, then "DONE"
  dirlease D KEYHEX DIR
                      PASS/FAIL lines: directory leases (3.x): DIR
                      (made if missing) leased RH though RWH was asked,
                      none to a v1 context or an oplock; a CREATE in it
                      through an open naming that lease as its
                      ParentLeaseKey breaks nothing, another session's
                      CREATE, rename and delete of an entry each break it
                      to none (ack required, epoch + 1), the change not
                      waiting for the acknowledgment; an open of DIR that
                      meets a sharing violation breaks RH to R and waits
  dirwait D KEYHEX DIR
                      lease DIR (RH, v2) and wait for its break: "LEASED
                      <state>" once granted, then "BREAK <current> <new>
                      <flags>" and "ACK <status>" when it came
  info D KEYHEX       PASS/FAIL lines: SET_INFO FileBasicInformation's
                      four times, kept by the handle that set them, -1,
                      -2 and below; FileAccessInformation and FileAll's
                      AccessFlags and EaSize; READ_ATTRIBUTES checked;
                      position and mode; each class's fixed size
                      (INFO_LENGTH_MISMATCH) and BUFFER_OVERFLOW with
                      what fits; allocation, delete pending; the object
                      id FSCTLs, an FSCTL on an unknown FileId; the
                      listing's 8.3 name as FileAlternateNameInformation;
                      a file deleted while another open of it stays
                      (listed, DELETE_PENDING, not renamed, gone with
                      that open); "BTIME <name> <unix seconds>" for an
                      NFSv4 check
  supersede D KEYHEX  PASS/FAIL lines: FILE_SUPERSEDE in place (MS-FSA
                      2.1.5.1.2): A opens a file with an EA and writes,
                      B supersedes it (sharing all): FILE_SUPERSEDED,
                      the same file (FileInternalInformation), empty,
                      its attributes B's, its EAs gone; then A writes
                      through its handle and B, and an open of the name,
                      read what A wrote
  krb5 D CLIENT...    a session with Kerberos in SPNEGO (dialect D, 202 or
                      210): CLIENT (tests/clients/krb5-client -N SHAPE)
                      makes the tokens; SESSION_SETUP until it is done,
                      then with its session key a signed TREE_CONNECT,
                      CREATE, WRITE and READ back: "SETUP 0x<status> N
                      legs", then one "PASS"/"FAIL" line per step; the
                      client's own lines prefixed "client: "
"""
import os
import socket
import struct
import sys
import time

PORT = int(sys.argv[1])
CMD = sys.argv[2]
ARGS = sys.argv[3:]

NEGOTIATE, SESSION_SETUP, TREE_CONNECT, CREATE, READ, ECHO = 0, 1, 3, 5, 8, 13


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return s


class HeldSend:
    """A socket's stand-in that keeps what is sent, for one write."""

    def __init__(self, held):
        self.held = held

    def sendall(self, data):
        self.held.append(data)


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
           charge=1, size=64, csn=0):
    """csn: the ChannelSequence (3.x), where a response has its status."""
    return (b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", size, charge, csn, cmd,
            credits, flags, next_cmd, mid, 0, tid, sid) + b"\0" * 16)


def parse(msg):
    (size, charge, status, cmd, credits, flags, nxt, mid, _r, tid,
     sid) = struct.unpack_from("<HHIHHIIQIIQ", msg, 4)
    return {"status": status, "cmd": cmd, "credits": credits,
            "flags": flags, "next": nxt, "mid": mid, "sid": sid,
            "tid": tid, "body": msg[64:]}


def pad8(b):
    return b + b"\0" * ((8 - len(b) % 8) % 8)


def negotiate_body(dialects, contexts=None, guid=None):
    body = struct.pack("<HHHHI16sIHH", 36, len(dialects), 1, 0, 0x7f,
                       guid or os.urandom(16), 0, 0, 0)
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


def kdf(ki, label, ctx):
    import hmac
    import hashlib
    return hmac.new(ki, b"\0\0\0\1" + label + b"\0" + ctx +
                    b"\0\0\0\x80", hashlib.sha256).digest()[:16]


def kdf_n(ki, label, ctx, nbytes):
    import hmac
    import hashlib
    return hmac.new(ki, b"\0\0\0\1" + label + b"\0" + ctx +
                    struct.pack(">I", nbytes * 8),
                    hashlib.sha256).digest()[:nbytes]


CIPHERS = {"aes-128-ccm": 1, "aes-128-gcm": 2, "aes-256-ccm": 3,
           "aes-256-gcm": 4}


def aead(cipher, key):
    from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM
    if cipher in (2, 4):
        return AESGCM(key), 12
    return AESCCM(key, tag_length=16), 11


def mac(alg, key, msg):
    """MS-SMB2 3.1.4.1 over msg with its signature field zeroed."""
    import hmac
    import hashlib
    m = msg[:48] + b"\0" * 16 + msg[64:]
    if alg == 0:
        return hmac.new(key, m, hashlib.sha256).digest()[:16]
    if alg == 1:
        from cryptography.hazmat.primitives import cmac
        from cryptography.hazmat.primitives.ciphers import algorithms
        c = cmac.CMAC(algorithms.AES(key))
        c.update(m)
        return c.finalize()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    flags = struct.unpack_from("<I", m, 16)[0]
    cmd = struct.unpack_from("<H", m, 12)[0]
    role = (1 if flags & 1 else 0) | (2 if cmd == 0x0c else 0)
    nonce = m[24:32] + struct.pack("<I", role)
    return AESGCM(key).encrypt(nonce, b"", m)


class Files:
    """A session through gssd-stub.py, then the file commands."""

    def __init__(self, s, dialect, key):
        self.s, self.dialect, self.key = s, dialect, key
        self.mid, self.sid, self.tid = 0, 0, 0
        self.results = []
        self.signkey, self.alg = None, None
        self.limit = None
        # Encryption: the cipher offered (3.1.1), keys, whether to seal.
        self.offer, self.cipher = None, 0
        self.c2s, self.s2c = None, None
        self.seal, self.sealed = False, False
        self.session_flags = 0
        self.setup_only = False

    def wrap(self, m):
        """MS-SMB2 3.1.4.3: m in a transform of this session."""
        a, n = aead(self.cipher, self.c2s)
        nonce = os.urandom(n)
        aad = nonce + b"\0" * (16 - n) + struct.pack("<IHHQ", len(m), 0, 1,
                                                      self.sid)
        ct = a.encrypt(nonce, m, aad)
        return b"\xfdSMB" + ct[-16:] + aad + ct[:-16]

    def unwrap(self, raw):
        """A transform from the server: its message, or raise."""
        if raw[:4] != b"\xfdSMB":
            self.sealed = False
            return raw
        a, n = aead(self.cipher, self.s2c)
        aad = raw[20:52]
        (size, _res, flags, sid) = struct.unpack_from("<IHHQ", raw, 36)
        if flags != 1 or sid != self.sid or size != len(raw) - 52:
            raise ValueError("bad transform header")
        self.sealed = True
        return a.decrypt(raw[20:20 + n], raw[52:] + raw[4:20], aad)

    def report(self, name, ok, detail=""):
        print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, detail)))
        sys.stdout.flush()

    def call(self, cmd, body, charge=1, sign=False, corrupt=False,
             flags=0, tid=None):
        self.mid += self.last_charge if hasattr(self, "last_charge") else 0
        self.last_charge = charge
        m = header(cmd, self.mid, credits=32, sid=self.sid,
                   tid=self.tid if tid is None else tid, charge=charge,
                   flags=flags | (8 if sign else 0),
                   csn=getattr(self, "csn", 0)) + body
        if sign:
            sig = mac(self.alg, self.signkey, m)
            if corrupt:
                sig = bytes([sig[0] ^ 1]) + sig[1:]
            m = m[:48] + sig + m[64:]
        send_frame(self.s, self.wrap(m) if self.seal else m)
        raw = self.unwrap(recv_frame(self.s))
        self.raw_req, self.raw = m, raw
        return parse(raw)

    def run(self):
        import hashlib
        d = self.dialect
        ctx = default_contexts() if d == 0x311 else None
        if d == 0x311 and self.offer is not None:
            ctx = [c for c in ctx if c[0] != 2]
            if self.offer:
                ctx.append((2, struct.pack("<H", len(self.offer)) +
                            b"".join(struct.pack("<H", c)
                                     for c in self.offer)))
        self.guid = os.urandom(16)
        nreq = header(NEGOTIATE, 0, credits=32) + negotiate_body([d], ctx,
                                                                 self.guid)
        send_frame(self.s, nreq)
        nraw = recv_frame(self.s)
        r = parse(nraw)
        self.server_guid = r["body"][8:24]
        self.last_charge = 1
        self.report("negotiate %x" % d, r["status"] == 0, hex(r["status"]))
        self.alg = 0 if d < 0x300 else 1
        caps = struct.unpack_from("<I", r["body"], 24)[0]
        if d in (0x300, 0x302) and caps & 0x40:
            self.cipher = 1
        if d == 0x311:
            b = r["body"]
            pos = struct.unpack_from("<I", b, 60)[0] - 64
            for i in range(struct.unpack_from("<H", b, 6)[0]):
                if i:
                    pos = (pos + 7) & ~7
                (t, dl) = struct.unpack_from("<HH", b, pos)
                if t == 8:
                    self.alg = struct.unpack_from("<H", b, pos + 10)[0]
                if t == 2:
                    self.cipher = struct.unpack_from("<H", b, pos + 10)[0]
                pos += 8 + dl
        h = b"\0" * 64
        h = hashlib.sha512(h + nreq).digest()
        h = hashlib.sha512(h + nraw).digest()
        tok = b"\x60\x02any"
        body = struct.pack("<HBBIIHHQ", 25, 0, 1, 0, 0, 64 + 24, len(tok), 0)
        r = self.call(SESSION_SETUP, body + tok)
        if self.setup_only and r["status"] != 0xc0000016:
            self.setup_status = r["status"]
            return
        self.report("session setup, first leg: MORE_PROCESSING_REQUIRED",
                    r["status"] == 0xc0000016 and r["sid"] != 0,
                    hex(r["status"]))
        self.sid = r["sid"]
        h = hashlib.sha512(h + self.raw_req).digest()
        h = hashlib.sha512(h + self.raw).digest()
        r = self.call(SESSION_SETUP, body + tok)
        h = hashlib.sha512(h + self.raw_req).digest()
        self.setup_status = r["status"]
        if r["status"] == 0:
            self.session_flags = struct.unpack_from("<H", r["body"], 2)[0]
        if self.setup_only and r["status"] != 0:
            return
        self.report("session setup, second leg: SUCCESS", r["status"] == 0,
                    hex(r["status"]))
        if self.cipher:
            L = 32 if self.cipher in (3, 4) else 16
            if d == 0x311:
                self.s2c = kdf_n(self.key, b"SMBS2CCipherKey\0", h, L)
                self.c2s = kdf_n(self.key, b"SMBC2SCipherKey\0", h, L)
            else:
                self.s2c = kdf_n(self.key, b"SMB2AESCCM\0", b"ServerOut\0",
                                 16)
                self.c2s = kdf_n(self.key, b"SMB2AESCCM\0", b"ServerIn \0",
                                 16)
        if d < 0x300:
            self.signkey = self.key
        elif d == 0x311:
            self.signkey = kdf(self.key, b"SMBSigningKey\0", h)
        else:
            self.signkey = kdf(self.key, b"SMB2AESCMAC\0", b"SmbSign\0")
        if d == 0x311:
            sig = self.raw[48:64]
            self.report("3.1.1: the final SESSION_SETUP response is signed "
                        "with the key from the preauth hash (alg %d)" %
                        self.alg, r["flags"] & 8 and
                        sig == mac(self.alg, self.signkey, self.raw),
                        "flags %x" % r["flags"])
        if self.setup_only:
            return
        echo = struct.pack("<HH", 4, 0)
        r = self.call(ECHO, echo, sign=True)
        self.report("a signed ECHO: SUCCESS, the response signed",
                    r["status"] == 0 and r["flags"] & 8 and
                    self.raw[48:64] == mac(self.alg, self.signkey, self.raw),
                    hex(r["status"]))
        r = self.call(TREE_CONNECT, self.tree_body("export"), sign=True,
                      corrupt=True)
        self.report("a badly signed request: ACCESS_DENIED",
                    r["status"] == 0xc0000022, hex(r["status"]))
        r = self.call(TREE_CONNECT, self.tree_body("nosuch"))
        self.report("TREE_CONNECT to an unknown share: BAD_NETWORK_NAME",
                    r["status"] == 0xc00000cc, hex(r["status"]))
        r = self.call(TREE_CONNECT, self.tree_body("IPC$"))
        self.ipc_tid = r["tid"]
        self.report("TREE_CONNECT to IPC$: SUCCESS, share type PIPE",
                    r["status"] == 0 and len(r["body"]) >= 16 and
                    r["body"][2] == 2 and self.ipc_tid != 0,
                    hex(r["status"]))
        r = self.call(TREE_CONNECT, self.tree_body("EXPORT"))
        self.tid = r["tid"]
        self.report("TREE_CONNECT to the share (any case)",
                    r["status"] == 0 and self.tid != 0, hex(r["status"]))
        vin = struct.pack("<I16sHHH", 0x7f, self.guid, 1, 1, d)
        io = struct.pack("<HHI16sIIIIIIII", 57, 0, 0x00140204, b"\xff" * 16,
                         64 + 56, len(vin), 0, 0, 0, 1024, 1, 0) + vin
        r = self.call(0x0b, io)
        b = r["body"]
        ok = r["status"] == 0 and len(b) >= 72 and \
            b[52:68] == self.server_guid and \
            struct.unpack_from("<H", b, 70)[0] == d
        self.report("FSCTL_VALIDATE_NEGOTIATE_INFO: our GUID and dialect",
                    ok, hex(r["status"]))
        io2 = struct.pack("<HHI16sIIIIIIII", 57, 0, 0x00060194, b"\xff" * 16,
                          64 + 56, 0, 0, 0, 0, 1024, 1, 0)
        r = self.call(0x0b, io2)
        self.report("another FSCTL: INVALID_DEVICE_REQUEST",
                    r["status"] == 0xc0000010, hex(r["status"]))
        if self.limit is not None:
            self.open_steps(self.limit)
        else:
            self.pipe_steps()
            self.file_steps()

    def open_steps(self, limit):
        """[smbd] open files per connection: limit opens, then refused."""
        fids, st = [], 0
        for _ in range(limit + 1):
            r = self.call(CREATE, self.create("", 1, 1, access=0x80))
            if r["status"] != 0:
                st = r["status"]
                break
            fids.append(self.fid(r))
        self.report("%d opens, then TOO_MANY_OPENED_FILES" % limit,
                    len(fids) == limit and st == 0xc000011f,
                    "%d opened, then %s" % (len(fids), hex(st)))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + fids.pop())
        r = self.call(CREATE, self.create("", 1, 1, access=0x80))
        self.report("one closed, one more opens", r["status"] == 0,
                    hex(r["status"]))

    def pipe_steps(self):
        """IPC$: the srvsvc pipe, DCE/RPC through WRITE/READ and IOCTL."""
        T = self.ipc_tid
        r = self.call(CREATE, self.create("lsarpc", 1, 0), tid=T)
        self.report("IPC$: CREATE of a pipe not served (lsarpc): "
                    "OBJECT_NAME_NOT_FOUND", r["status"] == 0xc0000034,
                    hex(r["status"]))
        r = self.call(CREATE, self.create("srvsvc", 1, 0), tid=T)
        self.report("IPC$: CREATE of srvsvc", r["status"] == 0,
                    hex(r["status"]))
        if r["status"] != 0:
            return
        fid = self.fid(r)
        q = struct.pack("<HBBIHHIII16s", 41, 1, 5, 24, 0, 0, 0, 0, 0, fid)
        r = self.call(0x10, q, tid=T)
        b = r["body"]
        self.report("QUERY_INFO FileStandardInformation of the pipe: 4096 "
                    "allocated, empty, delete pending",
                    r["status"] == 0 and len(b) >= 32 and
                    struct.unpack_from("<QQIBB", b, 8) == (4096, 0, 1, 1, 0),
                    hex(r["status"]))
        bind = rpc_bind(SRVSVC_UUID, 3)
        w = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(bind), 0, fid, 0,
                        0, 0, 0, 0) + bind
        r = self.call(0x09, w, tid=T)
        self.report("WRITE of a BIND to the pipe: all of it written",
                    r["status"] == 0 and
                    struct.unpack_from("<I", r["body"], 4)[0] == len(bind),
                    hex(r["status"]))
        rd = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, 4280, 0, fid, 0, 0, 0,
                         0, 0, 0)
        r = self.call(READ, rd, tid=T)
        b = r["body"]
        ack = b[16:16 + struct.unpack_from("<I", b, 4)[0]] if \
            r["status"] == 0 else b""
        self.report("READ: the BIND_ACK, NDR accepted",
                    len(ack) > 44 and ack[2] == 12 and
                    struct.unpack_from("<H", ack, 44)[0] == 0,
                    hex(r["status"]))
        r = self.call(READ, rd, tid=T)
        self.report("READ with nothing to read: PIPE_EMPTY",
                    r["status"] == 0xc00000d9, hex(r["status"]))
        req = rpc_request(15, enum_all_stub(1), 2)
        r = self.transceive(fid, req, 4280)
        stub = rpc_stub(r)
        names = enum1_names(stub)
        self.report("FSCTL_PIPE_TRANSCEIVE NetShareEnumAll level 1: "
                    "export (disk) and IPC$ (0x80000003)",
                    r["status"] == 0 and ("export", 0) in names and
                    ("IPC$", 0x80000003) in names, "%s %r" %
                    (hex(r["status"]), names))
        req = rpc_request(15, enum_all_stub(2), 3)
        r = self.transceive(fid, req, 4280)
        stub = rpc_stub(r)
        self.report("NetShareEnumAll level 2 as uid 0 (an administrator): "
                    "WERR_OK", len(stub) >= 4 and stub[-4:] == b"\0" * 4,
                    stub[-4:].hex())
        r = self.transceive(fid, rpc_request(15, enum_all_stub(1), 4), 40)
        part = r["body"][48:]
        self.report("TRANSCEIVE with 40 bytes of room: BUFFER_OVERFLOW, "
                    "40 bytes", r["status"] == 0x80000005 and len(part) == 40,
                    hex(r["status"]))
        r = self.call(READ, rd, tid=T)
        b = r["body"]
        rest = b[16:16 + struct.unpack_from("<I", b, 4)[0]] if \
            r["status"] == 0 else b""
        whole = part + rest
        self.report("READ: the rest of that RESPONSE, whole",
                    len(whole) > 24 and
                    struct.unpack_from("<H", whole, 8)[0] == len(whole) and
                    enum1_names(whole[24:]) == names, hex(r["status"]))
        r = self.transceive(fid, rpc_request(99, b"", 5), 4280)
        b = r["body"][48:]
        self.report("an unknown opnum: FAULT nca_s_op_rng_error",
                    r["status"] == 0 and len(b) >= 28 and b[2] == 3 and
                    struct.unpack_from("<I", b, 24)[0] == 0x1c010002,
                    hex(r["status"]))
        r = self.call(6, struct.pack("<HHI", 24, 0, 0) + fid, tid=T)
        self.report("CLOSE of the pipe", r["status"] == 0, hex(r["status"]))
        r = self.call(READ, rd, tid=T)
        self.report("READ of the closed pipe: FILE_CLOSED",
                    r["status"] == 0xc0000128, hex(r["status"]))
        # CANCEL of nothing pending: no answer (MS-SMB2 3.3.5.16); the
        # ECHO after it is what comes back.
        send_frame(self.s, header(0x0c, self.mid, sid=self.sid) +
                   struct.pack("<HH", 4, 0))
        r = self.call(ECHO, struct.pack("<HH", 4, 0))
        self.report("CANCEL of nothing pending: no response (the next "
                    "frame answers the ECHO after it)",
                    r["cmd"] == ECHO and r["status"] == 0,
                    "cmd %d" % r["cmd"])
        r = self.call(ECHO, struct.pack("<HH", 5, 0))
        self.report("ECHO with StructureSize 5: INVALID_PARAMETER",
                    r["status"] == 0xc000000d, hex(r["status"]))
        r = self.call(4, struct.pack("<HH", 9, 0), tid=T)
        self.report("TREE_DISCONNECT with StructureSize 9: "
                    "INVALID_PARAMETER", r["status"] == 0xc000000d,
                    hex(r["status"]))
        r = self.call(4, struct.pack("<HH", 4, 0), tid=T)
        self.report("TREE_DISCONNECT of IPC$", r["status"] == 0,
                    hex(r["status"]))
        r = self.call(CREATE, self.create("srvsvc", 1, 0), tid=T)
        self.report("CREATE on the disconnected tree: NETWORK_NAME_DELETED",
                    r["status"] == 0xc00000c9, hex(r["status"]))

    def transceive(self, fid, data, maxout):
        io = struct.pack("<HHI16sIIIIIIII", 57, 0, 0x0011c017, fid, 64 + 56,
                         len(data), 0, 0, 0, maxout, 1, 0) + data
        return self.call(0x0b, io, tid=self.ipc_tid)

    def tree_body(self, share):
        path = ("\\\\127.0.0.1\\" + share).encode("utf-16-le")
        return struct.pack("<HHHH", 9, 0, 64 + 8, len(path)) + path

    def create(self, name, disp, options, access=0xC0000000, attrs=0,
               share=7):
        n = name.encode("utf-16-le")
        body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0, access,
                           attrs, share, disp, options, 64 + 56, len(n), 0,
                           0)
        return body + (n or b"\0")

    def fid(self, r):
        return r["body"][64:80]

    def file_steps(self):
        F = b"\xff" * 16
        pd = "pdir%x" % self.dialect
        r = self.call(CREATE, self.create(pd, 2, 1, access=0x80))
        self.report("CREATE a directory (FILE_CREATE, DIRECTORY_FILE)",
                    r["status"] == 0 and
                    struct.unpack_from("<I", r["body"], 4)[0] == 2,
                    hex(r["status"]))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + self.fid(r))
        r = self.call(CREATE, self.create(pd + "\\f.bin", 5, 0x40))
        f = self.fid(r)
        self.report("CREATE a file (OVERWRITE_IF): created",
                    r["status"] == 0 and
                    struct.unpack_from("<I", r["body"], 4)[0] == 2,
                    hex(r["status"]))
        data = os.urandom(100000)
        body = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(data), 0, f, 0,
                           0, 0, 0, 0) + data
        r = self.call(9, body, charge=2)
        self.report("WRITE 100000 bytes (charge 2)", r["status"] == 0 and
                    struct.unpack_from("<I", r["body"], 4)[0] == len(data),
                    hex(r["status"]))
        r = self.call(7, struct.pack("<HHI", 24, 0, 0) + f)
        self.report("FLUSH (fdatasync off the loop)", r["status"] == 0,
                    hex(r["status"]))
        wt = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, 5, 100000, f, 0, 0, 0,
                         0, 1) + b"tail!"
        r = self.call(9, wt)
        self.report("WRITE with SMB2_WRITEFLAG_WRITE_THROUGH",
                    r["status"] == 0 and
                    struct.unpack_from("<I", r["body"], 4)[0] == 5,
                    hex(r["status"]))
        rb = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, len(data), 0, f, 0, 0,
                         0, 0, 0, 0)
        r = self.call(READ, rb, charge=2)
        off = r["body"][2] - 64 if r["status"] == 0 else 0
        got = r["body"][off:off + len(data)] if r["status"] == 0 else b""
        self.report("READ it back: the same bytes", got == data,
                    hex(r["status"]))
        r = self.call(READ, rb, charge=1)
        self.report("READ of 100000 bytes charged 1 credit: "
                    "INVALID_PARAMETER", r["status"] == 0xc000000d,
                    hex(r["status"]))
        q = struct.pack("<HBBIHHIII16s", 41, 1, 5, 24, 0, 0, 0, 0, 0, f)
        r = self.call(0x10, q)
        eof = struct.unpack_from("<Q", r["body"], 16)[0] \
            if r["status"] == 0 else -1
        self.report("QUERY_INFO FileStandardInformation: EndOfFile 100005",
                    eof == 100005, "%s eof %d" % (hex(r["status"]), eof))
        si = struct.pack("<HBBIHHI16s", 33, 1, 20, 8, 64 + 32, 0, 0, f) + \
            struct.pack("<Q", 1000)
        r = self.call(0x11, si)
        self.report("SET_INFO FileEndOfFileInformation 1000",
                    r["status"] == 0, hex(r["status"]))
        r = self.call(6, struct.pack("<HHI", 24, 1, 0) + f)
        eof = struct.unpack_from("<Q", r["body"], 48)[0] \
            if r["status"] == 0 else -1
        self.report("CLOSE with the attributes after: EndOfFile 1000",
                    eof == 1000, "%s eof %d" % (hex(r["status"]), eof))
        r = self.call(0x10, q)
        self.report("QUERY_INFO on the closed FileId: FILE_CLOSED",
                    r["status"] == 0xc0000128, hex(r["status"]))
        r = self.call(CREATE, self.create(pd + "\\f.bin", 2, 0x40))
        self.report("CREATE (FILE_CREATE) of an existing file: "
                    "OBJECT_NAME_COLLISION", r["status"] == 0xc0000035,
                    hex(r["status"]))
        r = self.call(CREATE, self.create("nodir\\x", 1, 0))
        self.report("CREATE under a missing directory: "
                    "OBJECT_PATH_NOT_FOUND", r["status"] == 0xc000003a,
                    hex(r["status"]))
        r = self.call(CREATE, self.create(pd, 1, 0x40))
        self.report("CREATE of a directory with NON_DIRECTORY_FILE: "
                    "FILE_IS_A_DIRECTORY", r["status"] == 0xc00000ba,
                    hex(r["status"]))
        r = self.call(CREATE, self.create(pd, 1, 1, access=0x81))
        dfid = self.fid(r)
        pat = "*".encode("utf-16-le")
        qd = struct.pack("<HBBI16sHHI", 33, 37, 0, 0, dfid, 64 + 32,
                         len(pat), 65536) + pat
        r = self.call(0x0e, qd)
        names = self.dir_names(r)
        self.report("QUERY_DIRECTORY FileIdBothDirectoryInformation *: "
                    ". .. f.bin", sorted(names) == [".", "..", "f.bin"],
                    "%s %s" % (hex(r["status"]), names))
        r = self.call(0x0e, qd)
        self.report("QUERY_DIRECTORY again: NO_MORE_FILES",
                    r["status"] == 0x80000006, hex(r["status"]))
        pat2 = "*.TXT".encode("utf-16-le")
        qd2 = struct.pack("<HBBI16sHHI", 33, 3, 1, 0, dfid, 64 + 32,
                          len(pat2), 65536) + pat2
        r = self.call(0x0e, qd2)
        self.report("QUERY_DIRECTORY restarted with *.TXT: NO_SUCH_FILE",
                    r["status"] == 0xc000000f, hex(r["status"]))
        pat3 = "F?BIN".encode("utf-16-le")
        qd3 = struct.pack("<HBBI16sHHI", 33, 12, 1, 0, dfid, 64 + 32,
                          len(pat3), 65536) + pat3
        r = self.call(0x0e, qd3)
        self.report("QUERY_DIRECTORY FileNamesInformation F?BIN: f.bin",
                    self.dir_names(r, 12) == ["f.bin"], hex(r["status"]))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + dfid)
        nn = (pd + "\\g.bin").encode("utf-16-le")
        rn = struct.pack("<B7sQI", 0, b"\0" * 7, 0, len(nn)) + nn
        # MS-FSA 2.1.5.14.11: a rename needs the open's DELETE.
        r = self.call(CREATE, self.create(pd + "\\f.bin", 1, 0x40,
                                          access=0x80))
        f = self.fid(r)
        r = self.call(0x11, struct.pack("<HBBIHHI16s", 33, 1, 10, len(rn),
                                        64 + 32, 0, 0, f) + rn)
        self.report("SET_INFO FileRenameInformation through an open "
                    "without DELETE: ACCESS_DENIED",
                    r["status"] == 0xc0000022, hex(r["status"]))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + f)
        r = self.call(CREATE, self.create(pd + "\\f.bin", 1, 0x40,
                                          access=0x10080))
        f = self.fid(r)
        si = struct.pack("<HBBIHHI16s", 33, 1, 10, len(rn), 64 + 32, 0, 0,
                         f) + rn
        r = self.call(0x11, si)
        self.report("SET_INFO FileRenameInformation to pdir\\g.bin",
                    r["status"] == 0, hex(r["status"]))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + f)
        r = self.call(CREATE, self.create(pd + "\\g.bin", 1, 0x1040,
                                          access=0x10000))
        f = self.fid(r)
        self.report("CREATE of the renamed file with DELETE_ON_CLOSE",
                    r["status"] == 0, hex(r["status"]))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + f)
        r = self.call(CREATE, self.create(pd + "\\g.bin", 1, 0x40))
        self.report("after CLOSE it is gone: OBJECT_NAME_NOT_FOUND",
                    r["status"] == 0xc0000034, hex(r["status"]))
        self.rename_rule_steps()
        # A related chain: CREATE, QUERY_INFO and CLOSE of its FileId.
        base = self.mid + self.last_charge
        c1 = pad8(header(CREATE, base, credits=8, sid=self.sid,
                         tid=self.tid) + self.create(pd, 1, 1,
                                                     access=0x80))
        q2 = pad8(header(0x10, base + 1, credits=8, sid=self.sid,
                         tid=self.tid, flags=4) +
                  struct.pack("<HBBIHHIII16s", 41, 1, 4, 40, 0, 0, 0, 0, 0,
                              F))
        c3 = header(6, base + 2, credits=8, sid=self.sid, tid=self.tid,
                    flags=4) + struct.pack("<HHI", 24, 0, 0) + F
        c1 = c1[:20] + struct.pack("<I", len(c1)) + c1[24:]
        q2 = q2[:20] + struct.pack("<I", len(q2)) + q2[24:]
        self.mid, self.last_charge = base + 2, 1
        send_frame(self.s, c1 + q2 + c3)
        fr = recv_frame(self.s)
        sts, pos, attrs = [], 0, 0
        while True:
            rr = parse(fr[pos:])
            sts.append(rr["status"])
            if rr["cmd"] == 0x10 and rr["status"] == 0:
                attrs = struct.unpack_from("<I", rr["body"], 8 + 32)[0]
            if rr["next"] == 0:
                break
            pos += rr["next"]
        self.report("a related chain CREATE + QUERY_INFO + CLOSE: three "
                    "successes, a directory", sts == [0, 0, 0] and
                    attrs & 0x10, "%s attrs %x" % (sts, attrs))
        # Ten QUERY_INFOs (answered through blockd) in one write: every
        # one answered, past [smbd] requests per connection.
        r = self.call(CREATE, self.create(pd, 1, 1, access=0x80))
        dfid = self.fid(r)
        base = self.mid + self.last_charge
        batch = b""
        for i in range(10):
            m = header(0x10, base + i, credits=1, sid=self.sid,
                       tid=self.tid) + struct.pack(
                "<HBBIHHIII16s", 41, 1, 4, 40, 0, 0, 0, 0, 0, dfid)
            batch += struct.pack(">I", len(m)) + m
        self.s.sendall(batch)
        got = [parse(recv_frame(self.s))["status"] for i in range(10)]
        self.mid, self.last_charge = base + 9, 1
        self.report("ten pipelined QUERY_INFOs: ten answers",
                    got == [0] * 10, str(got))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + dfid)
        r = self.call(4, struct.pack("<HH", 4, 0))
        self.report("TREE_DISCONNECT", r["status"] == 0, hex(r["status"]))
        r = self.call(2, struct.pack("<HH", 8, 0))
        self.report("LOGOFF with StructureSize 8: INVALID_PARAMETER, the "
                    "session stays", r["status"] == 0xc000000d,
                    hex(r["status"]))
        r = self.call(2, struct.pack("<HH", 4, 0))
        self.report("LOGOFF", r["status"] == 0, hex(r["status"]))
        r = self.call(TREE_CONNECT, self.tree_body("export"))
        self.report("after LOGOFF the session is gone: USER_SESSION_DELETED",
                    r["status"] == 0xc0000203, hex(r["status"]))

    def rename_rule_steps(self):
        """The rename's open of the target's directory (dittofs-smbd(8)):
        MS-FSA 2.1.5.1.2.2 against the other opens of that directory, not
        of the source's."""
        close = struct.pack("<HHI", 24, 0, 0)
        top, sub = "rnrule", "rnrule\\sub"
        for d in (top, sub):
            r = self.call(CREATE, self.create(d, 3, 1, access=0x80))
            self.call(6, close + self.fid(r))
        r = self.call(CREATE, self.create(sub + "\\a.bin", 3, 0x40,
                                          access=0x80))
        self.call(6, close + self.fid(r))

        def rename(held, held_access, held_share, frm, to):
            """frm renamed to to while held is open: the status."""
            r = self.call(CREATE, self.create(held, 1, 1, access=held_access,
                                              share=held_share))
            h = self.fid(r) if r["status"] == 0 else None
            r = self.call(CREATE, self.create(frm, 1, 0x40, access=0x10080))
            f = self.fid(r) if r["status"] == 0 else None
            st = r["status"]
            if f is not None:
                nn = to.encode("utf-16-le")
                rn = struct.pack("<B7sQI", 0, b"\0" * 7, 0, len(nn)) + nn
                st = self.call(0x11, struct.pack(
                    "<HBBIHHI16s", 33, 1, 10, len(rn), 64 + 32, 0, 0, f) +
                    rn)["status"]
                self.call(6, close + f)
            if h is not None:
                self.call(6, close + h)
            return st
        a, b, viol = top + "\\a.bin", top + "\\b.bin", 0xc0000043
        for held, acc, share, frm, to, want, what in (
                (top, 0x10081, 7, sub + "\\a.bin", a, viol,
                 "into a directory open elsewhere with DELETE (sharing "
                 "all): SHARING_VIOLATION"),
                (sub, 0x10081, 7, sub + "\\a.bin", a, 0,
                 "out of a directory open elsewhere with DELETE, into one "
                 "not open: renamed"),
                (top, 0x81, 5, a, b, viol, "in a directory open without "
                 "DELETE, not sharing write: SHARING_VIOLATION"),
                (top, 0x81, 3, a, b, 0, "in a directory open without "
                 "DELETE, sharing read and write only: renamed")):
            st = rename(held, acc, share, frm, to)
            self.report("rename " + what, st == want, hex(st))
        for n, o in ((b, 0x1040), (a, 0x1040), (sub, 0x1001),
                     (top, 0x1001)):
            r = self.call(CREATE, self.create(n, 1, o, access=0x10000))
            if r["status"] == 0:
                self.call(6, close + self.fid(r))

    def dir_names(self, r, cls=37):
        if r["status"] != 0:
            return []
        off = struct.unpack_from("<H", r["body"], 2)[0] - 64
        ln = struct.unpack_from("<I", r["body"], 4)[0]
        buf = r["body"][off:off + ln]
        names, pos = [], 0
        fixed = {37: 104, 12: 12, 3: 94}[cls]
        nlen_at = {37: 60, 12: 8, 3: 60}[cls]
        while True:
            nxt = struct.unpack_from("<I", buf, pos)[0]
            nl = struct.unpack_from("<I", buf, pos + nlen_at)[0]
            names.append(buf[pos + fixed:pos + fixed + nl].decode(
                "utf-16-le"))
            if nxt == 0:
                break
            pos += nxt
        return names


LOCK, CANCEL, CLOSE, LOGOFF, WRITE = 0x0a, 0x0c, 6, 2, 9
SH, EX, UN, FI = 1, 2, 4, 0x10
OPLOCK_BREAK = 0x12


class LockProbe(Files):
    """A quiet session for the lock and share-mode commands."""

    def login(self):
        d = self.dialect
        ctx = default_contexts() if d == 0x311 else None
        send_frame(self.s, header(NEGOTIATE, 0, credits=32) +
                   negotiate_body([d], ctx,
                                  getattr(self, "client_guid", None)))
        recv_frame(self.s)
        self.last_charge = 1
        tok = b"\x60\x02any"
        body = struct.pack("<HBBIIHHQ", 25, 0, 1, 0, 0, 64 + 24, len(tok), 0)
        r = self.call(SESSION_SETUP, body + tok)
        self.sid = r["sid"]
        self.call(SESSION_SETUP, body + tok)
        r = self.call(TREE_CONNECT, self.tree_body(getattr(self, "share",
                                                           "export")))
        self.tid = r["tid"]
        return r["status"]

    def create_body(self, name, access=0xC0000000, share=7, disp=3,
                    oplock=0):
        n = name.encode("utf-16-le")
        return struct.pack("<HBBIQQIIIIIHHII", 57, 0, oplock, 2, 0, 0,
                           access, 0, share, disp, 0x40, 64 + 56, len(n), 0,
                           0) + n

    def open(self, name, access=0xC0000000, share=7, disp=3, oplock=0):
        r = self.call(CREATE, self.create_body(name, access, share, disp,
                                               oplock))
        # Kept waiting (a break): STATUS_PENDING first, then the final.
        while r["status"] == 0x103 and r["flags"] & 2:
            r = parse(self.unwrap(recv_frame(self.s)))
        self.oplock = r["body"][2] if r["status"] == 0 else None
        return r["status"], self.fid(r) if r["status"] == 0 else None

    def ack(self, f, level):
        """An oplock break acknowledgment (2.2.24.1): status, level."""
        r = self.call(OPLOCK_BREAK, struct.pack("<HBBI16s", 24, level, 0, 0,
                                                f))
        return r["status"], r["body"][2] if r["status"] == 0 else None

    def lock_body(self, f, elems):
        b = struct.pack("<HHI16s", 48, len(elems), 0, f)
        for (off, ln, fl) in elems:
            b += struct.pack("<QQII", off, ln, fl, 0)
        return b if elems else b + b"\0" * 24

    def lock(self, f, elems):
        return self.call(LOCK, self.lock_body(f, elems))["status"]

    def send(self, cmd, body):
        """Send without waiting: the message id."""
        self.mid += self.last_charge
        self.last_charge = 1
        send_frame(self.s, header(cmd, self.mid, credits=32, sid=self.sid,
                                  tid=self.tid) + body)
        return self.mid

    def recv(self):
        raw = recv_frame(self.s)
        r = parse(raw)
        r["async_id"] = struct.unpack_from("<Q", raw, 32)[0]
        return r

    def cancel(self, mid, async_id):
        h = bytearray(header(CANCEL, mid, credits=0, sid=self.sid,
                             flags=2))
        h[32:40] = struct.pack("<Q", async_id)
        send_frame(self.s, bytes(h) + struct.pack("<HH", 4, 0))

    def rw(self, cmd, f, off, ln):
        if cmd == READ:
            b = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, ln, off, f, 0, 0, 0,
                            0, 0, 0)
        else:
            b = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, ln, off, f, 0, 0,
                            0, 0, 0) + b"w" * ln
        return self.call(cmd, b)["status"]

    def close(self, f):
        return self.call(CLOSE, struct.pack("<HHI", 24, 0, 0) + f)["status"]


class KrbSession(Files):
    """SESSION_SETUP with the tokens of krb5-client -N, then files."""

    def client_line(self):
        while True:
            line = self.client.stdout.readline()
            if not line:
                return None
            line = line.rstrip("\n")
            if line.startswith("tok ") or line.startswith("key "):
                return line
            print("client: " + line)
            sys.stdout.flush()

    def krb5(self, argv):
        import subprocess
        d = self.dialect
        send_frame(self.s, header(NEGOTIATE, 0, credits=32) +
                   negotiate_body([d]))
        recv_frame(self.s)
        self.last_charge = 1
        self.client = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
        status, legs, key = None, 0, None
        while True:
            line = self.client_line()
            if line is None:
                break
            if line.startswith("key "):
                key = bytes.fromhex(line[4:])
                break
            tok = bytes.fromhex(line[4:])
            # Signing required by the client: the session must be signed.
            body = struct.pack("<HBBIIHHQ", 25, 0, 2, 0, 0, 64 + 24,
                               len(tok), 0)
            r = self.call(SESSION_SETUP, body + tok)
            legs += 1
            status = r["status"]
            if r["sid"]:
                self.sid = r["sid"]
            if status not in (0, 0xc0000016):
                break
            (off, ln) = struct.unpack_from("<HH", r["body"], 4)
            out = self.raw[off:off + ln]
            self.client.stdin.write("%x %s\n" % (status,
                                                 out.hex() or "-"))
            self.client.stdin.flush()
        self.client.stdin.close()
        for line in self.client.stdout:
            print("client: " + line.rstrip("\n"))
        rc = self.client.wait()
        print("SETUP 0x%x %d legs" % (status if status is not None else
                                      0xffffffff, legs))
        print("CLIENT EXIT %d" % rc)
        if status != 0 or key is None:
            return
        self.alg, self.signkey = 0, key
        r = self.call(TREE_CONNECT, self.tree_body("export"), sign=True)
        self.report("TREE_CONNECT signed with the Kerberos session key",
                    r["status"] == 0 and r["flags"] & 8 and
                    self.raw[48:64] == mac(0, key, self.raw),
                    hex(r["status"]))
        self.tid = r["tid"]
        data = os.urandom(3000)
        r = self.call(CREATE, self.create("krb5-%d.bin" % os.getpid(), 5,
                                          0x40), sign=True)
        self.report("CREATE", r["status"] == 0, hex(r["status"]))
        if r["status"] != 0:
            return
        f = self.fid(r)
        w = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(data), 0, f, 0,
                        0, 0, 0, 0) + data
        r = self.call(9, w, sign=True)
        self.report("WRITE", r["status"] == 0, hex(r["status"]))
        rd = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, len(data), 0, f, 0,
                         0, 0, 0, 0, 0)
        r = self.call(READ, rd, sign=True)
        (off, ln) = struct.unpack_from("<BxI", r["body"], 2)
        self.report("READ back what was written, signed",
                    r["status"] == 0 and
                    self.raw[off:off + ln] == data and
                    self.raw[48:64] == mac(0, key, self.raw),
                    hex(r["status"]))
        self.call(6, struct.pack("<HHI", 24, 0, 0) + f, sign=True)


def silent(p):
    """True when nothing comes to p within half a second."""
    p.s.settimeout(0.5)
    try:
        p.recv()
        quiet = False
    except socket.timeout:
        quiet = True
    p.s.settimeout(10)
    return quiet


def interim(p):
    """A CREATE kept waiting (MS-SMB2 3.3.4.2): its interim response is
    STATUS_PENDING, async, with an AsyncId; then nothing for now."""
    r = p.recv()
    return (hex(r["status"]), bool(r["flags"] & 2), r["async_id"] != 0,
            silent(p))


def final(p):
    """The final response of a CREATE answered STATUS_PENDING first."""
    r = p.recv()
    while r["status"] == 0x103 and r["flags"] & 2:
        r = p.recv()
    return r


PENDING = ("0x103", True, True, True)


def two_sessions(d, key, fmt):
    """Sessions A and B logged in, and a check that reports with fmt."""
    a = LockProbe(connect(), d, key)
    b = LockProbe(connect(), d, key)

    def eq(name, got, want):
        a.report(name, got == want, fmt % (got, want))
    eq("session A", a.login(), 0)
    eq("session B", b.login(), 0)
    return a, b, eq


def lock_steps(d, key):
    a, b, eq = two_sessions(d, key, "0x%x, expected 0x%x")
    rep = a.report
    st, fa = a.open("lk.bin", disp=5)
    eq("A opens lk.bin", st, 0)
    eq("A writes 300 bytes", a.rw(WRITE, fa, 0, 300), 0)
    st, fb = b.open("lk.bin")
    eq("B opens lk.bin too", st, 0)
    eq("A: exclusive 0-10", a.lock(fa, [(0, 10, EX | FI)]), 0)
    eq("B: exclusive 5-10 over it: LOCK_NOT_GRANTED",
       b.lock(fb, [(5, 10, EX | FI)]), 0xc0000055)
    eq("B: shared 5-10 over it: LOCK_NOT_GRANTED",
       b.lock(fb, [(5, 10, SH | FI)]), 0xc0000055)
    eq("A: exclusive 0-10 over its own: LOCK_NOT_GRANTED",
       a.lock(fa, [(0, 10, EX | FI)]), 0xc0000055)
    eq("A: shared 0-10 stacked on its own exclusive",
       a.lock(fa, [(0, 10, SH | FI)]), 0)
    eq("B: READ 0-10: FILE_LOCK_CONFLICT", b.rw(READ, fb, 0, 10),
       0xc0000054)
    eq("B: WRITE 0-10: FILE_LOCK_CONFLICT", b.rw(WRITE, fb, 0, 10),
       0xc0000054)
    eq("B: READ 50-10, outside: SUCCESS", b.rw(READ, fb, 50, 10), 0)
    eq("A: READ 0-10 of its own locked range", a.rw(READ, fa, 0, 10), 0)
    eq("A: WRITE 0-10 under its own shared lock: FILE_LOCK_CONFLICT",
       a.rw(WRITE, fa, 0, 10), 0xc0000054)
    eq("A: unlock 0-10 (the exclusive one first)",
       a.lock(fa, [(0, 10, UN)]), 0)
    eq("B: shared 0-10 now (A's shared one is left)",
       b.lock(fb, [(0, 10, SH | FI)]), 0)
    eq("A: unlock 0-10 again (the shared one)", a.lock(fa, [(0, 10, UN)]),
       0)
    eq("A: unlock 0-10 a third time: RANGE_NOT_LOCKED",
       a.lock(fa, [(0, 10, UN)]), 0xc000007e)
    eq("A: unlock 0-5, not a range it locked: RANGE_NOT_LOCKED",
       a.lock(fa, [(0, 5, UN)]), 0xc000007e)
    eq("B: unlock its shared 0-10", b.lock(fb, [(0, 10, UN)]), 0)
    eq("A: two elements, the second in conflict: LOCK_NOT_GRANTED",
       a.lock(fa, [(60, 5, EX | FI), (100, 5, EX | FI)])
       if b.lock(fb, [(100, 5, EX | FI)]) == 0 else 1, 0xc0000055)
    eq("B: exclusive 60-5: A's first element was undone",
       b.lock(fb, [(60, 5, EX | FI)]), 0)
    eq("B: unlock 60-5 and 100-5 in one request",
       b.lock(fb, [(60, 5, UN), (100, 5, UN)]), 0)
    eq("no element: INVALID_PARAMETER", a.lock(fa, []), 0xc000000d)
    eq("UNLOCK with SHARED: INVALID_PARAMETER",
       a.lock(fa, [(0, 1, UN | SH)]), 0xc000000d)
    eq("a lock and an unlock in one request: INVALID_PARAMETER",
       a.lock(fa, [(0, 1, EX | FI), (0, 1, UN)]), 0xc000000d)
    eq("two elements, one blocking: INVALID_PARAMETER",
       a.lock(fa, [(0, 1, EX | FI), (2, 1, EX)]), 0xc000000d)
    eq("a range past 2^64 - 1: INVALID_LOCK_RANGE",
       a.lock(fa, [(0xFFFFFFFFFFFFFFFF, 2, EX | FI)]), 0xc00001a1)
    eq("A: zero-length exclusive at 150", a.lock(fa, [(150, 0, EX | FI)]),
       0)
    eq("B: zero-length exclusive at 150 too",
       b.lock(fb, [(150, 0, EX | FI)]), 0)
    eq("B: exclusive 149-2 over A's zero-length lock: LOCK_NOT_GRANTED",
       b.lock(fb, [(149, 2, EX | FI)]), 0xc0000055)
    eq("B: exclusive 150-2, starting at it: SUCCESS",
       b.lock(fb, [(150, 2, EX | FI)]), 0)
    eq("A: unlock its zero-length lock", a.lock(fa, [(150, 0, UN)]), 0)
    # Blocking: PENDING, then granted when the holder unlocks.
    eq("A: exclusive 0-10 again", a.lock(fa, [(0, 10, EX | FI)]), 0)
    mid = b.send(LOCK, b.lock_body(fb, [(0, 10, EX)]))
    r = b.recv()
    rep("B: blocking exclusive 0-10: STATUS_PENDING, async, an AsyncId",
        r["status"] == 0x103 and r["flags"] & 2 and r["async_id"] != 0,
        "0x%x flags %x" % (r["status"], r["flags"]))
    eq("A: unlock 0-10", a.lock(fa, [(0, 10, UN)]), 0)
    r = b.recv()
    rep("B: the final response: SUCCESS, same message id, async",
        r["status"] == 0 and r["mid"] == mid and r["flags"] & 2,
        "0x%x mid %d/%d" % (r["status"], r["mid"], mid))
    eq("A: exclusive 0-10 is B's now: LOCK_NOT_GRANTED",
       a.lock(fa, [(0, 10, EX | FI)]), 0xc0000055)
    mid = a.send(LOCK, a.lock_body(fa, [(0, 10, EX)]))
    r = a.recv()
    aid = r["async_id"]
    rep("A: blocking exclusive 0-10: PENDING", r["status"] == 0x103,
        "0x%x" % r["status"])
    a.cancel(mid, aid)
    r = a.recv()
    rep("A: CANCEL: the final response is CANCELLED",
        r["status"] == 0xc0000120 and r["mid"] == mid,
        "0x%x" % r["status"])
    mid = a.send(LOCK, a.lock_body(fa, [(0, 10, EX)]))
    r = a.recv()
    rep("A: blocking exclusive 0-10 again: PENDING", r["status"] == 0x103,
        "0x%x" % r["status"])
    b.close(fb)
    r = a.recv()
    rep("B closes: its lock goes, A's waiting LOCK is granted",
        r["status"] == 0 and r["mid"] == mid, "0x%x" % r["status"])
    st, fb = b.open("lk.bin")
    eq("B: exclusive 200-10 of a new open", b.lock(fb, [(200, 10, EX | FI)]),
       0)
    eq("B: LOGOFF", b.call(LOGOFF, struct.pack("<HH", 4, 0))["status"], 0)
    eq("A: exclusive 200-10 after B's LOGOFF",
       a.lock(fa, [(200, 10, EX | FI)]), 0)
    eq("A: CLOSE", a.close(fa), 0)
    # Share modes (MS-FSA 2.1.5.1.2).
    b = LockProbe(connect(), d, key)
    eq("session B again", b.login(), 0)
    st, fa = a.open("sm.bin", share=1)
    eq("A opens sm.bin read-write, sharing read only", st, 0)
    eq("B opens it for write: SHARING_VIOLATION",
       b.open("sm.bin", access=0x40000000)[0], 0xc0000043)
    eq("A writes 100 bytes", a.rw(WRITE, fa, 0, 100), 0)
    eq("B overwrites it (OVERWRITE_IF): SHARING_VIOLATION",
       b.open("sm.bin", access=0x40000000, disp=5)[0], 0xc0000043)
    eq("B supersedes it: SHARING_VIOLATION",
       b.open("sm.bin", access=0x40000000, disp=0)[0], 0xc0000043)
    eq("... and A's 100 bytes are all there (checked before truncating)",
       a.rw(READ, fa, 0, 100), 0)
    eq("B opens it for delete: SHARING_VIOLATION",
       b.open("sm.bin", access=0x10000)[0], 0xc0000043)
    st, f2 = b.open("sm.bin", access=0x80000000)
    eq("B opens it for read, sharing all: SUCCESS", st, 0)
    b.close(f2)
    eq("B opens it for read denying write (A writes): SHARING_VIOLATION",
       b.open("sm.bin", access=0x80000000, share=1)[0], 0xc0000043)
    st, f2 = b.open("sm.bin", access=0x80, share=0)
    eq("B opens it for attributes only, sharing nothing: SUCCESS", st, 0)
    b.close(f2)
    a.close(fa)
    st, f2 = b.open("sm.bin", access=0x40000000)
    eq("A closed: B opens it for write", st, 0)
    b.close(f2)


def oplock_steps(d, key):
    """MS-SMB2 3.3.5.9, 3.3.4.6, 3.3.5.22.1: oplocks as grants in stated."""
    a, b, eq = two_sessions(d, key, "%r, expected %r")
    st, fa = a.open("op.bin", disp=5, oplock=9)
    eq("A opens op.bin asking for a batch oplock", st, 0)
    eq("A is granted batch", a.oplock, 9)
    # MS-FSA 2.1.5.17: an oplock is its open's, so A's own second open
    # breaks it as anyone's would, and waits for the acknowledgment.
    a.send(CREATE, a.create_body("op.bin", oplock=0))
    n = a.recv()
    eq("A opens it again: its first open's batch breaks to level II",
       (n["cmd"], n["body"][2], n["body"][8:24]), (OPLOCK_BREAK, 1, fa))
    eq("... and A's second CREATE waits for the acknowledgment (PENDING)",
       interim(a), PENDING)
    eq("A acknowledges at level II", a.ack(fa, 1), (0, 1))
    r = final(a)
    eq("then A's second CREATE succeeds", r["status"], 0)
    a.close(a.fid(r) if r["status"] == 0 else None)
    a.close(fa)
    st, fa = a.open("op.bin", oplock=9)
    eq("A, its second open closed, asks batch again: granted",
       (st, a.oplock), (0, 9))
    # B's CREATE (for writing) waits for A's acknowledgment of the
    # break to level II: an open takes W, the WRITE itself takes R.
    b.send(CREATE, b.create_body("op.bin", oplock=1))
    n = a.recv()
    eq("A gets OPLOCK_BREAK (message id all ones)",
       (n["cmd"], n["mid"]), (OPLOCK_BREAK, 0xFFFFFFFFFFFFFFFF))
    eq("... to level II for a writer's open, naming A's open",
       (n["body"][2], n["body"][8:24]), (1, fa))
    eq("B's CREATE is answered STATUS_PENDING (async, an AsyncId) and "
       "waits for the acknowledgment", interim(b), PENDING)
    eq("A acknowledges at level II", a.ack(fa, 1), (0, 1))
    r = b.recv()
    eq("then B's CREATE succeeds, its final response async",
       (r["status"], bool(r["flags"] & 2)), (0, True))
    eq("... with level II too (both opens write: a WRITE breaks them)",
       r["body"][2] if r["status"] == 0 else None, 1)
    fb = b.fid(r) if r["status"] == 0 else None
    eq("A acknowledges again: INVALID_OPLOCK_PROTOCOL", a.ack(fa, 0),
       (0xc00000e3, None))
    b.close(fb)
    a.close(fa)
    # An overwrite breaks a batch oplock to none.
    st, fa = a.open("op.bin", oplock=9)
    eq("A asks batch again: granted", (st, a.oplock), (0, 9))
    b.send(CREATE, b.create_body("op.bin", disp=5, oplock=1))
    n = a.recv()
    eq("B overwrites: A's batch breaks to none",
       (n["cmd"], n["body"][2]), (OPLOCK_BREAK, 0))
    eq("A acknowledges at level II: INVALID_OPLOCK_PROTOCOL", a.ack(fa, 1),
       (0xc00000e3, None))
    eq("A acknowledges at level none", a.ack(fa, 0), (0, 0))
    r = final(b)
    eq("then B's CREATE succeeds", r["status"], 0)
    b.close(b.fid(r) if r["status"] == 0 else None)
    a.close(fa)
    # A holder that never acknowledges: the CREATE goes on after the
    # [smbd] oplock break timeout (the test sets it to 3 s).
    st, fa = a.open("op.bin", oplock=8)
    eq("A opens it again asking for exclusive: granted", (st, a.oplock),
       (0, 8))
    st, fb = b.open("op.bin", access=0x80000000, oplock=1)
    eq("B opens it to read while A never acknowledges: it goes on after "
       "the timeout", st, 0)
    eq("... with level II: A's oplock, its break unacknowledged, is no "
       "more (MS-SMB2 3.3.2.5)", b.oplock, 1)
    n = a.recv()
    eq("A got the break all the same", n["cmd"], OPLOCK_BREAK)
    eq("A acknowledges after the timeout: INVALID_OPLOCK_PROTOCOL",
       a.ack(fa, 1), (0xc00000e3, None))
    b.close(fb)
    a.close(fa)
    st, fa = a.open("op.bin", access=0x80000000, oplock=1)
    eq("A, all closed, asks level II: granted", (st, a.oplock), (0, 1))
    st, fb = b.open("op.bin", access=0x80000000, oplock=1)
    eq("B to read, level II too: both hold level II", (st, b.oplock), (0, 1))
    b.close(fb)
    a.close(fa)
    # 3.3.4.6: a reader leaves level II; level II goes to none unacked.
    st, fa = a.open("op.bin", oplock=9)
    eq("A asks batch again: granted", (st, a.oplock), (0, 9))
    b.send(CREATE, b.create_body("op.bin", access=0x80000000))
    n = a.recv()
    eq("B reads: A's batch breaks to level II",
       (n["cmd"], n["body"][2]), (OPLOCK_BREAK, 1))
    eq("A acknowledges level II", a.ack(fa, 1), (0, 1))
    r = final(b)
    eq("then B's CREATE succeeds", r["status"], 0)
    b.close(b.fid(r) if r["status"] == 0 else None)
    st, fb = b.open("op.bin")
    eq("B opens it for writing: A keeps level II (no break)",
       (st, silent(a)), (0, True))
    eq("B writes: the WRITE goes on without an acknowledgment",
       b.rw(WRITE, fb, 0, 10), 0)
    n = a.recv()
    eq("... and A's level II breaks to none (MS-FSA 2.1.5.3)",
       (n["cmd"], n["body"][2]), (OPLOCK_BREAK, 0))
    eq("A acknowledges it: INVALID_OPLOCK_PROTOCOL (none is acked)",
       a.ack(fa, 0), (0xc00000e3, None))
    b.close(fb)
    a.close(fa)
    # 3.3.5.16: CANCEL of a CREATE that waits; its open goes.
    st, fa = a.open("op.bin", oplock=9)
    eq("A asks batch again: granted", (st, a.oplock), (0, 9))
    mid = b.send(CREATE, b.create_body("op.bin", oplock=0))
    n = a.recv()
    eq("B opens: A's batch breaks", n["cmd"], OPLOCK_BREAK)
    r = b.recv()
    eq("B's CREATE is answered STATUS_PENDING", (hex(r["status"]),
       bool(r["flags"] & 2)), ("0x103", True))
    b.cancel(mid, r["async_id"])
    r2 = b.recv()
    eq("B cancels it: STATUS_CANCELLED, async, its AsyncId and "
       "message id, no credits", (hex(r2["status"]), bool(r2["flags"] & 2),
                                  r2["async_id"] == r["async_id"],
                                  r2["mid"], r2["credits"]),
       ("0xc0000120", True, True, mid, 0))
    eq("A acknowledges level II", a.ack(fa, 1), (0, 1))
    a.close(fa)
    st, fa = a.open("op.bin", share=0)
    eq("nothing is left of B's cancelled open: A opens it denying all",
       st, 0)
    a.close(fa)


def lease_ctx(d, lkey, state, epoch=0):
    """RqLs (2.2.13.2.8 v1 before 3.0, 2.2.13.2.10 v2 after)."""
    if d < 0x300:
        return create_ctx(b"RqLs", struct.pack("<16sIIQ", lkey, state, 0,
                                               0))
    return create_ctx(b"RqLs", struct.pack("<16sIIQ16sHH", lkey, state, 0,
                                           0, b"\0" * 16, epoch, 0))


def lease_of(r):
    """The granted lease: (state, epoch) or None (2.2.14.2.10, .11)."""
    data = response_ctx(r, b"RqLs")
    if data is None or len(data) < 32:
        return None
    (state,) = struct.unpack_from("<I", data, 16)
    epoch = struct.unpack_from("<H", data, 48)[0] if len(data) >= 52 else 0
    return (state, epoch)


def lease_ack(p, lkey, state):
    """LEASE_BREAK_ACK (2.2.24.2): status, the state answered."""
    r = p.call(OPLOCK_BREAK, struct.pack("<HHI16sIQ", 36, 0, 0, lkey, state,
                                         0))
    if r["status"] != 0:
        return r["status"], None
    return r["status"], struct.unpack_from("<I", r["body"], 24)[0]


def lease_break_of(n):
    """A LEASE_BREAK notification (2.2.23.2): size, epoch, flags, key,
    current, new."""
    b = n["body"]
    if len(b) < 44:
        return None
    return struct.unpack_from("<HHI16sII", b, 0)


def lease_steps(d, key):
    """MS-SMB2 3.3.5.9.8, 3.3.5.9.11, 3.3.4.7, 3.3.5.22.2: leases."""
    a, b, eq = two_sessions(d, key, "%r, expected %r")
    v2 = d >= 0x300
    ka = bytes(range(1, 17))
    r = create_with(a, "le.bin", [lease_ctx(d, ka, 7, 4)], disp=5,
                    oplock=0xff)
    eq("A opens le.bin asking an RWH lease", r["status"], 0)
    fa = a.fid(r) if r["status"] == 0 else None
    eq("... OplockLevel LEASE", a.oplock, 0xff)
    eq("... RWH granted (epoch the client's + 1 for v2)", lease_of(r),
       (7, 5 if v2 else 0))
    r = create_with(a, "le.bin", [lease_ctx(d, ka, 7, 4)], oplock=0xff)
    eq("A opens it again with the same key: the lease is shared, "
       "not broken", (r["status"], lease_of(r)), (0, (7, 5 if v2 else 0)))
    fa2 = a.fid(r) if r["status"] == 0 else None
    # B reads: A's lease goes to RH, the ack required (A holds W and H).
    b.send(CREATE, b.create_body("le.bin", access=0x80000000))
    n = a.recv()
    eq("A gets a LEASE_BREAK (OPLOCK_BREAK, message id all ones)",
       (n["cmd"], n["mid"]), (OPLOCK_BREAK, 0xFFFFFFFFFFFFFFFF))
    lb = lease_break_of(n)
    eq("... RWH to RH for a reader, ack required, its key",
       lb and (lb[0], lb[2], lb[3], lb[4], lb[5]), (44, 1, ka, 7, 3))
    eq("... epoch + 1 (v2) or 0 (v1)", lb and lb[1], 6 if v2 else 0)
    eq("B's CREATE is answered STATUS_PENDING (async, an AsyncId) and "
       "waits for the acknowledgment", interim(b), PENDING)
    eq("A acknowledges RWH: REQUEST_NOT_ACCEPTED",
       lease_ack(a, ka, 7), (0xc00000d0, None))
    # 3.3.5.22.2: refused, the break is still to acknowledge.
    eq("... and B's CREATE still waits", silent(b), True)
    eq("A acknowledges R (less than offered): granted",
       lease_ack(a, ka, 1), (0, 1))
    r = b.recv()
    eq("then B's CREATE succeeds", r["status"], 0)
    fb = b.fid(r) if r["status"] == 0 else None
    b.close(fb)
    a.close(fa2)
    a.close(fa)
    r = create_with(a, "le.bin", [lease_ctx(d, ka, 7, 9)], oplock=0xff)
    eq("A, all closed, asks RWH again: granted",
       (r["status"], lease_of(r) and lease_of(r)[0]), (0, 7))
    fa = a.fid(r) if r["status"] == 0 else None
    b.send(CREATE, b.create_body("le.bin", access=0x80000000))
    n = a.recv()
    lb = lease_break_of(n)
    eq("B reads: A's lease breaks to RH", lb and (lb[4], lb[5]), (7, 3))
    eq("A acknowledges RH: granted", lease_ack(a, ka, 3), (0, 3))
    r = final(b)
    eq("then B's CREATE succeeds", r["status"], 0)
    fb = b.fid(r) if r["status"] == 0 else None
    eq("A acknowledges again: UNSUCCESSFUL (no break)",
       lease_ack(a, ka, 3), (0xc0000001, None))
    b.close(fb)
    # MS-FSA 2.1.5.1.2: B's open for writing leaves A's RH alone; B's
    # WRITE takes it to none (2.1.5.3), still acked (A holds H).
    r = b.call(CREATE, b.create_body("le.bin"))
    eq("B opens for writing: at once, A's RH is not broken", r["status"], 0)
    fb = b.fid(r) if r["status"] == 0 else None
    eq("... A gets no LEASE_BREAK", silent(a), True)
    eq("B writes", fb and b.rw(WRITE, fb, 0, 4), 0)
    n = a.recv()
    lb = lease_break_of(n)
    eq("... A's RH breaks to none, ack required",
       lb and (lb[2], lb[4], lb[5]), (1, 3, 0))
    eq("... epoch + 1 again (v2)", lb and lb[1], 12 if v2 else 0)
    eq("A acknowledges none", lease_ack(a, ka, 0), (0, 0))
    b.close(fb)
    a.close(fa)
    # Two readers each hold RH; H alone is not granted.
    r = create_with(a, "le.bin", [lease_ctx(d, ka, 3)],
                    access=0x80000000, oplock=0xff)
    fa = a.fid(r) if r["status"] == 0 else None
    kb = bytes(range(17, 33))
    r2 = create_with(b, "le.bin", [lease_ctx(d, kb, 3)],
                     access=0x80000000, oplock=0xff)
    fb = b.fid(r2) if r2["status"] == 0 else None
    eq("A and B, readers, both hold RH",
       (lease_of(r) and lease_of(r)[0], lease_of(r2) and lease_of(r2)[0]),
       (3, 3))
    b.close(fb)
    r2 = create_with(b, "le2.bin", [lease_ctx(d, kb, 2)], disp=5,
                     oplock=0xff)
    eq("H alone: no lease (state 0)",
       (r2["status"], lease_of(r2) and lease_of(r2)[0]), (0, 0))
    b.close(b.fid(r2) if r2["status"] == 0 else None)
    a.close(fa)


def lease_ctx2(lkey, state, parent=None, epoch=0):
    """RqLs v2 (2.2.13.2.10), with a ParentLeaseKey when parent is set."""
    return create_ctx(b"RqLs", struct.pack(
        "<16sIIQ16sHH", lkey, state, 4 if parent else 0, 0,
        parent or b"\0" * 16, epoch, 0))


def lease_dir(p, name, ctxs, oplock=0xff):
    """A directory opened (made if missing) with these contexts."""
    return create_with(p, name, ctxs, access=0x80000000 | 0x100000,
                       disp=3, oplock=oplock, options=1)


def frames_until(p, cmd):
    """Frames read until the response to cmd: (notifications, it)."""
    notes = []
    while True:
        r = p.recv()
        if r["mid"] == 0xFFFFFFFFFFFFFFFF and r["cmd"] == OPLOCK_BREAK:
            notes.append(r)
            continue
        if r["status"] == 0x103 and r["flags"] & 2:
            continue
        if r["cmd"] == cmd:
            return notes, r


def dirlease_steps(d, key, name):
    """MS-SMB2 3.3.5.9.11, MS-FSA 2.1.4.12: directory leases."""
    a, b, eq = two_sessions(d, key, "%r, expected %r")
    ka, kf, kv = os.urandom(16), os.urandom(16), os.urandom(16)
    r = lease_dir(a, name, [lease_ctx2(ka, 7, epoch=4)])
    eq("A opens %s asking RWH (v2): granted, OplockLevel LEASE" % name,
       (r["status"], a.oplock), (0, 0xff))
    eq("... RH (no W on a directory), epoch the client's + 1",
       lease_of(r), (3, 5))
    fa = a.fid(r) if r["status"] == 0 else None
    r = lease_dir(b, name, [lease_ctx(0x210, kv, 3)])
    eq("B asks a v1 lease on it: none (OplockLevel none, no lease or "
       "state 0)", (r["status"], b.oplock, (lease_of(r) or (0,))[0]),
       (0, 0, 0))
    if r["status"] == 0:
        b.close(b.fid(r))
    r = lease_dir(b, name, [], oplock=9)
    eq("B asks a batch oplock on it: none", (r["status"], b.oplock), (0, 0))
    if r["status"] == 0:
        b.close(b.fid(r))
    # A's own change: ParentLeaseKey names A's lease of the directory.
    # A break would come before the CREATE's answer (smbd sends it when
    # blockd's note comes, before blockd's reply).
    n = (name + "\\own.txt").encode("utf-16-le")
    ctx = lease_ctx2(kf, 7, parent=ka)
    off = 64 + 56 + len(pad8(n))
    a.send(CREATE, struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0xff, 2, 0, 0,
                               0xC0000000, 0, 7, 5, 0x40, 64 + 56, len(n),
                               off, len(ctx)) + pad8(n) + ctx)
    notes, r = frames_until(a, CREATE)
    eq("A creates own.txt in it naming its lease as ParentLeaseKey: "
       "no break before its answer", (r["status"], len(notes)), (0, 0))
    pctx = response_ctx(r, b"RqLs")
    eq("... the answer's lease: RWH, the parent key flag and key",
       pctx and (struct.unpack_from("<II", pctx, 16), pctx[32:48]),
       ((7, 4), ka))
    if r["status"] == 0:
        a.close(a.fid(r))
    epoch = [5]

    def broken(what):
        n = a.recv()
        lb = lease_break_of(n)
        epoch[0] += 1
        eq("%s: A's next frame is the LEASE_BREAK of its key, RH to "
           "none, ack required, epoch + 1" % what,
           lb and (n["mid"], lb[2], lb[3], lb[4], lb[5], lb[1]),
           (0xFFFFFFFFFFFFFFFF, 1, ka, 3, 0, epoch[0]))
        eq("%s: A acknowledges none" % what, lease_ack(a, ka, 0), (0, 0))

    def again():
        a.close(fa)
        r = lease_dir(a, name, [lease_ctx2(ka, 3, epoch=epoch[0])])
        lo = lease_of(r)
        eq("A leases it again: RH", (r["status"], lo and lo[0]), (0, 3))
        epoch[0] = lo[1] if lo else 0
        return a.fid(r) if r["status"] == 0 else None

    r = b.call(CREATE, b.create_body(name + "\\other.txt", disp=5))
    eq("B creates other.txt in it: answered, A's acknowledgment not "
       "waited for", r["status"], 0)
    if r["status"] == 0:
        b.close(b.fid(r))
    broken("B's create")
    fa = again()
    st, f = b.open(name + "\\other.txt", access=0x110080)
    ren = ("%s\\renamed.txt" % name).encode("utf-16-le")
    rs = setinfo(b, f or b"\0" * 16, 10, struct.pack(
        "<B7sQI", 0, b"\0" * 7, 0, len(ren)) + ren)
    eq("B renames other.txt to renamed.txt", (st, rs), (0, 0))
    if f is not None:
        b.close(f)
    broken("B's rename")
    fa = again()
    st, f = b.open(name + "\\renamed.txt", access=0x110080)
    rs = setinfo(b, f or b"\0" * 16, 13, b"\1")
    eq("B sets delete on close on renamed.txt", (st, rs), (0, 0))
    if f is not None:
        b.close(f)
    broken("B's delete")
    # MS-FSA 2.1.5.1.2: an open of the directory itself that meets a
    # sharing violation breaks H (RH to R) and waits for it.
    fa = again()
    b.send(CREATE, struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0,
                               0x80000000, 0x10, 0, 1, 1, 64 + 56,
                               len(name) * 2, 0, 0) +
           name.encode("utf-16-le"))
    n = a.recv()
    lb = lease_break_of(n)
    epoch[0] += 1
    eq("B opens it sharing nothing: A's lease breaks RH to R, ack "
       "required", lb and (lb[2], lb[3], lb[4], lb[5], lb[1]),
       (1, ka, 3, 1, epoch[0]))
    eq("A acknowledges R", lease_ack(a, ka, 1), (0, 1))
    r = final(b)
    eq("then B's open is a sharing violation (A's handle stays)",
       hex(r["status"]), hex(0xc0000043))
    a.close(fa)


def dirlease_wait(d, key, name):
    """Lease a directory and wait for its break (see the usage)."""
    a = LockProbe(connect(), d, key)
    a.login()
    ka = os.urandom(16)
    r = lease_dir(a, name, [lease_ctx2(ka, 3)])
    lo = lease_of(r)
    print("LEASED %d" % (lo[0] if r["status"] == 0 and lo else -1))
    sys.stdout.flush()
    a.s.settimeout(60)
    n = a.recv()
    lb = lease_break_of(n)
    if lb is None:
        print("FRAME cmd %d status 0x%x" % (n["cmd"], n["status"]))
        return
    print("BREAK %d %d %d" % (lb[4], lb[5], lb[2]))
    print("ACK 0x%x" % lease_ack(a, ka, lb[5])[0])


def lease_sharing(d, key):
    """MS-SMB2 3.3.5.9, MS-FSA 2.1.5.1.2: a CREATE that meets a sharing
    violation breaks H of another client's lease (RWH to RW), waits for
    the acknowledgment, then asks the share mode again."""
    a, b, eq = two_sessions(d, key, "%r, expected %r")
    ka = bytes(range(0x70, 0x80))
    r = create_with(a, "share.bin", [lease_ctx(d, ka, 7)], disp=5,
                    oplock=0xff)
    eq("A opens share.bin with an RWH lease",
       (r["status"], lease_of(r) and lease_of(r)[0]), (0, 7))
    fa = a.fid(r) if r["status"] == 0 else None
    b.send(CREATE, b.create_body("share.bin", share=0))
    n = a.recv()
    lb = lease_break_of(n)
    eq("B's deny-all open: A's lease breaks RWH to RW (H only), ack "
       "required", lb and (lb[2], lb[4], lb[5]), (1, 7, 5))
    eq("B's CREATE is answered STATUS_PENDING (async, an AsyncId) and "
       "waits for the acknowledgment", interim(b), PENDING)
    eq("A acknowledges RW", lease_ack(a, ka, 5), (0, 5))
    eq("A kept its handle: B's CREATE is a sharing violation",
       b.recv()["status"], 0xc0000043)
    st, _ = b.open("share.bin", share=0)
    eq("again, A holding no H: at once a sharing violation, no break",
       (st, silent(a)), (0xc0000043, True))
    a.close(fa)
    r = create_with(a, "share.bin", [lease_ctx(d, ka, 7)], oplock=0xff)
    fa = a.fid(r) if r["status"] == 0 else None
    b.send(CREATE, b.create_body("share.bin", share=0))
    lb = lease_break_of(a.recv())
    eq("A's RWH again, B's deny-all open breaks it to RW",
       lb and (lb[4], lb[5]), (7, 5))
    eq("A closes its handle instead of acknowledging",
       fa and a.close(fa), 0)
    r = final(b)
    eq("then B's deny-all open succeeds", r["status"], 0)
    if r["status"] == 0:
        b.close(b.fid(r))


def lease_client(d, key):
    """MS-SMB2 3.3.1.4: a lease is its client's (ClientGuid) and key's:
    two connections of one client share it, another client's open with
    the same key bytes breaks it."""
    guid = os.urandom(16)
    p = []
    for name, g in (("A", guid), ("B", guid), ("C", None)):
        q = LockProbe(connect(), d, key)
        q.client_guid = g
        q.report("session %s (ClientGuid %s)" % (name, "A's" if g else
                                                 "another"), q.login() == 0)
        p.append(q)
    a, b, c = p

    def eq(name, got, want):
        a.report(name, got == want, "%r, expected %r" % (got, want))
    k = bytes(range(0x40, 0x50))
    r = create_with(a, "guid.bin", [lease_ctx(d, k, 7)], disp=5,
                    oplock=0xff)
    eq("A opens guid.bin with an RWH lease",
       (r["status"], lease_of(r) and lease_of(r)[0]), (0, 7))
    fa = a.fid(r) if r["status"] == 0 else None
    r = create_with(b, "guid.bin", [lease_ctx(d, k, 7)], oplock=0xff)
    eq("B, another connection and session of A's ClientGuid, the same "
       "key: the lease is shared, RWH",
       (r["status"], lease_of(r) and lease_of(r)[0]), (0, 7))
    fb = b.fid(r) if r["status"] == 0 else None
    eq("... and A gets no LEASE_BREAK", silent(a), True)
    c.send(CREATE, c.create_body("guid.bin"))
    lb = lease_break_of(a.recv())
    eq("C, another ClientGuid with the same key bytes: the lease breaks "
       "RWH to RH", lb and (lb[4], lb[5]), (7, 3))
    eq("B acknowledges it for the client", lease_ack(b, k, 3), (0, 3))
    r = final(c)
    eq("then C's CREATE succeeds", r["status"], 0)
    for q, f in ((c, c.fid(r) if r["status"] == 0 else None), (b, fb),
                 (a, fa)):
        if f is not None:
            q.close(f)


def lease_limit(d, key, n, lease=True):
    """n files opened in one session, each with a lease of its own key
    (RWH), or (lease False) asking for a batch oplock: how many were
    granted one ([stated] smb leases per session), then all closed."""
    p = LockProbe(connect(), d, key)
    p.login()
    got, fids = 0, []
    for i in range(n):
        if lease:
            lk = struct.pack("<QQ", 0x4c4c, i)
            r = create_with(p, "limit%d.bin" % i, [lease_ctx(d, lk, 7)],
                            oplock=0xff)
        else:
            r = create_with(p, "olimit%d.bin" % i, [], oplock=9)
        if r["status"] != 0:
            print("FAIL 0x%x" % r["status"])
            return
        fids.append(p.fid(r))
        if lease:
            got += p.oplock == 0xff and (lease_of(r) or (0,))[0] == 7
        else:
            got += p.oplock == 9
    for f in fids:
        p.close(f)
    print("%s %d of %d" % ("LEASES" if lease else "OPLOCKS", got, n))


def lock_limits(d, key, n):
    a = LockProbe(connect(), d, key)
    b = LockProbe(connect(), d, key)
    a.login()
    b.login()
    st, fa = a.open("limit.bin", disp=5)
    st, fb = b.open("limit.bin")
    sts = [a.lock(fa, [(i * 10, 5, EX | FI)]) for i in range(n + 1)]
    a.report("%d locks of one open, then INSUFFICIENT_RESOURCES" % n,
             sts == [0] * n + [0xc000009a], str([hex(x) for x in sts]))
    a.report("an unlock is still served",
             a.lock(fa, [(0, 5, UN)]) == 0)
    mid = b.send(LOCK, b.lock_body(fb, [(10, 5, EX)]))
    r = b.recv()
    a.report("B: one blocking LOCK waits (PENDING)", r["status"] == 0x103,
             "0x%x" % r["status"])
    st = b.lock(fb, [(20, 5, EX)])
    a.report("B: a second blocking LOCK fails at once: LOCK_NOT_GRANTED",
             st == 0xc0000055, "0x%x" % st)
    a.close(fa)
    r = b.recv()
    a.report("A closes: B's waiting LOCK is granted",
             r["status"] == 0 and r["mid"] == mid, "0x%x" % r["status"])


def hold(d, key, name, how, args):
    p = LockProbe(connect(), d, key)
    p.login()
    if how == "lock":
        st, f = p.open(name)
        if st == 0:
            st = p.lock(f, [(int(args[0]), int(args[1]), EX | FI)])
    elif how == "lease":
        # An RWH lease: HELD and its state, then the break, acked.
        lk = bytes(range(40, 56))
        r = create_with(p, name, [lease_ctx(d, lk, 7)], oplock=0xff)
        st = r["status"]
        if st == 0:
            f = p.fid(r)
            print("HELD %d" % (lease_of(r) or (-1,))[0])
            sys.stdout.flush()
            p.s.settimeout(25)
            n = p.recv()
            lb = lease_break_of(n) or (0, 0, 0, b"", 0, 0)
            print("BREAK %d %d %d %d" % (n["cmd"], lb[4], lb[5], lb[2]))
            sys.stdout.flush()
            print("ACKED 0x%x" % lease_ack(p, lk, lb[5])[0])
            sys.stdout.flush()
            sys.stdin.readline()
            p.close(f)
            print("RELEASED")
            return
    elif how == "oplock":
        # A batch oplock: HELD and its level, then the break, acked.
        st, f = p.open(name, oplock=9)
        if st == 0:
            print("HELD %d" % p.oplock)
            sys.stdout.flush()
            p.s.settimeout(25)
            n = p.recv()
            print("BREAK %d %d" % (n["cmd"], n["body"][2]))
            sys.stdout.flush()
            print("ACKED 0x%x" % p.ack(f, 0)[0])
            sys.stdout.flush()
            sys.stdin.readline()
            p.close(f)
            print("RELEASED")
            return
    else:
        st, f = p.open(name, share=1)
    if st != 0:
        print("FAIL 0x%x" % st)
        return
    print("HELD")
    sys.stdout.flush()
    sys.stdin.readline()
    p.close(f)
    print("RELEASED")


def trylock(d, key, name, off, ln):
    p = LockProbe(connect(), d, key)
    p.login()
    st, f = p.open(name)
    if st == 0:
        st = p.lock(f, [(off, ln, EX | FI)])
        p.close(f)
    print("LOCK 0x%x" % st)
def create_ctx(name, data):
    """A create context (2.2.13.2), Next 0, 8-byte padded."""
    return pad8(struct.pack("<IHHHHI", 0, 16, 4, 0, 24, len(data)) +
                name + b"\0" * 4 + data)


def create_with(p, name, ctxs, access=0xC0000000, share=7, disp=3,
                oplock=0, flags=0, options=0x40, attrs=0):
    """CREATE with contexts chained (each padded, Next set)."""
    n = name.encode("utf-16-le", "surrogatepass")
    chain = b""
    for i, c in enumerate(ctxs):
        if i + 1 < len(ctxs):
            c = struct.pack("<I", len(c)) + c[4:]
        chain += c
    off = 64 + 56 + len(pad8(n))
    body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, oplock, 2, 0, 0, access,
                       attrs, share, disp, options, 64 + 56, len(n),
                       off if chain else 0, len(chain))
    body += pad8(n) + chain if chain else n
    r = p.call(CREATE, body, flags=flags)
    # Kept waiting (a break): STATUS_PENDING first, then the final.
    while r["status"] == 0x103 and r["flags"] & 2:
        r = parse(p.unwrap(recv_frame(p.s)))
    p.oplock = r["body"][2] if r["status"] == 0 else None
    return r


def response_ctx(r, want):
    """The data of the response context named want, or None."""
    b = r["body"]
    if r["status"] != 0 or len(b) < 88:
        return None
    (off, ln) = struct.unpack_from("<II", b, 80)
    pos, end = off - 64, off - 64 + ln
    while ln and pos + 16 <= end:
        (nxt, noff, nlen, _r, doff, dlen) = struct.unpack_from("<IHHHHI", b,
                                                               pos)
        if b[pos + noff:pos + noff + nlen] == want:
            return b[pos + doff:pos + doff + dlen]
        if nxt == 0:
            break
        pos += nxt
    return None


def durable_open(d, key, name, how, timeout):
    p = LockProbe(connect(), d, key)
    # A lease is its client's: the reconnect below is the same client.
    if how == "v2lease":
        p.client_guid = DURABLE_CLIENT_GUID
    p.login()
    guid = os.urandom(16)
    if how == "v1":
        ctx, want = create_ctx(b"DHnQ", b"\0" * 16), b"DHnQ"
    else:
        ctx, want = create_ctx(b"DH2Q", struct.pack("<II8s16s", timeout, 0,
                                                     b"", guid)), b"DH2Q"
    if how == "v2lease":
        # 3.3.5.9.10: durable with a lease that holds H, not a batch.
        r = create_with(p, name, [ctx, lease_ctx(d, DURABLE_LEASE_KEY, 7)],
                        disp=5, oplock=0xff)
    elif how == "v2doc":
        # DELETE and FILE_DELETE_ON_CLOSE (MS-SMB2 2.2.13).
        r = create_with(p, name, [ctx], access=0xC0010000, disp=5, oplock=9,
                        options=0x1040)
    else:
        r = create_with(p, name, [ctx], share=1 if how == "v2deny" else 7,
                        disp=5, oplock=9)
    if r["status"] != 0:
        print("FAIL 0x%x" % r["status"])
        return
    f = p.fid(r)
    data = response_ctx(r, want)
    tmo = struct.unpack_from("<I", data)[0] if data and want == b"DH2Q" \
        else 0
    w = b"durable-data"
    body = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(w), 100, f, 0, 0,
                       0, 0, 0) + w
    st = p.call(WRITE, body)["status"]
    lk = p.lock(f, [(0, 10, EX | FI)])
    if st != 0 or lk != 0:
        print("FAIL write 0x%x lock 0x%x" % (st, lk))
        return
    print("DURABLE %d %s %d %s %s%s" % (p.oplock, want.decode() if data
                                        is not None else "-", tmo, f.hex(),
                                        guid.hex(), lease_str(r)))
    sys.stdout.flush()
    sys.stdin.readline()
    os._exit(0)


DURABLE_LEASE_KEY = bytes(range(0x60, 0x70))
DURABLE_CLIENT_GUID = bytes(range(0xd0, 0xe0))
FSCTL_LMR_REQUEST_RESILIENCY = 0x001401d4


def resiliency(p, f, timeout):
    """3.3.5.15.9: IOCTL FSCTL_LMR_REQUEST_RESILIENCY: its status."""
    vin = struct.pack("<II", timeout, 0)
    io = struct.pack("<HHI16sIIIIIIII", 57, 0, FSCTL_LMR_REQUEST_RESILIENCY,
                     f, 64 + 56, len(vin), 0, 0, 0, 0, 1, 0) + vin
    return p.call(0x0b, io)["status"]


def lock_seq(p, f, seq, elems):
    """LOCK with a LockSequence (2.2.26): its status."""
    b = p.lock_body(f, elems)
    return p.call(LOCK, b[:4] + struct.pack("<I", seq) + b[8:])["status"]


def resilient_open(d, key, name, timeout):
    """A DHnQ without an oplock (not durable) made resilient: a write,
    a LOCK of 0-10 with LockSequence 0x11 and its replay; then held."""
    p = LockProbe(connect(), d, key)
    p.login()
    r = create_with(p, name, [create_ctx(b"DHnQ", b"\0" * 16)], disp=5,
                    oplock=0)
    if r["status"] != 0:
        print("FAIL 0x%x" % r["status"])
        return
    f = p.fid(r)
    big = resiliency(p, f, 0xffffffff)
    st = resiliency(p, f, timeout)
    w = b"durable-data"
    body = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(w), 100, f, 0, 0,
                       0, 0, 0) + w
    p.call(WRITE, body)
    lk = lock_seq(p, f, 0x11, [(0, 10, EX | FI)])
    again = lock_seq(p, f, 0x11, [(0, 10, EX | FI)])
    print("RESILIENT 0x%x 0x%x %s lock 0x%x replay 0x%x" % (
        big, st, "DHnQ" if response_ctx(r, b"DHnQ") is not None else "-",
        lk, again))
    print("FID %s" % f.hex())
    sys.stdout.flush()
    sys.stdin.readline()
    os._exit(0)


def resilient_reconnect(d, key, name, fid):
    """DHnC of a resilient open: READ, the LOCK of 0x11 replayed, a new
    sequence's LOCK of the same range, another client's, then CLOSE."""
    a = LockProbe(connect(), d, key)
    a.login()
    r = create_with(a, name, [create_ctx(b"DHnC", fid)], oplock=0)
    got = a.fid(r) if r["status"] == 0 else b""
    print("RECONNECT 0x%x %s" % (r["status"], "same" if got == fid
                                 else "other"))
    sys.stdout.flush()
    if r["status"] != 0:
        return
    b = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, 12, 100, fid, 0, 0, 0, 0,
                    0, 0)
    r = a.call(READ, b)
    data = r["body"][16:16 + 12] if r["status"] == 0 else b""
    print("READ %s" % (data.decode(errors="replace") or
                       "0x%x" % r["status"]))
    print("REPLAY 0x%x" % lock_seq(a, fid, 0x11, [(0, 10, EX | FI)]))
    print("NEWSEQ 0x%x" % lock_seq(a, fid, 0x12, [(0, 10, EX | FI)]))
    o = LockProbe(connect(), d, key)
    o.login()
    r = o.call(CREATE, o.create_body(name))
    if r["status"] == 0:
        fo = o.fid(r)
        print("OTHER 0x%x" % o.lock(fo, [(0, 10, EX | FI)]))
        o.close(fo)
    else:
        print("OTHER open 0x%x" % r["status"])
    print("CLOSE 0x%x" % a.close(fid))
    sys.stdout.flush()


def lease_str(r):
    """ " LEASE <state> <key hex>" of a response's lease, or "". """
    data = response_ctx(r, b"RqLs")
    if data is None or len(data) < 32:
        return ""
    return " LEASE %d %s" % (struct.unpack_from("<I", data, 16)[0],
                             data[:16].hex())


def durable_reconnect(d, key, name, how, fid, guid, keep):
    """how v2lease reconnects as the client that opened (its ClientGuid);
    v2leaseother as another client, v2leasename by another name: both
    refused (3.3.5.9.12), the status printed alone."""
    a = LockProbe(connect(), d, key)
    if how in ("v2lease", "v2leasename"):
        a.client_guid = DURABLE_CLIENT_GUID
    a.login()
    if how in ("v2leaseother", "v2leasename"):
        ctx = create_ctx(b"DH2C", fid + guid + struct.pack("<I", 0))
        r = create_with(a, name + ".other" if how == "v2leasename" else
                        name, [ctx, lease_ctx(d, DURABLE_LEASE_KEY, 7)],
                        oplock=0xff)
        print("RECONNECT 0x%x" % r["status"])
        return
    if how == "v1":
        ctx = create_ctx(b"DHnC", fid)
    else:
        ctx = create_ctx(b"DH2C", fid + guid + struct.pack("<I", 0))
    if how == "v2lease":
        r = create_with(a, name, [ctx, lease_ctx(d, DURABLE_LEASE_KEY, 7)],
                        oplock=0xff)
    else:
        r = create_with(a, name, [ctx], oplock=9)
    got = a.fid(r) if r["status"] == 0 else b""
    print("RECONNECT 0x%x %s %s%s" % (r["status"], a.oplock,
                                      "same" if got == fid else "other",
                                      lease_str(r)))
    sys.stdout.flush()
    if r["status"] != 0:
        return
    b = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, 12, 100, fid, 0, 0, 0, 0,
                    0, 0)
    r = a.call(READ, b)
    data = r["body"][16:16 + 12] if r["status"] == 0 else b""
    print("READ %s" % (data.decode(errors="replace") or
                       "0x%x" % r["status"]))
    sys.stdout.flush()
    # Another client: its CREATE breaks the batch oplock, acknowledged.
    o = LockProbe(connect(), d, key)
    o.login()
    o.send(CREATE, o.create_body(name))
    a.s.settimeout(10)
    n = a.recv()
    lb = lease_break_of(n) if how == "v2lease" else None
    if lb is not None:
        print("LEASEBREAK %d %d" % (lb[4], lb[5]))
        sys.stdout.flush()
        lease_ack(a, DURABLE_LEASE_KEY, lb[5])
    elif n["cmd"] == OPLOCK_BREAK:
        a.ack(fid, 0)
    r = final(o)
    if r["status"] == 0:
        fo = o.fid(r)
        print("OTHER 0x%x" % o.lock(fo, [(0, 10, EX | FI)]))
        o.close(fo)
    else:
        print("OTHER open 0x%x" % r["status"])
    print("OWN 0x%x" % a.lock(fid, [(50, 10, EX | FI)]))
    if not keep:
        print("CLOSE 0x%x" % a.close(fid))
    sys.stdout.flush()


def durable_break(d, key, name):
    """A durable v1 open whose batch oplock another open breaks (acked);
    the second open closes, the first's connection drops."""
    a = LockProbe(connect(), d, key)
    a.login()
    r = create_with(a, name, [create_ctx(b"DHnQ", b"\0" * 16)], disp=5,
                    oplock=9)
    if r["status"] != 0:
        print("FAIL 0x%x" % r["status"])
        return
    f = a.fid(r)
    b = LockProbe(connect(), d, key)
    b.login()
    b.send(CREATE, b.create_body(name))
    a.s.settimeout(10)
    n = a.recv()
    st = a.ack(f, 0)[0] if n["cmd"] == OPLOCK_BREAK else 0xffffffff
    r = final(b)
    if r["status"] == 0:
        b.close(b.fid(r))
    print("DURBREAK 0x%x 0x%x %s" % (st, r["status"], f.hex()))
    sys.stdout.flush()
    os._exit(0)


def replay(d, key, name):
    """3.3.5.9.10: a DH2Q's CreateGuid again, without and with REPLAY."""
    p = LockProbe(connect(), d, key)
    p.login()
    guid = os.urandom(16)
    ctx = create_ctx(b"DH2Q", struct.pack("<II8s16s", 0, 0, b"", guid))
    r = create_with(p, name, [ctx], disp=5, oplock=9)
    f = p.fid(r) if r["status"] == 0 else b""
    r2 = create_with(p, name, [ctx], disp=5, oplock=9)
    r3 = create_with(p, name, [ctx], disp=5, oplock=9, flags=0x20000000)
    same = r3["status"] == 0 and p.fid(r3) == f
    print("REPLAY 0x%x 0x%x 0x%x %s %s" % (
        r["status"], r2["status"], r3["status"],
        "same" if same else "other",
        "DH2Q" if response_ctx(r3, b"DH2Q") is not None else "-"))
    if f:
        p.close(f)


def durable_corners(d, key, name):
    """Durable v2 corners on 3.x (MS-SMB2 3.3.5.22.2, 3.3.5.9.12,
    3.3.5.2.10; MS-FSA 2.1.5.14.3): PASS/FAIL lines.  NAME.ack: a lease
    break acknowledged ends the replay eligibility of the lease's open,
    though the acknowledgment names no FileId.  NAME.csn: a DH2C whose
    header has ChannelSequence 0x8005 sets the open's.  NAME.del: the
    DeletePending FileDispositionInformation set comes back with a DH2C.
    NAME.ren: a handle to be deleted on close, renamed, its connection
    dropped: stated releases it after its 2 s and the file goes by its
    new name."""
    lkey = bytes(range(0x70, 0x80))

    def dh2q(guid, timeout=0):
        return create_ctx(b"DH2Q", struct.pack("<II8s16s", timeout, 0, b"",
                                               guid))

    def dh2c(f, guid):
        return create_ctx(b"DH2C", f + guid + struct.pack("<I", 0))

    def write(p, f):
        return p.call(WRITE, struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, 1, 0,
                                         f, 0, 0, 0, 0, 0) + b"x")["status"]

    def dropped(name, ctxs, **kw):
        """A durable open, its connection dropped: (fid, status)."""
        p = LockProbe(connect(), d, key)
        p.login()
        r = create_with(p, name, ctxs, disp=5, oplock=9, **kw)
        if r["status"] != 0:
            return None, r["status"], p
        return p.fid(r), 0, p

    def reconnect(name, f, guid, csn=0):
        """A DH2C from a new connection, asked again while the old one's
        loss is not yet seen: (probe, status, same FileId)."""
        for _ in range(20):
            q = LockProbe(connect(), d, key)
            q.login()
            q.csn = csn
            r = create_with(q, name, [dh2c(f, guid)], oplock=9)
            if r["status"] == 0:
                return q, 0, q.fid(r) == f
            q.s.close()
            time.sleep(0.25)
        return None, r["status"], False

    # 3.3.5.22.2: the lease's opens are replays no more.
    a = LockProbe(connect(), d, key)
    a.login()
    guid = os.urandom(16)
    ctxs = [dh2q(guid), lease_ctx(d, lkey, 7)]
    r = create_with(a, name + ".ack", ctxs, disp=5, oplock=0xff)
    f = a.fid(r) if r["status"] == 0 else b""
    b = LockProbe(connect(), d, key)
    b.login()
    b.send(CREATE, b.create_body(name + ".ack"))
    a.s.settimeout(10)
    n = a.recv()
    lb = lease_break_of(n) if n["cmd"] == OPLOCK_BREAK else None
    st = lease_ack(a, lkey, lb[5])[0] if lb is not None else 0xffffffff
    rb = final(b)
    if rb["status"] == 0:
        b.close(b.fid(rb))
    r3 = create_with(a, name + ".ack", ctxs, disp=5, oplock=0xff,
                     flags=0x20000000)
    pass_fail("a replayed DH2Q after its lease's break was acknowledged "
              "makes a new open", r["status"] == 0 and st == 0 and
              r3["status"] == 0 and a.fid(r3) != f,
              "open 0x%x ack 0x%x replay 0x%x %s" % (
                  r["status"], st, r3["status"],
                  "same open" if r3["status"] == 0 and a.fid(r3) == f
                  else "-"))
    for x in (f, a.fid(r3) if r3["status"] == 0 else b""):
        if x:
            a.close(x)

    # 3.3.5.9.12, 3.3.5.2.10: Open.ChannelSequence after a DH2C.
    guid = os.urandom(16)
    f, st, p = dropped(name + ".csn", [dh2q(guid)])
    p.s.close()
    q, st, same = reconnect(name + ".csn", f, guid, csn=0x8005) if f \
        else (None, st, False)
    if q is None:
        pass_fail("DH2C with ChannelSequence 0x8005", False, "0x%x" % st)
    else:
        w1 = write(q, f)
        q.csn = 0x8004
        w2 = write(q, f)
        pass_fail("after a DH2C with ChannelSequence 0x8005, a WRITE of "
                  "0x8005 succeeds, one of 0x8004 is FILE_NOT_AVAILABLE",
                  same and w1 == 0 and w2 == 0xc0000467,
                  "same %s 0x%x 0x%x" % (same, w1, w2))
        q.csn = 0x8005
        q.close(f)

    # MS-FSA 2.1.5.14.3: DeletePending over a reconnect.
    guid = os.urandom(16)
    f, st, p = dropped(name + ".del", [dh2q(guid)], access=0xC0010000)
    ds = setinfo(p, f, 13, b"\x01") if f else st
    p.s.close()
    q, st, same = reconnect(name + ".del", f, guid) if f \
        else (None, st, False)
    if q is None:
        pass_fail("DH2C of an open with DeletePending", False,
                  "0x%x 0x%x" % (ds, st))
    else:
        qs, std = query(q, f, 5)
        pend = std[20] if qs == 0 and len(std) > 20 else None
        cs = q.close(f)
        pass_fail("DeletePending set before the disconnect is there after "
                  "the DH2C, and the close deletes the file",
                  same and ds == 0 and pend == 1 and cs == 0 and
                  exists_status(d, key, name + ".del") == 0xc0000034,
                  "same %s set 0x%x pending %s close 0x%x" % (
                      same, ds, pend, cs))

    # The scavenger's delete on close, after a rename under the handle.
    guid = os.urandom(16)
    f, st, p = dropped(name + ".ren", [dh2q(guid, 2000)],
                       access=0xC0010000, options=0x1040)
    n = (name + ".ren2").encode("utf-16-le")
    rs = setinfo(p, f, 10, struct.pack("<B7xQI", 0, 0, len(n)) + n) \
        if f else st
    p.s.close()
    gone = 0
    for _ in range(40):
        gone = exists_status(d, key, name + ".ren2")
        if gone == 0xc0000034:
            break
        time.sleep(0.5)
    pass_fail("a handle to be deleted on close, renamed, released "
              "unclaimed: the file goes by its new name", rs == 0 and
              gone == 0xc0000034, "rename 0x%x exists 0x%x" % (rs, gone))


def exists_status(d, key, name):
    p = LockProbe(connect(), d, key)
    p.login()
    r = create_with(p, name, [], access=0x80, disp=1)
    if r["status"] == 0:
        p.close(p.fid(r))
    p.s.close()
    return r["status"]


def deny_open(d, key, name):
    p = LockProbe(connect(), d, key)
    p.login()
    st, f = p.open(name, share=0)
    lk = p.lock(f, [(0, 10, EX | FI)]) if st == 0 else 0
    print("DENYOPEN 0x%x 0x%x" % (st, lk))
    if st == 0:
        p.close(f)


def exists(d, key, name):
    p = LockProbe(connect(), d, key)
    p.login()
    r = create_with(p, name, [], access=0x80, disp=1)
    print("EXISTS 0x%x" % r["status"])
    if r["status"] == 0:
        p.close(p.fid(r))


def no_durable(d, key, name):
    p = LockProbe(connect(), d, key)
    p.login()
    r = create_with(p, name, [create_ctx(b"DHnQ", b"\0" * 16)], oplock=0)
    print("NODURABLE 0x%x %s" % (r["status"], "DHnQ" if
                                  response_ctx(r, b"DHnQ") is not None
                                  else "-"))
    if r["status"] == 0:
        p.close(p.fid(r))


def stream_steps(d, key, name):
    """Named streams (smbd/stream.c): "name:s1" made by CREATE (the file
    with it), written, its EndOfFile set and read back by QUERY_INFO on
    the stream's handle; its overwrite; FileStreamInformation of the
    file; FILE_NAMED_STREAMS in FileFsAttributeInformation; renames of
    the stream (to :s2, listed, its handle reading its data; to ::$DATA
    without ReplaceIfExists: OBJECT_NAME_COLLISION; back to :s1:$DATA);
    PASS/FAIL lines."""
    p = LockProbe(connect(), d, key)
    p.report("session", p.login() == 0)

    def st(r):
        return hex(r["status"])

    def query(f, typ, cls, outmax=4096):
        r = p.call(0x10, struct.pack("<HBBIHHIII16s", 41, typ, cls, outmax,
                                     0, 0, 0, 0, 0, f))
        off = struct.unpack_from("<H", r["body"], 2)[0] - 64 \
            if r["status"] in (0, 0x80000005) else 0
        n = struct.unpack_from("<I", r["body"], 4)[0] \
            if r["status"] in (0, 0x80000005) else 0
        return r, r["body"][off:off + n]

    def stream_names(f):
        """QUERY_INFO FileStreamInformation: the reply, the names."""
        r, b = query(f, 1, 22)
        names, pos = [], 0
        while r["status"] == 0 and pos + 24 <= len(b):
            (nxt, nl) = struct.unpack_from("<II", b, pos)
            names.append(b[pos + 24:pos + 24 + nl].decode("utf-16-le"))
            if nxt == 0:
                break
            pos += nxt
        return r, names

    r = p.call(CREATE, p.create(name + ":s1", 2, 0x40,
                                access=0xC0010000))
    f = p.fid(r)
    p.report("CREATE name:s1 (FILE_CREATE) of no file: created",
             r["status"] == 0 and
             struct.unpack_from("<I", r["body"], 4)[0] == 2, st(r))
    data = b"0123456789" * 10
    r = p.call(9, struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(data), 0,
                              f, 0, 0, 0, 0, 0) + data)
    p.report("WRITE 100 bytes to the stream", r["status"] == 0, st(r))
    si = struct.pack("<HBBIHHI16s", 33, 1, 20, 8, 64 + 32, 0, 0, f) + \
        struct.pack("<Q", 10)
    r = p.call(0x11, si)
    p.report("SET_INFO FileEndOfFileInformation 10 on the stream",
             r["status"] == 0, st(r))
    r, b = query(f, 1, 5)
    eof = struct.unpack_from("<Q", b, 8)[0] if r["status"] == 0 else -1
    p.report("QUERY_INFO FileStandardInformation of the stream: "
             "EndOfFile 10", eof == 10, "%s eof %d" % (st(r), eof))
    rb = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, 100, 0, f, 0, 0, 0, 0, 0,
                     0)
    r = p.call(READ, rb)
    got = r["body"][r["body"][2] - 64:][:100] if r["status"] == 0 else b""
    p.report("READ of the stream: its 10 bytes", got == data[:10], st(r))
    def rename(to, replace=0):
        nn = to.encode("utf-16-le")
        rn = struct.pack("<B7sQI", replace, b"\0" * 7, 0, len(nn)) + nn
        return p.call(0x11, struct.pack("<HBBIHHI16s", 33, 1, 10, len(rn),
                                        64 + 32, 0, 0, f) + rn)
    r = rename(":s2")
    p.report("SET_INFO FileRenameInformation of the stream to :s2",
             r["status"] == 0, st(r))
    r, names = stream_names(f)
    r2 = p.call(READ, rb)
    got = r2["body"][r2["body"][2] - 64:][:100] if r2["status"] == 0 \
        else b""
    p.report("... listed as :s2:$DATA, and the handle reads its 10 bytes",
             names == ["::$DATA", ":s2:$DATA"] and got == data[:10],
             "%s %s %s" % (st(r), names, st(r2)))
    r = rename("::$DATA")
    p.report("... to ::$DATA (the file's data, there) without "
             "ReplaceIfExists: OBJECT_NAME_COLLISION",
             r["status"] == 0xc0000035, st(r))
    r = rename(":s1:$DATA")
    p.report("... and back to :s1:$DATA", r["status"] == 0, st(r))
    p.close(f)
    r = p.call(CREATE, p.create(name + ":S1:$DATA", 5, 0x40))
    f = p.fid(r)
    p.report("CREATE name:S1:$DATA (OVERWRITE_IF, another case): "
             "overwritten", r["status"] == 0 and
             struct.unpack_from("<I", r["body"], 4)[0] == 3, st(r))
    r, b = query(f, 1, 5)
    eof = struct.unpack_from("<Q", b, 8)[0] if r["status"] == 0 else -1
    p.report("... and emptied: EndOfFile 0", eof == 0,
             "%s eof %d" % (st(r), eof))
    p.close(f)
    r = p.call(CREATE, p.create(name, 1, 0x40))
    f = p.fid(r)
    r, names = stream_names(f)
    p.report("QUERY_INFO FileStreamInformation of the file: ::$DATA "
             ":s1:$DATA", names == ["::$DATA", ":s1:$DATA"],
             "%s %s" % (st(r), names))
    r, b = query(f, 1, 22, outmax=40)
    p.report("... into 40 bytes: BUFFER_OVERFLOW, the first entry only",
             r["status"] == 0x80000005 and len(b) == 38 and
             struct.unpack_from("<I", b, 0)[0] == 0,
             "%s %d bytes" % (st(r), len(b)))
    r, b = query(f, 2, 5)
    fl = struct.unpack_from("<I", b, 0)[0] if r["status"] == 0 else 0
    p.report("FileFsAttributeInformation: FILE_NAMED_STREAMS",
             fl & 0x40000 != 0, "%s flags %x" % (st(r), fl))
    p.close(f)
    # MS-FSA 2.1.5.1.2: share modes per stream, but DELETE of the file
    # meets its streams' opens.
    r = p.call(CREATE, p.create_body(name + ":s1", share=0, disp=1))
    f = p.fid(r)
    r2 = p.call(CREATE, p.create_body(name, share=7, disp=1))
    p.report("the file opened while its stream is open deny-all "
             "(streams apart)", r2["status"] == 0, st(r2))
    if r2["status"] == 0:
        p.close(p.fid(r2))
    r2 = p.call(CREATE, p.create_body(name, access=0x10000, share=7,
                                      disp=1))
    p.report("the file opened for DELETE while its stream is open "
             "without FILE_SHARE_DELETE: SHARING_VIOLATION",
             r2["status"] == 0xc0000043, st(r2))
    if r2["status"] == 0:
        p.close(p.fid(r2))
    p.close(f)
    r2 = p.call(CREATE, p.create_body(name, access=0x10000, share=7,
                                      disp=1))
    p.report("... and once it is closed, opened", r2["status"] == 0,
             st(r2))
    if r2["status"] == 0:
        p.close(p.fid(r2))
    # MS-FSA 2.1.5.15.11.1: a stream made the file's (empty) data, then
    # the file's data made a stream, the bytes following each rename.
    def read(f, n=100):
        r = p.call(READ, struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, n, 0, f,
                                     0, 0, 0, 0, 0, 0))
        return r["body"][r["body"][2] - 64:][:n] if r["status"] == 0 \
            else b""

    def eof(f):
        r, b = query(f, 1, 5)
        return struct.unpack_from("<Q", b, 8)[0] if r["status"] == 0 \
            else -1
    traded = b"traded data"
    r = p.call(CREATE, p.create(name + ".t:t", 2, 0x40,
                                access=0xC0010000))
    f = p.fid(r)
    r = p.call(9, struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(traded), 0,
                              f, 0, 0, 0, 0, 0) + traded)
    r = rename("::$DATA", 1)
    r2, names = stream_names(f)
    got = read(f)
    p.report("a stream with data renamed to ::$DATA (the file's, empty) "
             "with ReplaceIfExists: no stream left, its handle reads on",
             r["status"] == 0 and names == ["::$DATA"] and got == traded,
             "%s %s %r" % (st(r), names, got))
    p.close(f)
    r = p.call(CREATE, p.create(name + ".t", 1, 0x40,
                                access=0xC0010000))
    f = p.fid(r)
    got = read(f)
    p.report("... the file's own data is now those bytes",
             got == traded and eof(f) == len(traded), "%s %r" % (st(r), got))
    r = rename(":u")
    r2, names = stream_names(f)
    p.report("the file's open renamed to :u: a stream :u is listed",
             r["status"] == 0 and names == ["::$DATA", ":u:$DATA"],
             "%s %s" % (st(r), names))
    p.close(f)
    r = p.call(CREATE, p.create(name + ".t:u", 1, 0x40))
    f = p.fid(r)
    got = read(f)
    p.close(f)
    r2 = p.call(CREATE, p.create(name + ".t", 1, 0x40))
    f = p.fid(r2)
    size = eof(f)
    p.close(f)
    p.report("... :u reads the bytes, the file's data is empty",
             got == traded and size == 0,
             "%s %r eof %d" % (st(r), got, size))
    # A directory's stream (the store has them): no ::$DATA listed.
    r = p.call(CREATE, p.create(name + ".d", 2, 1, access=0x80))
    p.report("CREATE a directory", r["status"] == 0, st(r))
    if r["status"] == 0:
        p.close(p.fid(r))
    r = p.call(CREATE, p.create(name + ".d:ds", 2, 0))
    f = p.fid(r)
    p.report("CREATE dir:ds, a directory's stream", r["status"] == 0,
             st(r))
    if r["status"] == 0:
        p.close(f)
    r = p.call(CREATE, p.create(name + ".d", 1, 1, access=0x80))
    f = p.fid(r)
    r, b = query(f, 1, 22)
    nl = struct.unpack_from("<I", b, 4)[0] if len(b) >= 24 else 0
    got = b[24:24 + nl].decode("utf-16-le") if len(b) >= 24 else ""
    p.report("FileStreamInformation of the directory: :ds:$DATA alone",
             r["status"] == 0 and got == ":ds:$DATA" and
             struct.unpack_from("<I", b, 0)[0] == 0,
             "%s %r" % (st(r), got))
    p.close(f)
    r = p.call(CREATE, p.create(name + ":" + "x" * 256, 3, 0))
    p.report("a 256-byte stream name: OBJECT_NAME_INVALID",
             r["status"] == 0xc0000033, st(r))


def secd(d, key, name, uid):
    """CREATE (FILE_CREATE) of name with an SMB2_CREATE_SD_BUFFER context:
    a DACL that denies S-1-22-1-uid WRITE_DATA|APPEND_DATA and allows
    Everyone FILE_ALL_ACCESS (MS-DTYP 2.4.6): "SECD status"."""
    p = LockProbe(connect(), d, key)
    p.login()

    def sid(auth, *subs):
        return struct.pack("<BB", 1, len(subs)) + auth.to_bytes(6, "big") + \
            b"".join(struct.pack("<I", x) for x in subs)
    aces = b""
    for typ, mask, who in ((1, 0x6, sid(22, 1, uid)),
                           (0, 0x1f01ff, sid(1, 0))):
        aces += struct.pack("<BBHI", typ, 0, 8 + len(who), mask) + who
    acl = struct.pack("<BBHHH", 2, 0, 8 + len(aces), 2, 0) + aces
    sd = struct.pack("<BBHIIII", 1, 0, 0x8004, 0, 0, 0, 20) + acl
    ctx = struct.pack("<IHHHHI", 0, 16, 4, 0, 24, len(sd)) + b"SecD" + \
        b"\0" * 4 + sd
    n = name.encode("utf-16-le")
    coff = 64 + 56 + len(n) + (-(56 + len(n)) % 8)
    body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0, 0xC0000000, 0,
                       7, 2, 0x40, 64 + 56, len(n), coff, len(ctx))
    body += n + b"\0" * (coff - 64 - 56 - len(n)) + ctx
    r = p.call(CREATE, body)
    if r["status"] == 0:
        p.call(6, struct.pack("<HHI", 24, 0, 0) + p.fid(r))
    print("SECD 0x%x" % r["status"])


# CREATE's MxAc, QFid, AlSi, ExtA, AppInstanceId; EAs (smbd/create_ctx.c).
APP_INSTANCE_TAG = bytes.fromhex("45bca66aefa7f74a9008fa462e144d74")
APP_VERSION_TAG = bytes.fromhex("b982d0b73b56074fa07b524a8116a010")


def guid_ctx(tag, data):
    """A create context named by a 16-byte GUID (2.2.13.2)."""
    return pad8(struct.pack("<IHHHHI", 0, 16, 16, 0, 32, len(data)) + tag +
                data)


def ea_chain(eas):
    """FILE_FULL_EA_INFORMATION entries (MS-FSCC 2.4.15), 4-aligned."""
    out = b""
    for i, (name, value) in enumerate(eas):
        e = struct.pack("<IBBH", 0, 0, len(name), len(value)) + name + \
            b"\0" + value
        if i + 1 < len(eas):
            e += b"\0" * (-len(e) % 4)
            e = struct.pack("<I", len(e)) + e[4:]
        out += e
    return out


def ea_parse(b):
    """[(name, value)] of a FILE_FULL_EA_INFORMATION list."""
    out, pos = [], 0
    while pos + 8 <= len(b):
        (nxt, _f, nl, vl) = struct.unpack_from("<IBBH", b, pos)
        out.append((b[pos + 8:pos + 8 + nl],
                    b[pos + 9 + nl:pos + 9 + nl + vl]))
        if nxt == 0:
            break
        pos += nxt
    return out


def query(p, f, cls, outlen=4096, inbuf=b"", flags=0, index=0, typ=1):
    """QUERY_INFO: (status, data)."""
    body = struct.pack("<HBBIHHIII16s", 41, typ, cls, outlen,
                       64 + 40 if inbuf else 0, 0, len(inbuf), index, flags,
                       f) + inbuf
    r = p.call(0x10, body)
    if r["status"] not in (0, 0x80000005):
        return r["status"], b""
    (off, ln) = struct.unpack_from("<HI", r["body"], 2)
    return r["status"], r["body"][off - 64:off - 64 + ln]


def setinfo(p, f, cls, data):
    si = struct.pack("<HBBIHHI16s", 33, 1, cls, len(data), 64 + 32, 0, 0,
                     f) + data
    return p.call(0x11, si)["status"]


def pass_fail(name, ok, detail=""):
    """A PASS or FAIL line, flushed (a test reads them as checks)."""
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, detail)))
    sys.stdout.flush()


def filetime(t):
    """A Unix time in seconds as a FILETIME."""
    return (int(t) + 11644473600) * 10000000


def info_steps(d, key):
    """PASS/FAIL lines: QUERY_INFO and SET_INFO classes on share export
    (times, granted access, position, mode, output buffer sizes, the
    EaSize of listings)."""
    p = LockProbe(connect(), d, key)
    p.login()

    rep = pass_fail
    name = "info-%d.bin" % os.getpid()
    r = create_with(p, name, [create_ctx(b"ExtA",
                                         ea_chain([(b"Colour", b"blue")]))],
                    disp=2)
    rep("CREATE (GENERIC_READ | GENERIC_WRITE) with an EA", r["status"] == 0,
        hex(r["status"]))
    if r["status"] != 0:
        return
    f = p.fid(r)
    st, acc = query(p, f, 8)
    rep("FileAccessInformation: GENERIC_READ | GENERIC_WRITE mapped, "
        "0x12019f", st == 0 and acc == struct.pack("<I", 0x12019f),
        "%s %s" % (hex(st), acc.hex()))
    st, ea = query(p, f, 7)
    st2, alli = query(p, f, 18)
    rep("FileAllInformation: EaSize as FileEaInformation's (20), "
        "AccessFlags 0x12019f",
        st == 0 and st2 == 0 and ea == struct.pack("<I", 20) and
        alli[72:80] == ea + struct.pack("<I", 0x12019f),
        "%s %s %s" % (hex(st2), ea.hex(), alli[72:80].hex()))
    p.rw(WRITE, f, 0, 7)
    base = int(time.time()) - 10 * 86400
    times = [filetime(base + k) for k in (100, 200, 300, 400)]
    st = setinfo(p, f, 4, struct.pack("<QQQQII", *times, 0, 0))
    st2, b = query(p, f, 4)
    rep("SET_INFO FileBasicInformation: creation, access, write and "
        "change times read back", st == 0 and st2 == 0 and
        list(struct.unpack_from("<QQQQ", b)) == times,
        "%s %s %s" % (hex(st), hex(st2), b[:32].hex()))
    st = setinfo(p, f, 4, struct.pack("<QQQQII", 0, 0, 0, 0, 1, 0))
    st2, b = query(p, f, 4)
    rep("SET_INFO READONLY with times 0: the times this handle set stay",
        st == 0 and st2 == 0 and
        list(struct.unpack_from("<QQQQI", b)) == times + [1],
        "%s %s" % (hex(st), b.hex()))
    setinfo(p, f, 4, struct.pack("<QQQQII", 0, 0, 0, 0, 0x80, 0))
    st = setinfo(p, f, 4, struct.pack("<QQQQII", *([(1 << 64) - 1] * 2 +
                                                   [(1 << 64) - 2] * 2),
                                      0, 0))
    st2, b = query(p, f, 4)
    rep("SET_INFO times -1 and -2: nothing moves", st == 0 and
        list(struct.unpack_from("<QQQQ", b)) == times, "%s %s" %
        (hex(st), b.hex()))
    st = setinfo(p, f, 4, struct.pack("<QQQQII", (1 << 64) - 3, 0, 0, 0, 0,
                                      0))
    rep("SET_INFO a time below -2: INVALID_PARAMETER", st == 0xc000000d,
        hex(st))
    st = setinfo(p, f, 4, struct.pack("<QQQQII", 0, 0, 0, 0, 0x10, 0))
    rep("SET_INFO FILE_ATTRIBUTE_DIRECTORY on a file: INVALID_PARAMETER",
        st == 0xc000000d, hex(st))
    st, f2 = p.open(name, disp=1)
    st2 = p.rw(WRITE, f2, 0, 3) if st == 0 else st
    st3, b = query(p, f, 4)
    ct = struct.unpack_from("<QQQQ", b) if st3 == 0 else [0] * 4
    rep("a write through another open: change time now, creation time "
        "kept", st2 == 0 and ct[0] == times[0] and
        ct[3] > filetime(time.time() - 3600), "%s %s" % (hex(st2), b.hex()))
    if st == 0:
        p.close(f2)
    st, f3 = p.open(name, access=0xa0, disp=1)
    st2, acc = query(p, f3, 8) if st == 0 else (st, b"")
    st3, _b = query(p, f3, 4) if st == 0 else (st, b"")
    rep("EXECUTE | READ_ATTRIBUTES open: granted 0xa0, basic served",
        st2 == 0 and acc == struct.pack("<I", 0xa0) and st3 == 0,
        "%s %s %s" % (hex(st2), acc.hex(), hex(st3)))
    st, f4 = p.open(name, access=0x1, disp=1)
    st2, _b = query(p, f4, 4) if st == 0 else (st, b"")
    st3, _b = query(p, f4, 5) if st == 0 else (st, b"")
    rep("READ_DATA open: basic ACCESS_DENIED, standard served",
        st2 == 0xc0000022 and st3 == 0, "%s %s" % (hex(st2), hex(st3)))
    st = setinfo(p, f, 14, struct.pack("<Q", 123456))
    st2, pos = query(p, f, 14)
    st3, alli = query(p, f, 18)
    rep("FilePositionInformation set and read (and in FileAll)", st == 0 and
        pos == struct.pack("<Q", 123456) and alli[80:88] == pos,
        "%s %s" % (hex(st), pos.hex()))
    st = setinfo(p, f, 16, struct.pack("<I", 2))
    st2, mode = query(p, f, 16)
    st3 = setinfo(p, f, 16, struct.pack("<I", 1))
    rep("FileModeInformation: 2 set and read, 1 INVALID_PARAMETER",
        st == 0 and mode == struct.pack("<I", 2) and st3 == 0xc000000d,
        "%s %s %s" % (hex(st), mode.hex(), hex(st3)))
    for (typ, cls, fixed) in [(1, 4, 40), (1, 5, 24), (1, 6, 8), (1, 7, 4),
                              (1, 8, 4), (1, 14, 8), (1, 16, 4), (1, 17, 4),
                              (1, 18, 104), (1, 21, 8), (1, 22, 32),
                              (1, 28, 16), (1, 34, 56), (1, 35, 8),
                              (2, 1, 24), (2, 3, 24), (2, 4, 8), (2, 5, 16),
                              (2, 7, 32)]:
        st, full = query(p, f, cls, outlen=65535, typ=typ)
        st2, _b = query(p, f, cls, outlen=fixed - 1, typ=typ)
        st3, part = query(p, f, cls, outlen=len(full) - 1, typ=typ) \
            if len(full) > fixed else (0x80000005, full[:-1])
        # A list (streams) answers the entries that fit whole.
        rep("%s class %d: %d bytes, under %d INFO_LENGTH_MISMATCH, "
            "shorter BUFFER_OVERFLOW" % ("file" if typ == 1 else "fs",
                                         cls, len(full), fixed),
            st == 0 and st2 == 0xc0000004 and st3 == 0x80000005 and
            (part == full[:len(full) - 1] or (cls == 22 and typ == 1)),
            "%s %s %s %d" % (hex(st), hex(st2), hex(st3), len(part)))
    st = setinfo(p, f, 19, struct.pack("<Q", 0))
    st2, std = query(p, f, 5)
    rep("FileAllocationInformation 0: end of file 0", st == 0 and
        std[8:16] == struct.pack("<Q", 0), "%s %s" % (hex(st), std.hex()))
    st = setinfo(p, f, 13, b"\1")
    st2, std = query(p, f, 5)
    setinfo(p, f, 13, b"\0")
    st3, std2 = query(p, f, 5)
    rep("delete pending: NumberOfLinks 0, then 1 again", st == 0 and
        std[16:21] == struct.pack("<IB", 0, 1) and
        std2[16:21] == struct.pack("<IB", 1, 0), "%s %s" % (std.hex(),
                                                            std2.hex()))

    def fsctl(code, fid, maxout):
        io = struct.pack("<HHI16sIIIIIIII", 57, 0, code, fid, 64 + 56, 0, 0,
                         0, 0, maxout, 1, 0)
        return p.call(0x0b, io)
    r = fsctl(0x000900a8, f, 4096)
    rep("FSCTL_GET_REPARSE_POINT: NOT_A_REPARSE_POINT",
        r["status"] == 0xc0000275, hex(r["status"]))
    nofile = b"\xff" * 16
    r = fsctl(0x001401fc, nofile, 65536)
    out = b""
    if r["status"] == 0:
        (ooff, olen) = struct.unpack_from("<II", r["body"], 32)
        out = r["body"][ooff - 64:ooff - 64 + olen]
    rep("FSCTL_QUERY_NETWORK_INTERFACE_INFO: one entry, 127.0.0.1, "
        "1 Gbit/s, IPv4", r["status"] == 0 and len(out) == 152 and
        struct.unpack_from("<I", out, 0)[0] == 0 and
        struct.unpack_from("<Q", out, 16)[0] == 1000000000 and
        struct.unpack_from("<H", out, 24)[0] == 2 and
        out[28:32] == bytes([127, 0, 0, 1]),
        "%s %s" % (hex(r["status"]), out.hex()))
    r = fsctl(0x001401fc, f, 65536)
    r2 = fsctl(0x001401fc, nofile, 100)
    rep("FSCTL_QUERY_NETWORK_INTERFACE_INFO on a file: INVALID_PARAMETER; "
        "in 100 bytes: BUFFER_TOO_SMALL", r["status"] == 0xc000000d and
        r2["status"] == 0xc0000023, "%s %s" % (hex(r["status"]),
                                               hex(r2["status"])))

    # MS-FSA 2.1.5.10.1, 2.1.5.10.13: the file's object id.
    def objid(code, maxout):
        r = fsctl(code, f, maxout)
        if r["status"] != 0:
            return r["status"], b""
        (ooff, olen) = struct.unpack_from("<II", r["body"], 32)
        return 0, r["body"][ooff - 64:ooff - 64 + olen]
    s1, o1 = objid(0x000900c0, 64)
    s2, o2 = objid(0x0009009c, 64)
    s3, _o3 = objid(0x000900c0, 63)
    rep("FSCTL_CREATE_OR_GET_OBJECT_ID: 64 bytes, BirthObjectId the "
        "ObjectId, no DomainId; FSCTL_GET_OBJECT_ID the same; in 63 "
        "bytes INVALID_PARAMETER", s1 == 0 and len(o1) == 64 and
        o1[:16] != b"\0" * 16 and o1[32:48] == o1[:16] and
        o1[48:] == b"\0" * 16 and s2 == 0 and o2 == o1 and
        s3 == 0xc000000d, "%s %s %s %s" % (hex(s1), hex(s2), hex(s3),
                                           o1.hex()))
    st, b = query(p, f, 5, typ=2)
    fl = struct.unpack_from("<I", b, 0)[0] if st == 0 else 0
    rep("FileFsAttributeInformation: FILE_SUPPORTS_OBJECT_IDS",
        fl & 0x10000 != 0, "%s flags %x" % (hex(st), fl))
    # MS-SMB2 3.3.5.15: the open first, then the control code.
    r = fsctl(0x000900c4, b"\x01" * 16, 64)
    r2 = fsctl(0x000900c4, f, 64)
    rep("an FSCTL not served: on an unknown FileId FILE_CLOSED, on the "
        "file INVALID_DEVICE_REQUEST", r["status"] == 0xc0000128 and
        r2["status"] == 0xc0000010, "%s %s" % (hex(r["status"]),
                                                hex(r2["status"])))
    p.close(f)
    # QUERY_DIRECTORY's EaSize: the file's (FileEaInformation's), and 0
    # for a file without EAs, in each class that carries one.
    plain = "info-%d-plain.bin" % os.getpid()
    st, fp = p.open(plain, disp=2)
    if st == 0:
        p.close(fp)
    r = create_with(p, "", [], access=0x81, disp=1, options=1)
    droot = p.fid(r) if r["status"] == 0 else b"\0" * 16
    for cls in (2, 3, 37, 38):
        got = []
        for n in (name, plain):
            pat = n.encode("utf-16-le")
            qd = struct.pack("<HBBI16sHHI", 33, cls, 1, 0, droot, 64 + 32,
                             len(pat), 65536) + pat
            rr = p.call(0x0e, qd)
            if rr["status"] != 0:
                got.append(hex(rr["status"]))
                continue
            (off, _ln) = struct.unpack_from("<HI", rr["body"], 2)
            got.append(struct.unpack_from("<I", rr["body"],
                                          off - 64 + 64)[0])
        rep("QUERY_DIRECTORY class %d: EaSize 20 for the file with an EA, "
            "0 without" % cls, got == [20, 0], "%s" % got)

    def listed(n):
        """QUERY_DIRECTORY FileIdBothDirectoryInformation of n: (status,
        its ShortName)."""
        pat = n.encode("utf-16-le")
        qd = struct.pack("<HBBI16sHHI", 33, 37, 1, 0, droot, 64 + 32,
                         len(pat), 65536) + pat
        rr = p.call(0x0e, qd)
        if rr["status"] != 0:
            return rr["status"], ""
        (off, _ln) = struct.unpack_from("<HI", rr["body"], 2)
        e = rr["body"][off - 64:]
        return 0, e[70:70 + e[68]].decode("utf-16-le")

    def rename(fid, to, replace):
        n = to.encode("utf-16-le")
        return setinfo(p, fid, 10, struct.pack("<B7xQI", replace, 0, len(n))
                       + n)
    # 8.3 names: the listing's ShortName is FileAlternateNameInformation's:
    # the name's start in upper case, '~', the inode number
    # (FileInternalInformation's) in base 36, ".BIN".
    r2 = create_with(p, plain, [], access=0x80, disp=1)
    st, alt = query(p, p.fid(r2), 21) if r2["status"] == 0 else \
        (r2["status"], b"")
    st1, ino = query(p, p.fid(r2), 6) if r2["status"] == 0 else \
        (r2["status"], b"")
    if r2["status"] == 0:
        p.close(p.fid(r2))
    alt = alt[4:4 + struct.unpack_from("<I", alt)[0]].decode("utf-16-le") \
        if st == 0 else hex(st)
    st2, short = listed(plain)
    (head, _t, tail) = short.partition("~")
    try:
        num = int(tail[:-4], 36)
    except ValueError:
        num = -1
    ok = (st == 0 and st1 == 0 and st2 == 0 and short == alt and
          tail.endswith(".BIN") and plain.upper().startswith(head) and
          num == struct.unpack_from("<Q", ino)[0])
    rep("8.3 name of %s: the listing's ShortName is FileAlternateName"
        "Information's, <start>~<inode in base 36>.BIN" % plain, ok,
        "%s %s %s %s" % (hex(st2), short, alt, ino.hex()))
    # Opened by its 8.3 name, in any case, a directory's in the middle of
    # a path too; a name of that shape whose inode is another
    # directory's entry, or whose start is not the name's, is not found.
    def ino_of(fid):
        st, b = query(p, fid, 6)
        p.close(fid)
        return b if st == 0 else hex(st)

    def ino_by(n):
        r = create_with(p, n, [], access=0x80, disp=1, options=0)
        return ino_of(p.fid(r)) if r["status"] == 0 else hex(r["status"])
    sdir = "info-%d-long directory" % os.getpid()
    inner = sdir + "\\inner-file.bin"
    r4 = create_with(p, sdir, [], access=0x81, disp=2, options=1)
    if r4["status"] == 0:
        p.close(p.fid(r4))
    st, fi = p.open(inner, disp=2)
    inner_ino = ino_of(fi) if st == 0 else hex(st)
    st8, dshort = listed(sdir)
    got = [ino_by(short), ino_by(short.lower()),
           ino_by(dshort + "\\inner-file.bin"),
           ino_by(dshort.lower() + "\\inner-file.bin")]
    rep("opened by its 8.3 name %s (any case), and %s\\inner-file.bin by "
        "its directory's %s" % (short, sdir, dshort), st8 == 0 and
        "~" in dshort and got == [ino, ino, inner_ino, inner_ino],
        "%s %s %s %s %s" % (hex(st8), dshort, got, ino.hex()
                            if isinstance(ino, bytes) else ino, inner_ino))
    forged = "ZZ~" + short.partition("~")[2]
    got = [ino_by(sdir + "\\" + short), ino_by(dshort + "\\" + short),
           ino_by(forged), ino_by(short + "\\inner-file.bin")]
    rep("not found: %s (another directory's inode) in %s, %s (not the "
        "name's start), a file's 8.3 name as a directory" %
        (short, sdir, forged), got == ["0xc0000034", "0xc0000034",
                                       "0xc0000034", "0xc000003a"],
        "%s" % got)
    for n in (inner, sdir):
        r5 = create_with(p, n, [], access=0x10080, disp=1,
                         options=0x1000 | (1 if n == sdir else 0))
        if r5["status"] == 0:
            p.close(p.fid(r5))
    # A file deleted while another open of it stays (MS-FSA 2.1.5.4):
    # listed and DELETE_PENDING until that open closes, not renamed,
    # nothing renamed onto it; then gone.
    doc = "info-%d-doc.bin" % os.getpid()
    st, fa = p.open(doc, access=0xC0010000, disp=2)
    r2 = create_with(p, doc, [], access=0x10080, disp=1, options=0x1000)
    if r2["status"] == 0:
        p.close(p.fid(r2))
    st2, _short = listed(doc)
    st3, _f = p.open(doc, disp=1)
    rep("a file deleted while another open stays: still listed, an open "
        "of it DELETE_PENDING", st == 0 and r2["status"] == 0 and
        st2 == 0 and st3 == 0xc0000056, "%s %s %s %s" %
        (hex(st), hex(r2["status"]), hex(st2), hex(st3)))
    r3 = create_with(p, plain, [], access=0x10080, disp=1)
    st4 = rename(p.fid(r3), doc, 1) if r3["status"] == 0 else r3["status"]
    if r3["status"] == 0:
        p.close(p.fid(r3))
    st5 = rename(fa, doc + ".moved", 0) if st == 0 else st
    rep("... a rename onto it (ReplaceIfExists) ACCESS_DENIED, of it "
        "DELETE_PENDING", st4 == 0xc0000022 and st5 == 0xc0000056,
        "%s %s" % (hex(st4), hex(st5)))
    if st == 0:
        p.close(fa)
    st6, _short = listed(doc)
    st7, _f = p.open(doc, disp=1)
    rep("... gone with that open's close", st6 == 0xc000000f and
        st7 == 0xc0000034, "%s %s" % (hex(st6), hex(st7)))
    if r["status"] == 0:
        p.close(droot)
    # CREATE's fields refused before the name is looked at (MS-SMB2
    # 3.3.5.9, MS-FSA 2.1.5.1), on a name that exists (FILE_OPEN_IF).
    bad = [("an option bit above FILE_VALID_OPTION_FLAGS (0x01000000)",
            dict(options=0x01000000), 0xc000000d),
           ("FILE_ATTRIBUTE_VOLUME", dict(attrs=0x8), 0xc000000d),
           ("FILE_ATTRIBUTE_DEVICE", dict(attrs=0x40), 0xc000000d),
           ("an attribute bit from 0x8000 up (0x10000)",
            dict(attrs=0x10000), 0xc000000d),
           ("FILE_CREATE_TREE_CONNECTION", dict(options=0x80), 0xc00000bb),
           ("FILE_OPEN_BY_FILE_ID", dict(options=0x2000), 0xc00000bb),
           ("FILE_RESERVE_OPFILTER", dict(options=0x100000), 0xc00000bb),
           ("a reserved access bit (0x08000000) with FILE_ATTRIBUTE_VOLUME",
            dict(access=0x08000000, attrs=0x8), 0xc0000022)]
    for what, kw, want in bad:
        r = create_with(p, name, [], **kw)
        if r["status"] == 0:
            p.close(p.fid(r))
        rep("CREATE with %s: %s" % (what, hex(want)), r["status"] == want,
            hex(r["status"]))
    # Unpaired surrogates (smbtorture's smb2.charset "partial
    # surrogate", whose client cannot send them): no name, refused.
    for what, bad_name in (("a high surrogate alone", "sur\ud800x.txt"),
                           ("a high surrogate last", "sur\ud800"),
                           ("a low surrogate alone", "sur\udc00x.txt")):
        r = create_with(p, bad_name, [], disp=2)
        if r["status"] == 0:
            p.close(p.fid(r))
        rep("CREATE of a name with %s: OBJECT_NAME_INVALID" % what,
            r["status"] == 0xc0000033, hex(r["status"]))
    r = create_with(p, "sur\U0001f600.txt", [], disp=5)
    if r["status"] == 0:
        p.close(p.fid(r))
    rep("... and with a surrogate pair (U+1F600): made", r["status"] == 0,
        hex(r["status"]))
    r = create_with(p, name, [], attrs=0x2027)
    if r["status"] == 0:
        p.close(p.fid(r))
    rep("CREATE with FILE_ATTRIBUTE_NOT_CONTENT_INDEXED and the DOS "
        "attributes: taken", r["status"] == 0, hex(r["status"]))
    # The creation time set above, for NFSv4's time_create.
    print("BTIME %s %d" % (name, base + 100))


def supersede_steps(d, key):
    """PASS/FAIL lines: MS-FSA 2.1.5.1.2, FILE_SUPERSEDE of a file another
    session holds open (sharing read, write and delete) empties that same
    file: what the other open writes afterwards is the named file's."""
    a, b, eq = two_sessions(d, key, "%r, expected %r")
    name = "sup-%d.bin" % os.getpid()

    def read(p, f, ln):
        rb = struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, ln, 0, f, 0, 0, 0, 0,
                         0, 0)
        r = p.call(READ, rb)
        if r["status"] != 0:
            return hex(r["status"])
        (off, n) = struct.unpack_from("<BxI", r["body"], 2)
        return r["body"][off - 64:off - 64 + n]

    def write(p, f, data):
        return p.call(WRITE, struct.pack("<HHIQ16sIIHHI", 49, 64 + 48,
                                         len(data), 0, f, 0, 0, 0, 0, 0) +
                      data)["status"]

    r = create_with(a, name, [create_ctx(b"ExtA",
                                         ea_chain([(b"OLD", b"v")]))],
                    disp=5, attrs=0x4)
    eq("A opens the file (OVERWRITE_IF, an EA, SYSTEM), sharing all",
       r["status"], 0)
    if r["status"] != 0:
        return
    fa = a.fid(r)
    eq("A writes 11 bytes", write(a, fa, b"before-data"), 0)
    st, ia = query(a, fa, 6)
    r = create_with(b, name, [], access=0xC0010000, disp=0, attrs=0x6)
    eq("B supersedes it (HIDDEN|SYSTEM asked): SUCCESS, FILE_SUPERSEDED",
       (r["status"], struct.unpack_from("<I", r["body"], 4)[0]
        if r["status"] == 0 else None), (0, 0))
    if r["status"] != 0:
        return
    fb = b.fid(r)
    eq("... its EndOfFile 0, its attributes those asked with ARCHIVE",
       struct.unpack_from("<QI", r["body"], 48), (0, 0x26))
    st, ib = query(b, fb, 6)
    eq("the same file: B's FileInternalInformation is A's", ib, ia)
    st, ea = query(b, fb, 7)
    eq("its EAs are gone (FileEaInformation's EaSize 0)", (st, ea),
       (0, b"\0" * 4))
    eq("A's handle still writes", write(a, fa, b"from-A"), 0)
    eq("B reads what A wrote", read(b, fb, 64), b"from-A")
    st, fc = b.open(name, access=0x80000000, disp=1)
    eq("an open of the name reads it too",
       read(b, fc, 64) if st == 0 else hex(st), b"from-A")
    for p, f in ((b, fc), (b, fb), (a, fa)):
        if f is not None:
            p.close(f)
    # MS-FSA 2.1.5.1.2: an overwrite replaces the file's attributes with
    # those asked and ARCHIVE, FILE_ATTRIBUTE_NORMAL (none) included.
    plain = "ovw-%d.bin" % os.getpid()
    for disp, how in ((4, "FILE_OVERWRITE"), (5, "FILE_OVERWRITE_IF")):
        r = create_with(a, plain, [], disp=5)
        st = setinfo(a, a.fid(r), 4, struct.pack("<QQQQII", 0, 0, 0, 0,
                                                  0x80, 0)) \
            if r["status"] == 0 else r["status"]
        if r["status"] == 0:
            a.close(a.fid(r))
        r = create_with(a, plain, [], disp=disp, attrs=0x80)
        eq("%s with FILE_ATTRIBUTE_NORMAL of a file whose ARCHIVE was "
           "cleared: ARCHIVE" % how, (st, r["status"],
                                      struct.unpack_from("<I", r["body"],
                                                         56)[0]
                                      if r["status"] == 0 else None),
           (0, 0, 0x20))
        if r["status"] == 0:
            a.close(a.fid(r))


def cctx_steps(d, key):
    """PASS/FAIL lines: the contexts and the EA classes on share export."""
    p = LockProbe(connect(), d, key)
    p.login()

    rep = pass_fail
    name = "cctx-%d.bin" % os.getpid()
    eas = [(b"Colour", b"blue"), (b"SIZE", b"x" * 300)]
    r = create_with(p, name, [create_ctx(b"MxAc", b""),
                              create_ctx(b"QFid", b""),
                              create_ctx(b"AlSi", struct.pack("<Q", 1 << 20)),
                              create_ctx(b"ExtA", ea_chain(eas))], disp=2)
    rep("CREATE with MxAc, QFid, AlSi, ExtA: SUCCESS", r["status"] == 0,
        hex(r["status"]))
    if r["status"] != 0:
        return
    f = p.fid(r)
    mx = response_ctx(r, b"MxAc")
    qf = response_ctx(r, b"QFid")
    (mst, mask) = struct.unpack_from("<II", mx) if mx and len(mx) == 8 \
        else (None, None)
    rep("MxAc of root: QueryStatus 0, FILE_ALL_ACCESS",
        mst == 0 and mask == 0x1f01ff, "%s %s" % (mst, mask and hex(mask)))
    st, internal = query(p, f, 6)
    rep("QFid: 32 bytes, DiskFileId as FileInternalInformation's",
        qf is not None and len(qf) == 32 and st == 0 and
        qf[:8] == internal[:8], "%s %s" % (qf and qf.hex(), internal.hex()))
    st, vol = query(p, f, 1, typ=2)
    rep("QFid: VolumeId the share's id (FileFsVolumeInformation's serial)",
        qf is not None and st == 0 and
        struct.unpack_from("<Q", qf, 8)[0] ==
        struct.unpack_from("<I", vol, 8)[0], "%s" % (qf and qf.hex()))
    st, data = query(p, f, 15, flags=1)
    got = ea_parse(data)
    rep("ExtA, then FileFullEaInformation: both EAs, names in upper case",
        st == 0 and got == [(b"COLOUR", b"blue"), (b"SIZE", b"x" * 300)],
        "%s %s" % (hex(st), got))
    st, data = query(p, f, 7)
    want = ((8 + 6 + 1 + 4 + 3) & ~3) + ((8 + 4 + 1 + 300 + 3) & ~3)
    rep("FileEaInformation: EaSize %d" % want, st == 0 and
        struct.unpack_from("<I", data)[0] == want, "%s %s" % (hex(st),
                                                              data.hex()))
    gl = struct.pack("<IB", 0, 4) + b"size\0"
    st, data = query(p, f, 15, inbuf=gl)
    rep("FileFullEaInformation with an EA list (size, any case): SIZE",
        st == 0 and ea_parse(data) == [(b"SIZE", b"x" * 300)],
        "%s %s" % (hex(st), ea_parse(data)))
    st, data = query(p, f, 15, flags=1 | 2)
    st2, data2 = query(p, f, 15, flags=2)
    st3, _d = query(p, f, 15)
    rep("single entries: COLOUR, then SIZE, then NO_MORE_EAS",
        st == 0 and ea_parse(data)[0][0] == b"COLOUR" and st2 == 0 and
        ea_parse(data2)[0][0] == b"SIZE" and st3 == 0x80000012,
        "%s %s %s" % (hex(st), hex(st2), hex(st3)))
    st, data = query(p, f, 15, flags=4 | 2, index=2)
    st2, _d = query(p, f, 15, flags=4, index=3)
    rep("index 2: SIZE; index 3: NONEXISTENT_EA_ENTRY",
        st == 0 and ea_parse(data)[0][0] == b"SIZE" and st2 == 0xc0000051,
        "%s %s" % (hex(st), hex(st2)))
    st, _d = query(p, f, 15, outlen=8, flags=1)
    rep("an output buffer that holds no entry: BUFFER_TOO_SMALL",
        st == 0xc0000023, hex(st))
    st = setinfo(p, f, 15, ea_chain([(b"colour", b""), (b"new", b"v")]))
    st2, data = query(p, f, 15, flags=1)
    rep("SET_INFO FileFullEaInformation: length 0 removes COLOUR, NEW set",
        st == 0 and st2 == 0 and ea_parse(data) == [(b"NEW", b"v"),
                                                       (b"SIZE", b"x" * 300)],
        "%s %s %s" % (hex(st), hex(st2), ea_parse(data)))
    big = ea_chain([(b"big1", b"b" * 40000), (b"big2", b"b" * 40000)])
    st = setinfo(p, f, 15, big)
    st2, data = query(p, f, 15, flags=1)
    rep("SET_INFO of 80000 bytes of EAs: EA_TOO_LARGE, nothing set",
        st == 0xc0000050 and st2 == 0 and
        [n for (n, _v) in ea_parse(data)] == [b"NEW", b"SIZE"],
        "%s %s" % (hex(st), [n for (n, _v) in ea_parse(data)]))
    r = create_with(p, name + ".4", [create_ctx(b"ExtA", big)], disp=2)
    st, _f = p.open(name + ".4", disp=1)
    rep("CREATE with 80000 bytes of EAs: EA_TOO_LARGE, no file",
        r["status"] == 0xc0000050 and st == 0xc0000034,
        "%s %s" % (hex(r["status"]), hex(st)))
    bad = struct.pack("<IBBH", 64, 0, 3, 1) + b"abc\0v"
    st = setinfo(p, f, 15, bad)
    rep("SET_INFO with NextEntryOffset past the buffer: INVALID_PARAMETER",
        st == 0xc000000d, hex(st))
    st = setinfo(p, f, 15, struct.pack("<IBBH", 0, 0, 3, 1) + b"abcXv")
    rep("SET_INFO with a name not NUL terminated: INVALID_PARAMETER",
        st == 0xc000000d, hex(st))
    st = setinfo(p, f, 15, ea_chain([(b"a*b", b"v")]))
    rep("SET_INFO with a name holding '*': INVALID_EA_NAME",
        st == 0x80000013, hex(st))
    st = setinfo(p, f, 15, struct.pack("<IBBH", 0, 1, 1, 1) + b"a\0v")
    rep("SET_INFO with a flag other than FILE_NEED_EA: INVALID_EA_NAME",
        st == 0x80000013, hex(st))
    st, fsa = query(p, f, 5, typ=2)
    rep("FileFsAttributeInformation: FILE_SUPPORTS_EXTENDED_ATTRIBUTES",
        st == 0 and struct.unpack_from("<I", fsa)[0] & 0x00800000 != 0,
        hex(st))
    rep("FileFsAttributeInformation: FILE_NAMED_STREAMS",
        st == 0 and struct.unpack_from("<I", fsa)[0] & 0x00040000 != 0,
        hex(st))
    # The share "nostreams" (smb streams = no) has none to offer.
    p2 = LockProbe(connect(), d, key)
    p2.share = "nostreams"
    st = p2.login()
    r = create_with(p2, "", [], access=0x80, disp=1, options=1)
    st2, fsa2 = query(p2, p2.fid(r), 5, typ=2) if r["status"] == 0 else \
        (r["status"], b"")
    rep("FileFsAttributeInformation on a share without streams: no "
        "FILE_NAMED_STREAMS", st == 0 and st2 == 0 and
        struct.unpack_from("<I", fsa2)[0] & 0x00040000 == 0,
        "%s %s" % (hex(st), hex(st2)))
    r = create_with(p2, "nostream-%d.txt:s1" % os.getpid(), [], disp=2)
    rep("... and a CREATE of a stream there: OBJECT_NAME_INVALID",
        r["status"] == 0xc0000033, hex(r["status"]))
    p.close(f)
    r = create_with(p, name, [], access=0x80, disp=1)
    if r["status"] == 0:
        fa = p.fid(r)
        st, _d = query(p, fa, 15, flags=1)
        st2 = setinfo(p, fa, 15, ea_chain([(b"x", b"y")]))
        p.close(fa)
    rep("an open for FILE_READ_ATTRIBUTES alone: FileFullEaInformation and "
        "its SET_INFO ACCESS_DENIED", r["status"] == 0 and
        st == 0xc0000022 and st2 == 0xc0000022,
        "%s %s %s" % (hex(r["status"]), hex(st), hex(st2)))
    r = create_with(p, name + ".2", [create_ctx(b"ExtA", bad)], disp=2)
    st, _f = p.open(name + ".2", disp=1)
    rep("CREATE with a malformed EA chain: INVALID_PARAMETER, no file",
        r["status"] == 0xc000000d and st == 0xc0000034,
        "%s %s" % (hex(r["status"]), hex(st)))
    r = create_with(p, name + ".2", [create_ctx(b"ExtA",
                                                ea_chain([(b"a:b", b"v")]))],
                    disp=2)
    rep("CREATE with an EA name holding ':': INVALID_EA_NAME",
        r["status"] == 0x80000013, hex(r["status"]))
    # A context whose data overlaps its name, one whose data is not
    # 8-byte aligned, one named twice: the list is malformed.
    ov = struct.pack("<IHHHHI", 0, 16, 4, 0, 16, 8) + b"MxAc" + b"\0" * 4
    r1 = create_with(p, name + ".3", [ov], disp=2)
    un = struct.pack("<IHHHHI", 0, 16, 4, 0, 20, 8) + b"AlSi" + b"\0" * 12
    r2 = create_with(p, name + ".3", [un], disp=2)
    r3 = create_with(p, name + ".3", [create_ctx(b"QFid", b""),
                                      create_ctx(b"QFid", b"")], disp=2)
    r4 = create_with(p, name + ".3", [create_ctx(b"AlSi", b"\0" * 4)],
                     disp=2)
    rep("context lists: overlapping, unaligned, named twice, AlSi of 4 "
        "bytes: INVALID_PARAMETER",
        [x["status"] for x in (r1, r2, r3, r4)] == [0xc000000d] * 4,
        " ".join(hex(x["status"]) for x in (r1, r2, r3, r4)))
    r = create_with(p, name + ".3", [create_ctx(b"Zzzz", b"\1" * 8),
                                     create_ctx(b"QFid", b"")], disp=2)
    rep("an unknown context is ignored: SUCCESS with QFid",
        r["status"] == 0 and response_ctx(r, b"QFid") is not None,
        hex(r["status"]))
    if r["status"] == 0:
        p.close(p.fid(r))


def mxac(d, key, share, name, make=""):
    """MXAC <status> <QueryStatus> <mask> of name ("" the root) on share;
    make "file": a new file, made by this CREATE."""
    p = LockProbe(connect(), d, key)
    p.share = share
    p.login()
    r = create_with(p, name, [create_ctx(b"MxAc", b"")],
                    access=0x80 if not make else 0xC0000000,
                    disp=2 if make else 1, options=0x40 if make else 0)
    mx = response_ctx(r, b"MxAc")
    if mx is None or len(mx) != 8:
        print("MXAC 0x%x - -" % r["status"])
        return
    print("MXAC 0x%x 0x%x 0x%x" % ((r["status"],) +
                                    struct.unpack_from("<II", mx)))


def mkpub(d, key, name):
    """A directory whose DACL lets Everyone do anything (SecD) and passes
    on (MS-DTYP 2.5.3.4) full control for CREATOR OWNER and read for
    Everyone, and a file in it (this session's): "MKPUB <dir> <file>"
    statuses."""
    p = LockProbe(connect(), d, key)
    p.login()
    everyone = struct.pack("<BB", 1, 1) + (1).to_bytes(6, "big") + \
        struct.pack("<I", 0)
    creator = struct.pack("<BB", 1, 1) + (3).to_bytes(6, "big") + \
        struct.pack("<I", 0)
    ace = struct.pack("<BBHI", 0, 0, 8 + len(everyone), 0x1f01ff) + \
        everyone
    ace += struct.pack("<BBHI", 0, 0x0b, 8 + len(creator), 0x1f01ff) + \
        creator
    ace += struct.pack("<BBHI", 0, 0x09, 8 + len(everyone), 0x120089) + \
        everyone
    acl = struct.pack("<BBHHH", 2, 0, 8 + len(ace), 3, 0) + ace
    sd = struct.pack("<BBHIIII", 1, 0, 0x8004, 0, 0, 0, 20) + acl
    r = create_with(p, name, [create_ctx(b"SecD", sd)], disp=2, options=1)
    if r["status"] == 0:
        p.close(p.fid(r))
    r2 = create_with(p, name + "\\rootfile", [], disp=2)
    if r2["status"] == 0:
        p.close(p.fid(r2))
    print("MKPUB 0x%x 0x%x" % (r["status"], r2["status"]))


def app_instance(d, key, name, how, app_hex=None, versions=("-", "-")):
    """3.3.5.9.13: a DH2Q open with an AppInstanceId, denying all, by one
    client; then the same by another client (another ClientGuid).
    how "live": the first stays connected; "gone": its connection drops
    first.  APP <second's status> <first's CLOSE status> <breaks seen>.
    how "ver": as "live", each open with the AppInstanceVersion
    (2.2.13.2.15) "HIGH.LOW" of versions, or none for "-".
    how "hold": only the first, with the id app_hex, kept until stdin
    ends ("APPHELD <status>"); "try": only the second ("APP <status>").
    how "doc" ("docgone"): as "live" ("gone"), the first open to be
    deleted on close: "APPDOC <second's status> <its CreateAction>"
    (2, FILE_CREATED, when the first's close deleted the file)."""
    app = bytes.fromhex(app_hex) if app_hex and app_hex != "-" else \
        os.urandom(16)
    nth = [0]

    def opener(access=0xC0000000, options=0x40):
        p = LockProbe(connect(), d, key)
        p.client_guid = os.urandom(16)
        p.login()
        dh = create_ctx(b"DH2Q", struct.pack("<II8s16s", 0, 0, b"",
                                             os.urandom(16)))
        ai = guid_ctx(APP_INSTANCE_TAG, struct.pack("<HH16s", 20, 0, app))
        ctxs = [dh, ai]
        v = versions[nth[0]]
        nth[0] += 1
        if v != "-":
            hi, lo = (int(n) for n in v.split("."))
            ctxs.append(guid_ctx(APP_VERSION_TAG,
                                 struct.pack("<HHIQQ", 24, 0, 0, hi, lo)))
        r = create_with(p, name, ctxs, access=access, share=0, disp=3,
                        oplock=9, options=options)
        return p, r
    if how == "try":
        b, rb = opener(0x80000000)
        print("APP 0x%x" % rb["status"])
        if rb["status"] == 0:
            b.close(b.fid(rb))
        return
    if how in ("doc", "docgone"):
        a, ra = opener(0xC0010000, 0x1040)
        if ra["status"] != 0 or response_ctx(ra, b"DH2Q") is None:
            print("APPDOC first 0x%x" % ra["status"])
            return
        if how == "docgone":
            a.s.close()
            time.sleep(0.5)
        b, rb = opener()
        print("APPDOC 0x%x %s" % (rb["status"], struct.unpack_from(
            "<I", rb["body"], 4)[0] if rb["status"] == 0 else "-"))
        if rb["status"] == 0:
            b.close(b.fid(rb))
        return
    a, ra = opener()
    if how == "hold":
        print("APPHELD 0x%x %s" % (ra["status"], "DH2Q" if
                                   response_ctx(ra, b"DH2Q") is not None
                                   else "-"))
        sys.stdout.flush()
        sys.stdin.readline()
        os._exit(0)
    if ra["status"] != 0 or response_ctx(ra, b"DH2Q") is None:
        print("APP first 0x%x" % ra["status"])
        return
    fa = a.fid(ra)
    if how == "gone":
        a.s.close()
        time.sleep(0.5)
    b, rb = opener()
    if how == "gone":
        print("APP 0x%x - -" % rb["status"])
    else:
        a.s.settimeout(0.5)
        breaks = 0
        try:
            while True:
                if a.recv()["cmd"] == OPLOCK_BREAK:
                    breaks += 1
        except (socket.timeout, OSError):
            pass
        a.s.settimeout(10)
        print("APP 0x%x 0x%x %d" % (rb["status"], a.close(fa), breaks))
    if rb["status"] == 0:
        b.close(b.fid(rb))


# DCE/RPC (C706 chapter 12) and NDR, as much as the pipe checks need.
SRVSVC_UUID = bytes.fromhex("c84f324b7016d30112785a47bf6ee188")
NDR_SYNTAX = bytes.fromhex("045d888aeb1cc9119fe808002b104860") + \
    struct.pack("<I", 2)


def rpc_pdu(ptype, body, call_id):
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, 3, b"\x10\0\0\0",
                       16 + len(body), 0, call_id) + body


def rpc_bind(uuid, version):
    ctx = struct.pack("<HBB", 0, 1, 0) + uuid + struct.pack("<I", version) + \
        NDR_SYNTAX
    return rpc_pdu(11, struct.pack("<HHIBBH", 4280, 4280, 0, 1, 0, 0) + ctx,
                   1)


def rpc_request(opnum, stub, call_id):
    return rpc_pdu(0, struct.pack("<IHH", len(stub), 0, opnum) + stub,
                   call_id)


def ndr_string(s):
    u = (s + "\0").encode("utf-16-le")
    n = len(u) // 2
    b = struct.pack("<III", n, 0, n) + u
    return b + b"\0" * ((4 - len(b) % 4) % 4)


def enum_all_stub(level):
    return (struct.pack("<I", 0x20000) + ndr_string("\\\\127.0.0.1") +
            struct.pack("<IIIIIIII", level, level, 0x20004, 0, 0,
                        0xffffffff, 0x20008, 0))


def rpc_stub(r):
    """The stub data of the RESPONSE PDU an IOCTL brought back."""
    b = r["body"][48:] if r["cmd"] == 0x0b else r["body"]
    if len(b) < 24 or b[2] != 2:
        return b""
    return b[24:]


def ndr_read_string(b, pos):
    pos = (pos + 3) & ~3
    (mx, off, n) = struct.unpack_from("<III", b, pos)
    pos += 12
    s = b[pos:pos + 2 * n].decode("utf-16-le").rstrip("\0")
    return s, pos + 2 * n


def enum1_names(stub):
    """NetShareEnumAll level 1's reply: [(name, type)]."""
    try:
        (level, sw, ptr, count, aptr, mx) = struct.unpack_from("<IIIIII",
                                                               stub, 0)
        pos, types, out = 24, [], []
        for _ in range(count):
            types.append(struct.unpack_from("<I", stub, pos + 4)[0])
            pos += 12
        for i in range(count):
            name, pos = ndr_read_string(stub, pos)
            _, pos = ndr_read_string(stub, pos)
            out.append((name, types[i]))
        return out
    except (struct.error, UnicodeDecodeError):
        return []
def closed(s):
    """Whether the server closes the connection (within 10 s)."""
    try:
        s.settimeout(10)
        while True:
            recv_frame(s)
    except (EOFError, ConnectionResetError):
        return True
    except socket.timeout:
        return False


def enc_session(d, key, cname):
    f = Files(connect(), d, key)
    f.setup_only = True
    if d == 0x311:
        f.offer = [CIPHERS[cname]] if cname else []
    f.run()
    return f


def enc_probe(d, key, cname, required):
    """SMB3 encryption through gssd-stub.py's key (see the usage)."""
    f = enc_session(d, key, cname)
    want = CIPHERS[cname] if d == 0x311 else 1
    f.report("the cipher negotiated: %s" % (cname if d == 0x311 else
                                            "aes-128-ccm"),
             f.cipher == want and f.s2c is not None,
             "cipher %d, setup %s" % (f.cipher, hex(f.setup_status)))
    if f.cipher != want or f.s2c is None:
        return
    enc = bool(f.session_flags & 4)
    f.report("SESSION_FLAG_ENCRYPT_DATA %s" %
             ("set (encryption = desired or required)" if required else
              "not set (encryption = enabled)"), enc == required,
             "flags %x" % f.session_flags)
    f.seal = required
    r = f.call(TREE_CONNECT, f.tree_body("export"))
    f.tid = r["tid"]
    f.report("TREE_CONNECT to export (%s)" % ("in a transform, answered "
             "in one" if required else "in the clear"),
             r["status"] == 0 and f.sealed == required, hex(r["status"]))
    f.seal = True
    echo = struct.pack("<HH", 4, 0)
    r = f.call(ECHO, echo)
    f.report("an ECHO in a transform: SUCCESS in a transform, not signed",
             r["status"] == 0 and f.sealed and not r["flags"] & 8,
             "%s sealed %s flags %x" % (hex(r["status"]), f.sealed,
                                         r["flags"]))
    name = "enc-%x-%s.bin" % (d, cname or "ccm")
    r = f.call(CREATE, f.create(name, 5, 0x40))
    fid = f.fid(r)
    ok = r["status"] == 0 and f.sealed
    data = os.urandom(200000)
    r = f.call(9, struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(data), 0,
                              fid, 0, 0, 0, 0, 0) + data, charge=4)
    ok = ok and r["status"] == 0 and f.sealed
    r = f.call(READ, struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, len(data), 0,
                                 fid, 0, 0, 0, 0, 0, 0), charge=4)
    got = r["body"][16:16 + len(data)] if r["status"] == 0 else b""
    ok = ok and got == data and f.sealed
    r = f.call(6, struct.pack("<HHI", 24, 0, 0) + fid)
    f.report("CREATE, WRITE and READ of 200000 bytes, CLOSE, all in "
             "transforms: the same bytes back",
             ok and r["status"] == 0 and f.sealed, hex(r["status"]))
    # A related chain in one transform, answered in one.
    F = b"\xff" * 16
    base = f.mid + f.last_charge
    c1 = pad8(header(CREATE, base, credits=8, sid=f.sid, tid=f.tid) +
              f.create(name, 1, 0x40, access=0x80))
    q2 = pad8(header(0x10, base + 1, credits=8, sid=f.sid, tid=f.tid,
                     flags=4) +
              struct.pack("<HBBIHHIII16s", 41, 1, 5, 24, 0, 0, 0, 0, 0, F))
    c3 = header(6, base + 2, credits=8, sid=f.sid, tid=f.tid, flags=4) + \
        struct.pack("<HHI", 24, 0, 0) + F
    c1 = c1[:20] + struct.pack("<I", len(c1)) + c1[24:]
    q2 = q2[:20] + struct.pack("<I", len(q2)) + q2[24:]
    f.mid, f.last_charge = base + 2, 1
    send_frame(f.s, f.wrap(c1 + q2 + c3))
    fr = f.unwrap(recv_frame(f.s))
    sts, pos, size = [], 0, -1
    while True:
        rr = parse(fr[pos:])
        sts.append(rr["status"])
        if rr["cmd"] == 0x10 and rr["status"] == 0:
            size = struct.unpack_from("<Q", rr["body"], 8 + 8)[0]
        if rr["next"] == 0:
            break
        pos += rr["next"]
    f.report("a related chain CREATE + QUERY_INFO + CLOSE in one "
             "transform: three answers in one, the file's size",
             sts == [0, 0, 0] and f.sealed and size == len(data),
             "%s sealed %s size %d" % (sts, f.sealed, size))
    f.seal = False
    if required:
        r = f.call(ECHO, echo)
        f.report("an ECHO in the clear in a session that encrypts: "
                 "ACCESS_DENIED", r["status"] == 0xc0000022,
                 hex(r["status"]))
    else:
        r = f.call(ECHO, echo)
        f.report("an ECHO in the clear (encryption = enabled): SUCCESS, "
                 "in the clear", r["status"] == 0 and not f.sealed,
                 hex(r["status"]))
        r = f.call(TREE_CONNECT, f.tree_body("sealed"))
        flags = struct.unpack_from("<I", r["body"], 4)[0] \
            if r["status"] == 0 else 0
        f.report("TREE_CONNECT to sealed (smb encrypt = required): "
                 "SHAREFLAG_ENCRYPT_DATA", r["status"] == 0 and
                 flags & 0x8000, "%s flags %x" % (hex(r["status"]), flags))
        f.tid = r["tid"]
        r = f.call(CREATE, f.create(name, 1, 0x40))
        f.report("a CREATE in the clear on sealed: ACCESS_DENIED",
                 r["status"] == 0xc0000022, hex(r["status"]))
    f.report("... and the connection is closed", closed(f.s))
    # A transform changed on the way, and one of no session.
    for what in ("one ciphertext bit changed", "of an unknown session"):
        g = enc_session(d, key, cname)
        if g.s2c is None:
            g.report("a transform %s: setup" % what, False,
                     hex(g.setup_status))
            continue
        m = header(ECHO, g.mid + g.last_charge, sid=g.sid) + echo
        if what.startswith("one"):
            t = bytearray(g.wrap(m))
            t[70] ^= 1
        else:
            g.sid += 1
            t = g.wrap(m)
        send_frame(g.s, bytes(t))
        g.report("a transform %s: the connection is dropped" % what,
                 closed(g.s))


def encless_probe(d, key, required):
    """A session that cannot encrypt (2.1, 3.1.1 without a cipher)."""
    f = enc_session(d, key, None)
    if required:
        f.report("dialect %x without a cipher, encryption = required: "
                 "SESSION_SETUP refused with ACCESS_DENIED" % d,
                 f.setup_status == 0xc0000022, hex(f.setup_status))
        return
    f.report("dialect %x without a cipher: the session is set up" % d,
             f.setup_status == 0 and f.cipher == 0,
             "%s cipher %d" % (hex(f.setup_status), f.cipher))
    r = f.call(TREE_CONNECT, f.tree_body("sealed"))
    f.report("TREE_CONNECT to sealed (smb encrypt = required): "
             "ACCESS_DENIED", r["status"] == 0xc0000022, hex(r["status"]))
    r = f.call(TREE_CONNECT, f.tree_body("export"))
    f.report("TREE_CONNECT to export: SUCCESS", r["status"] == 0,
             hex(r["status"]))


def garbage(n, seed):
    import random
    rnd = random.Random(seed)
    path = "dir\\file".encode("utf-16-le")
    create = header(CREATE, 1, sid=5, tid=1) + struct.pack(
        "<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0, 0x80000000, 0, 7, 1, 0,
        64 + 56, len(path), 0, 0) + path
    setup = header(SESSION_SETUP, 1) + struct.pack(
        "<HBBIIHHQ", 25, 0, 1, 0, 0, 64 + 24, 8, 0) + b"NTLMSSP\0"
    e1 = pad8(header(ECHO, 1, next_cmd=72) + struct.pack("<HH", 4, 0))
    chain = e1 + header(ECHO, 2, flags=4) + struct.pack("<HH", 4, 0)
    templates = [create, setup, chain,
                 header(0x0e, 1, sid=5, tid=1) + b"\x21\0" * 20,
                 header(0x11, 1, sid=5, tid=1) + b"\x21\0" * 20]
    for _ in range(n):
        m = bytearray(rnd.choice(templates))
        for _ in range(rnd.randint(1, 6)):
            m[rnd.randrange(4, len(m))] = rnd.randrange(256)
        if rnd.random() < 0.2:
            m = m[:rnd.randrange(len(m))]
        elif rnd.random() < 0.2:
            m += os.urandom(rnd.randrange(64))
        try:
            s = connect()
            do_negotiate(s, [0x202, 0x210, 0x300, 0x302, 0x311], credits=8)
            send_frame(s, bytes(m))
            s.settimeout(0.3)
            try:
                recv_frame(s)
            except (socket.timeout, EOFError, ConnectionResetError):
                pass
            s.close()
        except (EOFError, ConnectionResetError, BrokenPipeError):
            pass
    s = connect()
    r = do_negotiate(s, [0x311])
    print("ALIVE" if r["status"] == 0 else "STATUS 0x%x" % r["status"])


CHANGE_NOTIFY = 0x0f
NOTIFY_NAMES = 0x3          # FILE_NOTIFY_CHANGE_FILE_NAME | DIR_NAME
ST_PENDING, ST_CLEANUP, ST_ENUM_DIR = 0x103, 0x10b, 0x10c


class NotifyProbe(LockProbe):
    """A session through gssd-stub.py with its keys, for CHANGE_NOTIFY."""

    def login_keys(self, cname=None):
        self.setup_only = True
        if self.dialect == 0x311:
            self.offer = [CIPHERS[cname]] if cname else None
        self.run()
        self.seal = cname is not None
        r = self.call(TREE_CONNECT, self.tree_body("export"), sign=True)
        self.tid = r["tid"]
        return r["status"]

    def msg(self, cmd, body, sign=True, flags=0, mid=None):
        """A request sent, not waited for: its message id."""
        if mid is None:
            self.mid += self.last_charge
            self.last_charge = 1
            mid = self.mid
        m = header(cmd, mid, credits=32, sid=self.sid, tid=self.tid,
                   flags=flags | (8 if sign and self.signkey else 0)) + body
        if sign and self.signkey:
            m = m[:48] + mac(self.alg, self.signkey, m) + m[64:]
        send_frame(self.s, self.wrap(m) if self.seal else m)
        return mid

    def get(self):
        """The next response: parsed, with async_id, sealed, sigok."""
        raw = self.unwrap(recv_frame(self.s))
        r = parse(raw)
        r["async_id"] = struct.unpack_from("<Q", raw, 32)[0]
        r["sealed"] = self.sealed
        r["sigok"] = bool(r["flags"] & 8) and self.signkey is not None and \
            raw[48:64] == mac(self.alg, self.signkey, raw[:r["next"]]
                              if r["next"] else raw)
        return r

    def opendir(self, name, access=0x1 | 0x80 | 0x100000, disp=3,
                options=1):
        n = name.encode("utf-16-le")
        body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0, access,
                           0x10, 7, disp, options, 64 + 56, len(n), 0,
                           0) + n
        r = self.call(CREATE, body, sign=bool(self.signkey))
        return r["status"], self.fid(r) if r["status"] == 0 else None

    def notify(self, fid, outlen=4096, filt=NOTIFY_NAMES, flags=0,
               sign=True):
        return self.msg(CHANGE_NOTIFY, struct.pack("<HHI16sII", 32, flags,
                                                   outlen, fid, filt, 0),
                        sign=sign)

    def chain(self, msgs):
        """A compound of (cmd, body, flags), signed or sealed as the
        session is: the first message id."""
        base = self.mid + self.last_charge
        frame = b""
        for i, (cmd, body, flags) in enumerate(msgs):
            sign = self.signkey is not None and not self.seal
            m = header(cmd, base + i, credits=8, sid=self.sid, tid=self.tid,
                       flags=flags | (8 if sign else 0)) + body
            if i + 1 < len(msgs):
                m = pad8(m)
                m = m[:20] + struct.pack("<I", len(m)) + m[24:]
            if sign:
                m = m[:48] + mac(self.alg, self.signkey, m) + m[64:]
            frame += m
        self.mid, self.last_charge = base + len(msgs) - 1, 1
        send_frame(self.s, self.wrap(frame) if self.seal else frame)
        return base

    def cancel_async(self, async_id):
        h = bytearray(header(CANCEL, 0, credits=0, sid=self.sid, flags=2))
        h[32:40] = struct.pack("<Q", async_id)
        m = bytes(h) + struct.pack("<HH", 4, 0)
        send_frame(self.s, self.wrap(m) if self.seal else m)

    def mkfile(self, name):
        st, f = self.open(name, disp=5)
        if f is not None:
            self.close(f)
        return st


def notify_entries(r):
    """FILE_NOTIFY_INFORMATION entries of a response: [(action, name)]."""
    b = r["body"]
    if r["status"] != 0 or len(b) < 8:
        return []
    (off, ln) = struct.unpack_from("<HI", b, 2)
    buf, pos, out = b[off - 64:off - 64 + ln], 0, []
    while pos + 12 <= len(buf):
        (nxt, action, nl) = struct.unpack_from("<III", buf, pos)
        out.append((action, buf[pos + 12:pos + 12 + nl].decode("utf-16-le")))
        if nxt == 0:
            break
        pos += nxt
    return out


def notify_steps(d, key, cname):
    """CHANGE_NOTIFY through gssd-stub.py's sessions (see the usage)."""
    a = NotifyProbe(connect(), d, key)
    b = NotifyProbe(connect(), d, key)
    tag = "%x%s" % (d, "-" + cname if cname else "")

    def eq(name, got, want):
        a.report(name, got == want, "%r, want %r" % (got, want))
    eq("session A (signed%s)" % (", sealed" if cname else ""),
       a.login_keys(cname), 0)
    eq("session B", b.login(), 0)
    top = "nd-" + tag
    st, dfid = a.opendir(top)
    eq("A opens the directory %s" % top, st, 0)
    # Pending, then completed by B's CREATE.
    mid = a.notify(dfid)
    r = a.get()
    aid = r["async_id"]
    eq("CHANGE_NOTIFY: interim STATUS_PENDING, async, an AsyncId",
       (hex(r["status"]), bool(r["flags"] & 2), aid != 0, r["mid"] == mid),
       (hex(ST_PENDING), True, True, True))
    eq("B creates %s\\f1" % top, b.mkfile(top + "\\f1"), 0)
    r = a.get()
    eq("... completes it: SUCCESS, the same AsyncId, ADDED f1",
       (hex(r["status"]), r["async_id"] == aid, r["mid"] == mid,
        notify_entries(r)), ("0x0", True, True, [(1, "f1")]))
    if cname:
        eq("... sealed as its request was", r["sealed"], True)
    else:
        eq("... signed as its request was", r["sigok"], True)
    # A rename in the directory: OLD then NEW.
    a.notify(dfid)
    r = a.get()
    st, f = b.open(top + "\\f1", access=0x10080, disp=1)
    nn = (top + "\\f2").encode("utf-16-le")
    rn = struct.pack("<B7sQI", 0, b"\0" * 7, 0, len(nn)) + nn
    si = struct.pack("<HBBIHHI16s", 33, 1, 10, len(rn), 64 + 32, 0, 0,
                     f or b"\0" * 16) + rn
    st2 = b.call(0x11, si)["status"]
    if f is not None:
        b.close(f)
    eq("B renames f1 to f2", (st, st2), (0, 0))
    r = a.get()
    eq("... RENAMED_OLD_NAME f1, RENAMED_NEW_NAME f2",
       (hex(r["status"]), notify_entries(r)), ("0x0", [(4, "f1"), (5, "f2")]))
    # FILE_NAME reports files' names, DIR_NAME directories'; the first
    # request's filter is the open's (MS-SMB2 3.3.1.x), so each has an
    # open of its own.
    kinds = top + "-kinds"
    st, kfid = a.opendir(kinds)
    a.notify(kfid or b"\0" * 16, filt=0x1)
    a.get()
    st2, sfid = b.opendir(kinds + "\\sub", disp=2)
    if sfid is not None:
        b.close(sfid)
    st3 = b.mkfile(kinds + "\\file")
    r = a.get()
    eq("FILE_NAME alone; B makes a directory, then a file: ADDED file only",
       (st, st2, st3, hex(r["status"]), notify_entries(r)),
       (0, 0, 0, "0x0", [(1, "file")]))
    st, k2fid = a.opendir(kinds)
    a.notify(k2fid or b"\0" * 16, filt=0x2)
    a.get()
    st2 = b.mkfile(kinds + "\\file2")
    st3, sfid = b.opendir(kinds + "\\sub2", disp=2)
    if sfid is not None:
        b.close(sfid)
    r = a.get()
    eq("DIR_NAME alone on another open; B makes a file, then a directory: "
       "ADDED sub2 only", (st, st2, st3, hex(r["status"]), notify_entries(r)),
       (0, 0, 0, "0x0", [(1, "sub2")]))
    # A later request's filter is ignored: the first open still reports
    # files only (file2, kept meanwhile), then file3, not sub3.
    a.notify(kfid or b"\0" * 16, filt=0x3)
    r = a.get()
    eq("the FILE_NAME open asked again with FILE_NAME|DIR_NAME: file2, "
       "kept", (hex(r["status"]), notify_entries(r)), ("0x0", [(1, "file2")]))
    a.notify(kfid or b"\0" * 16, filt=0x3)
    a.get()
    st, sfid = b.opendir(kinds + "\\sub3", disp=2)
    if sfid is not None:
        b.close(sfid)
    st2 = b.mkfile(kinds + "\\file3")
    r = a.get()
    eq("... B makes sub3, then file3: ADDED file3 only (the first filter "
       "holds)", (st, st2, hex(r["status"]), notify_entries(r)),
       (0, 0, "0x0", [(1, "file3")]))
    for f in (kfid, k2fid):
        if f is not None:
            a.close(f)
    # Changes while no request waits: kept, returned at once.
    eq("B creates g1 and g2 while A has no request waiting",
       (b.mkfile(top + "\\g1"), b.mkfile(top + "\\g2")), (0, 0))
    a.notify(dfid)
    r = a.get()
    eq("... the next CHANGE_NOTIFY returns both at once (not PENDING)",
       (hex(r["status"]), bool(r["flags"] & 2), notify_entries(r)),
       ("0x0", False, [(1, "g1"), (1, "g2")]))
    # A change larger than OutputBufferLength: ENUM_DIR.
    a.notify(dfid, outlen=8)
    r = a.get()
    b.mkfile(top + "\\h1")
    r = a.get()
    eq("OutputBufferLength 8, then a change: NOTIFY_ENUM_DIR",
       hex(r["status"]), hex(ST_ENUM_DIR))
    # More than [smbd] notify buffer size (1024) kept: ENUM_DIR.
    for i in range(30):
        b.mkfile(top + "\\overflow-name-%02d" % i)
    a.notify(dfid)
    r = a.get()
    eq("30 creates kept past notify buffer size: NOTIFY_ENUM_DIR at once",
       hex(r["status"]), hex(ST_ENUM_DIR))
    # The first request's OutputBufferLength sizes what a watch keeps:
    # 1 byte, so every change is lost and every request ENUM_DIR.
    st, cfid = a.opendir(top)
    a.notify(cfid or b"\0" * 16, outlen=1)
    a.get()
    b.mkfile(top + "\\cap1")
    r1 = a.get()
    a.notify(cfid or b"\0" * 16)
    a.get()
    b.mkfile(top + "\\cap2")
    r2 = a.get()
    eq("a watch whose first request had 1 byte: ENUM_DIR, and again for "
       "a request of 4096 bytes", (st, hex(r1["status"]), hex(r2["status"])),
       (0, hex(ST_ENUM_DIR), hex(ST_ENUM_DIR)))
    if cfid is not None:
        a.close(cfid)
    a.notify(dfid)
    r = a.get()
    eq("... the first watch of the directory kept both: ADDED cap1, cap2",
       (hex(r["status"]), notify_entries(r)),
       ("0x0", [(1, "cap1"), (1, "cap2")]))
    # A file's own record changed through B's open: MODIFIED (an open
    # of its own: the first request's filter is an open's).
    st0, rfid = a.opendir(top)
    a.notify(rfid or b"\0" * 16, filt=0x10 | 0x8)
    a.get()
    st, f = b.open(top + "\\f2", disp=1)
    si = struct.pack("<HBBIHHI16s", 33, 1, 20, 8, 64 + 32, 0, 0,
                     f or b"\0" * 16) + struct.pack("<Q", 100)
    st2 = b.call(0x11, si)["status"]
    r = a.get()
    if f is not None:
        b.close(f)
    eq("LAST_WRITE|SIZE, and B sets f2's end of file: MODIFIED f2",
       (st0, st, st2, hex(r["status"]), notify_entries(r)),
       (0, 0, 0, "0x0", [(3, "f2")]))
    if rfid is not None:
        a.close(rfid)
    # A file's first WRITE sets its ARCHIVE (MS-FSA 2.1.4.17) through
    # blockd, whose note comes after the WRITE's answer: the file's
    # CLOSE waits for it, so that a CHANGE_NOTIFY after that CLOSE, in
    # one compound with them too, finds its MODIFIED kept (smbtorture
    # smb2.notify.valid-req closes a written file and asks at once).
    wd = top + "-write"
    attrs = 0x4 | 0x8 | 0x10       # ATTRIBUTES, SIZE, LAST_WRITE
    st0, wfid = a.opendir(wd)
    st1, wf = a.open(wd + "\\w1", disp=5)
    wfid, wf = wfid or b"\0" * 16, wf or b"\0" * 16
    a.notify(wfid, filt=attrs)
    r = a.get()
    a.cancel_async(r["async_id"])
    r2 = a.get()
    eq("a watch of %s (ATTRIBUTES|SIZE|LAST_WRITE) made, its request "
       "cancelled; w1 open for writing" % wd,
       (st0, st1, hex(r["status"]), hex(r2["status"])),
       (0, 0, hex(ST_PENDING), hex(0xc0000120)))
    a.chain([(WRITE, struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, 4, 0, wf, 0,
                                 0, 0, 0, 0) + b"data", 0),
             (CLOSE, struct.pack("<HHI", 24, 0, 0) + wf, 0),
             (CHANGE_NOTIFY, struct.pack("<HHI16sII", 32, 0, 4096, wfid,
                                         attrs, 0), 0)])
    raw = a.unwrap(recv_frame(a.s))
    rs = [parse(raw)]
    while rs[-1]["next"] and len(rs) < 3:
        raw = raw[rs[-1]["next"]:]
        rs.append(parse(raw))
    got = [hex(x["status"]) for x in rs]
    if got[-1] == hex(ST_PENDING):
        got.append(notify_entries(a.get()))
    else:
        got.append(notify_entries(rs[-1]))
    eq("WRITE w1 (its first), CLOSE, CHANGE_NOTIFY in one compound: the "
       "CHANGE_NOTIFY answered at once, MODIFIED w1", got,
       ["0x0", "0x0", "0x0", [(3, "w1")]])
    a.close(wfid)
    # CANCEL by AsyncId.
    mid = a.notify(dfid)
    r = a.get()
    a.cancel_async(r["async_id"])
    r2 = a.get()
    eq("CANCEL: STATUS_CANCELLED, its AsyncId",
       (hex(r2["status"]), r2["async_id"] == r["async_id"] != 0,
        r2["mid"] == mid), (hex(0xc0000120), True, True))
    # A CANCEL and an ECHO in one write: the CANCELLED answer comes
    # first, as the requests came (smbtorture's smb2.session.expire2e).
    mid = a.notify(dfid)
    r = a.get()
    sock, held = a.s, []
    a.s = HeldSend(held)
    a.cancel_async(r["async_id"])
    em = a.msg(ECHO, struct.pack("<HH", 4, 0))
    a.s = sock
    sock.sendall(b"".join(held))
    r1 = a.get()
    r2 = a.get()
    eq("CANCEL then ECHO in one write: STATUS_CANCELLED first",
       (hex(r1["status"]), r1["mid"] == mid, r2["mid"] == em),
       (hex(0xc0000120), True, True))
    # [smbd] pending notifies per connection (4).
    for i in range(4):
        a.notify(dfid)
        a.get()
    a.notify(dfid)
    r = a.get()
    eq("a fifth waiting CHANGE_NOTIFY: INSUFFICIENT_RESOURCES",
       hex(r["status"]), hex(0xc000009a))
    # CLOSE ends the four with NOTIFY_CLEANUP.
    cm = a.msg(CLOSE, struct.pack("<HHI", 24, 0, 0) + dfid)
    got = {}
    for i in range(5):
        r = a.get()
        got.setdefault(hex(r["status"]), 0)
        got[hex(r["status"])] += 1
        if r["mid"] == cm:
            got["close"] = hex(r["status"])
    eq("CLOSE: SUCCESS, and the four waiting end NOTIFY_CLEANUP", got,
       {"0x0": 1, "close": "0x0", hex(ST_CLEANUP): 4})
    # Bad requests.
    st, ffid = a.open(top + "\\f2", access=0x80, disp=1)
    a.notify(ffid or b"\0" * 16)
    eq("CHANGE_NOTIFY on a file: INVALID_PARAMETER", hex(a.get()["status"]),
       hex(0xc000000d))
    a.close(ffid or b"\0" * 16)
    st, dfid = a.opendir(top)
    a.notify(dfid, filt=0)
    eq("a CompletionFilter of 0: INVALID_PARAMETER", hex(a.get()["status"]),
       hex(0xc000000d))
    a.notify(dfid, outlen=8388608 + 1)
    eq("OutputBufferLength above MaxTransactSize: INVALID_PARAMETER",
       hex(a.get()["status"]), hex(0xc000000d))
    a.close(dfid)
    st, nfid = a.opendir(top, access=0x80)
    a.notify(nfid or b"\0" * 16)
    eq("a directory opened without FILE_LIST_DIRECTORY: ACCESS_DENIED",
       (st, hex(a.get()["status"])), (0, hex(0xc0000022)))
    a.close(nfid or b"\0" * 16)
    # The watched directory removed by B: DELETE_PENDING, then at once.
    gone = top + "-gone"
    st, gfid = a.opendir(gone)
    a.notify(gfid or b"\0" * 16)
    a.get()
    st2, bfid = b.opendir(gone, access=0x10081, disp=1, options=0x1001)
    st3 = b.close(bfid) if bfid else None
    r = a.get()
    a.notify(gfid or b"\0" * 16)
    r2 = a.get()
    eq("B removes the watched directory (delete on close): the waiting "
       "request and the next end DELETE_PENDING",
       (st, st2, st3, hex(r["status"]), hex(r2["status"])),
       (0, 0, 0, hex(0xc0000056), hex(0xc0000056)))
    a.close(gfid or b"\0" * 16)
    # A related compound: CREATE of the directory, CHANGE_NOTIFY of it.
    n = top.encode("utf-16-le")
    a.chain([(CREATE, struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0,
                                  0x100081, 0x10, 7, 1, 1, 64 + 56, len(n),
                                  0, 0) + n, 0),
             (CHANGE_NOTIFY, struct.pack("<HHI16sII", 32, 0, 4096,
                                         b"\xff" * 16, NOTIFY_NAMES, 0), 4)])
    raw = a.unwrap(recv_frame(a.s))
    r1 = parse(raw)
    r2 = parse(raw[r1["next"]:]) if r1["next"] else {"status": None,
                                                     "flags": 0}
    cfid = r1["body"][64:80]
    eq("a related CREATE + CHANGE_NOTIFY: SUCCESS, then PENDING (async) in "
       "the compound response", (hex(r1["status"]), hex(r2["status"] or 0),
                                 bool(r2["flags"] & 2)),
       ("0x0", hex(ST_PENDING), True))
    b.mkfile(top + "\\c1")
    r = a.get()
    eq("... completed by B's CREATE of c1", (hex(r["status"]),
                                            notify_entries(r)),
       ("0x0", [(1, "c1")]))
    # CHANGE_NOTIFY + CLOSE asking for attributes (from blockd) in one
    # chain: a CHANGE_NOTIFY that would wait, not the last of its chain,
    # is INTERNAL_ERROR as Windows answers it (MS-SMB2 3.3.5.2.7), and
    # the CLOSE after it is served in the same frame.
    base = a.chain([(CHANGE_NOTIFY, struct.pack("<HHI16sII", 32, 0, 4096,
                                                cfid, NOTIFY_NAMES, 0), 0),
                    (CLOSE, struct.pack("<HHI", 24, 1, 0) + cfid, 0)])
    raw = a.unwrap(recv_frame(a.s))
    r1 = parse(raw)
    r2 = parse(raw[r1["next"]:]) if r1["next"] else {"status": None,
                                                     "mid": None}
    eq("CHANGE_NOTIFY + CLOSE (POSTQUERY_ATTRIB) in one chain: "
       "INTERNAL_ERROR for the CHANGE_NOTIFY, then the CLOSE, in one frame",
       (r1["mid"] == base, hex(r1["status"]), r2["mid"] == base + 1,
        hex(r2["status"] or 0)),
       (True, hex(0xc00000e5), True, "0x0"))


def notify_watch(d, key, name, n, tree=False, filt=NOTIFY_NAMES):
    """Watch a directory for names until n changes came (see the usage)."""
    a = NotifyProbe(connect(), d, key)
    a.login()
    st, dfid = a.opendir(name)
    if st != 0:
        print("FAIL open 0x%x" % st)
        return
    seen, said = 0, False
    while seen < n:
        a.notify(dfid, flags=1 if tree else 0, filt=filt, sign=False)
        r = a.get()
        if r["status"] == ST_PENDING:
            if not said:
                print("PENDING")
                sys.stdout.flush()
                said = True
            a.s.settimeout(60)
            r = a.get()
        ents = notify_entries(r)
        print("NOTIFY 0x%x %s" % (r["status"], " ".join(
            "%d:%s" % e for e in ents)))
        sys.stdout.flush()
        seen += max(len(ents), 1)
    print("DONE")


def midsend():
    import time
    s = connect()
    s.settimeout(60)
    do_negotiate(s, [0x202, 0x210, 0x300, 0x302, 0x311])
    frame = struct.pack(">I", 512 * 1024) + header(9, 1) + \
        os.urandom(512 * 1024 - 64)
    s.sendall(frame[:65536])
    print("PARTIAL", flush=True)
    sys.stdin.readline()
    sent = 65536
    try:
        while sent < len(frame):
            s.sendall(frame[sent:sent + 16384])
            sent = min(sent + 16384, len(frame))
            time.sleep(0.005)
        while s.recv(65536):
            pass
    except OSError as e:
        print("MIDSEND RESET %s %d" % (type(e).__name__, sent))
        return
    print("MIDSEND SENT EOF")


def multichannel_steps(d, key):
    """MS-SMB2 3.3.5.5 (a bind adds channel B to channel A's session),
    3.3.5.2.9 (the session, its tree and opens reached from either),
    3.3.4.7 (a lease break on a live channel), 3.3.7.1 (a channel that
    goes leaves the session to the others): 3.0, stub gssd, one key."""
    guid = os.urandom(16)
    a = LockProbe(connect(), d, key)
    a.client_guid = guid
    b = LockProbe(connect(), d, key)

    def eq(name, got, want):
        a.report(name, got == want, "%r, expected %r" % (got, want))

    def status(r):
        return r["status"] if r is not None else None

    def leased_open(p, who, name, lk):
        """name made anew on p with an RWH lease of key lk: its FileId."""
        r = create_with(p, name, [lease_ctx(d, lk, 7)], disp=5,
                        oplock=0xff)
        eq("%s opens %s with an RWH lease" % (who, name),
           (r["status"], lease_of(r)), (0, (7, 1)))
        return p.fid(r) if r["status"] == 0 else b"\xff" * 16

    def recv_within(p):
        """What comes to p within 5 seconds, or None."""
        p.s.settimeout(5)
        try:
            n = p.recv()
        except (socket.timeout, OSError):
            n = None
        p.s.settimeout(10)
        return n

    def bind(p):
        """NEGOTIATE on p, then a bind to a's session signed with its
        key (3.0: the stub's key gives the channel the same): the
        capabilities, the SESSION_SETUPs' answers."""
        send_frame(p.s, header(NEGOTIATE, 0, credits=32) +
                   negotiate_body([d], None, guid))
        r = parse(recv_frame(p.s))
        p.last_charge = 1
        p.sid, p.tid = a.sid, a.tid
        p.alg = 1
        p.signkey = kdf(key, b"SMB2AESCMAC\0", b"SmbSign\0")
        tok = b"\x60\x02any"
        body = struct.pack("<HBBIIHHQ", 25, 1, 1, 0, 0, 64 + 24, len(tok),
                           0)
        legs = [p.call(SESSION_SETUP, body + tok, sign=True)]
        if legs[0]["status"] == 0xc0000016:
            legs.append(p.call(SESSION_SETUP, body + tok, sign=True))
        return struct.unpack_from("<I", r["body"], 24)[0], legs

    def lease_break_on(p, name, lk, want):
        """Another client's CREATE of name for writing: the lease break
        p gets, its acknowledgment, then that CREATE's status."""
        q = LockProbe(connect(), d, key)
        eq("another client's session, to open %s" % name, q.login(), 0)
        q.send(CREATE, q.create_body(name, access=0x40000000))
        n = recv_within(p)
        lb = lease_break_of(n) if n is not None else None
        eq(want, (n and n["cmd"], n and n["mid"], lb and lb[3]),
           (OPLOCK_BREAK, 0xFFFFFFFFFFFFFFFF, lk))
        if lb is not None:
            eq("... acknowledged there (%s)" % name,
               lease_ack(p, lk, lb[5]), (0, lb[5]))
        q.s.settimeout(5)
        try:
            r = final(q)
        except (socket.timeout, OSError):
            r = None
        eq("then the other client's CREATE of %s succeeds" % name,
           status(r), 0)
        return q

    eq("channel A: a session", a.login(), 0)
    caps, legs = bind(b)
    eq("NEGOTIATE on channel B offers SMB2_GLOBAL_CAP_MULTI_CHANNEL",
       bool(caps & 0x8), True)
    eq("channel B binds to A's session (SMB2_SESSION_FLAG_BINDING)",
       [hex(x["status"]) for x in legs], ["0xc0000016", "0x0"])
    eq("... its last answer a success signed with the channel's key",
       legs[-1]["status"] == 0 and bool(legs[-1]["flags"] & 8) and
       b.raw[48:64] == mac(1, b.signkey, b.raw), True)
    lk = bytes(range(0x20, 0x30))
    fa = leased_open(a, "A", "mc.bin", lk)
    data = b"written on channel A, read on B"
    w = a.call(WRITE, struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(data),
                                  0, fa, 0, 0, 0, 0, 0) + data)
    rd = b.call(READ, struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, len(data), 0,
                                  fa, 0, 0, 0, 0, 0, 0))
    eq("a WRITE on channel A and a READ on channel B of the same open "
       "agree", (w["status"], rd["status"], rd["body"][16:16 + len(data)]),
       (0, 0, data))
    # A directory watched by a CHANGE_NOTIFY that waits on channel A.
    r = create_with(a, "mcdir", [], access=0x1 | 0x80 | 0x100000, disp=3,
                    options=1)
    fd = a.fid(r) if r["status"] == 0 else b"\xff" * 16
    a.send(CHANGE_NOTIFY, struct.pack("<HHI16sII", 32, 0, 4096, fd, 0x3, 0))
    r = a.recv()
    eq("A's CHANGE_NOTIFY of mcdir waits (STATUS_PENDING)",
       (r["status"], r["cmd"]), (0x103, CHANGE_NOTIFY))
    a.s.close()
    time.sleep(0.5)
    rd = b.call(READ, struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, len(data), 0,
                                  fa, 0, 0, 0, 0, 0, 0))
    eq("channel A closed: the session, its tree and the open stay on B",
       (rd["status"], rd["body"][16:16 + len(data)]), (0, data))
    c = lease_break_on(b, "mc.bin", lk, "its CREATE breaks the lease of "
                       "the open made on A on the surviving channel B")
    eq("the other client makes mcdir\\new", c.open("mcdir\\new",
                                                    disp=5)[0], 0)
    n = recv_within(b)
    eq("A's waiting CHANGE_NOTIFY is answered on channel B",
       (n and n["cmd"], n and n["status"]), (CHANGE_NOTIFY, 0))
    eq("B closes the open made on A", b.close(fa), 0)
    # An open made on a third channel E, E closed: its break goes on B.
    e = LockProbe(connect(), d, key)
    eq("channel E binds to the session, now B's",
       [hex(x["status"]) for x in bind(e)[1]], ["0xc0000016", "0x0"])
    lk2 = bytes(range(0x30, 0x40))
    fe = leased_open(e, "E", "mc2.bin", lk2)
    e.s.close()
    time.sleep(0.5)
    lease_break_on(b, "mc2.bin", lk2, "E closed: a CREATE breaks the "
                   "lease of the open made on E on channel B")
    eq("B closes the open made on E", b.close(fe), 0)
    r = b.call(LOGOFF, struct.pack("<HH", 4, 0))
    eq("LOGOFF on B ends the session", r["status"], 0)
    r = b.call(ECHO, struct.pack("<HH", 4, 0))
    r = b.call(READ, struct.pack("<HBBIQ16sIIIHHB", 49, 0, 0, 1, 0, fa, 0,
                                 0, 0, 0, 0, 0))
    eq("... and a request in it is USER_SESSION_DELETED", hex(r["status"]),
       "0xc0000203")


def main():
    if CMD == "midsend":
        midsend()
        return
    if CMD == "garbage":
        garbage(int(ARGS[0]), int(ARGS[1]))
        return
    if CMD == "locks":
        lock_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "hold":
        hold(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2], ARGS[3],
             ARGS[4:])
        return
    if CMD == "oplocks":
        oplock_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "leases":
        lease_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "multichannel":
        multichannel_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "notify":
        notify_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]),
                     ARGS[2] if len(ARGS) > 2 else None)
        return
    if CMD == "dirlease":
        dirlease_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "dirwait":
        dirlease_wait(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "watch":
        how = ARGS[4] if len(ARGS) > 4 else ""
        # FILE_NOTIFY_CHANGE_ATTRIBUTES, _SIZE and _LAST_WRITE
        notify_watch(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
                     int(ARGS[3]), how == "tree", NOTIFY_NAMES |
                     (0x1c if how == "attrs" else 0))
        return
    if CMD == "leaseclient":
        lease_client(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "leaseshare":
        lease_sharing(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD in ("leaselimit", "oplocklimit"):
        lease_limit(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), int(ARGS[2]),
                    CMD == "leaselimit")
        return
    if CMD == "locklimit":
        lock_limits(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), int(ARGS[2]))
        return
    if CMD == "supersede":
        supersede_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "cctx":
        cctx_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "info":
        info_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        return
    if CMD == "mxac":
        mxac(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
             ARGS[3] if len(ARGS) > 3 else "",
             ARGS[4] if len(ARGS) > 4 else "")
        return
    if CMD == "mkpub":
        mkpub(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "appinst":
        app_instance(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
                     ARGS[3], ARGS[4] if len(ARGS) > 4 else None,
                     tuple(ARGS[5:7]) if len(ARGS) > 6 else ("-", "-"))
        return
    if CMD == "secd":
        secd(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2], int(ARGS[3]))
        return
    if CMD == "streams":
        stream_steps(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "durable":
        durable_open(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
                     ARGS[3], int(ARGS[4]) if len(ARGS) > 4 else 0)
        return
    if CMD == "resilient":
        resilient_open(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
                       int(ARGS[3]))
        return
    if CMD == "resreconnect":
        resilient_reconnect(int(ARGS[0], 16), bytes.fromhex(ARGS[1]),
                            ARGS[2], bytes.fromhex(ARGS[3]))
        return
    if CMD == "reconnect":
        durable_reconnect(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
                          ARGS[3], bytes.fromhex(ARGS[4]),
                          bytes.fromhex(ARGS[5]), ARGS[6:7] == ["keep"])
        return
    if CMD == "durbreak":
        durable_break(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "replay":
        replay(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "durcorners":
        durable_corners(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "denyopen":
        deny_open(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "exists":
        exists(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "nodurable":
        no_durable(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2])
        return
    if CMD == "trylock":
        trylock(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
                int(ARGS[3]), int(ARGS[4]))
        return
    if CMD == "enc":
        enc_probe(int(ARGS[0], 16), bytes.fromhex(ARGS[1]), ARGS[2],
                  ARGS[3:4] == ["required"])
        return
    if CMD == "encless":
        encless_probe(int(ARGS[0], 16), bytes.fromhex(ARGS[1]),
                      ARGS[2:3] == ["required"])
        return
    if CMD == "krb5":
        KrbSession(connect(), int(ARGS[0], 16), None).krb5(ARGS[1:])
        return
    if CMD in ("files", "opens"):
        s = connect()
        f = Files(s, int(ARGS[0], 16), bytes.fromhex(ARGS[1]))
        if CMD == "opens":
            f.limit = int(ARGS[2])
        f.run()
        return
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
            # The mechanisms the hint names: Kerberos (1.2.840.113554.
            # 1.2.2), NTLMSSP (1.3.6.1.4.1.311.2.2.10).
            kinds = [k for k, oid in (
                ("krb5", b"\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"),
                ("ntlmssp", b"\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a"))
                if oid in hint]
            out = "STATUS 0x0 DIALECT %x SECMODE %d CTX %s SIGN %s HINT %s" % (
                dialect, mode, ",".join(ctx) or "-", sign,
                ",".join(kinds) if kinds and hint[:1] == b"\x60" else "none")
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
