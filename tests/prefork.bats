#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Pre-forked workers: created before the client arrives, refilled after a
# burst, replaced when one dies, and bypassed (spawn) when none is idle.

load helpers

idle_workers() {
	ps -o args= --ppid "$PID" | grep -c "pinetd: $1 worker"
}

@test "the handler's process existed before the connection was made" {
	P=$(free_port)
	write_conf <<EOF
service w {
	port = $P
	address = { "127.0.0.1" }
	prefork = 2
	shell = "echo \$\$"
}
EOF
	start_pinetd
	ready() { [ "$(idle_workers w)" -eq 2 ]; }
	wait_for ready
	before=$(children_of "$PID" | sort)
	handler=$(client 127.0.0.1 "$P" </dev/null)
	echo "before: $before; handler: $handler"
	grep -qx "$handler" <<<"$before"
	wait_log "w: connection from .* pid $handler .*worker"
}

@test "after a burst the pool is refilled to N idle workers" {
	P=$(free_port)
	write_conf <<EOF
service burst {
	port = $P
	address = { "127.0.0.1" }
	prefork = 3
	shell = "sleep 0.2; echo ok"
}
EOF
	start_pinetd
	full() { [ "$(idle_workers burst)" -eq 3 ]; }
	wait_for full
	# 20 connections made at once land in one accept batch
	run perl -MIO::Socket::INET -e '
		my @s = map { IO::Socket::INET->new("127.0.0.1:$ARGV[0]") or die } 1..20;
		my $ok = 0;
		for (@s) { my $l = <$_>; $ok++ if defined $l && $l eq "ok\n"; }
		print "$ok\n";' "$P"
	[ "$output" = 20 ]
	# under saturation the rest were spawned directly
	grep -q 'burst: connection from .*running, worker)' "$LOG"
	grep -qE 'burst: connection from .*running\)$' "$LOG"
	wait_for full
}

@test "an idle worker that dies is logged and replaced" {
	P=$(free_port)
	write_conf <<EOF
service w {
	port = $P
	address = { "127.0.0.1" }
	prefork = 2
	shell = "echo ok"
}
EOF
	start_pinetd
	full() { [ "$(idle_workers w)" -eq 2 ]; }
	wait_for full
	victim=$(ps -o pid=,args= --ppid "$PID" | grep 'pinetd: w worker' | head -1 | awk '{print $1}')
	kill -9 "$victim"
	wait_log "w: idle worker pid $victim killed by signal 9; replacing it"
	wait_for full
	run ! grep -qw "$victim" <<<"$(ps -o pid= --ppid "$PID")"
	[ "$(client 127.0.0.1 "$P" </dev/null)" = ok ]
}

@test "an exec failure in a worker is reported with the path and errno" {
	P=$(free_port)
	printf '#!/bin/sh\necho ok\n' | write_handler h.sh
	write_conf <<EOF
service w {
	port = $P
	address = { "127.0.0.1" }
	prefork = 1
	exec = "$T/h.sh"
}
EOF
	start_pinetd
	full() { [ "$(idle_workers w)" -eq 1 ]; }
	wait_for full
	chmod 644 "$T/h.sh"
	client 127.0.0.1 "$P" </dev/null || true
	wait_log "w: exec $T/h.sh for 127\\.0\\.0\\.1:[0-9]+ failed: Permission denied"
	kill -0 "$PID"
}

@test "prefork = 0 keeps no worker and spawns each handler" {
	P=$(free_port)
	write_conf <<EOF
service w {
	port = $P
	address = { "127.0.0.1" }
	prefork = 0
	shell = "echo ok"
}
EOF
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null)" = ok ]
	[ "$(idle_workers w)" -eq 0 ]
	run ! grep -q 'worker' "$LOG"
}
