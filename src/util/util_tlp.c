/* util_tlp.c - see util_tlp.h. */
#include "util/util_tlp.h"

#include <string.h>
#include <strings.h>

static const char *const tlp_names[] = {
    [VG_TLP_NONE] = NULL,           [VG_TLP_CLEAR] = "TLP:CLEAR",
    [VG_TLP_GREEN] = "TLP:GREEN",   [VG_TLP_AMBER] = "TLP:AMBER",
    [VG_TLP_AMBER_STRICT] = "TLP:AMBER+STRICT", [VG_TLP_RED] = "TLP:RED",
};

/* STIX 2.1 section 7.2.1.4 (TLP 1.0) and the OASIS TLP 2.0 extension's
 * marking definitions: producers reference them by id, often without
 * including the object. */
static const struct {
    const char *id;
    vg_tlp_t tlp;
} known_ids[] = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", VG_TLP_CLEAR}, /* TLP:WHITE */
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", VG_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", VG_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", VG_TLP_RED},
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", VG_TLP_CLEAR}, /* TLP 2.0 */
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", VG_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", VG_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", VG_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", VG_TLP_RED},
};

const char *
vg_tlp_name(vg_tlp_t t)
{
    return (unsigned)t < sizeof(tlp_names) / sizeof(tlp_names[0]) ? tlp_names[t] : NULL;
}

vg_tlp_t
vg_tlp_from_marking_id(const char *id)
{
    if (id == NULL)
        return VG_TLP_NONE;
    for (size_t i = 0; i < sizeof(known_ids) / sizeof(known_ids[0]); i++)
        if (strcmp(id, known_ids[i].id) == 0)
            return known_ids[i].tlp;
    return VG_TLP_NONE;
}

const char *
vg_tlp_marking_id(vg_tlp_t t)
{
    /* the TLP 2.0 ids: entries 4..8 above, in level order */
    if (t < VG_TLP_CLEAR || t > VG_TLP_RED)
        return NULL;
    return known_ids[4 + (t - VG_TLP_CLEAR)].id;
}

vg_tlp_t
vg_tlp_from_text(const char *s, size_t len)
{
    if (s == NULL)
        return VG_TLP_NONE;
    /* optional "tlp:" / "TLP:" prefix, surrounding spaces */
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= 4 && strncasecmp(s, "tlp:", 4) == 0) {
        s += 4;
        len -= 4;
    }
    static const struct {
        const char *word;
        vg_tlp_t tlp;
    } words[] = {
        {"clear", VG_TLP_CLEAR}, {"white", VG_TLP_CLEAR},        {"green", VG_TLP_GREEN},
        {"amber", VG_TLP_AMBER}, {"amber+strict", VG_TLP_AMBER_STRICT}, {"red", VG_TLP_RED},
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i].word) == len && strncasecmp(s, words[i].word, len) == 0)
            return words[i].tlp;
    return VG_TLP_NONE;
}
