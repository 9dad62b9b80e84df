#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# End to end with a real HAProxy on loopback: the pair shipped in
# etc/examples (haproxy.cfg, behind-haproxy.conf), ports and addresses
# moved to loopback, with two pinetd instances as the backend. Clients
# bound to 127.0.0.5 and 127.0.0.6 must be seen as themselves, through
# the balancer, by the handler and the policy.

load helpers

H=$BATS_TEST_DIRNAME/haproxy
EX=$BATS_TEST_DIRNAME/../etc/examples
CLIENT=$BATS_TEST_DIRNAME/proxy-client
PIDS=()

setup_file() {
	if ! command -v haproxy >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] || skip "haproxy missing and not root"
		"$H/install" >&3
	fi
}

teardown() {
	local p
	[ -z "${T:-}" ] || "$H/harness" stop "$T/ha" || true
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	PIDS=()
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		for f in "$T"/p*.log "$T"/ha/haproxy.log; do
			[ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f" >&3
		done
	fi
	sweep_processes
	rm -rf "$T"
}

# backend N SED...: pinetd instance N on $P+N from behind-haproxy.conf,
# trusting the balancer on loopback, with the handler saying which it is.
backend() {
	local n=$1
	shift
	sed -e "s/7190/$((P + n))/" -e 's|192.0.2.2/32|127.0.0.1/32|' \
	    -e "s|(through|on p$n (through|" -e "s|per_source = 4|per_source = 4\\
	prefork = $PREFORK|" "$@" "$EX/behind-haproxy.conf" >"$T/p$n.conf"
	chmod 644 "$T/p$n.conf"
	"$PINETD" -f "$T/p$n.conf" -v -c "$T/p$n.sock" >"$T/p$n.log" 2>&1 &
	PIDS+=($!)
	LOG=$T/p$n.log wait_log "ready:"
}

# balancer [SED...]: haproxy from haproxy.cfg in front of both.
balancer() {
	mkdir -p "$T/ha"
	sed -e "s|/run/haproxy/admin.sock|$T/ha/stats.sock|" \
	    -e "s|/run/haproxy.pid|$T/ha/haproxy.pid|" \
	    -e "s|bind :7190|bind 127.0.0.1:$P|" \
	    -e "s|192.0.2.11:7190|127.0.0.1:$((P + 1))|" \
	    -e "s|192.0.2.12:7190|127.0.0.1:$((P + 2))|" \
	    -e "s|inter 2s|inter 300|" "$@" "$EX/haproxy.cfg" >"$T/ha/haproxy.cfg"
	haproxy -c -q -f "$T/ha/haproxy.cfg"
	haproxy -D -f "$T/ha/haproxy.cfg" >>"$T/ha/haproxy.log" 2>&1
	wait_for test -s "$T/ha/haproxy.pid"
	"$H/harness" wait "$T/ha" UP
}

# request SRC: a client bound to SRC through the balancer.
request() {
	"$CLIENT" --raw '' --bind "$1" --payload x 127.0.0.1 "$P"
}

both_up() {
	run "$H/harness" status "$T/ha"
	[ "$output" = "host1 UP
host2 UP" ]
}

# through VERSION-WORD: both clients see themselves; checks keep both UP.
through() {
	local i
	for i in 1 2 3 4; do
		run request 127.0.0.5
		[[ "$output" =~ ^you\ are\ 127\.0\.0\.5:[0-9]+\ on\ p[12]\ \(through\ 127\.0\.0\.1\)$ ]]
		echo "$output" >>"$T/seen"
		run request 127.0.0.6
		[[ "$output" =~ ^you\ are\ 127\.0\.0\.6:[0-9]+\ on\ p[12]\ \(through\ 127\.0\.0\.1\)$ ]]
		echo "$output" >>"$T/seen"
	done
	grep -q 'on p1' "$T/seen"
	grep -q 'on p2' "$T/seen"
	# several check intervals later, the LOCAL checks still keep both UP
	sleep 1
	both_up
	grep -qE "whoami: connection from 127\.0\.0\.5:[0-9]+ via 127\.0\.0\.1:" "$T/p1.log" "$T/p2.log"
}

@test "haproxy send-proxy-v2: TCPREMOTEIP is the client's; LOCAL checks keep both UP" {
	P=$(free_port)
	backend 1
	backend 2
	balancer
	through
	# HAProxy's checks come as LOCAL: the real endpoints, said in the log
	grep -qE "whoami: connection from 127\.0\.0\.1:[0-9]+ \(PROXY LOCAL\)" "$T/p1.log"
}

@test "haproxy send-proxy (v1): the same through version 1 lines" {
	P=$(free_port)
	backend 1 -e 's/"v2"/"v1"/'
	backend 2 -e 's/"v2"/"any"/'
	balancer -e 's/send-proxy-v2/send-proxy/'
	through
	# its checks are version 1 lines with its own addresses
	grep -qE "whoami: connection from 127\.0\.0\.1:[0-9]+ via 127\.0\.0\.1:" "$T/p1.log"
	run ! grep -q "PROXY header from" "$T/p1.log" "$T/p2.log"
}

@test "haproxy: deny and per_source judge the client behind the balancer" {
	local i pids=()
	P=$(free_port)
	for i in 1 2; do
		backend $i -e "s|^\tshell = .*|\tshell = 'echo \"you are \$TCPREMOTEIP on p$i\"; sleep 1'|" \
		    -e 's/per_source = 4/per_source = 1\
	deny = { "127.0.0.6\/32" }/'
	done
	balancer
	run request 127.0.0.6
	[ -z "$output" ]
	LOG=$T/p1.log wait_log "whoami: refused 127\.0\.0\.6 port [0-9]+ \(deny" 2 ||
	    LOG=$T/p2.log wait_log "whoami: refused 127\.0\.0\.6 port [0-9]+ \(deny"
	# two at once from 127.0.0.5 to each backend: one each is served
	for i in 1 2 3 4; do
		request 127.0.0.5 >"$T/r$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(cat "$T"/r? | grep -c 'you are 127.0.0.5')" -eq 2 ]
	grep -qE "whoami: refused 127\.0\.0\.5 port [0-9]+ \(per_source" "$T/p1.log" "$T/p2.log"
}

@test "haproxy: one pinetd stops; after the checks all go to the other" {
	local i
	P=$(free_port)
	backend 1
	backend 2
	balancer
	kill "${PIDS[1]}"
	wait "${PIDS[1]}" || true
	for i in $(seq 30); do
		"$H/harness" status "$T/ha" | grep -q '^host2 DOWN' && break
		sleep 0.1
	done
	run "$H/harness" status "$T/ha"
	[ "$output" = "host1 UP
host2 DOWN" ]
	for i in $(seq 10); do
		run request 127.0.0.$((5 + i % 2))
		[[ "$output" =~ ^you\ are\ 127\.0\.0\.[56]:[0-9]+\ on\ p1\  ]]
	done
}

# The README shows the same pair, without the comments (blank lines aside).
strip_comments() {
	perl -ne 's/\s*#.*//; print if /\S/' "$1"
}

readme_block() {
	perl -e '
		my ($key) = @ARGV; my ($seen, $in);
		while (<STDIN>) {
			if (/^```/ && $in) { last }
			print if $in;
			$in = 1 if $seen && /^```/;
			$seen = 1 if index($_, $key) >= 0;
		}' "$1" <"$BATS_TEST_DIRNAME/../README.md" | perl -ne 'print if /\S/'
}

@test "README: the haproxy.cfg and pinetd.conf pair is the one in etc/examples" {
	[ "$(readme_block 'On the balancer')" = "$(strip_comments "$EX/haproxy.cfg")" ]
	[ "$(readme_block 'On each pinetd host')" = "$(strip_comments "$EX/behind-haproxy.conf")" ]
}
