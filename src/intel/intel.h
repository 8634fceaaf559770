/* intel.h - the indicator store: load once, freeze, then match from any
 * number of threads without locks (engine-snapshot lifetime, STYLE.md).
 *
 * Loaders: STIX 2.1 (and 2.0) bundles / JSON Lines, MISP event JSON, Zeek
 * intel.dat. Matchers: IPv4/IPv6 with CIDR (longest prefix), domains
 * (exact and parent-domain), URLs (normalized), file hashes (MD5, SHA-1,
 * SHA-256), certificate fingerprints, JA3/JA3S/JA4, IP:port.
 */
#ifndef VG_INTEL_H
#define VG_INTEL_H

#include "core/core.h"
#include "core/core_limits.h"
#include "util/util_tlp.h"

typedef enum {
    VG_IOC_IP = 0,      /* IPv4 or IPv6 address or CIDR; optional port */
    VG_IOC_DOMAIN,      /* matches the name and its subdomains */
    VG_IOC_URL,
    VG_IOC_MD5,
    VG_IOC_SHA1,
    VG_IOC_SHA256,
    VG_IOC_CERT_SHA1,   /* x509-certificate:hashes.'SHA-1' / TLS fingerprint */
    VG_IOC_CERT_SHA256,
    VG_IOC_JA3,
    VG_IOC_JA3S,
    VG_IOC_JA4,
    VG_IOC_EMAIL,
    VG_IOC_USER_AGENT,
    VG_IOC_TYPE_MAX
} vg_ioc_type_t;

/* "ip", "domain", ... and Zeek's "Intel::ADDR", "Intel::DOMAIN" ... names. */
const char *vg_ioc_type_name(vg_ioc_type_t t);
const char *vg_ioc_type_zeek_name(vg_ioc_type_t t);

typedef enum { VG_INTEL_FMT_AUTO = 0, VG_INTEL_FMT_STIX, VG_INTEL_FMT_MISP, VG_INTEL_FMT_ZEEK }
    vg_intel_format_t;

/* An intrusion set (or other actor object) an indicator points to. */
typedef struct vg_intel_actor_ref {
    const char *id;    /* "intrusion-set--..." (or a MISP galaxy/zeek name when no id) */
    const char *name;  /* "ZIRCONIUM" */
} vg_intel_actor_ref_t;

typedef struct vg_indicator {
    const char *id;            /* STIX id, MISP attribute uuid, or "zeek:<file>:<line>" */
    vg_ioc_type_t type;
    const char *value;         /* normalized value as matched ("evil.example", "1.2.3.0/24") */
    uint16_t port;             /* 0 = any port */
    /* Added for markings (additive, in the padding after `port`: no field
     * moves, and 1M indicators cost 8 bytes each instead of 16).
     * tlp: the most restrictive TLP level of its markings (STIX
     * object_marking_refs, MISP tlp:* tags), VG_TLP_NONE when none.
     * n_markings: entries in `markings` (below). */
    uint8_t n_markings;
    vg_tlp_t tlp;
    const char *source;        /* who reported it (identity name, MISP org, meta.source) */
    const char *source_file;
    int confidence;            /* 0..100, or -1 when the intel gives none */
    vg_time_us_t valid_from;   /* 0 = unset */
    vg_time_us_t valid_until;  /* 0 = unset */
    const char *description;
    const char *warning;       /* e.g. x_vigil_warninglists joined; NULL if none */
    const vg_intel_actor_ref_t *actors;
    size_t n_actors;
    /* Added by the intel engineer (additive). */
    bool to_ids;               /* MISP to_ids; true for STIX and Zeek */
    vg_intel_format_t format;  /* which loader made it */
    const char *pattern;       /* STIX pattern, MISP "type: value"; NULL for Zeek */
    /* Added for markings (additive): the texts of its statement markings
     * (licence, copyright: "name: statement"), n_markings of them (at most
     * VG_INTEL_MAX_MARKINGS, each at most VG_INTEL_MARKING_MAX bytes),
     * shared between indicators (interned); NULL when n_markings is 0. */
    const char *const *markings;
} vg_indicator_t;

#define VG_INTEL_MAX_MARKINGS 4
#define VG_INTEL_MARKING_MAX 320

typedef struct vg_intel_store vg_intel_store_t;

/* Load statistics, for `vigil intel check` and stats. */
typedef struct vg_intel_load_report {
    size_t files;
    size_t indicators_loaded;
    size_t indicators_skipped_revoked;
    size_t indicators_skipped_expired;    /* only when the store is told to drop them */
    size_t patterns_unsupported;          /* listed one by one through the log callback */
    size_t objects_seen;
    size_t objects_by_type[16];           /* see vg_intel_report_type_name */
    size_t errors;
    /* Added by the intel engineer (additive). */
    size_t indicators_by_type[VG_IOC_TYPE_MAX];
    size_t indicators_with_port;          /* IP indicators restricted to one port */
    size_t indicators_not_ids;            /* MISP to_ids=false, loaded (see NOTES.md) */
    size_t indicators_skipped_ids;        /* MISP to_ids=false, dropped (misp_ids_only) */
    size_t indicators_skipped_deleted;    /* MISP deleted=true */
    size_t indicators_skipped_dup;        /* same type+value+port+id loaded twice */
    size_t indicators_skipped_invalid;    /* value does not parse for its type */
    size_t patterns_partial;              /* OR patterns with some unsupported branches */
    size_t attributes_ignored;            /* MISP attribute types that are not network/file IOCs */
    size_t indicators_with_actors;        /* after freeze */
    size_t actor_links;                   /* indicator -> actor refs, after freeze */
    size_t actors_named;                  /* distinct actor ids/names referenced, after freeze */
    vg_intel_format_t last_format;        /* format of the last file loaded */
    /* Added for marking definitions (additive). */
    size_t markings_unresolved;           /* STIX marking refs that resolve to no TLP or
                                           * statement (counted per indicator object) */
    size_t markings_dropped;              /* statements over VG_INTEL_MAX_MARKINGS */
    size_t indicators_by_tlp[VG_TLP_RED + 1]; /* after freeze; [VG_TLP_NONE] = no TLP */
} vg_intel_load_report_t;

/* Index into objects_by_type: "indicator", "relationship", ... "other". */
#define VG_INTEL_OBJ_TYPES 16
const char *vg_intel_report_type_name(size_t i);
const char *vg_intel_format_name(vg_intel_format_t f);

vg_intel_store_t *vg_intel_store_new(void);
void vg_intel_store_free(vg_intel_store_t *s);

/* Load one file (format by content when AUTO). Problems with single
 * objects (unsupported pattern, wrong type) are counted in the report and
 * described through `note` (may be NULL) as "file: object-id: what"; a file
 * that cannot be read or parsed at all returns VG_EIO/VG_EINVAL with
 * errbuf set. Not thread safe; only before freeze. */
int vg_intel_load_file(vg_intel_store_t *s, const char *path, vg_intel_format_t fmt,
                       void (*note)(void *user, const char *msg), void *user,
                       char *errbuf, size_t errlen);

/* Build the match indexes. After this the store is read-only and safe to
 * share between threads. */
int vg_intel_store_freeze(vg_intel_store_t *s);

const vg_intel_load_report_t *vg_intel_store_report(const vg_intel_store_t *s);
size_t vg_intel_store_count(const vg_intel_store_t *s);

/* Match one observed value. For VG_IOC_IP, `value` is 4 or 16 raw address
 * bytes and `port` the observed port (0 = unknown); for DOMAIN the name
 * (case-insensitive, trailing dot ignored, parents tried); others the text
 * as seen (hex hashes case-insensitive). Writes up to max_out matches and
 * returns how many matched in total. Thread safe after freeze. */
size_t vg_intel_match(const vg_intel_store_t *s, vg_ioc_type_t type, const void *value,
                      size_t len, uint16_t port, const vg_indicator_t **out, size_t max_out);

/* ---- additions (intel engineer) ---- */



/* Options; call before loading. limits may be NULL (defaults). now_us is
 * the time "expired" is judged against (0 = wall clock at load). When
 * skip_expired, indicators whose valid_until <= now are not loaded.
 * When misp_ids_only, MISP attributes with to_ids=false are not loaded
 * (MISP's own IDS export behaviour); the default loads them and keeps
 * to_ids in the indicator. */
void vg_intel_store_set_limits(vg_intel_store_t *s, const vg_limits_t *limits);
void vg_intel_store_set_options(vg_intel_store_t *s, bool skip_expired, bool misp_ids_only,
                                vg_time_us_t now_us);

/* Load from memory (tests, fuzzing). `name` is used in messages. */
int vg_intel_load_buf(vg_intel_store_t *s, const char *name, const char *data, size_t len,
                      vg_intel_format_t fmt, void (*note)(void *user, const char *msg),
                      void *user, char *errbuf, size_t errlen);

/* Guess the format of a file's first bytes: '#fields'/'#separator' -> ZEEK,
 * '{"Event"' / '{"response"' / '[' -> MISP, other JSON -> STIX;
 * VG_INTEL_FMT_AUTO when it looks like none. */
vg_intel_format_t vg_intel_detect_format(const char *data, size_t len);

/* Is the indicator past its valid_until at `now`? */
static inline bool
vg_indicator_expired(const vg_indicator_t *ind, vg_time_us_t now)
{
    return ind->valid_until != 0 && ind->valid_until <= now;
}

/* i-th indicator (0 .. count-1), for listing and tests. */
const vg_indicator_t *vg_intel_store_get(const vg_intel_store_t *s, size_t i);

/* Approximate bytes held by the store (bench). */
size_t vg_intel_store_bytes(const vg_intel_store_t *s);

/* Normalize a value the way the store does for `type` (lowercase hex,
 * domain lowercase without trailing dot, URL "host[:port]/path" without
 * scheme and default port, IP as "a.b.c.d[/n]"). Writes a NUL-terminated
 * string to out; *port gets an IP's port when the text has one
 * ("1.2.3.4:80", "1.2.3.4|80", "[::1]:80"). VG_OK or VG_EINVAL (why set). */
int vg_intel_normalize(vg_ioc_type_t type, const char *value, size_t len, char *out,
                       size_t outlen, uint16_t *port, const char **why);

#endif
