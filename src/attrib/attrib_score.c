/* attrib_score.c - weighing evidence units against every intrusion set and
 * U ("unknown / unlisted / commodity actor").
 *
 * Log-odds of G against U = prior + sum over evidence types of capped
 * per-unit log-likelihood ratios (natural log; reports print decibans =
 * 10*log10 = 4.34 * nats). The model and its constants are explained in
 * NOTES.md; the evaluation (attrib_eval.c) measures them.
 */
#include "attrib/attrib_int.h"
#include "intel/intel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *
attrib_ev_type_name(int t)
{
    static const char *const names[] = {"indicator", "technique", "software", "infrastructure"};
    return (t >= 0 && t < ATTRIB_EV_TYPES) ? names[t] : "?";
}

void
attrib_params_default(attrib_params_t *p)
{
    memset(p, 0, sizeof(*p));
    p->prior_unknown = 0.5;
    p->w_software = 2.0;   /* a family is rarer and more specific than a technique */
    p->miss = 1.0;
    p->sub_credit = 0.5;
    p->size_pen = 0.5;
    p->item_cap = 6.0;
    p->ioc_cap = 4.6;      /* 20 dB: one indicator is never proof */
    p->infra_cap = 1.0;
    p->type_cap[ATTRIB_EV_INDICATOR] = 9.0;
    p->type_cap[ATTRIB_EV_TECHNIQUE] = 40.0;
    p->type_cap[ATTRIB_EV_SOFTWARE] = 40.0;
    p->type_cap[ATTRIB_EV_INFRA] = 1.5;
    p->commodity_share = 0.15;
    p->time_llr = 0.3;     /* ~1.3 dB: activity windows are soft (ATT&CK dates are coarse) */
    p->temperature = 3.0;  /* fitted on the evaluation, network-observable (eval/RESULTS.md) */
    p->net_only = true;
}

/* ICD 203 bands. Boundaries go to the higher word except at the edges. */
const char *
attrib_icd_word(double p)
{
    if (p < 0.05)
        return "almost no chance";
    if (p < 0.20)
        return "very unlikely";
    if (p < 0.45)
        return "unlikely";
    if (p <= 0.55)
        return "roughly even chance";
    if (p < 0.80)
        return "likely";
    if (p < 0.95)
        return "very likely";
    return "almost certain";
}

/* STIX 2.1 appendix: DNI scale -> 5/15/30/50/70/85/95. */
int
attrib_stix_confidence(double p)
{
    if (p < 0.05)
        return 5;
    if (p < 0.20)
        return 15;
    if (p < 0.45)
        return 30;
    if (p <= 0.55)
        return 50;
    if (p < 0.80)
        return 70;
    if (p < 0.95)
        return 85;
    return 95;
}

double
attrib_item_llr(const vg_attrib_kb_t *kb, const attrib_profiles_t *pr, const attrib_params_t *p,
                size_t g, int item)
{
    const attrib_item_t *it = &kb->items[item];
    double n = (double)pr->n_groups;
    double w = it->kind == ATTRIB_ITEM_SOFT ? p->w_software : 1.0;
    size_t ni = pr->n_items;
    double share = (double)pr->df[item] / (n > 0 ? n : 1);
    /* Widely shared tools (Cobalt Strike, Mimikatz) say little about who:
     * their weight drops to a tenth above the commodity share (and at
     * least five users, so a tiny KB does not call everything commodity). */
    double damp = 1.0;
    if (it->kind == ATTRIB_ITEM_SOFT && share > p->commodity_share && pr->df[item] >= 5)
        damp = 0.1;
    if (pr->mem[g * ni + (size_t)item]) {
        double pu = (pr->df[item] + 1.0) / (n + 2.0);
        return damp * w * log(1.0 / pu);
    }
    if (it->kind == ATTRIB_ITEM_TECH) {
        int par = it->parent >= 0 ? it->parent : item;
        if (pr->par[g * ni + (size_t)par]) {
            double pu = (pr->dfp[par] + 1.0) / (n + 2.0);
            return w * p->sub_credit * log(1.0 / pu);
        }
    }
    /* Profiles are incomplete: an observed item missing from G's profile
     * costs a fixed, modest amount rather than log(epsilon). */
    return -damp * w * p->miss;
}

static double
clampd(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Weight of an indicator hit for one of the k groups that claim it. */
static double
indicator_llr(const attrib_params_t *p, const attrib_unit_t *u, int k, double cap)
{
    double rel = u->vendor ? 0.9 : 0.6;
    double conf;
    if (u->confidence >= 0)
        conf = u->confidence / 100.0;
    else
        conf = u->n_sources >= 3 ? 0.95 : (u->n_sources == 2 ? 0.85 : 0.7);
    /* Age decay: half-life two years from valid_from; infrastructure moves
     * on and gets reused by others. Expired indicators keep 30 %. */
    double decay = 1.0;
    if (u->valid_from > 0 && u->first > u->valid_from) {
        double age_days = (double)(u->first - u->valid_from) / 86400e6;
        decay = pow(0.5, age_days / 730.0);
        if (decay < 0.1)
            decay = 0.1;
    }
    if (u->expired)
        decay *= 0.3;
    double w = rel * conf * decay / (k > 0 ? k : 1);
    /* rho: chance to meet the value in unrelated traffic. */
    double rho = 0.005;
    if (strcmp(u->ioc_type, "ip") == 0)
        rho = 0.02;
    if (u->warning)
        rho = 0.3;
    (void)p;
    return clampd(log(1.0 + w * (1.0 - rho) / rho), 0.0, cap);
}

static int
cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : (x > y ? -1 : 0);
}

/* Is technique unit u shadowed by a sub-technique unit of the same parent
 * (technique and sub-technique are one unit)? */
static bool
shadowed(const vg_attrib_kb_t *kb, const attrib_unit_t *units, size_t n, size_t u)
{
    int it = units[u].item;
    if (units[u].type != ATTRIB_EV_TECHNIQUE || it < 0 || kb->items[it].parent >= 0)
        return false;
    for (size_t j = 0; j < n; j++)
        if (j != u && units[j].type == ATTRIB_EV_TECHNIQUE && units[j].item >= 0 &&
            kb->items[units[j].item].parent == it)
            return true;
    return false;
}

static bool
unit_counts(const vg_attrib_kb_t *kb, const attrib_params_t *p, const attrib_unit_t *units,
            size_t n, size_t u)
{
    const attrib_unit_t *x = &units[u];
    if (x->type == ATTRIB_EV_TECHNIQUE || x->type == ATTRIB_EV_SOFTWARE) {
        if (x->item < 0)
            return false;
        if (x->type == ATTRIB_EV_TECHNIQUE && p->net_only && !kb->items[x->item].net)
            return false;
        return !shadowed(kb, units, n, u);
    }
    return true;
}

/* Contribution of unit u to group g (nats, capped per unit). */
static double
unit_llr(const vg_attrib_kb_t *kb, const attrib_profiles_t *pr, const attrib_params_t *p,
         const attrib_unit_t *x, size_t g)
{
    if (x->type == ATTRIB_EV_TECHNIQUE || x->type == ATTRIB_EV_SOFTWARE)
        return clampd(attrib_item_llr(kb, pr, p, g, x->item), -p->item_cap, p->item_cap);
    int k = x->n_groups + x->n_actor_names;
    for (int i = 0; i < x->n_groups; i++)
        if ((size_t)x->groups[i] == g)
            return indicator_llr(p, x, k,
                                 x->type == ATTRIB_EV_INFRA ? p->infra_cap : p->ioc_cap);
    return 0.0;
}

/* Type t's support for g as the guards see it: indicator-derived software
 * moved from the software type to the indicator type (raw units of each). */
static double
guard_by(const double *bt, const double *der, const attrib_params_t *p, size_t g, int t)
{
    double v = bt[g * ATTRIB_EV_TYPES + t];
    if (t == ATTRIB_EV_SOFTWARE)
        v -= der[g];
    else if (t == ATTRIB_EV_INDICATOR)
        v += der[g] / p->temperature;
    return v;
}

/* A campaign attributed to g whose window (+- one year) covers t, or -1. */
static int
time_camp(const vg_attrib_kb_t *kb, size_t g, vg_time_us_t t)
{
    const int64_t year = 365LL * 86400 * 1000000;
    for (size_t c = 0; c < kb->n_camps; c++) {
        const attrib_campaign_t *cp = &kb->camps[c];
        if (cp->group == (int)g && cp->first > 0 && t >= cp->first - year &&
            t <= (cp->last > 0 ? cp->last : cp->first) + year)
            return (int)c;
    }
    return -1;
}

int
attrib_score_units(const vg_attrib_kb_t *kb, const attrib_profiles_t *pr,
                   const attrib_params_t *p, const attrib_unit_t *units, size_t n_units,
                   attrib_result_t *res, double *rank_out)
{
    size_t ng = pr->n_groups;
    memset(res, 0, sizeof(*res));
    res->judged = -1;
    res->conflict_group = -1;
    res->time_campaign = -1;
    double *L = calloc(ng + 1, sizeof(double));
    double *bt = calloc((ng + 1) * ATTRIB_EV_TYPES, sizeof(double));
    /* per group: software log-odds from units derived from indicator hits
     * (raw, before temperature), moved to the indicator type by the guards */
    double *der = calloc(ng + 1, sizeof(double));
    double *tmp = calloc(n_units + 1, sizeof(double));
    bool *counts = calloc(n_units + 1, sizeof(bool));
    if (L == NULL || bt == NULL || der == NULL || tmp == NULL || counts == NULL) {
        free(L);
        free(bt);
        free(der);
        free(tmp);
        free(counts);
        return VG_ENOMEM;
    }
    vg_time_us_t t_inc = 0; /* incident start: earliest unit */
    for (size_t u = 0; u < n_units; u++)
        if (units[u].first > 0 && (t_inc == 0 || units[u].first < t_inc))
            t_inc = units[u].first;
    bool has_prof = false;
    for (size_t u = 0; u < n_units; u++) {
        counts[u] = unit_counts(kb, p, units, n_units, u);
        if (counts[u] && (units[u].type == ATTRIB_EV_TECHNIQUE ||
                          units[u].type == ATTRIB_EV_SOFTWARE))
            has_prof = true;
    }

    /* prior: U keeps prior_unknown; the rest is shared by the groups, less
     * for groups with large profiles (they match anything), normalized so
     * the average group keeps its share. */
    /* log prior weight of g: (1 + profile size)^(-size_pen / T), normalized
     * so the groups together keep exactly 1 - prior_unknown */
    double lse = -INFINITY;
    for (size_t g = 0; g < ng; g++) {
        double lw = -p->size_pen / p->temperature * log(1.0 + pr->size[g]);
        lse = lse > lw ? lse + log1p(exp(lw - lse)) : lw + log1p(exp(lse - lw));
    }
    double base = log((1.0 - p->prior_unknown) / p->prior_unknown) - lse;

    for (size_t g = 0; g < ng; g++) {
        double *by = &bt[g * ATTRIB_EV_TYPES];
        for (int t = 0; t < ATTRIB_EV_TYPES; t++) {
            size_t m = 0;
            for (size_t u = 0; u < n_units; u++)
                if (counts[u] && units[u].type == t)
                    tmp[m++] = unit_llr(kb, pr, p, &units[u], g);
            if (t == ATTRIB_EV_INDICATOR || t == ATTRIB_EV_INFRA) {
                /* several indicators of one group in one incident are
                 * correlated (same campaign infrastructure): each further
                 * one counts 0.6 of the previous */
                qsort(tmp, m, sizeof(double), cmp_desc);
                double f = 1.0;
                for (size_t i = 0; i < m; i++, f *= 0.6)
                    by[t] += tmp[i] * f;
            } else {
                for (size_t i = 0; i < m; i++)
                    by[t] += tmp[i];
            }
            by[t] = clampd(by[t], -p->type_cap[t], p->type_cap[t]);
        }
        for (size_t u = 0; u < n_units; u++)
            if (counts[u] && units[u].type == ATTRIB_EV_SOFTWARE && units[u].from_indicator)
                der[g] += unit_llr(kb, pr, p, &units[u], g);
        /* the software type's cap applies to the sum; the derived part
         * never exceeds what the type kept */
        if (fabs(der[g]) > fabs(by[ATTRIB_EV_SOFTWARE]) &&
            (der[g] > 0) == (by[ATTRIB_EV_SOFTWARE] > 0))
            der[g] = by[ATTRIB_EV_SOFTWARE];
        /* The temperature (fitted on the evaluation) calibrates the
         * profile-matching types only; indicator weights are direct. */
        double prof = by[ATTRIB_EV_TECHNIQUE] + by[ATTRIB_EV_SOFTWARE] -
                      p->size_pen * log(1.0 + pr->size[g]);
        L[g] = base + by[ATTRIB_EV_INDICATOR] + by[ATTRIB_EV_INFRA] + prof / p->temperature;
        if (has_prof)
            L[g] += p->calib_bias;
        if (t_inc > 0 && time_camp(kb, g, t_inc) >= 0)
            L[g] += p->time_llr;
        if (rank_out != NULL)
            rank_out[g] = L[g];
    }

    /* posterior over groups + U (U's log-odds is 0) */
    double mx = 0.0;
    for (size_t g = 0; g < ng; g++)
        if (L[g] > mx)
            mx = L[g];
    double z = exp(-mx);
    for (size_t g = 0; g < ng; g++)
        z += exp(L[g] - mx);
    res->p_unknown = exp(-mx) / z;

    /* top hypotheses */
    for (size_t g = 0; g < ng; g++) {
        double pg = exp(L[g] - mx) / z;
        size_t pos = res->n_top;
        while (pos > 0 && res->top[pos - 1].logodds < L[g])
            pos--;
        if (pos >= ATTRIB_MAX_ALT)
            continue;
        size_t last = res->n_top < ATTRIB_MAX_ALT ? res->n_top : ATTRIB_MAX_ALT - 1;
        for (size_t k = last; k > pos; k--)
            res->top[k] = res->top[k - 1];
        res->top[pos].group = (int)g;
        res->top[pos].logodds = L[g];
        res->top[pos].prob = pg;
        memcpy(res->top[pos].by_type, &bt[g * ATTRIB_EV_TYPES], sizeof(res->top[pos].by_type));
        if (res->n_top < ATTRIB_MAX_ALT)
            res->n_top++;
    }

    if (res->n_top > 0 && res->top[0].prob > res->p_unknown && n_units > 0) {
        attrib_hyp_t *h = &res->top[0];
        res->judged = h->group;
        double pj = h->prob;
        /* contributions in log-odds units (profile types are tempered).
         * Software derived from an indicator's malware/tool link is the
         * same observation as the indicator hit: for the guards it counts
         * with the indicator type, not as a second, independent type. */
        double c[ATTRIB_EV_TYPES];
        for (int t = 0; t < ATTRIB_EV_TYPES; t++)
            c[t] = (t == ATTRIB_EV_TECHNIQUE || t == ATTRIB_EV_SOFTWARE)
                       ? h->by_type[t] / p->temperature
                       : h->by_type[t];
        double dj = der[h->group] / p->temperature;
        c[ATTRIB_EV_SOFTWARE] -= dj;
        c[ATTRIB_EV_INDICATOR] += dj;
        int npos = 0;
        double pos_sum = 0.0, pos_max = 0.0;
        for (int t = 0; t < ATTRIB_EV_TYPES; t++) {
            if (c[t] > 0.5) {
                npos++;
                pos_sum += c[t];
                if (c[t] > pos_max)
                    pos_max = c[t];
            }
        }
        res->n_types_for = npos;
        /* Guard 1: above "likely", no single type may carry more than half
         * of the log-odds: the dominant type is clipped to the sum of the
         * others. On its own a type still reaches "likely" (guard 2), so
         * adding weak agreeing evidence never lowers the judgement. */
        double p_single = pj < 0.79 ? pj : 0.79;
        if (npos >= 2 && pos_max > pos_sum - pos_max) {
            double cut = pos_max - (pos_sum - pos_max);
            double lg = h->logodds - cut;
            double zz = z * exp(mx) - exp(h->logodds) + exp(lg);
            double pc = exp(lg) / zz;
            if (pc < pj) {
                pj = pc > p_single ? pc : p_single;
                res->flags |= ATTRIB_FLAG_CAPPED_SHARE;
            }
        }
        /* Guard 2: above "likely" needs two independent types agreeing. */
        if (npos < 2 && pj > 0.79) {
            pj = 0.79;
            res->flags |= ATTRIB_FLAG_SINGLE_TYPE;
        }
        /* Guard 3: a type that strongly favours another group while a
         * different type favours this one is a conflict: possible false
         * flag (planted artefacts). Cap at roughly even chance. */
        for (size_t g = 0; g < ng && res->conflict_group < 0; g++) {
            if ((int)g == h->group)
                continue;
            for (int t = 0; t < ATTRIB_EV_TYPES; t++) {
                double other = guard_by(bt, der, p, g, t);
                if (other >= 2.3 && other > guard_by(bt, der, p, (size_t)h->group, t) + 2.3) {
                    int ot;
                    for (ot = 0; ot < ATTRIB_EV_TYPES; ot++)
                        if (ot != t && guard_by(bt, der, p, (size_t)h->group, ot) >= 2.3 &&
                            guard_by(bt, der, p, (size_t)h->group, ot) >
                                guard_by(bt, der, p, g, ot) + 2.3)
                            break;
                    if (ot < ATTRIB_EV_TYPES) {
                        res->conflict_group = (int)g;
                        break;
                    }
                }
            }
        }
        if (res->conflict_group >= 0) {
            res->flags |= ATTRIB_FLAG_FALSE_FLAG;
            if (pj > 0.55)
                pj = 0.55;
        }
        res->p_judged = pj > 0.99 ? 0.99 : pj;
        if (t_inc > 0) {
            res->time_campaign = time_camp(kb, (size_t)h->group, t_inc);
            res->time_llr = res->time_campaign >= 0 ? p->time_llr : 0.0;
        } /* the scale ends at "almost certain" (99 %) */
    } else {
        res->judged = -1;
        res->p_judged = res->p_unknown;
    }
    for (size_t u = 0; u < n_units; u++) {
        if (units[u].n_groups + units[u].n_actor_names > 1)
            res->flags |= ATTRIB_FLAG_SHARED_INDICATOR;
        if (units[u].warning)
            res->flags |= ATTRIB_FLAG_WARNINGLIST;
    }
    res->word = attrib_icd_word(res->p_judged);
    res->stix_confidence = attrib_stix_confidence(res->p_judged);

    /* Analytic confidence: diversity and reliability of the evidence, and
     * conflict. Stated separately from the likelihood. */
    bool vendor = false;
    for (size_t u = 0; u < n_units; u++)
        if (units[u].type == ATTRIB_EV_INDICATOR && units[u].vendor)
            vendor = true;
    if (res->flags & ATTRIB_FLAG_FALSE_FLAG)
        res->analytic = "low";
    else if (res->n_types_for >= 3 || (res->n_types_for >= 2 && vendor))
        res->analytic = "high";
    else if (res->n_types_for >= 2 || (res->n_types_for == 1 && vendor))
        res->analytic = "moderate";
    else
        res->analytic = "low";

    /* per-unit contribution towards the judged actor (or the best group) */
    int g0 = res->judged >= 0 ? res->judged : (res->n_top > 0 ? res->top[0].group : -1);
    res->unit_llr = calloc(n_units + 1, sizeof(double));
    if (res->unit_llr != NULL && g0 >= 0)
        for (size_t u = 0; u < n_units; u++)
            res->unit_llr[u] =
                !counts[u] ? 0.0
                : (units[u].type == ATTRIB_EV_TECHNIQUE || units[u].type == ATTRIB_EV_SOFTWARE)
                    ? unit_llr(kb, pr, p, &units[u], (size_t)g0) / p->temperature
                    : unit_llr(kb, pr, p, &units[u], (size_t)g0);
    free(L);
    free(bt);
    free(der);
    free(tmp);
    free(counts);
    return VG_OK;
}

void
attrib_result_fini(attrib_result_t *r)
{
    free(r->unit_llr);
    r->unit_llr = NULL;
}
