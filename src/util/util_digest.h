/* util_digest.h - MD5 / SHA-1 / SHA-256 with the algorithm objects fetched
 * once per process.
 *
 * Why: with OpenSSL 3, EVP_md5()/EVP_sha1()/EVP_sha256() passed to
 * EVP_DigestInit_ex()/EVP_Digest() make OpenSSL look the algorithm up in its
 * provider store on every call (an "implicit fetch": a name-map lookup under
 * read/write locks). Per file, per certificate, per flow that showed up in
 * profiles as pthread_rwlock lock/unlock. vg_digest_md() fetches each
 * algorithm once (EVP_MD_fetch) and hands out the same object afterwards;
 * OpenSSL then goes straight to the provider's implementation.
 *
 * Thread safe: the one-time fetch is under pthread_once; the returned
 * EVP_MD is immutable and may be shared by any number of threads. */
#ifndef VG_UTIL_DIGEST_H
#define VG_UTIL_DIGEST_H

#include "core/core.h"

#include <openssl/evp.h>

typedef enum vg_digest_alg {
    VG_DIGEST_MD5,
    VG_DIGEST_SHA1,
    VG_DIGEST_SHA256,
    VG_DIGEST_COUNT
} vg_digest_alg_t;

#define VG_DIGEST_MAX_LEN 32

/* The algorithm object for EVP_DigestInit_ex()/EVP_Digest(). Never NULL for
 * a valid alg: if the explicit fetch fails (e.g. MD5 under a FIPS-only
 * configuration) the legacy EVP_md5()-style object is returned, which still
 * works, only with the per-call lookup. NULL for an invalid alg. */
const EVP_MD *vg_digest_md(vg_digest_alg_t alg);

/* Digest size in bytes (16, 20, 32), 0 for an invalid alg. */
size_t vg_digest_len(vg_digest_alg_t alg);

/* One-shot digest of data[0..len) into out (vg_digest_len(alg) bytes).
 * VG_OK, or VG_EINVAL (bad alg, NULL out, or OpenSSL refused). */
int vg_digest(vg_digest_alg_t alg, const void *data, size_t len, uint8_t *out);

#endif
