/* strbuf.c: see strbuf.h. */
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

bool strbuf_reserve(strbuf *b, size_t more)
{
    if (b->nomem)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *grown = realloc(b->s, cap);
    if (!grown) {
        b->nomem = true;
        return false;
    }
    b->s = grown;
    b->cap = cap;
    return true;
}

void strbuf_add(strbuf *b, const char *s, size_t n)
{
    if (!strbuf_reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void strbuf_adds(strbuf *b, const char *s)
{
    strbuf_add(b, s, strlen(s));
}
