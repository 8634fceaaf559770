/* Unit tests for attrib_kb.c: loading, lookups, profiles with exclusions,
 * indicator index, network observability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_attrib_common.h"

static void
test_counts_and_lookups(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    assert_int_equal(vg_attrib_kb_count(kb, 0), 3);  /* groups */
    assert_int_equal(vg_attrib_kb_count(kb, 1), 8);  /* 5 techniques (revoked skipped) + 3 sw */
    assert_int_equal(vg_attrib_kb_count(kb, 2), 1);
    assert_int_equal(vg_attrib_kb_count(kb, 3), 7);
    int ga = attrib_kb_find_group(kb, "G9001");
    assert_true(ga >= 0);
    assert_int_equal(attrib_kb_find_group(kb, "fancy test"), ga);
    assert_int_equal(attrib_kb_find_group(kb, "ALPHA-BEAR"), ga);
    assert_int_equal(attrib_kb_find_group(kb, "intrusion-set--20000001-0000-4000-8000-000000000000"),
                     ga);
    assert_int_equal(attrib_kb_find_group(kb, "nobody"), -1);
    assert_int_equal(attrib_kb_find_item_ext(kb, "T1999"), -1); /* revoked */
    int s = attrib_kb_find_software(kb, "alpha backdoor");
    assert_true(s >= 0);
    assert_string_equal(kb->items[s].ext, "S9001");
    assert_int_equal(attrib_kb_find_software(kb, "S9001"), s);
    assert_int_equal(attrib_kb_find_software(kb, "T1105"), -1); /* a technique is not software */
    vg_attrib_kb_free(kb);
}

static void
test_techniques(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    int sub = attrib_kb_find_item_ext(kb, "T1071.001"), par = attrib_kb_find_item_ext(kb, "T1071");
    assert_int_equal(kb->items[sub].parent, par);
    assert_int_equal(kb->items[par].parent, -1);
    assert_true(kb->items[sub].net);
    assert_false(kb->items[attrib_kb_find_item_ext(kb, "T1059")].net);
    const char *c2[] = {"command-and-control"};
    assert_true(attrib_technique_is_net("T1234", c2, 1));
    assert_true(attrib_technique_is_net("T1190", NULL, 0));
    assert_true(attrib_technique_is_net("T1021.002", NULL, 0));
    assert_false(attrib_technique_is_net("T1583.006", NULL, 0));
    assert_false(attrib_technique_is_net(NULL, NULL, 0));
    vg_attrib_kb_free(kb);
}

static void
test_profiles(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    const attrib_profiles_t *p = &kb->prof;
    size_t ni = p->n_items;
    int ga = attrib_kb_find_group(kb, "G9001"), gb = attrib_kb_find_group(kb, "G9002");
    int t1572 = attrib_kb_find_item_ext(kb, "T1572"), t1071 = attrib_kb_find_item_ext(kb, "T1071");
    int cs = attrib_kb_find_software(kb, "Cobalt Strike");
    /* the attributed campaign's use joins the group's profile */
    assert_int_equal(p->mem[(size_t)ga * ni + (size_t)t1572], 1);
    assert_int_equal(p->mem[(size_t)gb * ni + (size_t)t1572], 0);
    /* software -> technique is not expanded into the profile */
    assert_int_equal(p->mem[(size_t)ga * ni + (size_t)t1071], 0);
    /* ... but the parent roll-up knows GA uses some T1071 */
    assert_int_equal(p->par[(size_t)ga * ni + (size_t)t1071], 1);
    assert_int_equal(p->df[cs], 3);
    assert_int_equal(p->size[ga], 5);

    /* leave the campaign out */
    attrib_profiles_t q;
    assert_int_equal(attrib_profiles_build(kb, 0, NULL, 0, &q), VG_OK);
    assert_int_equal(q.mem[(size_t)ga * ni + (size_t)t1572], 0);
    attrib_profiles_fini(&q);
    /* leave a relationship out by id (GA uses AlphaRAT is the 3rd) */
    attrib_map_t skip;
    attrib_map_init(&skip);
    attrib_map_put(&skip, "relationship--60000003-0000-4000-8000-000000000000", 1);
    assert_int_equal(attrib_profiles_build(kb, -1, &skip, 0, &q), VG_OK);
    int alpha = attrib_kb_find_software(kb, "AlphaRAT");
    assert_int_equal(q.mem[(size_t)ga * ni + (size_t)alpha], 0);
    assert_int_equal(q.df[alpha], 0);
    attrib_profiles_fini(&q);
    attrib_map_fini(&skip);
    /* as-of: the campaign use was created in 2021 */
    assert_int_equal(attrib_profiles_build(kb, -1, NULL, 1577836800000000LL + 86400000000LL, &q),
                     VG_OK);
    assert_int_equal(q.mem[(size_t)ga * ni + (size_t)t1572], 0);
    assert_int_equal(q.mem[(size_t)ga * ni + (size_t)alpha], 1);
    attrib_profiles_fini(&q);
    vg_attrib_kb_free(kb);
}

static void
test_indicators(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    int ga = attrib_kb_find_group(kb, "G9001"), gb = attrib_kb_find_group(kb, "G9002");
    int i = attrib_kb_ioc_first(kb, VG_IOC_DOMAIN, "alpha-c2.example");
    assert_true(i >= 0);
    assert_int_equal(kb->iocs[i].n_groups, 1);
    assert_int_equal(kb->iocs[i].groups[0], ga);
    assert_string_equal(kb->iocs[i].source, "ESET");
    assert_true(kb->iocs[i].vendor);
    i = attrib_kb_ioc_first(kb, VG_IOC_DOMAIN, "shared.example");
    assert_int_equal(kb->iocs[i].n_groups, 2);
    assert_int_equal(kb->iocs[i].groups[1], gb);
    assert_false(kb->iocs[i].vendor);
    i = attrib_kb_ioc_first(kb, VG_IOC_DOMAIN, "dyn.example-ddns.net");
    assert_non_null(kb->iocs[i].warning);
    i = attrib_kb_ioc_first(kb, VG_IOC_IP, "203.0.113.9");
    assert_int_equal(kb->iocs[i].port, 8443);
    assert_true(attrib_kb_ioc_first(kb, VG_IOC_URL, "http://alpha-c2.example/gate.php") >= 0);
    assert_int_equal(attrib_kb_ioc_first(kb, VG_IOC_DOMAIN, "nothing.example"), -1);
    vg_attrib_kb_free(kb);
}

/* Indicators that `indicate` malware/tools keep the family; vendor malware
 * objects resolve to ATT&CK software by name when they can. */
static void
test_indicator_families(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb_families();
    int alpha = attrib_kb_find_item_ext(kb, "S9001");
    int cs = attrib_kb_find_item_ext(kb, "S0154");
    /* name decorations feeds use */
    assert_int_equal(attrib_kb_resolve_family(kb, "AlphaRAT"), alpha);
    assert_int_equal(attrib_kb_resolve_family(kb, "alpha backdoor"), alpha);  /* alias */
    assert_int_equal(attrib_kb_resolve_family(kb, "S9001"), alpha);
    assert_int_equal(attrib_kb_resolve_family(kb, "AlphaRAT - S9001"), alpha); /* MISP mitre-* */
    assert_int_equal(attrib_kb_resolve_family(kb, "Other Name - S9001"), alpha);
    assert_int_equal(attrib_kb_resolve_family(kb, "AlphaRAT Variant"), alpha);
    assert_int_equal(attrib_kb_resolve_family(kb, "AlphaRAT Variant (0123abcd)"), alpha);
    assert_int_equal(attrib_kb_resolve_family(kb, "Packet Tool (Cobalt Strike)"), cs);
    assert_int_equal(attrib_kb_resolve_family(kb, "Zeta Door"), -1);
    assert_int_equal(attrib_kb_resolve_family(kb, "T1105"), -1); /* a technique is no family */
    assert_int_equal(attrib_kb_resolve_family(kb, "Alpha"), -1);  /* no prefix matching */
    assert_int_equal(attrib_kb_resolve_family(kb, ""), -1);
    assert_int_equal(attrib_kb_resolve_family(kb, NULL), -1);

    struct { const char *dom; int n_groups; int item; const char *name; } want[] = {
        {"alpha-fam.example", 0, alpha, "AlphaRAT"},
        {"cs-fam.example", 0, cs, "Cobalt Strike"},
        {"vendor-fam.example", 0, alpha, "AlphaRAT Variant (0123abcd)"},
        {"zeta-fam.example", 0, -1, "Zeta Door"},
        {"alpha-both.example", 1, alpha, "AlphaRAT"},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(want); i++) {
        int c = attrib_kb_ioc_first(kb, VG_IOC_DOMAIN, want[i].dom);
        assert_true(c >= 0);
        const attrib_ioc_t *ic = &kb->iocs[c];
        assert_int_equal(ic->n_groups, want[i].n_groups);
        assert_int_equal(ic->n_families, 1);
        const attrib_family_t *f = &kb->fams[ic->families[0]];
        assert_int_equal(f->item, want[i].item);
        assert_string_equal(f->name, want[i].name);
    }
    /* ATT&CK's own malware objects are families too, and are their item */
    int fa = attrib_kb_find_family(kb, "malware--10000001-0000-4000-8000-000000000000");
    assert_true(fa >= 0);
    assert_int_equal(kb->fams[fa].item, alpha);
    assert_int_equal(attrib_kb_find_family(kb, "malware--nope"), -1);
    /* the families file adds two Cobalt Strike users: 5 of 5 groups */
    assert_int_equal(kb->prof.df[cs], 5);
    vg_attrib_kb_free(kb);
}

static void
test_bad_files(void **state)
{
    (void)state;
    char err[VG_ERRBUF_SIZE];
    vg_attrib_kb_t *kb = vg_attrib_kb_new();
    assert_int_not_equal(vg_attrib_kb_load_stix(kb, "/nonexistent/x.json", err, sizeof(err)),
                         VG_OK);
    assert_int_equal(vg_attrib_kb_freeze(kb), VG_OK);
    /* frozen: no more loading */
    assert_int_equal(vg_attrib_kb_load_stix(kb, ATTRIB_FIXTURE, err, sizeof(err)), VG_EINVAL);
    assert_int_equal(vg_attrib_kb_count(kb, 0), 0);
    vg_attrib_kb_free(kb);
}

static void
test_map(void **state)
{
    (void)state;
    attrib_map_t m;
    attrib_map_init(&m);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(attrib_map_put(&m, key, i), VG_OK);
    }
    assert_int_equal(attrib_map_get(&m, "k777"), 777);
    assert_int_equal(attrib_map_put(&m, "k777", 1), VG_OK); /* put keeps the first */
    assert_int_equal(attrib_map_get(&m, "k777"), 777);
    assert_int_equal(attrib_map_set(&m, "k777", 1), VG_OK);
    assert_int_equal(attrib_map_get(&m, "k777"), 1);
    assert_int_equal(attrib_map_get(&m, "k1000"), -1);
    assert_int_equal(attrib_map_getn(&m, "k12xyz", 3), 12);
    attrib_map_fini(&m);
    char out[16];
    attrib_norm_name("APT 28 / Sofacy!", out, sizeof(out));
    assert_string_equal(out, "apt28sofacy");
    attrib_norm_name("a very long name indeed", out, 5);
    assert_string_equal(out, "aver"); /* bounded, NUL-terminated */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_lookups), cmocka_unit_test(test_techniques),
        cmocka_unit_test(test_profiles),           cmocka_unit_test(test_indicators),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_indicator_families),          cmocka_unit_test(test_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
