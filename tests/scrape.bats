#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# Metrics scrapes served on the master's event loop, with real clients
# over loopback TCP: the scrape code serves pinetd's families the way the
# metrics builtin will (tests/unit/test_metrics -s); answers and errors,
# a header flood, silent scrapers and the bound on scrapes at once.

load helpers

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	helpers_setup
	SRV=
	TEST_METRICS=$PINETD_BUILD/tests/unit/test_metrics
	[ -x "$TEST_METRICS" ] ||
	    make -C "$PINETD_BUILD" tests/unit/test_metrics >/dev/null
}

teardown() {
	[ -z "${SRV:-}" ] || kill "$SRV" 2>/dev/null || true
	[ -z "${SRV:-}" ] || wait "$SRV" 2>/dev/null || true
	helpers_teardown
}

# serve [VAR=value...]: serves the sample on 127.0.0.1:$P.
serve() {
	env "$@" "$TEST_METRICS" -s "$T/port" </dev/null >"$T/serve.log" \
	    2>&1 3>&- &
	SRV=$!
	wait_for test -s "$T/port"
	P=$(cat "$T/port")
}

# peer NAME [DATA]: a client that connects, sends DATA (perl string
# escapes) and nothing more, keeps its side open, and records in
# $T/NAME.out what it gets until the server closes, and in $T/NAME.ms
# how long that took. $T/NAME.up appears once it is connected.
peer() {
	perl -MIO::Socket::IP -MTime::HiRes=time -e '
		my ($port, $data, $out) = @ARGV;
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
		    PeerPort => $port) or die "connect: $@\n";
		my $t0 = time;
		open(my $u, ">", "$out.up") and close($u);
		$data = eval "\"$data\"";
		syswrite($s, $data) if length $data;
		my ($buf, $all) = ("", "");
		local $SIG{ALRM} = sub { die "no close in 20 s\n" };
		alarm 20;
		$all .= $buf while sysread($s, $buf, 65536);
		open(my $f, ">", "$out.out") or die;
		print $f $all;
		open(my $g, ">", "$out.ms") or die;
		printf $g "%d\n", (time - $t0) * 1000;
	' "$P" "${2:-}" "$T/$1" </dev/null 3>&- &
}

# status ARGS...: the status code curl gets.
status() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"
}

@test "GET /metrics: 200, the text format's content type, the whole body" {
	serve
	curl -sS -D "$T/head" -o "$T/body" --max-time 5 \
	    "http://127.0.0.1:$P/metrics"
	grep -q '^HTTP/1.1 200 OK' "$T/head"
	grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' \
	    "$T/head"
	len=$(sed -n 's/^Content-Length: \([0-9]*\).*/\1/p' "$T/head")
	[ "$len" -eq "$(wc -c <"$T/body")" ]
	grep -qx 'pinetd_connections_total{service="x"} 7' "$T/body"
	# every family has its help and type
	[ "$(grep -c '^# HELP ' "$T/body")" -eq 24 ]
	[ "$(grep -c '^# TYPE ' "$T/body")" -eq 24 ]
	if command -v promtool >/dev/null; then
		"$top/tests/prometheus/check" "$T/body"
	fi
	# HTTP/1.0, and HEAD: the same head, no body
	[ "$(status -0 "http://127.0.0.1:$P/metrics")" = 200 ]
	client 127.0.0.1 "$P" < <(printf 'HEAD /metrics HTTP/1.0\r\n\r\n') \
	    >"$T/hhead"
	grep -q '^HTTP/1.1 200 OK' "$T/hhead"
	hlen=$(sed -n 's/^Content-Length: \([0-9]*\).*/\1/p' "$T/hhead")
	[ "$hlen" -gt 1000 ]
	run ! grep -q '^# HELP' "$T/hhead"
}

@test "bad requests: 404, 405, 400, 505, 413" {
	serve
	[ "$(status "http://127.0.0.1:$P/")" = 404 ]
	[ "$(status "http://127.0.0.1:$P/metrics/x")" = 404 ]
	[ "$(status -X POST "http://127.0.0.1:$P/metrics")" = 405 ]
	[ "$(status -X DELETE "http://127.0.0.1:$P/metrics")" = 405 ]
	[ "$(status --data x -X GET "http://127.0.0.1:$P/metrics")" = 413 ]
	run client 127.0.0.1 "$P" <<<'not http at all'
	[[ ${lines[0]} == 'HTTP/1.1 400 Bad Request'* ]]
	run client 127.0.0.1 "$P" < <(printf 'GET /metrics HTTP/2.0\r\n\r\n')
	[[ ${lines[0]} == 'HTTP/1.1 505 '* ]]
	# HTTP/1.1 without Host
	run client 127.0.0.1 "$P" < <(printf 'GET /metrics HTTP/1.1\r\n\r\n')
	[[ ${lines[0]} == 'HTTP/1.1 400 '* ]]
	curl -s --max-time 5 "http://127.0.0.1:$P/metrics" >"$T/body"
	grep -qx 'pinetd_metrics_scrapes_total{outcome="refused"} 8' \
	    "$T/body"
}

@test "64 KB of headers are answered 431 and delay no other scrape" {
	serve PINETD_SCRAPE_TIMEOUT_MS=3000
	peer flood 'GET /metrics HTTP/1.1\r\nHost: x\r\n'"$(printf \
	    'X-Flood-%04d: %0100d\\r\\n' $(seq 1 600 | sed 'p'))"
	curl -sS -o "$T/body" -w '%{time_total}\n' --max-time 5 \
	    "http://127.0.0.1:$P/metrics" >"$T/time"
	grep -qx 'pinetd_connections_total{service="x"} 7' "$T/body"
	wait_for test -s "$T/flood.ms"
	head -c 100 "$T/flood.out" | grep -q '^HTTP/1.1 431 '
	# answered at once, not at the deadline
	[ "$(cat "$T/flood.ms")" -lt 2000 ]
	awk '{ exit !($1 < 1) }' "$T/time"
}

@test "a silent scraper gets 408 at the deadline and delays nobody" {
	serve PINETD_SCRAPE_TIMEOUT_MS=2000
	peer silent
	peer half 'GET /metrics HTTP/1.1\r\nHost: x\r\n'
	wait_for test -e "$T/silent.up" -a -e "$T/half.up"
	curl -sS -o "$T/body" -w '%{time_total}\n' --max-time 5 \
	    "http://127.0.0.1:$P/metrics" >"$T/time"
	awk '{ exit !($1 < 1) }' "$T/time"
	grep -qx 'pinetd_connections_total{service="x"} 7' "$T/body"
	wait_for test -s "$T/silent.ms"
	wait_for test -s "$T/half.ms"
	grep -q '^HTTP/1.1 408 ' "$T/silent.out"
	grep -q '^HTTP/1.1 408 ' "$T/half.out"
	ms=$(cat "$T/silent.ms")
	[ "$ms" -ge 1900 ] && [ "$ms" -lt 4000 ]
	curl -s --max-time 5 "http://127.0.0.1:$P/metrics" >"$T/body"
	grep -qx 'pinetd_metrics_scrapes_total{outcome="timeout"} 2' \
	    "$T/body"
}

@test "over the bound on scrapes at once: 503 at once, then served again" {
	# a deadline long enough that the two silent ones still hold their
	# slots when the third comes, even on a loaded machine
	serve PINETD_SCRAPE_MAX=2 PINETD_SCRAPE_TIMEOUT_MS=4000
	peer s1
	peer s2
	wait_for test -e "$T/s1.up" -a -e "$T/s2.up"
	sleep 0.1	# and accepted
	[ "$(status "http://127.0.0.1:$P/metrics")" = 503 ]
	# the slots are free again once they time out
	for ((i = 0; i < 200; i++)); do
		[ -s "$T/s1.ms" ] && [ -s "$T/s2.ms" ] && break
		sleep 0.05
	done
	grep -q '^HTTP/1.1 408 ' "$T/s1.out"
	[ "$(status "http://127.0.0.1:$P/metrics")" = 200 ]
	curl -s --max-time 5 "http://127.0.0.1:$P/metrics" >"$T/body"
	grep -qx 'pinetd_metrics_scrapes_total{outcome="busy"} 1' "$T/body"
}
