#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Every kind of service: builtins over TCP and UDP (RFC 862, 863, 864, 867,
# 868), UDP and TCP wait mode, unix sockets, and pools of persistent
# handlers.

load helpers

builtins_conf() {
	P=$(free_port)
	write_conf <<EOF
service echo { port = $P address = { "127.0.0.1", "::1" } builtin = echo }
service echo-udp { port = $P protocol = udp address = { "127.0.0.1", "::1" } builtin = echo }
service discard { port = $((P + 1)) address = { "127.0.0.1" } builtin = discard }
service discard-udp { port = $((P + 1)) protocol = udp address = { "127.0.0.1" } builtin = discard }
service daytime { port = $((P + 2)) address = { "127.0.0.1" } builtin = daytime }
service daytime-udp { port = $((P + 2)) protocol = udp address = { "127.0.0.1" } builtin = daytime }
service time { port = $((P + 3)) address = { "127.0.0.1" } builtin = time }
service time-udp { port = $((P + 3)) protocol = udp address = { "127.0.0.1", "::1" } builtin = time }
service chargen { port = $((P + 4)) address = { "127.0.0.1" } builtin = chargen }
service chargen-udp { port = $((P + 4)) protocol = udp address = { "127.0.0.1" } builtin = chargen }
EOF
}

# udp HOST PORT: one datagram from stdin, the reply on stdout.
udp() {
	local host=$1
	case $host in *:*) host="[$host]" ;; esac
	timeout 5 socat -t2 - "UDP:$host:$2"
}

# The RFC 864 line that starts with character number n (0 = ' ').
chargen_line() {
	perl -e 'my $n = shift; print join("", map { chr(32 + ($n + $_) % 95) } 0..71), "\r\n"' "$1"
}

@test "TCP builtins: echo, discard, daytime, time and chargen, byte for byte" {
	builtins_conf
	start_pinetd
	head -c 100000 /dev/urandom >"$T/blob"
	client 127.0.0.1 "$P" <"$T/blob" >"$T/back"
	cmp "$T/blob" "$T/back"
	[ "$(printf 'v6\n' | client ::1 "$P")" = v6 ]
	run client 127.0.0.1 "$((P + 1))" <"$T/blob"
	[ -z "$output" ]
	# daytime: a human-readable line ending in CRLF, close to now
	client 127.0.0.1 "$((P + 2))" </dev/null >"$T/daytime"
	tail -c 2 "$T/daytime" | od -An -c | grep -q '\\r  \\n'
	then=$(date -d "$(tr -d '\r\n' <"$T/daytime" | sed -E 's/^[A-Za-z]+, //; s/-([A-Z]+)$/ \1/')" +%s)
	[ $(( $(date +%s) - then )) -le 2 ]
	# time: 4 bytes, big-endian seconds since 1900
	client 127.0.0.1 "$((P + 3))" </dev/null >"$T/time"
	[ "$(stat -c %s "$T/time")" -eq 4 ]
	secs=$(perl -e 'read(STDIN, my $b, 4); print unpack("N", $b) - 2208988800' <"$T/time")
	[ $(( $(date +%s) - secs )) -le 2 ]
	# chargen: the rotating 72-character lines
	timeout 5 socat -u "TCP:127.0.0.1:$((P + 4))" - 2>/dev/null | head -c 222 >"$T/chargen" || true
	[ "$(cat "$T/chargen")" = "$(chargen_line 0; chargen_line 1; chargen_line 2)" ]
	wait_log 'chargen: pid [0-9]+ .* (killed by signal 13|exited)'
}

@test "UDP builtins: echo, discard, daytime, time and chargen; rdate reads the time" {
	builtins_conf
	start_pinetd
	[ "$(printf 'ping' | udp 127.0.0.1 "$P")" = ping ]
	[ "$(printf 'ping6' | udp ::1 "$P")" = ping6 ]
	[ -z "$(printf 'x' | udp 127.0.0.1 "$((P + 1))")" ]
	[[ "$(printf 'x' | udp 127.0.0.1 "$((P + 2))")" == *", $(date +%Y) "* ]]
	secs=$(printf 'x' | udp 127.0.0.1 "$((P + 3))" | perl -e 'read(STDIN, my $b, 4); print unpack("N", $b) - 2208988800')
	[ $(( $(date +%s) - secs )) -le 2 ]
	printf 'x' | udp 127.0.0.1 "$((P + 4))" >"$T/cg"
	[ "$(stat -c %s "$T/cg")" -eq 444 ]
	head -c 74 "$T/cg" | tail -c 2 | od -An -c | grep -q '\\r  \\n'
	# rdate over UDP and TCP, printing only
	run timeout 10 rdate -p -u -o "$((P + 3))" 127.0.0.1
	echo "$output"
	[ "$status" -eq 0 ]
	rsecs=$(date -d "$(echo "$output" | sed 's/^rdate: \[[^]]*\]\s*//')" +%s)
	[ $(( $(date +%s) - rsecs )) -le 2 ]
	run timeout 10 rdate -p -o "$((P + 3))" 127.0.0.1
	[ "$status" -eq 0 ]
}

@test "UDP builtins ignore privileged source ports (the loop defence)" {
	[ "$(id -u)" -eq 0 ] || skip "binding a source port below 1024 needs root"
	builtins_conf
	start_pinetd
	run timeout 5 socat -t2 - "UDP:127.0.0.1:$P,sourceport=$(( 600 + RANDOM % 300 ))" <<<"loop"
	[ -z "$output" ]
	[ "$(printf 'ok' | udp 127.0.0.1 "$P")" = ok ]
	# what it dropped is counted
	dropped=$(echo "status json" | timeout 5 socat - "UNIX-CONNECT:$T/ctl.sock" | tail -n +2 |
		python3 -c 'import json, sys; print([s["dropped"] for s in json.load(sys.stdin)["services"] if s["name"] == "echo-udp"][0])')
	[ "$dropped" -eq 1 ]
}

@test "a UDP wait-mode handler answers datagrams and the master does not poll its socket meanwhile" {
	P=$(free_port)
	write_handler udp.pl <<'EOF'
#!/usr/bin/perl
# Answers datagrams on stdin until 5 s pass; the master waits meanwhile.
use strict;
use IO::Select;
open(my $sock, '+<&=', 0) or die "stdin: $!";
my $sel = IO::Select->new($sock);
my $end = time + 5;
while (time < $end) {
	next unless $sel->can_read(0.2);
	my $peer = recv($sock, my $buf, 1500, 0);
	send($sock, "pid $$: " . uc($buf), 0, $peer) if defined $peer;
}
EOF
	write_conf <<EOF
service u {
	port = $P
	protocol = udp
	address = { "127.0.0.1" }
	exec = "$T/udp.pl"
}
EOF
	start_pinetd
	run udp 127.0.0.1 "$P" <<<"hello"
	[[ "$output" == "pid "*": HELLO" ]]
	hpid=${output#pid }; hpid=${hpid%%:*}
	wait_log 'u: wait handler pid [0-9]+ started'
	before=$(master_cpu)
	run udp 127.0.0.1 "$P" <<<"again"
	[ "$output" = "pid $hpid: AGAIN" ]
	sleep 3
	after=$(master_cpu)
	echo "master cpu ticks during the handler: $((after - before))"
	[ $((after - before)) -le 5 ]
	# after it exits the master takes the socket back and starts another
	wait_log "u: pid $hpid .* exited with status 0"
	run udp 127.0.0.1 "$P" <<<"third"
	[[ "$output" == "pid "*": THIRD" ]]
	[ "$output" != "pid $hpid: THIRD" ]
}

@test "a datagram service whose exec fails consumes the datagram and does not spin" {
	P=$(free_port)
	printf '#!/bin/sh\nexit 0\n' | write_handler gone.sh
	write_conf <<EOF
service u {
	port = $P
	protocol = udp
	address = { "127.0.0.1" }
	exec = "$T/gone.sh"
}
EOF
	start_pinetd
	rm "$T/gone.sh"
	printf 'x' | timeout 5 socat -t0.5 - "UDP:127.0.0.1:$P" || true
	wait_log "u: exec $T/gone.sh for the wait handler failed"
	before=$(master_cpu)
	sleep 1
	[ $(( $(master_cpu) - before )) -le 5 ]
	[ "$(grep -c 'exec .* failed' "$LOG")" -eq 1 ]
}

@test "TCP wait mode: the handler gets the listening socket and accepts by itself" {
	P=$(free_port)
	write_conf <<EOF
service w {
	port = $P
	address = { "127.0.0.1" }
	mode = wait
	exec = "/usr/bin/perl"
	args = { "-MIO::Socket", "-e", "my \$l = IO::Socket->new_from_fd(0, 'r') or die; for (1..2) { my \$c = \$l->accept or die; print \$c \"accepted by \$\$\\\\n\"; close \$c }" }
}
EOF
	start_pinetd
	a=$(client 127.0.0.1 "$P" </dev/null)
	b=$(client 127.0.0.1 "$P" </dev/null)
	[[ "$a" == "accepted by "* ]]
	[ "$a" = "$b" ]
	wait_log 'w: pid [0-9]+ from wait exited with status 0'
	c=$(client 127.0.0.1 "$P" </dev/null)
	[[ "$c" == "accepted by "* ]]
	[ "$c" != "$a" ]
}

@test "unix stream: owner, group and mode as configured, peer credentials, stale file replaced, removed at stop" {
	[ "$(id -u)" -eq 0 ] || skip "socket_owner needs root"
	S=$T/svc.sock
	perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => shift, Listen => 1) or die' "$S"
	[ -S "$S" ]
	write_conf <<EOF
service u {
	protocol = unix
	path = "$S"
	socket_owner = "nobody"
	socket_group = "daemon"
	socket_mode = "0660"
	shell = "env | grep -E '^(PROTO|UNIX)' | sort"
}
EOF
	start_pinetd
	[ "$(stat -c '%U %G %a' "$S")" = "nobody daemon 660" ]
	timeout 5 socat - "UNIX-CONNECT:$S" </dev/null >"$T/env" &
	cpid=$!
	wait "$cpid"
	cat "$T/env"
	grep -qx 'PROTO=UNIX' "$T/env"
	grep -qx 'UNIXREMOTEEUID=0' "$T/env"
	grep -qx 'UNIXREMOTEEGID=0' "$T/env"
	grep -qE '^UNIXREMOTEPID=[0-9]+$' "$T/env"
	stop_pinetd
	[ ! -e "$S" ]
}

@test "unix: a path held by something that is not a socket is left alone and reported" {
	echo precious >"$T/file"
	write_conf <<EOF
service u {
	protocol = unix
	path = "$T/file"
	shell = "true"
}
EOF
	run "$PINETD" -f "$CONF" -c "$T/ctl.sock"
	[ "$status" -eq 111 ]
	[[ "$output" == *"u: cannot listen on $T/file"*"File exists"* ]]
	[ "$(cat "$T/file")" = precious ]
}

@test "unix-dgram: a wait-mode handler gets the socket" {
	S=$T/dg.sock
	write_handler dg.pl <<'EOF'
#!/usr/bin/perl
my $from = recv(STDIN, my $buf, 1500, 0);
open(my $f, '>', $ARGV[0]) or die;
print $f "got $buf";
EOF
	write_conf <<EOF
service dg {
	protocol = unix-dgram
	path = "$S"
	socket_mode = "0666"
	exec = "$T/dg.pl"
	args = { "$T/out" }
	user = "root"
}
EOF
	start_pinetd
	printf 'datagram' | timeout 5 socat - "UNIX-SENDTO:$S"
	wait_for test -s "$T/out"
	[ "$(cat "$T/out")" = "got datagram" ]
}

pool_conf() {
	P=$(free_port)
	write_handler pool.pl <<'EOF'
#!/usr/bin/perl
# A classic accept loop: the listening socket comes on STDIN.
use strict;
use IO::Socket;
my $l = IO::Socket->new_from_fd(0, 'r') or die "no socket: $!";
while (my $c = $l->accept) {
	my $line = <$c>;
	print $c "$$\n";
	close $c;
}
EOF
	write_conf <<EOF
service pool {
	port = $P
	address = { "127.0.0.1" }
	mode = pool
	instances = 4
	exec = "$T/pool.pl"
}
EOF
}

@test "pool mode: 4 persistent handlers serve 2,000 connections; a killed one is replaced" {
	pool_conf
	start_pinetd
	started() { [ "$(grep -c 'pool: pool handler pid [0-9]* started' "$LOG")" -ge 4 ]; }
	wait_for started
	perl -MIO::Socket::INET -e '
		my %pids;
		for (1..2000) {
			my $s = IO::Socket::INET->new("127.0.0.1:$ARGV[0]") or die "connect: $!";
			print $s "hi\n";
			my $p = <$s>;
			die "no answer" unless defined $p;
			chomp $p;
			$pids{$p}++;
		}
		print join(" ", sort keys %pids), "\n";' "$P" >"$T/pids"
	cat "$T/pids"
	[ "$(wc -w <"$T/pids")" -le 4 ]
	[ "$(wc -w <"$T/pids")" -ge 1 ]
	run ! grep -q 'pool: connection from' "$LOG"
	victim=$(cut -d' ' -f1 "$T/pids")
	sleep 1.1	# old enough not to count as crash-looping
	kill -9 "$victim"
	wait_log "pool: pid $victim from pool killed by signal 9"
	replaced() { [ "$(grep -c 'pool: pool handler pid [0-9]* started' "$LOG")" -ge 5 ]; }
	wait_for replaced
	run ! grep -q 'crash-looping' "$LOG"
}

@test "pool mode: a handler that exits at once is restarted with growing delays" {
	P=$(free_port)
	write_conf <<EOF
service bad {
	port = $P
	address = { "127.0.0.1" }
	mode = pool
	instances = 1
	shell = "exit 1"
}
EOF
	start_pinetd
	wait_log 'bad: pool handler exited after [0-9]+ ms; crash-looping, restarting in 100 ms'
	wait_log 'restarting in 200 ms'
	wait_log 'restarting in 400 ms'
	sleep 1
	# growing delays: few restarts, not a tight loop
	[ "$(grep -c 'bad: pool handler pid' "$LOG")" -le 8 ]
	kill -0 "$PID"
}

@test "a wait handler that returns at once without reading is throttled, not restarted for ever" {
	P=$(free_port)
	write_conf <<EOF
service lazy {
	port = $P
	protocol = udp
	address = { "127.0.0.1" }
	shell = "exit 0"
}
EOF
	start_pinetd
	printf 'x' | timeout 5 socat -t0.2 - "UDP:127.0.0.1:$P" || true
	wait_log 'lazy: 50 wait handlers in a row returned within a second; not watching the socket for 1000 ms'
	n1=$(grep -c 'lazy: wait handler pid' "$LOG")
	sleep 0.5
	n2=$(grep -c 'lazy: wait handler pid' "$LOG")
	# resting: no handler started in the pause
	[ "$n2" -le "$((n1 + 1))" ]
	kill -0 "$PID"
}

@test "a unix socket another process still serves is not taken over; an allow list does not refuse unix peers" {
	S=$T/live.sock
	write_conf <<EOF
defaults { allow = { "192.0.2.0/24" } }
service u {
	protocol = unix
	path = "$S"
	shell = "echo unix ok"
}
EOF
	start_pinetd
	[ "$(timeout 5 socat - "UNIX-CONNECT:$S" </dev/null)" = "unix ok" ]
	run timeout 10 "$PINETD" -f "$CONF" -c "$T/ctl2.sock"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"u: cannot listen on $S"*"Address already in use"* ]]
	[ "$(timeout 5 socat - "UNIX-CONNECT:$S" </dev/null)" = "unix ok" ]
}
