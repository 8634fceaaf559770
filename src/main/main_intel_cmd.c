/* main_intel_cmd.c - `vigil intel check FILE...`: load intel files the way
 * the sensor does (--intel) and report what loads and what does not.
 *
 * Prints per-file notes (unsupported patterns, skipped objects) and a
 * summary by indicator type. Exit 0 when every file loaded, 1 when a file
 * could not be read/parsed or on a usage error.
 *
 * (Rewritten by the CLI engineer after an accidental overwrite of the
 * intel engineer's version; theirs supersedes this one.)
 */
#include "main/main.h"

#include "intel/intel.h"

#include <stdio.h>
#include <string.h>

static void
intel_cmd_note(void *user, const char *msg)
{
    (void)user;
    printf("  note: %s\n", msg);
}

int
vg_main_intel(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "vigil intel: usage: vigil intel check FILE...\n");
        return 1;
    }
    if (argc < 3) {
        fprintf(stderr, "vigil intel check: no file given, expected FILE...\n");
        return 1;
    }
    vg_intel_store_t *s = vg_intel_store_new();
    if (s == NULL) {
        fprintf(stderr, "vigil intel check: out of memory\n");
        return 1;
    }
    int status = 0;
    for (int i = 2; i < argc; i++) {
        char err[VG_ERRBUF_SIZE] = "";
        size_t before = vg_intel_store_count(s);
        printf("%s:\n", argv[i]);
        if (vg_intel_load_file(s, argv[i], VG_INTEL_FMT_AUTO, intel_cmd_note, NULL, err,
                               sizeof(err)) != VG_OK) {
            printf("  error: %s\n", err);
            status = 1;
            continue;
        }
        printf("  %zu indicators loaded (%s)\n", vg_intel_store_count(s) - before,
               vg_intel_format_name(vg_intel_store_report(s)->last_format));
    }
    vg_intel_store_freeze(s);
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    printf("total: %zu indicators from %zu files; skipped: %zu revoked, %zu expired, %zu "
           "duplicate, %zu invalid, %zu deleted; %zu unsupported patterns; %zu errors\n",
           r->indicators_loaded, r->files, r->indicators_skipped_revoked,
           r->indicators_skipped_expired, r->indicators_skipped_dup,
           r->indicators_skipped_invalid, r->indicators_skipped_deleted, r->patterns_unsupported,
           r->errors);
    for (int t = 0; t < VG_IOC_TYPE_MAX; t++)
        if (r->indicators_by_type[t])
            printf("  %-12s %zu\n", vg_ioc_type_name((vg_ioc_type_t)t), r->indicators_by_type[t]);
    if (r->indicators_with_actors)
        printf("  linked to actors: %zu indicators, %zu actors\n", r->indicators_with_actors,
               r->actors_named);
    vg_intel_store_free(s);
    return status;
}
