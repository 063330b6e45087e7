/* strbuf.h: a growable NUL-terminated string for writers that build text
 * piece by piece (the CSV exporter, the Excel writer, the dashboard's
 * pages). Running out of memory sets nomem once; later appends do
 * nothing, so a caller checks once at the end. */
#ifndef BK_STRBUF_H
#define BK_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
    char *s; /* NUL-terminated once anything was added; owned (free) */
    size_t len, cap;
    bool nomem;
} strbuf;

/* Appends n bytes of s. */
void strbuf_add(strbuf *b, const char *s, size_t n);

/* Appends the string s. */
void strbuf_adds(strbuf *b, const char *s);

/* Makes room for more bytes and the NUL; false (nomem set) when out of
 * memory. For writers that fill the room themselves (vsnprintf). */
bool strbuf_reserve(strbuf *b, size_t more);

#endif
