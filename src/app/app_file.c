/* app_file.c - see app_file.h. */
#include "app/app_file.h"
#include "util/util_digest.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* One EVP context per digest type, in VG_FILE_DIGEST_* bit order; only the
 * configured ones are allocated. */
#define FILE_DIGEST_TYPES 3

static const vg_digest_alg_t file_digest_md[FILE_DIGEST_TYPES] = {VG_DIGEST_MD5, VG_DIGEST_SHA1,
                                                              VG_DIGEST_SHA256};

struct vg_app_file_hash {
    EVP_MD_CTX *ctx[FILE_DIGEST_TYPES];
    bool ok;
};

void
vg_app_file_hash_free(vg_app_file_hash_t *h)
{
    if (h == NULL)
        return;
    for (unsigned i = 0; i < FILE_DIGEST_TYPES; i++)
        EVP_MD_CTX_free(h->ctx[i]);
    free(h);
}

/* written before threads start, then read-only */
static unsigned file_digests = VG_FILE_DIGEST_ALL;

void
vg_app_file_set_digests(unsigned digests)
{
    file_digests = digests & VG_FILE_DIGEST_ALL;
}

void
vg_app_file_set_hashing(bool on)
{
    vg_app_file_set_digests(on ? VG_FILE_DIGEST_ALL : 0);
}

vg_app_file_hash_t *
vg_app_file_open(vg_app_file_t *f)
{
    f->size = 0;
    f->complete = false;
    f->gaps = false;
    f->digests = 0;
    if (file_digests == 0)
        return NULL;
    vg_app_file_hash_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->ok = true;
    for (unsigned i = 0; i < FILE_DIGEST_TYPES && h->ok; i++) {
        if (!(file_digests & (1u << i)))
            continue;
        h->ctx[i] = EVP_MD_CTX_new();
        h->ok = h->ctx[i] != NULL &&
                EVP_DigestInit_ex(h->ctx[i], vg_digest_md(file_digest_md[i]), NULL) == 1;
    }
    if (!h->ok) {
        vg_app_file_hash_free(h);
        return NULL;
    }
    return h;
}

void
vg_app_file_data(vg_app_file_t *f, vg_app_file_hash_t *h, const uint8_t *data, size_t len)
{
    if (len == 0)
        return;
    f->size += len;
    if (h == NULL || !h->ok)
        return;
    for (unsigned i = 0; i < FILE_DIGEST_TYPES; i++)
        if (h->ctx[i] != NULL && EVP_DigestUpdate(h->ctx[i], data, len) != 1)
            h->ok = false;
}

void
vg_app_file_gap(vg_app_file_t *f, vg_app_file_hash_t *h, size_t len)
{
    f->gaps = true;
    f->size += len;
    if (h != NULL)
        h->ok = false; /* a digest over bytes we never saw would be a lie */
}

void
vg_app_file_close(vg_app_file_t *f, vg_app_file_hash_t *h, bool complete)
{
    f->complete = complete;
    if (complete && h != NULL && h->ok && !f->gaps) {
        uint8_t *const out[FILE_DIGEST_TYPES] = {f->md5, f->sha1, f->sha256};
        unsigned got = 0;
        bool ok = true;
        for (unsigned i = 0; i < FILE_DIGEST_TYPES && ok; i++) {
            if (h->ctx[i] == NULL)
                continue;
            unsigned int n = 0;
            ok = EVP_DigestFinal_ex(h->ctx[i], out[i], &n) == 1 && n == vg_digest_len(file_digest_md[i]);
            got |= 1u << i;
        }
        f->digests = ok ? (uint8_t)got : 0;
    }
    vg_app_file_hash_free(h);
}
