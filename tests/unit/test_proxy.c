/* Unit tests for the PROXY protocol header: the specification's edge cases
 * for v1 and v2, every TLV, CRC32C, the handler's variables, and exact
 * reads from a socket.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/proxy.h"

#include "check.h"

static const uint8_t sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* A v2 header: signature, version/command, family/transport, length,
 * body. Returns its length. */
static size_t
v2(uint8_t *b, uint8_t vc, uint8_t fam, const uint8_t *body, size_t blen)
{
	memcpy(b, sig, 12);
	b[12] = vc;
	b[13] = fam;
	b[14] = (uint8_t)(blen >> 8);
	b[15] = (uint8_t)blen;
	if (blen > 0)
		memcpy(b + 16, body, blen);
	return 16 + blen;
}

/* Appends a TLV at p; returns its size. */
static size_t
tlv(uint8_t *p, uint8_t type, const void *v, size_t len)
{
	p[0] = type;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)len;
	if (len > 0)
		memcpy(p + 3, v, len);
	return 3 + len;
}

/* The TCP over IPv4 block: 192.0.2.1:56324 -> 198.51.100.7:443. */
static size_t
inet_block(uint8_t *p)
{
	static const uint8_t a[12] = { 192, 0, 2, 1, 198, 51, 100, 7,
	    0xdc, 0x04, 0x01, 0xbb };

	memcpy(p, a, sizeof(a));
	return sizeof(a);
}

/* Fills the CRC32C TLV whose value starts at off in the n-byte header. */
static void
crc_fill(uint8_t *b, size_t n, size_t off)
{
	uint32_t crc;

	memset(b + off, 0, 4);
	crc = proxy_crc32c(0, b, n);
	b[off] = (uint8_t)(crc >> 24);
	b[off + 1] = (uint8_t)(crc >> 16);
	b[off + 2] = (uint8_t)(crc >> 8);
	b[off + 3] = (uint8_t)crc;
}

static ssize_t
need(const void *b, size_t n, int versions)
{
	size_t safe;

	return proxy_need(b, n, versions, &safe);
}

static int
parse(const char *s, struct proxy_hdr *h)
{
	return proxy_parse((const uint8_t *)s, strlen(s), PROXY_ANY, h);
}

static int
sa_is(const struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	char	 buf[INET6_ADDRSTRLEN];
	uint16_t p;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
		p = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf));
		p = ntohs(sin6->sin6_port);
	} else
		return 0;
	return strcmp(buf, ip) == 0 && p == port;
}

static void
test_crc32c(void)
{
	/* the check value of CRC-32C (RFC 3720) */
	CHECK(proxy_crc32c(0, "123456789", 9) == 0xe3069283);
	CHECK(proxy_crc32c(proxy_crc32c(0, "1234", 4), "56789", 5) ==
	    0xe3069283);
	CHECK(proxy_crc32c(0, "", 0) == 0);
}

static void
test_v1_good(void)
{
	const char		*s;
	struct proxy_hdr	 h;

	s = "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.0";
	CHECK(need(s, strlen(s), PROXY_ANY) == 47);
	CHECK(need(s, strlen(s), PROXY_V1) == 47);
	CHECK(parse(s, &h) == 0);
	CHECK(h.len == 47 && h.version == 1 && h.command == PROXY_CMD_PROXY);
	CHECK(h.family == PROXY_FAM_INET && h.socktype == SOCK_STREAM);
	CHECK(sa_is(&h.src, "192.168.0.1", 56324));
	CHECK(sa_is(&h.dst, "192.168.0.11", 443));
	CHECK(h.srclen == sizeof(struct sockaddr_in));

	s = "PROXY TCP6 2001:db8::1 ::1 0 65535\r\n";
	CHECK(parse(s, &h) == 0 && h.family == PROXY_FAM_INET6);
	CHECK(sa_is(&h.src, "2001:db8::1", 0) && sa_is(&h.dst, "::1", 65535));
	CHECK(parse("PROXY TCP4 0.0.0.0 255.255.255.255 0 0\r\n", &h) == 0);
	CHECK(sa_is(&h.dst, "255.255.255.255", 0));

	CHECK(parse("PROXY UNKNOWN\r\n", &h) == 0);
	CHECK(h.family == PROXY_FAM_UNKNOWN && h.len == 15);
	/* anything after UNKNOWN is ignored */
	CHECK(parse("PROXY UNKNOWN ffff::1 what ever\r\n", &h) == 0);
	CHECK(h.family == PROXY_FAM_UNKNOWN);
	CHECK(parse("PROXY UNKNOWNX\r\n", &h) == -PROXY_EV1SYNTAX);
}

static void
test_v1_length(void)
{
	char			 s[200];
	struct proxy_hdr	 h;
	size_t			 safe;

	/* the longest line is 107 bytes with its CRLF */
	memset(s, 'f', sizeof(s));
	memcpy(s, "PROXY UNKNOWN ", 14);
	memcpy(s + 105, "\r\n", 3);
	CHECK(strlen(s) == 107);
	CHECK(need(s, 107, PROXY_ANY) == 107);
	CHECK(parse(s, &h) == 0 && h.len == 107);
	/* one more and it is refused, before or after the CRLF shows */
	memset(s, 'f', sizeof(s));
	memcpy(s, "PROXY UNKNOWN ", 14);
	memcpy(s + 106, "\r\n", 3);
	CHECK(need(s, 107, PROXY_ANY) == -PROXY_EV1LONG);
	CHECK(need(s, 108, PROXY_ANY) == -PROXY_EV1LONG);
	CHECK(parse(s, &h) == -PROXY_EV1LONG);
	/* 106 bytes and no CRLF yet: wait, peeking */
	CHECK(proxy_need((uint8_t *)s, 106, PROXY_ANY, &safe) == 0 &&
	    safe == 106);
	/* the full-length TCP6 line of the specification, 104 bytes */
	snprintf(s, sizeof(s), "PROXY TCP6 %s %s 65535 65535\r\n",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF");
	CHECK(strlen(s) == 104 && parse(s, &h) == 0);
}

static void
test_v1_crlf(void)
{
	const char	*s = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
	size_t		 safe, i;

	/* every prefix asks for more, and what it allows to read is header */
	for (i = 0; i < strlen(s); i++) {
		CHECK(proxy_need((const uint8_t *)s, i, PROXY_ANY, &safe) == 0);
		CHECK(safe <= strlen(s) && (i < PROXY_V1_MIN || safe >= i));
	}
	/* after a CR, the LF is safe to read */
	CHECK(proxy_need((const uint8_t *)s, strlen(s) - 1, PROXY_V1,
	    &safe) == 0 && safe == strlen(s));
	CHECK(need("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", 31, PROXY_ANY) ==
	    -PROXY_ECRLF);
	CHECK(need("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX\r\n", 34, PROXY_ANY) ==
	    -PROXY_ECRLF);
	CHECK(need("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", 33, PROXY_ANY) ==
	    -PROXY_ECRLF);
	CHECK(need("PROXY \nTCP4", 11, PROXY_ANY) == -PROXY_ECRLF);
	/* no CRLF at all: refused at 107 bytes */
	CHECK(need("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 and some payload, "
	    "the balancer forgot its line end and went on sending data "
	    "for a long while", 124, PROXY_ANY) == -PROXY_EV1LONG);
}

static void
test_v1_bad(void)
{
	struct proxy_hdr h;

	/* leading zeros */
	CHECK(parse("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.008 1 2\r\n", &h) ==
	    -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", &h) ==
	    -PROXY_EV1PORT);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 00\r\n", &h) ==
	    -PROXY_EV1PORT);
	/* ranges */
	CHECK(parse("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", &h) ==
	    -PROXY_EV1PORT);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", &h) ==
	    -PROXY_EV1PORT);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 100000\r\n", &h) ==
	    -PROXY_EV1PORT);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", &h) ==
	    -PROXY_EV1PORT);
	/* family and address disagree */
	CHECK(parse("PROXY TCP4 ::1 ::1 1 2\r\n", &h) == -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP4 1.2.3.4 ::1 1 2\r\n", &h) == -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n", &h) ==
	    -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP6 fe80::1%1 ::1 1 2\r\n", &h) == -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", &h) ==
	    -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP6 12345::1 ::1 1 2\r\n", &h) == -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", &h) == -PROXY_EV1ADDR);
	CHECK(parse("PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1ADDR);
	/* fields and spaces */
	CHECK(parse("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1SYNTAX);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", &h) ==
	    -PROXY_EV1SYNTAX);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", &h) ==
	    -PROXY_EV1SYNTAX);
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", &h) ==
	    -PROXY_EV1SYNTAX);
	CHECK(parse("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1SYNTAX);
	CHECK(parse("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1SYNTAX);
	CHECK(parse("PROXY \r\n", &h) == -PROXY_EV1SYNTAX);
	/* shorter than "PROXY UNKNOWN\r\n": a reader takes 15 bytes blind */
	CHECK(need("PROXY TCP\r\nXYZW", 15, PROXY_ANY) == -PROXY_EV1SYNTAX);
	CHECK(need("PROXY UNKNOW\r\n", 14, PROXY_ANY) == -PROXY_EV1SYNTAX);
	CHECK(proxy_parse((const uint8_t *)"PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2"
	    "\r\n", 34, PROXY_ANY, &h) == -PROXY_EV1SYNTAX);
	CHECK(parse("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", &h) ==
	    -PROXY_EV1SYNTAX);
	CHECK(parse("PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", &h) == -PROXY_ESIG);
	CHECK(parse("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", &h) == -PROXY_ESIG);
	CHECK(parse("GET / HTTP/1.0\r\n", &h) == -PROXY_ESIG);
	CHECK(parse("PROXY TCP4 1.2.3.4", &h) == -PROXY_EPARTIAL);
}

static void
test_versions(void)
{
	uint8_t	b[64], body[12];
	size_t	n;

	n = v2(b, 0x21, 0x11, body, inet_block(body));
	CHECK(need(b, n, PROXY_V2) == 28);
	CHECK(need(b, n, PROXY_V1) == -PROXY_EVERSION_OFF);
	CHECK(need("PROXY UNKNOWN\r\n", 15, PROXY_V2) == -PROXY_EVERSION_OFF);
	CHECK(need("PROXY UNKNOWN\r\n", 15, PROXY_V1) == 15);
	/* not a header at all is not a version question */
	CHECK(need("PUT /x", 6, PROXY_V2) == -PROXY_ESIG);
	CHECK(need("\r\n\r\nhello", 9, PROXY_V1) == -PROXY_ESIG);
	CHECK(need("\r\n\r\nhello", 9, PROXY_V2) == -PROXY_ESIG);
	CHECK(need("\x16\x03\x01", 3, PROXY_ANY) == -PROXY_ESIG);
	CHECK(need("", 0, PROXY_ANY) == 0);
}

static void
test_v2_families(void)
{
	uint8_t			 b[600], body[400];
	struct proxy_hdr	 h;
	struct sockaddr_un	*sun;
	size_t			 n, i;

	n = v2(b, 0x21, 0x11, body, inet_block(body));
	memcpy(b + n, "payload", 7);
	CHECK(need(b, n + 7, PROXY_ANY) == 28);
	CHECK(proxy_parse(b, n + 7, PROXY_ANY, &h) == 0 && h.len == 28);
	CHECK(h.version == 2 && h.command == PROXY_CMD_PROXY);
	CHECK(h.family == PROXY_FAM_INET && h.socktype == SOCK_STREAM);
	CHECK(sa_is(&h.src, "192.0.2.1", 56324));
	CHECK(sa_is(&h.dst, "198.51.100.7", 443));

	/* UDP over IPv4 is reported as such */
	n = v2(b, 0x21, 0x12, body, inet_block(body));
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 &&
	    h.socktype == SOCK_DGRAM);

	for (i = 0; i < 16; i++) {
		body[i] = (uint8_t)(0x20 + i);
		body[16 + i] = 0;
	}
	body[0] = 0x20, body[1] = 0x01, body[2] = 0x0d, body[3] = 0xb8;
	body[31] = 1;
	body[32] = 0x30, body[33] = 0x39, body[34] = 0, body[35] = 22;
	memset(body + 4, 0, 12);
	body[15] = 5;
	n = v2(b, 0x21, 0x21, body, 36);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0);
	CHECK(h.family == PROXY_FAM_INET6 && h.len == 52);
	CHECK(sa_is(&h.src, "2001:db8::5", 12345) && sa_is(&h.dst, "::1", 22));

	memset(body, 0, 216);
	strcpy((char *)body, "/run/client.sock");
	strcpy((char *)body + 108, "/run/server.sock");
	n = v2(b, 0x21, 0x31, body, 216);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0);
	CHECK(h.family == PROXY_FAM_UNIX && h.len == 232);
	sun = (struct sockaddr_un *)&h.src;
	CHECK(sun->sun_family == AF_UNIX &&
	    strcmp(sun->sun_path, "/run/client.sock") == 0);
	sun = (struct sockaddr_un *)&h.dst;
	CHECK(strcmp(sun->sun_path, "/run/server.sock") == 0);

	/* UNSPEC: no addresses, whatever the length says */
	n = v2(b, 0x21, 0x00, (const uint8_t *)"\x01\x02\x03\x04\x05", 5);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0);
	CHECK(h.family == PROXY_FAM_UNSPEC && h.src.ss_family == 0);
	CHECK(h.alpn.p == NULL && h.len == 21);

	/* LOCAL, as HAProxy's health checks send it */
	n = v2(b, 0x20, 0x00, NULL, 0);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0);
	CHECK(h.command == PROXY_CMD_LOCAL && h.len == 16);
	/* LOCAL with addresses: they are skipped, not used */
	n = v2(b, 0x20, 0x11, body, inet_block(body));
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0);
	CHECK(h.command == PROXY_CMD_LOCAL && h.src.ss_family == 0);
}

static void
test_v2_header(void)
{
	uint8_t			 b[2000], body[64];
	struct proxy_hdr	 h;
	size_t			 n, i, safe;

	/* truncated at every byte: wait for more, never read past it */
	n = v2(b, 0x21, 0x11, body, inet_block(body));
	for (i = 0; i < n; i++) {
		CHECK(proxy_need(b, i, PROXY_ANY, &safe) == 0);
		CHECK(safe > i && safe <= n);
		CHECK(proxy_parse(b, i, PROXY_ANY, &h) == -PROXY_EPARTIAL);
	}
	CHECK(proxy_need(b, 15, PROXY_V2, &safe) == 0 && safe == 16);
	CHECK(proxy_need(b, 16, PROXY_V2, &safe) == 0 && safe == 28);

	/* version and command */
	for (i = 0; i < 16; i++) {
		n = v2(b, (uint8_t)(i << 4 | 1), 0x11, body, 12);
		CHECK(need(b, 13, PROXY_ANY) == (i == 2 ? 0 : -PROXY_EVERSION));
		n = v2(b, (uint8_t)(0x20 | i), 0x11, body, 12);
		CHECK(need(b, 13, PROXY_ANY) == (i < 2 ? 0 : -PROXY_ECOMMAND));
		CHECK(proxy_parse(b, n, PROXY_ANY, &h) ==
		    (i < 2 ? 0 : -PROXY_ECOMMAND));
	}
	/* family and transport */
	n = v2(b, 0x21, 0x41, body, 12);
	CHECK(need(b, 14, PROXY_ANY) == -PROXY_EFAMILY);
	n = v2(b, 0x21, 0x13, body, 12);
	CHECK(need(b, 14, PROXY_ANY) == -PROXY_ETRANSPORT);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETRANSPORT);
	/* a wrong signature byte anywhere */
	for (i = 0; i < 12; i++) {
		n = v2(b, 0x21, 0x11, body, 12);
		b[i] ^= 0x40;
		CHECK(need(b, n, PROXY_ANY) == -PROXY_ESIG);
	}

	/* a length smaller than the addresses */
	n = v2(b, 0x21, 0x11, body, 11);
	CHECK(need(b, n, PROXY_ANY) == 27);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ESHORT);
	n = v2(b, 0x21, 0x21, body, 35);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ESHORT);
	n = v2(b, 0x21, 0x31, body, 40);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ESHORT);
	n = v2(b, 0x21, 0x31, b + 300, 215);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ESHORT);
	/* ... which LOCAL ignores */
	n = v2(b, 0x20, 0x11, body, 4);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0);

	/* a length beyond what a receiver takes */
	v2(b, 0x21, 0x11, body, 12);
	b[14] = (PROXY_MAX - 15) >> 8;
	b[15] = (PROXY_MAX - 15) & 0xff;
	CHECK(need(b, 16, PROXY_ANY) == -PROXY_ETOOBIG);
	b[15]--;
	CHECK(proxy_need(b, 16, PROXY_ANY, &safe) == 0 && safe == PROXY_MAX);
	b[14] = b[15] = 0xff;
	CHECK(need(b, 16, PROXY_ANY) == -PROXY_ETOOBIG);
}

/* A v2 TCP4 header with the given TLV bytes; returns its length. */
static size_t
with_tlvs(uint8_t *b, const uint8_t *t, size_t tlen)
{
	uint8_t body[PROXY_MAX];
	size_t	n = inet_block(body);

	memcpy(body + n, t, tlen);
	return v2(b, 0x21, 0x11, body, n + tlen);
}

static void
test_v2_tlvs(void)
{
	uint8_t			 b[PROXY_MAX + 100], t[600], ssl[200];
	struct proxy_hdr	 h;
	size_t			 n, k, s;

	k = tlv(t, 0x01, "h2", 2);
	k += tlv(t + k, 0x02, "example.com", 11);
	k += tlv(t + k, 0x04, "\0\0\0\0\0", 5);
	k += tlv(t + k, 0x05, "id-42", 5);
	k += tlv(t + k, 0x30, "blue", 4);
	k += tlv(t + k, 0xe0, "custom", 6);
	memcpy(ssl, "\x07\0\0\0\0", 5);
	s = 5 + tlv(ssl + 5, 0x21, "TLSv1.3", 7);
	s += tlv(ssl + s, 0x22, "client.example", 14);
	s += tlv(ssl + s, 0x23, "TLS_AES_128_GCM_SHA256", 22);
	s += tlv(ssl + s, 0x24, "RSA-SHA256", 10);
	s += tlv(ssl + s, 0x25, "RSA2048", 7);
	s += tlv(ssl + s, 0x2f, "unknown", 7);
	k += tlv(t + k, 0x20, ssl, s);
	k += tlv(t + k, 0x03, "\0\0\0\0", 4);
	n = with_tlvs(b, t, k);
	crc_fill(b, n, n - 4);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0);
	CHECK(h.len == n && h.has_crc && h.has_ssl);
	CHECK(sa_is(&h.src, "192.0.2.1", 56324));
	CHECK(h.alpn.len == 2 && memcmp(h.alpn.p, "h2", 2) == 0);
	CHECK(h.authority.len == 11 &&
	    memcmp(h.authority.p, "example.com", 11) == 0);
	CHECK(h.unique_id.len == 5 && memcmp(h.unique_id.p, "id-42", 5) == 0);
	CHECK(h.netns.len == 4 && memcmp(h.netns.p, "blue", 4) == 0);
	CHECK(h.ssl_client == 7 && h.ssl_verify == 0);
	CHECK(h.ssl_version.len == 7 &&
	    memcmp(h.ssl_version.p, "TLSv1.3", 7) == 0);
	CHECK(h.ssl_cn.len == 14 && h.ssl_cipher.len == 22);
	CHECK(h.ssl_sig_alg.len == 10 && h.ssl_key_alg.len == 7);

	/* CRC32C wrong: every bit of the header counts */
	b[20] ^= 1;
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ECRC);
	b[20] ^= 1;
	b[n - 1] ^= 0x80;
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ECRC);
	/* CRC32C alone, first, right; and of the wrong size */
	k = tlv(t, 0x03, "\0\0\0\0", 4);
	k += tlv(t + k, 0x01, "http/1.1", 8);
	n = with_tlvs(b, t, k);
	crc_fill(b, n, 28 + 3);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && h.has_crc);
	k = tlv(t, 0x03, "\0\0\0", 3);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETLV);
	/* no CRC is fine */
	k = tlv(t, 0x01, "h2", 2);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && !h.has_crc);

	/* malformed: cut short, overrunning, too long, repeated */
	n = with_tlvs(b, (const uint8_t *)"\x01\x00", 2);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETLV);
	n = with_tlvs(b, (const uint8_t *)"\x01\x00\x05h2", 5);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETLV);
	memset(t, 'x', sizeof(t));
	k = tlv(t, 0x05, t + 300, 128);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && h.unique_id.len == 128);
	k = tlv(t, 0x05, t + 300, 129);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETLV);
	k = tlv(t, 0x01, "h2", 2);
	k += tlv(t + k, 0x01, "h2", 2);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETLV);
	k = tlv(t, 0x20, "\x01\0\0\0", 4);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETLV);
	k = tlv(t, 0x20, "\x01\0\0\0\0\x21\x00\x09TLS", 11);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ETLV);
	k = tlv(t, 0x20, "\x01\0\0\0\0", 5);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && h.has_ssl);
	/* empty values are values */
	k = tlv(t, 0x02, "", 0);
	n = with_tlvs(b, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && h.authority.p &&
	    h.authority.len == 0);
	/* TLVs after no address (UNSPEC) are read; bytes that are not
	 * TLVs there are ignored */
	k = tlv(t, 0x02, "example.org", 11);
	n = v2(b, 0x21, 0x00, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && h.authority.len == 11);
	n = v2(b, 0x20, 0x00, t, k - 1);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && h.authority.p == NULL);
	/* ... but a CRC there must match */
	k = tlv(t, 0x03, "\0\0\0\1", 4);
	n = v2(b, 0x20, 0x00, t, k);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == -PROXY_ECRC);
	crc_fill(b, n, 19);
	CHECK(proxy_parse(b, n, PROXY_ANY, &h) == 0 && h.has_crc);
}

/* The value of name in the NUL-separated env, or NULL. */
static const char *
env_get(const char *env, size_t len, const char *name)
{
	const char	*p;
	size_t		 n = strlen(name);

	for (p = env; p < env + len; p += strlen(p) + 1)
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return p + n + 1;
	return NULL;
}

static size_t
env_of(uint8_t client, uint32_t verify, const char *authority,
    struct proxy_hdr *h, uint8_t *b, char *env, size_t size)
{
	uint8_t	t[300], ssl[200];
	size_t	k, s;

	memcpy(ssl, "\0\0\0\0\0", 5);
	ssl[0] = client;
	ssl[4] = (uint8_t)verify;
	s = 5 + tlv(ssl + 5, 0x21, "TLSv1.2", 7);
	s += tlv(ssl + s, 0x22, "alice", 5);
	s += tlv(ssl + s, 0x23, "ECDHE-RSA-AES128-GCM-SHA256", 27);
	k = tlv(t, 0x01, "h2", 2);
	k += tlv(t + k, 0x02, authority, strlen(authority));
	k += tlv(t + k, 0x05, "u\x01id", 4);
	k += tlv(t + k, 0x20, ssl, s);
	if (proxy_parse(b, with_tlvs(b, t, k), PROXY_ANY, h) != 0)
		return 0;
	return proxy_env(h, env, size);
}

static void
test_env(void)
{
	uint8_t			 b[PROXY_MAX];
	char			 env[512];
	struct proxy_hdr	 h;
	const char		*v;
	size_t			 n, all;

	n = env_of(PROXY_SSL_CLIENT | PROXY_SSL_CERT_CONN, 0, "www.example",
	    &h, b, env, sizeof(env));
	CHECK(n > 0);
	CHECK((v = env_get(env, n, "PROXY_ALPN")) && strcmp(v, "h2") == 0);
	CHECK((v = env_get(env, n, "PROXY_AUTHORITY")) &&
	    strcmp(v, "www.example") == 0);
	CHECK((v = env_get(env, n, "PROXY_UNIQUE_ID")) &&
	    strcmp(v, "u?id") == 0);
	CHECK((v = env_get(env, n, "SSL_PROTOCOL")) &&
	    strcmp(v, "TLSv1.2") == 0);
	CHECK((v = env_get(env, n, "SSL_CIPHER")) &&
	    strcmp(v, "ECDHE-RSA-AES128-GCM-SHA256") == 0);
	CHECK((v = env_get(env, n, "SSL_TLS_SNI_SERVERNAME")) &&
	    strcmp(v, "www.example") == 0);
	CHECK((v = env_get(env, n, "SSL_PEER_CERT_CN")) &&
	    strcmp(v, "alice") == 0);
	all = n;
	/* control bytes never reach the environment */
	n = env_of(PROXY_SSL_CLIENT, 0, "a\nb\rc\x7f\x1b[0m", &h, b, env,
	    sizeof(env));
	CHECK((v = env_get(env, n, "PROXY_AUTHORITY")) &&
	    strcmp(v, "a?b?c??[0m") == 0);
	/* no verified certificate: no CN */
	CHECK(env_get(env, n, "SSL_PEER_CERT_CN") == NULL);
	n = env_of(PROXY_SSL_CLIENT | PROXY_SSL_CERT_CONN, 1, "x", &h, b, env,
	    sizeof(env));
	CHECK(n > 0 && env_get(env, n, "SSL_PEER_CERT_CN") == NULL);
	CHECK(env_get(env, n, "SSL_PROTOCOL") != NULL);
	/* not over TLS: no SSL_ variables */
	n = env_of(0, 0, "x", &h, b, env, sizeof(env));
	CHECK(n > 0 && env_get(env, n, "SSL_PROTOCOL") == NULL);
	CHECK(env_get(env, n, "SSL_TLS_SNI_SERVERNAME") == NULL);
	CHECK(env_get(env, n, "PROXY_ALPN") != NULL);
	/* what does not fit is left out, the rest stays whole */
	n = env_of(PROXY_SSL_CLIENT | PROXY_SSL_CERT_CONN, 0, "www.example",
	    &h, b, env, all - 1);
	CHECK(n < all && n > 0 && env[n - 1] == '\0');
	CHECK(env_get(env, n, "SSL_PEER_CERT_CN") == NULL);
	CHECK(proxy_env(&h, env, 0) == 0);
	/* v1 has no TLVs */
	CHECK(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", &h) == 0);
	CHECK(proxy_env(&h, env, sizeof(env)) == 0);
}

/* Reads what is left on fd (non-blocking) into buf. */
static size_t
drain(int fd, char *buf, size_t size)
{
	ssize_t r;
	size_t	n = 0;

	while (n < size - 1 &&
	    (r = recv(fd, buf + n, size - 1 - n, MSG_DONTWAIT)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

static void
test_read_v1(void)
{
	const char		*line = "PROXY TCP4 10.0.0.1 10.0.0.2 1000 25\r\n";
	struct proxy_buf	 b;
	struct proxy_hdr	 h;
	char			 rest[64];
	size_t			 i, n = strlen(line);
	ssize_t			 r = 0;
	int			 sv[2];

	/* header and payload in one write */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.len = 0;
	CHECK(write(sv[0], line, n) == (ssize_t)n);
	CHECK(write(sv[0], "HELO x\r\n", 8) == 8);
	CHECK(proxy_read(sv[1], &b, PROXY_ANY) == (ssize_t)n && b.len == n);
	CHECK(proxy_parse(b.data, b.len, PROXY_ANY, &h) == 0);
	CHECK(sa_is(&h.src, "10.0.0.1", 1000));
	CHECK(drain(sv[1], rest, sizeof(rest)) == 8 &&
	    strcmp(rest, "HELO x\r\n") == 0);
	close(sv[0]);
	close(sv[1]);

	/* one byte at a time, then the payload */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.len = 0;
	for (i = 0; i < n; i++) {
		CHECK(write(sv[0], line + i, 1) == 1);
		r = proxy_read(sv[1], &b, PROXY_V1);
		CHECK(r == (i == n - 1 ? (ssize_t)n : 0));
		CHECK(b.len == i + 1);
	}
	CHECK(write(sv[0], "QUIT", 4) == 4);
	CHECK(drain(sv[1], rest, sizeof(rest)) == 4 &&
	    strcmp(rest, "QUIT") == 0);
	close(sv[0]);
	close(sv[1]);

	/* the shortest line and a payload right behind it */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.len = 0;
	CHECK(write(sv[0], "PROXY UNKNOWN\r\nX", 16) == 16);
	CHECK(proxy_read(sv[1], &b, PROXY_ANY) == 15);
	CHECK(drain(sv[1], rest, sizeof(rest)) == 1 && rest[0] == 'X');
	close(sv[0]);
	close(sv[1]);

	/* closed inside the header; garbage */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.len = 0;
	CHECK(write(sv[0], "PROXY TCP", 9) == 9);
	CHECK(proxy_read(sv[1], &b, PROXY_ANY) == 0);
	close(sv[0]);
	CHECK(proxy_read(sv[1], &b, PROXY_ANY) == -PROXY_ECLOSED);
	close(sv[1]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.len = 0;
	CHECK(write(sv[0], "SSH-2.0-OpenSSH\r\n", 17) == 17);
	CHECK(proxy_read(sv[1], &b, PROXY_ANY) == -PROXY_ESIG);
	close(sv[0]);
	close(sv[1]);
}

static void
test_read_v2(void)
{
	uint8_t			 hdr[64], body[12];
	struct proxy_buf	 b;
	char			 rest[64];
	size_t			 n, i;
	int			 sv[2];

	n = v2(hdr, 0x21, 0x11, body, inet_block(body));
	memcpy(hdr + n, "DATA", 4);
	/* header and payload in one write */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b.len = 0;
	CHECK(write(sv[0], hdr, n + 4) == (ssize_t)n + 4);
	CHECK(proxy_read(sv[1], &b, PROXY_V2) == (ssize_t)n);
	CHECK(drain(sv[1], rest, sizeof(rest)) == 4 &&
	    strcmp(rest, "DATA") == 0);
	close(sv[0]);
	close(sv[1]);
	/* split at every byte */
	for (i = 1; i < n; i++) {
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		b.len = 0;
		CHECK(write(sv[0], hdr, i) == (ssize_t)i);
		CHECK(proxy_read(sv[1], &b, PROXY_ANY) == 0);
		CHECK(write(sv[0], hdr + i, n + 4 - i) == (ssize_t)(n + 4 - i));
		CHECK(proxy_read(sv[1], &b, PROXY_ANY) == (ssize_t)n);
		CHECK(drain(sv[1], rest, sizeof(rest)) == 4 &&
		    strcmp(rest, "DATA") == 0);
		close(sv[0]);
		close(sv[1]);
	}
}

/* The headers tests/proxy-client writes, as the parser sees them. */
static void
test_kind(void)
{
	uint8_t			 b[300], body[216];
	struct proxy_hdr	 h;

	memset(body, 0, sizeof(body));
	CHECK(parse("PROXY TCP6 ::2 ::1 1 2\r\n", &h) == 0);
	CHECK(proxy_use_header(&h) && strcmp(proxy_kind(&h), "PROXY") == 0);
	CHECK(parse("PROXY UNKNOWN\r\n", &h) == 0);
	CHECK(!proxy_use_header(&h) && strcmp(proxy_kind(&h), "UNKNOWN") == 0);
	CHECK(proxy_parse(b, v2(b, 0x21, 0x11, body, 12), PROXY_ANY, &h) == 0);
	CHECK(proxy_use_header(&h) && strcmp(proxy_kind(&h), "PROXY") == 0);
	CHECK(proxy_parse(b, v2(b, 0x21, 0x12, body, 12), PROXY_ANY, &h) == 0);
	CHECK(!proxy_use_header(&h) && strcmp(proxy_kind(&h), "DGRAM") == 0);
	CHECK(proxy_parse(b, v2(b, 0x20, 0x11, body, 12), PROXY_ANY, &h) == 0);
	CHECK(!proxy_use_header(&h) && strcmp(proxy_kind(&h), "LOCAL") == 0);
	CHECK(proxy_parse(b, v2(b, 0x21, 0x00, body, 0), PROXY_ANY, &h) == 0);
	CHECK(!proxy_use_header(&h) && strcmp(proxy_kind(&h), "UNSPEC") == 0);
	CHECK(proxy_parse(b, v2(b, 0x21, 0x31, body, 216), PROXY_ANY, &h) == 0);
	CHECK(!proxy_use_header(&h) && strcmp(proxy_kind(&h), "UNIX") == 0);
	CHECK(proxy_parse(b, v2(b, 0x21, 0x10, body, 12), PROXY_ANY, &h) == 0);
	CHECK(!proxy_use_header(&h));
}

static void
test_fixtures(void)
{
	static const struct {
		const char	*name;
		int		 err, family, command, crc;
	} f[] = {
		{ "v1-tcp4.bin", 0, PROXY_FAM_INET, PROXY_CMD_PROXY, 0 },
		{ "v1-tcp6.bin", 0, PROXY_FAM_INET6, PROXY_CMD_PROXY, 0 },
		{ "v1-tcp6-longest.bin", 0, PROXY_FAM_INET6, PROXY_CMD_PROXY, 0 },
		{ "v1-unknown.bin", 0, PROXY_FAM_UNKNOWN, PROXY_CMD_PROXY, 0 },
		{ "v1-payload.bin", 0, PROXY_FAM_INET, PROXY_CMD_PROXY, 0 },
		{ "v2-tcp4.bin", 0, PROXY_FAM_INET, PROXY_CMD_PROXY, 0 },
		{ "v2-tcp6.bin", 0, PROXY_FAM_INET6, PROXY_CMD_PROXY, 0 },
		{ "v2-unix.bin", 0, PROXY_FAM_UNIX, PROXY_CMD_PROXY, 0 },
		{ "v2-unspec.bin", 0, PROXY_FAM_UNSPEC, PROXY_CMD_PROXY, 0 },
		{ "v2-local.bin", 0, PROXY_FAM_UNSPEC, PROXY_CMD_LOCAL, 0 },
		{ "v2-tlvs-crc.bin", 0, PROXY_FAM_INET, PROXY_CMD_PROXY, 1 },
		{ "v2-bad-crc.bin", -PROXY_ECRC, 0, 0, 0 },
		/* captured from HAProxy 2.6: a health check, and a client
		 * from 127.0.0.5 sending "hi" (proxy-v2-options crc32c,
		 * unique-id) */
		{ "haproxy-v2-local-crc.bin", 0, PROXY_FAM_UNSPEC,
		    PROXY_CMD_LOCAL, 1 },
		{ "haproxy-v2-crc-uid.bin", 0, PROXY_FAM_INET, PROXY_CMD_PROXY,
		    1 },
	};
	struct proxy_hdr	 h;
	uint8_t			 b[PROXY_MAX];
	char			 path[4096];
	const char		*dir = getenv("srcdir");
	size_t			 i, n;
	FILE			*fp;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/fixtures/proxy/%s",
		    dir ? dir : ".", f[i].name);
		CHECK((fp = fopen(path, "rb")) != NULL);
		if (fp == NULL)
			continue;
		n = fread(b, 1, sizeof(b), fp);
		fclose(fp);
		CHECK(proxy_parse(b, n, PROXY_ANY, &h) == f[i].err);
		if (f[i].err != 0)
			continue;
		CHECK(h.family == (enum proxy_family)f[i].family);
		CHECK(h.command == (enum proxy_cmd)f[i].command);
		CHECK(h.has_crc == f[i].crc);
		CHECK(proxy_use_header(&h) == (f[i].command == PROXY_CMD_PROXY &&
		    (f[i].family == PROXY_FAM_INET ||
		    f[i].family == PROXY_FAM_INET6)));
		if (strcmp(f[i].name, "haproxy-v2-crc-uid.bin") != 0)
			continue;
		CHECK(h.len == 55 && n == 57 && memcmp(b + h.len, "hi", 2) == 0);
		CHECK(sa_is(&h.src, "127.0.0.5", 51759));
		CHECK(h.unique_id.len == 17 &&
		    memcmp(h.unique_id.p, "127.0.0.5:51759-2", 17) == 0);
	}
}

int
main(void)
{
	test_crc32c();
	test_v1_good();
	test_v1_length();
	test_v1_crlf();
	test_v1_bad();
	test_versions();
	test_v2_families();
	test_v2_header();
	test_v2_tlvs();
	test_env();
	test_read_v1();
	test_read_v2();
	test_kind();
	test_fixtures();
	printf("test_proxy: %d checks, %d failed\n", checks, failures);
	return failures != 0;
}
