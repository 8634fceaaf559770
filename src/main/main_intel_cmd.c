/* main_intel_cmd.c - `vigil intel check FILE...`: load each intel file on
 * its own and say what loaded and what did not.
 *
 * Per file: format, objects by type, indicators loaded by type, what was
 * skipped (revoked / expired / unsupported / invalid / ignored) with the
 * first N reasons, how many indicators are linked to actors, indicators
 * per TLP level, the statement markings (licences) with their counts, and
 * marking refs that resolved to nothing. Exit 0
 * when every file loaded (unsupported objects are not failures), 1 when a
 * file could not be loaded ("file: reason" on stderr) or on a usage error.
 * (Owned by the intel engineer.)
 */
#include "main/main.h"
#include "intel/intel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct check_notes {
    size_t shown, total, max;
} check_notes_t;

static void
check_note(void *user, const char *msg)
{
    check_notes_t *n = user;
    n->total++;
    if (n->shown < n->max) {
        printf("    %s\n", msg);
        n->shown++;
    }
}

static void
usage(FILE *fp)
{
    fprintf(fp, "usage: vigil intel check [--notes N] [--skip-expired] [--ids-only] FILE...\n"
                "  Loads each STIX 2.x / MISP / Zeek intel file (format by content) and reports\n"
                "  what it holds. --notes N lists the first N problems per file (default 10).\n");
}

/* "(a 1, b 2)" for the non-zero entries; nothing when all are zero */
static void
print_counts(size_t n, const size_t *v, const char *(*name)(size_t))
{
    const char *sep = " (";
    for (size_t i = 0; i < n; i++) {
        if (v[i]) {
            printf("%s%s %zu", sep, name(i), v[i]);
            sep = ", ";
        }
    }
    printf("%s\n", sep[0] == ',' ? ")" : "");
}

static const char *
ioc_name(size_t i)
{
    return vg_ioc_type_name((vg_ioc_type_t)i);
}

/* Distinct statement markings shown, most common first. */
#define CHECK_MAX_STATEMENTS 8
/* Distinct statements tracked (texts are interned in the store: one
 * pointer per distinct text); the rest are summed as "other". */
#define CHECK_TRACK_STATEMENTS 256

typedef struct stmt_count {
    const char *text;
    size_t n;
} stmt_count_t;

static int
stmt_cmp(const void *a, const void *b)
{
    const stmt_count_t *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->text, y->text);
}

/* Indicators per TLP level, and the statement markings they carry. */
static void
print_markings(const vg_intel_store_t *s, const vg_intel_load_report_t *r)
{
    printf("  tlp:");
    const char *sep = " ";
    for (int t = VG_TLP_CLEAR; t <= VG_TLP_RED; t++) {
        if (r->indicators_by_tlp[t]) {
            printf("%s%s %zu", sep, vg_tlp_name((vg_tlp_t)t), r->indicators_by_tlp[t]);
            sep = ", ";
        }
    }
    printf("%sno TLP %zu\n", sep, r->indicators_by_tlp[VG_TLP_NONE]);
    static stmt_count_t st[CHECK_TRACK_STATEMENTS];
    size_t nst = 0, other = 0, marked = 0;
    for (size_t i = 0; i < vg_intel_store_count(s); i++) {
        const vg_indicator_t *d = vg_intel_store_get(s, i);
        marked += d->n_markings > 0;
        for (size_t k = 0; k < d->n_markings; k++) {
            size_t j = 0;
            while (j < nst && st[j].text != d->markings[k])
                j++;
            if (j < nst) {
                st[j].n++;
            } else if (nst < CHECK_TRACK_STATEMENTS) {
                st[nst].text = d->markings[k];
                st[nst++].n = 1;
            } else {
                other++;
            }
        }
    }
    printf("  statement markings: %zu indicators, %zu distinct%s\n", marked, nst,
           other ? " (more not counted)" : "");
    qsort(st, nst, sizeof(st[0]), stmt_cmp);
    for (size_t j = 0; j < nst && j < CHECK_MAX_STATEMENTS; j++)
        printf("    %zu: %.160s%s\n", st[j].n, st[j].text, strlen(st[j].text) > 160 ? "..." : "");
    if (nst > CHECK_MAX_STATEMENTS)
        printf("    ... and %zu more\n", nst - CHECK_MAX_STATEMENTS);
    printf("  unresolved marking refs: %zu", r->markings_unresolved);
    if (r->markings_dropped)
        printf(", statements over %d per indicator dropped: %zu", VG_INTEL_MAX_MARKINGS,
               r->markings_dropped);
    printf("\n");
}

static int
check_one(const char *path, size_t max_notes, bool skip_expired, bool ids_only)
{
    vg_intel_store_t *s = vg_intel_store_new();
    if (s == NULL) {
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
    }
    vg_intel_store_set_options(s, skip_expired, ids_only, 0);
    check_notes_t notes = {0, 0, max_notes};
    char err[VG_ERRBUF_SIZE];
    printf("%s:\n", path);
    int rc = vg_intel_load_file(s, path, VG_INTEL_FMT_AUTO, check_note, &notes, err, sizeof(err));
    if (rc != VG_OK) {
        printf("  FAILED: %s\n", err);
        fprintf(stderr, "%s\n", err);
        vg_intel_store_free(s);
        return 1;
    }
    if (vg_intel_store_freeze(s) != VG_OK) {
        fprintf(stderr, "%s: out of memory building the indexes\n", path);
        vg_intel_store_free(s);
        return 1;
    }
    if (notes.total > notes.shown)
        printf("    ... and %zu more\n", notes.total - notes.shown);
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    printf("  format: %s\n", vg_intel_format_name(r->last_format));
    printf("  objects: %zu", r->objects_seen);
    print_counts(VG_INTEL_OBJ_TYPES, r->objects_by_type, vg_intel_report_type_name);
    printf("  indicators loaded: %zu", vg_intel_store_count(s));
    print_counts(VG_IOC_TYPE_MAX, r->indicators_by_type, ioc_name);
    if (r->indicators_with_port)
        printf("  ip:port indicators: %zu\n", r->indicators_with_port);
    if (r->indicators_not_ids)
        printf("  loaded with to_ids=false: %zu\n", r->indicators_not_ids);
    printf("  skipped: revoked %zu, expired %zu, unsupported %zu, invalid %zu, duplicate %zu, "
           "deleted %zu, not to_ids %zu; partly supported %zu; ignored MISP attributes %zu; "
           "malformed objects %zu\n",
           r->indicators_skipped_revoked, r->indicators_skipped_expired, r->patterns_unsupported,
           r->indicators_skipped_invalid, r->indicators_skipped_dup, r->indicators_skipped_deleted,
           r->indicators_skipped_ids, r->patterns_partial, r->attributes_ignored, r->errors);
    printf("  actors linked: %zu indicators, %zu links, %zu distinct actors\n",
           r->indicators_with_actors, r->actor_links, r->actors_named);
    print_markings(s, r);
    printf("  ok\n");
    vg_intel_store_free(s);
    return 0;
}

int
vg_main_intel(int argc, char **argv)
{
    /* argv[0] is "intel", argv[1] the verb */
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        usage(stderr);
        return 1;
    }
    int i = 2;
    size_t max_notes = 10;
    bool skip_expired = false, ids_only = false;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--notes") == 0 && i + 1 < argc) {
            max_notes = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--skip-expired") == 0) {
            skip_expired = true;
        } else if (strcmp(argv[i], "--ids-only") == 0) {
            ids_only = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "vigil intel check: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 1;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 1;
    }
    int status = 0;
    for (; i < argc; i++)
        if (check_one(argv[i], max_notes, skip_expired, ids_only) != 0)
            status = 1;
    return status;
}
