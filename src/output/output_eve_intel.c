/* output_eve_intel.c - see output_eve_intel.h. */
#include "output/output_eve_intel.h"

#include <string.h>

/* A reference to a malware family or tool rather than an actor: the
 * store lists STIX `indicates` targets of those types, and MISP malware
 * galaxy tags, among an indicator's actors (src/intel/NOTES.md). */
static bool
software_ref(const char *id)
{
    static const char *const pre[] = {"malware--", "tool--", "misp-galaxy:malpedia=",
                                      "misp-galaxy:mitre-malware=", "misp-galaxy:mitre-tool=",
                                      "misp-galaxy:mitre-enterprise-attack-malware=",
                                      "misp-galaxy:mitre-enterprise-attack-tool="};
    for (size_t i = 0; id != NULL && i < sizeof(pre) / sizeof(pre[0]); i++)
        if (strncmp(id, pre[i], strlen(pre[i])) == 0)
            return true;
    return false;
}

void
vg_eve_intel_object_at(vg_jw_t *jw, const vg_indicator_t *ind, const char *where,
                       const char *seen_value, vg_time_us_t matched_at)
{
    vg_jw_open_object(jw, "intel");
    vg_jw_str(jw, "indicator", ind->value ? ind->value : "");
    vg_jw_str(jw, "indicator_type", vg_ioc_type_name(ind->type));
    vg_jw_str(jw, "zeek_type", vg_ioc_type_zeek_name(ind->type));
    if (ind->type == VG_IOC_IP && ind->port)
        vg_jw_uint(jw, "port", ind->port);
    vg_jw_open_object(jw, "seen");
    vg_jw_str(jw, "where", where ? where : "");
    if (seen_value)
        vg_jw_str(jw, "value", seen_value);
    vg_jw_close_object(jw);
    /* always present (DRL 1.1 attribution) */
    vg_jw_str(jw, "source", ind->source ? ind->source : "unknown");
    if (ind->id)
        vg_jw_str(jw, "indicator_id", ind->id);
    if (ind->confidence >= 0)
        vg_jw_int(jw, "confidence", ind->confidence);
    if (ind->valid_from)
        vg_jw_ts(jw, "valid_from", ind->valid_from);
    if (ind->valid_until)
        vg_jw_ts(jw, "valid_until", ind->valid_until);
    if (matched_at && ind->valid_until)
        vg_jw_bool(jw, "expired", vg_indicator_expired(ind, matched_at));
    if (ind->description)
        vg_jw_str(jw, "description", ind->description);
    if (ind->warning)
        vg_jw_str(jw, "warning", ind->warning);
    /* Added for marking definitions (additive): handling restrictions and
     * licence statements travel with the hit (read by attribution). */
    if (vg_tlp_name(ind->tlp) != NULL)
        vg_jw_str(jw, "tlp", vg_tlp_name(ind->tlp));
    if (ind->n_markings > 0 && ind->markings != NULL) {
        vg_jw_open_array(jw, "markings");
        for (size_t i = 0; i < ind->n_markings; i++)
            if (ind->markings[i] != NULL)
                vg_jw_str(jw, NULL, ind->markings[i]);
        vg_jw_close_array(jw);
    }
    if (ind->format == VG_INTEL_FMT_MISP)
        vg_jw_bool(jw, "to_ids", ind->to_ids);
    vg_jw_str(jw, "format", vg_intel_format_name(ind->format));
    if (ind->source_file)
        vg_jw_str(jw, "source_file", ind->source_file);
    vg_jw_open_array(jw, "actors");
    for (size_t i = 0; i < ind->n_actors; i++) {
        vg_jw_open_object(jw, NULL);
        if (ind->actors[i].id)
            vg_jw_str(jw, "id", ind->actors[i].id);
        if (ind->actors[i].name)
            vg_jw_str(jw, "name", ind->actors[i].name);
        vg_jw_close_object(jw);
    }
    vg_jw_close_array(jw);
    /* Added for attribution (additive): the malware/tool subset of
     * `actors`, so a reader need not know the id conventions. */
    size_t n_soft = 0;
    for (size_t i = 0; i < ind->n_actors; i++)
        n_soft += software_ref(ind->actors[i].id);
    if (n_soft > 0) {
        vg_jw_open_array(jw, "malware");
        for (size_t i = 0; i < ind->n_actors; i++) {
            if (!software_ref(ind->actors[i].id))
                continue;
            vg_jw_open_object(jw, NULL);
            vg_jw_str(jw, "id", ind->actors[i].id);
            if (ind->actors[i].name)
                vg_jw_str(jw, "name", ind->actors[i].name);
            vg_jw_close_object(jw);
        }
        vg_jw_close_array(jw);
    }
    if (matched_at)
        vg_jw_ts(jw, "matched_at", matched_at);
    vg_jw_close_object(jw);
}

void
vg_eve_intel_object(vg_jw_t *jw, const vg_indicator_t *ind, const char *where,
                    const char *seen_value)
{
    vg_eve_intel_object_at(jw, ind, where, seen_value, 0);
}
