# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Shared by the bats files: start the real daemon on loopback with a
# config written into the test's own directory, wait for it by polling,
# and dump its log when a test fails.

top=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PINETD_BUILD=${PINETD_BUILD:-$top/build}
PINETD=${PINETD:-$PINETD_BUILD/src/pinetd}
FACTOR=$PINETD_BUILD/etc/handlers/factor
# Tests run twice in CI: once spawning, once with workers ready.
PREFORK=${PINETD_TEST_PREFORK:-0}
PID=

# `run ! cmd` asserts that cmd fails (a bare `! cmd` never fails a test).
bats_require_minimum_version 1.5.0

setup() {
	# Handlers run as an unprivileged user: give them a directory they
	# can reach (bats' own tmpdir is private to root).
	T=$(mktemp -d /tmp/pinetd-test.XXXXXX)
	chmod 755 "$T"
	CONF=$T/pinetd.conf
	LOG=$T/log
	PID=
}

teardown() {
	local bad=0
	stop_pinetd
	sweep_processes
	# A sanitizer report anywhere in the daemon's log fails the test, even
	# when every assertion held.
	if [ -f "$LOG" ] && grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)' "$LOG"; then
		echo "sanitizer report in the pinetd log" >&3
		bad=1
	fi
	if { [ -z "${BATS_TEST_COMPLETED:-}" ] || [ $bad -ne 0 ]; } && [ -f "$LOG" ]; then
		echo "--- pinetd log ---" >&3
		sed 's/^/# /' "$LOG" >&3
	fi
	rm -rf "$T"
	return $bad
}

# Ends every process still running from this test's directory: daemons a
# test started by hand or detached with --daemon, and their handlers, even
# when the test failed half-way.
sweep_processes() {
	local pids i
	[ -n "${T:-}" ] || return 0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(pgrep -f -- "$T/" | grep -vx "$$" || true)
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	return 0
}

# A base port P such that P..P+9 are free on 127.0.0.1 and ::1 right now,
# below the ephemeral range so that no client's source port takes them.
free_port() {
	perl -MIO::Socket::IP -e '
		for (1..200) {
			my $base = 10000 + int(rand(22000));
			my @held;
			for my $p ($base .. $base + 9) {
				for my $a ("127.0.0.1", "::1") {
					my $s = IO::Socket::IP->new(Listen => 1,
					    LocalHost => $a, LocalPort => $p,
					    ReuseAddr => 1, V6Only => 1)
					    or next;
					push @held, $s;
				}
			}
			next unless @held == 20;
			print "$base\n";
			exit 0;
		}
		exit 1;'
}

# write_conf < text: the main config, with the mode pinetd insists on.
# Replaced in one rename, as a careful admin does: a reload never reads
# it half-written.
write_conf() {
	cat >"$CONF.new"
	chmod 644 "$CONF.new"
	mv -f "$CONF.new" "$CONF"
}

# write_handler NAME < script: an executable handler in the test dir.
write_handler() {
	cat >"$T/$1"
	chmod 755 "$T/$1"
}

# start_pinetd [args...]: starts the daemon on $CONF and waits until it
# says it is ready (or has died). Its control socket is $T/ctl.sock unless
# args name another with -c.
start_pinetd() {
	"$PINETD" -f "$CONF" -v -c "$T/ctl.sock" "$@" >"$LOG" 2>&1 &
	PID=$!
	wait_log "ready:" || { echo "pinetd did not become ready" >&2; cat "$LOG" >&2; return 1; }
}

stop_pinetd() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
}

# wait_log PATTERN [SECONDS]: polls the log for an extended regex.
wait_log() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		grep -qE -- "$1" "$LOG" 2>/dev/null && return 0
		if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
			grep -qE -- "$1" "$LOG" 2>/dev/null
			return
		fi
		sleep 0.05
	done
	return 1
}

# wait_for CMD...: polls a command until it succeeds (5 s).
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# client HOST PORT: sends stdin, closes its side, prints the reply.
client() {
	local host=$1
	case $host in *:*) host="[$host]" ;; esac
	timeout 10 socat -t 5 - "TCP:$host:$2"
}

# Fault injection is compiled into sanitizer builds only (src/fault.h).
need_faults() {
	grep -q PINETD_FAULTS "$PINETD" ||
		skip "no fault injection in this build (build with --enable-sanitizers)"
	export PINETD_FAULTS=$T/faults
}

# The master's CPU time so far, in clock ticks (user + system).
master_cpu() {
	awk '{ print $14 + $15 }' "/proc/$PID/stat"
}

# The number of open fds of a process.
fd_count() {
	ls "/proc/$1/fd" | wc -l
}

# The pids of the master's children.
children_of() {
	ps -o pid= --ppid "$1" | tr -d ' '
}

# one_service: a config with one service "s" answering "s" on
# 127.0.0.1:$P, P a free port.
one_service() {
	P=$(free_port)
	write_conf <<EOT
service s {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo s"
}
EOT
}
