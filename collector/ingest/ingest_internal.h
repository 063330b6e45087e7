/* ingest_internal.h: what the ingest module's files share; not for callers. */
#ifndef BK_INGEST_INTERNAL_H
#define BK_INGEST_INTERNAL_H

#include <stddef.h>

/* Code points in the UTF-8 text s[0..n) (valid UTF-8, as jansson gives it). */
static inline size_t ingest_utf8_chars(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

#endif
