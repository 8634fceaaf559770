/* Shared by the attribution unit tests: the fixture KB. */
#ifndef TEST_ATTRIB_COMMON_H
#define TEST_ATTRIB_COMMON_H

#include "attrib/attrib_int.h"

static VG_UNUSED vg_attrib_kb_t *
fixture_kb(void)
{
    char err[VG_ERRBUF_SIZE];
    vg_attrib_kb_t *kb = vg_attrib_kb_new();
    assert_non_null(kb);
    int rc = vg_attrib_kb_load_stix(kb, ATTRIB_FIXTURE, err, sizeof(err));
    if (rc != VG_OK)
        fail_msg("fixture: %s", err);
    assert_int_equal(vg_attrib_kb_freeze(kb), VG_OK);
    return kb;
}

/* The fixture plus fixture_families.json (loaded before the freeze). */
static VG_UNUSED vg_attrib_kb_t *
fixture_kb_families(void)
{
    char err[VG_ERRBUF_SIZE];
    vg_attrib_kb_t *kb = vg_attrib_kb_new();
    assert_non_null(kb);
    if (vg_attrib_kb_load_stix(kb, ATTRIB_FIXTURE, err, sizeof(err)) != VG_OK ||
        vg_attrib_kb_load_stix(kb, ATTRIB_FIXTURE_FAMILIES, err, sizeof(err)) != VG_OK)
        fail_msg("fixture: %s", err);
    assert_int_equal(vg_attrib_kb_freeze(kb), VG_OK);
    return kb;
}

static VG_UNUSED attrib_unit_t
item_unit_of(const vg_attrib_kb_t *kb, const char *ext)
{
    attrib_unit_t u;
    memset(&u, 0, sizeof(u));
    u.item = attrib_kb_find_item_ext(kb, ext);
    assert_true(u.item >= 0);
    u.type = kb->items[u.item].kind == ATTRIB_ITEM_SOFT ? ATTRIB_EV_SOFTWARE : ATTRIB_EV_TECHNIQUE;
    u.confidence = -1;
    snprintf(u.key, sizeof(u.key), "%s", ext);
    return u;
}

static VG_UNUSED attrib_unit_t
ioc_unit_of(int group, const char *key, bool vendor)
{
    attrib_unit_t u;
    memset(&u, 0, sizeof(u));
    u.type = ATTRIB_EV_INDICATOR;
    u.item = -1;
    u.confidence = -1;
    u.vendor = vendor;
    u.n_sources = 1;
    snprintf(u.ioc_type, sizeof(u.ioc_type), "domain");
    snprintf(u.key, sizeof(u.key), "%s", key);
    u.groups[0] = group;
    u.n_groups = 1;
    return u;
}

#endif
