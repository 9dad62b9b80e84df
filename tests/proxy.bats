#!/usr/bin/env bats
# Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
# The PROXY protocol against the real daemon: tests/proxy-client speaks
# like a load balancer (v1 and v2 headers, crafted as asked) and a handler
# prints what it was told and what it read.

load helpers

CLIENT=$BATS_TEST_DIRNAME/proxy-client

# proxy_conf VERSIONS [extra service lines]: a service "px" on $P
# printing its variables and the first line it reads.
proxy_conf() {
	P=$(free_port)
	write_handler show <<'SH'
#!/bin/sh
IFS= read -r line
printf 'R=%s:%s L=%s:%s B=%s:%s A=%s U=%s S=%s/%s/%s C=%s X=%s P=%s line=%s\n' \
    "$TCPREMOTEIP" "$TCPREMOTEPORT" "$TCPLOCALIP" "$TCPLOCALPORT" \
    "${PROXYREMOTEIP-}" "${PROXYREMOTEPORT-}" "${PROXY_ALPN-}" \
    "${PROXY_UNIQUE_ID-}" "${SSL_PROTOCOL-}" "${SSL_CIPHER-}" \
    "${SSL_TLS_SNI_SERVERNAME-}" "${SSL_PEER_CERT_CN-}" \
    "${UNIXREMOTEEUID-}" "$PROTO" "$line"
SH
	write_conf <<EOF2
defaults { user = "nobody" prefork = $PREFORK }
service px {
	port = $P
	address = { "127.0.0.1" }
	exec = "$T/show"
	proxy_protocol = "$1"
	proxy_from = { "127.0.0.1/32", "127.0.0.2/32" }
	$2
}
EOF2
}

@test "proxy v2: the client's addresses, the balancer's, the payload intact" {
	proxy_conf v2
	start_pinetd
	run "$CLIENT" -2 --src 192.0.2.10 --sport 40001 --dst 198.51.100.7 \
	    --dport 443 --payload 'hello world\n' 127.0.0.1 "$P"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^R=192\.0\.2\.10:40001\ L=198\.51\.100\.7:443\ B=127\.0\.0\.1:[0-9]+\ .*P=TCP\ line=hello\ world$ ]]
	wait_log "px: connection from 192\.0\.2\.10:40001 via 127\.0\.0\.1:[0-9]+"
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status
	[[ "$output" =~ PROXY\ headers:\ 0\ being\ read\ \(max\ 256\) ]]
	[[ "$output" =~ px\ +v2\ +3s\ +1\ +0\ +0\ +0 ]]
}

@test "proxy v1 and IPv6 in v2; a v1 header on a v2-only port is refused" {
	proxy_conf any
	start_pinetd
	run "$CLIENT" -1 --family tcp4 --src 192.0.2.20 --sport 1234 \
	    --dst 198.51.100.8 --dport 80 --payload 'one\n' 127.0.0.1 "$P"
	[[ "$output" =~ ^R=192\.0\.2\.20:1234\ L=198\.51\.100\.8:80\ .*line=one$ ]]
	run "$CLIENT" -2 --family tcp6 --src 2001:db8::5 --sport 9 \
	    --payload 'two\n' 127.0.0.1 "$P"
	[[ "$output" =~ ^R=2001:db8::5:9\ L=2001:db8::2:[0-9]+\ .*P=TCP6\ line=two$ ]]
	proxy_conf v2
	stop_pinetd
	start_pinetd
	run "$CLIENT" -1 --payload 'x\n' 127.0.0.1 "$P"
	[ -z "$output" ]
	wait_log "px: PROXY header from 127\.0\.0\.1:[0-9]+: "
}

@test "proxy: a header in pieces with pauses, payload in the last piece" {
	proxy_conf any
	start_pinetd
	run "$CLIENT" -2 --src 192.0.2.30 --sport 5 --split 1,7,13,17,20 \
	    --pause 0.2 --payload 'pieces\n' 127.0.0.1 "$P"
	[[ "$output" =~ ^R=192\.0\.2\.30:5\ .*line=pieces$ ]]
	run "$CLIENT" -1 --src 192.0.2.31 --sport 6 --split 3,10,30 \
	    --pause 0.2 --payload 'v1pieces\n' 127.0.0.1 "$P"
	[[ "$output" =~ ^R=192\.0\.2\.31:6\ .*line=v1pieces$ ]]
	# payload sent apart, after the header, also reaches the handler
	run "$CLIENT" -2 --src 192.0.2.32 --apart --payload 'apart\n' \
	    127.0.0.1 "$P"
	[[ "$output" =~ ^R=192\.0\.2\.32:.*line=apart$ ]]
}

@test "proxy: TLVs become variables; a wrong CRC32C closes" {
	proxy_conf v2
	start_pinetd
	run "$CLIENT" -2 --src 192.0.2.40 --tlv alpn=h2 --tlv unique_id=abc123 \
	    --tlv authority=example.org --ssl-version TLSv1.3 \
	    --ssl-cipher TLS_AES_128_GCM_SHA256 --ssl-cn client.example --ssl-client 3 \
	    --crc --payload 'tlv\n' 127.0.0.1 "$P"
	[[ "$output" == *"A=h2 U=abc123 S=TLSv1.3/TLS_AES_128_GCM_SHA256/example.org C=client.example"*"line=tlv" ]]
	run "$CLIENT" -2 --src 192.0.2.41 --bad-crc --payload 'crc\n' \
	    127.0.0.1 "$P"
	[ -z "$output" ]
	wait_log "px: PROXY header from 127\.0\.0\.1:[0-9]+: .*CRC"
}

@test "proxy: LOCAL uses the real endpoints and says so" {
	proxy_conf any
	start_pinetd
	run "$CLIENT" -2 --local --payload 'check\n' 127.0.0.1 "$P"
	[[ "$output" =~ ^R=127\.0\.0\.1:[0-9]+\ L=127\.0\.0\.1:$P\ .*line=check$ ]]
	wait_log "px: connection from 127\.0\.0\.1:[0-9]+ \(PROXY LOCAL\)"
	run "$CLIENT" -1 --family unknown --payload 'unk\n' 127.0.0.1 "$P"
	[[ "$output" =~ ^R=127\.0\.0\.1:.*line=unk$ ]]
}

@test "proxy: garbage and a header cut short are closed and counted" {
	proxy_conf any
	start_pinetd
	run "$CLIENT" --raw 474554202f20485454502f312e310d0a0d0a 127.0.0.1 "$P"
	[ -z "$output" ]
	run "$CLIENT" -1 --line 'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n' \
	    --payload 'x\n' 127.0.0.1 "$P"
	[ -z "$output" ]
	run "$CLIENT" -2 --split 10 --pause 0 --raw 0d0a0d0a000d0a515549540a21 \
	    127.0.0.1 "$P"
	[ -z "$output" ]
	wait_for grep -q '"bad_headers":3' <("$PINETD_BUILD/src/pinetctl" \
	    -s "$T/ctl.sock" status --json)
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status --json
	[[ "$output" == *'"proxy":{"versions":"any","timeout":3,"proxied":0,"bad_headers":3,"header_timeouts":0,"untrusted":0}'* ]]
	run ! grep -q "px: connection from" "$LOG"
}

@test "proxy: a silent balancer is closed at proxy_timeout; others are served meanwhile" {
	proxy_conf v2 'proxy_timeout = 1'
	start_pinetd
	local t0 t1
	t0=$(date +%s.%N)
	# holds the connection open, sending nothing, until pinetd closes it
	timeout 5 perl -MIO::Socket::IP -e '
		my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
		    PeerPort => $ARGV[0]) or exit 2;
		my $b; sysread($s, $b, 1); exit 0' "$P" &
	local silent=$!
	sleep 0.2
	run "$CLIENT" -2 --src 192.0.2.50 --payload 'meanwhile\n' 127.0.0.1 "$P"
	[[ "$output" =~ ^R=192\.0\.2\.50:.*line=meanwhile$ ]]
	wait "$silent"
	t1=$(date +%s.%N)
	# closed by the daemon about a second after the accept (which the
	# kernel defers by up to a second more), not at the client's 5 s
	perl -e 'exit !($ARGV[1] - $ARGV[0] >= 0.9 && $ARGV[1] - $ARGV[0] < 3.5)' "$t0" "$t1"
	wait_log "px: PROXY header from 127\.0\.0\.1:[0-9]+: not complete within 1 s"
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status --json
	[[ "$output" == *'"header_timeouts":1'* ]]
}

@test "proxy: an untrusted source is refused before anything is read" {
	proxy_conf v2
	start_pinetd
	run "$CLIENT" --bind 127.0.0.9 -2 --src 192.0.2.60 --payload 'u\n' \
	    127.0.0.1 "$P"
	[ -z "$output" ]
	wait_log "px: refused 127\.0\.0\.9:[0-9]+: not in proxy_from"
	run "$CLIENT" --bind 127.0.0.2 -2 --src 192.0.2.61 --payload 't\n' \
	    127.0.0.1 "$P"
	[[ "$output" =~ ^R=192\.0\.2\.61:.*B=127\.0\.0\.2: ]]
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status --json
	[[ "$output" == *'"proxied":1,"bad_headers":0,"header_timeouts":0,"untrusted":1'* ]]
}

@test "proxy: deny and per_source judge the header's client" {
	write_handler slow <<'SH'
#!/bin/sh
IFS= read -r line
echo "served $TCPREMOTEIP $line"
sleep 2
SH
	proxy_conf v2 "deny = { \"192.0.2.66/32\" }
	per_source = 1"
	sed -i "s|exec = \"$T/show\"|exec = \"$T/slow\"|" "$CONF"
	start_pinetd
	run "$CLIENT" -2 --src 192.0.2.66 --payload 'd\n' 127.0.0.1 "$P"
	[ -z "$output" ]
	wait_log "px: refused 192\.0\.2\.66 port [0-9]+ \(deny"
	"$CLIENT" -2 --src 192.0.2.70 --payload 'first\n' --keep-open \
	    --timeout 3 127.0.0.1 "$P" >"$T/first" &
	local first=$!
	wait_log "connection from 192\.0\.2\.70"
	# the same client again is over per_source; another is served
	run "$CLIENT" -2 --src 192.0.2.70 --payload 'second\n' 127.0.0.1 "$P"
	[[ "$output" != *"served"* ]]
	run "$CLIENT" -2 --src 192.0.2.71 --payload 'other\n' --timeout 3 \
	    127.0.0.1 "$P"
	[[ "$output" == "served 192.0.2.71 other" ]]
	wait_log "px: refused 192\.0\.2\.70 port [0-9]+ \(per_source"
	wait "$first"
	[ "$(cat "$T/first")" = "served 192.0.2.70 first" ]
}

@test "proxy on a unix stream socket: the header's client, the balancer's uid" {
	proxy_conf v2
	cat >>"$CONF" <<EOF2
service pu {
	protocol = "unix"
	path = "$T/px.sock"
	socket_mode = "0666"
	exec = "$T/show"
	proxy_protocol = "any"
}
EOF2
	start_pinetd
	run "$CLIENT" -2 --src 192.0.2.80 --sport 8080 --payload 'unix\n' \
	    --unix "$T/px.sock"
	[[ "$output" =~ ^R=192\.0\.2\.80:8080\ L=198\.51\.100\.7:[0-9]+\ B=:\ .*X=$(id -u)\ P=TCP\ line=unix$ ]]
	run "$CLIENT" -2 --local --payload 'local\n' --unix "$T/px.sock"
	[[ "$output" =~ X=$(id -u)\ P=UNIX\ line=local$ ]]
	run "$CLIENT" --raw 0102 --unix "$T/px.sock"
	[ -z "$output" ]
}

@test "proxy: config errors name the file and line" {
	P=$(free_port)
	write_conf <<EOF2
service u {
	port = $P
	protocol = "udp"
	builtin = "echo"
	proxy_protocol = "v2"
	proxy_from = { "127.0.0.1" }
}
service w {
	port = $((P + 1))
	mode = "wait"
	exec = "/bin/cat"
	proxy_protocol = "v1"
	proxy_from = { "127.0.0.1" }
}
service nofrom {
	port = $((P + 2))
	exec = "/bin/cat"
	proxy_protocol = "any"
}
service badv {
	port = $((P + 3))
	exec = "/bin/cat"
	proxy_protocol = "v3"
	proxy_from = { "127.0.0.1" }
}
EOF2
	run "$PINETD" -t -f "$CONF"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CONF:1: service 'u': proxy_protocol is for tcp and unix stream services in mode nowait"* ]]
	[[ "$output" == *"$CONF:8: service 'w': proxy_protocol is for tcp"* ]]
	[[ "$output" == *"$CONF:15: service 'nofrom': proxy_protocol needs proxy_from"* ]]
	[[ "$output" == *"$CONF:23: proxy_protocol: bad value 'v3'"* ]]
}

@test "proxy in defaults: for stream services in mode nowait only; a reload turns it off" {
	P=$(free_port)
	write_conf <<EOF2
defaults {
	proxy_protocol = "v2"
	proxy_from = { "127.0.0.1" }
}
service t {
	port = $P
	address = { "127.0.0.1" }
	builtin = "daytime"
}
service u {
	port = $P
	address = { "127.0.0.1" }
	protocol = "udp"
	builtin = "echo"
}
EOF2
	start_pinetd
	run "$CLIENT" -2 --src 192.0.2.90 --payload '' 127.0.0.1 "$P"
	[ -n "$output" ]
	wait_log "t: pid 0 from 192\.0\.2\.90:56324 via 127\.0\.0\.1:[0-9]+ exited with status 0"
	run "$CLIENT" --raw '' --payload 'x' 127.0.0.1 "$P"
	[ -z "$output" ]
	# off again, on the same socket: a client that says nothing gets
	# the time at once (no deferred accept left over)
	sed -i 's/proxy_protocol = "v2"/proxy_protocol = "off"/' "$CONF"
	"$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" reload
	wait_log "reload done"
	run timeout 0.8 socat -u "TCP:127.0.0.1:$P" -
	echo "$output"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
}

@test "proxy: at most 256 headers are read at once; the others wait in the backlog" {
	proxy_conf v2 'proxy_timeout = 20'
	start_pinetd
	# 270 balancer connections that send a first byte of a header, then
	# nothing until told (a line on stdin) to close
	mkfifo "$T/go"
	perl -MIO::Socket::IP -e '
		my @s;
		for (1 .. 270) {
			my $s = IO::Socket::IP->new(PeerHost => "127.0.0.1",
			    PeerPort => $ARGV[0]) or die "connect: $!";
			syswrite($s, "\r");
			push @s, $s;
		}
		open(my $go, "<", $ARGV[1]) or die; <$go>;
		close($_) for @s;' "$P" "$T/go" &
	local holder=$!
	wait_for sh -c "'$PINETD_BUILD/src/pinetctl' -s '$T/ctl.sock' status | grep -q 'PROXY headers: 256 being read (max 256)'"
	# a good client now waits behind them
	"$CLIENT" -2 --src 192.0.2.99 --payload 'later\n' --timeout 10 \
	    127.0.0.1 "$P" >"$T/later" &
	local later=$!
	sleep 1
	[ ! -s "$T/later" ]
	run "$PINETD_BUILD/src/pinetctl" -s "$T/ctl.sock" status
	[[ "$output" == *"PROXY headers: 256 being read (max 256)"* ]]
	echo go >"$T/go"
	wait "$holder"
	wait "$later"
	[[ "$(cat "$T/later")" =~ ^R=192\.0\.2\.99:.*line=later$ ]]
	wait_for sh -c "'$PINETD_BUILD/src/pinetctl' -s '$T/ctl.sock' status --json | grep -q '\"bad_headers\":270'"
}

@test "metrics: PROXY headers counted by result, only for services that read them" {
	P=$(free_port)
	M=$(free_port)
	write_conf <<EOF2
service px {
	port = $P
	address = { "127.0.0.1" }
	shell = "read -r line; echo \"got \$line\""
	proxy_protocol = "v2"
	proxy_from = { "127.0.0.1/32" }
}
service m {
	port = $M
	address = { "127.0.0.1" }
	builtin = "metrics"
}
EOF2
	start_pinetd
	run "$CLIENT" -2 --src 192.0.2.10 --sport 40001 --payload 'hi\n' 127.0.0.1 "$P"
	[ "$output" = "got hi" ]
	run timeout 10 socat -t 5 - "TCP:127.0.0.1:$P" <<<"not a header at all"
	run timeout 10 socat -t 5 - "TCP:127.0.0.1:$P,bind=127.0.0.3" <<<"hello"
	[ -z "$output" ]
	wait_for eval 'curl -sS --max-time 5 "http://127.0.0.1:$M/metrics" | grep -q "pinetd_proxy_headers_total{service=\"px\",result=\"untrusted\"} 1"'
	run curl -sS --max-time 5 "http://127.0.0.1:$M/metrics"
	echo "$output" | grep pinetd_proxy
	[[ "$output" == *'# TYPE pinetd_proxy_headers_total counter'* ]]
	[[ "$output" == *'pinetd_proxy_headers_total{service="px",result="ok"} 1'* ]]
	[[ "$output" == *'pinetd_proxy_headers_total{service="px",result="bad"} 1'* ]]
	[[ "$output" == *'pinetd_proxy_headers_total{service="px",result="timeout"} 0'* ]]
	[[ "$output" != *'pinetd_proxy_headers_total{service="m"'* ]]
}
