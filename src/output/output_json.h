/* output_json.h - a fast, allocation-light JSON writer for EVE records.
 *
 * Writes one JSON value into a growable buffer with a hard cap. Commas and
 * nesting are tracked by the writer; callers only say what comes next.
 * Inside an object every call takes a key; inside an array (or at top
 * level) pass key = NULL.
 *
 * Any byte sequence given to a string function produces valid JSON:
 *  - vg_jw_strn: valid UTF-8 passes through; control characters become
 *    \n, \t, ... or \u00XX; each byte of invalid UTF-8 becomes \u00XX
 *    (the byte read as Latin-1), so output is always valid UTF-8.
 *  - vg_jw_str_printable: Suricata's "string from bytes" form used for
 *    raw protocol fields (HTTP headers, DNS names): printable ASCII kept,
 *    every other byte written as the four characters \xNN (so the JSON
 *    text holds "\\xNN").
 *  - vg_jw_str_bytes: Suricata's jb_set_string_from_bytes, used for raw
 *    protocol fields in EVE (HTTP, DNS): strict UTF-8 is written as text;
 *    otherwise ASCII bytes are kept (JSON-escaped) and every byte >= 0x80
 *    becomes the four characters \xNN in lowercase hex.
 * When the record would exceed the cap, the writer stops appending and
 * sets `truncated`; vg_jw_finish() then fails with VG_ENOMEM so the
 * caller can count and drop (or shorten) the record. Not thread safe; one
 * writer per worker.
 */
#ifndef VG_OUTPUT_JSON_H
#define VG_OUTPUT_JSON_H

#include "core/core.h"

#define VG_JW_MAX_DEPTH 32

typedef struct vg_jw {
    char *buf;
    size_t len;
    size_t cap;       /* allocated bytes */
    size_t max;       /* hard cap for one record */
    int depth;
    bool need_comma[VG_JW_MAX_DEPTH + 1];
    bool in_array[VG_JW_MAX_DEPTH + 1];
    bool truncated;   /* cap hit or nesting too deep */
} vg_jw_t;

/* max_bytes: the cap for one record. VG_OK or VG_ENOMEM. */
int vg_jw_init(vg_jw_t *jw, size_t max_bytes);
void vg_jw_fini(vg_jw_t *jw);
/* Forget the contents, keep the buffer. */
void vg_jw_reset(vg_jw_t *jw);

void vg_jw_open_object(vg_jw_t *jw, const char *key);
void vg_jw_close_object(vg_jw_t *jw);
void vg_jw_open_array(vg_jw_t *jw, const char *key);
void vg_jw_close_array(vg_jw_t *jw);

void vg_jw_str(vg_jw_t *jw, const char *key, const char *s);     /* NUL-terminated */
void vg_jw_strn(vg_jw_t *jw, const char *key, const void *s, size_t n);
void vg_jw_str_printable(vg_jw_t *jw, const char *key, const void *s, size_t n);
void vg_jw_str_bytes(vg_jw_t *jw, const char *key, const void *s, size_t n);
void vg_jw_hex(vg_jw_t *jw, const char *key, const void *s, size_t n, bool colons);
void vg_jw_uint(vg_jw_t *jw, const char *key, uint64_t v);
void vg_jw_int(vg_jw_t *jw, const char *key, int64_t v);
void vg_jw_double(vg_jw_t *jw, const char *key, double v);
void vg_jw_bool(vg_jw_t *jw, const char *key, bool v);
void vg_jw_null(vg_jw_t *jw, const char *key);
/* Insert pre-serialized JSON text verbatim as a value (caller guarantees validity). */
void vg_jw_raw(vg_jw_t *jw, const char *key, const char *json, size_t n);

/* Suricata's timestamp form "2009-10-16T16:44:16.083524+0000" (UTC, TZ=UTC
 * as suricata-verify runs). buf must hold 32 bytes. */
void vg_jw_format_ts(vg_time_us_t ts, char *buf, size_t buflen);
void vg_jw_ts(vg_jw_t *jw, const char *key, vg_time_us_t ts);

/* Finish: VG_OK if the record is complete and within the cap (buf is
 * NUL-terminated, len excludes the NUL), VG_ENOMEM if truncated. */
int vg_jw_finish(vg_jw_t *jw);

#endif
