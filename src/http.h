/* http.h: a bounded, incremental reader of one HTTP/1.0 or 1.1 request
 * head, and the head of the answer. Made for a non-blocking loop: the
 * caller feeds whatever bytes arrived and gets "need more", a complete
 * request, or the status of the error to answer with. Nothing here reads
 * a socket or keeps time; the caller bounds the time.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#ifndef PINETD_HTTP_H
#define PINETD_HTTP_H

#include <stddef.h>

#include "strbuf.h"

/* The whole request head (request line, header lines, the empty line)
 * is at most HTTP_HEAD_MAX bytes, and the request line alone at most
 * HTTP_LINE_MAX: more is answered 431 or 414, and no byte beyond the
 * limit is ever kept. */
#define HTTP_HEAD_MAX	8192
#define HTTP_LINE_MAX	2048

/* What http_feed() returns. An error is the status code to answer. */
enum http_result {
	HTTP_NEED_MORE = 0,
	HTTP_OK = 200,		/* a complete GET or HEAD of the known path */
	HTTP_BAD_REQUEST = 400,	/* not a well-formed HTTP/1.x request head */
	HTTP_NOT_FOUND = 404,	/* another path */
	HTTP_NOT_ALLOWED = 405,	/* a method other than GET and HEAD */
	HTTP_TOO_LARGE = 413,	/* a request with a body: none is read */
	HTTP_URI_TOO_LONG = 414,	/* request line over HTTP_LINE_MAX */
	HTTP_HEAD_TOO_LARGE = 431,	/* head over HTTP_HEAD_MAX */
	HTTP_BAD_VERSION = 505	/* HTTP/2 and later, in a 1.x head */
};

struct http_request {
	const char	*route;		/* the one path answered 200 */
	char		 buf[HTTP_HEAD_MAX];
	size_t		 len;		/* bytes kept in buf */
	size_t		 line;		/* start of the line being read */
	int		 nlines;	/* complete lines so far */
	int		 result;	/* once final, every feed returns it */
	/* From the request line, valid once the result is 200, 404, 405
	 * or 413: NUL-terminated inside buf. */
	const char	*method;
	const char	*target;	/* the path, without a query */
	int		 minor;		/* HTTP/1.minor */
	int		 head_only;	/* HEAD: answer without the body */
	int		 has_host;
	int		 has_body;
};

/* Starts reading a request whose only known path is route (not copied). */
void	http_request_init(struct http_request *, const char *route);
/* Reads up to n bytes of data and returns the result so far. *used (if
 * not NULL) is how many bytes were taken: the head's own, never what
 * follows its empty line, never more than the room left. */
int	http_feed(struct http_request *, const void *data, size_t n,
	    size_t *used);
/* How many more bytes the request head may take: read at most this. */
size_t	http_room(const struct http_request *);

/* The reason phrase of a status code ("Not Found"). */
const char *http_reason(int status);
/* Appends a response head: the status line, Date, Content-Type (when
 * not NULL), Content-Length and Connection: close; 405 also names the
 * allowed methods. */
void	http_response_head(struct strbuf *, int status,
	    const char *content_type, size_t content_length);
/* Appends a whole error response with a one-line text body (the body is
 * left out when head_only). */
void	http_error_response(struct strbuf *, int status, int head_only);

#endif
