#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Stop: SIGTERM closes the listeners, lets running handlers finish for up
# to shutdown_timeout seconds, then SIGTERM and SIGKILL; exit 0.

load helpers

@test "a handler that needs 2 s still answers after SIGTERM, and the master then exits 0" {
	P=$(free_port)
	write_conf <<EOF
service slow {
	port = $P
	address = { "127.0.0.1" }
	shell = "sleep 2; echo answered"
}
EOF
	start_pinetd -p "$T/pinetd.pid"
	client 127.0.0.1 "$P" </dev/null >"$T/reply" &
	c=$!
	wait_log 'slow: connection from'
	kill -TERM "$PID"
	wait_log 'stop: waiting up to 10s for 1 handler$'
	run ! client 127.0.0.1 "$P" </dev/null
	wait "$c"
	[ "$(cat "$T/reply")" = answered ]
	wait "$PID"
	rc=$?
	PID=
	[ "$rc" -eq 0 ]
	[ ! -e "$T/pinetd.pid" ]
	run ! grep -q 'sending SIGTERM' "$LOG"
}

@test "a handler that ignores SIGTERM is killed after the timeout; nothing of the daemon is left" {
	P=$(free_port)
	write_conf <<EOF
shutdown_timeout = 1
service stubborn {
	port = $P
	address = { "127.0.0.1" }
	shell = "trap '' TERM; echo started; while :; do sleep 0.2; done"
}
EOF
	start_pinetd
	(client 127.0.0.1 "$P" </dev/null >/dev/null || true) &
	wait_log 'stubborn: connection from'
	pids="$PID $(children_of "$PID")"
	start=$(date +%s)
	kill -TERM "$PID"
	wait "$PID"
	rc=$?
	PID=
	[ "$rc" -eq 0 ]
	[ $(( $(date +%s) - start )) -le 6 ]
	grep -q 'stop: sending SIGTERM to 1 remaining children' "$LOG"
	grep -q 'stop: sending SIGKILL to 1 remaining children' "$LOG"
	grep -qE 'stubborn: pid [0-9]+ .* killed by signal 9' "$LOG"
	for p in $pids; do ! kill -0 "$p" 2>/dev/null; done
}

@test "a second SIGTERM ends the wait" {
	P=$(free_port)
	write_conf <<EOF
shutdown_timeout = 60
service slow {
	port = $P
	address = { "127.0.0.1" }
	shell = "exec sleep 30"
}
EOF
	start_pinetd
	(client 127.0.0.1 "$P" </dev/null >/dev/null || true) &
	wait_log 'slow: connection from'
	start=$(date +%s)
	kill -TERM "$PID"
	wait_log 'stop: waiting up to 60s'
	kill -TERM "$PID"
	wait "$PID"
	PID=
	[ $(( $(date +%s) - start )) -le 5 ]
	grep -q 'again: not waiting any longer' "$LOG"
	grep -qE 'slow: pid [0-9]+ .* killed by signal 15' "$LOG"
}
