/* web_buf.h: a growing text for a page, and the escaping every value
 * needs on its way into HTML, a URL or a header. A resident's text only
 * ever reaches a page through web_buf_text. */
#ifndef BK_WEB_BUF_H
#define BK_WEB_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* A page's text (core/strbuf.h); out of memory (nomem) answers 503. */
typedef strbuf web_buf;

/* Appends text as it is (markup of our own). */
void web_buf_raw(web_buf *b, const char *text);

/* Appends printf-formatted markup of our own; never pass a value in fmt. */
void web_buf_fmt(web_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends text escaped for HTML text and attribute values (& < > " '). */
void web_buf_text(web_buf *b, const char *text);

/* Appends text escaped for a URL's query value (RFC 3986 unreserved kept). */
void web_buf_url(web_buf *b, const char *text);

/* Takes the text out (caller frees; NULL when out of memory) and resets b. */
char *web_buf_take(web_buf *b);

/* Frees b's text. */
void web_buf_free(web_buf *b);

#endif
