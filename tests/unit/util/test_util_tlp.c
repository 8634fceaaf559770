/* test_util_tlp.c - TLP levels from marking ids and text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "util/util_tlp.h"

static void
test_ids(void **state)
{
    (void)state;
    /* TLP 1.0 ids of STIX 2.1 section 7.2.1.4 (WHITE is CLEAR in TLP 2.0) */
    assert_int_equal(vg_tlp_from_marking_id("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
                     VG_TLP_CLEAR);
    assert_int_equal(vg_tlp_from_marking_id("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
                     VG_TLP_GREEN);
    assert_int_equal(vg_tlp_from_marking_id("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"),
                     VG_TLP_AMBER);
    assert_int_equal(vg_tlp_from_marking_id("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"),
                     VG_TLP_RED);
    /* TLP 2.0 extension ids */
    assert_int_equal(vg_tlp_from_marking_id("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"),
                     VG_TLP_AMBER_STRICT);
    /* a statement marking is no TLP level */
    assert_int_equal(vg_tlp_from_marking_id("marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"),
                     VG_TLP_NONE);
    assert_int_equal(vg_tlp_from_marking_id(NULL), VG_TLP_NONE);
    /* what vigil writes maps back to the same level */
    for (vg_tlp_t t = VG_TLP_CLEAR; t <= VG_TLP_RED; t++)
        assert_int_equal(vg_tlp_from_marking_id(vg_tlp_marking_id(t)), t);
    assert_null(vg_tlp_marking_id(VG_TLP_NONE));
}

static void
test_text(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        vg_tlp_t t;
    } c[] = {
        {"tlp:amber", VG_TLP_AMBER},   {"TLP:AMBER+STRICT", VG_TLP_AMBER_STRICT},
        {"white", VG_TLP_CLEAR},       {"TLP:CLEAR", VG_TLP_CLEAR},
        {" tlp:red ", VG_TLP_RED},     {"Green", VG_TLP_GREEN},
        {"tlp:ex:chr", VG_TLP_NONE},   {"amber+", VG_TLP_NONE},
        {"", VG_TLP_NONE},             {"tlp:", VG_TLP_NONE},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        if (vg_tlp_from_text(c[i].s, strlen(c[i].s)) != c[i].t)
            fail_msg("'%s': %d, expected %d", c[i].s, vg_tlp_from_text(c[i].s, strlen(c[i].s)),
                     c[i].t);
    /* length-bounded: "tlp:redacted" cut at 7 bytes is "tlp:red" */
    assert_int_equal(vg_tlp_from_text("tlp:redacted", 7), VG_TLP_RED);
    assert_int_equal(vg_tlp_from_text("tlp:redacted", 12), VG_TLP_NONE);
    assert_string_equal(vg_tlp_name(VG_TLP_AMBER_STRICT), "TLP:AMBER+STRICT");
    assert_null(vg_tlp_name(VG_TLP_NONE));
    assert_int_equal(vg_tlp_max(VG_TLP_GREEN, VG_TLP_RED), VG_TLP_RED);
    assert_int_equal(vg_tlp_max(VG_TLP_NONE, VG_TLP_CLEAR), VG_TLP_CLEAR);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
