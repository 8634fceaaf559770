/* test_util_digest.c - the cached-algorithm digests against the published
 * test vectors (RFC 1321 for MD5, FIPS 180-2 appendix examples for SHA-1 and
 * SHA-256), the empty input, bad arguments, and first use from several
 * threads at once (the one-time fetch). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/util_digest.h"

static void
hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void
check(vg_digest_alg_t alg, const char *in, const char *want)
{
    uint8_t md[VG_DIGEST_MAX_LEN];
    char h[2 * VG_DIGEST_MAX_LEN + 1];
    assert_int_equal(vg_digest(alg, in, strlen(in), md), VG_OK);
    hex(md, vg_digest_len(alg), h);
    assert_string_equal(h, want);
    /* the cached object through the ordinary EVP interface gives the same */
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_non_null(ctx);
    unsigned n = 0;
    assert_int_equal(EVP_DigestInit_ex(ctx, vg_digest_md(alg), NULL), 1);
    assert_int_equal(EVP_DigestUpdate(ctx, in, strlen(in)), 1);
    assert_int_equal(EVP_DigestFinal_ex(ctx, md, &n), 1);
    EVP_MD_CTX_free(ctx);
    assert_int_equal(n, vg_digest_len(alg));
    hex(md, n, h);
    assert_string_equal(h, want);
}

static void
test_vectors(void **state)
{
    (void)state;
    check(VG_DIGEST_MD5, "", "d41d8cd98f00b204e9800998ecf8427e");
    check(VG_DIGEST_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72");
    check(VG_DIGEST_MD5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0");
    check(VG_DIGEST_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    check(VG_DIGEST_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    check(VG_DIGEST_SHA256, "abc",
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check(VG_DIGEST_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_bad_args(void **state)
{
    (void)state;
    uint8_t md[VG_DIGEST_MAX_LEN];
    assert_null(vg_digest_md(VG_DIGEST_COUNT));
    assert_int_equal(vg_digest_len(VG_DIGEST_COUNT), 0);
    assert_int_equal(vg_digest(VG_DIGEST_COUNT, "a", 1, md), VG_EINVAL);
    assert_int_equal(vg_digest(VG_DIGEST_SHA1, "a", 1, NULL), VG_EINVAL);
    assert_int_equal(vg_digest(VG_DIGEST_SHA1, NULL, 1, md), VG_EINVAL);
    assert_int_equal(vg_digest(VG_DIGEST_SHA1, NULL, 0, md), VG_OK);
    assert_int_equal(vg_digest_len(VG_DIGEST_MD5), 16);
    assert_int_equal(vg_digest_len(VG_DIGEST_SHA1), 20);
    assert_int_equal(vg_digest_len(VG_DIGEST_SHA256), 32);
}

static void *
thread_main(void *arg)
{
    uint8_t md[VG_DIGEST_MAX_LEN];
    const EVP_MD **seen = arg;
    for (int i = 0; i < 200; i++)
        if (vg_digest(VG_DIGEST_SHA256, "abc", 3, md) != VG_OK || md[0] != 0xba)
            return (void *)1;
    *seen = vg_digest_md(VG_DIGEST_SHA256);
    return NULL;
}

/* Must run first in its process image for the race on the one-time fetch to
 * be exercised: cmocka runs the tests in order, and this is listed first. */
static void
test_threads_first_use(void **state)
{
    (void)state;
    pthread_t t[4];
    const EVP_MD *seen[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &seen[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *rv = (void *)1;
        assert_int_equal(pthread_join(t[i], &rv), 0);
        assert_null(rv);
    }
    for (int i = 1; i < 4; i++)
        assert_ptr_equal(seen[i], seen[0]); /* one shared object */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_first_use),
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
