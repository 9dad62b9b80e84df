/* Unit tests for address and port parsing.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "../../src/addr.h"

#include "check.h"

static void
test_parse(void)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	char			ip[ADDR_STRLEN];
	uint16_t		port;

	CHECK(addr_parse("127.0.0.1", 80, &ss, &len) == 0);
	CHECK(ss.ss_family == AF_INET && len == sizeof(struct sockaddr_in));
	CHECK(addr_format((struct sockaddr *)&ss, ip, sizeof(ip), &port) ==
	    AF_INET && strcmp(ip, "127.0.0.1") == 0 && port == 80);
	CHECK(addr_parse("::1", 443, &ss, &len) == 0);
	CHECK(ss.ss_family == AF_INET6);
	CHECK(addr_format((struct sockaddr *)&ss, ip, sizeof(ip), &port) ==
	    AF_INET6 && strcmp(ip, "::1") == 0 && port == 443);
	CHECK(addr_parse("[fe80::1]", 1, &ss, &len) == 0);
	CHECK(ss.ss_family == AF_INET6);
	/* a mapped peer is shown as IPv4 */
	CHECK(addr_parse("::ffff:10.1.2.3", 9, &ss, &len) == 0);
	CHECK(addr_format((struct sockaddr *)&ss, ip, sizeof(ip), &port) ==
	    AF_INET && strcmp(ip, "10.1.2.3") == 0);
	CHECK(addr_parse("localhost", 1, &ss, &len) == -1);
	CHECK(addr_parse("1.2.3", 1, &ss, &len) == -1);
	CHECK(addr_parse("256.1.1.1", 1, &ss, &len) == -1);
	CHECK(addr_parse("[1.2.3.4]", 1, &ss, &len) == -1);
	CHECK(addr_parse("", 1, &ss, &len) == -1);
	CHECK(addr_parse("[]", 1, &ss, &len) == -1);
}

/* IPv4 is formatted by hand: every digit count, both ends of the range. */
static void
test_format_ipv4(void)
{
	static const char *const cases[] = { "0.0.0.0", "255.255.255.255",
	    "10.0.100.9", "1.20.0.3", "127.0.0.1", "99.100.9.10" };
	struct sockaddr_storage	ss;
	socklen_t		len;
	char			ip[ADDR_STRLEN], small[15];
	uint16_t		port;
	size_t			i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(addr_parse(cases[i], 7, &ss, &len) == 0);
		CHECK(addr_format((struct sockaddr *)&ss, ip, sizeof(ip),
		    &port) == AF_INET && strcmp(ip, cases[i]) == 0 &&
		    port == 7);
	}
	/* a buffer too small for the longest address is refused */
	CHECK(addr_format((struct sockaddr *)&ss, small, sizeof(small),
	    &port) == -1);
}

/* A link-local address names its interface, by name or by index. */
static void
test_scope(void)
{
	struct sockaddr_storage	ss, ss2;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		len;
	char			ip[ADDR_STRLEN];
	uint16_t		port;
	unsigned		lo = if_nametoindex("lo");

	CHECK(lo != 0);
	CHECK(addr_parse("fe80::1%lo", 22, &ss, &len) == 0);
	CHECK(ss.ss_family == AF_INET6 && sin6->sin6_scope_id == lo);
	CHECK(addr_format((struct sockaddr *)&ss, ip, sizeof(ip), &port) ==
	    AF_INET6 && strcmp(ip, "fe80::1%lo") == 0 && port == 22);
	CHECK(addr_parse("[fe80::1%1]", 22, &ss2, &len) == 0);
	CHECK(((struct sockaddr_in6 *)&ss2)->sin6_scope_id == 1);
	CHECK(addr_equal(&ss, &ss2) == (lo == 1));
	CHECK(addr_parse("fe80::1", 22, &ss2, &len) == 0);
	CHECK(!addr_equal(&ss, &ss2));
	CHECK(addr_parse("fe80::1%no-such-if0", 22, &ss, &len) == -1);
	CHECK(addr_parse("fe80::1%", 22, &ss, &len) == -1);
	CHECK(addr_parse("fe80::1%0", 22, &ss, &len) == -1);
	CHECK(addr_parse("127.0.0.1%lo", 22, &ss, &len) == -1);
}

static void
test_port(void)
{
	uint16_t port = 0;

	CHECK(addr_parse_port("1", &port) == 0 && port == 1);
	CHECK(addr_parse_port("65535", &port) == 0 && port == 65535);
	CHECK(addr_parse_port("0", &port) == -1);
	CHECK(addr_parse_port("65536", &port) == -1);
	CHECK(addr_parse_port("-1", &port) == -1);
	CHECK(addr_parse_port("80x", &port) == -1);
	CHECK(addr_parse_port("", &port) == -1);
	CHECK(addr_parse_port(" 80", &port) == -1);
}

static void
test_conflict(void)
{
	struct sockaddr_storage	a, b;
	socklen_t		len;

	addr_parse("0.0.0.0", 80, &a, &len);
	addr_parse("127.0.0.1", 80, &b, &len);
	CHECK(addr_conflict(&a, &b) && addr_conflict(&b, &a));
	addr_parse("127.0.0.1", 81, &b, &len);
	CHECK(!addr_conflict(&a, &b));
	addr_parse("::", 80, &b, &len);
	CHECK(!addr_conflict(&a, &b));	/* v6only: separate sockets */
	addr_parse("::1", 80, &a, &len);
	CHECK(addr_conflict(&a, &b));
	addr_parse("127.0.0.2", 80, &a, &len);
	addr_parse("127.0.0.3", 80, &b, &len);
	CHECK(!addr_conflict(&a, &b));
	CHECK(addr_equal(&a, &a) && !addr_equal(&a, &b));
}

static int
match(const char *cidr, const char *ip)
{
	struct cidr		c;
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (cidr_parse(cidr, &c) != 0 || addr_parse(ip, 1, &ss, &len) != 0)
		return -1;
	return cidr_match(&c, (struct sockaddr *)&ss);
}

static void
test_cidr(void)
{
	struct cidr		c;
	struct sockaddr_storage	ss;
	socklen_t		len;
	uint8_t			k1[16], k2[16];

	CHECK(cidr_parse("10.0.0.0/8", &c) == 0 && c.bits == 8 &&
	    c.family == AF_INET);
	CHECK(cidr_parse("10.1.2.3/8", &c) == 0 && c.addr[1] == 0);
	CHECK(cidr_parse("1.2.3.4", &c) == 0 && c.bits == 32);
	CHECK(cidr_parse("::1", &c) == 0 && c.bits == 128);
	CHECK(cidr_parse("0.0.0.0/0", &c) == 0 && c.bits == 0);
	CHECK(cidr_parse("10.0.0.0/33", &c) == -1);
	CHECK(cidr_parse("::/129", &c) == -1);
	CHECK(cidr_parse("10.0.0.0/", &c) == -1);
	CHECK(cidr_parse("10.0.0.0/-1", &c) == -1);
	CHECK(cidr_parse("10.0.0.0/8x", &c) == -1);
	CHECK(cidr_parse("example.org", &c) == -1);
	CHECK(match("127.0.0.1/32", "127.0.0.1") == 1);
	CHECK(match("127.0.0.1/32", "127.0.0.2") == 0);
	CHECK(match("127.0.0.0/30", "127.0.0.3") == 1);
	CHECK(match("127.0.0.0/30", "127.0.0.4") == 0);
	CHECK(match("0.0.0.0/0", "203.0.113.9") == 1);
	CHECK(match("0.0.0.0/0", "::1") == 0);
	CHECK(match("::/0", "::1") == 1);
	CHECK(match("::/0", "127.0.0.1") == 0);
	CHECK(match("2001:db8::/32", "2001:db8:ffff::1") == 1);
	CHECK(match("2001:db8::/32", "2001:db9::1") == 0);
	CHECK(match("2001:db8::/33", "2001:db8:8000::1") == 0);
	/* a mapped peer matches IPv4 entries, not IPv6 ones */
	CHECK(match("10.0.0.0/8", "::ffff:10.9.9.9") == 1);
	CHECK(match("::ffff:0:0/96", "::ffff:10.9.9.9") == 0);
	/* IPv6 sources are grouped by prefix */
	addr_parse("2001:db8:1:2:3::1", 1, &ss, &len);
	CHECK(addr_source_key((struct sockaddr *)&ss, 64, k1) == AF_INET6);
	addr_parse("2001:db8:1:2:ffff::9", 1, &ss, &len);
	addr_source_key((struct sockaddr *)&ss, 64, k2);
	CHECK(memcmp(k1, k2, 16) == 0);
	addr_parse("2001:db8:1:3::1", 1, &ss, &len);
	addr_source_key((struct sockaddr *)&ss, 64, k2);
	CHECK(memcmp(k1, k2, 16) != 0);
	addr_parse("::ffff:192.0.2.1", 1, &ss, &len);
	CHECK(addr_source_key((struct sockaddr *)&ss, 64, k1) == AF_INET);
	addr_parse("192.0.2.1", 1, &ss, &len);
	addr_source_key((struct sockaddr *)&ss, 64, k2);
	CHECK(memcmp(k1, k2, 16) == 0);
}

int
main(void)
{
	test_parse();
	test_format_ipv4();
	test_scope();
	test_port();
	test_conflict();
	test_cidr();
	printf("test_addr: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
