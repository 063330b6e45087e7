/* test_ui_contrast.c: colour contrast of both themes (WCAG 2 formula,
 * ui_contrast_ratio). First the theme's named pairs: high contrast needs
 * 7:1 for every text pair and 3:1 for control edges; the default theme the
 * DESIGN-BRIEF's values (at least 4.5:1 text, 3:1 edges). Then the pairs
 * the screens really draw: every text command of every screen of the demo
 * survey (both languages) against the fill beneath it, and every button
 * edge against what is around it, in both themes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_ui_util.h"

static double ratio(ui_color a, ui_color b)
{
    return ui_contrast_ratio(a, b);
}

static ui_color rgb(uint32_t hex)
{
    return (ui_color){(uint8_t)(hex >> 16), (uint8_t)(hex >> 8), (uint8_t)hex, 255};
}

typedef struct named_pair {
    const char *name;
    ui_color fg, bg;
    bool edge; /* a control edge (3:1) rather than text */
} named_pair;

static size_t theme_pairs(const ui_theme *t, named_pair *out)
{
    size_t n = 0;
    out[n++] = (named_pair){"text on background", t->text, t->background, false};
    out[n++] =
        (named_pair){"text_secondary on background", t->text_secondary, t->background, false};
    out[n++] = (named_pair){"surface_text on surface", t->surface_text, t->surface, false};
    out[n++] = (named_pair){"selected_text on selected", t->selected_text, t->selected, false};
    out[n++] = (named_pair){"error_text on error", t->error_text, t->error, false};
    out[n++] =
        (named_pair){"selected (multi hint) on background", t->selected, t->background, false};
    out[n++] = (named_pair){"disabled_text on surface", t->disabled_text, t->surface, false};
    out[n++] = (named_pair){"edge vs background", t->edge, t->background, true};
    out[n++] = (named_pair){"selected vs background", t->selected, t->background, true};
    return n;
}

/* Checks and prints the theme's pairs; returns the number below minimum. */
static int check_theme(const ui_theme *t, double text_min, double edge_min)
{
    named_pair p[16];
    size_t n = theme_pairs(t, p);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double r = ratio(p[i].fg, p[i].bg);
        double min = p[i].edge ? edge_min : text_min;
        bool ok = r + 1e-9 >= min;
        bad += !ok;
        printf("  %-14s %-38s %5.2f:1 (needs %.1f) %s\n", t->name, p[i].name, r, min,
               ok ? "ok" : "TOO LOW");
    }
    return bad;
}

static void test_ratio_formula(void **state)
{
    (void)state;
    assert_true(ratio(rgb(0x000000), rgb(0xFFFFFF)) > 20.99);
    assert_true(ratio(rgb(0xFFFFFF), rgb(0x000000)) < 21.01);
    assert_true(ratio(rgb(0x777777), rgb(0x777777)) < 1.0001);
    /* A well-known value: #767676 on white is 4.54:1. */
    double r = ratio(rgb(0x767676), rgb(0xFFFFFF));
    assert_true(r > 4.53 && r < 4.55);
}

static void test_high_contrast_theme(void **state)
{
    (void)state;
    int bad = check_theme(ui_theme_high_contrast(), 7.0, 3.0);
    if (bad)
        fail_msg("%d pairs of the high-contrast theme are below the minimum", bad);
}

static void test_default_theme_design_brief(void **state)
{
    (void)state;
    const ui_theme *t = ui_theme_default();
    int bad = check_theme(t, 4.5, 3.0);
    if (bad)
        fail_msg("%d pairs of the default theme are below the minimum", bad);
    /* The palette and the ratios the DESIGN-BRIEF table states. */
    static const struct {
        const char *role;
        uint32_t fg, bg;
        double brief;
    } table[] = {
        {"page background #003B73 / #FFFFFF", 0xFFFFFF, 0x003B73, 11.2},
        {"secondary text #C7D7E8", 0xC7D7E8, 0x003B73, 7.6},
        {"surface #FFFFFF / #00264D", 0x00264D, 0xFFFFFF, 15.2},
        {"selected #FFC800 / #00264D", 0x00264D, 0xFFC800, 9.8},
        {"yellow on background", 0xFFC800, 0x003B73, 7.2},
        {"error #B00020 / #FFFFFF", 0xFFFFFF, 0xB00020, 7.3},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        double r = ratio(rgb(table[i].fg), rgb(table[i].bg));
        printf("  DESIGN-BRIEF %-36s %5.2f:1 (brief: %.1f)\n", table[i].role, r, table[i].brief);
        if (r < table[i].brief - 0.05 || r > table[i].brief + 0.05)
            fail_msg("%s: %.2f:1, the DESIGN-BRIEF says %.1f:1", table[i].role, r, table[i].brief);
    }
    const struct {
        const char *role;
        ui_color got;
        uint32_t want;
    } palette[] = {
        {"background", t->background, 0x003B73},         {"text", t->text, 0xFFFFFF},
        {"text_secondary", t->text_secondary, 0xC7D7E8}, {"surface", t->surface, 0xFFFFFF},
        {"surface_text", t->surface_text, 0x00264D},     {"selected", t->selected, 0xFFC800},
        {"selected_text", t->selected_text, 0x00264D},   {"error", t->error, 0xB00020},
        {"error_text", t->error_text, 0xFFFFFF},
    };
    for (size_t i = 0; i < sizeof palette / sizeof palette[0]; i++) {
        ui_color w = rgb(palette[i].want), g = palette[i].got;
        if (g.r != w.r || g.g != w.g || g.b != w.b)
            fail_msg("default theme %s is #%02X%02X%02X, the DESIGN-BRIEF says #%06X",
                     palette[i].role, g.r, g.g, g.b, (unsigned)palette[i].want);
    }
}

/* ---- The pairs the screens draw ---- */

typedef struct used_pair {
    ui_color fg, bg;
    bool edge;
    char first[160];
} used_pair;

typedef struct frame_ctx {
    const ui_theme *theme;
    double text_min, edge_min;
    const char *where;
    used_pair pairs[128];
    int n_pairs;
    int bad;
} frame_ctx;

static bool contains(ui_rect r, int x, int y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

static ui_color blend(ui_color top, ui_color under)
{
    ui_color c;
    c.r = (uint8_t)((top.r * top.a + under.r * (255 - top.a)) / 255);
    c.g = (uint8_t)((top.g * top.a + under.g * (255 - top.a)) / 255);
    c.b = (uint8_t)((top.b * top.a + under.b * (255 - top.a)) / 255);
    c.a = 255;
    return c;
}

/* The colour at (x, y) after the commands before `before` (fills and
 * circles only; text and strokes are thin). */
static ui_color under(const ui_frame *f, const ui_theme *t, size_t before, int x, int y)
{
    for (size_t j = before; j-- > 0;) {
        const ui_cmd *c = &f->cmds[j];
        if ((c->kind != UI_CMD_FILL && c->kind != UI_CMD_CIRCLE) || !contains(c->rect, x, y))
            continue;
        if (c->color.a == 255)
            return c->color;
        return blend(c->color, under(f, t, j, x, y));
    }
    return t->background;
}

/* True when a translucent fill after cmd i covers (x, y): a dimmed text. */
static bool dimmed(const ui_frame *f, size_t i, int x, int y)
{
    for (size_t j = i + 1; j < f->n_cmds; j++)
        if (f->cmds[j].kind == UI_CMD_FILL && f->cmds[j].color.a < 255 &&
            contains(f->cmds[j].rect, x, y))
            return true;
    return false;
}

static bool same(ui_color a, ui_color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

static void record(frame_ctx *c, const char *screen, const char *what, ui_color fg, ui_color bg,
                   bool edge)
{
    for (int i = 0; i < c->n_pairs; i++)
        if (same(c->pairs[i].fg, fg) && same(c->pairs[i].bg, bg) && c->pairs[i].edge == edge)
            return;
    double r = ratio(fg, bg);
    double min = edge ? c->edge_min : c->text_min;
    bool ok = r + 1e-9 >= min;
    c->bad += !ok;
    if (c->n_pairs < 128) {
        used_pair *p = &c->pairs[c->n_pairs++];
        p->fg = fg;
        p->bg = bg;
        p->edge = edge;
        snprintf(p->first, sizeof p->first, "%s %s: %s", c->where, screen, what);
    }
    printf("  %-13s %-5s #%02X%02X%02X on #%02X%02X%02X %5.2f:1 (needs %.1f) %s  first: %s %s\n",
           c->theme->name, edge ? "edge" : "text", fg.r, fg.g, fg.b, bg.r, bg.g, bg.b, r, min,
           ok ? "ok" : "TOO LOW", screen, what);
}

static void check_used(app *a, const char *screen, void *ctx)
{
    frame_ctx *c = ctx;
    const ui_frame *f = a->frame;
    for (size_t i = 0; i < f->n_cmds; i++) {
        const ui_cmd *cmd = &f->cmds[i];
        if (cmd->kind == UI_CMD_TEXT) {
            int lh = cmd->px < cmd->rect.h ? cmd->px : cmd->rect.h;
            int x = cmd->rect.x + cmd->rect.w / 2, y = cmd->rect.y + lh / 2;
            if (dimmed(f, i, x, y))
                continue;
            char what[96];
            snprintf(what, sizeof what, "text \"%.40s\"", cmd->text ? cmd->text : "");
            record(c, screen, what, cmd->color, under(f, c->theme, i, x, y), false);
        } else if (cmd->kind == UI_CMD_STROKE ||
                   (cmd->kind == UI_CMD_CIRCLE && i + 2 < f->n_cmds &&
                    f->cmds[i + 1].kind == UI_CMD_CIRCLE && f->cmds[i + 2].kind == UI_CMD_FACE)) {
            /* A control's edge against what lies just outside it. */
            int x = cmd->rect.x - 1, y = cmd->rect.y + cmd->rect.h / 2;
            if (x < 0 || dimmed(f, i, x, y))
                continue;
            record(c, screen, cmd->kind == UI_CMD_STROKE ? "button edge" : "smiley ring",
                   cmd->color, under(f, c->theme, i, x, y), true);
        }
    }
}

static void walk_theme(bool high_contrast, double text_min, double edge_min)
{
    char dir[512];
    ut_tmpdir(dir, sizeof dir, "contrast");
    ut_app u;
    ut_app_open(&u, UT_DATA "/demo.ini", dir, 1920, 1080);
    frame_ctx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->theme = high_contrast ? ui_theme_high_contrast() : ui_theme_default();
    c->text_min = text_min;
    c->edge_min = edge_min;
    for (size_t lang = 0; lang < u.cfg.kiosk.n_languages; lang++) {
        app_set_language(u.a, (int)lang);
        u.a->high_contrast = high_contrast;
        u.a->dirty = true;
        c->where = u.cfg.kiosk.languages[lang];
        ut_walk(u.a, check_used, c);
    }
    ut_app_close(&u);
    ut_rmtree(dir);
    int bad = c->bad, n = c->n_pairs;
    free(c);
    if (bad)
        fail_msg("%d of %d colour pairs on the screens are below the minimum (listed above)", bad,
                 n);
    assert_true(n >= 4); /* the walk did see texts and edges */
}

static void test_screens_high_contrast(void **state)
{
    (void)state;
    walk_theme(true, 7.0, 3.0);
}

static void test_screens_default(void **state)
{
    (void)state;
    walk_theme(false, 4.5, 3.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ratio_formula),
        cmocka_unit_test(test_high_contrast_theme),
        cmocka_unit_test(test_default_theme_design_brief),
        cmocka_unit_test(test_screens_high_contrast),
        cmocka_unit_test(test_screens_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
