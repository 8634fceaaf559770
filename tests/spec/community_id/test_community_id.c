/* Community ID v1 against the published test vectors.
 *
 * Vectors copied from corelight/community-id-spec, baseline/baseline_deflt.json
 * (seed 0) and baseline/baseline_seed1.json (seed 1), commit c4ec2bc4. For
 * ICMP/ICMPv6 the baseline's "sport"/"dport" are the message type/code as
 * the generator read them from the pcaps; vg_flow_community_id_raw takes
 * (type, code) for ICMP and applies the spec's port-equivalent mapping, which
 * gives the same values for every vector below. "null" ports (RSVP, proto
 * 46) are protocols without ports.
 *
 * Plus the two community_id values asserted by suricata-verify
 * (tests/community-id-ipv4 with community-id-seed 7, tests/community-id-sameip
 * with seed 1), copied from their test.yaml.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "flow/flow.h"
#include "../../unit/flow/flow_test_pkt.h"

typedef struct vec {
    uint8_t proto;
    const char *saddr, *daddr;
    uint16_t sport, dport;
    const char *deflt;  /* seed 0 */
    const char *seed1;  /* seed 1 */
} vec_t;

static const vec_t vecs[] = {
    { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
      "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
    { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
      "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
    { 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
      "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
    { 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135,
      "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
    { 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
      "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
    { 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
      "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
    { 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129,
      "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
    { 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128,
      "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
    { 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134,
      "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
    { 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133,
      "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
    { 1, "192.168.0.89", "192.168.0.1", 8, 0,
      "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
    { 1, "192.168.0.1", "192.168.0.89", 0, 8,
      "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
    { 1, "10.0.0.1", "10.0.0.2", 11, 0,
      "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
    { 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
      "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
    { 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
      "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
    { 132, "192.168.170.8", "192.168.170.56", 7, 7,
      "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
    { 132, "192.168.170.56", "192.168.170.8", 7, 7,
      "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
    { 6, "128.232.110.120", "66.35.250.204", 34855, 80,
      "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
    { 6, "66.35.250.204", "128.232.110.120", 80, 34855,
      "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
    { 17, "192.168.1.52", "8.8.8.8", 54585, 53,
      "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
    { 17, "8.8.8.8", "192.168.1.52", 53, 54585,
      "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
    { 46, "10.1.12.1", "10.1.12.2", 0, 0,
      "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
    { 46, "10.1.12.2", "10.1.12.1", 0, 0,
      "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

static void
test_baseline(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
        const vec_t *v = &vecs[i];
        vg_addr_t s = tp_addr(v->saddr), d = tp_addr(v->daddr);
        char out[40];
        vg_flow_community_id_raw(&s, &d, v->sport, v->dport, v->proto, 0, out, sizeof(out));
        if (strcmp(out, v->deflt) != 0)
            fprintf(stderr, "vector %zu seed 0: got %s want %s\n", i, out, v->deflt);
        assert_string_equal(out, v->deflt);
        vg_flow_community_id_raw(&s, &d, v->sport, v->dport, v->proto, 1, out, sizeof(out));
        if (strcmp(out, v->seed1) != 0)
            fprintf(stderr, "vector %zu seed 1: got %s want %s\n", i, out, v->seed1);
        assert_string_equal(out, v->seed1);
    }
}

static void
test_suricata_verify(void **state)
{
    (void)state;
    char out[40];
    /* suricata-verify tests/community-id-ipv4/test.yaml (seed 7) */
    vg_addr_t s = tp_addr("172.26.0.39"), d = tp_addr("172.217.14.206");
    vg_flow_community_id_raw(&s, &d, 35958, 443, 6, 7, out, sizeof(out));
    assert_string_equal(out, "1:IwiTNfuO7aCaamMijl+7/X9uLx0=");
    vg_flow_community_id_raw(&d, &s, 443, 35958, 6, 7, out, sizeof(out));
    assert_string_equal(out, "1:IwiTNfuO7aCaamMijl+7/X9uLx0=");
    /* tests/community-id-sameip/test.yaml (seed 1): same address, ports order */
    s = tp_addr("192.168.0.254");
    vg_flow_community_id_raw(&s, &s, 56162, 3306, 6, 1, out, sizeof(out));
    assert_string_equal(out, "1:IJQHtzXv/tXud3FtXIufkDsfEd4=");
    vg_flow_community_id_raw(&s, &s, 3306, 56162, 6, 1, out, sizeof(out));
    assert_string_equal(out, "1:IJQHtzXv/tXud3FtXIufkDsfEd4=");
}

static void
test_key_api_and_truncation(void **state)
{
    (void)state;
    vg_flow_key_t k;
    memset(&k, 0, sizeof(k));
    k.src = tp_addr("128.232.110.120");
    k.dst = tp_addr("66.35.250.204");
    k.sp = 34855;
    k.dp = 80;
    k.proto = 6;
    char out[40];
    vg_flow_community_id(&k, 0, out, sizeof(out));
    assert_string_equal(out, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    assert_int_equal(strlen(out), 30);
    /* a short buffer is never overrun and stays terminated */
    char small[10];
    memset(small, 'x', sizeof(small));
    vg_flow_community_id(&k, 0, small, sizeof(small));
    assert_int_equal(strlen(small), 9);
    assert_memory_equal(small, "1:LQU9qZl", 9);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_suricata_verify),
        cmocka_unit_test(test_key_api_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
