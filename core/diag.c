#define _GNU_SOURCE /* vasprintf */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_add(bk_diag *d, const char *fmt, ...)
{
    if (d->count >= BK_DIAG_MAX) {
        d->dropped++;
        return;
    }
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        char **m = realloc(d->messages, cap * sizeof *m);
        if (!m) {
            d->dropped++;
            return;
        }
        d->messages = m;
        d->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0) {
        d->dropped++;
        return;
    }
    d->messages[d->count++] = msg;
}

void diag_print(const bk_diag *d, FILE *f)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(f, "%s\n", d->messages[i]);
    if (d->dropped)
        fprintf(f, "(%zu more problems not shown)\n", d->dropped);
}

void diag_clear(bk_diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++)
        free(d->messages[i]);
    free(d->messages);
    memset(d, 0, sizeof *d);
}

int diag_contains(const bk_diag *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->messages[i], needle))
            return 1;
    return 0;
}
