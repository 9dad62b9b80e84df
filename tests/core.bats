#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The core: bind, accept, spawn the handler with the client on stdin and
# stdout, the UCSPI environment, credentials, fds, failures, reaping.
# Every test runs with PINETD_TEST_PREFORK workers (0: spawn only).

load helpers

# base_conf < services: a config with the run's prefork default.
base_conf() {
	{
		echo "defaults { prefork = $PREFORK env = { \"GREETING=overridden\" } }"
		cat
	} | write_conf
}

@test "bytes round-trip through an exec handler over IPv4 and IPv6" {
	P=$(free_port)
	cp "$FACTOR" "$T/factor"
	base_conf <<EOF
service factor {
	port = $P
	address = { "127.0.0.1", "::1" }
	exec = "$T/factor"
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" <<<"1234567"
	[ "$output" = "1234567: 127 9721" ]
	run client ::1 "$P" <<<"$(printf '12\n97\n')"
	[ "$output" = "$(printf '12: 2 2 3\n97: 97')" ]
}

@test "bytes round-trip through a shell handler over IPv4 and IPv6, binary-clean" {
	P=$(free_port)
	base_conf <<EOF
service reverse {
	port = $P
	address = { "127.0.0.1", "::1" }
	shell = "while IFS= read -r l; do printf '%s\\\\n' \"\$l\" | rev; done"
}
service cat {
	port = $((P + 1))
	address = { "127.0.0.1" }
	exec = "/bin/cat"
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" <<<"hello world"
	[ "$output" = "dlrow olleh" ]
	run client ::1 "$P" <<<"$(printf 'abc\nxyz')"
	[ "$output" = "$(printf 'cba\nzyx')" ]
	head -c 65536 /dev/urandom >"$T/blob"
	client 127.0.0.1 "$((P + 1))" <"$T/blob" >"$T/back"
	cmp "$T/blob" "$T/back"
}

@test "the handler gets exactly the UCSPI environment, the service's env and nothing else" {
	P=$(free_port)
	base_conf <<EOF
service env {
	port = $P
	address = { "127.0.0.1", "::1" }
	shell = "env | sort"
	env = { "GREETING=hello world", "EMPTY=", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
}
EOF
	start_pinetd
	SP=$(free_port)
	run timeout 10 socat -t5 - "TCP:127.0.0.1:$P,sourceport=$SP" </dev/null
	echo "$output"
	expected="EMPTY=
GREETING=hello world
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
PROTO=TCP
PWD=/
SERVICE=env
TCPLOCALIP=127.0.0.1
TCPLOCALPORT=$P
TCPREMOTEIP=127.0.0.1
TCPREMOTEPORT=$SP"
	[ "$output" = "$expected" ]
	run client ::1 "$P" </dev/null
	echo "$output"
	[[ "$output" == *"PROTO=TCP6"* ]]
	[[ "$output" == *"TCPREMOTEIP=::1"* ]]
	[[ "$output" == *"TCPLOCALIP=::1"* ]]
}

@test "a wildcard listener reports the local address the client reached" {
	P=$(free_port)
	base_conf <<EOF
service env {
	port = $P
	address = { "0.0.0.0" }
	shell = "echo \$TCPLOCALIP \$TCPLOCALPORT"
}
EOF
	start_pinetd
	run client 127.0.0.3 "$P" </dev/null
	[ "$output" = "127.0.0.3 $P" ]
}

@test "the handler runs with the configured uid, gid and supplementary groups" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch users"
	getent passwd pinetd-test >/dev/null ||
		useradd -r -M -s /usr/sbin/nologin -G adm,dialout pinetd-test
	P=$(free_port)
	uid=$(id -u pinetd-test)
	base_conf <<EOF
service ids {
	port = $P
	address = { "127.0.0.1" }
	user = "pinetd-test"
	shell = "id -u; id -g; id -G | tr ' ' '\\\\n' | sort -n | tr '\\\\n' ' '"
}
service ids2 {
	port = $((P + 1))
	address = { "127.0.0.1" }
	user = "pinetd-test"
	group = "daemon"
	shell = "id -u; id -g"
}
service defaultuser {
	port = $((P + 2))
	address = { "127.0.0.1" }
	shell = "id -un"
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	echo "$output"
	want_groups=$(id -G pinetd-test | tr ' ' '\n' | sort -n | tr '\n' ' ')
	[ "$output" = "$(printf '%s\n%s\n%s' "$uid" "$(id -g pinetd-test)" "$want_groups")" ]
	[[ " $want_groups" == *" $(getent group adm | cut -d: -f3) "* ]]
	run client 127.0.0.1 "$((P + 1))" </dev/null
	[ "$output" = "$(printf '%s\n%s' "$uid" "$(getent group daemon | cut -d: -f3)")" ]
	# the global default is unprivileged
	run client 127.0.0.1 "$((P + 2))" </dev/null
	[ "$output" = "nobody" ]
}

@test "no fd but 0, 1 and 2 is open in a handler, its signal mask is empty and SIGPIPE is default" {
	P=$(free_port)
	base_conf <<EOF
service fds {
	port = $P
	address = { "127.0.0.1" }
	exec = "/bin/ls"
	args = { "-l", "/proc/self/fd" }
}
# exec'd directly: its own status is the handler's, not a busy shell's
service sigs {
	port = $((P + 1))
	address = { "127.0.0.1" }
	exec = "/bin/grep"
	args = { "-E", "^Sig(Blk|Ign)", "/proc/self/status" }
}
EOF
	start_pinetd
	# ls's own fds but the one it reads the directory with
	run client 127.0.0.1 "$P" </dev/null
	echo "$output"
	fds=$(echo "$output" | grep -- '->' | grep -v -- '-> /proc/' | awk '{print $9}' | tr '\n' ' ')
	[ "$fds" = "0 1 2 " ]
	run client 127.0.0.1 "$((P + 1))" </dev/null
	echo "$output"
	[ "${lines[0]}" = "SigBlk:	0000000000000000" ]
	[ "${lines[1]}" = "SigIgn:	0000000000000000" ]
}

@test "stderr goes to the log tagged with service and pid, to the client, or nowhere" {
	P=$(free_port)
	base_conf <<EOF
service tolog {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo out; echo 'err line' >&2; printf 'bad\\\\001byte\\\\n' >&2"
}
service toclient {
	port = $((P + 1))
	address = { "127.0.0.1" }
	stderr = client
	shell = "echo out; echo 'err line' >&2"
}
service tonull {
	port = $((P + 2))
	address = { "127.0.0.1" }
	stderr = null
	shell = "echo out; echo 'secret err' >&2"
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = "out" ]
	wait_log 'tolog\[[0-9]+\]: err line'
	wait_log 'tolog\[[0-9]+\]: bad\?byte'
	run client 127.0.0.1 "$((P + 1))" </dev/null
	[ "$output" = "$(printf 'out\nerr line')" ]
	run client 127.0.0.1 "$((P + 2))" </dev/null
	[ "$output" = "out" ]
	wait_log 'tonull: pid [0-9]+ .* exited'
	run ! grep -q 'secret err' "$LOG"
}

@test "handlers that exit at once, die by a signal, fail to exec or never read leave the others working" {
	P=$(free_port)
	printf '#!/bin/sh\necho ok\n' | write_handler gone.sh
	base_conf <<EOF
service quick {
	port = $P
	address = { "127.0.0.1" }
	shell = "exit 3"
}
service killed {
	port = $((P + 1))
	address = { "127.0.0.1" }
	shell = "kill -9 \$\$"
}
service noexec {
	port = $((P + 2))
	address = { "127.0.0.1" }
	exec = "$T/gone.sh"
}
service noread {
	port = $((P + 3))
	address = { "127.0.0.1" }
	shell = "echo bye"
}
service good {
	port = $((P + 4))
	address = { "127.0.0.1" }
	shell = "echo good"
}
EOF
	start_pinetd
	rm "$T/gone.sh"
	client 127.0.0.1 "$P" </dev/null
	wait_log 'quick: pid [0-9]+ from 127\.0\.0\.1:[0-9]+ exited with status 3'
	client 127.0.0.1 "$((P + 1))" </dev/null || true
	wait_log 'killed: pid [0-9]+ from 127\.0\.0\.1:[0-9]+ killed by signal 9'
	run client 127.0.0.1 "$((P + 2))" </dev/null
	[ -z "$output" ]
	wait_log "noexec: exec $T/gone.sh for 127\\.0\\.0\\.1:[0-9]+ failed: No such file or directory"
	# (the client may see a reset: the handler left its data unread)
	head -c 1000000 /dev/zero | client 127.0.0.1 "$((P + 3))" >/dev/null || true
	wait_log 'noread: pid [0-9]+ .* exited with status 0'
	run client 127.0.0.1 "$((P + 4))" </dev/null
	[ "$output" = "good" ]
	kill -0 "$PID"
}

@test "500 sequential and 100 concurrent connections leave no zombie and no leaked fd" {
	P=$(free_port)
	base_conf <<EOF
service hello {
	port = $P
	address = { "127.0.0.1" }
	exec = "/bin/echo"
	args = { "hello" }
}
EOF
	start_pinetd
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = "hello" ]
	wait_log 'hello: pid [0-9]+ .* exited'
	# idle workers hold fds too: count them with the pool full
	pool_full() { [ "$(ps -o args= --ppid "$PID" | grep -c 'hello worker')" -eq "$PREFORK" ]; }
	wait_for pool_full
	fds_before=$(fd_count "$PID")
	n=0
	for i in $(seq 500); do
		out=$(client 127.0.0.1 "$P" </dev/null)
		[ "$out" = hello ] && n=$((n + 1))
	done
	[ "$n" -eq 500 ]
	pids=()
	for i in $(seq 100); do
		client 127.0.0.1 "$P" </dev/null >"$T/c.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(cat "$T"/c.* | grep -c hello)" -eq 100 ]
	# every exit is reaped and logged
	exits() { [ "$(grep -c 'hello: pid .* exited with status 0' "$LOG")" -ge 601 ]; }
	wait_for exits
	[ "$(ps -o stat= --ppid "$PID" | grep -c Z)" -eq 0 ]
	fds_back() { pool_full && [ "$(fd_count "$PID")" -eq "$fds_before" ]; }
	wait_for fds_back
}

@test "the master's title and its idle workers' titles show in ps" {
	P=$(free_port)
	base_conf <<EOF
service one {
	port = $P
	address = { "127.0.0.1" }
	prefork = 2
	shell = "echo one"
}
service two {
	port = $((P + 1))
	address = { "127.0.0.1" }
	prefork = 0
	shell = "echo two"
}
EOF
	start_pinetd
	[[ "$(ps -o args= -p "$PID")" == "pinetd: master [2 services]"* ]]
	workers() { [ "$(ps -o args= --ppid "$PID" | grep -c 'pinetd: one worker')" -eq 2 ]; }
	wait_for workers
	[ "$(ps -o args= --ppid "$PID" | grep -c 'pinetd: two worker')" -eq 0 ]
}

@test "a bind failure names the service, the address and the error, and nothing is served" {
	P=$(free_port)
	perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0) or die; open(F, ">", shift); print F $s->sockport, "\n"; close F; sleep 30' "$T/blocked" &
	blocker=$!
	wait_for test -s "$T/blocked"
	P2=$(cat "$T/blocked")
	base_conf <<EOF
service free {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo free"
}
service taken {
	port = $P2
	address = { "127.0.0.1" }
	shell = "echo taken"
}
EOF
	run "$PINETD" -f "$CONF"
	kill "$blocker"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"taken: cannot listen on 127.0.0.1 port $P2: Address already in use"* ]]
	run ! grep -q "127.0.0.1:$P " <<<"$(ss -ltn)"
}

@test "SIGTERM closes the listeners and exits 0; --daemon writes and removes its pidfile" {
	P=$(free_port)
	base_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOF
	start_pinetd
	kill -TERM "$PID"
	wait "$PID"
	PID=
	wait_log 'stopped'
	run ! client 127.0.0.1 "$P" </dev/null
	"$PINETD" -f "$CONF" --daemon -p "$T/pinetd.pid" -c "$T/ctl.sock" \
	    2>"$LOG" 3>&-
	wait_for test -s "$T/pinetd.pid"
	dpid=$(cat "$T/pinetd.pid")
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = "s" ]
	kill -TERM "$dpid"
	wait_for test ! -e "$T/pinetd.pid"
	wait_for eval "! kill -0 $dpid 2>/dev/null"
}

@test "usage errors exit 100 and -V prints the version" {
	run "$PINETD" --no-such-option
	[ "$status" -eq 100 ]
	[[ "$output" == *"usage: pinetd"* ]]
	run "$PINETD" -V
	[ "$status" -eq 0 ]
	[[ "$output" == "pinetd "[0-9]* ]]
}

@test "with stderr on the journal (JOURNAL_STREAM), lines carry a priority and no name of their own" {
	P=$(free_port)
	base_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	exec = "$T/gone"
}
EOF
	# with a journal here the lines go to it (tests/log.bats covers both)
	[ ! -S /run/systemd/journal/socket ] || skip "a journal runs here"
	printf '#!/bin/sh\n' | write_handler gone
	: >"$LOG"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG") "$PINETD" -f "$CONF" -c "$T/ctl.sock" 2>>"$LOG" &
	PID=$!
	wait_log '^<5>ready:'
	rm "$T/gone"
	client 127.0.0.1 "$P" </dev/null || true
	wait_log '^<4>s: exec .* failed'
	run ! grep -q 'pinetd\[' "$LOG"
}
