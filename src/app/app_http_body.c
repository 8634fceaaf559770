/* app_http_body.c - Content-Encoding decoding of HTTP bodies (gzip,
 * deflate) with zlib, bounded against decompression bombs.
 *
 * libhtp behaviour kept: "deflate" is accepted both zlib-wrapped (RFC 1950,
 * what the RFC says) and raw (RFC 1951, what many servers send); gzip
 * accepts concatenated members; when data is not compressed after all the
 * parser passes the raw bytes through (after GZIP_DECOMPRESSION_FAILED).
 * The output is bounded by http_decompress_limit and by a ratio check once
 * the output is large enough that small, highly compressible bodies are
 * not flagged.
 */
#include "app/app_http.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct vg_http_decoder {
    z_stream zs;
    int enc;
    bool init;
    int state;           /* VG_OK, VG_HTTP_DEC_FAILED, VG_HTTP_DEC_BOMB */
    bool ended;          /* deflate stream ended: ignore trailing bytes */
    uint8_t hdr[2];      /* first bytes of a deflate body, to pick zlib vs raw */
    size_t nhdr;
    uint64_t in_total;
    uint64_t out_total;
    uint8_t pre[16];     /* bytes of earlier calls taken before any output: */
    size_t npre;         /* given back to the sink if decoding then fails */
    bool pre_lost;
};

static bool
ieq_n(const uint8_t *a, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++) {
        int c = a[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != lit[i])
            return false;
    }
    return true;
}

int
vg_http_encoding_parse(const uint8_t *v, size_t n)
{
    while (n > 0 && (v[0] == ' ' || v[0] == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (ieq_n(v, n, "gzip") || ieq_n(v, n, "x-gzip"))
        return VG_HTTP_ENC_GZIP;
    if (ieq_n(v, n, "deflate") || ieq_n(v, n, "x-deflate"))
        return VG_HTTP_ENC_DEFLATE;
    return VG_HTTP_ENC_NONE;
}

vg_http_decoder_t *
vg_http_decoder_new(int enc)
{
    vg_http_decoder_t *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->enc = enc;
    return d;
}

void
vg_http_decoder_free(vg_http_decoder_t *d)
{
    if (d == NULL)
        return;
    if (d->init)
        inflateEnd(&d->zs);
    free(d);
}

static int
dec_init(vg_http_decoder_t *d, int window_bits)
{
    memset(&d->zs, 0, sizeof(d->zs));
    if (inflateInit2(&d->zs, window_bits) != Z_OK)
        return VG_HTTP_DEC_FAILED;
    d->init = true;
    return VG_OK;
}

/* Inflate `n` bytes through the initialized stream. */
static int
dec_run(vg_http_decoder_t *d, const uint8_t *in, size_t n, uint64_t limit, uint64_t ratio,
        vg_http_sink_fn sink, void *arg)
{
    uint8_t out[16384];
    uint64_t ratio_floor = limit < (1u << 20) ? limit : (1u << 20);
    d->zs.next_in = (Bytef *)(uintptr_t)in;
    d->zs.avail_in = (uInt)n;
    d->in_total += n;
    while (d->zs.avail_in > 0 && !d->ended) {
        d->zs.next_out = out;
        d->zs.avail_out = sizeof(out);
        int zrc = inflate(&d->zs, Z_NO_FLUSH);
        size_t got = sizeof(out) - d->zs.avail_out;
        if (got > 0) {
            if (d->out_total + got > limit) {
                got = (size_t)(limit - d->out_total);
                if (got)
                    sink(arg, out, got);
                d->out_total = limit;
                d->state = VG_HTTP_DEC_BOMB;
                return d->state;
            }
            d->out_total += got;
            sink(arg, out, got);
            if (ratio > 0 && d->out_total >= ratio_floor &&
                d->out_total / (d->in_total ? d->in_total : 1) > ratio) {
                d->state = VG_HTTP_DEC_BOMB;
                return d->state;
            }
        }
        if (zrc == Z_STREAM_END) {
            if (d->enc == VG_HTTP_ENC_GZIP && d->zs.avail_in > 0) {
                inflateReset(&d->zs); /* next gzip member */
                continue;
            }
            d->ended = true;
            break;
        }
        if (zrc == Z_BUF_ERROR && got == 0)
            break; /* needs more input */
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            d->state = VG_HTTP_DEC_FAILED;
            return d->state;
        }
    }
    return VG_OK;
}

static int feed(vg_http_decoder_t *d, const uint8_t *in, size_t n, uint64_t limit,
                uint64_t ratio, vg_http_sink_fn sink, void *arg);

int
vg_http_decoder_feed(vg_http_decoder_t *d, const uint8_t *in, size_t n, uint64_t limit,
                     uint64_t ratio, vg_http_sink_fn sink, void *arg)
{
    if (d->state != VG_OK)
        return d->state;
    uint64_t out_before = d->out_total;
    int rc = feed(d, in, n, limit, ratio, sink, arg);
    if (rc == VG_HTTP_DEC_FAILED && d->out_total == 0 && d->npre > 0 && !d->pre_lost) {
        /* not compressed after all: hand back what earlier calls swallowed;
         * the caller passes this call's bytes through itself */
        sink(arg, d->pre, d->npre);
    } else if (rc == VG_OK && out_before == 0 && d->out_total == 0) {
        size_t k = n < sizeof(d->pre) - d->npre ? n : sizeof(d->pre) - d->npre;
        memcpy(d->pre + d->npre, in, k);
        d->npre += k;
        if (k < n)
            d->pre_lost = true;
    }
    return rc;
}

static int
feed(vg_http_decoder_t *d, const uint8_t *in, size_t n, uint64_t limit, uint64_t ratio,
     vg_http_sink_fn sink, void *arg)
{
    if (d->state != VG_OK)
        return d->state;
    if (n == 0 || d->ended)
        return VG_OK;
    if (!d->init) {
        if (d->enc == VG_HTTP_ENC_GZIP) {
            if (dec_init(d, 15 + 32) != VG_OK) /* gzip or zlib, auto-detected */
                return d->state = VG_HTTP_DEC_FAILED;
        } else {
            /* Need two bytes to tell a zlib header from raw deflate. */
            while (d->nhdr < 2 && n > 0) {
                d->hdr[d->nhdr++] = in[0];
                in++;
                n--;
            }
            if (d->nhdr < 2)
                return VG_OK;
            bool zlib_hdr = (d->hdr[0] & 0x0f) == 8 && ((d->hdr[0] << 8) | d->hdr[1]) % 31 == 0;
            if (dec_init(d, zlib_hdr ? 15 : -15) != VG_OK)
                return d->state = VG_HTTP_DEC_FAILED;
            int rc = dec_run(d, d->hdr, 2, limit, ratio, sink, arg);
            if (rc != VG_OK)
                return rc;
            if (n == 0)
                return VG_OK;
        }
    }
    return dec_run(d, in, n, limit, ratio, sink, arg);
}
