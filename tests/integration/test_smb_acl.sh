#!/bin/bash
# Integration: SMB security descriptors on the store's ACL (smbd/secdesc.c,
# smbd/security.c) and DOS attributes, in a private network namespace,
# through dittofs-gssd with users of its database.  smbcacls lists a
# file's descriptor (owner S-1-22-1-UID, group S-1-22-2-GID, the mode's
# ACL as OWNER RIGHTS / CREATOR GROUP / Everyone ACEs) and adds a DENY
# ACE for S-1-22-1-1000; NFSv4's acl attribute then shows that ACE
# (tests/clients/nfs4probe.py getacl), NFSv3 WRITE as uid 1000 is
# refused while uid 1001 still writes, and a user who is not root
# cannot give the file away; root gives it an owner and a group that
# are no Unix ids (S-1-1-0, S-1-5-32-545), kept beside the numeric
# ones that NFSv3 shows, and an NFSv3 chown puts the Unix owner back.
# Share traverse bypasses traverse checking for SMB callers: uid 1000
# reads a file under a directory only root may search, which export
# refuses.  ACEs for Windows SIDs that name no Unix id
# (SYSTEM, a domain user, Authenticated Users) are kept: smbcacls lists
# them back, NFSv4's acl attribute shows them by their string form, an
# NFSv4 SETATTR of that ACL keeps them, and a DENY for Authenticated
# Users refuses an NFSv3 WRITE by a user but not by the anonymous uid
# (common/acl.h's rule, one for every protocol).  smbclient's setmode
# sets hidden and read-only, `ls' shows them, and they go again.
# smbtorture's smb2.sdread, smb2.getinfo.qsec_buffercheck and
# smb2.setinfo, where installed, smb2.acls (CREATE's DesiredAccess
# checked against the ACL) and smb2.compound.related4 and related7 as a
# user who is not root, and a CREATE with a SecD context
# (smb2.create.aclfile).  ACL_PROBE="suite.test ..." (ACL_PROBE_USERS,
# ACL_PROBE_FULL) runs more subtests and reports them as diagnostics.
set -u
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

suite_need_root
suite_in_netns "$0" "$@"
suite_users
SUITE_WITH="nfsd smbd"
suite_setup
P=2049
M=20048
S=445	# smbcacls has no port option
sed -i '/^\[share export\]$/a root squash = no' "$SUITE_CONF"
cat >> "$SUITE_CONF" <<CONF

[nfsd]
port = $P
mount port = $M

[smbd]
port = $S

[run]
restart delay max = 2

# smb2.acls.ACCESSBASED's share: access-based enumeration.
[share hideunread]
path = /hideunread
insecure = yes
root squash = no
access based enumeration = yes

# SMB callers need no search permission here (Windows' bypass traverse).
[share traverse]
path = /traverse
insecure = yes
root squash = no
smb bypass traverse checking = yes
CONF
if [ ! -x "$SBINDIR/dittofs-gssd" ]; then
	echo "1..0 # SKIP dittofs-gssd is not built (SMB logins)"
	exit 0
fi
if ! command -v smbcacls >/dev/null || ! command -v smbclient >/dev/null; then
	echo "1..0 # SKIP no smbcacls/smbclient (Debian: smbclient)"
	exit 0
fi
# has TEXT REGEX: the text has a line matching the extended regex.
has() { printf '%s\n' "$1" | grep -Eq -- "$2"; }
PROBE4() { PYTHONPATH="$ONCRPC_PYTHONPATH" timeout 30 python3 "$top_srcdir/tests/clients/nfs4probe.py" "$P" "$@"; }
RPCBIND_PID=
if command -v rpcbind >/dev/null; then
	rpcbind -f &
	RPCBIND_PID=$!
	suite_wait 10 sh -c "rpcinfo -p 127.0.0.1" || diag "rpcbind did not start"
fi
trap '[ -n "$RPCBIND_PID" ] && kill "$RPCBIND_PID" 2>/dev/null; suite_cleanup' EXIT

suite_start
check "blockd, gssd, nfsd and smbd come up" suite_wait_ready blockd gssd nfsd smbd
check "smbd connects to gssd" suite_wait 20 sh -c "DITTOFS_SBINDIR=$SBINDIR $CTL -f $SUITE_CONF status smbd | grep -q 'gssd connected'"
check "nfsd answers NFSv4" suite_wait 20 sh -c "PYTHONPATH=$ONCRPC_PYTHONPATH python3 $top_srcdir/tests/clients/nfs4probe.py $P minor 0 | grep -q 'STATUS 0'"
out=$(echo 'Pass-w0rd' | suite_ctl user add smbtest --uid 0 --gid 0 2>&1)
check "dittofsctl user add smbtest (uid 0) ($out)" test "$out" = "user smbtest added"
out=$(echo 'Pass-w0rd' | suite_ctl user add plainuser --uid 1000 --gid 1000 2>&1)
check "dittofsctl user add plainuser (uid 1000) ($out)" test "$out" = "user plainuser added"

SMBC() { timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U "$1" -c "$2" 2>&1; }
CACLS() { local u=$1; shift; timeout 60 smbcacls //127.0.0.1/export -m SMB3 --numeric -U "$u" "$@" 2>&1; }
echo hello > "$SUITE_DIR/acl.txt"
check "smbclient put acl.txt" sh -c "timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U smbtest%Pass-w0rd -c 'put $SUITE_DIR/acl.txt acl.txt' >/dev/null 2>&1"
check "NFSv4 chmod 0666 of acl.txt" test "$(PROBE4 chmod /export/acl.txt 666)" = "CHMOD 0"

out=$(CACLS smbtest%Pass-w0rd acl.txt)
echo "$out" | sed 's/^/# /'
check "smbcacls: self-relative, DACL present (CONTROL 0x8004)" has "$out" '^CONTROL:0x8004$'
check "smbcacls: owner S-1-22-1-0 (uid 0 by the SID rule)" has "$out" '^OWNER:S-1-22-1-0$'
check "smbcacls: group S-1-22-2-0" has "$out" '^GROUP:S-1-22-2-0$'
check "smbcacls: OWNER RIGHTS (OWNER@) allowed read and write data" has "$out" '^ACL:S-1-3-4:0/0x0/0x[0-9a-f]*[37bf]$'
check "smbcacls: Everyone (EVERYONE@) allowed read data" has "$out" '^ACL:S-1-1-0:0/0x0/0x[0-9a-f]*[13579bdf]$'

check "NFSv3 WRITE as uid 1000 before the deny: NFS3_OK" test "$(PROBE4 v3write /export/acl.txt 1000 abc)" = "V3WRITE 0"
check "smbcacls --add a DENY of write and append for S-1-22-1-1000" CACLS smbtest%Pass-w0rd acl.txt --add 'ACL:S-1-22-1-1000:DENIED/0x0/0x00000006'
out=$(CACLS smbtest%Pass-w0rd acl.txt)
echo "$out" | sed 's/^/# /'
check "smbcacls lists the DENY ACE back" has "$out" '^ACL:S-1-22-1-1000:1/0x0/0x00000006$'
acl=$(PROBE4 getacl /export/acl.txt)
diag "NFSv4 acl: $acl"

# nfsd names uid 1000 by the host's passwd when it has it.
u1000=$(getent passwd 1000 | cut -d: -f1)
check "NFSv4 GETATTR acl shows the deny for uid 1000 (type 1, mask 6)" has "$acl" "^ACL (1000|${u1000:-1000}@[^ ]*):1:0:6 EVERYONE@:0:0:12009f GROUP@:0:0:1f OWNER@:0:0:16019f\$"
check "NFSv3 WRITE as uid 1000 after the deny: NFS3ERR_ACCES (13)" test "$(PROBE4 v3write /export/acl.txt 1000 abc)" = "V3WRITE 13"
check "NFSv3 WRITE as uid 1001: still NFS3_OK" test "$(PROBE4 v3write /export/acl.txt 1001 abc)" = "V3WRITE 0"

# The owner: root may give the file away, uid 1000 may not take it.
out=$(CACLS plainuser%Pass-w0rd acl.txt --chown S-1-22-1-1000)
check "smbcacls --chown as uid 1000: refused ($out)" has "$out" 'NT_STATUS_ACCESS_DENIED|NT_STATUS_INVALID_OWNER'
check "smbcacls --chown S-1-22-1-1001 as root" CACLS smbtest%Pass-w0rd acl.txt --chown S-1-22-1-1001
check "smbcacls lists owner S-1-22-1-1001" has "$(CACLS smbtest%Pass-w0rd acl.txt)" '^OWNER:S-1-22-1-1001$'
# An owner or group that names no Unix id (Everyone, BUILTIN\Users):
# root may set it (SeRestorePrivilege's rule), kept beside the numeric
# owner, which NFS still shows; a chown from NFS drops it.
check "smbcacls --chown S-1-1-0 as root" CACLS smbtest%Pass-w0rd acl.txt --chown S-1-1-0
check "smbcacls --chgrp S-1-5-32-545 as root" CACLS smbtest%Pass-w0rd acl.txt --chgrp S-1-5-32-545
out=$(CACLS smbtest%Pass-w0rd acl.txt)
echo "$out" | sed 's/^/# /'
check "smbcacls lists owner S-1-1-0" has "$out" '^OWNER:S-1-1-0$'
check "smbcacls lists group S-1-5-32-545" has "$out" '^GROUP:S-1-5-32-545$'
check "smbcacls: the DENY ACE for uid 1000 is still there" has "$out" '^ACL:S-1-22-1-1000:1/0x0/0x00000006$'
check "NFSv3 GETATTR: the numeric owner and group stay uid 1001, gid 0" test "$(PROBE4 v3getattr /export/acl.txt)" = "V3GETATTR 0 uid 1001 gid 0"
check "NFSv3 WRITE as uid 1000: the ACL still denies it (13)" test "$(PROBE4 v3write /export/acl.txt 1000 abc)" = "V3WRITE 13"
check "NFSv3 SETATTR uid=1001 (a chown to the same owner)" test "$(PROBE4 v3setattr /export/acl.txt uid=1001)" = "V3SETATTR 0"
out=$(CACLS smbtest%Pass-w0rd acl.txt)
check "smbcacls after the NFS chown: owner S-1-22-1-1001 again" has "$out" '^OWNER:S-1-22-1-1001$'
check "smbcacls after the NFS chown: the group SID stays (no chgrp)" has "$out" '^GROUP:S-1-5-32-545$'
# Windows SIDs with no Unix id: kept, shown, and evaluated by the rule.
check "smbcacls --add an ALLOW for S-1-5-18 (SYSTEM) and a DENY for a domain user" CACLS smbtest%Pass-w0rd acl.txt --add 'ACL:S-1-5-18:ALLOWED/0x0/FULL,ACL:S-1-5-21-1004336348-1177238915-682003330-1001:DENIED/0x0/0x00000002'
out=$(CACLS smbtest%Pass-w0rd acl.txt)
echo "$out" | sed 's/^/# /'
check "smbcacls lists the SYSTEM ACE back" has "$out" '^ACL:S-1-5-18:0/0x0/0x001f01ff$'
check "smbcacls lists the domain user's DENY back" has "$out" '^ACL:S-1-5-21-1004336348-1177238915-682003330-1001:1/0x0/0x00000002$'
acl=$(PROBE4 getacl /export/acl.txt)
diag "NFSv4 acl: $acl"
check "NFSv4 GETATTR acl: the SYSTEM ACE, its who the SID" has "$acl" ' S-1-5-18:0:0:1f01ff( |$)'
check "NFSv4 GETATTR acl: the domain user's DENY" has "$acl" ' S-1-5-21-1004336348-1177238915-682003330-1001:1:0:2( |$)'
# An NFSv4 client edits the ACL: EVERYONE@ loses nothing but gains
# nothing either; it sends back every ACE it read, with one more.
set -- ${acl#ACL }
# Its DACL protected by SMB first (SE_DACL_PROTECTED): NFSv4's acl
# attribute cannot say the ACL's flags, so its SETATTR keeps them.
check "smbcacls --inherit copy: the DACL protected" CACLS smbtest%Pass-w0rd acl.txt --inherit copy
check "smbcacls: CONTROL 0x9004 (SE_DACL_PROTECTED)" has "$(CACLS smbtest%Pass-w0rd acl.txt)" '^CONTROL:0x9004$'
check "NFSv4 SETATTR of that ACL plus an ALLOW for uid 1002" test "$(PROBE4 setacl /export/acl.txt "$@" "1002:0:0:1")" = "SETACL 0"
check "after the NFSv4 SETATTR: the DACL still protected (CONTROL 0x9004)" has "$(CACLS smbtest%Pass-w0rd acl.txt)" '^CONTROL:0x9004$'
acl2=$(PROBE4 getacl /export/acl.txt)
diag "NFSv4 acl after the SETATTR: $acl2"
check "after the NFSv4 SETATTR: the SID ACEs are still there" sh -c "printf '%s\n' '$acl2' | grep -q ' S-1-5-18:0:0:1f01ff' && printf '%s\n' '$acl2' | grep -q ' S-1-5-21-1004336348-1177238915-682003330-1001:1:0:2'"
out=$(CACLS smbtest%Pass-w0rd acl.txt)
echo "$out" | sed 's/^/# /'
check "smbcacls after the NFSv4 SETATTR: SYSTEM's ACE" has "$out" '^ACL:S-1-5-18:0/0x0/0x001f01ff$'
check "smbcacls after the NFSv4 SETATTR: the domain user's DENY" has "$out" '^ACL:S-1-5-21-1004336348-1177238915-682003330-1001:1/0x0/0x00000002$'
check "NFSv3 WRITE as uid 1002 (Everyone may write): NFS3_OK" test "$(PROBE4 v3write /export/acl.txt 1002 abc)" = "V3WRITE 0"
# A DENY of write for Authenticated Users before every other ACE.
set -- $(PROBE4 getacl /export/acl.txt)
shift
check "NFSv4 SETATTR: a DENY of write for S-1-5-11 first" test "$(PROBE4 setacl /export/acl.txt "S-1-5-11:1:0:6" "$@")" = "SETACL 0"
check "smbcacls lists the DENY for S-1-5-11" has "$(CACLS smbtest%Pass-w0rd acl.txt)" '^ACL:S-1-5-11:1/0x0/0x00000006$'
check "NFSv3 WRITE as uid 1002, an authenticated user: NFS3ERR_ACCES (13)" test "$(PROBE4 v3write /export/acl.txt 1002 abc)" = "V3WRITE 13"
check "NFSv3 WRITE as the anonymous uid 65534: NFS3_OK" test "$(PROBE4 v3write /export/acl.txt 65534 abc)" = "V3WRITE 0"

# DOS attributes through FileBasicInformation.
check "smbclient setmode acl.txt +hr" sh -c "timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U smbtest%Pass-w0rd -c 'setmode acl.txt +hr' >/dev/null 2>&1"
out=$(SMBC smbtest%Pass-w0rd 'ls acl.txt')
echo "$out" | sed 's/^/# /'
check "ls: acl.txt hidden and read-only" has "$out" '^ +acl\.txt +[A-Z]*(HR|RH)[A-Z]* '
check "smbclient setmode acl.txt -hr" sh -c "timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U smbtest%Pass-w0rd -c 'setmode acl.txt -hr' >/dev/null 2>&1"
out=$(SMBC smbtest%Pass-w0rd 'ls acl.txt')
echo "$out" | sed 's/^/# /'
check "ls: acl.txt neither hidden nor read-only" has "$out" '^ +acl\.txt +[A-GI-QS-Z]* +[0-9]'

# An overwrite refused for its DesiredAccess truncates nothing (MS-FSA
# 2.1.5.1.2.1: the access check comes before the overwrite).  smbclient's
# put opens with FILE_OVERWRITE_IF for GENERIC_READ|GENERIC_WRITE: uid
# 1000 may write keep.txt but not read its EAs.
printf precious > "$SUITE_DIR/keep.txt"
printf x > "$SUITE_DIR/other.txt"
check "smbclient put keep.txt" sh -c "timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U smbtest%Pass-w0rd -c 'put $SUITE_DIR/keep.txt keep.txt' >/dev/null 2>&1"
check "NFSv4 chmod 0666 of keep.txt" test "$(PROBE4 chmod /export/keep.txt 666)" = "CHMOD 0"
check "smbcacls --add a DENY of READ_EA for S-1-22-1-1000" CACLS smbtest%Pass-w0rd keep.txt --add 'ACL:S-1-22-1-1000:DENIED/0x0/0x00000008'
out=$(SMBC plainuser%Pass-w0rd "put $SUITE_DIR/other.txt keep.txt")
echo "$out" | sed 's/^/# /'
check "put over keep.txt as uid 1000: ACCESS_DENIED" has "$out" 'NT_STATUS_ACCESS_DENIED'
out=$(SMBC smbtest%Pass-w0rd 'get keep.txt /dev/stdout' 2>/dev/null)
check "keep.txt still holds its data ($out)" has "$out" '^precious'

# Traverse checking: a file in a directory only root may search (0700)
# is out of uid 1000's reach on export, and reached on the share with
# "smb bypass traverse checking" (Windows' bypass traverse privilege).
for sh in export traverse; do
	check "smbclient mkdir priv, put priv/open.txt on $sh" sh -c "timeout 60 smbclient //127.0.0.1/$sh -p $S -m SMB3 -U smbtest%Pass-w0rd -c 'mkdir priv; put $SUITE_DIR/acl.txt priv/open.txt' >/dev/null 2>&1"
	check "NFSv4 chmod 0644 of $sh's priv/open.txt, 0700 of priv" sh -c "test \"\$(PYTHONPATH=$ONCRPC_PYTHONPATH timeout 30 python3 $top_srcdir/tests/clients/nfs4probe.py $P chmod /$sh/priv/open.txt 644)\" = 'CHMOD 0' && test \"\$(PYTHONPATH=$ONCRPC_PYTHONPATH timeout 30 python3 $top_srcdir/tests/clients/nfs4probe.py $P chmod /$sh/priv 700)\" = 'CHMOD 0'"
done
out=$(timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U plainuser%Pass-w0rd -c 'get priv/open.txt /dev/stdout' 2>&1)
check "export: uid 1000 may not reach priv/open.txt through priv ($out)" has "$out" 'NT_STATUS_ACCESS_DENIED'
out=$(timeout 60 smbclient //127.0.0.1/traverse -p $S -m SMB3 -U plainuser%Pass-w0rd -c 'get priv/open.txt /dev/stdout' 2>&1)
check "traverse: uid 1000 reads priv/open.txt without searching priv ($out)" has "$out" '^hello$'
out=$(timeout 60 smbclient //127.0.0.1/traverse -p $S -m SMB3 -U plainuser%Pass-w0rd -c 'ls priv/*' 2>&1)
check "traverse: listing priv still needs read permission ($out)" has "$out" 'NT_STATUS_ACCESS_DENIED'

# Inheritance without a mode (RFC 8881 6.4.3, MS-DTYP 2.5.3.4): inh
# passes on Everyone's read and CREATOR OWNER's full control; a file an
# SMB CREATE makes in it has those two ACEs alone, CREATOR OWNER's as
# the creator's own SID (uid 0 here), not marked inherited since inh's
# DACL is not SE_DACL_AUTO_INHERITED (smbcacls keeps the control word
# it read), and so do a file and a directory that NFSv4 OPEN and CREATE
# make there without a mode (the directory keeps CREATOR OWNER, OWNER@
# INHERIT_ONLY, for what is made in it).
check "smbclient mkdir inh" sh -c "timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U smbtest%Pass-w0rd -c 'mkdir inh' >/dev/null 2>&1"
check "smbcacls --add Everyone read (OI|CI|IO) and CREATOR OWNER full (OI|CI) to inh" CACLS smbtest%Pass-w0rd inh --add 'ACL:S-1-1-0:ALLOWED/0xb/0x001200a9,ACL:S-1-3-0:ALLOWED/0x3/0x001f01ff'
check "smbclient put inh/child.txt" sh -c "timeout 60 smbclient //127.0.0.1/export -p $S -m SMB3 -U smbtest%Pass-w0rd -c 'put $SUITE_DIR/other.txt inh/child.txt' >/dev/null 2>&1"
out=$(CACLS smbtest%Pass-w0rd inh/child.txt)
echo "$out" | sed 's/^/# /'
check "inh/child.txt: Everyone's read, inherited" has "$out" '^ACL:S-1-1-0:0/0x0/0x001200a9$'
check "inh/child.txt: CREATOR OWNER's full control as the creator's SID" has "$out" '^ACL:S-1-22-1-0:0/0x0/0x001f01ff$'
check "inh/child.txt: no other ACE (none from a mode)" test "$(printf '%s\n' "$out" | grep -c '^ACL:')" = 2
r=$(PROBE4 deleg40 inhcreate /export/inh/nfs)
diag "NFSv4 creates in inh without a mode: $r"
check "NFSv4 OPEN without a mode in inh: the same two ACEs, the creator's by its uid" sh -c "printf '%s\n' '$r' | grep -Eq 'OPEN 0 ACL EVERYONE@:0:0:1200a9,0:0:0:1f01ff\$'"
check "NFSv4 CREATE of a directory without a mode: both, CREATOR OWNER passed on again" sh -c "printf '%s\n' '$r' | grep -Eq '^MKDIR 0 ACL EVERYONE@:0:3:1200a9,0:0:0:1f01ff,OWNER@:0:b:1f01ff '"

if command -v smbtorture >/dev/null; then
	# smb2.sdread: READ_CONTROL on the handle, an empty descriptor for
	# no bits; smb2.getinfo.qsec_buffercheck: BUFFER_TOO_SMALL with the
	# size needed; smb2.setinfo: its SEC_DESC step adds an ACE for a
	# Windows SID (kept since SIDs are).  smb2.acls as a user who is not
	# root (root holds every bit whatever the ACL says, which most of
	# its tests do not expect): CREATOR, GENERIC, OWNER, DENY1,
	# OWNER-RIGHTS, OWNER-RIGHTS-DENY, OWNER-RIGHTS-DENY1 and
	# MXAC-NOT-GRANTED pass (CREATE grants what the ACL grants, the
	# owner's implicit READ_CONTROL and WRITE_DAC, READ_ATTRIBUTES by the
	# directory's LIST_DIRECTORY; MxAc says the same).  INHERITANCE: a
	# new file's descriptor is Windows' default one where nothing is
	# inherited, CREATOR OWNER becomes the creator's SID; INHERITFLAGS:
	# SE_DACL_AUTO_INHERITED (with AUTO_INHERIT_REQ) and PROTECTED are
	# kept, and a child of an auto-inherited directory has INHERITED
	# ACEs.  smb2.openattr: a HIDDEN or SYSTEM file is overwritten only
	# with that attribute asked; smb2.delete-on-close-perms.READONLY: a
	# read-only file is not deleted on close (STATUS_CANNOT_DELETE).
	# Not: smb2.acls_non_canonical.flags wants SE_DACL_AUTO_INHERITED
	# kept without AUTO_INHERIT_REQ, Samba's "acl flag inherited
	# canonicalization = no", where Windows (and INHERITFLAGS) drop it;
	# SDFLAGSVSCHOWN as uid 1000 (its owner S-1-5-32-544 or the like is
	# root's alone to set);
	# DYNAMIC on export (blockd wants search permission there; the
	# share traverse bypasses it, as Windows);
	# ACCESSBASED: share hideunread lists only what the caller may read
	# (access based enumeration, dittofs.conf(5)).
	# Not either: smb2.maximum_allowed as uid 1000 wants MAXIMUM_ALLOWED
	# with GENERIC_EXECUTE granted by an ACL of FILE_GENERIC_READ (it
	# takes GENERIC_EXECUTE for a subset of GENERIC_READ), where MS-SMB2
	# 2.2.13.1.1 maps it to FILE_EXECUTE too, which that ACL does not
	# grant (FILE_EXECUTE alone it expects refused); as root every bit is
	# held.  smb2.create.gentest wants SYNCHRONIZE alone refused (Windows
	# 7 grants it, as here), ACCESS_SYSTEM_SECURITY refused to root, and
	# as uid 1000 a new file's mode ACL (0644) lacks the EXECUTE and
	# DELETE_CHILD that Windows' creator-owner default grants.
	# smb2.create.quota-fake-file opens \$Extend\$Quota:$Q:$INDEX_ALLOCATION,
	# an NTFS metadata file no share here has (OBJECT_NAME_INVALID).
	# OVERWRITE_READ_ONLY_FILE: an overwrite or supersede wants
	# FILE_WRITE_DATA on the file, asked or not.
	# smb2.compound.related4 and related7 as uid 1000: a CREATOR OWNER
	# ACE that denies writing stops the related open for writing (root,
	# test_smbd.sh's user, would be granted it).
	# smb2.create.aclfile and acldir as root: its descriptors' DACLs
	# (Windows SIDs), a new directory's DOS attributes, then owner
	# S-1-1-0 and group BUILTIN\Users kept beside the numeric ones; as
	# uid 1000 that owner is INVALID_OWNER (root's alone, as Windows
	# wants SeRestorePrivilege for it).  SDFLAGSVSCHOWN as root: the
	# DACL's control bits kept through a change of owner to a SID.
	# smb2.create.nulldacl as uid 1000: a NULL DACL (or a DACL named
	# without SE_DACL_PRESENT) is kept as EVERYONE@ allowed everything
	# and read back as a NULL DACL.
	TORTURE() { timeout 180 smbtorture //127.0.0.1/export -p $S -U "$1" --target=samba3 --option=torture:smbd=false "$2" 2>&1; }
	out=$(TORTURE smbtest%Pass-w0rd smb2.create.aclfile)
	check "smb2.create.aclfile as root: SecD with Windows SIDs, owner S-1-1-0 and group S-1-5-32-545" has "$out" '^success: aclfile'
	# smb2.create.acldir, the same for directories: its step "creating
	# with attributes" checks a new directory's DOS attributes.
	out=$(TORTURE smbtest%Pass-w0rd smb2.create.acldir)
	check "smb2.create.acldir as root" has "$out" '^success: acldir'
	for t in smb2.sdread smb2.getinfo.qsec_buffercheck smb2.setinfo \
	    smb2.acls.SDFLAGSVSCHOWN; do
		torture_check "smbtorture $t" //127.0.0.1/export -p $S -U smbtest%Pass-w0rd --target=samba3 --option=torture:smbd=false "$t"
	done
	check "NFSv4 chmod 1777 of the export's root (smb2.acls as uid 1000)" test "$(PROBE4 chmod /export 1777)" = "CHMOD 0"
	check "NFSv4 chmod 1777 of hideunread's root (smb2.acls.ACCESSBASED)" test "$(PROBE4 chmod /hideunread 1777)" = "CHMOD 0"
	out=$(TORTURE plainuser%Pass-w0rd smb2.create.aclfile)
	check "smb2.create.aclfile as uid 1000: the ACL steps pass, owner S-1-1-0 is INVALID_OWNER" sh -c "printf '%s\n' \"\$1\" | grep -q '^creating with attributes, ACL and owner\$' && printf '%s\n' \"\$1\" | grep -Eq 'create.c:[0-9]+\) Incorrect status NT_STATUS_INVALID_OWNER - should be NT_STATUS_OK'" sh "$out"
	check "smbd logs the SecD refused for its owner" grep -q "CREATE: SecD: an owner or group SID that names no Unix id is root's alone to set" "$SUITE_DIR/run.log"
	# smb2.acls.DYNAMIC as uid 1000 where SMB bypasses traverse checks:
	# a file made in a directory whose ACL grants its owner ADD_FILE but
	# no EXECUTE, then opened by name in it.
	check "NFSv4 chmod 1777 of traverse's root (smb2.acls.DYNAMIC)" test "$(PROBE4 chmod /traverse 1777)" = "CHMOD 0"
	torture_check "smbtorture smb2.acls.DYNAMIC as uid 1000 on traverse" //127.0.0.1/traverse -p $S -U plainuser%Pass-w0rd --target=samba3 --option=torture:smbd=false smb2.acls.DYNAMIC
	if [ -n "${ACL_PROBE:-}" ]; then
		for t in $ACL_PROBE; do
			for u in ${ACL_PROBE_USERS:-plainuser smbtest}; do
				if TORTURE $u%Pass-w0rd $t > "$SUITE_DIR/t.out" 2>&1; then diag "PROBE PASS $u $t"; else diag "PROBE FAIL $u $t: $(grep -E "failure|error|Incorrect|should|c:[0-9]" "$SUITE_DIR/t.out" | head -8 | tr "\n" " ")"; [ -n "${ACL_PROBE_FULL:-}" ] && sed "s/^/# /" "$SUITE_DIR/t.out"; fi
			done
		done
	fi
	for t in smb2.acls.CREATOR smb2.acls.GENERIC smb2.acls.OWNER \
	    smb2.acls.DENY1 smb2.acls.OWNER-RIGHTS smb2.acls.OWNER-RIGHTS-DENY \
	    smb2.acls.OWNER-RIGHTS-DENY1 smb2.acls.MXAC-NOT-GRANTED \
	    smb2.compound.related4 smb2.compound.related7 \
	    smb2.acls.OVERWRITE_READ_ONLY_FILE \
	    smb2.create.nulldacl \
	    smb2.acls.INHERITANCE \
	    smb2.acls.INHERITFLAGS \
	    smb2.openattr \
	    smb2.delete-on-close-perms.READONLY \
	    smb2.acls.ACCESSBASED; do
		torture_check "smbtorture $t as uid 1000" //127.0.0.1/export -p $S -U plainuser%Pass-w0rd --target=samba3 --option=torture:smbd=false "$t"
	done
	# Subtests whose names hold spaces, one a line, each run by its full
	# name as uid 1000: smb2.delete-on-close-perms' "... Existing" open
	# a file whose inherited ACL grants its owner all but DELETE, in a
	# directory that grants no DELETE_CHILD, with FILE_DELETE_ON_CLOSE:
	# ACCESS_DENIED (CREATE: OBJECT_NAME_COLLISION first).  As root,
	# who holds every right here, the OVERWRITE_IF and CREATE_IF ones
	# are granted.  Not OVERWRITE_IF, CREATE, CREATE_IF as uid 1000: a
	# file made with DELETE asked and FILE_DELETE_ON_CLOSE in that
	# directory is not removed at its close (blockd checks DELETE again
	# at the removal, which the file's ACL and its directory's deny;
	# Windows grants a new file's creator what it asked, MS-FSA
	# 2.1.5.1.1), so the open after it is ACCESS_DENIED, not
	# OBJECT_NAME_NOT_FOUND.
	while IFS= read -r t; do
		torture_check "smbtorture $t as uid 1000" //127.0.0.1/export -p $S -U plainuser%Pass-w0rd --target=samba3 --option=torture:smbd=false "$t"
	done <<-EOF
	smb2.delete-on-close-perms.OVERWRITE_IF Existing
	smb2.delete-on-close-perms.CREATE Existing
	smb2.delete-on-close-perms.CREATE_IF Existing
	EOF
else
	skip "no smbtorture (Debian: samba-testsuite)" "smbtorture smb2.create.aclfile, smb2.create.acldir, smb2.sdread, smb2.getinfo.qsec_buffercheck, smb2.setinfo, smb2.acls.SDFLAGSVSCHOWN, chmod of the root, smb2.create.aclfile as uid 1000, the SecD refusal logged, chmod of traverse, smb2.acls.DYNAMIC, smb2.acls (9), smb2.compound.related4, related7, smb2.create.nulldacl, smb2.acls.INHERITANCE, INHERITFLAGS, smb2.openattr, smb2.delete-on-close-perms.READONLY, smb2.acls.ACCESSBASED, chmod of hideunread, smb2.delete-on-close-perms' three Existing"
fi
# nfsd answered GETATTR of a stored ACL without a SETATTR before it in
# the COMPOUND by encoding a bd_fh_req as a bd_acl_req: SIGSEGV.
check "nfsd was never restarted" sh -c "! grep -q 'nfsd (pid [0-9]*) killed' '$SUITE_DIR/run.log'"
check "dittofs-run stops everything" suite_stop
tap_done
