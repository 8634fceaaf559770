/* fuzz_attrib_eve - EVE lines into the attribution engine, then finish
 * (scoring, text, EVE and STIX report). The input is split at '\n'
 * like an EVE file; the KB is a tiny fictional bundle written once, with
 * handling markings (TLP ids, a TLP 1.0 object, a statement) on two of its
 * indicators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib/attrib.h"

static const char kb_json[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--1\",\"name\":\"Web\","
    "\"kill_chain_phases\":[{\"phase_name\":\"command-and-control\"}],"
    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"T1071.001\"}]},"
    "{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--2\",\"name\":\"App\","
    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"T1071\"}]},"
    "{\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"AlphaRAT\",\"x_mitre_aliases\":[\"Alpha\"],"
    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"S9001\"}]},"
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--1\",\"name\":\"Alpha Group\","
    "\"aliases\":[\"Alpha Group\",\"Fancy Test\"],"
    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"G9001\"}]},"
    "{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--2\",\"name\":\"Beta Group\","
    "\"external_references\":[{\"source_name\":\"mitre-attack\",\"external_id\":\"G9002\"}]},"
    "{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[domain-name:value = 'alpha.example']\","
    "\"valid_from\":\"2019-01-01T00:00:00Z\",\"object_marking_refs\":["
    "\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\",\"marking-definition--s1\"]},"
    "{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern\":\"[ipv4-addr:value = '192.0.2.7']\","
    "\"object_marking_refs\":[\"marking-definition--t1\",\"marking-definition--s1\",7]},"
    "{\"type\":\"marking-definition\",\"id\":\"marking-definition--s1\","
    "\"definition_type\":\"statement\",\"definition\":{\"statement\":\"source license: fuzz\"}},"
    "{\"type\":\"marking-definition\",\"id\":\"marking-definition--t1\","
    "\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"red\"}},"
    "{\"type\":\"relationship\",\"id\":\"relationship--1\",\"relationship_type\":\"uses\","
    "\"source_ref\":\"intrusion-set--1\",\"target_ref\":\"malware--1\"},"
    "{\"type\":\"relationship\",\"id\":\"relationship--2\",\"relationship_type\":\"uses\","
    "\"source_ref\":\"intrusion-set--2\",\"target_ref\":\"attack-pattern--1\"},"
    "{\"type\":\"relationship\",\"id\":\"relationship--3\",\"relationship_type\":\"indicates\","
    "\"source_ref\":\"indicator--1\",\"target_ref\":\"intrusion-set--1\"},"
    "{\"type\":\"relationship\",\"id\":\"relationship--4\",\"relationship_type\":\"indicates\","
    "\"source_ref\":\"indicator--2\",\"target_ref\":\"intrusion-set--2\"},"
    /* indicators linked to malware (ATT&CK and not): software units */
    "{\"type\":\"malware\",\"id\":\"malware--2\",\"name\":\"Alpha Variant (ab12)\","
    "\"aliases\":[\"Zeta\"]},"
    "{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern\":\"[domain-name:value = 'fam.example']\"},"
    "{\"type\":\"relationship\",\"id\":\"relationship--5\",\"relationship_type\":\"indicates\","
    "\"source_ref\":\"indicator--3\",\"target_ref\":\"malware--1\"},"
    "{\"type\":\"relationship\",\"id\":\"relationship--6\",\"relationship_type\":\"indicates\","
    "\"source_ref\":\"indicator--3\",\"target_ref\":\"malware--2\"},"
    "{\"type\":\"relationship\",\"id\":\"relationship--7\",\"relationship_type\":\"indicates\","
    "\"source_ref\":\"indicator--1\",\"target_ref\":\"malware--1\"}]}";

static vg_attrib_kb_t *kb;
static FILE *devnull;
static char stix_path[] = "/tmp/fuzz-attrib-stix-XXXXXX";

static void
sink(void *user, const char *line, size_t len)
{
    (void)user;
    fwrite(line, 1, len, devnull);
}

static void
remove_stix(void)
{
    unlink(stix_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char path[] = "/tmp/fuzz-attrib-kb-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, kb_json, sizeof(kb_json) - 1) != (ssize_t)(sizeof(kb_json) - 1))
        abort();
    close(fd);
    char err[512];
    kb = vg_attrib_kb_new();
    if (kb == NULL || vg_attrib_kb_load_stix(kb, path, err, sizeof(err)) != VG_OK ||
        vg_attrib_kb_freeze(kb) != VG_OK)
        abort();
    unlink(path);
    devnull = fopen("/dev/null", "w");
    int sfd = mkstemp(stix_path); /* rewritten by every input, removed at exit */
    if (sfd < 0)
        abort();
    close(sfd);
    atexit(remove_stix);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    lim.attrib_max_incidents = 64;
    lim.attrib_max_evidence = 64;
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, &lim);
    if (e == NULL)
        return 0;
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - data) : size;
        vg_attrib_feed_eve(e, (const char *)data + pos, end - pos);
        pos = end + 1;
    }
    vg_attrib_finish(e, sink, NULL, devnull, stix_path);
    vg_attrib_engine_free(e);
    return 0;
}
