/* attrib_report.c - saying it: the text report (judgement first), the EVE
 * `attribution` record, and vg_attrib_finish which drives both.
 *
 * Wording follows ICD 203: the likelihood word and the analytic
 * confidence are separate sentences; every judgement carries its evidence
 * chain (weights in decibans, 10*log10 of the likelihood ratio) and what
 * would change it.
 */
#include "attrib/attrib_int.h"
#include "output/output_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DB_PER_NAT 4.342944819

void
attrib_fmt_time(vg_time_us_t t, char *buf, size_t n)
{
    time_t s = (time_t)(t / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
attrib_fmt_date(vg_time_us_t t, char *buf, size_t n)
{
    time_t s = (time_t)(t / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, n, "%Y-%m-%d", &tm);
}

static const char *
country_name(const char *cc)
{
    static const struct { const char *cc, *name; } names[] = {
        {"RU", "Russia"}, {"CN", "China"}, {"KP", "North Korea"}, {"IR", "Iran"},
        {"VN", "Vietnam"}, {"PK", "Pakistan"}, {"IN", "India"}, {"KR", "South Korea"},
        {"LB", "Lebanon"}, {"BY", "Belarus"}, {"US", "the United States"}, {"IL", "Israel"},
        {"AE", "the United Arab Emirates"}, {"TR", "Turkey"}, {"UA", "Ukraine"},
        {"PS", "Palestine"}, {"SY", "Syria"}, {"NG", "Nigeria"}, {"GB", "the United Kingdom"},
    };
    for (size_t i = 0; cc != NULL && i < VG_ARRAY_LEN(names); i++)
        if (strcmp(cc, names[i].cc) == 0)
            return names[i].name;
    return cc;
}

static const char *
group_label(const vg_attrib_kb_t *kb, int g, char *buf, size_t n)
{
    if (g < 0) {
        snprintf(buf, n, "unknown actor");
        return buf;
    }
    const attrib_group_t *gr = &kb->groups[g];
    if (gr->ext[0] != '\0')
        snprintf(buf, n, "%s (%s)", gr->name, gr->ext);
    else
        snprintf(buf, n, "%s", gr->name);
    return buf;
}

static void
hosts_str(const attrib_incident_t *inc, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < inc->n_hosts; i++) {
        if (i > 0)
            strncat(buf, ", ", n - strlen(buf) - 1);
        if (i == 6) {
            char more[32];
            snprintf(more, sizeof(more), "%zu more", inc->n_hosts - i);
            strncat(buf, more, n - strlen(buf) - 1);
            break;
        }
        strncat(buf, inc->hosts[i], n - strlen(buf) - 1);
    }
    if (buf[0] == '\0')
        snprintf(buf, n, "none seen");
}

/* Evidence units in the order they matter: largest weight first. */
static void
unit_order(const attrib_incident_t *inc, const attrib_result_t *r, size_t *ord)
{
    for (size_t i = 0; i < inc->n_units; i++)
        ord[i] = i;
    for (size_t i = 1; i < inc->n_units; i++) {
        size_t x = ord[i];
        size_t j = i;
        double wx = r->unit_llr ? fabs(r->unit_llr[x]) : 0;
        while (j > 0 && (r->unit_llr ? fabs(r->unit_llr[ord[j - 1]]) : 0) < wx) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = x;
    }
}

static void
would_change(const vg_attrib_kb_t *kb, const attrib_result_t *r, char *buf, size_t n)
{
    char a[128], b[128];
    if (r->judged < 0) {
        if (r->n_top == 0) {
            snprintf(buf, n, "Any evidence tied to a listed intrusion set (an indicator, or a "
                             "software family specific to one group).");
            return;
        }
        double gap = -r->top[0].logodds * DB_PER_NAT;
        snprintf(buf, n, "The best candidate, %s, would need about %.0f dB more support to be "
                         "named, e.g. a vendor-reported indicator or a software family specific "
                         "to that group.",
                 group_label(kb, r->top[0].group, a, sizeof(a)), gap > 0 ? gap : 0);
        return;
    }
    group_label(kb, r->judged, a, sizeof(a));
    if (r->flags & ATTRIB_FLAG_FALSE_FLAG) {
        snprintf(buf, n, "Evidence types disagree (%s is favoured by another type): evidence "
                         "that one side's artefacts are planted or shared would settle it.",
                 group_label(kb, r->conflict_group, b, sizeof(b)));
    } else if (r->flags & ATTRIB_FLAG_SINGLE_TYPE) {
        snprintf(buf, n, "Only one type of evidence supports %s: an independent type (a "
                         "technique or software family from its profile, or a second source) "
                         "would allow a stronger judgement; showing the indicators shared or "
                         "reused would weaken it.", a);
    } else {
        double gap = r->n_top > 1 ? (r->top[0].logodds - r->top[1].logodds) * DB_PER_NAT : 0;
        snprintf(buf, n, "Evidence for %s (now %.0f dB behind), or indicators shown to be shared "
                         "or reused, would lower it.",
                 r->n_top > 1 ? group_label(kb, r->top[1].group, b, sizeof(b)) : "another group",
                 gap);
    }
}

static void
flags_str(unsigned f, char *buf, size_t n)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        {ATTRIB_FLAG_FALSE_FLAG, "false_flag_suspected"},
        {ATTRIB_FLAG_SINGLE_TYPE, "single_evidence_type"},
        {ATTRIB_FLAG_CAPPED_SHARE, "dominant_type_capped"},
        {ATTRIB_FLAG_SHARED_INDICATOR, "indicator_claimed_by_several_groups"},
        {ATTRIB_FLAG_WARNINGLIST, "warninglisted_indicator"},
    };
    buf[0] = '\0';
    for (size_t i = 0; i < VG_ARRAY_LEN(names); i++) {
        if (!(f & names[i].bit))
            continue;
        if (buf[0] != '\0')
            strncat(buf, ", ", n - strlen(buf) - 1);
        strncat(buf, names[i].name, n - strlen(buf) - 1);
    }
}

/* Software families of the incident, one per unit (a family is one unit
 * however it was seen): "Zebrocy (S0251), Pakdoor (not in ATT&CK)". */
static void
families_str(const vg_attrib_kb_t *kb, const attrib_incident_t *inc, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < inc->n_units; i++) {
        const attrib_unit_t *u = &inc->units[i];
        if (u->type != ATTRIB_EV_SOFTWARE)
            continue;
        char one[128];
        if (u->item >= 0)
            snprintf(one, sizeof(one), "%.80s (%.16s)", kb->items[u->item].name,
                     kb->items[u->item].ext);
        else
            snprintf(one, sizeof(one), "%.80s (not in ATT&CK)",
                     u->family[0] ? u->family : u->key);
        if (buf[0] != '\0')
            strncat(buf, ", ", n - strlen(buf) - 1);
        strncat(buf, one, n - strlen(buf) - 1);
    }
}

void
attrib_report_text(FILE *f, const vg_attrib_kb_t *kb, const attrib_incident_t *inc, int num,
                   const attrib_result_t *r)
{
    char d1[16], d2[16], hosts[512], lbl[160], buf[600];
    attrib_fmt_date(inc->first, d1, sizeof(d1));
    attrib_fmt_date(inc->last, d2, sizeof(d2));
    hosts_str(inc, hosts, sizeof(hosts));
    fprintf(f, "Incident %d (%s … %s, hosts %s): ", num, d1, d2, hosts);
    if (r->judged >= 0) {
        fprintf(f, "%s — %s (%.0f%%).\n", group_label(kb, r->judged, lbl, sizeof(lbl)), r->word,
                100 * r->p_judged);
    } else {
        fprintf(f, "unknown actor — no listed intrusion set is more likely than an unlisted or "
                   "commodity actor");
        if (r->n_top > 0)
            fprintf(f, "; best candidate %s: %s (%.0f%%)",
                    group_label(kb, r->top[0].group, lbl, sizeof(lbl)),
                    attrib_icd_word(r->top[0].prob), 100 * r->top[0].prob);
        fprintf(f, ".\n");
    }
    fprintf(f, "  Analytic confidence: %s (%d evidence type%s in support%s).\n", r->analytic,
            r->n_types_for, r->n_types_for == 1 ? "" : "s",
            (r->flags & ATTRIB_FLAG_FALSE_FLAG) ? "; conflicting evidence, possible false flag"
                                                : "");
    /* handling right under the judgement: whoever forwards the judgement
     * sees its restrictions with it */
    char hd[ATTRIB_MARKS_PER_INC * ATTRIB_MARK_LEN + 64];
    attrib_marks_statements(inc, hd, sizeof(hd));
    if (inc->tlp != VG_TLP_NONE || hd[0] != '\0') {
        fprintf(f, "  Handling: ");
        if (inc->tlp != VG_TLP_NONE)
            fprintf(f, "%s (the most restrictive TLP of its evidence)%s", vg_tlp_name(inc->tlp),
                    hd[0] ? "; " : "");
        if (hd[0] != '\0')
            fprintf(f, "statement markings: %s", hd);
        fprintf(f, ".\n");
    }
    if (r->judged >= 0) {
        const attrib_group_t *g = &kb->groups[r->judged];
        if (g->n_aliases > 0) {
            fprintf(f, "  Also known as: ");
            for (size_t i = 0; i < g->n_aliases && i < 8; i++)
                fprintf(f, "%s%s", i ? ", " : "", g->aliases[i]);
            fprintf(f, ".\n");
        }
        if (g->sponsor != NULL || g->country != NULL)
            fprintf(f, "  Publicly associated with %s%s%s%s.\n", country_name(g->country),
                    g->sponsor ? " (" : "", g->sponsor ? g->sponsor : "",
                    g->sponsor ? (g->sponsor_curated ? "; curated claim)" : ")") : "");
    }
    fprintf(f, "  Alternatives%s:",
            (r->flags & (ATTRIB_FLAG_SINGLE_TYPE | ATTRIB_FLAG_CAPPED_SHARE |
                         ATTRIB_FLAG_FALSE_FLAG)) && r->judged >= 0
                ? " (posterior before the guards capped the judgement)"
                : "");
    int shown = 0;
    for (size_t i = 0; i < r->n_top && shown < 3; i++) {
        if (r->top[i].group == r->judged)
            continue;
        fprintf(f, "%s %s %.1f%%", shown ? "," : "", group_label(kb, r->top[i].group, lbl,
                                                               sizeof(lbl)),
                100 * r->top[i].prob);
        shown++;
    }
    if (r->judged >= 0)
        fprintf(f, "%s unknown actor %.1f%%", shown ? "," : "", 100 * r->p_unknown);
    fprintf(f, ".\n");
    flags_str(r->flags, buf, sizeof(buf));
    if (buf[0] != '\0')
        fprintf(f, "  Flags: %s.\n", buf);
    families_str(kb, inc, buf, sizeof(buf));
    if (buf[0] != '\0')
        fprintf(f, "  Software families: %s.\n", buf);
    fprintf(f, "  Evidence (weight towards %s, decibans):\n",
            r->judged >= 0 ? group_label(kb, r->judged, lbl, sizeof(lbl))
                           : (r->n_top ? group_label(kb, r->top[0].group, lbl, sizeof(lbl))
                                       : "-"));
    size_t *ord = calloc(inc->n_units + 1, sizeof(size_t));
    if (ord != NULL) {
        unit_order(inc, r, ord);
        for (size_t k = 0; k < inc->n_units && k < 40; k++) {
            const attrib_unit_t *u = &inc->units[ord[k]];
            double db = r->unit_llr ? r->unit_llr[ord[k]] * DB_PER_NAT : 0;
            fprintf(f, "    %+6.1f dB  %-10s %s", db, attrib_ev_type_name(u->type), u->what);
            if (u->source[0] != '\0')
                fprintf(f, "; source %s", u->source);
            if (u->valid_from > 0) {
                attrib_fmt_date(u->valid_from, d1, sizeof(d1));
                fprintf(f, "; valid from %s (age %.1f y)", d1,
                        (double)(u->first - u->valid_from) / (365.25 * 86400e6));
            }
            if (u->n_groups + u->n_actor_names > 1) {
                fprintf(f, "; claimed by");
                for (int i = 0; i < u->n_groups; i++)
                    fprintf(f, " %s", kb->groups[u->groups[i]].name);
                for (int i = 0; i < u->n_actor_names; i++)
                    fprintf(f, " %s", u->actor_names[i]);
            }
            if (u->warning)
                fprintf(f, "; warninglisted");
            fprintf(f, "; seen %u×\n", u->count);
        }
        if (inc->n_units > 40)
            fprintf(f, "    ... %zu more units\n", inc->n_units - 40);
        if (r->time_campaign >= 0) {
            const attrib_campaign_t *cp = &kb->camps[r->time_campaign];
            attrib_fmt_date(cp->first, d1, sizeof(d1));
            /* a campaign without last_seen (vendor bundles often omit it)
             * is open-ended, not one that ended in 1970 */
            if (cp->last > 0)
                attrib_fmt_date(cp->last, d2, sizeof(d2));
            else
                snprintf(d2, sizeof(d2), "no last_seen");
            fprintf(f, "    %+6.1f dB  time       incident within a year of %s (%s, %s … %s); "
                       "soft prior, not counted as an evidence type\n",
                    r->time_llr * DB_PER_NAT, cp->name, cp->ext, d1, d2);
        }
        free(ord);
    }
    would_change(kb, r, buf, sizeof(buf));
    fprintf(f, "  What would change the judgement: %s\n\n", buf);
}

static json_t *
actor_json(const vg_attrib_kb_t *kb, int g)
{
    json_t *o = json_object();
    const attrib_group_t *gr = &kb->groups[g];
    json_object_set_new(o, "id", json_string(gr->stix));
    json_object_set_new(o, "name", json_string(gr->name));
    if (gr->ext[0] != '\0')
        json_object_set_new(o, "attack_id", json_string(gr->ext));
    return o;
}

char *
attrib_report_eve(const vg_attrib_kb_t *kb, const attrib_incident_t *inc, int num,
                  const attrib_result_t *r, size_t max_record)
{
    char ts[40], buf[600];
    json_t *root = json_object();
    vg_jw_format_ts(inc->first, ts, sizeof(ts));
    json_object_set_new(root, "timestamp", json_string(ts));
    json_object_set_new(root, "event_type", json_string("attribution"));
    json_t *a = json_object();
    json_object_set_new(root, "attribution", a);
    json_object_set_new(a, "incident_id", json_integer(num));
    vg_jw_format_ts(inc->first, ts, sizeof(ts));
    json_object_set_new(a, "first_seen", json_string(ts));
    vg_jw_format_ts(inc->last, ts, sizeof(ts));
    json_object_set_new(a, "last_seen", json_string(ts));
    json_t *hosts = json_array(), *infra = json_array();
    for (size_t i = 0; i < inc->n_hosts; i++)
        json_array_append_new(hosts, json_string(inc->hosts[i]));
    for (size_t i = 0; i < inc->n_infra; i++)
        json_array_append_new(infra, json_string(inc->infra[i]));
    json_object_set_new(a, "hosts", hosts);
    json_object_set_new(a, "infrastructure", infra);
    json_t *j = json_object();
    if (r->judged >= 0) {
        json_object_set_new(j, "actor", actor_json(kb, r->judged));
        const attrib_group_t *g = &kb->groups[r->judged];
        if (g->country != NULL)
            json_object_set_new(j, "country", json_string(g->country));
        if (g->sponsor != NULL)
            json_object_set_new(j, "sponsor", json_string(g->sponsor));
    } else {
        json_object_set_new(j, "actor", json_null());
    }
    json_object_set_new(j, "unknown", json_boolean(r->judged < 0));
    json_object_set_new(j, "probability", json_real(round(r->p_judged * 1000) / 1000));
    json_object_set_new(j, "likelihood", json_string(r->word));
    json_object_set_new(j, "stix_confidence", json_integer(r->stix_confidence));
    json_object_set_new(j, "analytic_confidence", json_string(r->analytic));
    json_object_set_new(a, "judgement", j);
    /* handling markings inherited from the evidence (absent when none) */
    if (vg_tlp_name(inc->tlp) != NULL)
        json_object_set_new(a, "tlp", json_string(vg_tlp_name(inc->tlp)));
    if (inc->marks != 0 && inc->mtab != NULL) {
        json_t *mk = json_array();
        for (size_t i = 0; i < inc->mtab->n; i++)
            if (inc->marks & (1u << i))
                json_array_append_new(mk, json_string(inc->mtab->text[i]));
        json_object_set_new(a, "markings", mk);
    }
    json_t *alts = json_array();
    for (size_t i = 0; i < r->n_top; i++) {
        if (r->top[i].group == r->judged)
            continue;
        json_t *o = actor_json(kb, r->top[i].group);
        json_object_set_new(o, "probability", json_real(round(r->top[i].prob * 1000) / 1000));
        json_array_append_new(alts, o);
    }
    json_object_set_new(a, "alternatives", alts);
    json_object_set_new(a, "unknown_probability", json_real(round(r->p_unknown * 1000) / 1000));
    json_t *ev = json_array();
    for (size_t i = 0; i < inc->n_units; i++) {
        const attrib_unit_t *u = &inc->units[i];
        json_t *o = json_object();
        json_object_set_new(o, "type", json_string(attrib_ev_type_name(u->type)));
        json_object_set_new(o, "what", json_string(u->what));
        if (u->value[0] != '\0')
            json_object_set_new(o, "value", json_string(u->value));
        if (u->indicator_id[0] != '\0')
            json_object_set_new(o, "indicator_id", json_string(u->indicator_id));
        if (u->item >= 0)
            json_object_set_new(o, "attack_id", json_string(kb->items[u->item].ext));
        if (u->type == ATTRIB_EV_SOFTWARE) {
            json_object_set_new(o, "family", json_string(u->item >= 0 ? kb->items[u->item].name
                                                                       : u->family));
            if (u->from_indicator)
                json_object_set_new(o, "from_indicator", json_true());
        }
        if (u->source[0] != '\0')
            json_object_set_new(o, "source", json_string(u->source));
        double llr = r->unit_llr ? r->unit_llr[i] : 0;
        json_object_set_new(o, "weight_db", json_real(round(llr * DB_PER_NAT * 10) / 10));
        json_object_set_new(o, "count", json_integer(u->count));
        vg_jw_format_ts(u->first, ts, sizeof(ts));
        json_object_set_new(o, "first_seen", json_string(ts));
        if (u->valid_from > 0)
            json_object_set_new(o, "age_days", json_integer((u->first - u->valid_from) /
                                                            (int64_t)86400000000));
        if (u->warning)
            json_object_set_new(o, "warninglisted", json_true());
        json_array_append_new(ev, o);
    }
    json_object_set_new(a, "evidence", ev);
    json_t *fams = json_array();
    for (size_t i = 0; i < inc->n_units; i++) {
        const attrib_unit_t *u = &inc->units[i];
        if (u->type != ATTRIB_EV_SOFTWARE)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(u->item >= 0 ? kb->items[u->item].name
                                                                : u->family));
        if (u->item >= 0)
            json_object_set_new(o, "attack_id", json_string(kb->items[u->item].ext));
        json_array_append_new(fams, o);
    }
    json_object_set_new(a, "families", fams);
    if (r->time_campaign >= 0) {
        json_t *tp = json_object();
        json_object_set_new(tp, "campaign", json_string(kb->camps[r->time_campaign].name));
        json_object_set_new(tp, "attack_id", json_string(kb->camps[r->time_campaign].ext));
        json_object_set_new(tp, "weight_db", json_real(round(r->time_llr * DB_PER_NAT * 10) / 10));
        json_object_set_new(a, "time_prior", tp);
    }
    json_t *fl = json_array();
    flags_str(r->flags, buf, sizeof(buf));
    for (char *tok = strtok(buf, ", "); tok != NULL; tok = strtok(NULL, ", "))
        json_array_append_new(fl, json_string(tok));
    json_object_set_new(a, "flags", fl);
    would_change(kb, r, buf, sizeof(buf));
    json_object_set_new(a, "would_change", json_string(buf));
    /* 6 significant digits: probabilities print as 0.79, not 0.79000000000000004 */
    char *s = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(root);
    if (s != NULL && max_record > 0 && strlen(s) > max_record) {
        free(s); /* too big for one record: callers count it */
        return NULL;
    }
    return s;
}

static int
cmp_first(const void *a, const void *b, void *ctx)
{
    const vg_attrib_engine_t *e = ctx;
    const attrib_incident_t *x = &e->inc[*(const int *)a], *y = &e->inc[*(const int *)b];
    return x->first < y->first ? -1 : (x->first > y->first ? 1 : 0);
}

size_t
vg_attrib_finish(vg_attrib_engine_t *e, void (*eve_line)(void *user, const char *line,
                                                         size_t len),
                 void *user, FILE *text, const char *stix_path)
{
    if (e == NULL)
        return 0;
    int *roots = calloc(e->n_inc + 1, sizeof(int));
    if (roots == NULL)
        return 0;
    size_t nr = 0;
    for (size_t i = 0; i < e->n_inc; i++)
        if (!e->inc[i].dead && e->inc[i].n_units > 0)
            roots[nr++] = (int)i;
    qsort_r(roots, nr, sizeof(int), cmp_first, e);
    attrib_stix_out_t *so = stix_path ? attrib_stix_out_new() : NULL;
    /* the report leads with its handling: the most restrictive TLP of any
     * incident, when some evidence is marked */
    vg_tlp_t worst = VG_TLP_NONE;
    for (size_t k = 0; k < nr; k++)
        worst = vg_tlp_max(worst, e->inc[roots[k]].tlp);
    if (text != NULL && worst != VG_TLP_NONE)
        fprintf(text, "%s — this report is built from %s intelligence; handle accordingly.\n\n",
                vg_tlp_name(worst), vg_tlp_name(worst));
    if (text != NULL && nr == 0)
        fprintf(text, "No incidents: the input carried no attribution evidence "
                      "(%llu records read).\n", (unsigned long long)e->lines);
    for (size_t k = 0; k < nr; k++) {
        attrib_incident_t *inc = &e->inc[roots[k]];
        attrib_result_t res;
        if (attrib_score_units(e->kb, &e->kb->prof, &e->params, inc->units, inc->n_units, &res,
                               NULL) != VG_OK)
            continue;
        int num = (int)k + 1;
        if (text != NULL)
            attrib_report_text(text, e->kb, inc, num, &res);
        if (eve_line != NULL) {
            char *s = attrib_report_eve(e->kb, inc, num, &res, e->limits.output_max_record);
            if (s != NULL) {
                eve_line(user, s, strlen(s));
                free(s);
            }
        }
        if (so != NULL)
            attrib_stix_out_add(so, e->kb, inc, num, &res);
        attrib_result_fini(&res);
    }
    if (so != NULL) {
        if (attrib_stix_out_write(so, stix_path) != VG_OK && text != NULL)
            fprintf(text, "cannot write %s\n", stix_path);
        attrib_stix_out_free(so);
    }
    free(roots);
    return nr;
}
