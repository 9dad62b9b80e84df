/* proxy.c: the PROXY protocol header (v1 and v2): reading exactly the
 * header, parsing it, the CRC32C check and the handler's variables.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "proxy.h"

static const uint8_t v2sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};
static const char v1sig[] = "PROXY ";

/* v2 TLV types */
#define TLV_ALPN	0x01
#define TLV_AUTHORITY	0x02
#define TLV_CRC32C	0x03
#define TLV_NOOP	0x04
#define TLV_UNIQUE_ID	0x05
#define TLV_SSL		0x20
#define TLV_SSL_VERSION	0x21
#define TLV_SSL_CN	0x22
#define TLV_SSL_CIPHER	0x23
#define TLV_SSL_SIG_ALG	0x24
#define TLV_SSL_KEY_ALG	0x25
#define TLV_NETNS	0x30
#define UNIQUE_ID_MAX	128
#define UNIX_PATH	108

static const char *const errors[PROXY_NERR] = {
	[PROXY_OK] = "no error",
	[PROXY_ESIG] = "not a PROXY protocol header",
	[PROXY_EVERSION_OFF] = "PROXY protocol version not accepted here",
	[PROXY_EV1LONG] = "PROXY v1 line without CRLF in 107 bytes",
	[PROXY_ECRLF] = "PROXY v1 line with a lone CR or LF",
	[PROXY_EV1SYNTAX] = "PROXY v1 line malformed",
	[PROXY_EV1ADDR] = "PROXY v1 address malformed",
	[PROXY_EV1PORT] = "PROXY v1 port malformed",
	[PROXY_EVERSION] = "PROXY v2 version not 2",
	[PROXY_ECOMMAND] = "PROXY v2 command unknown",
	[PROXY_EFAMILY] = "PROXY v2 address family unknown",
	[PROXY_ETRANSPORT] = "PROXY v2 transport unknown",
	[PROXY_ETOOBIG] = "PROXY v2 header too long",
	[PROXY_ESHORT] = "PROXY v2 length shorter than its addresses",
	[PROXY_ETLV] = "PROXY v2 TLV malformed",
	[PROXY_ECRC] = "PROXY v2 CRC32C mismatch",
	[PROXY_ECLOSED] = "connection closed inside the PROXY header",
	[PROXY_EIO] = "read error inside the PROXY header",
	[PROXY_EPARTIAL] = "PROXY header incomplete",
};

const char *
proxy_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= PROXY_NERR)
		return "unknown PROXY protocol error";
	return errors[err];
}

/* CRC32C, reflected polynomial 0x82f63b78, four bits at a time. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1,
	0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75
};

uint32_t
proxy_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len-- > 0) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
		crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
	}
	return ~crc;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static size_t
min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The end of a v1 line: its length, 0 when not seen yet, or -error. */
static ssize_t
v1_need(const uint8_t *b, size_t n, size_t *safe)
{
	size_t i, m = min(n, PROXY_V1_MAX);

	if (memcmp(b, v1sig, min(n, sizeof(v1sig) - 1)) != 0)
		return -PROXY_ESIG;
	for (i = 0; i < m; i++) {
		if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r'))
			return -PROXY_ECRLF;
		/* shorter than any valid line: the reader may have taken
		 * PROXY_V1_MIN bytes without looking */
		if (b[i] == '\n')
			return i + 1 < PROXY_V1_MIN ? -PROXY_EV1SYNTAX :
			    (ssize_t)i + 1;
		if (i > 0 && b[i - 1] == '\r')
			return -PROXY_ECRLF;
	}
	if (n >= PROXY_V1_MAX)
		return -PROXY_EV1LONG;
	/* all seen bytes are header; after a CR the LF is too */
	*safe = n < PROXY_V1_MIN ? PROXY_V1_MIN : n;
	if (b[n - 1] == '\r' && *safe < n + 1)
		*safe = n + 1;
	return 0;
}

static ssize_t
v2_need(const uint8_t *b, size_t n, size_t *safe)
{
	size_t total;

	if (memcmp(b, v2sig, min(n, sizeof(v2sig))) != 0)
		return -PROXY_ESIG;
	if (n > 12 && (b[12] >> 4) != 2)
		return -PROXY_EVERSION;
	if (n > 12 && (b[12] & 0xf) > PROXY_CMD_PROXY)
		return -PROXY_ECOMMAND;
	if (n > 13 && (b[13] >> 4) > PROXY_FAM_UNIX)
		return -PROXY_EFAMILY;
	if (n > 13 && (b[13] & 0xf) > 2)
		return -PROXY_ETRANSPORT;
	if (n < PROXY_V2_FIXED) {
		*safe = PROXY_V2_FIXED;
		return 0;
	}
	total = PROXY_V2_FIXED + get16(b + 14);
	if (total > PROXY_MAX)
		return -PROXY_ETOOBIG;
	if (n >= total)
		return (ssize_t)total;
	*safe = total;
	return 0;
}

ssize_t
proxy_need(const uint8_t *buf, size_t n, int versions, size_t *safe)
{
	int v;

	if (n == 0) {
		*safe = versions & PROXY_V1 ? PROXY_V1_MIN : PROXY_V2_FIXED;
		return 0;
	}
	if (buf[0] == (uint8_t)v1sig[0])
		v = PROXY_V1;
	else if (buf[0] == v2sig[0])
		v = PROXY_V2;
	else
		return -PROXY_ESIG;
	if (!(versions & v)) {
		/* name the version only once the signature is certain */
		if ((v == PROXY_V1 ? v1_need(buf, n, safe) :
		    v2_need(buf, n, safe)) == -PROXY_ESIG)
			return -PROXY_ESIG;
		return -PROXY_EVERSION_OFF;
	}
	return v == PROXY_V1 ? v1_need(buf, n, safe) : v2_need(buf, n, safe);
}

/* A decimal number without leading zeros, at most max; advances *s. */
static int
v1_number(const char **s, unsigned long max, unsigned long *v)
{
	const char	*p = *s;
	int		 digits = 0;

	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return -1;
	for (*v = 0; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 5)
			return -1;
		*v = *v * 10 + (unsigned long)(*p - '0');
	}
	if (digits == 0 || *v > max)
		return -1;
	*s = p;
	return 0;
}

static int
v1_ipv4(const char *s, struct sockaddr_in *sin)
{
	uint8_t		 o[4];
	unsigned long	 v;
	int		 i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -1;
		if (v1_number(&s, 255, &v) == -1)
			return -1;
		o[i] = (uint8_t)v;
	}
	if (*s != '\0')
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, o, 4);
	return 0;
}

/* Hex groups and colons only: no dotted tail, no scope. */
static int
v1_ipv6(const char *s, struct sockaddr_in6 *sin6)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF:");

	if (s[n] != '\0' || n > 39)
		return -1;
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	return inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1 ? 0 : -1;
}

static int
v1_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (v1_number(&s, 65535, &v) == -1 || *s != '\0')
		return -1;
	*port = htons((uint16_t)v);
	return 0;
}

/* Splits line at single spaces into at most max fields. Returns the
 * count, or -1 on an empty field (two spaces, a space at an end) or too
 * many fields. */
static int
v1_split(char *line, char **f, int max)
{
	int i, n = 0;

	for (;;) {
		if (n == max)
			return -1;
		f[n++] = line;
		line = strchr(line, ' ');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	for (i = 0; i < n; i++)
		if (*f[i] == '\0')
			return -1;
	return n;
}

static int
v1_addr(enum proxy_family fam, const char *s, const char *port,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	if (fam == PROXY_FAM_INET) {
		if (v1_ipv4(s, sin) == -1)
			return -PROXY_EV1ADDR;
		*len = sizeof(*sin);
		return v1_port(port, &sin->sin_port) == -1 ? -PROXY_EV1PORT : 0;
	}
	if (v1_ipv6(s, sin6) == -1)
		return -PROXY_EV1ADDR;
	*len = sizeof(*sin6);
	return v1_port(port, &sin6->sin6_port) == -1 ? -PROXY_EV1PORT : 0;
}

/* "PROXY TCP4|TCP6 SRC DST SPORT DPORT" or "PROXY UNKNOWN[ anything]". */
static int
v1_parse(const uint8_t *b, size_t n, struct proxy_hdr *h)
{
	char	 line[PROXY_V1_MAX + 1], *f[5];
	size_t	 len = n - 2;	/* without CRLF */
	int	 r;

	memcpy(line, b, len);
	line[len] = '\0';
	h->version = 1;
	h->command = PROXY_CMD_PROXY;
	h->socktype = SOCK_STREAM;
	if (strncmp(line + 6, "UNKNOWN", 7) == 0 &&
	    (line[13] == '\0' || line[13] == ' ')) {
		h->family = PROXY_FAM_UNKNOWN;
		h->socktype = 0;
		return 0;
	}
	if (memchr(line, '\0', len) != NULL ||
	    v1_split(line + 6, f, 5) != 5)
		return -PROXY_EV1SYNTAX;
	if (strcmp(f[0], "TCP4") == 0)
		h->family = PROXY_FAM_INET;
	else if (strcmp(f[0], "TCP6") == 0)
		h->family = PROXY_FAM_INET6;
	else
		return -PROXY_EV1SYNTAX;
	if ((r = v1_addr(h->family, f[1], f[3], &h->src, &h->srclen)) < 0 ||
	    (r = v1_addr(h->family, f[2], f[4], &h->dst, &h->dstlen)) < 0)
		return r;
	return 0;
}

/* Sets *s to a TLV's value; a type seen twice is an error. */
static int
tlv_set(struct proxy_str *s, const uint8_t *v, uint16_t len)
{
	if (s->p != NULL)
		return -PROXY_ETLV;
	s->p = v;
	s->len = len;
	return 0;
}

static int
ssl_sub(struct proxy_hdr *h, uint8_t type, const uint8_t *v, uint16_t len)
{
	switch (type) {
	case TLV_SSL_VERSION:
		return tlv_set(&h->ssl_version, v, len);
	case TLV_SSL_CN:
		return tlv_set(&h->ssl_cn, v, len);
	case TLV_SSL_CIPHER:
		return tlv_set(&h->ssl_cipher, v, len);
	case TLV_SSL_SIG_ALG:
		return tlv_set(&h->ssl_sig_alg, v, len);
	case TLV_SSL_KEY_ALG:
		return tlv_set(&h->ssl_key_alg, v, len);
	default:
		return 0;	/* unknown sub-types are skipped */
	}
}

typedef int (*tlv_fn)(struct proxy_hdr *, uint8_t, const uint8_t *,
    uint16_t, const uint8_t *);

/* Walks the TLVs in p[0..n), calling fn for each; every TLV must fit
 * exactly. base is the start of the header (for the CRC). */
static int
tlv_walk(struct proxy_hdr *h, const uint8_t *p, size_t n, tlv_fn fn,
    const uint8_t *base)
{
	uint16_t	len;
	int		r;

	while (n > 0) {
		if (n < 3 || (len = get16(p + 1)) > n - 3)
			return -PROXY_ETLV;
		if ((r = fn(h, p[0], p + 3, len, base)) < 0)
			return r;
		p += 3 + len;
		n -= 3 + (size_t)len;
	}
	return 0;
}

static int
ssl_tlv(struct proxy_hdr *h, uint8_t type, const uint8_t *v, uint16_t len,
    const uint8_t *base)
{
	(void)base;
	return ssl_sub(h, type, v, len);
}

/* The CRC32C of the whole header with the TLV's value taken as zeros. */
static int
crc_check(struct proxy_hdr *h, const uint8_t *v, uint16_t len,
    const uint8_t *base)
{
	static const uint8_t	zero[4];
	uint32_t		crc;

	if (len != 4 || h->has_crc)
		return -PROXY_ETLV;
	h->has_crc = 1;
	crc = proxy_crc32c(0, base, (size_t)(v - base));
	crc = proxy_crc32c(crc, zero, 4);
	crc = proxy_crc32c(crc, v + 4, h->len - (size_t)(v + 4 - base));
	return crc == get32(v) ? 0 : -PROXY_ECRC;
}

static int
top_tlv(struct proxy_hdr *h, uint8_t type, const uint8_t *v, uint16_t len,
    const uint8_t *base)
{
	switch (type) {
	case TLV_ALPN:
		return tlv_set(&h->alpn, v, len);
	case TLV_AUTHORITY:
		return tlv_set(&h->authority, v, len);
	case TLV_CRC32C:
		return crc_check(h, v, len, base);
	case TLV_UNIQUE_ID:
		if (len > UNIQUE_ID_MAX)
			return -PROXY_ETLV;
		return tlv_set(&h->unique_id, v, len);
	case TLV_NETNS:
		return tlv_set(&h->netns, v, len);
	case TLV_SSL:
		/* client flags (1), verify result (4), then sub-TLVs */
		if (len < 5 || h->has_ssl)
			return -PROXY_ETLV;
		h->has_ssl = 1;
		h->ssl_client = v[0];
		h->ssl_verify = get32(v + 1);
		return tlv_walk(h, v + 5, len - 5u, ssl_tlv, base);
	default:
		return 0;	/* NOOP, custom and future types */
	}
}

/* The size of a family's address block, with ports. */
static size_t
v2_addrlen(enum proxy_family fam)
{
	switch (fam) {
	case PROXY_FAM_INET:
		return 2 * 4 + 2 * 2;
	case PROXY_FAM_INET6:
		return 2 * 16 + 2 * 2;
	case PROXY_FAM_UNIX:
		return 2 * UNIX_PATH;
	default:
		return 0;
	}
}

static void
v2_inet(const uint8_t *a, struct proxy_hdr *h)
{
	struct sockaddr_in *src = (struct sockaddr_in *)&h->src;
	struct sockaddr_in *dst = (struct sockaddr_in *)&h->dst;

	src->sin_family = dst->sin_family = AF_INET;
	memcpy(&src->sin_addr, a, 4);
	memcpy(&dst->sin_addr, a + 4, 4);
	memcpy(&src->sin_port, a + 8, 2);
	memcpy(&dst->sin_port, a + 10, 2);
	h->srclen = h->dstlen = sizeof(*src);
}

static void
v2_inet6(const uint8_t *a, struct proxy_hdr *h)
{
	struct sockaddr_in6 *src = (struct sockaddr_in6 *)&h->src;
	struct sockaddr_in6 *dst = (struct sockaddr_in6 *)&h->dst;

	src->sin6_family = dst->sin6_family = AF_INET6;
	memcpy(&src->sin6_addr, a, 16);
	memcpy(&dst->sin6_addr, a + 16, 16);
	memcpy(&src->sin6_port, a + 32, 2);
	memcpy(&dst->sin6_port, a + 34, 2);
	h->srclen = h->dstlen = sizeof(*src);
}

static void
v2_unix(const uint8_t *a, struct proxy_hdr *h)
{
	struct sockaddr_un *src = (struct sockaddr_un *)&h->src;
	struct sockaddr_un *dst = (struct sockaddr_un *)&h->dst;

	src->sun_family = dst->sun_family = AF_UNIX;
	memcpy(src->sun_path, a, UNIX_PATH);
	memcpy(dst->sun_path, a + UNIX_PATH, UNIX_PATH);
	h->srclen = h->dstlen = sizeof(*src);
}

static int
v2_parse(const uint8_t *b, size_t n, struct proxy_hdr *h)
{
	size_t	alen, body = n - PROXY_V2_FIXED;
	int	r;

	h->version = 2;
	h->command = (enum proxy_cmd)(b[12] & 0xf);
	h->family = (enum proxy_family)(b[13] >> 4);
	h->socktype = (b[13] & 0xf) == 1 ? SOCK_STREAM :
	    (b[13] & 0xf) == 2 ? SOCK_DGRAM : 0;
	alen = v2_addrlen(h->family);
	if (body < alen) {
		/* LOCAL ignores the addresses, and so any TLVs */
		if (h->command == PROXY_CMD_LOCAL)
			return 0;
		return -PROXY_ESHORT;
	}
	if (h->command == PROXY_CMD_PROXY && h->family == PROXY_FAM_INET)
		v2_inet(b + PROXY_V2_FIXED, h);
	else if (h->command == PROXY_CMD_PROXY && h->family == PROXY_FAM_INET6)
		v2_inet6(b + PROXY_V2_FIXED, h);
	else if (h->command == PROXY_CMD_PROXY && h->family == PROXY_FAM_UNIX)
		v2_unix(b + PROXY_V2_FIXED, h);
	r = tlv_walk(h, b + PROXY_V2_FIXED + alen, body - alen, top_tlv, b);
	if (r == -PROXY_ETLV && h->family == PROXY_FAM_UNSPEC) {
		/* with no family the bytes may be addresses of another kind:
		 * ignored, as the specification asks */
		memset(&h->alpn, 0, (size_t)((uint8_t *)(h + 1) -
		    (uint8_t *)&h->alpn));
		return 0;
	}
	return r;
}

int
proxy_parse(const uint8_t *buf, size_t n, int versions, struct proxy_hdr *h)
{
	size_t	safe;
	ssize_t	r;

	memset(h, 0, sizeof(*h));
	if ((r = proxy_need(buf, n, versions, &safe)) < 0)
		return (int)r;
	if (r == 0)
		return -PROXY_EPARTIAL;
	/* bytes after the header are not looked at */
	n = h->len = (size_t)r;
	return buf[0] == v1sig[0] ? v1_parse(buf, n, h) : v2_parse(buf, n, h);
}

int
proxy_use_header(const struct proxy_hdr *h)
{
	return h->command == PROXY_CMD_PROXY && h->socktype == SOCK_STREAM &&
	    (h->family == PROXY_FAM_INET || h->family == PROXY_FAM_INET6);
}

const char *
proxy_kind(const struct proxy_hdr *h)
{
	if (h->command == PROXY_CMD_LOCAL)
		return "LOCAL";
	switch (h->family) {
	case PROXY_FAM_UNKNOWN:
		return "UNKNOWN";
	case PROXY_FAM_UNSPEC:
		return "UNSPEC";
	case PROXY_FAM_UNIX:
		return "UNIX";
	default:
		return h->socktype == SOCK_DGRAM ? "DGRAM" : "PROXY";
	}
}

/* One recv, retried on EINTR: >0 bytes, 0 when none yet, or -error. */
static ssize_t
recv_some(int fd, uint8_t *p, size_t n, int flags)
{
	ssize_t r;

	do
		r = recv(fd, p, n, flags | MSG_DONTWAIT);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 :
		    -PROXY_EIO;
	return r == 0 ? -PROXY_ECLOSED : r;
}

ssize_t
proxy_read(int fd, struct proxy_buf *b, int versions)
{
	size_t	safe, want;
	ssize_t	r, got;

	/* Peek at what has come, then take exactly the header's part of
	 * it: two calls when the header arrives whole. */
	for (;;) {
		if ((r = proxy_need(b->data, b->len, versions, &safe)) != 0)
			return r;
		got = recv_some(fd, b->data + b->len, sizeof(b->data) - b->len,
		    MSG_PEEK);
		if (got <= 0)
			return got;
		r = proxy_need(b->data, b->len + (size_t)got, versions, &safe);
		if (r < 0)
			return r;
		want = (r > 0 ? (size_t)r : min(safe, b->len + (size_t)got)) -
		    b->len;
		if ((got = recv_some(fd, b->data + b->len, want, 0)) <= 0)
			return got;
		b->len += (size_t)got;
	}
}

/* Appends NAME=value, control bytes as '?'; skipped if absent or if it
 * does not fit. */
static size_t
env_put(char *buf, size_t off, size_t size, const char *name,
    const struct proxy_str *v)
{
	size_t	nlen = strlen(name), i;
	char	*p;

	if (v->p == NULL || off + nlen + 1 + v->len + 1 > size)
		return off;
	p = buf + off;
	memcpy(p, name, nlen);
	p += nlen;
	*p++ = '=';
	for (i = 0; i < v->len; i++)
		*p++ = v->p[i] < 0x20 || v->p[i] == 0x7f ? '?' :
		    (char)v->p[i];
	*p++ = '\0';
	return (size_t)(p - buf);
}

size_t
proxy_env(const struct proxy_hdr *h, char *buf, size_t size)
{
	size_t off = 0;

	off = env_put(buf, off, size, "PROXY_ALPN", &h->alpn);
	off = env_put(buf, off, size, "PROXY_AUTHORITY", &h->authority);
	off = env_put(buf, off, size, "PROXY_UNIQUE_ID", &h->unique_id);
	if (!h->has_ssl || !(h->ssl_client & PROXY_SSL_CLIENT))
		return off;
	off = env_put(buf, off, size, "SSL_PROTOCOL", &h->ssl_version);
	off = env_put(buf, off, size, "SSL_CIPHER", &h->ssl_cipher);
	off = env_put(buf, off, size, "SSL_TLS_SNI_SERVERNAME", &h->authority);
	/* a name from a certificate nobody checked is no name */
	if (h->ssl_verify == 0 &&
	    (h->ssl_client & (PROXY_SSL_CERT_CONN | PROXY_SSL_CERT_SESS)))
		off = env_put(buf, off, size, "SSL_PEER_CERT_CN", &h->ssl_cn);
	return off;
}
