/* Unit tests for attrib_score.c: bands, item weights, monotonicity, caps
 * and guards (single type, dominant type, conflict), commodity tools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_attrib_common.h"

static void
test_bands(void **state)
{
    (void)state;
    assert_string_equal(attrib_icd_word(0.01), "almost no chance");
    assert_string_equal(attrib_icd_word(0.05), "very unlikely");
    assert_string_equal(attrib_icd_word(0.19), "very unlikely");
    assert_string_equal(attrib_icd_word(0.20), "unlikely");
    assert_string_equal(attrib_icd_word(0.50), "roughly even chance");
    assert_string_equal(attrib_icd_word(0.56), "likely");
    assert_string_equal(attrib_icd_word(0.80), "very likely");
    assert_string_equal(attrib_icd_word(0.96), "almost certain");
    static const double p[] = {0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.97};
    static const int want[] = {5, 15, 30, 50, 70, 85, 95};
    for (size_t i = 0; i < VG_ARRAY_LEN(p); i++)
        assert_int_equal(attrib_stix_confidence(p[i]), want[i]);
}

static void
test_item_llr(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    size_t ga = (size_t)attrib_kb_find_group(kb, "G9001");
    size_t gc = (size_t)attrib_kb_find_group(kb, "G9003");
    int sub = attrib_kb_find_item_ext(kb, "T1071.001"), par = attrib_kb_find_item_ext(kb, "T1071");
    int t1105 = attrib_kb_find_item_ext(kb, "T1105");
    int alpha = attrib_kb_find_software(kb, "AlphaRAT");
    int cs = attrib_kb_find_software(kb, "Cobalt Strike");
    double member = attrib_item_llr(kb, &kb->prof, &p, ga, sub);
    double parent_only = attrib_item_llr(kb, &kb->prof, &p, ga, par);
    double missing = attrib_item_llr(kb, &kb->prof, &p, gc, sub);
    assert_true(member > parent_only);
    assert_true(parent_only > 0);
    assert_true(missing < 0);
    /* rarer item weighs more: AlphaRAT (1 group, software) > T1105 (2 groups) */
    assert_true(attrib_item_llr(kb, &kb->prof, &p, ga, alpha) >
                attrib_item_llr(kb, &kb->prof, &p, ga, t1105));
    /* a tool every group uses weighs little (the commodity damping itself
     * needs >= 5 users; the end-to-end test covers Cobalt Strike in ATT&CK) */
    assert_true(attrib_item_llr(kb, &kb->prof, &p, ga, cs) < 0.5);
    assert_true(attrib_item_llr(kb, &kb->prof, &p, ga, cs) <
                attrib_item_llr(kb, &kb->prof, &p, ga, alpha) / 3);
    vg_attrib_kb_free(kb);
}

static double
p_of(const attrib_result_t *r, int g)
{
    for (size_t i = 0; i < r->n_top; i++)
        if (r->top[i].group == g)
            return r->top[i].prob;
    return 0;
}

static void
test_monotone_indicators(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    int ga = attrib_kb_find_group(kb, "G9001");
    attrib_unit_t u[8];
    double last = 0;
    for (int n = 1; n <= 6; n++) {
        char key[16];
        snprintf(key, sizeof(key), "ioc%d", n);
        u[n - 1] = ioc_unit_of(ga, key, true);
        attrib_result_t r;
        assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, (size_t)n, &r, NULL), VG_OK);
        double pg = p_of(&r, ga);
        assert_true(pg >= last); /* more agreeing indicators never lower it */
        last = pg;
        /* guard: one evidence type alone never goes above "likely" */
        assert_true(r.p_judged <= 0.79 + 1e-9);
        if (r.judged == ga && pg > 0.79) {
            assert_true(r.flags & ATTRIB_FLAG_SINGLE_TYPE);
            assert_string_equal(r.word, "likely");
            assert_int_equal(r.stix_confidence, 70);
        }
        attrib_result_fini(&r);
    }
    assert_true(last > 0.79); /* the raw posterior did get there */
    vg_attrib_kb_free(kb);
}

static void
test_two_types_agree(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    p.temperature = 1.0;
    int ga = attrib_kb_find_group(kb, "G9001");
    attrib_unit_t u[4];
    u[0] = ioc_unit_of(ga, "a", true);
    u[1] = ioc_unit_of(ga, "b", true);
    u[2] = item_unit_of(kb, "S9001");
    u[3] = item_unit_of(kb, "T1572");
    attrib_result_t r;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, 4, &r, NULL), VG_OK);
    assert_int_equal(r.judged, ga);
    assert_true(r.n_types_for >= 2);
    assert_true(r.p_judged > 0.79);
    assert_string_equal(r.analytic, "high");
    assert_false(r.flags & ATTRIB_FLAG_SINGLE_TYPE);
    assert_non_null(r.unit_llr);
    assert_true(r.unit_llr[2] > 0);
    attrib_result_fini(&r);
    vg_attrib_kb_free(kb);
}

static void
test_commodity_alone_is_unknown(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    attrib_unit_t u[2];
    u[0] = item_unit_of(kb, "S0154");
    u[1] = item_unit_of(kb, "T1105");
    attrib_result_t r;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, 2, &r, NULL), VG_OK);
    assert_int_equal(r.judged, -1);
    assert_true(r.p_unknown > 0.4);
    attrib_result_fini(&r);
    /* no evidence at all: unknown, with the prior */
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, 0, &r, NULL), VG_OK);
    assert_int_equal(r.judged, -1);
    assert_true(r.p_unknown >= 0.5 - 1e-9 && r.p_unknown <= 0.5 + 1e-9);
    attrib_result_fini(&r);
    vg_attrib_kb_free(kb);
}

static void
test_conflict_flags_false_flag(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    p.temperature = 1.0;
    p.w_software = 3.0; /* three groups only: make one family strong enough to conflict */
    int ga = attrib_kb_find_group(kb, "G9001"), gb = attrib_kb_find_group(kb, "G9002");
    attrib_unit_t u[3];
    u[0] = ioc_unit_of(ga, "a", true);
    u[1] = ioc_unit_of(ga, "b", true);
    u[2] = item_unit_of(kb, "S9002"); /* BetaLoader: only Beta Group */
    attrib_result_t r;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, 3, &r, NULL), VG_OK);
    assert_true(r.judged == ga || r.judged == gb);
    assert_true(r.flags & ATTRIB_FLAG_FALSE_FLAG);
    assert_true(r.p_judged <= 0.55 + 1e-9);
    assert_string_equal(r.analytic, "low");
    assert_int_equal(r.conflict_group, r.judged == ga ? gb : ga);
    attrib_result_fini(&r);
    vg_attrib_kb_free(kb);
}

static void
test_shared_and_warninglisted(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    int ga = attrib_kb_find_group(kb, "G9001"), gb = attrib_kb_find_group(kb, "G9002");
    attrib_unit_t one = ioc_unit_of(ga, "x", false), shared = one, warn = one;
    shared.groups[1] = gb;
    shared.n_groups = 2;
    warn.warning = true;
    attrib_result_t r1, r2, r3;
    attrib_score_units(kb, &kb->prof, &p, &one, 1, &r1, NULL);
    attrib_score_units(kb, &kb->prof, &p, &shared, 1, &r2, NULL);
    attrib_score_units(kb, &kb->prof, &p, &warn, 1, &r3, NULL);
    assert_true(p_of(&r2, ga) < p_of(&r1, ga)); /* split between two claimants */
    assert_true(r2.flags & ATTRIB_FLAG_SHARED_INDICATOR);
    assert_true(p_of(&r3, ga) < p_of(&r1, ga)); /* shared hosting / DDNS weighs less */
    assert_true(r3.flags & ATTRIB_FLAG_WARNINGLIST);
    /* an expired indicator weighs less than a live one */
    attrib_unit_t exp = one;
    exp.expired = true;
    attrib_result_t r4;
    attrib_score_units(kb, &kb->prof, &p, &exp, 1, &r4, NULL);
    assert_true(p_of(&r4, ga) < p_of(&r1, ga));
    attrib_result_fini(&r1);
    attrib_result_fini(&r2);
    attrib_result_fini(&r3);
    attrib_result_fini(&r4);
    vg_attrib_kb_free(kb);
}

static void
test_net_only_and_subtechnique_unit(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    int gb = attrib_kb_find_group(kb, "G9002");
    attrib_unit_t u[2];
    u[0] = item_unit_of(kb, "T1059"); /* execution: not network-observable */
    attrib_result_t a, b;
    attrib_score_units(kb, &kb->prof, &p, u, 1, &a, NULL);
    p.net_only = false;
    attrib_score_units(kb, &kb->prof, &p, u, 1, &b, NULL);
    assert_true(p_of(&b, gb) > p_of(&a, gb));
    attrib_result_fini(&a);
    attrib_result_fini(&b);
    /* T1071 + T1071.001 count once: same result as T1071.001 alone */
    p.net_only = true;
    u[0] = item_unit_of(kb, "T1071.001");
    u[1] = item_unit_of(kb, "T1071");
    attrib_score_units(kb, &kb->prof, &p, u, 1, &a, NULL);
    attrib_score_units(kb, &kb->prof, &p, u, 2, &b, NULL);
    assert_true(p_of(&a, gb) == p_of(&b, gb));
    attrib_result_fini(&a);
    attrib_result_fini(&b);
    vg_attrib_kb_free(kb);
}

static void
test_time_window_soft(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    attrib_params_t p;
    attrib_params_default(&p);
    int ga = attrib_kb_find_group(kb, "G9001");
    attrib_unit_t in = ioc_unit_of(ga, "a", true), out = in;
    in.first = in.last = 1551398400000000LL;  /* 2019-03-01: inside C9001's window */
    out.first = out.last = 1735689600000000LL; /* 2025-01-01: years after it */
    attrib_result_t a, b;
    attrib_score_units(kb, &kb->prof, &p, &in, 1, &a, NULL);
    attrib_score_units(kb, &kb->prof, &p, &out, 1, &b, NULL);
    assert_int_equal(a.judged, ga);
    assert_int_equal(a.time_campaign, 0);
    assert_true(a.time_llr > 0);
    assert_int_equal(b.time_campaign, -1);
    assert_true(p_of(&a, ga) > p_of(&b, ga));
    /* soft: it does not count as an evidence type */
    assert_int_equal(a.n_types_for, b.n_types_for);
    attrib_result_fini(&a);
    attrib_result_fini(&b);
    vg_attrib_kb_free(kb);
}

/* An indicator hit that names both a group and its rare family is one
 * observation: the derived software unit moves the posterior but does not
 * count as a second evidence type, so the judgement stays at most
 * "likely". The same family seen independently (rule metadata) does count. */
static void
test_indicator_family_one_observation(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb_families();
    attrib_params_t p;
    attrib_params_default(&p);
    p.temperature = 1.0; /* the fixture's profiles are tiny: untempered weights */
    int ga = attrib_kb_find_group(kb, "G9001");
    attrib_unit_t u[2];
    u[0] = ioc_unit_of(ga, "indicator--both", true);
    u[1] = item_unit_of(kb, "S9001");
    attrib_result_t r_ind, r_der, r_indep;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, 1, &r_ind, NULL), VG_OK);
    u[1].from_indicator = true;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, 2, &r_der, NULL), VG_OK);
    u[1].from_indicator = false;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, u, 2, &r_indep, NULL), VG_OK);
    /* the family raises the group in both readings */
    assert_int_equal(r_der.judged, ga);
    assert_true(r_der.top[0].logodds > r_ind.top[0].logodds + 0.5);
    assert_true(r_der.top[0].logodds == r_indep.top[0].logodds);
    /* derived: one type, capped at "likely" */
    assert_int_equal(r_der.n_types_for, 1);
    assert_true(r_der.p_judged <= 0.79);
    assert_true(r_der.flags & ATTRIB_FLAG_SINGLE_TYPE);
    assert_string_equal(r_der.analytic, "moderate"); /* one type, vendor indicator */
    /* independent: two agreeing types lift it above "likely" */
    assert_int_equal(r_indep.n_types_for, 2);
    assert_true(r_indep.p_judged > 0.79);
    assert_false(r_indep.flags & ATTRIB_FLAG_SINGLE_TYPE);
    attrib_result_fini(&r_ind);
    attrib_result_fini(&r_der);
    attrib_result_fini(&r_indep);

    /* a derived family plus an independent technique: two types */
    attrib_unit_t v[3];
    v[0] = ioc_unit_of(ga, "indicator--both", true);
    v[1] = item_unit_of(kb, "S9001");
    v[1].from_indicator = true;
    v[2] = item_unit_of(kb, "T1071.001");
    attrib_result_t r2;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, v, 3, &r2, NULL), VG_OK);
    assert_int_equal(r2.judged, ga);
    assert_int_equal(r2.n_types_for, 2); /* indicator (+ its family) and the technique */
    attrib_result_fini(&r2);

    /* an indicator of another group linking Alpha's family is one (odd)
     * observation, not a conflict between two types */
    int gb = attrib_kb_find_group(kb, "G9002");
    attrib_unit_t w[2];
    w[0] = ioc_unit_of(gb, "indicator--odd", true);
    w[1] = item_unit_of(kb, "S9001");
    w[1].from_indicator = true;
    attrib_result_t r3;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, w, 2, &r3, NULL), VG_OK);
    assert_false(r3.flags & ATTRIB_FLAG_FALSE_FLAG);
    w[1].from_indicator = false; /* seen independently: a real conflict */
    attrib_result_t r4;
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, w, 2, &r4, NULL), VG_OK);
    assert_true(r4.flags & ATTRIB_FLAG_FALSE_FLAG);
    attrib_result_fini(&r3);
    attrib_result_fini(&r4);
    vg_attrib_kb_free(kb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bands),
        cmocka_unit_test(test_item_llr),
        cmocka_unit_test(test_monotone_indicators),
        cmocka_unit_test(test_two_types_agree),
        cmocka_unit_test(test_commodity_alone_is_unknown),
        cmocka_unit_test(test_conflict_flags_false_flag),
        cmocka_unit_test(test_shared_and_warninglisted),
        cmocka_unit_test(test_net_only_and_subtechnique_unit),
        cmocka_unit_test(test_time_window_soft),
        cmocka_unit_test(test_indicator_family_one_observation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
