/* main_attribute.c - `vigil attribute`: offline attribution of EVE files.
 *
 *   vigil attribute [--intel FILE]... [-l DIR] [--window SECONDS]
 *                   [--sponsors FILE] EVE.json...      ("-" = stdin)
 *   vigil attribute --eval ATTACK.json EVAL_DIR        (accuracy evaluation)
 *
 * The knowledge base comes only from the STIX files given with --intel
 * (ATT&CK bundle, indicator bundles). The text report goes to stdout;
 * with -l DIR also DIR/attribution.json (EVE lines) and
 * DIR/attribution-stix.json. Exit 0 on success, 1 on usage/config error.
 */
#include "main/main.h"
#include "attrib/attrib.h"
#include "intel/intel.h"
#include "core/core.h"
#include "core/core_limits.h"
#include "main/main_live_attrib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
attribute_usage(FILE *f)
{
    fprintf(f,
            "usage: vigil attribute [--intel FILE]... [-l DIR] [--window SECONDS]\n"
            "                       [--sponsors FILE] EVE.json...   (- for stdin)\n"
            "       vigil attribute --eval ATTACK.json EVAL_DIR\n"
            "  --intel FILE     STIX 2.x bundle: ATT&CK (actors, techniques, software) and/or\n"
            "                   indicators with `indicates` relationships; repeatable\n"
            "  -l DIR           also write DIR/attribution.json and DIR/attribution-stix.json\n"
            "  --window SECONDS events this close share an incident (default 86400)\n"
            "  --sponsors FILE  actor country/sponsor claims (default: data/actor-sponsors.json\n"
            "                   of the source tree when present)\n"
            "  --eval A DIR     leave-one-campaign-out evaluation, Markdown to stdout\n");
}

static void
write_line(void *user, const char *line, size_t len)
{
    FILE *f = user;
    fwrite(line, 1, len, f);
    fputc('\n', f);
}

static int
feed_file(vg_attrib_engine_t *e, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "vigil attribute: %s: %s\n", path, strerror(errno));
        return VG_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n > 0)
            vg_attrib_feed_eve(e, line, (size_t)n);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return VG_OK;
}

int
vg_main_attribute(int argc, char **argv)
{
    const char *intel[64];
    size_t n_intel = 0;
    const char *eves[256];
    size_t n_eve = 0;
    const char *logdir = NULL, *sponsors = NULL, *eval_attack = NULL, *eval_dir = NULL;
    vg_limits_t limits;
    vg_limits_defaults(&limits);
    char err[VG_ERRBUF_SIZE];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_next = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            attribute_usage(stdout);
            return 0;
        } else if (strcmp(a, "--intel") == 0 && has_next) {
            if (n_intel == VG_ARRAY_LEN(intel)) {
                fprintf(stderr, "vigil attribute: too many --intel files (max %zu)\n",
                        VG_ARRAY_LEN(intel));
                return 1;
            }
            intel[n_intel++] = argv[++i];
        } else if (strcmp(a, "-l") == 0 && has_next) {
            logdir = argv[++i];
        } else if (strcmp(a, "--sponsors") == 0 && has_next) {
            sponsors = argv[++i];
        } else if (strcmp(a, "--window") == 0 && has_next) {
            if (vg_limits_set(&limits, "attribution.incident-window", argv[++i], err,
                              sizeof(err)) != VG_OK) {
                fprintf(stderr, "vigil attribute: --window %s: expected seconds\n", argv[i]);
                return 1;
            }
        } else if (strcmp(a, "--eval") == 0 && i + 2 < argc) {
            eval_attack = argv[++i];
            eval_dir = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vigil attribute: unknown or incomplete option '%s'\n", a);
            attribute_usage(stderr);
            return 1;
        } else {
            if (n_eve == VG_ARRAY_LEN(eves)) {
                fprintf(stderr, "vigil attribute: too many EVE files (max %zu)\n",
                        VG_ARRAY_LEN(eves));
                return 1;
            }
            eves[n_eve++] = a;
        }
    }
    if (eval_attack != NULL) {
        int rc = vg_attrib_eval_run(eval_attack, eval_dir, stdout, err, sizeof(err));
        if (rc != VG_OK) {
            fprintf(stderr, "vigil attribute --eval: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (n_eve == 0) {
        attribute_usage(stderr);
        return 1;
    }
    if (n_intel == 0)
        fprintf(stderr, "vigil attribute: no --intel given: no actors known, every incident "
                        "will be \"unknown actor\"\n");

    vg_attrib_kb_t *kb = vg_attrib_kb_new();
    if (kb == NULL) {
        fprintf(stderr, "vigil attribute: out of memory\n");
        return 1;
    }
    int status = 1;
    vg_attrib_engine_t *e = NULL;
    vg_intel_store_t *store = NULL;
    FILE *eve_out = NULL;
    char path[4096], stix_path[4096];
    /* STIX files feed the KB; what the KB cannot read (MISP, Zeek intel)
     * is left to the intel store below, and is an error only if neither
     * reads it. */
    bool has_iocs[VG_ARRAY_LEN(intel)], kb_ok[VG_ARRAY_LEN(intel)];
    static char kb_err[VG_ARRAY_LEN(intel)][VG_ERRBUF_SIZE];
    for (size_t i = 0; i < n_intel; i++) {
        size_t before = vg_attrib_kb_count(kb, 3);
        kb_ok[i] = vg_attrib_kb_load_stix(kb, intel[i], err, sizeof(err)) == VG_OK;
        snprintf(kb_err[i], sizeof(kb_err[i]), "%s", kb_ok[i] ? "" : err);
        has_iocs[i] = !kb_ok[i] || vg_attrib_kb_count(kb, 3) > before;
    }
    if (vg_attrib_kb_freeze(kb) != VG_OK) {
        fprintf(stderr, "vigil attribute: cannot build the knowledge base (out of memory)\n");
        goto out_kb;
    }
    if (sponsors == NULL)
        sponsors = vg_main_default_sponsors();
    if (sponsors != NULL && vg_attrib_kb_load_sponsors(kb, sponsors, err, sizeof(err)) != VG_OK)
        fprintf(stderr, "vigil attribute: %s (sponsor claims not shown)\n", err);
    fprintf(stderr, "vigil attribute: knowledge base: %zu intrusion sets, %zu techniques and "
                    "software, %zu campaigns, %zu indicators\n",
            vg_attrib_kb_count(kb, 0), vg_attrib_kb_count(kb, 1), vg_attrib_kb_count(kb, 2),
            vg_attrib_kb_count(kb, 3));
    /* The intel store matches what the KB's pattern subset cannot (JA3/JA4,
     * certificates, CIDRs, MISP and Zeek files); hits on the same indicator
     * are merged with the KB's. A file the store rejects only costs that. */
    store = vg_intel_store_new();
    if (store != NULL) {
        size_t loaded = 0;
        for (size_t i = 0; i < n_intel; i++) {
            /* an ATT&CK bundle has no indicators: it is not parsed twice */
            bool ok = has_iocs[i] && vg_intel_load_file(store, intel[i], VG_INTEL_FMT_AUTO, NULL,
                                                        NULL, err, sizeof(err)) == VG_OK;
            loaded += ok;
            if (!kb_ok[i] && !ok) {
                fprintf(stderr, "vigil attribute: %s\n", kb_err[i]);
                goto out_engine;
            }
        }
        if (loaded == 0 || vg_intel_store_freeze(store) != VG_OK) {
            vg_intel_store_free(store);
            store = NULL;
        }
    }
    e = vg_attrib_engine_new(kb, store, &limits);
    if (e == NULL) {
        fprintf(stderr, "vigil attribute: out of memory\n");
        goto out_kb;
    }
    for (size_t i = 0; i < n_eve; i++)
        if (feed_file(e, eves[i]) != VG_OK)
            goto out_engine;
    if (logdir != NULL) {
        if (mkdir(logdir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "vigil attribute: -l %s: %s\n", logdir, strerror(errno));
            goto out_engine;
        }
        snprintf(path, sizeof(path), "%s/attribution.json", logdir);
        snprintf(stix_path, sizeof(stix_path), "%s/attribution-stix.json", logdir);
        eve_out = fopen(path, "w");
        if (eve_out == NULL) {
            fprintf(stderr, "vigil attribute: %s: %s\n", path, strerror(errno));
            goto out_engine;
        }
    }
    vg_attrib_finish(e, eve_out ? write_line : NULL, eve_out, stdout,
                     logdir ? stix_path : NULL);
    vg_attrib_stats_t st;
    vg_attrib_engine_stats(e, &st);
    fprintf(stderr, "vigil attribute: %llu lines, %llu with evidence, %llu not JSON, %llu with "
                    "wrong member types, %llu incidents and %llu evidence units dropped at "
                    "limits\n",
            (unsigned long long)st.lines, (unsigned long long)st.evidence_records,
            (unsigned long long)st.json_errors, (unsigned long long)st.type_errors,
            (unsigned long long)st.incidents_dropped, (unsigned long long)st.units_dropped);
    status = 0;
    if (eve_out != NULL && fclose(eve_out) != 0)
        status = 1;
out_engine:
    vg_attrib_engine_free(e);
    vg_intel_store_free(store);
out_kb:
    vg_attrib_kb_free(kb);
    return status;
}
