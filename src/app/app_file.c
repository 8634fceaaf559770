/* app_file.c - see app_file.h. */
#include "app/app_file.h"
#include "util/util_digest.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct vg_app_file_hash {
    EVP_MD_CTX *md5;
    EVP_MD_CTX *sha1;
    EVP_MD_CTX *sha256;
    bool ok;
};

void
vg_app_file_hash_free(vg_app_file_hash_t *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->md5);
    EVP_MD_CTX_free(h->sha1);
    EVP_MD_CTX_free(h->sha256);
    free(h);
}

static bool file_hashing = true; /* written before threads start, then read-only */

void
vg_app_file_set_hashing(bool on)
{
    file_hashing = on;
}

vg_app_file_hash_t *
vg_app_file_open(vg_app_file_t *f)
{
    f->size = 0;
    f->complete = false;
    f->gaps = false;
    f->has_hashes = false;
    if (!file_hashing)
        return NULL;
    vg_app_file_hash_t *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->md5 = EVP_MD_CTX_new();
    h->sha1 = EVP_MD_CTX_new();
    h->sha256 = EVP_MD_CTX_new();
    h->ok = h->md5 && h->sha1 && h->sha256 &&
            EVP_DigestInit_ex(h->md5, vg_digest_md(VG_DIGEST_MD5), NULL) == 1 &&
            EVP_DigestInit_ex(h->sha1, vg_digest_md(VG_DIGEST_SHA1), NULL) == 1 &&
            EVP_DigestInit_ex(h->sha256, vg_digest_md(VG_DIGEST_SHA256), NULL) == 1;
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
    if (EVP_DigestUpdate(h->md5, data, len) != 1 || EVP_DigestUpdate(h->sha1, data, len) != 1 ||
        EVP_DigestUpdate(h->sha256, data, len) != 1)
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
        unsigned int n = 0;
        bool ok = EVP_DigestFinal_ex(h->md5, f->md5, &n) == 1 && n == 16;
        ok = ok && EVP_DigestFinal_ex(h->sha1, f->sha1, &n) == 1 && n == 20;
        ok = ok && EVP_DigestFinal_ex(h->sha256, f->sha256, &n) == 1 && n == 32;
        f->has_hashes = ok;
    }
    vg_app_file_hash_free(h);
}
