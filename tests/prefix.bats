#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# A build with nothing but --prefix starts: the directory of the control
# socket and of the pidfile, PREFIX/var/run, is created by pinetd itself;
# symbolic links in the way are followed only when root owns them.

load helpers

# A plain configure, but for --prefix: a directory of its own instead of
# /usr/local, so that nothing is written outside it. make install puts
# pinetd and pinetctl in PREFIX/sbin, built with PREFIX/var/run as their
# runstatedir. Kept short: the control socket's path must fit sun_path.
setup_file() {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	PFX_DIR=$(mktemp -d /tmp/pinetd-pfx.XXXXXX)
	export PFX_DIR
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1)
	mkdir "$PFX_DIR/build"
	(cd "$PFX_DIR/build" &&
	    "$top/configure" --prefix="$PFX_DIR/p" >configure.out 2>&1 &&
	    make -j"$(nproc)" >make.out 2>&1 &&
	    make install >install.out 2>&1) ||
		{ tail -n 30 "$PFX_DIR"/build/*.out >&3; return 1; }
}

teardown_file() {
	rm -rf "$PFX_DIR"
}

# start_prefix [args]: the installed pinetd on $CONF, with its defaults.
start_prefix() {
	"$PFX_DIR/p/sbin/pinetd" -f "$CONF" -v "$@" >"$LOG" 2>&1 &
	PID=$!
	wait_log "ready:"
}

@test "pinetd from a plain --prefix build creates PREFIX/var/run, and pinetctl finds it there" {
	[ ! -e "$PFX_DIR/p/var/run" ]
	one_service
	start_prefix
	[ -S "$PFX_DIR/p/var/run/pinetd.sock" ]
	[ "$(stat -c '%a %u %F' "$PFX_DIR/p/var/run")" = "755 0 directory" ]
	grep -q "created the directory $PFX_DIR/p/var/run\$" "$LOG"
	run "$PFX_DIR/p/sbin/pinetctl" status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pinetd "*"pid $PID,"* ]]
	[ "$(client 127.0.0.1 "$P" </dev/null)" = s ]
	run "$PFX_DIR/p/sbin/pinetctl" reload
	[ "$status" -eq 0 ]
	stop_pinetd
	[ ! -e "$PFX_DIR/p/var/run/pinetd.sock" ]
}

@test "--daemon from a --prefix build writes its pidfile into a PREFIX/var/run it makes, whatever the umask" {
	rm -rf "$PFX_DIR/p/var"
	one_service
	(umask 077 && "$PFX_DIR/p/sbin/pinetd" -f "$CONF" --daemon >"$LOG" 2>&1)
	[ -f "$PFX_DIR/p/var/run/pinetd.pid" ]
	PID=$(cat "$PFX_DIR/p/var/run/pinetd.pid")
	kill -0 "$PID"
	[ "$(stat -c %a "$PFX_DIR/p/var")" = 755 ]
	[ "$(stat -c %a "$PFX_DIR/p/var/run")" = 755 ]
	"$PFX_DIR/p/sbin/pinetctl" status >/dev/null
	kill -TERM "$PID"
	wait_for eval '! kill -0 '"$PID"' 2>/dev/null'
	PID=
	[ ! -e "$PFX_DIR/p/var/run/pinetd.pid" ]
}

@test "a symbolic link in the socket's path is followed if root owns it, refused if another user does or it dangles" {
	one_service
	mkdir "$T/real"
	ln -s real "$T/rootlink"
	start_pinetd -c "$T/rootlink/run/ctl.sock"
	[ -S "$T/real/run/ctl.sock" ]
	stop_pinetd

	ln -s real "$T/userlink"
	chown -h nobody "$T/userlink"
	run "$PINETD" -f "$CONF" -c "$T/userlink/run2/ctl.sock"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"$T/userlink: a symbolic link owned by uid $(id -u nobody); refusing it"* ]]
	[[ "$output" == *"not starting: no control socket"* ]]
	[ ! -e "$T/real/run2" ]

	ln -s nowhere "$T/dangling"
	run "$PINETD" -f "$CONF" -c "$T/dangling/ctl.sock"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"$T/dangling: a symbolic link to nothing; refusing it"* ]]
	[ ! -e "$T/nowhere" ]

	touch "$T/file"
	run "$PINETD" -f "$CONF" -c "$T/file/ctl.sock"
	[ "$status" -eq 111 ]
	[[ "$output" == *"$T/file: not a directory"* ]]
}
