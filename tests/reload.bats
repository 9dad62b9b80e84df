#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Reload (SIGHUP): a new config replaces the running one only when it has
# no error; unchanged listeners keep their fds, so no connection is lost.

load helpers

# An HTTP/1.0 handler that reads the whole request head first (a handler
# leaving request bytes unread would make the kernel reset the client).
http_handler() {
	write_handler http.sh <<'EOF'
#!/bin/sh
cr=$(printf '\r')
while IFS= read -r line; do
	case $line in ""|"$cr") break ;; esac
done
printf 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n'
EOF
}

conf_a() {
	write_conf <<EOF
service web {
	port = $P
	address = { "127.0.0.1" }
	exec = "$T/http.sh"
}
service extra {
	port = $((P + 1))
	address = { "127.0.0.1" }
	shell = "echo extra"
}
EOF
}

conf_b() {
	write_conf <<EOF
service web {
	port = $P
	address = { "127.0.0.1" }
	exec = "$T/http.sh"
}
service other {
	port = $((P + 2))
	address = { "127.0.0.1" }
	shell = "echo other"
}
EOF
}

@test "30 reloads under 20,000 connections at concurrency 32: no failed request" {
	P=$(free_port)
	http_handler
	conf_a
	start_pinetd
	ab -n 20000 -c 32 "http://127.0.0.1:$P/" >"$T/ab.out" 2>&1 &
	abpid=$!
	wait_log 'web: connection from'
	# one at a time: signals of one kind that arrive together are one
	for i in $(seq 30); do
		if [ $((i % 2)) -eq 1 ]; then conf_b; else conf_a; fi
		kill -HUP "$PID"
		for ((w = 0; w < 600; w++)); do
			[ "$(grep -c 'reload done' "$LOG")" -ge "$i" ] && break
			sleep 0.05
		done
		[ "$(grep -c 'reload done' "$LOG")" -ge "$i" ] || { echo "reload $i not done"; return 1; }
	done
	wait "$abpid"
	cat "$T/ab.out" | grep -E 'Complete|Failed|errors|Non-2xx' || true
	grep -q 'Complete requests: *20000' "$T/ab.out"
	grep -q 'Failed requests: *0' "$T/ab.out"
	run ! grep -q 'Non-2xx' "$T/ab.out"
	run ! grep -qE 'apr_|Connection reset' "$T/ab.out"
	[ "$(grep -c 'reload done' "$LOG")" -eq 30 ]
	# the last config was conf_a: extra answers, other refuses
	[ "$(client 127.0.0.1 "$((P + 1))" </dev/null)" = extra ]
	run ! client 127.0.0.1 "$((P + 2))" </dev/null
	grep -q 'reload: web kept (listeners carried over)' "$LOG"
	grep -q 'reload: other added' "$LOG"
	grep -q 'reload: extra removed' "$LOG"
}

@test "a reload with a broken config keeps every service answering and names FILE:LINE" {
	P=$(free_port)
	http_handler
	conf_a
	start_pinetd
	cp "$CONF" "$T/good"
	printf 'service broken {\n\tport = 0\n\tshell = "true"\n}\n' >>"$CONF"
	kill -HUP "$PID"
	wait_log "reload: $CONF:[0-9]+: port: bad port '0'"
	wait_log 'reload failed: keeping the running configuration'
	[ "$(client 127.0.0.1 "$((P + 1))" </dev/null)" = extra ]
	[ "$(curl -s "http://127.0.0.1:$P/")" = ok ]
	grep -q "$CONF:12: port: bad port '0'" "$LOG"
	run ! grep -q 'broken' <(grep 'connection from' "$LOG")
}

@test "a reload that moves a service: the old port refuses, the new answers, an in-flight reply completes" {
	P=$(free_port)
	write_conf <<EOF
service slow {
	port = $P
	address = { "127.0.0.1" }
	shell = "sleep 1.5; echo finished"
}
EOF
	start_pinetd
	client 127.0.0.1 "$P" </dev/null >"$T/inflight" &
	inflight=$!
	wait_log 'slow: connection from'
	sed -i "s/port = $P/port = $((P + 3))/" "$CONF"
	kill -HUP "$PID"
	wait_log 'reload: slow changed'
	run ! client 127.0.0.1 "$P" </dev/null
	wait "$inflight"
	[ "$(cat "$T/inflight")" = finished ]
	[ "$(client 127.0.0.1 "$((P + 3))" </dev/null)" = finished ]
}

@test "a reload whose new listener cannot bind leaves that service down and the rest serving" {
	P=$(free_port)
	perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => shift, ReuseAddr => 1) or die; open(F, ">", shift); close F; sleep 30' "$((P + 5))" "$T/held" &
	blocker=$!
	wait_for test -e "$T/held"
	write_conf <<EOF
service a {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo a"
}
EOF
	start_pinetd
	cat >>"$CONF" <<EOF
service b {
	port = $((P + 5))
	address = { "127.0.0.1" }
	shell = "echo b"
}
EOF
	kill -HUP "$PID"
	wait_log "b: cannot listen on 127.0.0.1 port $((P + 5)): Address already in use"
	wait_log 'reload: b stays down'
	kill "$blocker"
	[ "$(client 127.0.0.1 "$P" </dev/null)" = a ]
	kill -0 "$PID"
}

@test "a reload that changes a service's protocol or mode reopens its socket" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo tcp"
}
EOF
	start_pinetd
	[ "$(client 127.0.0.1 "$P" </dev/null)" = tcp ]
	write_conf <<EOF
service s {
	port = $P
	protocol = udp
	address = { "127.0.0.1" }
	builtin = echo
}
EOF
	kill -HUP "$PID"
	wait_log 'reload: s changed'
	[ "$(printf 'dgram' | timeout 5 socat -t2 - "UDP:127.0.0.1:$P")" = dgram ]
	run ! client 127.0.0.1 "$P" </dev/null
	before=$(master_cpu)
	sleep 1
	[ $(( $(master_cpu) - before )) -le 5 ]
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	mode = pool
	instances = 2
	exec = "/usr/bin/perl"
	args = { "-MIO::Socket", "-e", "my \$l = IO::Socket->new_from_fd(0, 'r') or die; while (my \$c = \$l->accept) { print \$c \"pool \$\$\\\\n\"; close \$c }" }
}
EOF
	kill -HUP "$PID"
	wait_log 'reload done'
	started() { [ "$(grep -c 's: pool handler pid' "$LOG")" -ge 2 ]; }
	wait_for started
	[[ "$(client 127.0.0.1 "$P" </dev/null)" == "pool "* ]]
}

@test "a reload with builtin = none fails and the master keeps serving" {
	one_service
	start_pinetd
	printf 'service b {\n\tport = %d\n\tbuiltin = none\n}\n' "$((P + 1))" >>"$CONF"
	kill -HUP "$PID"
	wait_log "reload: $CONF:8: builtin: unknown builtin 'none'"
	wait_log 'reload failed: keeping the running configuration'
	kill -0 "$PID"
	[ "$(client 127.0.0.1 "$P" </dev/null)" = s ]
}

@test "a reload to a config with no service is refused unless it says allow_empty" {
	one_service
	start_pinetd
	echo '# nothing here yet' | write_conf
	kill -HUP "$PID"
	wait_log "reload: $CONF:1: no service defined; set allow_empty = true to run with none"
	wait_log 'reload failed: keeping the running configuration'
	[ "$(client 127.0.0.1 "$P" </dev/null)" = s ]
	printf '# really nothing\nallow_empty = true\n' | write_conf
	kill -HUP "$PID"
	wait_log 'reload done: 0 services'
	run ! client 127.0.0.1 "$P" </dev/null
}
