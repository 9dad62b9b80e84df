/* strbuf.c: a growable text buffer for replies and reports. */
#include "ac-config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static int
strbuf_grow(struct strbuf *sb, size_t need)
{
	size_t	 cap = sb->cap ? sb->cap : 256;
	char	*s;

	if (sb->failed)
		return -1;
	if (sb->len + need + 1 <= sb->cap)
		return 0;
	while (cap < sb->len + need + 1)
		cap *= 2;
	if ((s = realloc(sb->s, cap)) == NULL) {
		sb->failed = 1;
		return -1;
	}
	sb->s = s;
	sb->cap = cap;
	return 0;
}

void
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || strbuf_grow(sb, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(sb->s + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* Control characters, quotes and backslashes are escaped; bytes above
 * 0x7f are taken as Latin-1, so that the result is valid JSON whatever
 * the input. */
void
strbuf_json(struct strbuf *sb, const char *s)
{
	unsigned char c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (c == '"' || c == '\\')
			strbuf_printf(sb, "\\%c", c);
		else if (c == '\n')
			strbuf_printf(sb, "\\n");
		else if (c == '\t')
			strbuf_printf(sb, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			strbuf_printf(sb, "\\u%04x", c);
		else
			strbuf_printf(sb, "%c", c);
	}
}

void
strbuf_free(struct strbuf *sb)
{
	free(sb->s);
	memset(sb, 0, sizeof(*sb));
}
