#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The master's log: no libsystemd (nor what it drags in) mapped; a stderr
# reader that pauses never delays a connection (lines are dropped, then
# counted); -q; records in the journal's native protocol, with fields,
# when stderr is the journal, and "<N>" lines on stderr without it.

load helpers

eval "helpers_$(declare -f teardown)"
RPID=
FPID=

teardown() {
	# a stopped reader would keep the master's stderr full for ever
	[ -z "$RPID" ] || kill -CONT "$RPID" 2>/dev/null
	[ -z "$FPID" ] || kill "$FPID" 2>/dev/null
	[ ! -f "$T/recv.pid" ] || kill "$(cat "$T/recv.pid")" 2>/dev/null
	helpers_teardown
	[ -z "$RPID" ] || kill "$RPID" 2>/dev/null
	RPID=
	FPID=
}

unwanted='lib(systemd|gcrypt|lzma|zstd|lz4|cap)\.so'

@test "pinetd links and maps no libsystemd, libgcrypt, liblzma, libzstd, liblz4 or libcap" {
	run ldd "$PINETD"
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *libc.so* ]]
	run grep -E "$unwanted" <<<"$output"
	[ "$status" -eq 1 ]
	one_service
	start_pinetd
	awk '$6 ~ /\.so/ { print $6 }' "/proc/$PID/maps" | sort -u
	# What the running master maps. libcap is left out here: the
	# system's NSS modules (nsswitch.conf "systemd": libnss_systemd)
	# load it for user lookups, which is not pinetd's linking.
	run grep -E 'lib(systemd|gcrypt|lzma|zstd|lz4)\.so' "/proc/$PID/maps"
	[ "$status" -eq 1 ]
}

# The state field of /proc/PID/stat.
proc_state() {
	awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null
}

@test "a stopped reader of stderr does not delay connections; the dropped lines are counted" {
	one_service
	mkfifo "$T/err.fifo"
	cat <"$T/err.fifo" >"$LOG" &
	RPID=$!
	"$PINETD" -f "$CONF" -v -c "$T/ctl.sock" 2>"$T/err.fifo" >/dev/null &
	PID=$!
	wait_log "ready:"
	kill -STOP "$RPID"
	# fill the pipe: yes blocks (state S) once it is full
	yes "filling the pipe" >"$T/err.fifo" &
	FPID=$!
	full() { [ "$(cat "/proc/$FPID/comm")" = yes ] && [ "$(proc_state "$FPID")" = S ]; }
	wait_for full
	sleep 0.2
	full
	for i in 1 2 3; do
		run timeout 1 socat -t 1 - "TCP:127.0.0.1:$P" </dev/null
		[ "$status" -eq 0 ]
		[ "$output" = s ]
	done
	kill "$FPID"
	wait "$FPID" || true
	FPID=
	kill -CONT "$RPID"
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	# (after a partial line of yes's, killed mid-line, on the same line)
	wait_log 'pinetd\[[0-9]+\]: [0-9]+ log lines dropped: the log output was full$'
	n=$(sed -nE 's/^.*pinetd\[[0-9]+\]: ([0-9]+) log lines dropped.*/\1/p' "$LOG")
	echo "dropped: $n"
	# at least the three connection lines
	[ "$n" -ge 3 ]
	# whole lines only: nothing but pinetd's lines and the filler
	run grep -vE '^(pinetd\[[0-9]+\]: |filling the pipe$)' "$LOG"
	[ "$status" -eq 1 ]
}

@test "-q (--quiet) logs warnings only, the default notices and up; usage shows -q" {
	one_service
	"$PINETD" -f "$CONF" -q -c "$T/ctl.sock" >"$LOG" 2>&1 &
	PID=$!
	wait_for test -S "$T/ctl.sock"
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	echo 'service broken {' >>"$CONF"
	kill -HUP "$PID"
	wait_log 'reload failed'
	cat "$LOG"
	run grep -E 'ready:|connection' "$LOG"
	[ "$status" -eq 1 ]
	stop_pinetd
	run grep -vE 'reload' "$LOG"
	[ "$status" -eq 1 ]

	one_service
	"$PINETD" -f "$CONF" -c "$T/ctl.sock" >"$LOG" 2>&1 &
	PID=$!
	wait_log "ready: 1 services"
	run "$PINETD" --quiet -t -f "$CONF"
	[ "$status" -eq 0 ]
	run "$PINETD" -x -f "$CONF"
	[ "$status" -eq 100 ]
	[[ "$output" == *"[-q | -v]"* ]]
}

# start_in_ns journal|none: pinetd in a mount namespace of its own with an
# empty /run, where a datagram socket at /run/systemd/journal/socket
# (journal) records what is sent to it in $T/journal.log, each datagram
# followed by a line "--"; its stderr is $LOG, named by JOURNAL_STREAM.
start_in_ns() {
	command -v unshare >/dev/null || skip "unshare is not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root for a mount namespace"
	: >"$LOG"
	cat >"$T/ns.sh" <<'EOF'
#!/bin/sh
mount -t tmpfs tmpfs /run || exit 1
mkdir -p /run/systemd/journal
if [ "$1" = journal ]; then
	perl -MIO::Socket::UNIX -MSocket -e '
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM,
		    Local => $ARGV[0]) or die "$ARGV[0]: $!";
		$| = 1;
		while (defined $s->recv(my $m, 65536)) { print "$m--\n"; }
	' /run/systemd/journal/socket >"$T/journal.log" &
	echo $! >"$T/recv.pid"
	i=0
	while [ ! -S /run/systemd/journal/socket ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
fi
JOURNAL_STREAM=$(stat -c '%d:%i' "$LOG") exec "$PINETD" -f "$CONF" \
    -c "$T/ctl.sock" 2>>"$LOG" >/dev/null
EOF
	chmod 755 "$T/ns.sh"
	T=$T LOG=$LOG PINETD=$PINETD CONF=$CONF \
	    unshare -m --propagation private "$T/ns.sh" "$1" &
	PID=$!
}

# record REGEX: the journal record (fields, one a line) whose MESSAGE=
# matches.
record() {
	awk -v re="^MESSAGE=$1" '
		/^--$/ { if (hit) { printf "%s", rec; exit } rec = ""; next }
		{ rec = rec $0 "\n"; if ($0 ~ re) hit = 1 }' "$T/journal.log"
}

@test "when stderr is the journal, lines go to its socket as native records with fields" {
	P=$(free_port)
	P2=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
service bad {
	port = $P2
	address = { "127.0.0.1" }
	shell = "echo oops >&2; exit 2"
	deny = { "127.0.0.2" }
}
EOF
	start_in_ns journal
	wait_for test -f "$T/journal.log"
	wait_for grep -q '^MESSAGE=ready: 2 services' "$T/journal.log"
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	run client 127.0.0.1 "$P2" </dev/null
	run timeout 10 socat -t 5 - "TCP:127.0.0.1:$P2,bind=127.0.0.2" </dev/null
	wait_for grep -q '^MESSAGE=s: pid [0-9]* from 127\.0\.0\.1:[0-9]* exited with status 0' "$T/journal.log"
	wait_for grep -q '^MESSAGE=bad: pid [0-9]* from 127\.0\.0\.1:[0-9]* exited with status 2' "$T/journal.log"
	wait_for grep -q '^MESSAGE=bad: refused 127\.0\.0\.2' "$T/journal.log"
	cat -v "$T/journal.log"
	version=$("$PINETD" -V | awk '{ print $2 }')
	record 'ready: 2 services' >"$T/ready"
	grep -qx 'SYSLOG_IDENTIFIER=pinetd' "$T/ready"
	grep -qx 'PRIORITY=5' "$T/ready"
	grep -qx "PINETD_VERSION=$version" "$T/ready"
	# one line per connection, at its end, with its fields
	run grep -c '^MESSAGE=s: ' "$T/journal.log"
	[ "$output" -eq 1 ]
	record 's: pid' >"$T/conn"
	grep -qx 'PRIORITY=6' "$T/conn"
	grep -qx 'SYSLOG_IDENTIFIER=pinetd' "$T/conn"
	grep -qx 'PINETD_SERVICE=s' "$T/conn"
	grep -qx 'REMOTE_ADDR=127.0.0.1' "$T/conn"
	grep -qE '^REMOTE_PORT=[0-9]+$' "$T/conn"
	grep -qE '^HANDLER_PID=[0-9]+$' "$T/conn"
	grep -qx 'EXIT_STATUS=0' "$T/conn"
	grep -qE '^DURATION_USEC=[0-9]+$' "$T/conn"
	# a failing handler is a warning; its stderr lines carry its service
	# and pid; a refusal is a notice
	record 'bad: pid' >"$T/fail"
	grep -qx 'PRIORITY=4' "$T/fail"
	grep -qx 'EXIT_STATUS=2' "$T/fail"
	pid=$(sed -n 's/^HANDLER_PID=//p' "$T/fail")
	record 'bad\[[0-9]*\]: oops' >"$T/stderr"
	grep -qx 'PINETD_SERVICE=bad' "$T/stderr"
	grep -qx "HANDLER_PID=$pid" "$T/stderr"
	record 'bad: refused' >"$T/refused"
	grep -qx 'PRIORITY=5' "$T/refused"
	grep -qx 'REMOTE_ADDR=127.0.0.2' "$T/refused"
	grep -qx 'PINETD_SERVICE=bad' "$T/refused"
	# nothing of pinetd's went to stderr
	run grep -E 'ready|connection|exited' "$LOG"
	[ "$status" -eq 1 ]
}

@test "when the journal's socket is missing, stderr gets <N> lines" {
	one_service
	start_in_ns none
	wait_log '^<5>ready: 1 services, 1 listeners$'
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	wait_log '^<6>s: pid [0-9]+ from 127\.0\.0\.1:[0-9]+ exited with status 0'
}

PINETCTL=$PINETD_BUILD/src/pinetctl

@test "log_level in the config: warning hides the info lines, a reload changes it, -v overrides it, a bad value is FILE:LINE" {
	P=$(free_port)
	write_conf <<EOF
log_level = "warning"
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOF
	"$PINETD" -f "$CONF" -c "$T/ctl.sock" >"$LOG" 2>&1 &
	PID=$!
	wait_for "$PINETCTL" -s "$T/ctl.sock" status
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	sleep 0.5
	run grep -c 'exited with status' "$LOG"
	[ "$output" -eq 0 ]
	# back to the default, info, by a reload
	sed '/^log_level/d' "$CONF" >"$CONF.new"
	mv "$CONF.new" "$CONF"
	"$PINETCTL" -s "$T/ctl.sock" reload
	run client 127.0.0.1 "$P" </dev/null
	[ "$output" = s ]
	wait_log 's: pid [0-9]+ from 127\.0\.0\.1:[0-9]+ exited with status 0'
	stop_pinetd
	# -v wins over the config
	sed '1i log_level = "error"' "$CONF" >"$CONF.new"
	mv "$CONF.new" "$CONF"
	"$PINETD" -f "$CONF" -v -c "$T/ctl.sock" >"$LOG" 2>&1 &
	PID=$!
	wait_log 'ready:'
	run client 127.0.0.1 "$P" </dev/null
	wait_log 's: connection from 127\.0\.0\.1'
	stop_pinetd
	# a bad level names the file and line
	sed 's/^log_level = .*/log_level = "loud"/' "$CONF" >"$CONF.new"
	mv "$CONF.new" "$CONF"
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CONF:1: log_level: bad value 'loud'"* ]]
}
