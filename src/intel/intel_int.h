/* intel_int.h - internals shared by the intel store, its loaders and
 * matchers. Not for use outside src/intel (and its tests). */
#ifndef VG_INTEL_INT_H
#define VG_INTEL_INT_H

#include "intel/intel.h"
#include "util/util_radix.h"

#include <jansson.h>

/* ---- string arena: every string of the store lives here ---- */
typedef struct intel_chunk {
    struct intel_chunk *next;
    size_t used, cap;
    char data[];
} intel_chunk_t;

/* ---- load-time side data of one indicator (inds[i] is the indicator
 * itself, already in its final array); freed at freeze ---- */
typedef struct intel_rec {
    const char *created_by;     /* STIX identity id, resolved at freeze */
    uint32_t actor_first;       /* MISP/Zeek actor refs by name: index in store->pactors */
    uint32_t value_len;         /* strlen(inds[i].value) */
    uint16_t actor_n;
    uint8_t prefix;             /* IP: prefix length */
    uint8_t family;             /* IP: 4 or 6 */
    bool dead;                  /* revoked, or a duplicate */
    uint8_t addr[16];           /* IP: network address */
} intel_rec_t;

typedef struct intel_rel {
    const char *src, *dst, *type;
} intel_rel_t;

/* A STIX marking-definition object, resolved at freeze. */
typedef struct intel_markdef {
    const char *id;     /* interned */
    const char *text;   /* statement text, interned; NULL for TLP */
    vg_tlp_t tlp;
} intel_markdef_t;

/* The marking refs of one STIX indicator object that are not well-known
 * TLP ids: records first .. first+n-1 (its pattern alternatives) get
 * whatever `ref` resolves to at freeze. */
typedef struct intel_mref {
    uint32_t first, n;
    const char *ref;    /* interned */
} intel_mref_t;

/* Interning table entry (marking ids, texts and text sets). */
typedef struct intel_intern {
    uint64_t h;
    const void *p;      /* NULL = empty */
    uint32_t len;
    uint8_t kind;
} intel_intern_t;

typedef struct intel_name {
    const char *id, *name, *type;
} intel_name_t;

/* Hash index slot: xxh3 of (type, normalized value) -> first record. */
typedef struct intel_slot {
    uint64_t h;
    uint32_t first;   /* UINT32_MAX = empty */
} intel_slot_t;

struct vg_intel_store {
    intel_chunk_t *arena;
    size_t arena_bytes;
    vg_indicator_t *inds;             /* every indicator, in load order (stable after freeze) */
    size_t cap_inds;
    intel_rec_t *recs;                /* load time only: side data, parallel to inds */
    size_t n_recs, cap_recs;
    intel_rel_t *rels;
    size_t n_rels, cap_rels;
    intel_name_t *names;
    size_t n_names, cap_names;
    vg_intel_actor_ref_t *pactors;    /* actor refs given by name (MISP tags, Zeek meta) */
    size_t n_pactors, cap_pactors;
    vg_intel_actor_ref_t *actor_arr;  /* after freeze: all actor refs */
    intel_markdef_t *markdefs;        /* load time: marking-definition objects */
    size_t n_markdefs, cap_markdefs;
    intel_mref_t *mrefs;              /* load time: unresolved marking refs */
    size_t n_mrefs, cap_mrefs;
    intel_intern_t *interns;          /* interned marking strings and sets (arena-backed) */
    size_t n_interns, cap_interns;    /* cap: power of two */
    intel_slot_t *slots;              /* after freeze */
    size_t n_slots;                   /* power of two */
    uint64_t *absent;                 /* after freeze: blocked Bloom filter of the slot keys */
    size_t absent_blocks;             /* 512-bit blocks, power of two (0 = no filter) */
    uint64_t *v4_cover;               /* after freeze: one bit per IPv4 /20 some prefix touches */
    uint32_t *chain;                  /* after freeze: next index per indicator (same key) */
    uint32_t *live;                   /* after freeze: indexes of indicators kept */
    size_t n_live;
    vg_radix_t *r4, *r6;
    bool frozen;
    vg_limits_t limits;
    bool skip_expired, misp_ids_only;
    vg_time_us_t now;
    vg_intel_load_report_t rep;
    /* load-time context */
    const char *last_source, *last_desc;  /* interned: consecutive indicators share them */
    const char *cur_file;
    void (*note)(void *user, const char *msg);
    void *note_user;
};

/* arena */
const char *intel_strndup(vg_intel_store_t *s, const char *p, size_t n);
const char *intel_strdup(vg_intel_store_t *s, const char *p);

/* Report one problem with an object: "file: id: what". */
void intel_note(vg_intel_store_t *s, const char *id, const char *fmt, ...) VG_PRINTF(3, 4);

/* What a loader hands to the store. Strings are copied. */
typedef struct intel_add {
    vg_ioc_type_t type;
    const char *value;
    size_t value_len;
    uint16_t port;
    const char *id;
    const char *source;
    const char *created_by;
    int confidence;
    vg_time_us_t valid_from, valid_until;
    const char *description;
    const char *warning;
    const char *pattern;
    bool to_ids;
    vg_intel_format_t format;
    const vg_intel_actor_ref_t *actors;   /* by-name refs (MISP, Zeek); copied */
    size_t n_actors;
    vg_tlp_t tlp;                         /* known at load (well-known ids, MISP tags) */
} intel_add_t;

/* Normalize and add one indicator. VG_OK; VG_DECLINED when skipped
 * (expired, bad value: noted and counted); VG_ENOMEM; VG_EINVAL when
 * the intel.max-indicators limit is hit (errbuf-worthy, stops the load). */
int intel_add(vg_intel_store_t *s, const intel_add_t *a);

int intel_add_rel(vg_intel_store_t *s, const char *src, const char *dst, const char *type);
int intel_add_name(vg_intel_store_t *s, const char *id, const char *name, const char *type);
void intel_count_obj(vg_intel_store_t *s, const char *stix_type);

/* Markings. intel_intern_str: one arena copy per distinct text (at most
 * VG_INTEL_MARKING_MAX bytes are kept, cut on a UTF-8 boundary); NULL on
 * ENOMEM. intel_add_markdef: a marking-definition object (id, and either a
 * TLP level or a statement text). intel_add_mref: records first..first+n-1
 * carry the marking `ref` (resolved at freeze). VG_OK or VG_ENOMEM. */
const char *intel_intern_str(vg_intel_store_t *s, const char *p, size_t n);
int intel_add_markdef(vg_intel_store_t *s, const char *id, vg_tlp_t tlp, const char *text,
                      size_t text_len);
int intel_add_mref(vg_intel_store_t *s, uint32_t first, uint32_t n, const char *ref);

/* Loaders (data is NUL-terminated at data[len]). */
int intel_load_stix(vg_intel_store_t *s, const char *name, const char *data, size_t len,
                    char *errbuf, size_t errlen);
/* A bare JSON array of STIX objects (met in some exports; detection sends
 * every '[' document to the MISP loader, which hands such arrays here). */
int intel_load_stix_array(vg_intel_store_t *s, const char *name, json_t *arr, char *errbuf,
                          size_t errlen);
int intel_load_misp(vg_intel_store_t *s, const char *name, const char *data, size_t len,
                    char *errbuf, size_t errlen);
/* Zeek: data is the caller's, NUL-terminated at data[len], and is parsed
 * in place (modified). */
int intel_load_zeek(vg_intel_store_t *s, const char *name, char *data, size_t len,
                    char *errbuf, size_t errlen);

/* Zeek, fed in pieces: init, then feed buffers of whole lines (a trailing
 * partial line is left unconsumed unless eof; data[len] must be writable),
 * then finish (fails when no #fields line was seen). feed modifies data
 * and returns VG_OK or the error that stops the load (errbuf set). */
#define ZEEK_MAX_COLS 64
#define ZEEK_MAX_LINE (1u << 20)
#define INTEL_OBJ_ZEEK_LINE 14   /* index of "zeek-line" in objects_by_type */
typedef struct intel_zeek {
    int col[9];
    size_t ncols;
    bool have_fields;
    size_t lineno;
    const char *name;
    char id[96];         /* "zeek:<file>:<lineno>", the number kept in step with lineno */
    size_t idpfx_len;    /* length of "zeek:<file>:" */
    size_t id_len;
} intel_zeek_t;
void intel_zeek_init(intel_zeek_t *z, const char *name);
int intel_zeek_feed(vg_intel_store_t *s, intel_zeek_t *z, char *data, size_t len, bool eof,
                    size_t *consumed, char *errbuf, size_t errlen);
int intel_zeek_finish(intel_zeek_t *z, char *errbuf, size_t errlen);

/* Hash of a normalized key. */
uint64_t intel_key_hash(vg_ioc_type_t type, const char *v, size_t n);

/* ---- STIX patterning (intel_stix_pattern.c) ---- */
typedef struct vg_stix_alt {
    vg_ioc_type_t type;
    const char *value;      /* points into the parse result's buffer, NUL-terminated */
    uint16_t port;
} vg_stix_alt_t;

typedef struct vg_stix_parsed {
    vg_stix_alt_t *alts;
    size_t n;
    size_t n_unsupported;   /* OR branches that were dropped (partial support) */
    char first_unsupported[256];
    char *buf;              /* owns the values */
} vg_stix_parsed_t;

/* Parse a STIX 2.x pattern and reduce it to independent alternatives, each
 * one indicator (type, value, port). max_len bounds the pattern length.
 * Returns VG_OK (n >= 1; some OR branches may have been dropped, see
 * n_unsupported), VG_DECLINED (valid but nothing in it is supported: why
 * says what), VG_EINVAL (syntax error: why says where), VG_ENOMEM.
 * out must be vg_stix_parsed_fini()ed in every case. */
int vg_stix_pattern_parse(const char *pattern, size_t len, size_t max_len, vg_stix_parsed_t *out,
                          char *why, size_t whylen);
void vg_stix_parsed_fini(vg_stix_parsed_t *p);

#endif
