/* test_output_eve_http.c - EVE http object and fileinfo record body.
 *
 * The expected objects are what Suricata 8.0 writes for these exchanges
 * with its default suricata.yaml (types.http.extended: yes, no
 * force-hash): field names and types per suricata-8.0/eve-schema.json,
 * status_string for a non-numeric status (suricata-verify
 * http1-noint-status), url = raw request URI, length = response body
 * bytes before decompression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app_http.h"
#include "output/output_eve.h"

static vg_limits_t g_limits;
static vg_eve_cfg_t g_cfg;
static char g_http[8192];
static char g_file[8192];

static void
on_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    vg_jw_open_object(&jw, NULL);
    if (ev->kind == VG_APP_EV_TX)
        vg_eve_http_tx(&jw, &g_cfg, ev);
    else if (ev->kind == VG_APP_EV_FILE)
        vg_eve_fileinfo(&jw, &g_cfg, ev);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    if (ev->kind == VG_APP_EV_TX)
        strncpy(g_http, jw.buf, sizeof(g_http) - 1);
    else if (ev->kind == VG_APP_EV_FILE)
        strncpy(g_file, jw.buf, sizeof(g_file) - 1);
    vg_jw_fini(&jw);
}

static void
feed(const char *req, const char *resp)
{
    g_http[0] = g_file[0] = '\0';
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_app_ctx_t ctx = {.limits = &g_limits, .counters = c, .emit = on_emit};
    void *st = vg_app_parser_http.state_new(&ctx);
    vg_app_parser_http.parse(&ctx, st, 0, (const uint8_t *)req, strlen(req), 0);
    vg_app_parser_http.parse(&ctx, st, 1, (const uint8_t *)resp, strlen(resp), 0);
    vg_app_parser_http.flush(&ctx, st);
    vg_app_parser_http.state_free(st);
    free(c);
}

static json_t *
parse(const char *s)
{
    json_error_t err;
    json_t *j = json_loads(s, 0, &err);
    assert_non_null(j);
    return j;
}

static const char *
jstr(json_t *o, const char *path1, const char *key)
{
    json_t *v = json_object_get(json_object_get(o, path1), key);
    return v ? json_string_value(v) : NULL;
}

static json_int_t
jint(json_t *o, const char *path1, const char *key)
{
    json_t *v = json_object_get(json_object_get(o, path1), key);
    assert_non_null(v);
    return json_integer_value(v);
}

static void
t_http_object(void **state)
{
    (void)state;
    feed("GET /dl/a%20b.exe?x=1 HTTP/1.1\r\nHost: Files.Example.com:8080\r\n"
         "User-Agent: Mozilla/5.0\r\nReferer: http://r/\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
         "HTTP/1.1 302 Found\r\nLocation: /other\r\nContent-Type: text/html; charset=utf-8\r\n"
         "Content-Range: bytes 0-3/10\r\nContent-Length: 4\r\n\r\nabcd");
    json_t *j = parse(g_http);
    assert_int_equal(json_integer_value(json_object_get(j, "tx_id")), 0);
    assert_string_equal(jstr(j, "http", "hostname"), "files.example.com");
    assert_int_equal(jint(j, "http", "http_port"), 8080);
    assert_string_equal(jstr(j, "http", "url"), "/dl/a%20b.exe?x=1");
    assert_string_equal(jstr(j, "http", "http_user_agent"), "Mozilla/5.0");
    assert_string_equal(jstr(j, "http", "xff"), "1.2.3.4");
    assert_string_equal(jstr(j, "http", "http_content_type"), "text/html");
    assert_string_equal(jstr(j, "http", "http_refer"), "http://r/");
    assert_string_equal(jstr(j, "http", "http_method"), "GET");
    assert_string_equal(jstr(j, "http", "protocol"), "HTTP/1.1");
    assert_int_equal(jint(j, "http", "status"), 302);
    assert_string_equal(jstr(j, "http", "redirect"), "/other");
    assert_int_equal(jint(j, "http", "length"), 4);
    json_t *cr = json_object_get(json_object_get(j, "http"), "content_range");
    assert_non_null(cr);
    assert_string_equal(json_string_value(json_object_get(cr, "raw")), "bytes 0-3/10");
    assert_int_equal(json_integer_value(json_object_get(cr, "start")), 0);
    assert_int_equal(json_integer_value(json_object_get(cr, "end")), 3);
    assert_int_equal(json_integer_value(json_object_get(cr, "size")), 10);
    json_decref(j);

    /* fileinfo: http object of the tx, app_proto, fileinfo; name = path */
    j = parse(g_file);
    assert_string_equal(json_string_value(json_object_get(j, "app_proto")), "http");
    assert_string_equal(jstr(j, "http", "url"), "/dl/a%20b.exe?x=1");
    assert_string_equal(jstr(j, "fileinfo", "filename"), "/dl/a b.exe");
    assert_string_equal(jstr(j, "fileinfo", "state"), "CLOSED");
    assert_int_equal(jint(j, "fileinfo", "size"), 4);
    assert_int_equal(jint(j, "fileinfo", "tx_id"), 0);
    assert_true(json_is_false(json_object_get(json_object_get(j, "fileinfo"), "gaps")));
    assert_true(json_is_false(json_object_get(json_object_get(j, "fileinfo"), "stored")));
    /* default config: no digests */
    assert_null(jstr(j, "fileinfo", "md5"));
    json_decref(j);

    g_cfg.files_force_hash = VG_FILE_DIGEST_ALL;
    feed("GET /h HTTP/1.1\r\nHost: h\r\n\r\n",
         "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    j = parse(g_file);
    assert_string_equal(jstr(j, "fileinfo", "md5"), "5d41402abc4b2a76b9719d911017c592");
    assert_string_equal(jstr(j, "fileinfo", "sha1"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    assert_string_equal(jstr(j, "fileinfo", "sha256"),
                        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    json_decref(j);

    /* force-hash: [sha1]: only the listed digest is logged */
    g_cfg.files_force_hash = VG_FILE_DIGEST_SHA1;
    feed("GET /h HTTP/1.1\r\nHost: h\r\n\r\n",
         "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    j = parse(g_file);
    assert_null(jstr(j, "fileinfo", "md5"));
    assert_string_equal(jstr(j, "fileinfo", "sha1"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    assert_null(jstr(j, "fileinfo", "sha256"));
    json_decref(j);
    g_cfg.files_force_hash = 0;
}

static void
t_status_string_and_escaping(void **state)
{
    (void)state;
    feed("GET /\xff\x01 HTTP/1.1\r\nHost: h\r\nUser-Agent: caf\xc3\xa9\r\n\r\n",
         "HTTP/1.1 2XX OK\r\nContent-Length: 0\r\n\r\n");
    json_t *j = parse(g_http);
    assert_string_equal(jstr(j, "http", "status_string"), "2XX");
    assert_null(json_object_get(json_object_get(j, "http"), "status"));
    /* invalid UTF-8: Suricata's string_from_bytes: bytes >= 0x80 as \\xNN in
     * lowercase, ASCII (control characters too) kept; valid UTF-8 kept */
    assert_string_equal(jstr(j, "http", "url"), "/\\xff\x01");
    assert_string_equal(jstr(j, "http", "http_user_agent"), "caf\xc3\xa9");
    json_decref(j);
}

static void
t_not_extended(void **state)
{
    (void)state;
    g_cfg.http_extended = false;
    feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    json_t *j = parse(g_http);
    assert_string_equal(jstr(j, "http", "hostname"), "h");
    assert_null(json_object_get(json_object_get(j, "http"), "http_method"));
    assert_null(json_object_get(json_object_get(j, "http"), "status"));
    json_decref(j);
    g_cfg.http_extended = true;
}

static int
setup(void **state)
{
    (void)state;
    vg_limits_defaults(&g_limits);
    g_cfg.http_extended = true;
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_http_object),
        cmocka_unit_test(t_status_string_and_escaping),
        cmocka_unit_test(t_not_extended),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
