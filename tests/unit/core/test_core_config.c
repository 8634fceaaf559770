/* Unit tests for core_config.c: flattening, includes, --set precedence,
 * file:line errors, limits, and every suricata-verify test config loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core_config.h"
#include "vg_config.h"

static char tmpdir[256];

static void
write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vg-conf-test.XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_flatten(void **state)
{
    (void)state;
    vg_conf_t *c = vg_conf_new();
    char err[VG_ERRBUF_SIZE] = "";
    const char *y = "%YAML 1.1\n---\n"
                    "outputs:\n"
                    "  - fast:\n"
                    "      enabled: no\n"
                    "  - eve-log:\n"
                    "      enabled: yes\n"
                    "      types:\n"
                    "        - alert:\n"
                    "            tagged-packets: yes\n"
                    "        - dns:\n"
                    "            version: 3\n"
                    "        - flow\n"
                    "        - anomaly:\n"
                    "            types:\n"
                    "vars:\n"
                    "  address-groups:\n"
                    "    HOME_NET: \"[10.0.0.0/8]\"\n";
    assert_int_equal(vg_conf_load_string(c, y, "t.yaml", err, sizeof(err)), VG_OK);
    assert_string_equal(vg_conf_get(c, "outputs.1.eve-log.types.1.dns.version"), "3");
    assert_string_equal(vg_conf_get(c, "outputs.1.eve-log.types.2"), "flow");
    assert_string_equal(vg_conf_get(c, "vars.address-groups.HOME_NET"), "[10.0.0.0/8]");
    /* a null value exists but has no scalar */
    assert_true(vg_conf_exists(c, "outputs.1.eve-log.types.3.anomaly.types"));
    assert_null(vg_conf_get(c, "outputs.1.eve-log.types.3.anomaly.types"));
    /* containers are not scalars */
    assert_null(vg_conf_get(c, "outputs.1.eve-log"));
    assert_null(vg_conf_get(c, "outputs.9.eve-log.enabled"));

    char name[64];
    assert_true(vg_conf_item_name(c, "outputs.1", name, sizeof(name)));
    assert_string_equal(name, "eve-log");
    assert_true(vg_conf_item_name(c, "outputs.1.eve-log.types.2", name, sizeof(name)));
    assert_string_equal(name, "flow");
    assert_false(vg_conf_item_name(c, "outputs.7", name, sizeof(name)));
    assert_int_equal(vg_conf_children(c, "outputs.1.eve-log.types", NULL, NULL), 4);
    assert_int_equal(vg_conf_children(c, "outputs", NULL, NULL), 2);

    bool b = false;
    assert_int_equal(vg_conf_get_bool(c, "outputs.1.eve-log.enabled", false, &b, err,
                                      sizeof(err)), VG_OK);
    assert_true(b);
    assert_int_equal(vg_conf_get_bool(c, "outputs.0.fast.enabled", true, &b, err, sizeof(err)),
                     VG_OK);
    assert_false(b);
    assert_int_equal(vg_conf_get_bool(c, "no.such.key", true, &b, err, sizeof(err)), VG_OK);
    assert_true(b);
    vg_conf_free(c);
}

static void
test_set_precedence(void **state)
{
    (void)state;
    vg_conf_t *c = vg_conf_new();
    char err[VG_ERRBUF_SIZE] = "";
    assert_int_equal(vg_conf_load_string(c, "stream:\n  midstream: false\n"
                                            "  reassembly:\n    depth: 1mb\n",
                                         "t.yaml", err, sizeof(err)),
                     VG_OK);
    assert_int_equal(vg_conf_set(c, "stream.midstream=true", err, sizeof(err)), VG_OK);
    assert_int_equal(vg_conf_set(c, "stream.reassembly.depth=0", err, sizeof(err)), VG_OK);
    assert_int_equal(vg_conf_set(c, "new.deep.key=", err, sizeof(err)), VG_OK);
    assert_string_equal(vg_conf_get(c, "stream.midstream"), "true");
    assert_string_equal(vg_conf_get(c, "new.deep.key"), "");
    assert_true(vg_conf_exists(c, "new.deep"));
    const char *file;
    int line;
    assert_true(vg_conf_where(c, "stream.midstream", &file, &line));
    assert_string_equal(file, "--set");

    vg_limits_t l;
    vg_limits_defaults(&l);
    assert_int_equal(vg_conf_apply_limits(c, &l, err, sizeof(err)), VG_OK);
    assert_int_equal(l.stream_midstream, 1);
    assert_int_equal(l.stream_reassembly_depth, 0);

    assert_int_equal(vg_conf_set(c, "novalue", err, sizeof(err)), VG_ECONFIG);
    assert_non_null(strstr(err, "expected key=value"));
    assert_int_equal(vg_conf_set(c, "=x", err, sizeof(err)), VG_ECONFIG);
    assert_int_equal(vg_conf_set(c, "a..b=x", err, sizeof(err)), VG_ECONFIG);
    vg_conf_free(c);
}

static void
test_limits_and_errors(void **state)
{
    (void)state;
    vg_conf_t *c = vg_conf_new();
    char err[VG_ERRBUF_SIZE] = "";
    write_file("lim.yaml", "flow:\n  memcap: 64 MiB\n  hash-size: 1024\n"
                           "stream:\n  reassembly:\n    depth: lots\n");
    char path[512];
    snprintf(path, sizeof(path), "%s/lim.yaml", tmpdir);
    assert_int_equal(vg_conf_load_file(c, path, err, sizeof(err)), VG_OK);
    vg_limits_t l;
    vg_limits_defaults(&l);
    assert_int_equal(vg_conf_apply_limits(c, &l, err, sizeof(err)), VG_ECONFIG);
    /* "file:line: key: bad value ..., expected ..." */
    char want[600];
    snprintf(want, sizeof(want), "%s:6: stream.reassembly.depth: bad value 'lots'", path);
    assert_non_null(strstr(err, want));
    assert_int_equal(l.flow_memcap, 64u << 20);
    assert_int_equal(l.flow_hash_size, 1024);

    bool b;
    assert_int_equal(vg_conf_set(c, "x.flag=maybe", err, sizeof(err)), VG_OK);
    assert_int_equal(vg_conf_get_bool(c, "x.flag", false, &b, err, sizeof(err)), VG_ECONFIG);
    assert_non_null(strstr(err, "--set:0: x.flag: bad value 'maybe', expected yes or no"));
    vg_conf_free(c);
}

static void
test_bad_yaml_line(void **state)
{
    (void)state;
    vg_conf_t *c = vg_conf_new();
    char err[VG_ERRBUF_SIZE] = "";
    write_file("bad.yaml", "%YAML 1.1\n---\nflow:\n  memcap: 1\n   bad: [unclosed\n");
    char path[512];
    snprintf(path, sizeof(path), "%s/bad.yaml", tmpdir);
    assert_int_equal(vg_conf_load_file(c, path, err, sizeof(err)), VG_ECONFIG);
    char want[600];
    snprintf(want, sizeof(want), "%s:5: YAML syntax error", path);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, "expected"));
    vg_conf_free(c);

    c = vg_conf_new();
    assert_int_equal(vg_conf_load_string(c, "a: &x 1\nb: *x\n", "alias.yaml", err, sizeof(err)),
                     VG_ECONFIG);
    assert_non_null(strstr(err, "alias.yaml:2: YAML alias"));
    vg_conf_free(c);

    c = vg_conf_new();
    assert_int_equal(vg_conf_load_file(c, "/nonexistent/vigil.yaml", err, sizeof(err)),
                     VG_ECONFIG);
    assert_non_null(strstr(err, "/nonexistent/vigil.yaml: cannot open"));
    vg_conf_free(c);
}

static void
test_include(void **state)
{
    (void)state;
    mkdir(strcat(strcpy((char[512]){0}, tmpdir), "/sub"), 0755);
    write_file("sub/one.yaml", "flow:\n  hash-size: 4096\n");
    write_file("sub/two.yaml", "stream:\n  midstream: true\n");
    write_file("sub/outputs.yaml", "- eve-log:\n    enabled: yes\n    filename: x.json\n");
    write_file("loop.yaml", "include: loop.yaml\n");
    write_file("main.yaml", "%YAML 1.1\n---\n"
                            "include: sub/one.yaml\n"
                            "flow:\n  memcap: 1mb\n"
                            "app:\n  include:\n    - sub/two.yaml\n"
                            "outputs: !include sub/outputs.yaml\n"
                            "missing:\n  include: sub/none.yaml\n");
    char path[512], err[VG_ERRBUF_SIZE] = "";
    snprintf(path, sizeof(path), "%s/main.yaml", tmpdir);
    vg_conf_t *c = vg_conf_new();
    /* a missing include is an error naming the including file and line */
    assert_int_equal(vg_conf_load_file(c, path, err, sizeof(err)), VG_ECONFIG);
    assert_non_null(strstr(err, "main.yaml:11: include 'sub/none.yaml'"));
    /* everything before the bad include was read, relative to main.yaml's dir */
    assert_string_equal(vg_conf_get(c, "flow.hash-size"), "4096");
    assert_string_equal(vg_conf_get(c, "flow.memcap"), "1mb");
    assert_string_equal(vg_conf_get(c, "app.stream.midstream"), "true");
    assert_string_equal(vg_conf_get(c, "outputs.0.eve-log.filename"), "x.json");
    const char *file;
    int line;
    assert_true(vg_conf_where(c, "flow.hash-size", &file, &line));
    assert_non_null(strstr(file, "sub/one.yaml"));
    assert_int_equal(line, 2);
    vg_conf_free(c);

    c = vg_conf_new();
    snprintf(path, sizeof(path), "%s/loop.yaml", tmpdir);
    assert_int_equal(vg_conf_load_file(c, path, err, sizeof(err)), VG_ECONFIG);
    assert_non_null(strstr(err, "nested too deep"));
    vg_conf_free(c);
}

static void
test_unused(void **state)
{
    (void)state;
    vg_conf_t *c = vg_conf_new();
    char err[VG_ERRBUF_SIZE] = "";
    assert_int_equal(vg_conf_load_string(c, "a: 1\nb: 2\nc:\n  d: 3\n", "u.yaml", err,
                                         sizeof(err)),
                     VG_OK);
    (void)vg_conf_get(c, "a");
    assert_int_equal(vg_conf_unused(c, NULL, NULL), 2); /* b, c.d */
    vg_conf_free(c);
}

/* The real-world set: every suricata.yaml of the shared suricata-verify
 * subset (and Suricata 8.0's default config) must load, and their limits
 * must parse. Skipped when ../shared is absent. */
static void
test_suricata_verify_configs(void **state)
{
    (void)state;
    char base[1024];
    snprintf(base, sizeof(base), "%s/../shared/corpora/suricata-verify", VG_SOURCE_ROOT);
    char tests[1100];
    snprintf(tests, sizeof(tests), "%s/tests", base);
    DIR *d = opendir(tests);
    if (d == NULL) {
        print_message("../shared absent: suricata-verify configs not checked\n");
        skip();
        return;
    }
    int n = 0;
    struct dirent *de;
    char paths[256][1400];
    int np = 0;
    snprintf(paths[np++], sizeof(paths[0]), "%s/suricata-8.0/suricata.yaml", base);
    while ((de = readdir(d)) != NULL && np < 255) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(paths[np], sizeof(paths[0]), "%s/%s/suricata.yaml", tests, de->d_name);
        if (access(paths[np], R_OK) == 0)
            np++;
    }
    closedir(d);
    for (int i = 0; i < np; i++) {
        vg_conf_t *c = vg_conf_new();
        char err[VG_ERRBUF_SIZE] = "";
        int rc = vg_conf_load_file(c, paths[i], err, sizeof(err));
        if (rc != VG_OK)
            fail_msg("%s: %s", paths[i], err);
        vg_limits_t l;
        vg_limits_defaults(&l);
        rc = vg_conf_apply_limits(c, &l, err, sizeof(err));
        if (rc != VG_OK)
            fail_msg("%s: %s", paths[i], err);
        n++;
        vg_conf_free(c);
    }
    /* the subset has 33 test configs plus the default one */
    assert_true(n >= 30);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_set_precedence),
        cmocka_unit_test(test_limits_and_errors),
        cmocka_unit_test(test_bad_yaml_line),
        cmocka_unit_test(test_include),
        cmocka_unit_test(test_unused),
        cmocka_unit_test(test_suricata_verify_configs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
