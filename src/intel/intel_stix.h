/* intel_stix.h - reading STIX 2.x objects from files.
 *
 * Accepts the three shapes met in practice: a bundle ({"type":"bundle",
 * "objects":[...]}), a bare object ({"type":"indicator",...}), and JSON
 * Lines (one object per line, as SEKOIA publishes). STIX 2.0 bundles are
 * accepted too (the caller sees each object as is).
 */
#ifndef VG_INTEL_STIX_H
#define VG_INTEL_STIX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/util_tlp.h"

/* Called once per object. Return 0 to go on, non-zero to stop (that value
 * is returned by vg_stix_foreach_object). The object is borrowed. */
typedef int (*vg_stix_object_cb)(json_t *obj, void *user);

/* Parse `path` and call cb for every STIX object in it. Returns VG_OK,
 * VG_EIO (cannot read), VG_EINVAL (not JSON / not STIX; errbuf says
 * "file:line:col: what"), or the callback's non-zero value. max_bytes
 * bounds the file size (0 = no bound). */
int vg_stix_foreach_object(const char *path, size_t max_bytes, vg_stix_object_cb cb, void *user,
                           char *errbuf, size_t errlen);

/* Same, over a JSON document already in memory (fuzzing, tests). */
int vg_stix_foreach_object_buf(const char *name, const char *data, size_t len, vg_stix_object_cb cb,
                               void *user, char *errbuf, size_t errlen);

/* Small accessors that return NULL/0 when the member is absent or of the
 * wrong type (intel is untrusted input). */
const char *vg_stix_str(const json_t *obj, const char *key);
long long vg_stix_int(const json_t *obj, const char *key, long long dflt);
/* RFC 3339 timestamp ("2021-11-10T00:00:00.000Z") to microseconds since
 * the epoch; returns 0 on success, -1 if it does not parse. */
int vg_stix_parse_time(const char *s, long long *out_us);

/* What a `marking-definition` object says. TLP 1.0 (definition_type
 * "tlp": definition.tlp, else the name), the TLP 2.0 extension's objects
 * (no definition_type: the most restrictive `tlp_2_0` of its extensions,
 * else the name, e.g. "TLP:AMBER+STRICT"), or a statement (definition_type
 * "statement": its name and definition.statement, either may be missing).
 * Strings are borrowed from the object; empty strings read as NULL. The
 * intel store and the attribution KB both resolve markings with it, so a
 * bundle means the same on the live and the offline path. */
typedef struct vg_stix_marking {
    vg_tlp_t tlp;          /* VG_TLP_NONE unless a TLP marking */
    bool is_statement;
    const char *name;      /* statement markings only */
    const char *statement; /* statement markings only */
} vg_stix_marking_t;

void vg_stix_marking_read(const json_t *obj, vg_stix_marking_t *m);

#endif
