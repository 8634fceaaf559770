/* attrib_eval.c - leave-one-campaign-out evaluation of the scoring model
 * on the data pack's eval set, with the TF-IDF and Jaccard baselines in
 * the same run (protocol: ../shared/intel/README.md section 2.2).
 *
 * For each campaign c and leakage tier, profiles are rebuilt without c,
 * without every relationship touching c and without the tier's leaking
 * relationships (plus, for `asof`, everything created on or after c). The
 * campaign's techniques and software are then fed as evidence units.
 * Software -> technique relationships are never expanded into group
 * profiles (they can carry the held-out report's content).
 */
#include "attrib/attrib_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { TIER_NONE, TIER_ALL, TIER_ANY, TIER_ASOF, TIER_N };
static const char *const tier_names[TIER_N] = {"none", "all_citations_shared",
                                               "any_citation_shared", "asof + all"};
enum { M_ENGINE, M_TFIDF, M_JACCARD, M_N };
static const char *const model_names[M_N] = {"vigil engine", "TF-IDF cosine", "Jaccard"};
enum { V_FULL, V_NET, V_S25, V_S50, V_S75, V_N };
static const char *const var_names[V_N] = {"full", "network-observable", "subsample 25%",
                                           "subsample 50%", "subsample 75%"};
static const double var_frac[V_N] = {1.0, 1.0, 0.25, 0.50, 0.75};
#define EVAL_SEEDS 10

typedef struct ev_camp {
    char ext[16];
    char name[64];
    int camp;      /* KB campaign index (-1 if absent) */
    int truth;     /* KB group, -1 for open-set negatives */
    int *items;
    size_t n_items;
    attrib_map_t leak[2]; /* all, any */
} ev_camp_t;

typedef struct ev_set {
    ev_camp_t *c;
    size_t n, cap;
} ev_set_t;

static void
ev_set_free(ev_set_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->c[i].items);
        attrib_map_fini(&s->c[i].leak[0]);
        attrib_map_fini(&s->c[i].leak[1]);
    }
    free(s->c);
}

static int
read_set(const vg_attrib_kb_t *kb, const char *path, bool attributed, ev_set_t *s, char *errbuf,
         size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(errbuf, errlen, "%s: cannot open", path);
        return VG_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)n, 0, &jerr);
        if (o == NULL)
            continue;
        if (s->n == s->cap) {
            size_t nc = s->cap ? s->cap * 2 : 32;
            ev_camp_t *p = realloc(s->c, nc * sizeof(*p));
            if (p == NULL) {
                json_decref(o);
                break;
            }
            s->c = p;
            s->cap = nc;
        }
        ev_camp_t *c = &s->c[s->n];
        memset(c, 0, sizeof(*c));
        json_t *camp = json_object_get(o, "campaign");
        const char *ext = json_string_value(json_object_get(camp, "attack_id"));
        const char *name = json_string_value(json_object_get(camp, "name"));
        snprintf(c->ext, sizeof(c->ext), "%s", ext ? ext : "?");
        snprintf(c->name, sizeof(c->name), "%s", name ? name : "?");
        c->camp = ext ? attrib_kb_find_campaign_ext(kb, ext) : -1;
        c->truth = -1;
        json_t *truth = json_object_get(o, "truth");
        if (attributed && json_is_object(truth))
            c->truth = attrib_kb_find_group(kb, json_string_value(json_object_get(truth, "attack_id")));
        json_t *tech = json_object_get(o, "techniques"), *soft = json_object_get(o, "software");
        size_t nt = json_array_size(tech) + json_array_size(soft);
        c->items = calloc(nt + 1, sizeof(int));
        json_t *arrs[2] = {tech, soft};
        for (int a = 0; a < 2; a++) {
            size_t i;
            json_t *v;
            json_array_foreach(arrs[a], i, v) {
                int it = attrib_kb_find_item_ext(kb, json_string_value(v));
                if (it >= 0 && c->items != NULL)
                    c->items[c->n_items++] = it;
            }
        }
        json_t *leak = json_object_get(o, "leakage");
        const char *tiers[2] = {"all_citations_shared", "any_citation_shared"};
        for (int t = 0; t < 2; t++) {
            attrib_map_init(&c->leak[t]);
            size_t i;
            json_t *v;
            json_array_foreach(json_object_get(leak, tiers[t]), i, v) {
                const char *rid = json_string_value(json_object_get(v, "relationship"));
                if (rid != NULL)
                    attrib_map_put(&c->leak[t], rid, 1);
            }
        }
        json_decref(o);
        if (attributed && c->truth < 0) {
            fprintf(stderr, "%s:%d: truth group not in the knowledge base, skipped\n", path,
                    lineno);
            free(c->items);
            attrib_map_fini(&c->leak[0]);
            attrib_map_fini(&c->leak[1]);
            continue;
        }
        s->n++;
    }
    free(line);
    fclose(f);
    return VG_OK;
}

static void
score_tfidf(const attrib_profiles_t *pr, const int *obs, size_t n, double *out)
{
    double N = (double)pr->n_groups;
    size_t ni = pr->n_items;
    double *idf = malloc(ni * sizeof(double));
    if (idf == NULL)
        return;
    for (size_t i = 0; i < ni; i++)
        idf[i] = log((1.0 + N) / (1.0 + pr->df[i])) + 1.0;
    double qn = 0.0;
    for (size_t k = 0; k < n; k++)
        qn += idf[obs[k]] * idf[obs[k]];
    qn = sqrt(qn);
    for (size_t g = 0; g < pr->n_groups; g++) {
        double gn = 0.0, dot = 0.0;
        for (size_t i = 0; i < ni; i++)
            if (pr->mem[g * ni + i])
                gn += idf[i] * idf[i];
        for (size_t k = 0; k < n; k++)
            if (pr->mem[g * ni + (size_t)obs[k]])
                dot += idf[obs[k]] * idf[obs[k]];
        gn = sqrt(gn);
        out[g] = (qn > 0 && gn > 0) ? dot / (qn * gn) : 0.0;
    }
    free(idf);
}

static void
score_jaccard(const vg_attrib_kb_t *kb, const attrib_profiles_t *pr, const int *obs, size_t n,
              double *out)
{
    size_t ni = pr->n_items;
    size_t nq = 0;
    for (size_t k = 0; k < n; k++)
        nq += kb->items[obs[k]].kind == ATTRIB_ITEM_TECH;
    for (size_t g = 0; g < pr->n_groups; g++) {
        size_t inter = 0, ng = 0;
        for (size_t i = 0; i < ni; i++)
            if (pr->mem[g * ni + i] && kb->items[i].kind == ATTRIB_ITEM_TECH)
                ng++;
        for (size_t k = 0; k < n; k++)
            if (kb->items[obs[k]].kind == ATTRIB_ITEM_TECH && pr->mem[g * ni + (size_t)obs[k]])
                inter++;
        size_t uni = nq + ng - inter;
        out[g] = uni ? (double)inter / (double)uni : 0.0;
    }
}

/* Pessimistic rank: after every group with an equal or better score. */
static int
rank_of(const double *s, size_t n, int truth)
{
    int r = 1;
    for (size_t g = 0; g < n; g++)
        if ((int)g != truth && s[g] >= s[truth])
            r++;
    return r;
}

static uint64_t
rng_next(uint64_t *st)
{
    uint64_t x = *st;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *st = x;
    return x;
}

/* Observation for a variant: network filter and/or random subsample. */
static size_t
make_obs(const vg_attrib_kb_t *kb, const ev_camp_t *c, int var, int seed, int *obs)
{
    size_t n = 0;
    for (size_t k = 0; k < c->n_items; k++) {
        const attrib_item_t *it = &kb->items[c->items[k]];
        if (var == V_NET && it->kind == ATTRIB_ITEM_TECH && !it->net)
            continue;
        obs[n++] = c->items[k];
    }
    if (var_frac[var] < 1.0 && n > 0) {
        uint64_t st = 0x9e3779b97f4a7c15ull ^ ((uint64_t)(seed + 1) * 0x100000001b3ull) ^
                      (uint64_t)(c->camp + 7) << 20;
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)(rng_next(&st) % (i + 1));
            int t = obs[i];
            obs[i] = obs[j];
            obs[j] = t;
        }
        size_t keep = (size_t)lround(var_frac[var] * (double)n);
        if (keep < 1)
            keep = 1;
        n = keep;
    }
    return n;
}

static size_t
obs_units(const int *obs, size_t n, const vg_attrib_kb_t *kb, attrib_unit_t *units)
{
    for (size_t k = 0; k < n; k++) {
        memset(&units[k], 0, sizeof(units[k]));
        units[k].item = obs[k];
        units[k].type = kb->items[obs[k]].kind == ATTRIB_ITEM_SOFT ? ATTRIB_EV_SOFTWARE
                                                                    : ATTRIB_EV_TECHNIQUE;
        units[k].confidence = -1;
    }
    return n;
}

typedef struct fold {
    attrib_profiles_t pr;
    int obs[512];
    size_t n_obs;
} fold_t;

static int
build_fold_ex(const vg_attrib_kb_t *kb, const ev_camp_t *c, int tier, bool group_only, fold_t *f);

static int
build_fold(const vg_attrib_kb_t *kb, const ev_camp_t *c, int tier, fold_t *f)
{
    return build_fold_ex(kb, c, tier, false, f);
}

static int
build_fold_ex(const vg_attrib_kb_t *kb, const ev_camp_t *c, int tier, bool group_only, fold_t *f)
{
    const attrib_map_t *skip = NULL;
    vg_time_us_t asof = 0;
    if (tier == TIER_ALL || tier == TIER_ASOF)
        skip = &c->leak[0];
    else if (tier == TIER_ANY)
        skip = &c->leak[1];
    if (tier == TIER_ASOF && c->camp >= 0)
        asof = kb->camps[c->camp].created;
    return attrib_profiles_build_ex(kb, c->camp, skip, asof, group_only, &f->pr);
}

/* Squared error of the engine's forecast "the top group is the actor"
 * (the probability it states for its best group, after the guards). */
static double
forecast_sqerr(const vg_attrib_kb_t *kb, const attrib_profiles_t *pr, attrib_params_t *p,
               const attrib_unit_t *u, size_t n, int truth, attrib_result_t *res)
{
    if (attrib_score_units(kb, pr, p, u, n, res, NULL) != VG_OK)
        return 1.0;
    double fp = res->judged >= 0 ? res->p_judged : (res->n_top ? res->top[0].prob : 0.0);
    int hit = truth >= 0 && res->n_top > 0 && res->top[0].group == truth;
    attrib_result_fini(res);
    return (fp - hit) * (fp - hit);
}

static const double temps_t[] = {0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 12.0};
static const double temps_b[] = {-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0};
#define N_T (sizeof(temps_t) / sizeof(temps_t[0]))
#define N_TEMPS (N_T * (sizeof(temps_b) / sizeof(temps_b[0])))
static void
set_calib(attrib_params_t *p, size_t ti)
{
    p->temperature = temps_t[ti % N_T];
    p->calib_bias = temps_b[ti / N_T];
}

int
vg_attrib_eval_run(const char *attack_path, const char *eval_dir, FILE *out, char *errbuf,
                   size_t errlen)
{
    int rc;
    vg_attrib_kb_t *kb = vg_attrib_kb_new();
    if (kb == NULL)
        return VG_ENOMEM;
    rc = vg_attrib_kb_load_stix(kb, attack_path, errbuf, errlen);
    if (rc == VG_OK)
        rc = vg_attrib_kb_freeze(kb);
    if (rc != VG_OK) {
        vg_attrib_kb_free(kb);
        return rc;
    }
    char path[4096];
    ev_set_t att = {0}, un = {0};
    snprintf(path, sizeof(path), "%s/campaigns.jsonl", eval_dir);
    rc = read_set(kb, path, true, &att, errbuf, errlen);
    snprintf(path, sizeof(path), "%s/campaigns_unattributed.jsonl", eval_dir);
    if (rc == VG_OK)
        rc = read_set(kb, path, false, &un, errbuf, errlen);
    if (rc != VG_OK || att.n == 0) {
        if (rc == VG_OK) {
            snprintf(errbuf, errlen, "%s: no campaigns", eval_dir);
            rc = VG_EINVAL;
        }
        ev_set_free(&att);
        ev_set_free(&un);
        vg_attrib_kb_free(kb);
        return rc;
    }
    size_t ng = kb->n_groups;
    double *sc = calloc(ng + 1, sizeof(double));
    attrib_unit_t *units = calloc(512, sizeof(attrib_unit_t));
    fold_t *fold = calloc(1, sizeof(fold_t));
    int *ranks = calloc((size_t)TIER_N * M_N * V_N * att.n * EVAL_SEEDS + 1, sizeof(int));
    if (sc == NULL || units == NULL || fold == NULL || ranks == NULL) {
        rc = VG_ENOMEM;
        goto done;
    }
    attrib_params_t p;
    attrib_params_default(&p);
    p.net_only = false; /* the observation list decides (variant V_NET filters) */

#define RANK(t, m, v, c, s) \
    ranks[((((size_t)(t) * M_N + (m)) * V_N + (v)) * att.n + (c)) * EVAL_SEEDS + (s)]

    fprintf(out, "# vigil attribution: leave-one-campaign-out evaluation\n\n");
    fprintf(out, "Knowledge base: `%s` (%zu intrusion sets, %zu techniques+software, %zu "
                 "campaigns, %zu `uses`). Eval set: `%s` (%zu attributed campaigns, %zu open-set "
                 "negatives). Ties count pessimistically.\n\n",
            attack_path, kb->n_groups, kb->n_items, kb->n_camps, kb->n_rels, eval_dir, att.n,
            un.n);

    for (int t = 0; t < TIER_N; t++) {
        for (size_t ci = 0; ci < att.n; ci++) {
            ev_camp_t *c = &att.c[ci];
            if (build_fold(kb, c, t, fold) != VG_OK) {
                rc = VG_ENOMEM;
                goto done;
            }
            for (int v = 0; v < V_N; v++) {
                int seeds = var_frac[v] < 1.0 ? EVAL_SEEDS : 1;
                for (int s = 0; s < seeds; s++) {
                    size_t n = make_obs(kb, c, v, s, fold->obs);
                    for (int m = 0; m < M_N; m++) {
                        if (m == M_ENGINE) {
                            attrib_result_t res;
                            obs_units(fold->obs, n, kb, units);
                            if (attrib_score_units(kb, &fold->pr, &p, units, n, &res, sc) !=
                                VG_OK) {
                                rc = VG_ENOMEM;
                                goto done;
                            }
                            attrib_result_fini(&res);
                        } else if (m == M_TFIDF) {
                            score_tfidf(&fold->pr, fold->obs, n, sc);
                        } else {
                            score_jaccard(kb, &fold->pr, fold->obs, n, sc);
                        }
                        RANK(t, m, v, ci, s) = rank_of(sc, ng, c->truth);
                    }
                }
            }
            attrib_profiles_fini(&fold->pr);
        }
    }

    /* ---- accuracy tables ---- */
    for (int v = 0; v < V_N; v++) {
        int seeds = var_frac[v] < 1.0 ? EVAL_SEEDS : 1;
        fprintf(out, "## Accuracy, observations: %s%s\n\n", var_names[v],
                seeds > 1 ? " (mean over 10 seeds)" : "");
        fprintf(out, "| leakage tier | model | top-1 | top-3 | MRR | macro top-1 (per group) |\n");
        fprintf(out, "|---|---|---|---|---|---|\n");
        for (int t = 0; t < TIER_N; t++) {
            for (int m = 0; m < M_N; m++) {
                double t1 = 0, t3 = 0, mrr = 0;
                for (size_t ci = 0; ci < att.n; ci++)
                    for (int s = 0; s < seeds; s++) {
                        int r = RANK(t, m, v, ci, s);
                        t1 += r == 1;
                        t3 += r <= 3;
                        mrr += 1.0 / r;
                    }
                double tot = (double)att.n * seeds;
                /* macro: average over truth groups of the group's top-1 rate */
                double macro = 0;
                int ngr = 0;
                for (size_t ci = 0; ci < att.n; ci++) {
                    bool first = true;
                    for (size_t cj = 0; cj < ci; cj++)
                        if (att.c[cj].truth == att.c[ci].truth)
                            first = false;
                    if (!first)
                        continue;
                    double hit = 0, cnt = 0;
                    for (size_t cj = 0; cj < att.n; cj++) {
                        if (att.c[cj].truth != att.c[ci].truth)
                            continue;
                        for (int s = 0; s < seeds; s++) {
                            hit += RANK(t, m, v, cj, s) == 1;
                            cnt++;
                        }
                    }
                    macro += hit / cnt;
                    ngr++;
                }
                if (seeds == 1)
                    fprintf(out, "| %s | %s | %d (%.0f%%) | %d (%.0f%%) | %.3f | %.0f%% |\n",
                            tier_names[t], model_names[m], (int)t1, 100 * t1 / tot, (int)t3,
                            100 * t3 / tot, mrr / tot, 100 * macro / ngr);
                else
                    fprintf(out, "| %s | %s | %.1f%% | %.1f%% | %.3f | %.0f%% |\n", tier_names[t],
                            model_names[m], 100 * t1 / tot, 100 * t3 / tot, mrr / tot,
                            100 * macro / ngr);
            }
        }
        fprintf(out, "\n");
    }

    /* second profile definition: the group's own uses only */
    fprintf(out, "## Accuracy, profile = group-only (no campaign uses), observations: full\n\n");
    fprintf(out, "| leakage tier | model | top-1 | top-3 | MRR |\n|---|---|---|---|---|\n");
    for (int t = 0; t < TIER_N; t++) {
        int t1[M_N] = {0}, t3[M_N] = {0};
        double mrr[M_N] = {0};
        for (size_t ci = 0; ci < att.n; ci++) {
            ev_camp_t *c = &att.c[ci];
            if (build_fold_ex(kb, c, t, true, fold) != VG_OK) {
                rc = VG_ENOMEM;
                goto done;
            }
            size_t n = make_obs(kb, c, V_FULL, 0, fold->obs);
            for (int m = 0; m < M_N; m++) {
                if (m == M_ENGINE) {
                    attrib_result_t res;
                    obs_units(fold->obs, n, kb, units);
                    if (attrib_score_units(kb, &fold->pr, &p, units, n, &res, sc) != VG_OK) {
                        rc = VG_ENOMEM;
                        goto done;
                    }
                    attrib_result_fini(&res);
                } else if (m == M_TFIDF) {
                    score_tfidf(&fold->pr, fold->obs, n, sc);
                } else {
                    score_jaccard(kb, &fold->pr, fold->obs, n, sc);
                }
                int r = rank_of(sc, ng, c->truth);
                t1[m] += r == 1;
                t3[m] += r <= 3;
                mrr[m] += 1.0 / r;
            }
            attrib_profiles_fini(&fold->pr);
        }
        for (int m = 0; m < M_N; m++)
            fprintf(out, "| %s | %s | %d (%.0f%%) | %d (%.0f%%) | %.3f |\n", tier_names[t],
                    model_names[m], t1[m], 100.0 * t1[m] / att.n, t3[m], 100.0 * t3[m] / att.n,
                    mrr[m] / att.n);
    }
    fprintf(out, "\n");

    fprintf(out, "## Per-campaign pessimistic ranks (full observations)\n\n");
    fprintf(out, "| campaign | truth | #obs | engine none / all / any / asof | TF-IDF none / all / "
                 "any / asof |\n|---|---|---|---|---|\n");
    for (size_t ci = 0; ci < att.n; ci++) {
        fprintf(out, "| %s | %s | %zu | %d / %d / %d / %d | %d / %d / %d / %d |\n",
                att.c[ci].ext, kb->groups[att.c[ci].truth].name, att.c[ci].n_items,
                RANK(TIER_NONE, M_ENGINE, V_FULL, ci, 0), RANK(TIER_ALL, M_ENGINE, V_FULL, ci, 0),
                RANK(TIER_ANY, M_ENGINE, V_FULL, ci, 0), RANK(TIER_ASOF, M_ENGINE, V_FULL, ci, 0),
                RANK(TIER_NONE, M_TFIDF, V_FULL, ci, 0), RANK(TIER_ALL, M_TFIDF, V_FULL, ci, 0),
                RANK(TIER_ANY, M_TFIDF, V_FULL, ci, 0), RANK(TIER_ASOF, M_TFIDF, V_FULL, ci, 0));
    }
    fprintf(out, "\n");

    /* ---- calibration: temperature fitted leave-one-out on tier all ---- */
    for (int v = V_FULL; v <= V_NET; v++) {
        size_t ntot = att.n + un.n;
        double *ll = calloc(ntot * N_TEMPS + 1, sizeof(double));
        fold_t *folds = calloc(ntot, sizeof(fold_t));
        if (ll == NULL || folds == NULL) {
            free(ll);
            free(folds);
            rc = VG_ENOMEM;
            goto done;
        }
        for (size_t k = 0; k < ntot; k++) {
            ev_camp_t *c = k < att.n ? &att.c[k] : &un.c[k - att.n];
            if (build_fold(kb, c, TIER_ALL, &folds[k]) != VG_OK) {
                rc = VG_ENOMEM;
                break;
            }
            folds[k].n_obs = make_obs(kb, c, v, 0, folds[k].obs);
            obs_units(folds[k].obs, folds[k].n_obs, kb, units);
            for (size_t ti = 0; ti < N_TEMPS; ti++) {
                attrib_result_t res;
                set_calib(&p, ti);
                ll[k * N_TEMPS + ti] = forecast_sqerr(kb, &folds[k].pr, &p, units,
                                                      folds[k].n_obs, c->truth, &res);
            }
        }
        /* global fit (used as the engine's constant) and LOO fits */
        size_t best_all = 0;
        double best_v = INFINITY;
        for (size_t ti = 0; ti < N_TEMPS; ti++) {
            double sum = 0;
            for (size_t k = 0; k < ntot; k++)
                sum += ll[k * N_TEMPS + ti];
            if (sum < best_v) {
                best_v = sum;
                best_all = ti;
            }
        }
        double brier = 0, ece_num[7] = {0}, ece_hit[7] = {0}, ece_p[7] = {0};
        size_t open_unknown = 0, open_likely = 0, att_answered = 0, att_correct = 0;
        double brier_n = 0;
        static const char *const words[7] = {"almost no chance", "very unlikely", "unlikely",
                                             "roughly even chance", "likely", "very likely",
                                             "almost certain"};
        for (size_t k = 0; k < ntot && rc == VG_OK; k++) {
            ev_camp_t *c = k < att.n ? &att.c[k] : &un.c[k - att.n];
            size_t bt = 0;
            double bv = INFINITY;
            for (size_t ti = 0; ti < N_TEMPS; ti++) {
                double sum = 0;
                for (size_t j = 0; j < ntot; j++)
                    if (j != k)
                        sum += ll[j * N_TEMPS + ti];
                if (sum < bv) {
                    bv = sum;
                    bt = ti;
                }
            }
            set_calib(&p, bt);
            attrib_result_t res;
            obs_units(folds[k].obs, folds[k].n_obs, kb, units);
            if (attrib_score_units(kb, &folds[k].pr, &p, units, folds[k].n_obs, &res, NULL) !=
                VG_OK) {
                rc = VG_ENOMEM;
                break;
            }
            /* the judgement: named actor with p_judged, or unknown */
            bool named = res.judged >= 0;
            double f = named ? res.p_judged : 1.0 - res.p_unknown;
            int top = res.n_top ? res.top[0].group : -1;
            bool hit = c->truth >= 0 && top == c->truth;
            {
                /* forecast: "the top group is the actor"; for open-set
                 * campaigns it is always false */
                double fp = named ? res.p_judged : (res.n_top ? res.top[0].prob : 0);
                brier += (fp - (hit ? 1 : 0)) * (fp - (hit ? 1 : 0));
                brier_n++;
                int b = 0;
                for (; b < 7; b++)
                    if (strcmp(attrib_icd_word(fp), words[b]) == 0)
                        break;
                if (b < 7) {
                    ece_num[b]++;
                    ece_hit[b] += hit;
                    ece_p[b] += fp;
                }
            }
            if (c->truth >= 0) {
                if (named) {
                    att_answered++;
                    att_correct += hit;
                }
            } else {
                if (!named)
                    open_unknown++;
                if (named && res.p_judged >= 0.55)
                    open_likely++;
            }
            (void)f;
            attrib_result_fini(&res);
        }
        double ece = 0;
        for (int b = 0; b < 7; b++)
            if (ece_num[b] > 0)
                ece += ece_num[b] / brier_n * fabs(ece_hit[b] / ece_num[b] - ece_p[b] / ece_num[b]);
        fprintf(out, "## Calibration (%s observations, tier all_citations_shared)\n\n",
                var_names[v]);
        fprintf(out, "Temperature and bias fitted leave-one-out by the Brier score of the top-group forecast over the %zu attributed and "
                     "%zu open-set campaigns (for open-set campaigns every named group is wrong); the fit on "
                     "all of them is T = %.2f, bias = %.1f.\n\n",
                att.n, un.n, temps_t[best_all % N_T], temps_b[best_all / N_T]);
        fprintf(out, "- Brier score (forecast: the top group is the actor; all %.0f campaigns): "
                     "%.3f\n", brier_n,
                     brier / (brier_n ? brier_n : 1));
        fprintf(out, "- ECE over the ICD 203 bands: %.3f\n", ece);
        fprintf(out, "- attributed campaigns where the engine named an actor: %zu of %zu, "
                     "correct %zu\n", att_answered, att.n, att_correct);
        fprintf(out, "- open-set campaigns judged \"unknown actor\": %zu of %zu (%.0f%%); named "
                     "at \"likely\" or above: %zu\n\n", open_unknown, un.n,
                un.n ? 100.0 * open_unknown / un.n : 0.0, open_likely);
        fprintf(out, "| likelihood word | judgements | came true | mean forecast |\n"
                     "|---|---|---|---|\n");
        for (int b = 0; b < 7; b++)
            if (ece_num[b] > 0)
                fprintf(out, "| %s | %.0f | %.0f (%.0f%%) | %.2f |\n", words[b], ece_num[b],
                        ece_hit[b], 100 * ece_hit[b] / ece_num[b], ece_p[b] / ece_num[b]);
        fprintf(out, "\n");
        for (size_t k = 0; k < ntot; k++)
            attrib_profiles_fini(&folds[k].pr);
        free(folds);
        free(ll);
        if (rc != VG_OK)
            goto done;
    }
    rc = VG_OK;
done:
    free(sc);
    free(units);
    free(fold);
    free(ranks);
    ev_set_free(&att);
    ev_set_free(&un);
    vg_attrib_kb_free(kb);
    return rc;
}
