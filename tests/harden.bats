#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Hardening: each test reproduces a defect found by attacking the daemon
# and fails if it comes back.

load helpers

# count_procs PATTERN: processes whose command line matches PATTERN.
count_procs() {
	pgrep -fc -- "$1" || true
}

# procs_are N PATTERN: exactly N processes match PATTERN (for wait_for).
procs_are() {
	[ "$(count_procs "$2")" -eq "$1" ]
}

# A handler's process group is its own: the timeout's SIGTERM and SIGKILL
# reach a child it forked, which would otherwise keep the client's socket.
@test "timeout and kill_grace end a handler's whole process group" {
	P=$(free_port)
	tag="30.$P"
	write_conf <<EOF
service fork {
	port = $P
	address = { "127.0.0.1" }
	prefork = $PREFORK
	timeout = 1
	kill_grace = 1
	shell = "trap '' TERM; sleep $tag; echo done"
}
EOF
	start_pinetd
	start=$(date +%s%N)
	client 127.0.0.1 "$P" </dev/null || true
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "# client held for $ms ms" >&3
	[ "$ms" -lt 5000 ]
	wait_for procs_are 0 "^sleep $tag"
}

@test "a pre-forked worker's handler is in its own process group too" {
	P=$(free_port)
	tag="30.$P"
	write_conf <<EOF
service fork {
	port = $P
	address = { "127.0.0.1" }
	prefork = 2
	timeout = 1
	kill_grace = 1
	shell = "trap '' TERM; sleep $tag; echo done"
}
EOF
	start_pinetd
	wait_for test "$(ps -o args= --ppid "$PID" | grep -c 'fork worker')" -eq 2
	start=$(date +%s%N)
	client 127.0.0.1 "$P" </dev/null || true
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "# client held for $ms ms" >&3
	[ "$ms" -lt 5000 ]
	grep -q 'running, worker)' "$LOG"
	wait_for procs_are 0 "^sleep $tag"
}

@test "max_instances holds for handlers that fork: no orphan outlives its handler" {
	P=$(free_port)
	tag="30.$P"
	write_conf <<EOF
service fork {
	port = $P
	address = { "127.0.0.1" }
	prefork = $PREFORK
	max_instances = 2
	timeout = 1
	kill_grace = 1
	shell = "sleep $tag & wait"
}
EOF
	start_pinetd
	clients=
	for i in 1 2 3 4 5 6; do
		(client 127.0.0.1 "$P" </dev/null >/dev/null || true) &
		clients="$clients $!"
	done
	peak=0
	for i in $(seq 1 50); do
		n=$(count_procs "^sleep $tag")
		[ "$n" -gt "$peak" ] && peak=$n
		sleep 0.1
	done
	# shellcheck disable=SC2086
	wait $clients
	echo "# peak sleeps $peak" >&3
	[ "$peak" -le 2 ]
	wait_for procs_are 0 "^sleep $tag"
}

@test "stop's final SIGKILL reaches a handler's children" {
	P=$(free_port)
	tag="30.$P"
	write_conf <<EOF
shutdown_timeout = 1
service fork {
	port = $P
	address = { "127.0.0.1" }
	prefork = $PREFORK
	kill_grace = 1
	shell = "trap '' TERM; sleep $tag; echo done"
}
EOF
	start_pinetd
	(client 127.0.0.1 "$P" </dev/null >/dev/null || true) &
	wait_log 'fork: connection from'
	wait_for procs_are 1 "^sleep $tag"
	kill -TERM "$PID"
	wait "$PID"
	PID=
	wait_for procs_are 0 "^sleep $tag"
}

@test "a pool handler's children end with it at stop" {
	P=$(free_port)
	tag="30.$P"
	write_conf <<EOF
shutdown_timeout = 1
service pool {
	port = $P
	address = { "127.0.0.1" }
	mode = pool
	instances = 1
	shell = "trap '' TERM; sleep $tag; echo done"
}
EOF
	start_pinetd
	wait_for procs_are 1 "^sleep $tag"
	kill -TERM "$PID"
	wait "$PID"
	PID=
	wait_for procs_are 0 "^sleep $tag"
}

# backlog PORT: connections waiting in the accept queue of 127.0.0.1:PORT.
backlog() {
	ss -Hltn "sport = :$1" | awk '{ n += $2 } END { print n + 0 }'
}

has_backlog() {
	[ "$(backlog "$1")" -ge 1 ]
}

# is_stopped PID: the process is stopped (not merely told to stop).
is_stopped() {
	[ "$(awk '{ print $3 }' "/proc/$1/stat")" = T ]
}

# Stops the master, queues a signal and then a connection, and lets it go
# on: the signal and the listener are in the same batch of events, the
# signal first.
signal_then_connect() {
	kill -STOP "$PID"
	wait_for is_stopped "$PID"
	kill "-$1" "$PID"
	(client 127.0.0.1 "$2" </dev/null >/dev/null 2>&1 || true) &
	wait_for has_backlog "$2"
	kill -CONT "$PID"
}

@test "a reload that drops a service while a connection to it waits frees nothing still in use" {
	P=$(free_port)
	write_conf <<EOF
service a {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo a"
}
service b {
	port = $((P + 1))
	address = { "127.0.0.1" }
	shell = "echo b"
}
EOF
	start_pinetd
	write_conf <<EOF
service b {
	port = $((P + 1))
	address = { "127.0.0.1" }
	shell = "echo b"
}
EOF
	signal_then_connect HUP "$P"
	wait_log 'reload: a removed'
	[ "$(client 127.0.0.1 $((P + 1)) </dev/null)" = b ]
	kill -0 "$PID"
	run ! grep -q 'AddressSanitizer' "$LOG"
}

@test "SIGTERM while a connection waits frees nothing still in use" {
	P=$(free_port)
	write_conf <<EOF
service a {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo a"
}
EOF
	start_pinetd
	signal_then_connect TERM "$P"
	wait "$PID"
	rc=$?
	PID=
	[ "$rc" -eq 0 ]
	run ! grep -q 'AddressSanitizer' "$LOG"
}

@test "SIGTERM and reloads during a bounded connection flood leave no sanitizer report" {
	P=$(free_port)
	write_conf <<EOF
service a {
	port = $P
	address = { "127.0.0.1" }
	builtin = daytime
}
EOF
	start_pinetd
	timeout 20 perl -MIO::Socket::INET -e '
		for (1 .. 600) {
			my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
			    PeerPort => $ARGV[0]) or last;
		}' "$P" &
	flood=$!
	for i in 1 2 3; do
		kill -HUP "$PID"
		sleep 0.1
	done
	kill -TERM "$PID"
	wait "$PID"
	rc=$?
	PID=
	wait "$flood" || true
	[ "$rc" -eq 0 ]
	run ! grep -q 'AddressSanitizer' "$LOG"
}

# Handlers that exited count against per_source until reaped; a client
# that reconnects at once must not be refused for them.
@test "per_source does not count handlers that exited but are not reaped yet" {
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	prefork = $PREFORK
	per_source = 5
	shell = "echo s"
}
EOF
	start_pinetd
	timeout 60 perl -MIO::Socket::INET -e '
		my @kids;
		for my $k (1 .. 4) {
			my $pid = fork();
			if ($pid == 0) {
				my $bad = 0;
				for (1 .. 100) {
					my $s = IO::Socket::INET->new(PeerAddr =>
					    "127.0.0.1", PeerPort => $ARGV[0]) or next;
					# to EOF: the handler has exited
					my $l = join("", <$s>);
					$bad++ unless $l eq "s\n";
				}
				exit($bad > 255 ? 255 : $bad);
			}
			push @kids, $pid;
		}
		my $bad = 0;
		for (@kids) { waitpid($_, 0); $bad += $? >> 8; }
		print "$bad\n";' "$P" >"$T/bad"
	refused=$(grep -c 'refused .*(per_source)' "$LOG" || true)
	echo "# 400 requests, 4 at a time: $(cat "$T/bad") failed, $refused refusals logged" >&3
	[ "$(cat "$T/bad")" -eq 0 ]
	grep -qE 's: accepted 400, refused deny 0 per_source 0 ' "$LOG" || {
		tail -3 "$LOG"; false; }
}

@test "per_source is released when a spawned handler cannot be tracked" {
	need_faults
	P=$(free_port)
	write_conf <<EOF
service s {
	port = $P
	address = { "127.0.0.1" }
	per_source = 1
	prefork = 0
	shell = "echo s"
}
EOF
	start_pinetd
	echo child_new >"$T/faults"
	client 127.0.0.1 "$P" </dev/null || true
	wait_log 's: out of memory tracking pid'
	rm -f "$T/faults"
	[ "$(client 127.0.0.1 "$P" </dev/null)" = s ]
	[ "$(client 127.0.0.1 "$P" </dev/null)" = s ]
}

@test "a reload that runs out of memory keeps the running configuration and the master" {
	need_faults
	P=$(free_port)
	write_conf <<EOF
service a {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo a"
}
EOF
	start_pinetd
	write_conf <<EOF
service b {
	port = $((P + 1))
	address = { "127.0.0.1" }
	shell = "echo b"
}
EOF
	echo reload >"$T/faults"
	kill -HUP "$PID"
	wait_log 'reload failed: out of memory; keeping the running configuration'
	kill -0 "$PID"
	[ "$(client 127.0.0.1 "$P" </dev/null)" = a ]
	rm -f "$T/faults"
	kill -HUP "$PID"
	wait_log 'reload done'
	[ "$(client 127.0.0.1 $((P + 1)) </dev/null)" = b ]
}

# The crash-loop rest is for broken handlers: failures a client causes do
# not pause a service for everybody.
@test "bad requests and clients that leave at once do not pause the service" {
	P=$(free_port)
	write_conf <<EOF
service picky {
	port = $P
	address = { "127.0.0.1" }
	prefork = $PREFORK
	shell = "read x; [ \"\$x\" = good ] && echo ok || exit 1"
}
service gen {
	port = $((P + 1))
	address = { "127.0.0.1" }
	builtin = chargen
}
EOF
	start_pinetd
	for i in $(seq 15); do
		echo bad | client 127.0.0.1 "$P" >/dev/null || true
		timeout 2 perl -MIO::Socket::INET -e 'IO::Socket::INET->new(
		    PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or exit 1;' \
		    $((P + 1)) || true
	done
	wait_log 'gen: pid 0 .* exited with status 0'
	start=$(date +%s%N)
	[ "$(echo good | client 127.0.0.1 "$P")" = ok ]
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "# a good request after 15 bad ones: $ms ms" >&3
	run ! grep -q 'looping' "$LOG"
}

@test "a handler that cannot exec still pauses its service" {
	P=$(free_port)
	printf '#!/nonexistent/interpreter\n' | write_handler broken
	write_conf <<EOF
service broken {
	port = $P
	address = { "127.0.0.1" }
	prefork = $PREFORK
	exec = "$T/broken"
}
EOF
	start_pinetd
	for i in $(seq 6); do
		client 127.0.0.1 "$P" </dev/null >/dev/null || true
	done
	wait_log 'broken: looping: 5 handlers in a row failed within a second; not accepting for 1000 ms'
}

# dgram_socket PATH: a live unix datagram socket at PATH, until the test
# ends; its pid in DGRAM_PID.
dgram_socket() {
	socat -u "UNIX-RECV:$1" /dev/null &
	DGRAM_PID=$!
	wait_for test -S "$1"
}

@test "a live socket of another type at the control socket path is not deleted" {
	one_service
	dgram_socket "$T/dgram.sock"
	ino=$(stat -c %i "$T/dgram.sock")
	run timeout 10 "$PINETD" -f "$CONF" -c "$T/dgram.sock"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"control socket $T/dgram.sock: in use by another process"* ]]
	[ "$(stat -c %i "$T/dgram.sock")" = "$ino" ]
	kill "$DGRAM_PID"
}

@test "a live socket of another type at a unix service's path is not deleted" {
	dgram_socket "$T/svc.sock"
	ino=$(stat -c %i "$T/svc.sock")
	write_conf <<EOF
service u {
	protocol = unix
	path = "$T/svc.sock"
	shell = "echo u"
}
EOF
	run timeout 10 "$PINETD" -f "$CONF" -c "$T/ctl.sock"
	echo "$output"
	[ "$status" -eq 111 ]
	[[ "$output" == *"u: cannot listen on $T/svc.sock"*"Address already in use"* ]]
	[ "$(stat -c %i "$T/svc.sock")" = "$ino" ]
	kill "$DGRAM_PID"
}

# Owner and mode of a unix socket are never changed by path, where a link
# swapped in by whoever can write the directory would be followed.
@test "a unix socket's owner and mode are set without a chown or chmod by path" {
	[ "$(id -u)" -eq 0 ] || skip "socket_owner needs root"
	command -v strace >/dev/null || skip "no strace"
	S=$T/svc.sock
	write_conf <<EOF
service u {
	protocol = unix
	path = "$S"
	socket_owner = "nobody"
	socket_group = "daemon"
	socket_mode = "0660"
	shell = "echo u"
}
EOF
	# LeakSanitizer cannot run under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -qq -o "$T/trace" -e trace=chown,lchown,fchownat,chmod,fchmodat,rename,renameat,renameat2 \
	    "$PINETD" -f "$CONF" -c "$T/ctl.sock" -v >"$LOG" 2>&1 &
	tracer=$!
	wait_log 'ready:'
	master=$(sed -n 's/^pinetd\[\([0-9]*\)\]: ready:.*/\1/p' "$LOG")
	[ "$(stat -c '%U %G %a' "$S")" = "nobody daemon 660" ]
	kill -TERM "$master"
	wait "$tracer"
	run ! grep -E "(chown|chmod)(at)?\((AT_FDCWD, )?\"$S\"" "$T/trace"
	grep -qE "rename(at2?)?\(.*\"$S\"" "$T/trace"
	[ -z "$(find "$T" -name '.pinetd.*')" ]
}

# send_from SPORT DPORT: one UDP datagram to 127.0.0.1:DPORT whose source
# is 127.0.0.1:SPORT, written whole on a raw socket (root only).
send_from() {
	perl -e '
		use Socket;
		my ($sport, $dport) = @ARGV;
		socket(my $s, PF_INET, SOCK_RAW, 255) or die "raw socket: $!";
		my $data = "x";
		my $udp = pack("nnnn", $sport, $dport, 8 + length($data), 0) . $data;
		my $ip = pack("CCnnnCCnNN", 0x45, 0, 20 + length($udp), 0, 0,
		    64, 17, 0, 0x7f000001, 0x7f000001);
		send($s, $ip . $udp, 0, sockaddr_in(0, inet_aton("127.0.0.1")))
		    or die "send: $!";' "$1" "$2"
}

@test "a datagram from one UDP builtin to another starts no loop" {
	[ "$(id -u)" -eq 0 ] || skip "a raw socket needs root"
	P=$(free_port)
	write_conf <<EOF
service echo {
	port = $P
	protocol = udp
	address = { "127.0.0.1" }
	builtin = echo
}
service gen {
	port = $((P + 1))
	protocol = udp
	address = { "127.0.0.1" }
	builtin = chargen
}
EOF
	start_pinetd
	send_from "$P" $((P + 1))
	sleep 0.5	# let a loop, if any, get going
	before=$(master_cpu)
	sleep 2
	used=$(( $(master_cpu) - before ))
	echo "# master CPU over 2 s after the datagram: $used ticks" >&3
	[ "$used" -le 20 ]
}

@test "UDP builtin replies to one source are rate-limited" {
	P=$(free_port)
	write_conf <<EOF
service echo {
	port = $P
	protocol = udp
	address = { "127.0.0.1" }
	builtin = echo
}
EOF
	start_pinetd
	got=$(timeout 20 perl -MIO::Socket::INET -MIO::Select -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0], Proto => "udp") or die;
		my $sel = IO::Select->new($s);
		my $n = 0;
		for (1 .. 400) {
			$s->send("x");
			while ($sel->can_read(0)) { $s->recv(my $b, 100); $n++; }
		}
		while ($sel->can_read(0.5)) { $s->recv(my $b, 100); $n++; }
		print "$n\n";' "$P")
	echo "# 400 datagrams sent at once, $got replies" >&3
	[ "$got" -ge 1 ]
	[ "$got" -le 100 ]
}

# A handler writing to its stderr without end: the master reads a bounded
# amount a turn and a second, serves the other services, fires timeouts.
@test "a handler flooding its stderr delays no other service, and its timeout fires" {
	P=$(free_port)
	write_conf <<EOF
service noisy {
	port = $P
	address = { "127.0.0.1" }
	prefork = $PREFORK
	stderr = log
	timeout = 3
	kill_grace = 1
	shell = "exec yes flood >&2"
}
service s {
	port = $((P + 1))
	address = { "127.0.0.1" }
	prefork = $PREFORK
	shell = "echo s"
}
EOF
	start_pinetd
	(client 127.0.0.1 "$P" </dev/null >/dev/null || true) &
	wait_log 'noisy\[[0-9]+\]: flood'
	worst=0
	for i in $(seq 10); do
		start=$(date +%s%N)
		out=$(timeout 3 socat -t 2 - "TCP:127.0.0.1:$((P + 1))" </dev/null || true)
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		[ "$out" = s ] || ms=99999
		[ "$ms" -gt "$worst" ] && worst=$ms
		[ "$ms" -lt 2000 ] || break
	done
	echo "# worst of 10 requests while a handler floods stderr: $worst ms" >&3
	if [ "$worst" -ge 2000 ]; then
		# a master stuck reading would never end at SIGTERM
		kill -KILL "$PID"
		PID=
		false
	fi
	wait_log 'noisy: pid [0-9]+ from .* timed out after 3s' 10
	wait_log 'noisy: pid [0-9]+ from .* killed by signal' 10
	grep -q 'more than 16384 bytes a second on stderr; reading it slower' "$LOG"
}

# A unix client has no address: allow and deny cannot say anything of it.
@test "allow or deny in a unix service's section is a FILE:LINE error; those of defaults do not apply" {
	S=$T/u.sock
	write_conf <<EOF
service u {
	protocol = unix
	path = "$S"
	allow = { "127.0.0.1" }
	shell = "echo u"
}
EOF
	run "$PINETD" -t -f "$CONF"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CONF:1: service 'u': allow and deny are for IP clients"* ]]
	write_conf <<EOF
defaults { deny = { "0.0.0.0/0", "::/0" } allow = { "192.0.2.1" } }
service u {
	protocol = unix
	path = "$S"
	shell = "echo u"
}
EOF
	start_pinetd
	[ "$(timeout 5 socat - "UNIX-CONNECT:$S" </dev/null)" = u ]
}
