/* util_digest.c - digests with algorithms fetched once (util_digest.h). */
#include "util/util_digest.h"

#include <pthread.h>

static const char *const digest_names[VG_DIGEST_COUNT] = {
    [VG_DIGEST_MD5] = "MD5",
    [VG_DIGEST_SHA1] = "SHA1",
    [VG_DIGEST_SHA256] = "SHA256",
};

static const size_t digest_lens[VG_DIGEST_COUNT] = {
    [VG_DIGEST_MD5] = 16,
    [VG_DIGEST_SHA1] = 20,
    [VG_DIGEST_SHA256] = 32,
};

static pthread_once_t digest_once = PTHREAD_ONCE_INIT;
static const EVP_MD *digest_mds[VG_DIGEST_COUNT];

/* Fetched objects are kept for the life of the process (one reference
 * each, still reachable at exit), so there is nothing to free. */
static void
digest_fetch_all(void)
{
    for (int i = 0; i < VG_DIGEST_COUNT; i++) {
        EVP_MD *md = EVP_MD_fetch(NULL, digest_names[i], NULL);
        if (md != NULL) {
            digest_mds[i] = md;
            continue;
        }
        /* Fallback keeps behaviour (the implicit fetch per call). */
        digest_mds[i] = i == VG_DIGEST_MD5 ? EVP_md5() : i == VG_DIGEST_SHA1 ? EVP_sha1() : EVP_sha256();
    }
}

const EVP_MD *
vg_digest_md(vg_digest_alg_t alg)
{
    if ((unsigned)alg >= VG_DIGEST_COUNT)
        return NULL;
    pthread_once(&digest_once, digest_fetch_all);
    return digest_mds[alg];
}

size_t
vg_digest_len(vg_digest_alg_t alg)
{
    return (unsigned)alg < VG_DIGEST_COUNT ? digest_lens[alg] : 0;
}

int
vg_digest(vg_digest_alg_t alg, const void *data, size_t len, uint8_t *out)
{
    const EVP_MD *md = vg_digest_md(alg);
    if (md == NULL || out == NULL || (data == NULL && len > 0))
        return VG_EINVAL;
    unsigned int n = 0;
    if (EVP_Digest(len > 0 ? data : "", len, out, &n, md, NULL) != 1 || n != digest_lens[alg])
        return VG_EINVAL;
    return VG_OK;
}
