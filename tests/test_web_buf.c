/* test_web_buf.c: the dashboard's page text (collector/web/web_buf.c):
 * every character that could start markup or end an attribute is
 * escaped, URLs keep only unreserved characters, long texts grow the
 * buffer, and a resident's text can never come out as markup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web_buf.h"

static char *escaped(const char *text)
{
    web_buf b = {0};
    web_buf_text(&b, text);
    char *out = web_buf_take(&b);
    assert_non_null(out);
    return out;
}

static void test_text(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"Meer bankjes", "Meer bankjes"},
        {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"},
        {"' onmouseover='x", "&#39; onmouseover=&#39;x"},
        {"a & b &amp;", "a &amp; b &amp;amp;"},
        {"=HYPERLINK(\"x\")", "=HYPERLINK(&quot;x&quot;)"},
        {"café ş ğ ı ‎مرحبا",
         "café ş ğ ı ‎مرحبا"}, /* UTF-8 passes unchanged */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = escaped(cases[i].in);
        assert_string_equal(out, cases[i].out);
        assert_null(strpbrk(out, "<>\"'")); /* nothing that opens or closes markup */
        free(out);
    }
}

static void test_url(void **state)
{
    (void)state;
    web_buf b = {0};
    web_buf_url(&b, "dorst");
    web_buf_raw(&b, "|");
    web_buf_url(&b, "a b&c=d/é\"<");
    char *out = web_buf_take(&b);
    assert_string_equal(out, "dorst|a%20b%26c%3Dd%2F%C3%A9%22%3C");
    free(out);
}

static void test_growth_and_fmt(void **state)
{
    (void)state;
    web_buf b = {0};
    for (int i = 0; i < 10000; i++)
        web_buf_fmt(&b, "<td>%d</td>", i);
    web_buf_fmt(&b, "%s", "");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    web_buf_fmt(&b, "[%s]", big); /* longer than the small buffer inside */
    char *out = web_buf_take(&b);
    assert_non_null(out);
    assert_int_equal(strncmp(out, "<td>0</td><td>1</td>", 20), 0);
    assert_non_null(strstr(out, "<td>9999</td>["));
    assert_int_equal(out[strlen(out) - 1], ']');
    free(out);
    /* An empty buffer gives an empty string, not NULL. */
    web_buf e = {0};
    char *none = web_buf_take(&e);
    assert_string_equal(none, "");
    free(none);
    web_buf_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_growth_and_fmt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
