/* proxy.h: the PROXY protocol header a load balancer sends before the
 * client's bytes (version 1 text, version 2 binary): how many bytes to
 * read so that no payload byte is consumed, parsing, the CRC32C check and
 * the handler's variables. No allocation; the parser is pure.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_PROXY_H
#define PINETD_PROXY_H

#include <sys/types.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

/* The versions a service accepts (a mask). */
#define PROXY_V1	0x1
#define PROXY_V2	0x2
#define PROXY_ANY	(PROXY_V1 | PROXY_V2)

/* A v1 line is at most 107 bytes with its CRLF, at least 15
 * ("PROXY UNKNOWN\r\n"); a v2 header is 16 bytes and its length field. */
#define PROXY_V1_MAX	107
#define PROXY_V1_MIN	15
#define PROXY_V2_FIXED	16
/* The longest v2 header taken: the addresses of two unix sockets (216)
 * and room for TLVs; a longer one is refused. Buffers are this big. */
#define PROXY_MAX	1024

/* Errors, returned negated. */
enum proxy_err {
	PROXY_OK = 0,
	PROXY_ESIG,		/* neither a v1 nor a v2 header */
	PROXY_EVERSION_OFF,	/* a version the service does not accept */
	PROXY_EV1LONG,		/* no CRLF in the first 107 bytes */
	PROXY_ECRLF,		/* a CR or LF alone */
	PROXY_EV1SYNTAX,	/* fields, spaces or protocol wrong */
	PROXY_EV1ADDR,		/* an address not in its canonical form */
	PROXY_EV1PORT,		/* a port not in 0..65535 without zeros */
	PROXY_EVERSION,		/* v2 version nibble other than 2 */
	PROXY_ECOMMAND,		/* v2 command other than LOCAL or PROXY */
	PROXY_EFAMILY,		/* v2 family unknown */
	PROXY_ETRANSPORT,	/* v2 transport unknown */
	PROXY_ETOOBIG,		/* v2 length beyond PROXY_MAX */
	PROXY_ESHORT,		/* v2 length shorter than its addresses */
	PROXY_ETLV,		/* a TLV cut short, too long or repeated */
	PROXY_ECRC,		/* the CRC32C TLV does not match */
	PROXY_ECLOSED,		/* end of stream inside the header */
	PROXY_EIO,		/* a read failed (errno says why) */
	PROXY_EPARTIAL,		/* proxy_parse() given part of a header */
	PROXY_NERR
};

enum proxy_cmd {
	PROXY_CMD_LOCAL,	/* the balancer's own connection (checks) */
	PROXY_CMD_PROXY		/* relayed: the addresses are the client's */
};

enum proxy_family {
	PROXY_FAM_UNSPEC,	/* v2: addresses not given */
	PROXY_FAM_INET,
	PROXY_FAM_INET6,
	PROXY_FAM_UNIX,
	PROXY_FAM_UNKNOWN	/* v1 "UNKNOWN" */
};

/* A byte string inside the header buffer (not NUL-terminated). */
struct proxy_str {
	const uint8_t	*p;	/* NULL when absent */
	uint16_t	 len;
};

/* SSL TLV client flags. */
#define PROXY_SSL_CLIENT	0x01
#define PROXY_SSL_CERT_CONN	0x02
#define PROXY_SSL_CERT_SESS	0x04

/* A parsed header. The strings point into the buffer given to
 * proxy_parse() and live as long as it does. */
struct proxy_hdr {
	int			 version;	/* 1 or 2 */
	enum proxy_cmd		 command;
	enum proxy_family	 family;
	int			 socktype;	/* SOCK_STREAM, SOCK_DGRAM, 0 */
	size_t			 len;		/* header bytes */
	/* the client (src) and the address it reached (dst); set for
	 * INET, INET6 and UNIX with the PROXY command */
	struct sockaddr_storage	 src, dst;
	socklen_t		 srclen, dstlen;
	/* v2 TLVs */
	struct proxy_str	 alpn, authority, unique_id, netns;
	int			 has_crc;	/* a CRC32C TLV was checked */
	int			 has_ssl;
	uint8_t			 ssl_client;	/* PROXY_SSL_* */
	uint32_t		 ssl_verify;	/* 0: client cert verified */
	struct proxy_str	 ssl_version, ssl_cn, ssl_cipher,
				 ssl_sig_alg, ssl_key_alg;
};

/* Looks at the first n bytes of a connection (bytes read so far, maybe
 * followed by bytes only peeked at) and returns the header's length once
 * it is known and within the n bytes, 0 when more is needed, or
 * -PROXY_E* as soon as the bytes cannot start a valid header. With 0,
 * *safe is how many bytes from the start are header if it is valid: the
 * caller may read up to there without peeking; when *safe is n (a v1 line
 * whose end is not seen yet) it must peek to find the CRLF. */
ssize_t		 proxy_need(const uint8_t *buf, size_t n, int versions,
		    size_t *safe);
/* Parses the header at the start of the n bytes of buf into h (h->len
 * its length; bytes after it are not looked at), the CRC32C TLV checked.
 * Returns 0 or -PROXY_E*. */
int		 proxy_parse(const uint8_t *buf, size_t n, int versions,
		    struct proxy_hdr *h);

/* True when the connection is to be taken as coming from h->src to
 * h->dst: a PROXY command for TCP over IPv4 or IPv6. Otherwise (LOCAL,
 * v1 UNKNOWN, v2 UNSPEC, a unix socket client, UDP) the real endpoints
 * stand, as the specification asks. */
int		 proxy_use_header(const struct proxy_hdr *h);
/* A word for the log saying which case it was: "PROXY", "LOCAL",
 * "UNKNOWN", "UNSPEC", "UNIX", "DGRAM". */
const char	*proxy_kind(const struct proxy_hdr *h);

/* The header of one connection as it is read. */
struct proxy_buf {
	uint8_t	data[PROXY_MAX];
	size_t	len;		/* bytes consumed from the socket */
};
/* Reads from the socket fd (without blocking) what the header still
 * needs, never a byte past it: peeks at what has come, takes the header's
 * part of it (two calls when the header comes whole).
 * Returns the header's length when b holds all of it, 0 when the socket
 * has no more for now (wait until it is readable), or -PROXY_E*. */
ssize_t		 proxy_read(int fd, struct proxy_buf *b, int versions);

/* Appends the handler's variables from the TLVs to buf as NUL-separated
 * NAME=value strings (control bytes replaced by '?'), skipping any that
 * does not fit in size; returns the bytes used. PROXY_ALPN,
 * PROXY_AUTHORITY, PROXY_UNIQUE_ID; with an SSL TLV for a client over
 * TLS: SSL_PROTOCOL, SSL_CIPHER, SSL_TLS_SNI_SERVERNAME (the authority),
 * and SSL_PEER_CERT_CN only for a certificate the balancer verified. */
size_t		 proxy_env(const struct proxy_hdr *h, char *buf, size_t size);

/* A message for a PROXY_E* code (either sign). */
const char	*proxy_strerror(int err);
/* CRC32C (Castagnoli) of len bytes continuing crc (0 to start). */
uint32_t	 proxy_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
