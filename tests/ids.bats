#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Users and groups are looked up in a short-lived child at each load: the
# master never opens the passwd and group databases nor maps an NSS
# module, and a reload sees the databases as they are now.

load helpers

PINETCTL=$PINETD_BUILD/src/pinetctl
IDS_USER=pinetd-ids-test

conf_user() {	# USER: one service running `id -un; id -Gn` as USER
	write_conf <<EOF
service who {
	port = $P
	address = { "127.0.0.1" }
	user = "$1"
	prefork = 0
	shell = "id -un; id -Gn"
}
EOF
}

@test "the master opens neither passwd, group nor nsswitch.conf; a child of each load does" {
	command -v strace >/dev/null || skip "no strace"
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	user = "nobody"
	prefork = 0
	shell = "echo ok"
}
EOF
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -ff -qq -o "$T/tr" -e trace=open,openat "$PINETD" -f "$CONF" -v \
	    -c "$T/ctl.sock" >"$LOG" 2>&1 &
	tracer=$!
	wait_log "ready:"
	PID=$(sed -n 's/^pinetd\[\([0-9]*\)\]: ready:.*/\1/p' "$LOG")
	[ -n "$PID" ]
	[ "$(client 127.0.0.1 "$P" </dev/null)" = ok ]
	"$PINETCTL" -s "$T/ctl.sock" reload | grep -q '^reloaded:'
	kill -TERM "$PID"
	wait "$tracer"
	PID=
	master=$T/tr.$(sed -n 's/^pinetd\[\([0-9]*\)\]: ready:.*/\1/p' "$LOG")
	[ -f "$master" ]
	run grep -E 'nsswitch\.conf|/etc/passwd|/etc/group|libnss_' "$master"
	[ "$status" -eq 1 ]
	# two loads (start and reload), each with its own lookup child
	run grep -lE 'open.*"/etc/passwd"' "$T"/tr.*
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} != "$master" && ${lines[1]} != "$master" ]]
}

@test "no NSS module is mapped into the master, and no lookup process is left" {
	grep -qE '^(passwd|group):.*\b(systemd|sss|ldap|winbind|compat)\b' /etc/nsswitch.conf ||
		skip "/etc/nsswitch.conf names no NSS module for users and groups"
	P=$(free_port)
	conf_user nobody
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null | head -1)" = nobody ]
	run grep libnss_ "/proc/$PID/maps"
	[ "$status" -eq 1 ]
	run pgrep -P "$PID" -x pinetd-ids
	[ "$status" -eq 1 ]
}

@test "a user added after the start is found by the next reload, with its groups" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to add a user"
	userdel "$IDS_USER" 2>/dev/null || true
	P=$(free_port)
	conf_user nobody
	start_pinetd
	conf_user "$IDS_USER"
	run "$PINETCTL" -s "$T/ctl.sock" reload
	[[ $output == *"unknown user '$IDS_USER'"* ]]
	useradd -r -M -s /usr/sbin/nologin "$IDS_USER"
	run "$PINETCTL" -s "$T/ctl.sock" reload
	[[ $output == reloaded:* ]]
	run client 127.0.0.1 "$P" </dev/null
	[ "${lines[0]}" = "$IDS_USER" ]
	[[ ${lines[1]} != *dialout* ]]
	usermod -a -G dialout "$IDS_USER"
	"$PINETCTL" -s "$T/ctl.sock" reload | grep -q '^reloaded:'
	run client 127.0.0.1 "$P" </dev/null
	userdel "$IDS_USER"
	[[ ${lines[1]} == *dialout* ]]
}

@test "a lookup process that dies fails the load with a clear error; the running services keep serving" {
	need_faults
	P=$(free_port)
	conf_user nobody
	start_pinetd
	echo ids_crash >"$T/faults"
	run "$PINETCTL" -s "$T/ctl.sock" reload
	[[ $output == *"$CONF:4: user: user 'nobody' not looked up: the user and group lookup process failed"* ]]
	[ "$(client 127.0.0.1 "$P" </dev/null | head -1)" = nobody ]
	rm -f "$T/faults"
	"$PINETCTL" -s "$T/ctl.sock" reload | grep -q '^reloaded:'
}

@test "a lookup process that hangs is given up after 10 s, and pinetd -t says so" {
	need_faults
	P=$(free_port)
	conf_user nobody
	echo ids_hang >"$T/faults"
	SECONDS=0
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[[ $output == *"$CONF:4: user: user 'nobody' not looked up: the user and group lookup process did not answer within 10 s"* ]]
	[ "$SECONDS" -lt 30 ]
	run pgrep -x pinetd-ids
	[ "$status" -eq 1 ]
}

@test "when no lookup process can be started, the master looks up itself" {
	need_faults
	P=$(free_port)
	conf_user nobody
	echo ids_fork >"$T/faults"
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null | head -1)" = nobody ]
}

@test "a failed lookup of the default user, written nowhere, is reported at its service, once" {
	need_faults
	P=$(free_port)
	write_conf <<EOF
service a {
	port = $P
	shell = "true"
}
service b {
	port = $((P + 1))
	shell = "true"
}
EOF
	echo ids_crash >"$T/faults"
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$CONF:1: service 'a': user 'nobody' not looked up: the user and group lookup process failed" ]
	[ "${#lines[@]}" -eq 1 ]
}
