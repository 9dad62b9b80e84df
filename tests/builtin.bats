#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The TCP builtins echo, discard and chargen, served inside the master on
# its event loop: what real clients get, no process per connection, a
# peer that does not read, the limits, reload and stop.

load helpers

PINETCTL=$PINETD_BUILD/src/pinetctl

ctl() {
	"$PINETCTL" -s "$T/ctl.sock" "$@"
}

# The first line of `pinetctl status`: "N handlers running", "N children".
running() {
	ctl status | sed -n '1s/.* \([0-9]*\) handlers running.*/\1/p'
}
children() {
	ctl status | sed -n '1s/.* \([0-9]*\) children$/\1/p'
}
running_is() {
	[ "$(running)" = "$1" ]
}

# exits_are N: the log has N exit lines of connections served in place.
exits_are() {
	[ "$(grep -c 'e: pid 0 from .* exited with status 0' "$LOG")" -eq "$1" ]
}

# One service "e" on 127.0.0.1:$P with the builtin $1 and the options
# that follow; the globals come from $GLOBALS.
builtin_conf() {
	local b=$1
	shift
	P=${P:-$(free_port)}
	write_conf <<EOF
${GLOBALS:-}
service e {
	port = $P
	address = { "127.0.0.1" }
	builtin = $b
	$*
}
EOF
}

# hold NAME: an echo client on $P that sends "NAME 1", reads it back,
# says so in $T/NAME.up, waits for $T/NAME.go (15 s at most), sends
# "NAME 2" and reads it back; every line it read goes to $T/NAME.out.
hold() {
	timeout 30 perl -MIO::Socket::INET -e '
		my ($port, $name, $dir) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port) or die "connect: $!";
		open(my $out, ">", "$dir/$name.out") or die;
		$out->autoflush(1);
		$SIG{ALRM} = sub { exit 1 };
		for my $i (1, 2) {
			print $s "$name $i\n";
			alarm 5;
			defined(my $line = <$s>) or exit 1;
			alarm 0;
			print $out $line;
			last if $i == 2;
			open(my $up, ">", "$dir/$name.up") or die;
			close $up;
			for (1 .. 300) {
				last if -e "$dir/$name.go";
				select(undef, undef, undef, 0.05);
			}
		}' "$P" "$1" "$T" &
}

# The RFC 864 stream from its start, n bytes.
chargen_stream() {
	perl -e 'my $n = shift; my $s = "";
		for (my $l = 0; length($s) < $n; $l++) {
			$s .= join("", map { chr(32 + ($l + $_) % 95) } 0 .. 71) . "\r\n";
		}
		print substr($s, 0, $n)' "$1"
}

@test "echo: byte for byte, 1 MiB with a client reading as it sends, and no process" {
	builtin_conf echo
	start_pinetd
	printf 'one line\r\n' >"$T/line"
	client 127.0.0.1 "$P" <"$T/line" >"$T/back"
	cmp "$T/line" "$T/back"
	head -c 1048576 /dev/urandom >"$T/blob"
	client 127.0.0.1 "$P" <"$T/blob" >"$T/back"
	cmp "$T/blob" "$T/back"
	# an open connection is a handler running, and no process
	hold a
	wait_for test -e "$T/a.up"
	[ "$(running)" = 1 ]
	[ "$(children)" = 0 ]
	[ -z "$(children_of "$PID")" ]
	[ "$(ls "/proc/$PID/task" | wc -l)" -eq 1 ]
	touch "$T/a.go"
	wait_for exits_are 3
	[ "$(cat "$T/a.out")" = "$(printf 'a 1\na 2')" ]
	wait_for running_is 0
}

@test "chargen: the rotating lines of RFC 864; a client that leaves ends it" {
	builtin_conf chargen
	start_pinetd
	# 10,000 bytes: past the end of the master's buffer, twice
	timeout 10 socat -u "TCP:127.0.0.1:$P" - 2>/dev/null |
		head -c 10000 >"$T/got" || true
	chargen_stream 10000 >"$T/want"
	cmp "$T/want" "$T/got"
	wait_log 'e: pid 0 from 127\.0\.0\.1:[0-9]+ exited with status 0'
	wait_for running_is 0
	# a client that reads nothing and closes at once
	timeout 5 perl -MIO::Socket::INET -e 'IO::Socket::INET->new(
	    PeerAddr => "127.0.0.1", PeerPort => $ARGV[0]) or exit 1' "$P"
	wait_for exits_are 2
	wait_for running_is 0
}

@test "discard: takes what is sent and answers nothing" {
	builtin_conf discard
	start_pinetd
	head -c 1048576 /dev/urandom >"$T/blob"
	client 127.0.0.1 "$P" <"$T/blob" >"$T/back"
	[ ! -s "$T/back" ]
	wait_log 'e: pid 0 from 127\.0\.0\.1:[0-9]+ exited with status 0'
	wait_for running_is 0
}

@test "echo to a peer that never reads: the master stops reading, and the idle timeout ends it" {
	builtin_conf echo timeout = 3
	start_pinetd
	rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
	before=$(rss)
	# sends without reading until nothing more goes for half a second
	# (or 4 s have passed), then stays
	timeout 30 perl -MIO::Socket::INET -MTime::HiRes=time,sleep -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0]) or die "connect: $!";
		$s->blocking(0);
		my ($buf, $sent, $end) = ("x" x 65536, 0, time + 4);
		my $last = time;
		while (time < $end && time - $last < 0.5) {
			my $n = syswrite($s, $buf);
			if ($n) { $sent += $n; $last = time } else { sleep 0.01 }
		}
		open(my $f, ">", $ARGV[1]) or die;
		print $f "$sent\n";
		close $f;
		sleep 20;' "$P" "$T/sent" &
	wait_for test -s "$T/sent"
	sent=$(cat "$T/sent")
	echo "# sent to a master that stopped reading: $sent bytes; VmRSS $before kB before, $(rss) kB after" >&3
	# what the socket buffers hold, not what a peer wants to send
	[ "$sent" -lt $((64 * 1048576)) ]
	[ $(( $(rss) - before )) -lt 4096 ]
	# meanwhile, others are served
	[ "$(echo other | client 127.0.0.1 "$P")" = other ]
	[ "$(running)" = 1 ]
	wait_log 'e: connection from 127\.0\.0\.1:[0-9]+ made no progress for 3s; closing' 10
	wait_log 'e: pid 0 from 127\.0\.0\.1:[0-9]+ exited with status 0'
	wait_for running_is 0
}

@test "echo without a timeout: a silent peer still ends, after 60 s" {
	[ -n "${PINETD_TEST_SLOW:-}" ] || skip "PINETD_TEST_SLOW unset: takes a minute"
	builtin_conf echo
	start_pinetd
	timeout 90 perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0]) or die; sleep 80' "$P" &
	wait_log 'e: connection from .* made no progress for 60s; closing' 70
}

@test "echo with max_instances = 2 and on_limit = reject: a third connection is refused" {
	builtin_conf echo max_instances = 2 on_limit = reject \
	    reject_message = '"busy"'
	start_pinetd
	hold a
	hold b
	wait_for test -e "$T/a.up"
	wait_for test -e "$T/b.up"
	[ "$(running)" = 2 ]
	[ "$(client 127.0.0.1 "$P" </dev/null)" = $'busy\r' ]
	wait_log 'e: refused 127\.0\.0\.1 port [0-9]+ \(instances\)'
	touch "$T/a.go"
	wait_for running_is 1
	[ "$(echo fourth | client 127.0.0.1 "$P")" = fourth ]
	touch "$T/b.go"
	wait_for running_is 0
	[ "$(cat "$T/b.out")" = "$(printf 'b 1\nb 2')" ]
}

@test "echo with max_instances = 2 and on_limit = queue: a third waits for a place" {
	builtin_conf echo max_instances = 2
	start_pinetd
	hold a
	hold b
	wait_for test -e "$T/a.up"
	wait_for test -e "$T/b.up"
	timeout 20 perl -MIO::Socket::INET -MTime::HiRes=time -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0]) or die;
		my $t = time;
		print $s "third\n";
		my $line = <$s>;
		printf "%s %.1f\n", $line =~ s/\n//r, time - $t' "$P" >"$T/third" &
	sleep 1
	[ ! -s "$T/third" ]
	touch "$T/a.go"
	wait_for test -s "$T/third"
	read -r word secs <"$T/third"
	[ "$word" = third ]
	echo "# queued for $secs s" >&3
	touch "$T/b.go"
	wait_for running_is 0
}

@test "a reload that keeps or removes echo: its connections are served to their end" {
	builtin_conf echo
	start_pinetd
	fds=$(fd_count "$PID")
	hold a
	wait_for test -e "$T/a.up"
	kill -HUP "$PID"
	wait_log 'reload done'
	hold b
	wait_for test -e "$T/b.up"
	# the service goes: its listener closes, its connections stay
	P2=$(free_port)
	write_conf <<EOF
service other {
	port = $P2
	address = { "127.0.0.1" }
	builtin = daytime
}
EOF
	ctl reload
	reloads_are() { [ "$(grep -c 'reload done' "$LOG")" -eq "$1" ]; }
	wait_for reloads_are 2
	run ! timeout 2 socat -u "TCP:127.0.0.1:$P" - </dev/null
	[ "$(running)" = 2 ]
	touch "$T/a.go" "$T/b.go"
	wait_for exits_are 2
	[ "$(cat "$T/a.out")" = "$(printf 'a 1\na 2')" ]
	[ "$(cat "$T/b.out")" = "$(printf 'b 1\nb 2')" ]
	wait_for running_is 0
	# the listener of e went, the one of other came: nothing else is left
	[ "$(fd_count "$PID")" -eq "$fds" ]
}

@test "stop ends open echo connections within shutdown_timeout" {
	GLOBALS="shutdown_timeout = 2" builtin_conf echo
	start_pinetd
	hold a
	hold b
	wait_for test -e "$T/a.up"
	wait_for test -e "$T/b.up"
	start=$(date +%s%N)
	kill -TERM "$PID"
	gone() { if kill -0 "$PID" 2>/dev/null; then return 1; fi; }
	for _ in $(seq 160); do gone && break; sleep 0.05; done
	gone
	wait "$PID"
	rc=$?
	PID=
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "# stopped in $ms ms" >&3
	[ "$rc" -eq 0 ]
	[ "$ms" -ge 1900 ] && [ "$ms" -lt 4000 ]
	grep -q 'stop: waiting up to 2s for 2 handlers' "$LOG"
	exits_are 2
	grep -q 'stopped' "$LOG"
}
