/* Unit tests for the bounded HTTP request reader and the response head.
 * Copyright (c) 2026 The pinetd authors. ISC licence: see LICENSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http.h"

#include "check.h"

/* Feeds s whole, then returns the result. */
static int
feed_all(const char *s)
{
	struct http_request	*req = malloc(sizeof(*req));
	int			 r;

	if (req == NULL)
		return -1;
	http_request_init(req, "/metrics");
	r = http_feed(req, s, strlen(s), NULL);
	free(req);
	return r;
}

/* Feeds s one byte at a time, as a slow client sends it. */
static int
feed_bytes(const char *s)
{
	struct http_request	*req = malloc(sizeof(*req));
	size_t			 i, used;
	int			 r = HTTP_NEED_MORE;

	if (req == NULL)
		return -1;
	http_request_init(req, "/metrics");
	for (i = 0; s[i] != '\0' && r == HTTP_NEED_MORE; i++) {
		r = http_feed(req, s + i, 1, &used);
		if (used != 1)
			r = -2;
	}
	free(req);
	return r;
}

static int
both(const char *s, int want)
{
	int	a = feed_all(s), b = feed_bytes(s);

	if (a != want || b != want)
		fprintf(stderr, "want %d, got %d whole and %d bytewise: "
		    "%.60s\n", want, a, b, s);
	return a == want && b == want;
}

static void
test_good(void)
{
	CHECK(both("GET /metrics HTTP/1.0\r\n\r\n", HTTP_OK));
	CHECK(both("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", HTTP_OK));
	/* what Prometheus 2.42 sends */
	CHECK(both("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9183\r\n"
	    "User-Agent: Prometheus/2.42.0\r\nAccept: application/"
	    "openmetrics-text;version=1.0.0,text/plain;version=0.0.4;"
	    "q=0.5,*/*;q=0.1\r\nAccept-Encoding: gzip\r\n"
	    "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n", HTTP_OK));
	/* bare LF, a leading empty line, a query, absolute form */
	CHECK(both("GET /metrics HTTP/1.0\n\n", HTTP_OK));
	CHECK(both("\r\nGET /metrics HTTP/1.0\r\n\r\n", HTTP_OK));
	CHECK(both("GET /metrics?x=1 HTTP/1.0\r\n\r\n", HTTP_OK));
	CHECK(both("GET http://h:1/metrics HTTP/1.1\r\nHost: h:1\r\n\r\n",
	    HTTP_OK));
	CHECK(both("HEAD /metrics HTTP/1.0\r\n\r\n", HTTP_OK));
	CHECK(both("GET /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
	    HTTP_OK));
	/* header values may hold UTF-8 and tabs */
	CHECK(both("GET /metrics HTTP/1.0\r\nX: caf\xc3\xa9\t1\r\n\r\n",
	    HTTP_OK));
}

static void
test_errors(void)
{
	CHECK(both("GET /other HTTP/1.0\r\n\r\n", HTTP_NOT_FOUND));
	CHECK(both("GET / HTTP/1.0\r\n\r\n", HTTP_NOT_FOUND));
	CHECK(both("GET /metrics/ HTTP/1.0\r\n\r\n", HTTP_NOT_FOUND));
	CHECK(both("GET http://h HTTP/1.0\r\n\r\n", HTTP_NOT_FOUND));
	CHECK(both("POST /metrics HTTP/1.0\r\n\r\n", HTTP_NOT_ALLOWED));
	CHECK(both("get /metrics HTTP/1.0\r\n\r\n", HTTP_NOT_ALLOWED));
	CHECK(both("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	    HTTP_NOT_ALLOWED));
	CHECK(both("GET /metrics HTTP/1.0\r\nContent-Length: 5\r\n\r\n",
	    HTTP_TOO_LARGE));
	CHECK(both("GET /metrics HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", HTTP_TOO_LARGE));
	CHECK(both("GET /metrics HTTP/2.0\r\n\r\n", HTTP_BAD_VERSION));
	/* malformed: 400 */
	CHECK(both("GET /metrics\r\n\r\n", HTTP_BAD_REQUEST));
	CHECK(both("GET  /metrics HTTP/1.0\r\n\r\n", HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.0 \r\n\r\n", HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.10\r\n\r\n", HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	    HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.0\r\nNoColon\r\n\r\n",
	    HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.0\r\nBad Name: x\r\n\r\n",
	    HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.0\r\nA: b\r\n folded\r\n\r\n",
	    HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.0\r\nContent-Length: x\r\n\r\n",
	    HTTP_BAD_REQUEST));
	CHECK(both("GET /metrics HTTP/1.0\r\nA: b\rc\r\n\r\n",
	    HTTP_BAD_REQUEST));
	CHECK(both("GET /m\xc3\xa9trics HTTP/1.0\r\n\r\n", HTTP_BAD_REQUEST));
	CHECK(both("\x16\x03\x01\x02\x01\x01\xfc\x03\x03\n",
	    HTTP_BAD_REQUEST));	/* the start of a TLS hello */
	/* an error is final: more bytes change nothing and are not taken */
	{
		struct http_request	*req = malloc(sizeof(*req));
		size_t			 used = 99;

		if (req != NULL) {
			http_request_init(req, "/metrics");
			CHECK(http_feed(req, "BAD\r\n", 5, NULL) ==
			    HTTP_BAD_REQUEST);
			CHECK(http_feed(req, "GET /metrics HTTP/1.0\r\n\r\n",
			    25, &used) == HTTP_BAD_REQUEST && used == 0);
			CHECK(http_room(req) == 0);
			free(req);
		}
	}
}

/* A flood of headers ends in 431 once HTTP_HEAD_MAX bytes are in, and no
 * byte beyond that is taken. */
static void
test_limits(void)
{
	struct http_request	*req = malloc(sizeof(*req));
	char			 line[64];
	size_t			 total = 0, used, i;
	int			 r = HTTP_NEED_MORE;
	char			*big;

	if (req == NULL)
		return;
	http_request_init(req, "/metrics");
	r = http_feed(req, "GET /metrics HTTP/1.0\r\n", 23, &used);
	total += used;
	/* 64 KB of header lines, fed as they would arrive */
	for (i = 0; i < 65536 / 32 && r == HTTP_NEED_MORE; i++) {
		snprintf(line, sizeof(line), "X-Flood-%05zu: %016zu\r\n", i, i);
		CHECK(http_room(req) > 0);
		r = http_feed(req, line, strlen(line), &used);
		total += used;
	}
	CHECK(r == HTTP_HEAD_TOO_LARGE);
	CHECK(total == HTTP_HEAD_MAX && req->len == HTTP_HEAD_MAX);
	CHECK(http_room(req) == 0);
	free(req);

	/* a head of exactly HTTP_HEAD_MAX bytes is fine; one more is not */
	if ((big = malloc(HTTP_HEAD_MAX + 2)) == NULL)
		return;
	memset(big, 'a', HTTP_HEAD_MAX + 1);
	memcpy(big, "GET /metrics HTTP/1.0\r\nX: ", 26);
	memcpy(big + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	big[HTTP_HEAD_MAX] = '\0';
	CHECK(both(big, HTTP_OK));
	memcpy(big + HTTP_HEAD_MAX - 4, "a\r\n\r\n", 5);
	big[HTTP_HEAD_MAX + 1] = '\0';
	CHECK(both(big, HTTP_HEAD_TOO_LARGE));
	/* a request line over HTTP_LINE_MAX, with or without its end */
	memset(big, 'a', HTTP_HEAD_MAX + 1);
	memcpy(big, "GET /", 5);
	big[HTTP_LINE_MAX + 1] = '\0';
	CHECK(both(big, HTTP_NEED_MORE));
	big[HTTP_LINE_MAX + 1] = 'a';
	big[HTTP_LINE_MAX + 2] = '\0';
	CHECK(both(big, HTTP_URI_TOO_LONG));
	memcpy(big + HTTP_LINE_MAX + 1, " HTTP/1.0\r\n\r\n", 14);
	CHECK(both(big, HTTP_URI_TOO_LONG));
	memcpy(big + HTTP_LINE_MAX - 8, " HTTP/1.0\n\n", 12);
	CHECK(both(big, HTTP_URI_TOO_LONG));	/* bare LF: one more byte */
	/* a request line of HTTP_LINE_MAX bytes is read */
	memset(big, 'a', HTTP_HEAD_MAX + 1);
	memcpy(big, "GET /", 5);
	memcpy(big + HTTP_LINE_MAX - 9, " HTTP/1.0\r\n\r\n", 14);
	CHECK(both(big, HTTP_NOT_FOUND));
	free(big);
}

/* What follows the empty line (a body, a second request) is not taken. */
static void
test_used(void)
{
	struct http_request	*req = malloc(sizeof(*req));
	const char		*s = "GET /metrics HTTP/1.0\r\n\r\nGET /x";
	size_t			 used;

	if (req == NULL)
		return;
	http_request_init(req, "/metrics");
	CHECK(http_feed(req, s, strlen(s), &used) == HTTP_OK);
	CHECK(used == strlen(s) - 6);
	CHECK(strcmp(req->method, "GET") == 0 && req->minor == 0);
	CHECK(strcmp(req->target, "/metrics") == 0 && !req->head_only);
	http_request_init(req, "/metrics");
	CHECK(http_feed(req, "GET /metr", 9, &used) == HTTP_NEED_MORE);
	CHECK(used == 9 && http_room(req) == HTTP_HEAD_MAX - 9);
	free(req);
}

static void
test_response(void)
{
	struct strbuf	 sb = { 0 };
	char		*body;

	http_response_head(&sb, 200, "text/plain; version=0.0.4", 1234);
	CHECK(strncmp(sb.s, "HTTP/1.1 200 OK\r\nDate: ", 23) == 0);
	CHECK(strstr(sb.s, " GMT\r\n") != NULL);
	CHECK(strstr(sb.s, "\r\nContent-Type: text/plain; version=0.0.4\r\n"
	    "Content-Length: 1234\r\nConnection: close\r\n\r\n") != NULL);
	CHECK(strstr(sb.s, "Allow:") == NULL);
	CHECK(sb.len >= 4 && strcmp(sb.s + sb.len - 4, "\r\n\r\n") == 0);
	strbuf_free(&sb);

	http_error_response(&sb, 405, 0);
	CHECK(strncmp(sb.s, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0);
	CHECK(strstr(sb.s, "\r\nAllow: GET, HEAD\r\n") != NULL);
	body = strstr(sb.s, "\r\n\r\n") + 4;
	CHECK(strcmp(body, "405 Method Not Allowed\n") == 0);
	CHECK(strstr(sb.s, "Content-Length: 23\r\n") != NULL);
	strbuf_free(&sb);

	http_error_response(&sb, 431, 1);
	CHECK(strncmp(sb.s, "HTTP/1.1 431 Request Header Fields Too Large\r\n",
	    46) == 0);
	CHECK(strcmp(sb.s + sb.len - 4, "\r\n\r\n") == 0);
	strbuf_free(&sb);
	CHECK(strcmp(http_reason(404), "Not Found") == 0);
	CHECK(strcmp(http_reason(400), "Bad Request") == 0);
}

int
main(void)
{
	test_good();
	test_errors();
	test_limits();
	test_used();
	test_response();
	printf("test_http: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
