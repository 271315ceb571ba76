# Peer servers for the e2e self-test and bench/ (bash; sourced after
# lib.sh). Meant to run inside tests/e2e/in-netns: rpcbind takes port 111
# and Ganesha 2049 of the namespace. Every start has a bounded wait, every
# stop is by pid.

RPCBIND_PID=
GANESHA_PID=
GANESHA_NFS_PORT=2049
GANESHA_MNT_PORT=20048

# peer_rpcbind_start: rpcbind in the foreground, in the background.
peer_rpcbind_start() {
	command -v rpcbind >/dev/null || { echo "no rpcbind (apt-get install rpcbind)" >&2; return 77; }
	rpcbind -f &
	RPCBIND_PID=$!
	e2e_wait_port 111 20 || { echo "rpcbind did not listen on 111" >&2; return 1; }
}

peer_rpcbind_stop() {
	e2e_kill_pid "$RPCBIND_PID"
	RPCBIND_PID=
}

# peer_ganesha_start STATEDIR EXPORTDIR [PSEUDO]: nfs-ganesha 4 with the VFS
# FSAL exporting EXPORTDIR over NFSv3 (path EXPORTDIR) and NFSv4 (pseudo
# path PSEUDO, default /export), on GANESHA_NFS_PORT and GANESHA_MNT_PORT.
# No grace period (Graceless) and numeric owners (the guest runs no
# idmapd). NFSv3 needs rpcbind running first.  With GANESHA_KEYTAB set,
# Kerberos too (NFS_KRB5: that keytab, GANESHA_PRINCIPAL, default nfs)
# and the export's SecType is GANESHA_SECTYPE (default sys).
peer_ganesha_start() {
	local state=$1 export=$2 pseudo=${3:-/export} i krb5=
	command -v ganesha.nfsd >/dev/null ||
	    { echo "no ganesha.nfsd (apt-get install nfs-ganesha nfs-ganesha-vfs)" >&2; return 77; }
	mkdir -p "$state/recovery" "$export"
	[ -z "${GANESHA_KEYTAB:-}" ] || krb5="NFS_KRB5 {
	PrincipalName = \"${GANESHA_PRINCIPAL:-nfs}\";
	KeytabPath = \"$GANESHA_KEYTAB\";
	CCacheDir = \"$state\";
	Active_krb5 = true;
}"
	cat >"$state/ganesha.conf" <<EOF
NFS_CORE_PARAM {
	Protocols = 3, 4;
	NFS_Port = $GANESHA_NFS_PORT;
	MNT_Port = $GANESHA_MNT_PORT;
	Enable_NLM = false;
	Enable_RQUOTA = false;
}
NFSv4 {
	Graceless = true;
	Only_Numeric_Owners = true;
	RecoveryBackend = fs;
	RecoveryRoot = "$state/recovery";
}
EXPORT_DEFAULTS {
	Access_Type = RW;
	Squash = No_Root_Squash;
	SecType = ${GANESHA_SECTYPE:-sys};
}
$krb5
EXPORT {
	Export_Id = 1;
	Path = "$export";
	Pseudo = "$pseudo";
	Protocols = 3, 4;
	Transports = TCP;
	FSAL { Name = VFS; }
}
LOG {
	Default_Log_Level = EVENT;
}
EOF
	ganesha.nfsd -F -f "$state/ganesha.conf" -L "$state/ganesha.log" \
	    -p "$state/ganesha.pid" &
	GANESHA_PID=$!
	# Ready when it listens and answers NFS (it starts listening early).
	for i in $(seq 150); do
		if ! kill -0 "$GANESHA_PID" 2>/dev/null; then
			echo "ganesha exited at start; its log:" >&2
			tail -n 20 "$state/ganesha.log" >&2
			GANESHA_PID=
			return 1
		fi
		if e2e_wait_port "$GANESHA_NFS_PORT" 0 &&
		    e2e_wait_port "$GANESHA_MNT_PORT" 0; then
			return 0
		fi
		sleep 0.2
	done
	echo "ganesha did not listen within 30 s; its log:" >&2
	tail -n 20 "$state/ganesha.log" >&2
	return 1
}

peer_ganesha_stop() {
	e2e_kill_pid "$GANESHA_PID"
	GANESHA_PID=
}

SAMBA_PID=
SAMBA_PORT=445
SAMBA_SHARE=share
SAMBA_USER=root
SAMBA_PASSWORD=dittofs-e2e

# peer_samba_start STATEDIR SHAREDIR: Samba's smbd from a private smb.conf
# with every state directory under STATEDIR, share SAMBA_SHARE = SHAREDIR,
# on 127.0.0.1:SAMBA_PORT, and a tdbsam user SAMBA_USER with
# SAMBA_PASSWORD (root: no account is made on the host).
peer_samba_start() {
	local state=$1 share=$2 d
	command -v smbd >/dev/null || { echo "no smbd (apt-get install samba)" >&2; return 77; }
	for d in private lock state cache run ncalrpc; do mkdir -p "$state/$d"; done
	mkdir -p "$share"
	cat >"$state/smb.conf" <<EOF2
[global]
	server role = standalone server
	smb ports = $SAMBA_PORT
	interfaces = 127.0.0.1
	bind interfaces only = yes
	disable netbios = yes
	passdb backend = tdbsam:$state/private/passdb.tdb
	private dir = $state/private
	lock directory = $state/lock
	state directory = $state/state
	cache directory = $state/cache
	pid directory = $state/run
	ncalrpc dir = $state/ncalrpc
	log file = $state/log.smbd
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	map to guest = never
[$SAMBA_SHARE]
	path = $share
	read only = no
EOF2
	printf '%s\n%s\n' "$SAMBA_PASSWORD" "$SAMBA_PASSWORD" |
	    pdbedit -s "$state/smb.conf" -a -u "$SAMBA_USER" -t >/dev/null 2>&1 ||
	    { echo "pdbedit could not add $SAMBA_USER" >&2; return 1; }
	# A session of its own: smbd signals its whole process group when it
	# stops, which would otherwise be the caller's.
	setsid smbd --foreground --no-process-group -s "$state/smb.conf" \
	    >"$state/smbd.out" 2>&1 &
	SAMBA_PID=$!
	for d in $(seq 150); do
		if ! kill -0 "$SAMBA_PID" 2>/dev/null; then
			echo "smbd exited at start:" >&2
			tail -n 20 "$state/smbd.out" "$state/log.smbd" >&2 2>/dev/null
			SAMBA_PID=
			return 1
		fi
		e2e_wait_port "$SAMBA_PORT" 0 && return 0
		sleep 0.2
	done
	echo "smbd did not listen on $SAMBA_PORT within 30 s" >&2
	return 1
}

peer_samba_stop() {
	e2e_kill_pid "$SAMBA_PID"
	SAMBA_PID=
}
