/* replay.c: the replay script parser; see replay.h. */
#include "replay.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a double-quoted string at *p (escapes \" \\ \n) into a new string. */
static char *replay_parse_quoted(const char **p, const char **problem)
{
    const char *s = *p;
    if (*s != '"') {
        *problem = "expected a text in double quotes";
        return NULL;
    }
    s++;
    char *out = malloc(REPLAY_MAX_ARG + 1);
    if (!out) {
        *problem = "out of memory";
        return NULL;
    }
    size_t n = 0;
    while (*s && *s != '"' && *s != '\n') {
        char c = *s++;
        if (c == '\\') {
            if (*s == 'n')
                c = '\n';
            else if (*s == '"' || *s == '\\')
                c = *s;
            else {
                free(out);
                *problem = "unknown escape (use \\\" \\\\ or \\n)";
                return NULL;
            }
            s++;
        }
        if (n >= REPLAY_MAX_ARG) {
            free(out);
            *problem = "text too long";
            return NULL;
        }
        out[n++] = c;
    }
    if (*s != '"') {
        free(out);
        *problem = "missing closing double quote";
        return NULL;
    }
    out[n] = '\0';
    *p = s + 1;
    return out;
}

static bool replay_parse_int(const char **p, long long min, long long max, long long *out)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
    if (!isdigit((unsigned char)**p) && **p != '-')
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(*p, &end, 10);
    if (errno || end == *p || v < min || v > max)
        return false;
    *p = end;
    *out = v;
    return true;
}

static bool replay_at_end(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r')
        p++;
    return *p == '\0' || *p == '\n';
}

static bool replay_push(replay_script *s, size_t *cap, const replay_cmd *cmd)
{
    if (s->n_cmds == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        replay_cmd *c = realloc(s->cmds, ncap * sizeof *c);
        if (!c)
            return false;
        s->cmds = c;
        *cap = ncap;
    }
    s->cmds[s->n_cmds++] = *cmd;
    return true;
}

replay_script *replay_parse(const char *text, size_t len, const char *name, bk_diag *diag)
{
    replay_script *s = calloc(1, sizeof *s);
    char *copy = malloc(len + 1);
    size_t cap = 0;
    size_t problems = diag->count + diag->dropped;
    if (!s || !copy || !(s->name = strdup(name))) {
        free(copy);
        replay_free(s);
        diag_add(diag, "%s: out of memory", name);
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (memchr(text, '\0', len))
        diag_add(diag, "%s: the script contains a NUL byte", name);

    int line = 0;
    for (char *p = copy; p && *p && line < REPLAY_MAX_LINES;) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = '\0';
        line++;
        const char *q = p;
        p = eol ? eol + 1 : NULL;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '\0' || *q == '#' || *q == '\r')
            continue;
        const char *word = q;
        while (*q && *q != ' ' && *q != '\t' && *q != '\r')
            q++;
        size_t wlen = (size_t)(q - word);
        while (*q == ' ' || *q == '\t')
            q++;
        replay_cmd cmd = {.line = line};
        const char *problem = NULL;
        long long a = 0, b = 0, c = 0;
#define WORD_IS(w) (wlen == strlen(w) && strncmp(word, w, wlen) == 0)
        if (WORD_IS("tap") || WORD_IS("hold")) {
            cmd.op = WORD_IS("tap") ? REPLAY_TAP : REPLAY_HOLD;
            if (!replay_parse_int(&q, 0, 100000, &a) || !replay_parse_int(&q, 0, 100000, &b))
                problem = "expected two coordinates, e.g. tap 640 400";
            else if (cmd.op == REPLAY_HOLD && !replay_parse_int(&q, 0, 86400000, &c))
                problem = "expected coordinates and milliseconds, e.g. hold 10 10 3000";
            cmd.x = (int)a;
            cmd.y = (int)b;
            cmd.ms = c;
        } else if (WORD_IS("wait")) {
            cmd.op = REPLAY_WAIT;
            if (!replay_parse_int(&q, 0, 7LL * 86400000, &cmd.ms))
                problem = "expected milliseconds, e.g. wait 500";
        } else if (WORD_IS("wait-sync")) {
            cmd.op = REPLAY_WAIT_SYNC;
            if (!replay_parse_int(&q, 0, 600000, &cmd.ms))
                problem = "expected milliseconds (real time, at most 600000), e.g. wait-sync 20000";
        } else if (WORD_IS("tap-text") || WORD_IS("type") || WORD_IS("expect-text") ||
                   WORD_IS("screenshot") || WORD_IS("key")) {
            cmd.op = WORD_IS("tap-text")      ? REPLAY_TAP_TEXT
                     : WORD_IS("type")        ? REPLAY_TYPE
                     : WORD_IS("expect-text") ? REPLAY_EXPECT_TEXT
                     : WORD_IS("key")         ? REPLAY_KEY
                                              : REPLAY_SCREENSHOT;
            if (*q == '"') {
                cmd.text = replay_parse_quoted(&q, &problem);
            } else if (cmd.op == REPLAY_SCREENSHOT || cmd.op == REPLAY_KEY) {
                const char *start = q;
                while (*q && *q != ' ' && *q != '\t' && *q != '\r')
                    q++;
                if (q == start)
                    problem = "expected a name";
                else
                    cmd.text = strndup(start, (size_t)(q - start));
            } else {
                problem = "expected a text in double quotes";
            }
            if (!problem && cmd.op == REPLAY_SCREENSHOT &&
                (strchr(cmd.text, '/') || strcmp(cmd.text, "..") == 0 || !cmd.text[0]))
                problem = "a screenshot name may not contain '/'";
        } else {
            diag_add(diag, "%s:%d: unknown command \"%.*s\"", name, line, (int)wlen, word);
            continue;
        }
#undef WORD_IS
        if (!problem && !replay_at_end(q))
            problem = "unexpected text after the command";
        if (problem) {
            diag_add(diag, "%s:%d: %s", name, line, problem);
            free(cmd.text);
            continue;
        }
        if (!replay_push(s, &cap, &cmd)) {
            free(cmd.text);
            diag_add(diag, "%s: out of memory", name);
            break;
        }
    }
    if (line >= REPLAY_MAX_LINES)
        diag_add(diag, "%s: more than %d lines", name, REPLAY_MAX_LINES);
    free(copy);
    if (diag->count + diag->dropped > problems) {
        replay_free(s);
        return NULL;
    }
    return s;
}

replay_script *replay_load_file(const char *path, bk_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap > (size_t)16 << 20) {
                diag_add(diag, "%s: script larger than 16 MiB", path);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                diag_add(diag, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    replay_script *s = replay_parse(buf ? buf : "", len, path, diag);
    free(buf);
    return s;
}

void replay_free(replay_script *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_cmds; i++)
        free(s->cmds[i].text);
    free(s->cmds);
    free(s->name);
    free(s);
}
