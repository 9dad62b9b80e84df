#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Admission policy: access lists, per-source, instance, global and rate
# limits, handler time and resource limits, and the master surviving a
# machine that runs out of fds or processes. Distinct loopback source
# addresses (127.0.0.2, 127.0.0.3, ...) act as different clients.

load helpers

# from SRC HOST PORT: a client bound to source address SRC.
from() {
	local src=$1 host=$2
	case $host in *:*) host="[$host]" ;; esac
	timeout 10 socat -t 5 - "TCP:$host:$3,bind=$src"
}

@test "allow and deny lists, IPv4 and IPv6, most specific match wins, refusals logged" {
	P=$(free_port)
	write_conf <<EOF
service only2 {
	port = $P
	address = { "127.0.0.1" }
	allow = { "127.0.0.2/32" }
	reject_message = "go away"
	shell = "echo hi"
}
service specific {
	port = $((P + 1))
	address = { "127.0.0.1" }
	deny = { "127.0.0.0/8" }
	allow = { "127.0.0.5" }
	shell = "echo hi"
}
service nov4 {
	port = $((P + 2))
	address = { "127.0.0.1", "::1" }
	deny = { "0.0.0.0/0" }
	shell = "echo hi"
}
service v6only {
	port = $((P + 3))
	address = { "127.0.0.1", "::1" }
	allow = { "::1/128" }
	shell = "echo hi"
}
service net30 {
	port = $((P + 4))
	address = { "127.0.0.1" }
	allow = { "127.0.0.4/30" }
	deny = { "127.0.0.6" }
	shell = "echo hi"
}
EOF
	start_pinetd
	[ "$(from 127.0.0.2 127.0.0.1 "$P" </dev/null)" = hi ]
	run from 127.0.0.3 127.0.0.1 "$P" </dev/null
	[ "$output" = $'go away\r' ]
	wait_log "only2: refused 127\\.0\\.0\\.3 port [0-9]+ \\(deny\\)"
	[ "$(from 127.0.0.5 127.0.0.1 "$((P + 1))" </dev/null)" = hi ]
	[ -z "$(from 127.0.0.6 127.0.0.1 "$((P + 1))" </dev/null)" ]
	wait_log "specific: refused 127\\.0\\.0\\.6 port [0-9]+ \\(deny\\)"
	[ -z "$(client 127.0.0.1 "$((P + 2))" </dev/null)" ]
	[ "$(client ::1 "$((P + 2))" </dev/null)" = hi ]
	[ "$(client ::1 "$((P + 3))" </dev/null)" = hi ]
	[ -z "$(client 127.0.0.1 "$((P + 3))" </dev/null)" ]
	wait_log "v6only: refused 127\\.0\\.0\\.1 port [0-9]+ \\(deny\\)"
	# /30 edges: .4-.7 allowed, .6 denied, .8 outside
	[ "$(from 127.0.0.4 127.0.0.1 "$((P + 4))" </dev/null)" = hi ]
	[ "$(from 127.0.0.7 127.0.0.1 "$((P + 4))" </dev/null)" = hi ]
	[ -z "$(from 127.0.0.6 127.0.0.1 "$((P + 4))" </dev/null)" ]
	[ -z "$(from 127.0.0.8 127.0.0.1 "$((P + 4))" </dev/null)" ]
	# no handler ran for a refused client
	[ "$(grep -c 'only2: connection from' "$LOG")" -eq 1 ]
}

@test "a bad allow or deny entry is a FILE:LINE error" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	allow = { "127.0.0.1/33" }
	deny = { "example.org" }
	shell = "echo hi"
}
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CONF:3: allow: bad entry '127.0.0.1/33': want an IPv4 or IPv6 address or prefix (ADDRESS/BITS)"* ]]
	[[ "$output" == *"$CONF:4: deny: bad entry 'example.org'"* ]]
}

@test "per_source = 2: a third connection from a busy source is refused, another source is served" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	per_source = 2
	shell = "read x; echo got \$x"
}
EOF
	start_pinetd
	(sleep 4 | from 127.0.0.2 127.0.0.1 "$P" >/dev/null) &
	(sleep 4 | from 127.0.0.2 127.0.0.1 "$P" >/dev/null) &
	wait_log 's: connection from 127\.0\.0\.2.*2 running'
	run from 127.0.0.2 127.0.0.1 "$P" <<<"three"
	[ -z "$output" ]
	wait_log "s: refused 127\\.0\\.0\\.2 port [0-9]+ \\(per_source\\)"
	for i in 1 2 3; do
		[ "$(from 127.0.0.3 127.0.0.1 "$P" <<<"x$i")" = "got x$i" ]
	done
}

@test "rate: the N+1th connection inside the window is refused, and accepted after it" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	rate = 3
	rate_window = 2
	shell = "echo ok"
}
EOF
	start_pinetd
	for i in 1 2 3; do
		[ "$(from 127.0.0.2 127.0.0.1 "$P" </dev/null)" = ok ]
	done
	[ -z "$(from 127.0.0.2 127.0.0.1 "$P" </dev/null)" ]
	wait_log "s: refused 127\\.0\\.0\\.2 port [0-9]+ \\(rate\\)"
	# another source is not affected
	[ "$(from 127.0.0.3 127.0.0.1 "$P" </dev/null)" = ok ]
	sleep 2.1
	[ "$(from 127.0.0.2 127.0.0.1 "$P" </dev/null)" = ok ]
}

@test "service_rate refuses past N per second and the service keeps serving after" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	service_rate = 2
	shell = "echo ok"
}
EOF
	start_pinetd
	ok=0
	for i in 1 2 3 4 5 6; do
		[ "$(client 127.0.0.1 "$P" </dev/null)" = ok ] && ok=$((ok + 1))
	done
	[ "$ok" -lt 6 ]
	wait_log "s: refused 127\\.0\\.0\\.1 port [0-9]+ \\(service_rate\\)"
	sleep 1.1
	[ "$(client 127.0.0.1 "$P" </dev/null)" = ok ]
}

# A handler that records how many copies of itself run at once.
concurrency_handler() {
	write_handler conc.sh <<EOF
#!/bin/sh
exec 9>>$T/lock
flock 9
n=\$(( \$(cat $T/now 2>/dev/null || echo 0) + 1 ))
echo \$n >$T/now
max=\$(cat $T/max 2>/dev/null || echo 0)
[ \$n -gt \$max ] && echo \$n >$T/max
flock -u 9
sleep 0.3
flock 9
echo \$(( \$(cat $T/now) - 1 )) >$T/now
flock -u 9
echo done
EOF
	: >"$T/lock"
	chmod 666 "$T/lock"
	chmod 777 "$T"
}

@test "max_instances with queue: 20 concurrent clients all complete, never more than 4 at once" {
	P=$(free_port)
	concurrency_handler
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	max_instances = 4
	exec = "$T/conc.sh"
}
EOF
	start_pinetd
	pids=()
	for i in $(seq 20); do
		client 127.0.0.1 "$P" </dev/null >"$T/out.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(cat "$T"/out.* | grep -c done)" -eq 20 ]
	echo "max concurrency: $(cat "$T/max")"
	[ "$(cat "$T/max")" -le 4 ]
	[ "$(cat "$T/max")" -ge 2 ]
	run ! grep -q ': refused ' "$LOG"
}

@test "max_instances with reject: extras are refused at once" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	max_instances = 2
	on_limit = reject
	reject_message = "busy"
	shell = "sleep 3; echo slow"
}
EOF
	start_pinetd
	(client 127.0.0.1 "$P" </dev/null >/dev/null) &
	(client 127.0.0.1 "$P" </dev/null >/dev/null) &
	wait_log 's: connection from .*2 running'
	start=$(date +%s%N)
	run client 127.0.0.1 "$P" </dev/null
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$output" = $'busy\r' ]
	[ "$elapsed" -lt 2000 ]
	wait_log "s: refused 127\\.0\\.0\\.1 port [0-9]+ \\(instances\\)"
}

@test "max_children limits handlers across services" {
	P=$(free_port)
	write_conf <<EOF
max_children = 1
defaults { on_limit = reject }
service a {
	port = $P
	address = { "127.0.0.1" }
	shell = "sleep 2; echo a"
}
service b {
	port = $((P + 1))
	address = { "127.0.0.1" }
	shell = "echo b"
}
EOF
	start_pinetd
	(client 127.0.0.1 "$P" </dev/null >/dev/null) &
	wait_log 'a: connection from'
	[ -z "$(client 127.0.0.1 "$((P + 1))" </dev/null)" ]
	wait_log "b: refused 127\\.0\\.0\\.1 port [0-9]+ \\(global\\)"
	wait_log 'a: pid [0-9]+ .* exited'
	[ "$(client 127.0.0.1 "$((P + 1))" </dev/null)" = b ]
}

@test "timeout kills a handler that sleeps forever, with SIGKILL if it ignores SIGTERM" {
	P=$(free_port)
	write_conf <<EOF
service sleeper {
	port = $P
	address = { "127.0.0.1" }
	timeout = 1
	shell = "exec sleep 1000"
}
service stubborn {
	port = $((P + 1))
	address = { "127.0.0.1" }
	timeout = 1
	kill_grace = 1
	shell = "trap '' TERM; echo started; while :; do sleep 0.1; done"
}
EOF
	start_pinetd
	start=$(date +%s)
	client 127.0.0.1 "$P" </dev/null || true
	wait_log 'sleeper: pid [0-9]+ .* timed out after 1s; sending SIGTERM'
	wait_log 'sleeper: pid [0-9]+ .* killed by signal 15 .*\(timeout\)'
	[ $(( $(date +%s) - start )) -lt 5 ]
	client 127.0.0.1 "$((P + 1))" </dev/null >/dev/null || true
	wait_log 'stubborn: pid [0-9]+ .* still running 1s after SIGTERM; sending SIGKILL'
	wait_log 'stubborn: pid [0-9]+ .* killed by signal 9 .*\(timeout\)'
}

@test "rlimits, nice, umask and chdir are what the handler observes" {
	P=$(free_port)
	mkdir "$T/work"
	write_conf <<EOF
service limits {
	port = $P
	address = { "127.0.0.1" }
	rlimit_nofile = 77
	rlimit_nproc = 55
	rlimit_as = 536870912
	rlimit_cpu = 33
	rlimit_core = 0
	nice = 7
	umask = "027"
	chdir = "$T/work"
	exec = "/bin/bash"
	args = { "-c", "ulimit -n; ulimit -u; ulimit -v; ulimit -t; ulimit -c; nice; umask; pwd" }
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	echo "$output"
	[ "$output" = "$(printf '77\n55\n524288\n33\n0\n7\n0027\n%s' "$T/work")" ]
}

@test "chroot: the handler runs inside it and its path is resolved there" {
	[ "$(id -u)" -eq 0 ] || skip "chroot needs root"
	P=$(free_port)
	R=$T/root
	mkdir -p "$R/bin" "$R/etc"
	cp /bin/dash "$R/bin/sh"
	for lib in $(ldd /bin/dash | grep -oE '/[^ ]+'); do
		mkdir -p "$R$(dirname "$lib")"
		cp "$lib" "$R$lib"
	done
	echo "inside" >"$R/etc/marker"
	write_conf <<EOF
service jail {
	port = $P
	address = { "127.0.0.1" }
	chroot = "$R"
	exec = "/bin/sh"
	args = { "-c", "read m </etc/marker; echo \$m \$PWD" }
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	echo "$output"
	[ "$output" = "inside /" ]
}

@test "a handler failing at once over and over is logged as looping and backed off" {
	P=$(free_port)
	write_conf <<EOF
service broken {
	port = $P
	address = { "127.0.0.1" }
	shell = "exec /nonexistent/program"
}
EOF
	start_pinetd
	for i in $(seq 12); do
		timeout 2 socat -t1 - "TCP:127.0.0.1:$P,connect-timeout=1" </dev/null >/dev/null 2>&1 || true
	done
	# growing delays, and it resumes by itself (queued clients are served)
	wait_log 'broken: looping: 5 handlers in a row failed within a second; not accepting for 1000 ms'
	wait_log 'broken: looping: 5 handlers in a row failed within a second; not accepting for 2000 ms'
	first=$(grep -n 'not accepting for 1000 ms' "$LOG" | cut -d: -f1)
	second=$(grep -n 'not accepting for 2000 ms' "$LOG" | cut -d: -f1)
	[ "$(sed -n "${first},${second}p" "$LOG" | grep -c 'broken: connection from')" -eq 5 ]
	kill -0 "$PID"
}

@test "accept hitting EMFILE pauses, logs boundedly, and the service comes back" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	prefork = 0
	shell = "sleep 1; echo ok"
}
EOF
	# room for the master's own fds and a couple of handlers' pipes
	"$PINETD" -f "$CONF" -v -c "$T/ctl.sock" >"$LOG" 2>&1 &
	PID=$!
	wait_log 'ready:'
	prlimit --pid "$PID" --nofile=$(( $(fd_count "$PID") + 3 )):
	pids=()
	for i in $(seq 30); do
		client 127.0.0.1 "$P" </dev/null >"$T/o.$i" 2>/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	kill -0 "$PID"
	grep -qE 'pausing the listener|not accepting for' "$LOG"
	# bounded: ten lines a second at most per call site
	[ "$(grep -cE 'pausing the listener|not accepting for|suppressed' "$LOG")" -lt 100 ]
	prlimit --pid "$PID" --nofile=1024:
	[ "$(client 127.0.0.1 "$P" </dev/null)" = ok ]
}

@test "fork failing (RLIMIT_NPROC) leaves the master alive and the service restored" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run the master as another user"
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	prefork = 0
	shell = "sleep 1; echo ok"
}
EOF
	# a user of its own may run 4 processes: the master and a handler or so
	getent passwd pinetd-test >/dev/null ||
		useradd -r -M -s /usr/sbin/nologin -G adm,dialout pinetd-test
	mkdir -m 777 "$T/run"
	setpriv --reuid=pinetd-test --regid=pinetd-test --clear-groups \
	    bash -c 'ulimit -u 4 && exec "$0" -f "$1" -v -c "$2"' \
	    "$PINETD" "$CONF" "$T/run/ctl.sock" >"$LOG" 2>&1 &
	PID=$!
	wait_log 'ready:'
	pids=()
	for i in $(seq 20); do
		client 127.0.0.1 "$P" </dev/null >"$T/o.$i" 2>/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	kill -0 "$PID"
	grep -q 'cannot start a handler for .*Resource temporarily unavailable' "$LOG"
	[ "$(grep -cE 'cannot start a handler|suppressed' "$LOG")" -lt 100 ]
	# once the burst's handlers are gone, it serves again by itself
	sleep 1.5
	[ "$(client 127.0.0.1 "$P" </dev/null)" = ok ]
}

@test "ab floods a rate-limited service from one source; a second source sees zero failures" {
	P=$(free_port)
	write_conf <<EOF
service web {
	port = $P
	address = { "127.0.0.1" }
	rate = 50
	shell = "read req; printf 'HTTP/1.0 200 OK\\\\r\\\\nContent-Length: 3\\\\r\\\\n\\\\r\\\\nok\\\\n'"
}
EOF
	start_pinetd
	ab -n 5000 -c 50 -r "http://127.0.0.1:$P/" >"$T/ab.out" 2>&1 &
	abpid=$!
	fails=0
	for i in $(seq 20); do
		out=$(curl -s --max-time 5 --interface 127.0.0.2 "http://127.0.0.1:$P/") || out=
		[ "$out" = ok ] || fails=$((fails + 1))
	done
	wait "$abpid" || true
	grep -E 'Complete requests|Failed requests' "$T/ab.out"
	echo "second source failures: $fails"
	[ "$fails" -eq 0 ]
	grep -q "web: refused 127\\.0\\.0\\.1 port [0-9]+ (rate)" "$LOG" ||
		grep -qE "web: refused 127\.0\.0\.1 port [0-9]+ \(rate\)" "$LOG"
	kill -0 "$PID"
}
