/* Unit tests for address and port parsing. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../../src/addr.h"

static int failures, checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
		    __LINE__, #cond); \
	} \
} while (0)

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

int
main(void)
{
	test_parse();
	test_port();
	test_conflict();
	printf("test_addr: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
