#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The metrics test harness: Debian's prometheus installed without its
# packaged server left running; `promtool check metrics` passes on what
# the text format writer produces and fails on broken expositions; a real
# Prometheus on loopback scrapes it every second and answers queries.

load helpers

PROM=$top/tests/prometheus

setup_file() {
	if ! "$top/tests/prometheus/install" >&2; then
		export PROM_SKIP="prometheus could not be installed (root needed)"
	fi
}

eval "helpers_$(declare -f setup)"
eval "helpers_$(declare -f teardown)"

setup() {
	[ -z "${PROM_SKIP:-}" ] || skip "$PROM_SKIP"
	helpers_setup
	SPID=
	TEST_PROM=$PINETD_BUILD/tests/unit/test_prom
	TEST_METRICS=$PINETD_BUILD/tests/unit/test_metrics
	[ -x "$TEST_PROM" ] && [ -x "$TEST_METRICS" ] ||
	    make -C "$PINETD_BUILD" tests/unit/test_prom \
	    tests/unit/test_metrics >/dev/null
}

teardown() {
	[ -z "${T:-}" ] || "$PROM/server" stop "$T/prom" || true
	[ -z "${SPID:-}" ] || kill "$SPID" 2>/dev/null || true
	helpers_teardown
}

# serve FILE: serves FILE over HTTP on 127.0.0.1:$SPORT.
serve() {
	rm -f "$T/sport"
	"$PROM/serve-file" "$1" "$T/sport" </dev/null >"$T/serve.log" 2>&1 3>&- &
	SPID=$!
	wait_for test -s "$T/sport"
	SPORT=$(cat "$T/sport")
}

@test "the packaged prometheus server is not left running" {
	command -v prometheus
	command -v promtool
	run ! pgrep -u prometheus -x prometheus
}

@test "promtool check metrics passes on the writer's output" {
	"$TEST_PROM" "$T/m.prom"
	# every family is there, with its help and type
	grep -qx '# TYPE pinetd_handler_duration_seconds histogram' "$T/m.prom"
	grep -qx '# TYPE process_cpu_seconds_total counter' "$T/m.prom"
	grep -q '^process_start_time_seconds [0-9]' "$T/m.prom"
	grep -qF 'service="web \"front\"\n"' "$T/m.prom"
	"$PROM/check" "$T/m.prom"
	# and on pinetd's own families
	"$TEST_METRICS" "$T/pinetd.prom"
	grep -qx 'pinetd_connections_total{service="x"} 7' "$T/pinetd.prom"
	[ "$(grep -c '^# TYPE ' "$T/pinetd.prom")" -eq \
	    "$(grep -c '^# HELP ' "$T/pinetd.prom")" ]
	"$PROM/check" "$T/pinetd.prom"
}

@test "promtool check metrics fails on broken expositions" {
	printf '# HELP c x\n# TYPE c counter\nc 1\n' >"$T/lint.prom"
	run ! "$PROM/check" "$T/lint.prom"
	[[ $output == *'_total'* ]]
	printf '# HELP g x\n# TYPE g gauge\ng{a="b\nc"} 1\n' >"$T/parse.prom"
	run ! "$PROM/check" "$T/parse.prom"
	"$TEST_PROM" "$T/m.prom"
	sed '/^# HELP pinetd_handlers /d' "$T/m.prom" >"$T/nohelp.prom"
	run ! "$PROM/check" "$T/nohelp.prom"
}

@test "a real Prometheus scrapes the writer's output every second" {
	"$TEST_PROM" "$T/m.prom"
	serve "$T/m.prom"
	"$PROM/server" start "$T/prom" "127.0.0.1:$SPORT"
	"$PROM/server" wait "$T/prom" 'up{job="pinetd"}' 1
	run "$PROM/server" query "$T/prom" 'sum(pinetd_connections_total)'
	[ "$output" = 60 ]
	run "$PROM/server" query "$T/prom" \
	    'pinetd_connections_total{service="web \"front\"\n"}'
	[ "$output" = 20 ]
	run "$PROM/server" query "$T/prom" \
	    'sum(pinetd_handler_duration_seconds_count)'
	[ "$output" = 60 ]
	"$PROM/server" stop "$T/prom"
	run ! pgrep -f -- "--config.file=$T/prom/"
}

@test "a real Prometheus reads pinetd's families and follows their changes" {
	"$TEST_METRICS" "$T/pinetd.prom"
	serve "$T/pinetd.prom"
	"$PROM/server" start "$T/prom" "127.0.0.1:$SPORT"
	"$PROM/server" wait "$T/prom" 'up{job="pinetd"}' 1
	run "$PROM/server" query "$T/prom" \
	    'sum(pinetd_connections_total{service="x"})'
	[ "$output" = 7 ]
	run "$PROM/server" query "$T/prom" \
	    'pinetd_connections_refused_total{service="x",reason="deny"}'
	[ "$output" = 2 ]
	run "$PROM/server" query "$T/prom" 'pinetd_build_info{version="1.2.3"}'
	[ "$output" = 1 ]
	# p99 of 0, 0.3, ..., 1.8 s: in the (1, 5] bucket
	run "$PROM/server" query "$T/prom" 'histogram_quantile(0.99,
	    pinetd_handler_duration_seconds_bucket{service="x"})'
	[[ $output == 4.9* ]]
	run "$PROM/server" query "$T/prom" 'process_open_fds > 0'
	[ -n "$output" ]
	# a new value is seen at the next scrape
	sed -i 's/^\(pinetd_connections_total{service="x"}\) 7$/\1 17/' \
	    "$T/pinetd.prom"
	"$PROM/server" wait "$T/prom" \
	    'sum(pinetd_connections_total{service="x"})' 17 10
}

@test "a real Prometheus scrapes the event-loop server" {
	"$TEST_METRICS" -s "$T/port" </dev/null >"$T/serve.log" 2>&1 3>&- &
	SPID=$!
	wait_for test -s "$T/port"
	"$PROM/server" start "$T/prom" "127.0.0.1:$(cat "$T/port")"
	"$PROM/server" wait "$T/prom" 'up{job="pinetd"}' 1
	run "$PROM/server" query "$T/prom" \
	    'sum(pinetd_connections_total{service="x"})'
	[ "$output" = 7 ]
	# a scrape that Prometheus saw counted ok by the server itself: its
	# requests are good ones
	for ((i = 0; i < 40; i++)); do
		v=$("$PROM/server" query "$T/prom" \
		    'pinetd_metrics_scrapes_total{outcome="ok"}')
		[ "${v:-0}" -lt 2 ] || break
		sleep 0.25
	done
	[ "$v" -ge 2 ]
	run "$PROM/server" query "$T/prom" \
	    'sum(pinetd_metrics_scrapes_total{outcome!="ok"})'
	[ "$output" = 0 ]
}

@test "a real Prometheus marks a broken exposition down" {
	printf '# HELP g x\n# TYPE g gauge\ng{a="b"} one\n' >"$T/bad.prom"
	serve "$T/bad.prom"
	"$PROM/server" start "$T/prom" "127.0.0.1:$SPORT"
	"$PROM/server" wait "$T/prom" 'up{job="pinetd"}' 0
	run "$PROM/server" query "$T/prom" 'count(g)'
	[ -z "$output" ]
}
