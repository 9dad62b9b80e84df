#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# systemd's notification protocol: READY=1 with STATUS= once every
# listener is bound, STATUS= updates, STOPPING=1 on SIGTERM, WATCHDOG=1 at
# half of WATCHDOG_USEC. A unix datagram socket in the test's directory
# stands in for systemd.

load helpers

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"
NPID=

setup() {
	helpers_setup
}

teardown() {
	[ -z "$NPID" ] || kill "$NPID" 2>/dev/null
	helpers_teardown
}

# notify_listen: receives datagrams on $T/notify.sock into $T/notify.log,
# each followed by a line "--".
notify_listen() {
	perl -MIO::Socket::UNIX -MSocket -e '
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM,
		    Local => $ARGV[0]) or die "$ARGV[0]: $!";
		$| = 1;
		while (defined $s->recv(my $m, 4096)) { print "$m\n--\n"; }
	' "$T/notify.sock" >"$T/notify.log" &
	NPID=$!
	wait_for test -S "$T/notify.sock"
	export NOTIFY_SOCKET=$T/notify.sock
}

# got REGEX: the notifications received so far have a line matching it.
got() {
	grep -qE -- "$1" "$T/notify.log"
}

@test "READY=1 comes with STATUS=, after the listeners are bound; STOPPING=1 on SIGTERM" {
	one_service
	notify_listen
	start_pinetd
	wait_for got '^READY=1$'
	cat "$T/notify.log"
	# one datagram: READY=1 and STATUS= together
	[ "$(sed -n '1,2p' "$T/notify.log")" = "READY=1
STATUS=1 services, 0 handlers running, 0 accepted, last reload: none" ]
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	run ! got STOPPING
	kill -TERM "$PID"
	wait "$PID"
	PID=
	wait_for got '^STOPPING=1$'
	wait_for got '^STATUS=stopping$'
}

@test "RELOADING=1 with MONOTONIC_USEC, then READY=1, around a reload; a failed one shows in STATUS=" {
	one_service
	notify_listen
	start_pinetd
	wait_for got '^READY=1$'
	kill -HUP "$PID"
	wait_for got '^RELOADING=1$'
	ready_after() { awk '/^RELOADING=1$/ { r = NR } /^READY=1$/ { if (r && NR > r) ok = 1 } END { exit !ok }' "$T/notify.log"; }
	wait_for ready_after
	grep -qE '^MONOTONIC_USEC=[0-9]+$' "$T/notify.log"
	wait_for got 'last reload: ok$'
	echo 'service broken {' >>"$CONF"
	kill -HUP "$PID"
	wait_for got 'last reload: failed$'
}

@test "STATUS= follows the counters, at most once a second" {
	one_service
	notify_listen
	start_pinetd
	wait_for got '^READY=1$'
	for i in 1 2 3; do
		run client 127.0.0.1 "$P" </dev/null
	done
	wait_for got '^STATUS=1 services, 0 handlers running, 3 accepted, last reload: none$'
	# nothing changed since: no repeat of the same line
	[ "$(grep -c '^STATUS=' "$T/notify.log")" -le 4 ]
}

@test "WATCHDOG=1 every half of WATCHDOG_USEC, for WATCHDOG_PID unset or ours" {
	one_service
	notify_listen
	WATCHDOG_USEC=200000 start_pinetd
	wait_log 'watchdog: keep-alive every 100 ms'
	three() { [ "$(grep -c '^WATCHDOG=1$' "$T/notify.log")" -ge 3 ]; }
	wait_for three
	stop_pinetd

	# WATCHDOG_PID names the process meant: the daemon itself
	: >"$T/notify.log"
	(export WATCHDOG_USEC=200000 WATCHDOG_PID=$BASHPID
	 exec "$PINETD" -f "$CONF" -v -c "$T/ctl.sock") >"$LOG" 2>&1 &
	PID=$!
	wait_log 'ready:'
	wait_for three
}

@test "no watchdog when WATCHDOG_PID names another process, no messages without NOTIFY_SOCKET" {
	one_service
	notify_listen
	WATCHDOG_USEC=200000 WATCHDOG_PID=1 start_pinetd
	wait_for got '^READY=1$'
	run ! grep -q 'watchdog:' "$LOG"
	# a STATUS= refresh takes a second, ten watchdog periods
	run client 127.0.0.1 "$P" </dev/null
	wait_for got '^STATUS=1 services, 0 handlers running, 1 accepted, last reload: none$'
	run ! got WATCHDOG
	stop_pinetd

	: >"$T/notify.log"
	unset NOTIFY_SOCKET
	WATCHDOG_USEC=200000 start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	stop_pinetd
	[ ! -s "$T/notify.log" ]
}
