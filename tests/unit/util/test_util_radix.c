/* test_util_radix.c - PATRICIA longest-prefix match against a brute-force
 * oracle on random prefixes, plus edge cases (/0, /32, /128, splits). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_radix.h"

static void
test_edges(void **state)
{
    (void)state;
    vg_radix_t *r = vg_radix_new(32);
    assert_non_null(r);
    uint8_t k[4] = {10, 0, 0, 0};
    assert_int_equal(vg_radix_lookup(r, k), VG_RADIX_NONE);
    *vg_radix_insert(r, k, 8) = 8;
    uint8_t h[4] = {10, 1, 2, 3};
    *vg_radix_insert(r, h, 32) = 32;
    uint8_t z[4] = {0};
    *vg_radix_insert(r, z, 0) = 0;
    uint8_t m[4] = {10, 1, 0, 0};
    *vg_radix_insert(r, m, 16) = 16; /* between /8 and /32: splits the path */
    assert_null(vg_radix_insert(r, h, 33));
    uint32_t out[8];
    assert_int_equal(vg_radix_lookup_all(r, h, out, 8), 4);
    assert_int_equal(out[0], 32);
    assert_int_equal(out[1], 16);
    assert_int_equal(out[2], 8);
    assert_int_equal(out[3], 0);
    uint8_t q[4] = {10, 1, 2, 4};
    assert_int_equal(vg_radix_lookup(r, q), 16);
    uint8_t p[4] = {11, 0, 0, 0};
    assert_int_equal(vg_radix_lookup(r, p), 0);
    assert_int_equal(vg_radix_finish(r), VG_OK);
    assert_int_equal(vg_radix_lookup_all(r, h, out, 8), 4);
    assert_int_equal(out[0], 32);
    assert_int_equal(out[3], 0);
    assert_int_equal(vg_radix_lookup(r, q), 16);
    assert_int_equal(vg_radix_lookup(r, p), 0);
    /* re-inserting returns the same slot */
    assert_int_equal(*vg_radix_insert(r, m, 16), 16);
    assert_int_equal(vg_radix_count(r), 4);
    /* host bits past the prefix are ignored on insert */
    uint8_t hb[4] = {10, 1, 255, 255};
    assert_int_equal(*vg_radix_insert(r, hb, 16), 16);
    vg_radix_free(r);
    assert_null(vg_radix_new(31));

    vg_radix_t *r6 = vg_radix_new(128);
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
    *vg_radix_insert(r6, a, 32) = 1;
    a[15] = 1;
    *vg_radix_insert(r6, a, 128) = 2;
    assert_int_equal(vg_radix_lookup(r6, a), 2);
    a[15] = 2;
    assert_int_equal(vg_radix_lookup(r6, a), 1);
    a[3] = 0xb9;
    assert_int_equal(vg_radix_lookup(r6, a), VG_RADIX_NONE);
    vg_radix_free(r6);
}

static bool
contains(const uint8_t *pfx, unsigned bits, const uint8_t *key)
{
    for (unsigned i = 0; i < bits; i++) {
        int a = (pfx[i >> 3] >> (7 - (i & 7))) & 1, b = (key[i >> 3] >> (7 - (i & 7))) & 1;
        if (a != b)
            return false;
    }
    return true;
}

static void
test_random_vs_oracle(void **state)
{
    (void)state;
    srand(12345);
    /* sized to finish in seconds under ASan on a loaded 2-core machine */
    enum { N = 1000, Q = 6000 };
    static uint8_t pfx[N][16];
    static unsigned bits[N];
    for (int fam = 0; fam < 2; fam++) {
        unsigned maxb = fam ? 128 : 32;
        vg_radix_t *r = vg_radix_new(maxb);
        for (int i = 0; i < N; i++) {
            memset(pfx[i], 0, 16);
            /* cluster prefixes so they nest: few distinct top bytes */
            pfx[i][0] = (uint8_t)(rand() % 4);
            for (unsigned b = 1; b < maxb / 8; b++)
                pfx[i][b] = (uint8_t)(rand() % 3);
            bits[i] = (unsigned)rand() % (maxb + 1);
            uint32_t *v = vg_radix_insert(r, pfx[i], bits[i]);
            assert_non_null(v);
            if (*v == VG_RADIX_NONE)
                *v = (uint32_t)i;
        }
        for (int q = 0; q < Q; q++) {
            if (q == Q / 2) /* second half of the queries through the shortcut table */
                assert_int_equal(vg_radix_finish(r), VG_OK);
            uint8_t key[16] = {0};
            key[0] = (uint8_t)(rand() % 4);
            for (unsigned b = 1; b < maxb / 8; b++)
                key[b] = (uint8_t)(rand() % 3);
            /* oracle: longest containing prefix (first inserted of equal prefixes) */
            int best = -1;
            for (int i = 0; i < N; i++)
                if (contains(pfx[i], bits[i], key) && (best < 0 || bits[i] > bits[best]))
                    best = i;
            uint32_t got = vg_radix_lookup(r, key);
            if (best < 0) {
                assert_int_equal(got, VG_RADIX_NONE);
            } else {
                assert_int_not_equal(got, VG_RADIX_NONE);
                assert_int_equal(bits[got], bits[best]);
                assert_true(contains(pfx[got], bits[got], key));
            }
        }
        vg_radix_free(r);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random_vs_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
