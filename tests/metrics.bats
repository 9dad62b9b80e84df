#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# builtin = "metrics": the Prometheus endpoint served by the master,
# scraped with curl, checked by promtool and by a real Prometheus.
# Distinct loopback source addresses act as different clients.

load helpers

PROM=$top/tests/prometheus

# promtool checks the exposition; it comes with Debian's prometheus
# package, installed here when this file runs first on a new machine.
setup_file() {
	"$PROM/install" >&2 || true
}

# from SRC PORT: a client bound to source address SRC.
from() {
	timeout 10 socat -t 5 - "TCP:127.0.0.1:$2,bind=$1"
}

# scrape [PATH]: the body of GET /metrics (or PATH) on port $M.
scrape() {
	curl -sS --max-time 5 "http://127.0.0.1:$M${1:-/metrics}"
}

# value SERIES: the value of one series in $T/m.prom.
value() {
	awk -v s="$1" '$1 == s { print $2 }' "$T/m.prom"
}

# queued_is N: a scrape shows N connections queued for x.
queued_is() {
	scrape >"$T/m.prom" &&
	    [ "$(value 'pinetd_connections_queued{service="x"}')" = "$1" ]
}

# conf: x (a shell handler: "fail" exits 3, "sleep" outlives its
# timeout, anything else is echoed), y (echo) and the metrics service.
conf() {
	write_conf <<EOF
service x {
	port = $P
	address = { "127.0.0.1" }
	deny = { "127.0.0.2" }
	per_source = 1
	timeout = 2
	shell = "read l; case \$l in fail) exit 3;; sleep) exec sleep 60;; esac; echo \$l"
}
$1
service metrics {
	port = $M
	address = { "127.0.0.1" }
	builtin = "metrics"
	timeout = ${MTIMEOUT:-10}
}
EOF
}

setup_ports() {
	P=$(free_port)
	M=$((P + 1))
	YP=$((P + 2))
	YCONF="service y {
	port = $YP
	address = { \"127.0.0.1\" }
	builtin = \"echo\"
}"
}

@test "GET /metrics: 200, its content type, every metric with # HELP and # TYPE, promtool passes" {
	setup_ports
	conf "$YCONF"
	start_pinetd
	[ "$(client 127.0.0.1 "$YP" <<<hello)" = hello ]
	run curl -sS -i --max-time 5 "http://127.0.0.1:$M/metrics"
	[ "$status" -eq 0 ]
	[[ $output == "HTTP/1.1 200 OK"* ]]
	grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' <<<"$output"
	scrape >"$T/m.prom"
	curl -sS --http1.0 --max-time 5 "http://127.0.0.1:$M/metrics" | grep -q '^pinetd_build_info{version="'
	# every sample's family has its help and type
	names=$(grep -v '^#' "$T/m.prom" | sed 's/[{ ].*//' |
	    sed -E 's/_(bucket|sum|count)$//' | sort -u)
	[ -n "$names" ]
	for n in $names; do
		grep -q "^# HELP $n " "$T/m.prom" || { echo "no help for $n"; return 1; }
		grep -q "^# TYPE $n " "$T/m.prom" || { echo "no type for $n"; return 1; }
	done
	for f in pinetd_build_info pinetd_reloads_total \
	    pinetd_reload_failures_total \
	    pinetd_last_reload_success_timestamp_seconds pinetd_children \
	    pinetd_metrics_scrapes_total process_cpu_seconds_total \
	    process_resident_memory_bytes process_open_fds process_max_fds \
	    process_start_time_seconds pinetd_connections_total \
	    pinetd_connections_refused_total pinetd_handler_exits_total \
	    pinetd_handler_duration_seconds pinetd_spawn_failures_total \
	    pinetd_crash_loop_pauses_total pinetd_datagrams_dropped_total \
	    pinetd_handlers pinetd_connections_queued pinetd_workers_idle \
	    pinetd_pool_handlers; do
		grep -q "^# TYPE $f " "$T/m.prom" || { echo "missing $f"; return 1; }
	done
	[ "$(value 'pinetd_connections_total{service="y"}')" = 1 ]
	[ "$(value 'pinetd_handler_exits_total{service="y",outcome="ok"}')" = 1 ]
	"$PROM/check" "$T/m.prom"
}

@test "the counts follow a known sequence: accepted, denied, per_source, a failure, a timeout" {
	setup_ports
	conf ""
	start_pinetd
	for i in 1 2 3; do
		[ "$(from 127.0.0.1 "$P" <<<"ok$i")" = "ok$i" ]
	done
	run from 127.0.0.1 "$P" <<<fail
	[ -z "$output" ]
	for i in 1 2; do
		run from 127.0.0.2 "$P" <<<denied
		[ -z "$output" ]
	done
	# one from .3 sleeps until its timeout; a second one from .3 is
	# over per_source
	(echo sleep; sleep 5) | from 127.0.0.3 "$P" >/dev/null &
	wait_log 'x: connection from 127\.0\.0\.3'
	run from 127.0.0.3 "$P" <<<again
	[ -z "$output" ]
	wait_log 'x: pid [0-9]+ .* killed by signal 15 .*\(timeout\)'
	wait_log 'x: refused 127\.0\.0\.3 port [0-9]+ \(per_source\)'
	scrape >"$T/m.prom"
	[ "$(value 'pinetd_connections_total{service="x"}')" = 5 ]
	[ "$(value 'pinetd_connections_refused_total{service="x",reason="deny"}')" = 2 ]
	[ "$(value 'pinetd_connections_refused_total{service="x",reason="per_source"}')" = 1 ]
	[ "$(value 'pinetd_connections_refused_total{service="x",reason="rate"}')" = 0 ]
	[ "$(value 'pinetd_handler_exits_total{service="x",outcome="ok"}')" = 3 ]
	[ "$(value 'pinetd_handler_exits_total{service="x",outcome="failed"}')" = 1 ]
	[ "$(value 'pinetd_handler_exits_total{service="x",outcome="timeout"}')" = 1 ]
	[ "$(value 'pinetd_handler_exits_total{service="x",outcome="signaled"}')" = 0 ]
	[ "$(value 'pinetd_handler_duration_seconds_count{service="x"}')" = 5 ]
	# the timed-out one ran 2 s: above 1 s, within 5 s
	[ "$(value 'pinetd_handler_duration_seconds_bucket{service="x",le="1"}')" = 4 ]
	[ "$(value 'pinetd_handler_duration_seconds_bucket{service="x",le="5"}')" = 5 ]
	[ "$(value 'pinetd_handlers{service="x"}')" = 0 ]
	# the scrapes count themselves
	[ "$(value 'pinetd_connections_total{service="metrics"}')" = 1 ]
}

@test "a reload keeps the counters of kept services; a removed service's series are gone" {
	setup_ports
	conf "$YCONF"
	start_pinetd
	for i in 1 2; do
		[ "$(from 127.0.0.1 "$P" <<<"a$i")" = "a$i" ]
	done
	[ "$(client 127.0.0.1 "$YP" <<<y)" = y ]
	scrape >"$T/m.prom"
	t0=$(value pinetd_last_reload_success_timestamp_seconds)
	[ "$(value 'pinetd_connections_total{service="y"}')" = 1 ]
	sleep 1.1
	conf ""
	kill -HUP "$PID"
	wait_log 'reload done'
	[ "$(from 127.0.0.1 "$P" <<<a3)" = a3 ]
	scrape >"$T/m.prom"
	[ "$(value 'pinetd_connections_total{service="x"}')" = 3 ]
	[ "$(value 'pinetd_handler_exits_total{service="x",outcome="ok"}')" -ge 2 ]
	[ "$(value pinetd_reloads_total)" = 1 ]
	[ "$(value pinetd_reload_failures_total)" = 0 ]
	[ "$(value pinetd_last_reload_success_timestamp_seconds)" -gt "$t0" ]
	run ! grep -F 'service="y"' "$T/m.prom"
	# a failed reload is counted and changes nothing
	echo 'service broken {' >>"$CONF"
	kill -HUP "$PID"
	wait_log 'reload failed'
	scrape >"$T/m.prom"
	[ "$(value pinetd_reload_failures_total)" = 1 ]
	[ "$(value 'pinetd_connections_total{service="x"}')" = 3 ]
}

@test "removing the metrics service closes its scrapes at the reload" {
	setup_ports
	MTIMEOUT=30 conf ""
	start_pinetd
	s=$(date +%s)
	# connected, silent, waiting for the end of the connection
	timeout 25 perl -MIO::Socket::IP -e '
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
		    PeerPort => $ARGV[0]) or die "connect: $!";
		1 while sysread($s, my $b, 4096);' "$M" &
	bg=$!
	sleep 0.5
	write_conf <<EOF
service x {
	port = $P
	address = { "127.0.0.1" }
	shell = "echo x"
}
EOF
	kill -HUP "$PID"
	wait_log 'reload: metrics removed'
	# the silent scraper is closed at once, not at its 30 s timeout
	wait "$bg" || true
	[ $(($(date +%s) - s)) -lt 10 ]
	run curl -sS --max-time 2 "http://127.0.0.1:$M/metrics"
	[ "$status" -ne 0 ]
}

@test "a scrape is answered while max_children is reached; the queued gauge" {
	setup_ports
	conf ""
	sed -i '1i max_children = 1' "$CONF"
	start_pinetd
	(echo sleep; sleep 4) | from 127.0.0.3 "$P" >/dev/null &
	wait_log 'x: connection from 127\.0\.0\.3'
	# x is full: this one waits in the accept queue until the first
	# is ended by its timeout
	from 127.0.0.4 "$P" <<<queued >"$T/queued.out" &
	wait_for queued_is 1
	[ "$(value 'pinetd_children_limit')" = 1 ]
	[ "$(value 'pinetd_handlers{service="x"}')" = 1 ]
	wait_log 'x: connection from 127\.0\.0\.4'
	wait_for grep -qx queued "$T/queued.out"
}

@test "a silent scraper and a 64 KB header scraper do not delay a connection to another service" {
	setup_ports
	MTIMEOUT=4 conf "$YCONF"
	start_pinetd
	# connected, sending nothing
	sleep 6 | timeout 8 socat -u - "TCP:127.0.0.1:$M" >/dev/null &
	bg=$!
	# 64 KB of headers, slowly, and never the end of the head
	perl -MIO::Socket::IP -e '
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
		    PeerPort => $ARGV[0]) or die "connect: $!";
		print $s "GET /metrics HTTP/1.1\r\n";
		for (1..64) { print $s "X-Pad: ", "a" x 1000, "\r\n";
		    select(undef, undef, undef, 0.02); }
		sleep 5;' "$M" 2>/dev/null &
	bg="$bg $!"
	sleep 0.5
	for i in 1 2 3; do
		s=$(date +%s%N)
		[ "$(client 127.0.0.1 "$YP" <<<"n$i")" = "n$i" ]
		e=$(( ($(date +%s%N) - s) / 1000000 ))
		echo "echo $i: $e ms" >&3
		# blocked by either scraper, it would wait seconds
		[ "$e" -lt 2000 ]
	done
	# and a scrape is answered meanwhile
	scrape >"$T/m.prom"
	grep -q '^pinetd_connections_total{service="y"} 3$' "$T/m.prom"
	# shellcheck disable=SC2086
	wait $bg || true
}

@test "bad requests get 400, 404 and 405; over max_instances 503" {
	setup_ports
	conf ""
	start_pinetd
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$M/nope")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$M/metrics")" = 405 ]
	run timeout 5 socat -t 3 - "TCP:127.0.0.1:$M" <<<$'garbage\r\n\r'
	[[ $output == "HTTP/1.1 400 "* ]]
	run timeout 5 socat -t 3 - "TCP:127.0.0.1:$M" <<<$'GET /metrics HTTP/1.1\r\nHost: x\r\n\r'
	[[ $output == "HTTP/1.1 200 "* ]]
	# four silent scrapers fill max_instances (default 4): the fifth
	# gets 503
	for i in 1 2 3 4; do
		sleep 3 | timeout 5 socat -u - "TCP:127.0.0.1:$M" >/dev/null &
		bg="${bg:-} $!"
	done
	sleep 0.5
	run timeout 5 socat -t 3 - "TCP:127.0.0.1:$M" <<<$'GET /metrics HTTP/1.0\r\n\r'
	[[ $output == "HTTP/1.1 503 "* ]]
	# shellcheck disable=SC2086
	wait $bg || true
}

@test "builtin metrics over udp or with prefork is a FILE:LINE error" {
	P=$(free_port)
	write_conf <<EOF
service m {
	port = $P
	protocol = "udp"
	builtin = "metrics"
}
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -ne 0 ]
	[[ $output == *"$CONF:1: service 'm': builtin metrics is served over tcp"* ]]
	write_conf <<EOF
service m {
	port = $P
	prefork = 2
	builtin = "metrics"
}
EOF
	run "$PINETD" -t -f "$CONF"
	[ "$status" -ne 0 ]
	[[ $output == *"$CONF:1: service 'm': builtin metrics"* ]]
}

@test "a real Prometheus scraping pinetd every second sees the connections" {
	"$PROM/install" >&2 || skip "prometheus could not be installed"
	setup_ports
	conf ""
	start_pinetd
	for i in 1 2 3 4 5 6; do
		[ "$(from 127.0.0.1 "$P" <<<"p$i")" = "p$i" ]
	done
	"$PROM/server" start "$T/prom" "127.0.0.1:$M"
	"$PROM/server" wait "$T/prom" 'up{job="pinetd"}' 1
	"$PROM/server" wait "$T/prom" 'sum(pinetd_connections_total{service="x"})' 6
	for i in 1 2; do
		[ "$(from 127.0.0.1 "$P" <<<"q$i")" = "q$i" ]
	done
	"$PROM/server" wait "$T/prom" 'sum(pinetd_connections_total{service="x"})' 8 10
	run "$PROM/server" query "$T/prom" 'up{job="pinetd"}'
	[ "$output" = 1 ]
	run "$PROM/server" query "$T/prom" \
	    'sum(pinetd_handler_exits_total{service="x",outcome="ok"})'
	[ "$output" = 8 ]
	"$PROM/server" stop "$T/prom"
	run ! pgrep -f -- "--config.file=$T/prom/"
	run ! pgrep -u prometheus -x prometheus
}

eval "helpers_$(declare -f teardown)"

teardown() {
	[ -z "${T:-}" ] || [ ! -d "$T/prom" ] || "$PROM/server" stop "$T/prom" || true
	helpers_teardown
}
