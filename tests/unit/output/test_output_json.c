/* Unit tests for output_json.c. The oracle is jansson: every record the
 * writer produces must parse, and strings must round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "output/output_json.h"

static void
test_nested_record(void **state)
{
    (void)state;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    vg_jw_open_object(&jw, NULL);
    vg_jw_str(&jw, "event_type", "flow");
    vg_jw_uint(&jw, "pcap_cnt", 42);
    vg_jw_open_object(&jw, "flow");
    vg_jw_int(&jw, "age", -1);
    vg_jw_bool(&jw, "alerted", false);
    vg_jw_close_object(&jw);
    vg_jw_open_array(&jw, "list");
    vg_jw_uint(&jw, NULL, 1);
    vg_jw_str(&jw, NULL, "two");
    vg_jw_close_array(&jw);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    assert_string_equal(jw.buf, "{\"event_type\":\"flow\",\"pcap_cnt\":42,\"flow\":{\"age\":-1,"
                                "\"alerted\":false},\"list\":[1,\"two\"]}");
    vg_jw_fini(&jw);
}

/* Every possible byte, in every position, yields valid JSON; valid UTF-8
 * and ASCII round-trip exactly, invalid bytes map to U+0000..U+00FF. */
static void
test_any_bytes_escape(void **state)
{
    (void)state;
    uint8_t all[256 + 8];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    memcpy(all + 256, "\xc3\xa9\xe2\x82\xac\xf0\x9f", 7); /* é € and a cut 4-byte seq */
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    vg_jw_open_object(&jw, NULL);
    vg_jw_strn(&jw, "s", all, 263);
    vg_jw_str_printable(&jw, "p", all, 256);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    json_error_t err;
    json_t *o = json_loads(jw.buf, JSON_ALLOW_NUL, &err);
    assert_non_null(o);
    json_t *js = json_object_get(o, "s");
    assert_non_null(js);
    const char *s = json_string_value(js);
    /* ASCII 0..127 round-trips byte for byte */
    assert_memory_equal(s, all, 128);
    /* byte 0x80 (invalid UTF-8 alone) becomes U+0080 = C2 80 */
    assert_memory_equal(s + 128, "\xc2\x80", 2);
    /* the valid é and € pass through unchanged at the end, the cut sequence is escaped */
    size_t sl = json_string_length(js);
    assert_memory_equal(s + sl - 9, "\xc3\xa9\xe2\x82\xac\xc3\xb0\xc2\x9f", 9);
    const char *p = json_string_value(json_object_get(o, "p"));
    assert_non_null(strstr(p, "\\x0A"));
    assert_non_null(strstr(p, "ABC"));
    json_decref(o);
    vg_jw_fini(&jw);
}

/* Suricata's string_from_bytes (rust jsonbuilder): strict UTF-8 as text,
 * otherwise ASCII kept and bytes >= 0x80 as lowercase \\xNN. */
static void
test_str_bytes(void **state)
{
    (void)state;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 12), VG_OK);
    vg_jw_open_object(&jw, NULL);
    vg_jw_str_bytes(&jw, "utf8", "caf\xc3\xa9", 5);
    vg_jw_str_bytes(&jw, "bin", "a\xc5\"\x01" "b", 5);
    vg_jw_str_bytes(&jw, "overlong", "\xc0\xaf", 2);
    vg_jw_str_bytes(&jw, "empty", NULL, 0);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    assert_string_equal(jw.buf, "{\"utf8\":\"caf\xc3\xa9\",\"bin\":\"a\\\\xc5\\\"\\u0001b\","
                                "\"overlong\":\"\\\\xc0\\\\xaf\",\"empty\":\"\"}");
    vg_jw_fini(&jw);
}

static void
test_cap_truncates(void **state)
{
    (void)state;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 100), VG_OK);
    vg_jw_open_object(&jw, NULL);
    char big[300];
    memset(big, 'a', sizeof(big));
    vg_jw_strn(&jw, "big", big, sizeof(big));
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_ENOMEM);
    assert_true(jw.len <= 100);
    vg_jw_reset(&jw);
    vg_jw_open_object(&jw, NULL);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    assert_string_equal(jw.buf, "{}");
    vg_jw_fini(&jw);
}

static void
test_timestamp_format(void **state)
{
    (void)state;
    char buf[48];
    vg_jw_format_ts(1255711456083524LL, buf, sizeof(buf));
    assert_string_equal(buf, "2009-10-16T16:44:16.083524+0000");
    /* the per-thread date cache: same second, next second, back, epoch,
     * before the epoch (floor division), and a buffer too small for it */
    vg_jw_format_ts(1255711456000001LL, buf, sizeof(buf));
    assert_string_equal(buf, "2009-10-16T16:44:16.000001+0000");
    vg_jw_format_ts(1255711457999999LL, buf, sizeof(buf));
    assert_string_equal(buf, "2009-10-16T16:44:17.999999+0000");
    vg_jw_format_ts(1255711456083524LL, buf, sizeof(buf));
    assert_string_equal(buf, "2009-10-16T16:44:16.083524+0000");
    vg_jw_format_ts(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:00.000000+0000");
    vg_jw_format_ts(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59.999999+0000");
    char small[12];
    vg_jw_format_ts(1255711456083524LL, small, sizeof(small));
    assert_string_equal(small, "2009-10-16T");
}

/* integers are formatted by hand (not snprintf): the extremes, as exact
 * text (jansson cannot read UINT64_MAX, so it is not the oracle here) */
static void
test_integer_extremes(void **state)
{
    (void)state;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 12), VG_OK);
    vg_jw_open_object(&jw, NULL);
    vg_jw_uint(&jw, "u0", 0);
    vg_jw_uint(&jw, "umax", UINT64_MAX);
    vg_jw_int(&jw, "i0", 0);
    vg_jw_int(&jw, "imin", INT64_MIN);
    vg_jw_int(&jw, "imax", INT64_MAX);
    vg_jw_int(&jw, "m10", -10);
    vg_jw_uint(&jw, "u1000", 1000);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    const char *want = "{\"u0\":0,\"umax\":18446744073709551615,\"i0\":0,"
                       "\"imin\":-9223372036854775808,\"imax\":9223372036854775807,"
                       "\"m10\":-10,\"u1000\":1000}";
    assert_int_equal(jw.len, strlen(want));
    assert_memory_equal(jw.buf, want, strlen(want));
    vg_jw_fini(&jw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_record),
        cmocka_unit_test(test_any_bytes_escape),
        cmocka_unit_test(test_str_bytes),
        cmocka_unit_test(test_cap_truncates),
        cmocka_unit_test(test_timestamp_format),
        cmocka_unit_test(test_integer_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
