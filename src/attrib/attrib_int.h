/* attrib_int.h - internals shared by the attribution files (not a public
 * contract; attrib.h is). Reading order: kb (what we know about actors),
 * eve_input (what the sensor saw, as evidence), incident (grouping),
 * score (weighing), report/stix_out (saying it), eval (measuring it).
 */
#ifndef VG_ATTRIB_INT_H
#define VG_ATTRIB_INT_H

#include <stdio.h>
#include "attrib/attrib.h"
#include "core/core.h"
#include "util/util_tlp.h"
#include "util/util_utf8.h"

/* ---- small string -> int map (open addressing, keys copied) ---------- */
typedef struct attrib_map {
    char **keys;
    int32_t *vals;
    size_t cap, n;
} attrib_map_t;

void attrib_map_init(attrib_map_t *m);
void attrib_map_fini(attrib_map_t *m);
/* VG_OK or VG_ENOMEM; an existing key keeps its first value. */
int attrib_map_put(attrib_map_t *m, const char *key, int32_t val);
/* Insert or overwrite. */
int attrib_map_set(attrib_map_t *m, const char *key, int32_t val);
/* -1 when absent. */
int32_t attrib_map_get(const attrib_map_t *m, const char *key);
int32_t attrib_map_getn(const attrib_map_t *m, const char *key, size_t n);

/* Name normalization for alias lookups: lowercase, keep [0-9a-z] only
 * ("APT 28" -> "apt28", "Cobalt Strike" -> "cobaltstrike"). */
void attrib_norm_name(const char *in, char *out, size_t outlen);

/* ---- knowledge base -------------------------------------------------- */
enum { ATTRIB_ITEM_TECH = 0, ATTRIB_ITEM_SOFT = 1 };

typedef struct attrib_item {
    char *stix;     /* attack-pattern--..., malware--..., tool--... */
    char *ext;      /* "T1071.001", "S0154" */
    char *name;
    int kind;       /* ATTRIB_ITEM_* */
    int parent;     /* sub-technique -> parent technique item, else -1 */
    bool net;       /* a network sensor can observe it (techniques only) */
} attrib_item_t;

typedef struct attrib_group {
    char *stix;
    char *ext;      /* "G0007" or "" for non-ATT&CK intrusion sets */
    char *name;
    char **aliases;
    size_t n_aliases;
    char *country;  /* from the optional sponsor file; NULL if unknown */
    char *sponsor;
    bool sponsor_curated;
} attrib_group_t;

typedef struct attrib_campaign {
    char *stix, *ext, *name;
    vg_time_us_t first, last, created;
    int group;      /* attributed intrusion set, -1 none, -2 several */
} attrib_campaign_t;

/* A `uses` relationship, resolved: (group or campaign) -> item. */
typedef struct attrib_rel {
    char *id;
    int src_group;      /* >= 0 if the source is an intrusion set */
    int src_campaign;   /* >= 0 if the source is a campaign */
    int item;
    vg_time_us_t created;
} attrib_rel_t;

/* A malware or tool object of any loaded bundle, ATT&CK or not: what an
 * indicator may `indicate` besides actors. item is the ATT&CK software it
 * is (itself, or resolved by name/alias at freeze), -1 when ATT&CK does
 * not list it: then it stays a named family without a profile score. */
typedef struct attrib_family {
    char *stix;
    char *name;
    char **aliases;  /* STIX 2.1 malware/tool `aliases` (non-ATT&CK objects) */
    size_t n_aliases;
    int item;
} attrib_family_t;

#define ATTRIB_IOC_MAX_GROUPS 4
#define ATTRIB_IOC_MAX_FAMILIES 4
#define ATTRIB_IOC_MAX_MARKS 6
typedef struct attrib_ioc {
    char *id;
    int type;           /* vg_ioc_type_t */
    char *value;        /* normalized: lowercase domain/hash, dotted IPv4, URL as given */
    uint16_t port;
    char *source;       /* identity name of created_by_ref, else first x_vigil_sources */
    int n_sources;      /* corroboration */
    bool vendor;        /* primary vendor report (vs aggregator list) */
    int confidence;     /* -1 none */
    vg_time_us_t valid_from, valid_until;
    char *warning;      /* warninglist flags, NULL if none */
    int groups[ATTRIB_IOC_MAX_GROUPS];
    int n_groups;
    int families[ATTRIB_IOC_MAX_FAMILIES]; /* `indicates` malware/tool: kb->fams indexes */
    int n_families;
    /* object_marking_refs, as kb->mdefs indexes (the definitions may come
     * later or from another file); tlp is resolved at freeze */
    int mdefs[ATTRIB_IOC_MAX_MARKS];
    int n_mdefs;
    vg_tlp_t tlp;
} attrib_ioc_t;

/* A marking definition an indicator references: well-known TLP ids are
 * known without the object; others take their level or statement from a
 * marking-definition object of any loaded file (NULL / NONE until then). */
typedef struct attrib_mdef {
    char *id;
    vg_tlp_t tlp;
    char *statement;  /* definition_type "statement", bounded to ATTRIB_MARK_LEN - 1 */
} attrib_mdef_t;

/* Group profiles: membership of items, rebuilt per fold by the evaluation. */
typedef struct attrib_profiles {
    size_t n_groups, n_items;
    uint8_t *mem;   /* [g * n_items + i]: 1 if g uses item i */
    uint8_t *par;   /* [g * n_items + p]: 1 if g uses technique p or a sub-technique of it */
    int *df;        /* groups using item i */
    int *dfp;       /* groups using p or any sub-technique of p */
    int *size;      /* items in g's profile */
} attrib_profiles_t;

struct vg_attrib_kb {
    attrib_item_t *items;
    size_t n_items, cap_items;
    attrib_group_t *groups;
    size_t n_groups, cap_groups;
    attrib_campaign_t *camps;
    size_t n_camps, cap_camps;
    attrib_rel_t *rels;
    size_t n_rels, cap_rels;
    attrib_ioc_t *iocs;
    size_t n_iocs, cap_iocs;
    attrib_family_t *fams;
    size_t n_fams, cap_fams;
    attrib_map_t fam_by_stix; /* malware/tool stix id -> family */
    attrib_mdef_t *mdefs;     /* marking definitions referenced or loaded */
    size_t n_mdefs, cap_mdefs;
    attrib_map_t mdef_by_id;  /* marking-definition id -> mdefs index */

    /* raw relationships kept until freeze (objects may come after them) */
    struct attrib_raw_rel {
        char *id, *type, *src, *tgt;
        vg_time_us_t created;
    } *raw;
    size_t n_raw, cap_raw;

    attrib_map_t by_stix;     /* stix id -> encoded (kind << 24 | index) */
    attrib_map_t item_by_ext; /* "T1071.001" -> item */
    attrib_map_t soft_by_name;/* normalized software name/alias -> item */
    attrib_map_t group_by_name; /* normalized group name/alias/G-id -> group */
    attrib_map_t ioc_by_value;/* "<type>|<value>" -> first ioc; chained via ioc_next */
    int32_t *ioc_next;
    attrib_map_t identity;    /* identity stix id -> index into ident_names */
    char **ident_names;
    size_t n_ident, cap_ident;

    attrib_profiles_t prof;   /* full profiles (no exclusions) */
    bool frozen;
    size_t files_loaded;
    size_t objects_skipped;   /* revoked/deprecated/unknown shapes */
};

/* encoded values of by_stix */
enum { ATTRIB_K_ITEM = 1, ATTRIB_K_GROUP = 2, ATTRIB_K_CAMP = 3, ATTRIB_K_IOC = 4 };
#define ATTRIB_ENC(k, i) ((int32_t)(((k) << 24) | (i)))
#define ATTRIB_ENC_KIND(v) ((int)((v) >> 24))
#define ATTRIB_ENC_IDX(v) ((int)((v) & 0xffffff))

/* Build profiles from the resolved relationships, leaving out everything
 * touching campaign `skip_camp` (-1: none), the relationship ids in
 * `skip_rels` (NULL: none), and (asof_us != 0) relationships created at or
 * after asof_us. Profile of g = g's own uses + uses of campaigns attributed
 * to exactly g (separate intrusions). VG_OK or VG_ENOMEM. */
int attrib_profiles_build(const vg_attrib_kb_t *kb, int skip_camp, const attrib_map_t *skip_rels,
                          vg_time_us_t asof_us, attrib_profiles_t *out);
/* Same, with group_only: campaigns' uses do not join their group's profile. */
int attrib_profiles_build_ex(const vg_attrib_kb_t *kb, int skip_camp, const attrib_map_t *skip_rels,
                             vg_time_us_t asof_us, bool group_only, attrib_profiles_t *out);
void attrib_profiles_fini(attrib_profiles_t *p);

int attrib_kb_find_item_ext(const vg_attrib_kb_t *kb, const char *ext);
int attrib_kb_find_software(const vg_attrib_kb_t *kb, const char *name);
int attrib_kb_find_group(const vg_attrib_kb_t *kb, const char *id_or_name);
/* ATT&CK software item a family name from intel denotes, or -1: the name
 * as an S-id, ATT&CK name or x_mitre_aliases entry; then, for names the
 * feeds decorate, "Name - S0161" (MISP mitre-malware/-tool clusters), the
 * name without a trailing "(...)" and the text inside it ("HUC Packet
 * Transmit Tool (HTRAN)"), and without a trailing "variant(s)"
 * ("Rekoobe Variant"). Exact normalized matches only. */
int attrib_kb_resolve_family(const vg_attrib_kb_t *kb, const char *name);
/* Family index of a malware/tool STIX id, or -1. */
int attrib_kb_find_family(const vg_attrib_kb_t *kb, const char *stix_id);
int attrib_kb_find_campaign_ext(const vg_attrib_kb_t *kb, const char *ext);
/* Iterate the KB indicators matching a value: returns the first ioc index
 * or -1; then attrib_kb_ioc_next(). type is a vg_ioc_type_t. For domains
 * the caller tries parents itself. */
int attrib_kb_ioc_first(const vg_attrib_kb_t *kb, int type, const char *value);
int attrib_kb_ioc_next(const vg_attrib_kb_t *kb, int idx);
/* Decide network observability of a technique (documented in NOTES.md). */
bool attrib_technique_is_net(const char *ext, const char *const *tactics, size_t n_tactics);

/* ---- evidence -------------------------------------------------------- */
typedef enum {
    ATTRIB_EV_INDICATOR = 0, /* intel hit */
    ATTRIB_EV_TECHNIQUE,     /* ATT&CK technique seen (rule metadata) */
    ATTRIB_EV_SOFTWARE,      /* malware family / tool seen */
    ATTRIB_EV_INFRA,         /* fingerprint hits (JA3/JA4/cert) */
    ATTRIB_EV_TYPES
} attrib_ev_type_t;

const char *attrib_ev_type_name(int t);

#define ATTRIB_UNIT_MAX_GROUPS 8
typedef struct attrib_unit {
    int type;            /* attrib_ev_type_t */
    int item;            /* technique/software item, else -1 */
    char key[160];       /* merge key: indicator id / item ext */
    char what[200];      /* human description: "dns query evil.example matches indicator ..." */
    char value[160];     /* the observed value (indicators) */
    char ioc_type[16];
    char source[80];
    char indicator_id[96];
    int confidence;      /* -1 unknown */
    bool vendor;
    int n_sources;
    bool warning;        /* warninglist-flagged (shared hosting, DDNS, ...) */
    bool expired;        /* seen after valid_until */
    vg_time_us_t valid_from;
    vg_time_us_t first, last;
    uint32_t count;
    int groups[ATTRIB_UNIT_MAX_GROUPS]; /* KB group indexes the indicator names */
    int n_groups;
    char actor_names[ATTRIB_UNIT_MAX_GROUPS][64]; /* when not in the KB */
    int n_actor_names;
    char family[64];     /* software units: the family name as the evidence gave it */
    /* Software unit derived from an indicator's link to a malware/tool
     * (not seen on its own): the same observation as that indicator hit,
     * so it does not count as a second evidence type for the guards
     * (NOTES.md). Merging with an independent unit of the same family
     * (rule metadata) clears it. */
    bool from_indicator;
    /* Handling markings of what produced the unit (intel record, KB
     * indicator; alerts have none): its TLP and its statement markings as
     * bits of the engine's statement table (attrib_marks_t). Merging takes
     * the most restrictive TLP and the union of statements. */
    vg_tlp_t tlp;
    uint32_t marks;
} attrib_unit_t;

/* Statement markings (licence texts, handling statements) seen by an
 * engine, interned once: units and incidents refer to them by bit. At most
 * ATTRIB_MARKS_MAX distinct texts, each cut to ATTRIB_MARK_LEN - 1 bytes;
 * further texts are counted in `dropped`, not kept. */
#define ATTRIB_MARKS_MAX 32
#define ATTRIB_MARK_LEN 256
/* statements one unit or incident carries at most */
#define ATTRIB_MARKS_PER_INC 8
typedef struct attrib_marks {
    char text[ATTRIB_MARKS_MAX][ATTRIB_MARK_LEN];
    size_t n;
    uint64_t dropped;
} attrib_marks_t;

/* Bit of `text` (first len bytes, cut to ATTRIB_MARK_LEN - 1 on a UTF-8
 * boundary) in m, adding
 * it when new; 0 when the table is full or text is empty. */
uint32_t attrib_marks_intern(attrib_marks_t *m, const char *text, size_t len);
/* a | b, keeping at most ATTRIB_MARKS_PER_INC bits (a's first, then b's
 * lowest bits). */
uint32_t attrib_marks_union(uint32_t a, uint32_t b);

/* ---- scoring --------------------------------------------------------- */
typedef struct attrib_params {
    double prior_unknown;   /* P(U) before evidence (>= 0.5) */
    double w_software;      /* software weight relative to techniques */
    double miss;            /* log-odds cost of an observed item not in a profile */
    double sub_credit;      /* share of weight when only the parent technique matches */
    double size_pen;        /* prior penalty per ln(1 + profile size) */
    double item_cap;        /* cap on one item unit, nats */
    double ioc_cap;         /* cap on one indicator unit, nats */
    double infra_cap;
    double type_cap[ATTRIB_EV_TYPES];
    double commodity_share; /* items used by more than this share of groups ~ 0 */
    double time_llr;        /* soft prior: incident within a campaign window (+-1 y) of G */
    double temperature;     /* calibration: profile-evidence log-odds divided by this */
    double calib_bias;      /* calibration: added when profile evidence is present (Platt) */
    bool net_only;          /* techniques: only network-observable ones count */
} attrib_params_t;

void attrib_params_default(attrib_params_t *p);

/* LLR (nats) of observing item i under group g vs U (no caps). */
double attrib_item_llr(const vg_attrib_kb_t *kb, const attrib_profiles_t *pr,
                       const attrib_params_t *p, size_t g, int item);

#define ATTRIB_MAX_ALT 5
typedef struct attrib_hyp {
    int group;          /* -1 = unknown */
    double logodds;     /* against U, after guards, before temperature */
    double prob;
    double by_type[ATTRIB_EV_TYPES];
} attrib_hyp_t;

enum {
    ATTRIB_FLAG_FALSE_FLAG = 1u << 0,    /* strong conflict between evidence types */
    ATTRIB_FLAG_SINGLE_TYPE = 1u << 1,   /* capped: only one type of evidence */
    ATTRIB_FLAG_CAPPED_SHARE = 1u << 2,  /* one type limited to half of the log-odds */
    ATTRIB_FLAG_SHARED_INDICATOR = 1u << 3, /* an indicator claimed by several groups */
    ATTRIB_FLAG_WARNINGLIST = 1u << 4,
};

typedef struct attrib_result {
    attrib_hyp_t top[ATTRIB_MAX_ALT]; /* best first; group -1 never appears here */
    size_t n_top;
    double p_unknown;
    int judged;          /* group index named, or -1 = unknown actor */
    double p_judged;     /* probability of the named actor (or of U) */
    const char *word;
    int stix_confidence;
    const char *analytic; /* "high" / "moderate" / "low" */
    unsigned flags;
    int n_types_for;     /* evidence types supporting the judged actor */
    int conflict_group;  /* group another type points to, -1 */
    int time_campaign;   /* campaign of the judged actor whose window covers the incident, -1 */
    double time_llr;     /* its (soft) contribution, nats */
    double *unit_llr;    /* per unit LLR for the judged actor (n_units), caller frees */
} attrib_result_t;

/* Score a set of evidence units over all groups of kb (profiles pr). The
 * ranking score for every group is written to rank_out when not NULL
 * (n_groups doubles). VG_OK or VG_ENOMEM. */
int attrib_score_units(const vg_attrib_kb_t *kb, const attrib_profiles_t *pr,
                       const attrib_params_t *p, const attrib_unit_t *units, size_t n_units,
                       attrib_result_t *res, double *rank_out);
void attrib_result_fini(attrib_result_t *r);

/* ICD 203 word and STIX confidence band for a probability. */
const char *attrib_icd_word(double p);
int attrib_stix_confidence(double p);

/* ---- incidents ------------------------------------------------------- */
#define ATTRIB_MAX_HOSTS 16
#define ATTRIB_MAX_INFRA 32
typedef struct attrib_incident {
    int parent;          /* union-find; == own index when a root */
    bool dead;           /* merged into parent */
    vg_time_us_t first, last;
    char hosts[ATTRIB_MAX_HOSTS][48];
    size_t n_hosts;
    char infra[ATTRIB_MAX_INFRA][80];
    size_t n_infra;
    attrib_unit_t *units;
    size_t n_units, cap_units;
    size_t dropped_units;
    uint64_t records;
    /* most restrictive TLP over the units, union of their statements
     * (bounded, bits of *mtab) */
    vg_tlp_t tlp;
    uint32_t marks;
    const attrib_marks_t *mtab;
} attrib_incident_t;

/* One observation from one EVE record, ready for correlation. */
typedef struct attrib_obs {
    vg_time_us_t ts;
    char host[48];       /* internal host */
    char infra[80];      /* external party: IP or name */
    attrib_unit_t unit;
} attrib_obs_t;

struct vg_attrib_engine {
    const vg_attrib_kb_t *kb;
    const vg_intel_store_t *intel;
    vg_limits_t limits;
    attrib_params_t params;
    attrib_incident_t *inc;
    size_t n_inc, cap_inc;
    attrib_map_t host_map;    /* host -> incident */
    attrib_map_t infra_map;   /* infra -> incident */
    /* counters */
    uint64_t lines, json_errors, type_errors, evidence_records, skipped_cheap;
    uint64_t incidents_dropped, units_dropped, units_seen;
    uint64_t units_total;     /* units held, bounded by attrib_max_units_total */
    bool no_protocols;        /* vg_attrib_engine_match_protocols(e, false) */
    attrib_marks_t marks;     /* statement markings seen (bounded) */
};

int attrib_incident_add(vg_attrib_engine_t *e, const attrib_obs_t *o);
/* Root incident index of i. */
int attrib_incident_root(vg_attrib_engine_t *e, int i);

/* Parse one EVE line into observations; calls attrib_incident_add. */
void attrib_eve_feed(vg_attrib_engine_t *e, const char *line, size_t len);

/* ---- outputs --------------------------------------------------------- */
void attrib_report_text(FILE *f, const vg_attrib_kb_t *kb, const attrib_incident_t *inc,
                        int num, const attrib_result_t *r);
/* EVE attribution record into a malloc'd NUL-terminated string (NULL on failure). */
char *attrib_report_eve(const vg_attrib_kb_t *kb, const attrib_incident_t *inc, int num,
                        const attrib_result_t *r, size_t max_record);

typedef struct attrib_stix_out attrib_stix_out_t;
attrib_stix_out_t *attrib_stix_out_new(void);
/* The incident's statement markings, "<statement>; <statement>", into buf
 * (empty when none). */
void attrib_marks_statements(const attrib_incident_t *inc, char *buf, size_t n);
void attrib_stix_out_add(attrib_stix_out_t *s, const vg_attrib_kb_t *kb,
                         const attrib_incident_t *inc, int num, const attrib_result_t *r);
int attrib_stix_out_write(attrib_stix_out_t *s, const char *path);
void attrib_stix_out_free(attrib_stix_out_t *s);

/* Time formatting helper "2022-03-01T10:00:00Z" (buf >= 24). */
void attrib_fmt_time(vg_time_us_t t, char *buf, size_t n);
void attrib_fmt_date(vg_time_us_t t, char *buf, size_t n);

#endif
