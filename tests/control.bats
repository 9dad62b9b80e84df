#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The control socket and pinetctl: status as a table and as JSON, who may
# connect, the socket file's life, SIGUSR1, reload and check, and clients
# that never send a command.

load helpers

PINETCTL=$PINETD_BUILD/src/pinetctl

ctl() {
	"$PINETCTL" -s "$T/ctl.sock" "$@"
}

# row NAME: the service's row of `pinetctl status`, spaces squeezed.
row() {
	ctl status | tr -s ' ' | grep "^$1 "
}

# A JSON document on stdin, parsed by python and printed as rows of
# "name accepted exited_ok exited_fail killed exec_failed last_exit".
json_rows() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["services"]:
    print(s["name"], s["accepted"], s["exited_ok"], s["exited_fail"],
          s["killed"], s["exec_failed"], json.dumps(s["last_exit"]))'
}

# four_services: ok (a handler that answers), gone (one to remove), pool
# (two workers, two addresses), and a disabled one with an odd name.
four_services() {
	P=$(free_port)
	write_handler ok <<<'#!/bin/sh
echo hi'
	write_handler gone <<<'#!/bin/sh
echo never'
	write_conf <<EOF
service ok {
	port = $P
	address = { "127.0.0.1" }
	exec = "$T/ok"
	prefork = $PREFORK
}
service gone {
	port = $((P + 1))
	address = { "127.0.0.1" }
	exec = "$T/gone"
	prefork = 0
}
service pool {
	port = $((P + 2))
	address = { "127.0.0.1", "::1" }
	exec = "/bin/cat"
	prefork = 2
}
service "odd \\"name\\" \\\\ here" {
	port = $((P + 3))
	enabled = false
	shell = "true"
}
EOF
}

pool_ready() {
	[ "$(row pool | cut -d' ' -f6)" = 2/2 ]
}

@test "status lists each service with its counters, as a table and as JSON" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	four_services
	start_pinetd
	for i in 1 2 3; do
		run client 127.0.0.1 "$P" </dev/null
		[ "$output" = hi ]
	done
	rm "$T/gone"
	client 127.0.0.1 "$((P + 1))" </dev/null || true
	wait_log 'gone: exec .* failed'
	ok_exits() { [ "$(grep -c 'ok: pid .* exited with status 0' "$LOG")" -eq 3 ]; }
	wait_for ok_exits
	wait_for pool_ready

	run ctl status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^pinetd\ [0-9.]+:\ pid\ $PID,\ up\ [0-9]+s,\ 4\ services,\ 0\ handlers\ running,\ [0-9]+\ children$ ]]
	[ "$(echo "${lines[1]}" | tr -s ' ')" = "SERVICE PROTO LISTEN MODE RUNNING POOL ACCEPTED REFUSED OK FAIL KILLED EXECFAIL LAST" ]
	pool="-"
	[ "$PREFORK" -eq 0 ] || pool="[0-9]+/$PREFORK"
	[[ "$(row ok)" =~ ^ok\ tcp\ 127.0.0.1:$P\ nowait\ 0/-\ $pool\ 3\ 0\ 3\ 0\ 0\ 0\ exit\ 0$ ]]
	[ "$(row gone)" = "gone tcp 127.0.0.1:$((P + 1)) nowait 0/- - 1 0 0 0 0 1 -" ]
	[ "$(row pool)" = "pool tcp 127.0.0.1:$((P + 2)),[::1]:$((P + 2)) nowait 0/- 2/2 0 0 0 0 0 0 -" ]
	[ "$(row odd)" = 'odd "name" \ here tcp disabled nowait 0/- - 0 0 0 0 0 0 -' ]

	run ctl status --json
	[ "$status" -eq 0 ]
	python3 -m json.tool <<<"$output" >/dev/null
	json=$output
	run json_rows <<<"$json"
	echo "$output"
	[ "$output" = 'ok 3 3 0 0 0 {"status": 0}
gone 1 0 0 0 1 null
pool 0 0 0 0 0 null
odd "name" \ here 0 0 0 0 0 null' ]
	python3 -c '
import json, sys
d = json.load(sys.stdin)
port = int(sys.argv[2])
assert d["pid"] == int(sys.argv[1]) and d["handlers_running"] == 0
p = [s for s in d["services"] if s["name"] == "pool"][0]
assert p["listen"] == ["127.0.0.1:%d" % port, "[::1]:%d" % port]
assert p["idle"] == 2 and p["prefork"] == 2 and p["mode"] == "nowait"
assert p["protocol"] == "tcp"
assert p["max"] is None and p["refused"]["deny"] == 0
o = [s for s in d["services"] if s["name"].startswith("odd")][0]
assert o["enabled"] is False and o["listen"] == []' "$PID" "$((P + 2))" <<<"$json"
}

@test "status shows the protocol, a unix socket's path, and wait and pool modes" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	P=$(free_port)
	write_handler pool.pl <<'PERL'
#!/usr/bin/perl
use IO::Socket;
my $l = IO::Socket->new_from_fd(0, "r") or die;
while (my $c = $l->accept) { print $c "pool\n"; close $c; }
PERL
	write_conf <<EOF
service e {
	port = $P
	address = { "127.0.0.1" }
	builtin = echo
}
service d {
	port = $P
	protocol = udp
	address = { "127.0.0.1" }
	builtin = daytime
}
service u {
	protocol = unix
	path = "$T/u.sock"
	exec = "/bin/cat"
}
service w {
	port = $((P + 1))
	address = { "127.0.0.1" }
	mode = wait
	exec = "/bin/cat"
}
service p {
	port = $((P + 2))
	address = { "127.0.0.1" }
	mode = pool
	instances = 2
	exec = "$T/pool.pl"
}
EOF
	start_pinetd
	pool_up() { [ "$(row p | cut -d' ' -f5)" = 2/2 ]; }
	wait_for pool_up
	[ "$(client 127.0.0.1 "$((P + 2))" </dev/null)" = pool ]
	run ctl status
	echo "$output"
	[ "$(row e | cut -d' ' -f1-4)" = "e tcp 127.0.0.1:$P nowait" ]
	[ "$(row d | cut -d' ' -f1-4)" = "d udp 127.0.0.1:$P nowait" ]
	[ "$(row u | cut -d' ' -f1-4)" = "u unix $T/u.sock nowait" ]
	[ "$(row w | cut -d' ' -f1-5)" = "w tcp 127.0.0.1:$((P + 1)) wait 0/-" ]
	[ "$(row p | cut -d' ' -f1-5)" = "p tcp 127.0.0.1:$((P + 2)) pool 2/2" ]
	run ctl status --json
	python3 -c '
import json, sys
d = {s["name"]: s for s in json.load(sys.stdin)["services"]}
assert d["u"]["protocol"] == "unix" and d["u"]["listen"] == [sys.argv[1]]
assert d["d"]["protocol"] == "udp" and d["w"]["mode"] == "wait"
assert d["p"]["mode"] == "pool" and d["p"]["max"] == 2' "$T/u.sock" <<<"$output"
}

@test "a handler killed by a signal shows as running, then as that signal" {
	P=$(free_port)
	write_conf <<EOF
service sleepy {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo up; exec sleep 30"
	prefork = 0
}
EOF
	start_pinetd
	timeout 10 socat -u "TCP:127.0.0.1:$P" - >"$T/out" &
	wait_for grep -q up "$T/out"
	[ "$(row sleepy | cut -d' ' -f5)" = 1/- ]
	kill -KILL "$(children_of "$PID")"
	wait_log 'killed by signal 9'
	[ "$(row sleepy)" = "sleepy tcp 127.0.0.1:$P nowait 0/- - 1 0 0 0 1 0 signal 9" ]
}

@test "a user other than root and the daemon's is refused, and that is logged" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as another user"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOF
	start_pinetd
	as_nobody() {
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		    "$PINETCTL" -s "$T/ctl.sock" "$@"
	}
	# mode 0600: the file system refuses the connection already
	run as_nobody status
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"ctl.sock: Permission denied"* ]]
	# loosened by hand: the daemon still checks the peer's uid
	chmod 666 "$T/ctl.sock"
	run as_nobody status
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "permission denied" ]
	wait_log "control: refused uid $(id -u nobody), pid [0-9]+: only root may use $T/ctl.sock"
	run ctl status
	[ "$status" -eq 0 ]
}

@test "the socket is made 0600, replaces a stale one, keeps a live one or a file, and goes at exit" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOF
	# a socket that nobody listens on any more, left behind
	perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0], Listen => 1) or die "$!"' "$T/ctl.sock"
	[ -S "$T/ctl.sock" ]
	start_pinetd
	wait_log "control socket $T/ctl.sock: replaced a stale socket"
	[ "$(stat -c '%a %F' "$T/ctl.sock")" = "600 socket" ]
	run ctl status
	[ "$status" -eq 0 ]

	# a second daemon on the same socket does not take it over
	P2=$(free_port)
	sed "s/port = $P/port = $P2/" "$CONF" >"$T/second.conf"
	chmod 644 "$T/second.conf"
	run "$PINETD" -f "$T/second.conf" -c "$T/ctl.sock"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"control socket $T/ctl.sock: in use by another process"* ]]
	run ctl status
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"pid $PID,"* ]]

	stop_pinetd
	[ ! -e "$T/ctl.sock" ]

	# anything but a socket is left alone, and nothing is served
	echo keep >"$T/ctl.sock"
	run "$PINETD" -f "$CONF" -c "$T/ctl.sock"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"control socket $T/ctl.sock: exists and is not a socket; not replacing it"* ]]
	[ "$(cat "$T/ctl.sock")" = keep ]
	run ! grep -q "127.0.0.1:$P " <<<"$(ss -ltn)"
}

@test "SIGUSR1 writes the status table to the log, a line per row" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
	prefork = 0
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	wait_log 's: pid .* exited with status 0'
	kill -USR1 "$PID"
	wait_log "pinetd\[$PID\]: SERVICE +PROTO +LISTEN +MODE"
	grep -E "pinetd\[$PID\]: pinetd [0-9.]+: pid $PID, up [0-9]+s, 1 services" "$LOG"
	grep -E "pinetd\[$PID\]: s +tcp +127.0.0.1:$P +nowait +0/- +- +1 +0 +1 +0 +0 +0 +exit 0$" "$LOG"
	kill -0 "$PID"
}

@test "pinetctl reload applies a config or reports its errors; bad commands and usage are errors" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOF
	start_pinetd
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reloaded: 1 services, 1 listeners"* ]]
	wait_log 'reload done: 1 services'
	printf 'service bad {\n\tport = 0\n\tshell = "x"\n}\n' >>"$CONF"
	run ctl reload
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CONF:7: port: bad port '0'"* ]]
	wait_log 'reload failed: keeping the running configuration'
	[ "$(client 127.0.0.1 "$P" </dev/null)" = s ]

	# the protocol itself
	run timeout 10 socat - "UNIX-CONNECT:$T/ctl.sock" <<<"status"
	[ "${lines[0]}" = OK ]
	[[ "${lines[1]}" == "pinetd "* ]]
	run timeout 10 socat - "UNIX-CONNECT:$T/ctl.sock" <<<"reload"
	[ "${lines[0]}" = "ERR reload failed" ] || [[ "${lines[0]}" == ERR* ]]
	run timeout 10 socat - "UNIX-CONNECT:$T/ctl.sock" <<<"bogus"
	[ "$output" = "ERR unknown command 'bogus'" ]
	run timeout 10 socat - "UNIX-CONNECT:$T/ctl.sock" <<<"status xml"
	[ "$output" = "ERR status: bad arguments" ]
	run timeout 10 socat - "UNIX-CONNECT:$T/ctl.sock" < <(head -c 1000 /dev/zero | tr '\0' a)
	[ "$output" = "ERR command too long" ]

	run "$PINETCTL"
	[ "$status" -eq 100 ]
	[[ "$output" == "usage: pinetctl"* ]]
	run ctl frobnicate
	[ "$status" -eq 100 ]
	run ctl status --yaml
	[ "$status" -eq 100 ]
	run "$PINETCTL" -s "$T/nothing.sock" status
	[ "$status" -eq 111 ]
	[[ "$output" == *"nothing.sock: No such file or directory"* ]]
	kill -0 "$PID"
}

@test "pinetctl check passes pinetd -t's output and exit status through" {
	write_conf <<EOF
service s {
	port = 7
	shell = "echo s"
}
EOF
	run env PINETD="$PINETD" "$PINETCTL" check "$CONF"
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
	cat >"$T/bad.conf" <<EOF
service s {
	shell = "echo s"

	port = 99999
}
EOF
	chmod 644 "$T/bad.conf"
	run env PINETD="$PINETD" "$PINETCTL" check "$T/bad.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^$T/bad.conf:4:\ .*99999 ]]
	[ "$output" = "$("$PINETD" -t -f "$T/bad.conf" 2>&1)" ]
	run env PINETD="$T/no-such-pinetd" "$PINETCTL" check "$CONF"
	[ "$status" -eq 111 ]
	[[ "$output" == *"cannot run $T/no-such-pinetd"* ]]
}

@test "clients that send nothing hold up neither other clients nor services, and are dropped" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOF
	start_pinetd
	# three silent clients: connected, never writing
	for i in 1 2 3; do
		sleep 20 | timeout 20 socat - "UNIX-CONNECT:$T/ctl.sock" >"$T/silent$i" &
	done
	sockets() { [ "$(find "/proc/$PID/fd" -lname 'socket:*' | wc -l)" -ge "$1" ]; }
	wait_for sockets 4
	run ctl status
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "pinetd "* ]]
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	# eight at once at most: a ninth is turned away, not queued
	for i in 4 5 6 7 8; do
		sleep 20 | timeout 20 socat - "UNIX-CONNECT:$T/ctl.sock" >"$T/silent$i" &
	done
	busy() { ctl status 2>&1 | grep -qx busy; }
	wait_for busy
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	# five seconds after connecting, each is dropped without a word
	dropped() { [ "$(grep -c 'did not finish within 5 s; dropped' "$LOG")" -eq 8 ]; }
	wait_log 'control: client pid [0-9]+ did not finish within 5 s; dropped' 10
	wait_for dropped
	for i in 1 2 3 4 5 6 7 8; do
		[ ! -s "$T/silent$i" ]
	done
	run ctl status
	[ "$status" -eq 0 ]
}
