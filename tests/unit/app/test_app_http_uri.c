/* test_app_http_uri.c - http.uri normalization and Host splitting.
 *
 * Expected values follow libhtp's IDS personality as Suricata configures it
 * (path: %XX and %uXXXX decoded, %2f decoded, '\' -> '/', '//' compressed,
 * dot segments removed, case kept; query: %XX decoded, '+' kept) and
 * RFC 3986 section 5.2.4 / 5.4 for dot-segment removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/app_http.h"

static void
norm(const char *in, const char *want_uri, const char *want_path, const char *want_auth)
{
    vg_http_str_t out = {0}, path = {0}, auth = {0};
    assert_int_equal(vg_http_uri_normalize((const uint8_t *)in, strlen(in), 4096, &out, &path,
                                           &auth),
                     VG_OK);
    char buf[4096];
    memcpy(buf, out.p ? (const char *)out.p : "", out.len);
    buf[out.len] = '\0';
    assert_string_equal(buf, want_uri);
    memcpy(buf, path.p ? (const char *)path.p : "", path.len);
    buf[path.len] = '\0';
    assert_string_equal(buf, want_path);
    memcpy(buf, auth.p ? (const char *)auth.p : "", auth.len);
    buf[auth.len] = '\0';
    assert_string_equal(buf, want_auth);
    vg_http_str_free(&out);
    vg_http_str_free(&path);
    vg_http_str_free(&auth);
}

static void
t_uri_table(void **state)
{
    (void)state;
    static const char *const table[][4] = {
        /* raw                               http.uri                 path            authority */
        {"/index.html",                      "/index.html",            "/index.html",  ""},
        {"/a/./b/../c",                      "/a/c",                   "/a/c",         ""},
        {"/../../etc/passwd",                "/etc/passwd",            "/etc/passwd",  ""},
        {"/a//b///c",                        "/a/b/c",                 "/a/b/c",       ""},
        {"/a\\b\\..\\c",                     "/a/c",                   "/a/c",         ""},
        {"/%41%42c",                         "/ABc",                   "/ABc",         ""},
        {"/a%2fb",                           "/a/b",                   "/a/b",         ""},
        {"/a%2e%2e/b",                       "/a../b",                 "/a../b",       ""},
        {"/x/%2e%2e/y",                      "/y",                     "/y",           ""},
        {"/bad%zz%4",                        "/bad%zz%4",              "/bad%zz%4",    ""},
        {"/u%u0041%uff21",                   "/uAA",                   "/uAA",         ""},
        {"/CaSe",                            "/CaSe",                  "/CaSe",        ""},
        {"/p?q=%41+b&c=%2f",                 "/p?q=A+b&c=/",           "/p",           ""},
        {"/p?q=1#frag",                      "/p?q=1#frag",            "/p",           ""},
        {"http://Host.com:81/x/../y?z",      "/y?z",                   "/y",        "Host.com:81"},
        {"http://user:pw@h/p",               "/p",                     "/p",           "h"},
        {"/a/b/.",                           "/a/b/",                  "/a/b/",        ""},
        {"/a/b/..",                          "/a/",                    "/a/",          ""},
        {"",                                 "",                       "",             ""},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        norm(table[i][0], table[i][1], table[i][2], table[i][3]);
}

static void
t_remove_dots_rfc(void **state)
{
    (void)state;
    /* RFC 3986 5.2.4 examples */
    char a[] = "/a/b/c/./../../g";
    assert_int_equal(vg_http_path_remove_dots((uint8_t *)a, strlen(a)), 4);
    assert_memory_equal(a, "/a/g", 4);
    char b[] = "mid/content=5/../6";
    size_t n = vg_http_path_remove_dots((uint8_t *)b, strlen(b));
    assert_int_equal(n, 5);
    assert_memory_equal(b, "mid/6", 5);
}

static void
host(const char *in, const char *want, int32_t want_port)
{
    vg_http_str_t h = {0};
    int32_t port = 0;
    assert_int_equal(vg_http_host_normalize((const uint8_t *)in, strlen(in), 256, &h, &port),
                     VG_OK);
    char buf[300];
    memcpy(buf, h.p ? (const char *)h.p : "", h.len);
    buf[h.len] = '\0';
    assert_string_equal(buf, want);
    assert_int_equal(port, want_port);
    vg_http_str_free(&h);
}

static void
t_host(void **state)
{
    (void)state;
    host("WWW.Example.COM", "www.example.com", -1);
    host("www.example.com.:8080", "www.example.com", 8080);
    host(" h:80 ", "h", 80);
    host("[2001:DB8::1]:443", "[2001:db8::1]", 443);
    host("h:99999", "h", -2);
    host("h:8x", "h", -2);
    host("h:", "h", -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_uri_table),
        cmocka_unit_test(t_remove_dots_rfc),
        cmocka_unit_test(t_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
