/* main_live_attrib.c - see main_live_attrib.h. The same engine as
 * `vigil attribute`, fed from the writer instead of from files. */
#include "main/main_live_attrib.h"
#include "attrib/attrib.h"
#include "core/core.h"
#include "vg_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vg_live_attrib {
    vg_attrib_kb_t *kb;
    vg_attrib_engine_t *engine;
};

const char *
vg_main_default_sponsors(void)
{
    static const char def[] = VG_SOURCE_ROOT "/data/actor-sponsors.json";
    return access(def, R_OK) == 0 ? def : NULL;
}

vg_live_attrib_t *
vg_live_attrib_new(const char *const *intel, size_t n_intel, const vg_intel_store_t *store,
                   const vg_limits_t *limits)
{
    if (n_intel == 0)
        return NULL;
    vg_live_attrib_t *la = calloc(1, sizeof(*la));
    if (la == NULL || (la->kb = vg_attrib_kb_new()) == NULL)
        goto fail;
    char err[VG_ERRBUF_SIZE];
    size_t stix_files = 0;
    for (size_t i = 0; i < n_intel; i++) {
        /* MISP and Zeek files are not STIX: they only feed the intel store,
         * which already loaded (and validated) every file. */
        if (vg_attrib_kb_load_stix(la->kb, intel[i], err, sizeof(err)) == VG_OK)
            stix_files++;
    }
    if (vg_attrib_kb_freeze(la->kb) != VG_OK)
        goto fail;
    const char *sponsors = vg_main_default_sponsors();
    if (sponsors != NULL && vg_attrib_kb_load_sponsors(la->kb, sponsors, err, sizeof(err)) != VG_OK)
        fprintf(stderr, "vigil: attribution: %s (sponsor claims not shown)\n", err);
    la->engine = vg_attrib_engine_new(la->kb, store, limits);
    if (la->engine == NULL)
        goto fail;
    /* The workers already match protocol records against the store and
     * write `intel` records; the engine reads those, not the raw records. */
    vg_attrib_engine_match_protocols(la->engine, false);
    fprintf(stderr, "vigil: attribution: %zu intrusion sets, %zu techniques and software from "
                    "%zu STIX file(s)\n",
            vg_attrib_kb_count(la->kb, 0), vg_attrib_kb_count(la->kb, 1), stix_files);
    return la;
fail:
    fprintf(stderr, "vigil: attribution: out of memory building the knowledge base\n");
    vg_live_attrib_free(la);
    return NULL;
}

void
vg_live_attrib_feed(vg_live_attrib_t *la, const char *line, size_t len)
{
    if (la != NULL)
        vg_attrib_feed_eve(la->engine, line, len);
}

size_t
vg_live_attrib_finish(vg_live_attrib_t *la, const char *logdir,
                      void (*write_line)(void *user, const char *line, size_t len), void *user)
{
    if (la == NULL)
        return 0;
    char txt[4096], stix[4096];
    snprintf(txt, sizeof(txt), "%s/attribution.txt", logdir ? logdir : ".");
    snprintf(stix, sizeof(stix), "%s/attribution-stix.json", logdir ? logdir : ".");
    FILE *text = fopen(txt, "w");
    if (text == NULL)
        fprintf(stderr, "vigil: attribution: %s: %s\n", txt, strerror(errno));
    size_t n = vg_attrib_finish(la->engine, write_line, user, text, stix);
    if (text != NULL) {
        fclose(text);
        fprintf(stderr, "vigil: attribution: %zu incident(s); report in %s\n", n, txt);
    }
    return n;
}

void
vg_live_attrib_free(vg_live_attrib_t *la)
{
    if (la == NULL)
        return;
    vg_attrib_engine_free(la->engine);
    vg_attrib_kb_free(la->kb);
    free(la);
}
