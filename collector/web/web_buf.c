/* web_buf.c: see web_buf.h. */
#include "web_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_buf_raw(web_buf *b, const char *text)
{
    if (text)
        strbuf_adds(b, text);
}

void web_buf_fmt(web_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->nomem = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        strbuf_add(b, small, (size_t)n);
        return;
    }
    if (!strbuf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void web_buf_text(web_buf *b, const char *text)
{
    if (!text)
        return;
    const char *run = text;
    for (const char *p = text; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        strbuf_add(b, run, (size_t)(p - run));
        web_buf_raw(b, rep);
        run = p + 1;
    }
    web_buf_raw(b, run);
}

void web_buf_url(web_buf *b, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            strbuf_add(b, (const char *)p, 1);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            strbuf_add(b, esc, 3);
        }
    }
}

char *web_buf_take(web_buf *b)
{
    char *d = b->nomem ? NULL : b->s;
    if (b->nomem)
        free(b->s);
    else if (!d)
        d = calloc(1, 1);
    memset(b, 0, sizeof *b);
    return d;
}

void web_buf_free(web_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}
