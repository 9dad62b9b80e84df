/* http.c: reads one HTTP/1.x request head into a fixed buffer, a line at
 * a time as bytes arrive, and writes the head of the answer. The server
 * answers one request per connection and closes it, so the reader never
 * looks at a body or at a second request.
 *
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE.
 */
#include "ac-config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "strbuf.h"

void
http_request_init(struct http_request *req, const char *route)
{
	memset(req, 0, sizeof(*req));
	req->route = route;
}

size_t
http_room(const struct http_request *req)
{
	if (req->result != HTTP_NEED_MORE)
		return 0;
	return sizeof(req->buf) - req->len;
}

/* A token character (RFC 9110 tchar): methods and header names. */
static int
is_tchar(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static int
is_token(const char *s, size_t n)
{
	size_t	i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Reduces an absolute-form target to its path and drops the query:
 * "/metrics?x=1" and "http://host:1/metrics" both become "/metrics". */
static const char *
target_path(char *t)
{
	char	*p;

	if (strncasecmp(t, "http://", 7) == 0 ||
	    strncasecmp(t, "https://", 8) == 0) {
		p = strchr(t, ':') + 3;
		if ((t = strchr(p, '/')) == NULL)
			return "/";
	} else if (t[0] != '/')
		return NULL;	/* "*" and authority-form: not ours */
	t[strcspn(t, "?#")] = '\0';
	return t;
}

/* "METHOD SP target SP HTTP/1.x", exactly. */
static int
parse_request_line(struct http_request *req, char *line)
{
	char	*sp1, *sp2, *v, *t;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' '))
		return HTTP_BAD_REQUEST;
	if (!is_token(line, (size_t)(sp1 - line)) || sp2 == sp1 + 1)
		return HTTP_BAD_REQUEST;
	for (t = sp1 + 1; t < sp2; t++)
		if (*t <= ' ' || *t >= 0x7f)	/* also bytes >= 0x80 */
			return HTTP_BAD_REQUEST;
	v = sp2 + 1;
	if (strncmp(v, "HTTP/", 5) != 0 || !isdigit((unsigned char)v[5]) ||
	    v[6] != '.' || !isdigit((unsigned char)v[7]) || v[8] != '\0')
		return HTTP_BAD_REQUEST;
	*sp1 = *sp2 = '\0';
	req->method = line;
	if (v[5] != '1')
		return HTTP_BAD_VERSION;
	req->minor = v[7] - '0';
	req->head_only = strcmp(line, "HEAD") == 0;
	if ((req->target = target_path(sp1 + 1)) == NULL)
		req->target = "";	/* never the route: 404, or 405 */
	return HTTP_NEED_MORE;
}

/* "name: value", where only Host, Content-Length and Transfer-Encoding
 * matter; folded lines (obsolete) and space before the colon are
 * refused, as RFC 9112 asks. */
static int
parse_header(struct http_request *req, char *line)
{
	char		*colon, *v, *end;
	unsigned long	 n;

	if ((colon = strchr(line, ':')) == NULL ||
	    !is_token(line, (size_t)(colon - line)))
		return HTTP_BAD_REQUEST;
	*colon = '\0';
	v = colon + 1 + strspn(colon + 1, " \t");
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (strcasecmp(line, "Host") == 0) {
		if (req->has_host++)
			return HTTP_BAD_REQUEST;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0)
		req->has_body = 1;
	else if (strcasecmp(line, "Content-Length") == 0) {
		if (!isdigit((unsigned char)*v))
			return HTTP_BAD_REQUEST;
		n = strtoul(v, &end, 10);
		if (*end != '\0')
			return HTTP_BAD_REQUEST;
		if (n > 0)
			req->has_body = 1;
	}
	return HTTP_NEED_MORE;
}

/* The request head is complete: which answer it gets. */
static int
decide(const struct http_request *req)
{
	if (req->minor >= 1 && req->has_host != 1)
		return HTTP_BAD_REQUEST;
	if (strcmp(req->method, "GET") != 0 && !req->head_only)
		return HTTP_NOT_ALLOWED;
	if (req->has_body)
		return HTTP_TOO_LARGE;
	if (req->route == NULL || strcmp(req->target, req->route) != 0)
		return HTTP_NOT_FOUND;
	return HTTP_OK;
}

/* One complete line, its LF (and CR) already cut off. */
static int
parse_line(struct http_request *req, char *line, size_t n)
{
	const unsigned char	*u = (const unsigned char *)line;
	size_t			 i;

	for (i = 0; i < n; i++)
		if ((u[i] < ' ' && u[i] != '\t') || u[i] == 0x7f)
			return HTTP_BAD_REQUEST;	/* NUL, bare CR, ... */
	if (req->nlines == 0) {
		if (n == 0)	/* empty lines before the request line */
			return HTTP_NEED_MORE;
		req->nlines++;
		return parse_request_line(req, line);
	}
	req->nlines++;
	if (n == 0)
		return decide(req);
	if (line[0] == ' ' || line[0] == '\t')
		return HTTP_BAD_REQUEST;
	return parse_header(req, line);
}

int
http_feed(struct http_request *req, const void *data, size_t n,
    size_t *used)
{
	const char	*in = data;
	size_t		 i = 0, len;
	char		*line;

	while (req->result == HTTP_NEED_MORE && i < n) {
		req->buf[req->len++] = in[i++];
		if (req->buf[req->len - 1] == '\n') {
			line = req->buf + req->line;
			len = req->len - 1 - req->line;
			if (len > 0 && line[len - 1] == '\r')
				len--;
			line[len] = '\0';
			req->line = req->len;
			if (req->nlines == 0 && len > HTTP_LINE_MAX)
				req->result = HTTP_URI_TOO_LONG;
			else
				req->result = parse_line(req, line, len);
		} else if (req->nlines == 0 &&
		    req->len - req->line > HTTP_LINE_MAX + 1)	/* + CR */
			req->result = HTTP_URI_TOO_LONG;
		/* full, and the head is still not over */
		if (req->result == HTTP_NEED_MORE &&
		    req->len == sizeof(req->buf))
			req->result = HTTP_HEAD_TOO_LARGE;
	}
	if (used != NULL)
		*used = i;
	return req->result;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* The IMF-fixdate of RFC 9110, in English whatever the locale. */
static void
http_date(struct strbuf *sb)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	struct tm		 tm;
	time_t			 now = time(NULL);

	if (gmtime_r(&now, &tm) == NULL)
		return;
	strbuf_printf(sb, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
http_response_head(struct strbuf *sb, int status, const char *content_type,
    size_t content_length)
{
	strbuf_printf(sb, "HTTP/1.1 %d %s\r\n", status, http_reason(status));
	http_date(sb);
	if (status == HTTP_NOT_ALLOWED)
		strbuf_printf(sb, "Allow: GET, HEAD\r\n");
	if (content_type != NULL)
		strbuf_printf(sb, "Content-Type: %s\r\n", content_type);
	strbuf_printf(sb, "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	    content_length);
}

void
http_error_response(struct strbuf *sb, int status, int head_only)
{
	const char	*reason = http_reason(status);
	/* "NNN " + reason + "\n" */
	size_t		 n = 4 + strlen(reason) + 1;

	http_response_head(sb, status, "text/plain; charset=utf-8", n);
	if (!head_only)
		strbuf_printf(sb, "%d %s\n", status, reason);
}
