/* app_http.h - HTTP/0.9, 1.0 and 1.1 over reassembled TCP streams.
 *
 * The parser (app_http.c) is a pair of resumable state machines, one per
 * direction, fed arbitrary chunks. Requests open transactions in order;
 * responses are matched to them in order (pipelining). A transaction is
 * emitted (VG_APP_EV_TX) once both its request and response are complete,
 * or at flow end (flush) in whatever state it is, as Suricata logs them.
 * Every body is a file (VG_APP_EV_FILE, Suricata's fileinfo) hashed over
 * its decoded (dechunked, decompressed) bytes.
 *
 * Semantics follow libhtp as Suricata configures it (IDS personality, no
 * lowercase conversion): see src/app/NOTES.md for what is and is not
 * covered. The transaction layout below is what the EVE serializers
 * (src/output/output_eve_http.c, output_eve_fileinfo.c) and the inspection
 * buffers read; everything in it is owned by the parser.
 */
#ifndef VG_APP_HTTP_H
#define VG_APP_HTTP_H

#include "app/app.h"
#include "app/app_file.h"

/* A growable byte string with a hard cap set by its user. */
typedef struct vg_http_str {
    uint8_t *p;
    uint32_t len;
    uint32_t cap;
} vg_http_str_t;

/* One header after normalization: name as received, value trimmed, repeated
 * headers joined with ", " (libhtp), folded lines joined. */
typedef struct vg_http_header {
    vg_http_str_t name;
    vg_http_str_t value;
} vg_http_header_t;

/* One message (request or response) of a transaction. */
typedef struct vg_http_msg {
    vg_http_header_t *hdrs;
    uint32_t nhdrs;
    uint32_t hdrs_cap;
    vg_http_str_t headers_raw;   /* header lines as received (http.header.raw) */
    vg_http_str_t headers_norm;  /* "Name: value\r\n"... (http.header), cookies excluded */
    vg_http_str_t body;          /* decoded body, first body-limit bytes (inspection) */
    uint64_t message_len;        /* body bytes after dechunking, before decompression */
    uint64_t entity_len;         /* body bytes after decompression */
    bool headers_done;
    bool complete;
    bool body_truncated;         /* inspection limit hit */
    vg_app_file_t file;          /* the body as a file (file.size > 0 or open) */
    vg_http_str_t filename;      /* storage behind file.filename */
    vg_app_file_hash_t *fh;      /* hashing state while the file is open */
    bool file_open;
    bool file_logged;
} vg_http_msg_t;

typedef struct vg_http_tx {
    uint64_t tx_id;
    /* request line */
    vg_http_str_t method;
    vg_http_str_t uri_raw;       /* http.uri.raw, EVE url */
    vg_http_str_t uri_norm;      /* http.uri: normalized path [+ ?query] [+ #fragment] */
    vg_http_str_t path_norm;     /* normalized path alone (file name) */
    vg_http_str_t protocol;      /* "HTTP/1.1"; empty for 0.9 */
    vg_http_str_t host;          /* http.host: lowercase, no port, no trailing dot */
    vg_http_str_t host_raw;      /* http.host.raw: URI authority or Host header as sent */
    vg_http_str_t url_full;      /* "http://" host uri_norm */
    int32_t port;                /* port given in URI/Host, -1 if none */
    bool is_09;                  /* HTTP/0.9 simple request */
    bool is_head;
    bool is_connect;
    /* response line */
    vg_http_str_t resp_protocol;
    vg_http_str_t status_raw;    /* http.stat_code as sent */
    vg_http_str_t status_msg;    /* http.stat_msg */
    int32_t status;              /* -1 when absent or not a number in 100..999 */
    bool has_response_line;
    vg_http_msg_t req;
    vg_http_msg_t resp;
    bool emitted;
    struct vg_http_tx *next;
} vg_http_tx_t;

/* Header lookup (case-insensitive name); NULL when absent. */
const vg_http_header_t *vg_http_header_get(const vg_http_msg_t *m, const char *name);

/* ---- URI helpers (app_http_uri.c) ---- */

/* Normalize a request URI as libhtp's IDS personality does with Suricata's
 * overrides: split scheme://authority off an absolute URI, percent-decode
 * the path (%2f included, invalid escapes kept, %uXXXX decoded), convert
 * backslashes, compress repeated slashes, remove dot segments; decode the
 * query's valid %XX; keep the fragment. `out` gets path?query#frag,
 * `path` the path alone, `authority` the host[:port] of an absolute URI
 * (empty otherwise). Each output is capped at `cap` bytes. VG_OK or
 * VG_ENOMEM. */
int vg_http_uri_normalize(const uint8_t *uri, size_t len, uint32_t cap, vg_http_str_t *out,
                          vg_http_str_t *path, vg_http_str_t *authority);

/* Split "host[:port]" (or "[v6]:port"), lowercase the host and drop
 * trailing dots into `host`. *port = -1 if no port; -2 if the port is not
 * a number in 0..65535. VG_OK or VG_ENOMEM. */
int vg_http_host_normalize(const uint8_t *s, size_t len, uint32_t cap, vg_http_str_t *host,
                           int32_t *port);

/* Remove dot segments from a path in place (RFC 3986 5.2.4); returns the
 * new length. Exposed for tests. */
size_t vg_http_path_remove_dots(uint8_t *p, size_t len);

/* ---- body decoding (app_http_body.c) ---- */

typedef struct vg_http_decoder vg_http_decoder_t;
typedef void (*vg_http_sink_fn)(void *arg, const uint8_t *data, size_t len);

enum { VG_HTTP_ENC_NONE = 0, VG_HTTP_ENC_GZIP, VG_HTTP_ENC_DEFLATE };
/* Outcomes of vg_http_decoder_feed besides VG_OK. */
#define VG_HTTP_DEC_FAILED 1   /* not valid gzip/deflate: caller passes bytes through */
#define VG_HTTP_DEC_BOMB 2     /* decompress limit or ratio hit: caller stops */

/* Content-Encoding value -> VG_HTTP_ENC_*. */
int vg_http_encoding_parse(const uint8_t *v, size_t n);
/* NULL on ENOMEM. */
vg_http_decoder_t *vg_http_decoder_new(int enc);
void vg_http_decoder_free(vg_http_decoder_t *d);
/* Decompress `n` bytes, calling sink with output pieces. `limit` caps the
 * total output, `ratio` the output/input ratio once output passes 1 MiB
 * (or `limit` if smaller). Once FAILED or BOMB, every later call returns
 * the same without doing anything. */
int vg_http_decoder_feed(vg_http_decoder_t *d, const uint8_t *in, size_t n, uint64_t limit,
                         uint64_t ratio, vg_http_sink_fn sink, void *arg);

/* ---- string helpers shared by the HTTP files ---- */
int vg_http_str_append(vg_http_str_t *s, const void *data, size_t n, uint32_t cap);
int vg_http_str_set(vg_http_str_t *s, const void *data, size_t n, uint32_t cap);
void vg_http_str_free(vg_http_str_t *s);
bool vg_http_str_ieq(const vg_http_str_t *s, const char *lit);

#endif
