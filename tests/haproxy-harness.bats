#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The HAProxy harness on its own, with stand-in backends that describe
# what they receive: the PROXY header HAProxy sends (v2 and v1) carries the
# client's own address, health checks arrive as LOCAL and keep the servers
# UP, and with one server gone every request reaches the other.

load helpers

H=$BATS_TEST_DIRNAME/haproxy
CLIENT=$BATS_TEST_DIRNAME/proxy-client
SERVERS=()

setup_file() {
	if ! command -v haproxy >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] || skip "haproxy missing and not root"
		"$BATS_TEST_DIRNAME/haproxy/install" >&3
	fi
}

teardown() {
	local p
	[ -z "${T:-}" ] || "$H/harness" stop "$T/ha" || true
	for p in "${SERVERS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	sweep_processes
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		for f in "$T"/s*.log "$T"/ha/haproxy.log; do
			[ -f "$f" ] && sed "s|^|# $(basename "$f"): |" "$f" >&3
		done
	fi
	rm -rf "$T"
}

# start_backends: two dump servers on $P+1 and $P+2.
start_backends() {
	P=$(free_port)
	"$H/dump-server" 127.0.0.1 $((P + 1)) s1 >"$T/s1.log" 2>&1 &
	SERVERS+=($!)
	"$H/dump-server" 127.0.0.1 $((P + 2)) s2 >"$T/s2.log" 2>&1 &
	SERVERS+=($!)
}

# request SRC PAYLOAD: a plain client through the balancer.
request() {
	"$CLIENT" --raw '' --bind "$1" --payload "$2" 127.0.0.1 "$P"
}

@test "haproxy send-proxy-v2: the client's address, LOCAL checks, UP" {
	start_backends
	"$H/harness" start "$T/ha" "$P" --v2 --inter 300 \
	    127.0.0.1:$((P + 1)) 127.0.0.1:$((P + 2))
	"$H/harness" wait "$T/ha" UP
	run request 127.0.0.5 hello
	[[ "$output" =~ ^s[12]\ v2\ PROXY\ src=127\.0\.0\.5:[0-9]+\ dst=127\.0\.0\.1:$P\ tlvs=[0-9]+\ rest=hello$ ]]
	run request 127.0.0.6 again
	[[ "$output" =~ ^s[12]\ v2\ PROXY\ src=127\.0\.0\.6:[0-9]+\ .*rest=again$ ]]
	# both servers served one of the two (round robin)
	grep -q 'v2 PROXY src=127.0.0.[56]' "$T/s1.log"
	grep -q 'v2 PROXY src=127.0.0.[56]' "$T/s2.log"
	# health checks come as LOCAL with no payload (every 300 ms: the
	# servers may be UP before either has had its first)
	wait_for grep -q '^s1 v2 LOCAL len=[0-9]* rest=$' "$T/s1.log"
	wait_for grep -q '^s2 v2 LOCAL len=[0-9]* rest=$' "$T/s2.log"
	run "$H/harness" status "$T/ha"
	[ "$output" = "s1 UP
s2 UP" ]
}

@test "haproxy send-proxy (v1): the client's address in the line" {
	start_backends
	"$H/harness" start "$T/ha" "$P" --v1 --inter 300 \
	    127.0.0.1:$((P + 1)) 127.0.0.1:$((P + 2))
	"$H/harness" wait "$T/ha" UP
	run request 127.0.0.5 hello
	[[ "$output" =~ ^s[12]\ v1\ PROXY\ TCP4\ 127\.0\.0\.5\ 127\.0\.0\.1\ [0-9]+\ $P\ rest=hello$ ]]
}

@test "haproxy: a server gone is marked DOWN, the other serves all" {
	local i
	start_backends
	"$H/harness" start "$T/ha" "$P" --v2 --inter 200 \
	    127.0.0.1:$((P + 1)) 127.0.0.1:$((P + 2))
	"$H/harness" wait "$T/ha" UP
	kill "${SERVERS[1]}"
	# two failed checks 200 ms apart: DOWN well within 3 s
	for i in $(seq 30); do
		"$H/harness" status "$T/ha" | grep -q '^s2 DOWN' && break
		sleep 0.1
	done
	run "$H/harness" status "$T/ha"
	[[ "$output" == *"s1 UP"* && "$output" == *"s2 DOWN"* ]]
	for i in 1 2 3 4 5 6; do
		run request 127.0.0.5 "n$i"
		[[ "$output" =~ ^s1\ v2\ PROXY\ src=127\.0\.0\.5:.*rest=n$i$ ]]
	done
}

@test "haproxy harness: stop ends that haproxy only" {
	start_backends
	"$H/harness" start "$T/ha" "$P" 127.0.0.1:$((P + 1))
	pid=$(cat "$T/ha/haproxy.pid")
	kill -0 "$pid"
	"$H/harness" stop "$T/ha"
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
	run "$CLIENT" --raw '' --payload x 127.0.0.1 "$P"
	[ "$status" -eq 111 ]
}

@test "proxy-client: HAProxy (accept-proxy) takes its headers, not a bad CRC" {
	start_backends
	"$H/harness" start "$T/ha" "$P" --v2 --accept-proxy --inter 300 \
	    127.0.0.1:$((P + 1))
	"$H/harness" wait "$T/ha" UP
	run "$CLIENT" --src 203.0.113.9 --sport 4444 --crc --tlv alpn=h2 \
	    --tlv unique_id=0x0102 --payload hello 127.0.0.1 "$P"
	[ "$output" = "s1 v2 PROXY src=203.0.113.9:4444 dst=198.51.100.7:443 tlvs=0 rest=hello" ]
	run "$CLIENT" -1 --src 203.0.113.7 --sport 7 --payload v1 127.0.0.1 "$P"
	[ "$output" = "s1 v2 PROXY src=203.0.113.7:7 dst=198.51.100.7:443 tlvs=0 rest=v1" ]
	run "$CLIENT" --family tcp6 --src 2001:db8::77 --payload six \
	    127.0.0.1 "$P"
	[[ "$output" == "s1 v2 PROXY src=2001:db8::77:56324 "*"rest=six" ]]
	# a LOCAL header: HAProxy uses the real endpoints
	run "$CLIENT" --local --family unspec --bind 127.0.0.5 --payload loc \
	    127.0.0.1 "$P"
	[[ "$output" == "s1 v2 PROXY src=127.0.0.5:"*"rest=loc" ]]
	run "$CLIENT" --bad-crc --payload hello 127.0.0.1 "$P"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	run "$CLIENT" --raw 0d0a0d0a000d0a515549540a2211000c --payload x \
	    127.0.0.1 "$P"
	[ -z "$output" ]
}
