/* Unit tests for core_limits.c: defaults, size suffixes, unknown keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core_limits.h"
#include "core/core.h"
#include <string.h>

static void
test_defaults(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    assert_int_equal(l.stream_reassembly_depth, 1u << 20);
    assert_int_equal(l.dns_max_pointers, 32);
    assert_true(vg_limits_count() > 40);
}

static void
test_set_suffixes(void **state)
{
    (void)state;
    vg_limits_t l;
    char err[VG_ERRBUF_SIZE];
    vg_limits_defaults(&l);
    assert_int_equal(vg_limits_set(&l, "stream.reassembly.depth", "2mb", err, sizeof(err)), VG_OK);
    assert_int_equal(l.stream_reassembly_depth, 2u << 20);
    assert_int_equal(vg_limits_set(&l, "flow.memcap", "1gb", err, sizeof(err)), VG_OK);
    assert_int_equal(l.flow_memcap, 1ull << 30);
    assert_int_equal(vg_limits_set(&l, "stream.midstream", "true", err, sizeof(err)), VG_OK);
    assert_int_equal(l.stream_midstream, 1);
    assert_int_equal(vg_limits_set(&l, "flow.memcap", "lots", err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "flow.memcap"));
    assert_int_equal(vg_limits_set(&l, "no.such.key", "1", err, sizeof(err)), VG_DECLINED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_suffixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
