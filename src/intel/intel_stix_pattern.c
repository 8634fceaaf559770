/* intel_stix_pattern.c - STIX 2.x patterning language (STIX 2.1 section 9)
 * to indicator alternatives.
 *
 * The whole grammar is parsed (observation expressions joined by AND, OR,
 * FOLLOWEDBY, parentheses, WITHIN / REPEATS / START..STOP qualifiers;
 * comparisons with = != <> < > <= >= IN LIKE MATCHES ISSUBSET ISSUPERSET,
 * NOT, EXISTS; string, integer, float, boolean, h'', b'' and t'' literals)
 * so a syntax error is told apart from a valid pattern we cannot match.
 * What a NIDS can match is then extracted by reducing the comparison
 * expression of each observation to disjunctive normal form:
 *   - every OR branch (inside [ ] or between observations) becomes its own
 *     alternative; one alternative = one indicator;
 *   - an AND conjunction is supported only when it describes one value:
 *     network-traffic dst_ref.type + dst_ref.value + dst_port (IP:port),
 *     the same test repeated, or hashes of one file / certificate with or
 *     without its other properties (each hash a key, the properties
 *     implied by it; see reduce_hashed_object);
 *   - only `=` and `IN` (not negated) are matched; anything else, AND of
 *     observations, FOLLOWEDBY and qualifiers are "unsupported" with a why.
 * Accepted object paths (quoted or bare hash names, case-insensitive
 * hash names): ipv4-addr:value, ipv6-addr:value, domain-name:value,
 * url:value, email-addr:value, email-message:from_ref.value,
 * file:hashes.MD5|SHA-1|SHA1|SHA-256|SHA256, artifact:hashes.* (same),
 * x509-certificate:hashes.SHA-1|SHA-256,
 * network-traffic:dst_ref.value|dst_ref.type|dst_port,
 * network-traffic:extensions.'http-request-ext'.request_header.'User-Agent',
 * and JA3/JA3S/JA4 as custom objects: x-ja3:hash, x-ja3:value,
 * x-ja3s:hash, x-ja4:value (and :hash), plus
 * network-traffic:extensions.'x-ja3'.hash (seen in converted MISP data).
 * Bounded: pattern length, nesting depth 64, 256 tests, 1024 alternatives.
 */
#include "intel/intel_int.h"
#include "intel/intel_stix.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAT_MAX_DEPTH 64
#define PAT_MAX_TESTS 256
#define PAT_MAX_CONJ 1024
#define PAT_CONJ_MAX_TESTS 8

typedef enum {
    K_UNKNOWN = 0,
    K_IP4, K_IP6, K_DOMAIN, K_URL, K_EMAIL,
    K_MD5, K_SHA1, K_SHA256, K_CERT_SHA1, K_CERT_SHA256,
    K_JA3, K_JA3S, K_JA4, K_UA,
    K_NT_VALUE, K_NT_TYPE, K_NT_PORT,
    /* properties a hash of the same object already pins down: matchable
     * only ANDed with that hash (which then decides), see reduce_conj */
    K_FILE_PROP, K_CERT_PROP,
} path_kind_t;

typedef enum { OP_EQ, OP_NE, OP_ORD, OP_IN, OP_LIKE, OP_MATCHES, OP_SUBSET, OP_EXISTS } op_t;

typedef struct pat_test {
    path_kind_t kind;
    op_t op;
    bool neg;
    bool is_int, is_str;
    long long ival;
    size_t voff;          /* decoded string value offset in buf */
    char path[96];        /* for messages */
} pat_test_t;

typedef struct conj {
    uint16_t t[PAT_CONJ_MAX_TESTS];
    uint8_t n;
} conj_t;

typedef struct dnf {
    conj_t *c;
    size_t n, cap;
} dnf_t;

typedef enum {
    T_EOF, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COMMA, T_STR, T_INT, T_FLOAT, T_BOOL,
    T_HEX, T_BIN, T_TS, T_WORD, T_PATH, T_OP, T_ERR
} tok_kind_t;

typedef struct pat {
    const char *s;
    size_t len, pos;
    /* current token */
    tok_kind_t tk;
    size_t tstart, tend;
    long long ival;
    size_t soff;          /* T_STR: decoded offset in buf */
    char path[96];        /* T_PATH: canonical "type:a.b" */
    char op[3];           /* T_OP */
    /* storage */
    char *buf;
    size_t blen, bcap;
    pat_test_t tests[PAT_MAX_TESTS];
    size_t ntests;
    int depth;
    bool oom;
    char *why;
    size_t whylen;
    bool failed;          /* syntax error recorded */
} pat_t;

static void pat_err(pat_t *p, const char *fmt, ...) VG_PRINTF(2, 3);

static void
pat_err(pat_t *p, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    char tmp[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    snprintf(p->why, p->whylen, "syntax error at offset %zu: %s", p->tstart, tmp);
}

static size_t
buf_put(pat_t *p, const char *s, size_t n)
{
    if (p->blen + n + 1 > p->bcap) {
        size_t nc = p->bcap ? p->bcap * 2 : 256;
        while (nc < p->blen + n + 1)
            nc *= 2;
        char *nb = realloc(p->buf, nc);
        if (nb == NULL) {
            p->oom = true;
            p->failed = true;
            snprintf(p->why, p->whylen, "out of memory");
            return 0;
        }
        p->buf = nb;
        p->bcap = nc;
    }
    size_t off = p->blen;
    memcpy(p->buf + off, s, n);
    p->buf[off + n] = '\0';
    p->blen += n + 1;
    return off;
}

static bool
is_word_ch(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Quoted literal after the opening quote at p->pos; decodes \' and \\ into
 * the buffer (other escapes are errors, as the spec allows only these). */
static bool
lex_quoted(pat_t *p, size_t *off)
{
    char tmp[256];
    size_t tn = 0;
    bool first = true;
    for (;;) {
        if (p->pos >= p->len) {
            pat_err(p, "unterminated string literal");
            return false;
        }
        char c = p->s[p->pos++];
        if (c == '\'')
            break;
        if (c == '\\') {
            if (p->pos >= p->len || (p->s[p->pos] != '\'' && p->s[p->pos] != '\\')) {
                pat_err(p, "bad escape in string literal (only \\' and \\\\ allowed)");
                return false;
            }
            c = p->s[p->pos++];
        }
        tmp[tn++] = c;
        if (tn == sizeof(tmp)) {
            /* append in pieces: first piece opens the value, later ones extend it */
            if (first) {
                *off = buf_put(p, tmp, tn);
                first = false;
            } else {
                size_t o = buf_put(p, tmp, tn);
                /* pieces are written back to back; drop the NUL between */
                if (!p->oom) {
                    memmove(p->buf + o - 1, p->buf + o, tn + 1);
                    p->blen--;
                }
            }
            tn = 0;
        }
        if (p->oom)
            return false;
    }
    if (first) {
        *off = buf_put(p, tmp, tn);
    } else if (tn) {
        size_t o = buf_put(p, tmp, tn);
        if (!p->oom) {
            memmove(p->buf + o - 1, p->buf + o, tn + 1);
            p->blen--;
        }
    }
    return !p->oom;
}

/* Object path: type ':' component ( '.' component | '[' (int|'*') ']' )*,
 * component = word | 'quoted'. Canonical form drops the quotes. */
static bool
lex_path(pat_t *p, size_t type_end)
{
    size_t n = 0;
    char *out = p->path;
    size_t cap = sizeof(p->path);
    for (size_t i = p->tstart; i < type_end; i++) {
        if (n + 1 >= cap)
            goto toolong;
        out[n++] = p->s[i];
    }
    out[n++] = ':';
    p->pos = type_end + 1;
    bool need_comp = true;
    for (;;) {
        if (need_comp) {
            if (p->pos < p->len && p->s[p->pos] == '\'') {
                p->pos++;
                while (p->pos < p->len && p->s[p->pos] != '\'') {
                    if (n + 1 >= cap)
                        goto toolong;
                    out[n++] = p->s[p->pos++];
                }
                if (p->pos >= p->len) {
                    pat_err(p, "unterminated quoted path component");
                    return false;
                }
                p->pos++;
            } else if (p->pos < p->len && is_word_ch(p->s[p->pos])) {
                while (p->pos < p->len && is_word_ch(p->s[p->pos])) {
                    if (n + 1 >= cap)
                        goto toolong;
                    out[n++] = p->s[p->pos++];
                }
            } else {
                pat_err(p, "expected an object path component");
                return false;
            }
            need_comp = false;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == '.') {
            if (n + 1 >= cap)
                goto toolong;
            out[n++] = '.';
            p->pos++;
            need_comp = true;
        } else if (p->pos < p->len && p->s[p->pos] == '[') {
            size_t q = p->pos + 1;
            while (q < p->len && (isdigit((unsigned char)p->s[q]) || p->s[q] == '*'))
                q++;
            if (q >= p->len || p->s[q] != ']' || q == p->pos + 1) {
                pat_err(p, "bad list index in object path");
                return false;
            }
            for (size_t i = p->pos; i <= q; i++) {
                if (n + 1 >= cap)
                    goto toolong;
                out[n++] = p->s[i];
            }
            p->pos = q + 1;
        } else {
            break;
        }
    }
    out[n] = '\0';
    p->tk = T_PATH;
    return true;
toolong:
    pat_err(p, "object path too long");
    return false;
}

static void
next(pat_t *p)
{
    if (p->failed) {
        p->tk = T_ERR;
        return;
    }
    while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
        p->pos++;
    p->tstart = p->pos;
    if (p->pos >= p->len) {
        p->tk = T_EOF;
        return;
    }
    char c = p->s[p->pos];
    switch (c) {
    case '[': p->pos++; p->tk = T_LBRACK; return;
    case ']': p->pos++; p->tk = T_RBRACK; return;
    case '(': p->pos++; p->tk = T_LPAREN; return;
    case ')': p->pos++; p->tk = T_RPAREN; return;
    case ',': p->pos++; p->tk = T_COMMA; return;
    case '\'':
        p->pos++;
        p->tk = lex_quoted(p, &p->soff) ? T_STR : T_ERR;
        return;
    case '=': p->pos++; p->tk = T_OP; strcpy(p->op, "="); return;
    case '!': case '<': case '>': {
        char c2 = p->pos + 1 < p->len ? p->s[p->pos + 1] : 0;
        p->tk = T_OP;
        if (c == '!' && c2 == '=') { strcpy(p->op, "!="); p->pos += 2; return; }
        if (c == '<' && c2 == '>') { strcpy(p->op, "!="); p->pos += 2; return; }
        if (c != '!' && c2 == '=') { p->op[0] = c; p->op[1] = '='; p->op[2] = 0; p->pos += 2; return; }
        if (c != '!') { p->op[0] = c; p->op[1] = 0; p->pos++; return; }
        pat_err(p, "unexpected '!'");
        p->tk = T_ERR;
        return;
    }
    default:
        break;
    }
    if ((c == 'h' || c == 'b' || c == 't') && p->pos + 1 < p->len && p->s[p->pos + 1] == '\'') {
        p->pos += 2;
        size_t off;
        if (!lex_quoted(p, &off)) {
            p->tk = T_ERR;
            return;
        }
        const char *v = p->buf + off;
        size_t vn = strlen(v);
        bool ok = true;
        for (size_t i = 0; i < vn && ok; i++) {
            unsigned char ch = (unsigned char)v[i];
            if (c == 'h')
                ok = isxdigit(ch);
            else if (c == 'b')
                ok = isalnum(ch) || ch == '+' || ch == '/' || ch == '=';
        }
        if (c == 'h' && vn % 2)
            ok = false;
        if (c == 't') {
            long long us;
            ok = vg_stix_parse_time(v, &us) == 0;
        }
        if (!ok) {
            pat_err(p, "malformed %s literal", c == 'h' ? "hex" : c == 'b' ? "base64" : "timestamp");
            p->tk = T_ERR;
            return;
        }
        p->soff = off;
        p->tk = c == 'h' ? T_HEX : c == 'b' ? T_BIN : T_TS;
        return;
    }
    if (isdigit((unsigned char)c) || ((c == '-' || c == '+') && p->pos + 1 < p->len &&
                                      isdigit((unsigned char)p->s[p->pos + 1]))) {
        size_t q = p->pos + 1;
        while (q < p->len && isdigit((unsigned char)p->s[q]))
            q++;
        bool flt = false;
        if (q < p->len && p->s[q] == '.') {
            flt = true;
            q++;
            while (q < p->len && isdigit((unsigned char)p->s[q]))
                q++;
        }
        if (q - p->pos > 19) {
            pat_err(p, "number too long");
            p->tk = T_ERR;
            return;
        }
        char tmp[24];
        memcpy(tmp, p->s + p->pos, q - p->pos);
        tmp[q - p->pos] = 0;
        p->ival = flt ? 0 : strtoll(tmp, NULL, 10);
        p->pos = q;
        p->tk = flt ? T_FLOAT : T_INT;
        return;
    }
    if (is_word_ch(c)) {
        size_t q = p->pos;
        while (q < p->len && is_word_ch(p->s[q]))
            q++;
        if (q < p->len && p->s[q] == ':') {
            lex_path(p, q);
            if (p->failed)
                p->tk = T_ERR;
            return;
        }
        p->pos = q;
        p->tk = T_WORD;
        return;
    }
    pat_err(p, "unexpected character '%c'", c);
    p->tk = T_ERR;
}


static bool
word_is(const pat_t *p, const char *w)
{
    size_t n = strlen(w);
    return p->tk == T_WORD && p->pos - p->tstart == n && strncasecmp(p->s + p->tstart, w, n) == 0;
}

/* ---- object path classification ---- */

static path_kind_t
hash_kind(const char *h, bool cert)
{
    if (strcasecmp(h, "MD5") == 0)
        return cert ? K_UNKNOWN : K_MD5;
    if (strcasecmp(h, "SHA-1") == 0 || strcasecmp(h, "SHA1") == 0)
        return cert ? K_CERT_SHA1 : K_SHA1;
    if (strcasecmp(h, "SHA-256") == 0 || strcasecmp(h, "SHA256") == 0)
        return cert ? K_CERT_SHA256 : K_SHA256;
    return K_UNKNOWN;
}

static path_kind_t
classify(const char *path)
{
    const char *colon = strchr(path, ':');
    if (colon == NULL)
        return K_UNKNOWN;
    size_t tn = (size_t)(colon - path);
    const char *prop = colon + 1;
#define TYPE_IS(t) (tn == strlen(t) && strncasecmp(path, t, tn) == 0)
    if (TYPE_IS("ipv4-addr") && strcmp(prop, "value") == 0)
        return K_IP4;
    if (TYPE_IS("ipv6-addr") && strcmp(prop, "value") == 0)
        return K_IP6;
    if (TYPE_IS("domain-name") && strcmp(prop, "value") == 0)
        return K_DOMAIN;
    if (TYPE_IS("url") && strcmp(prop, "value") == 0)
        return K_URL;
    if (TYPE_IS("email-addr") && strcmp(prop, "value") == 0)
        return K_EMAIL;
    if (TYPE_IS("email-message") && strcmp(prop, "from_ref.value") == 0)
        return K_EMAIL;
    if ((TYPE_IS("file") || TYPE_IS("artifact")) && strncmp(prop, "hashes.", 7) == 0) {
        path_kind_t k = hash_kind(prop + 7, false);
        return k != K_UNKNOWN ? k : K_FILE_PROP; /* SHA-512, SSDEEP, ... */
    }
    if (TYPE_IS("x509-certificate") && strncmp(prop, "hashes.", 7) == 0) {
        path_kind_t k = hash_kind(prop + 7, true);
        return k != K_UNKNOWN ? k : K_CERT_PROP;
    }
    if (TYPE_IS("file") && (!strcmp(prop, "name") || !strcmp(prop, "size") ||
                            !strcmp(prop, "mime_type") || !strcmp(prop, "name_enc") ||
                            !strcmp(prop, "magic_number_hex")))
        return K_FILE_PROP;
    if (TYPE_IS("artifact") && !strcmp(prop, "mime_type"))
        return K_FILE_PROP;
    if (TYPE_IS("x509-certificate") &&
        (!strcmp(prop, "subject") || !strcmp(prop, "issuer") || !strcmp(prop, "serial_number") ||
         !strcmp(prop, "version") || !strcmp(prop, "validity_not_before") ||
         !strcmp(prop, "validity_not_after") || !strcmp(prop, "signature_algorithm") ||
         !strcmp(prop, "subject_public_key_algorithm")))
        return K_CERT_PROP;
    if (TYPE_IS("network-traffic")) {
        if (strcmp(prop, "dst_ref.value") == 0)
            return K_NT_VALUE;
        if (strcmp(prop, "dst_ref.type") == 0)
            return K_NT_TYPE;
        if (strcmp(prop, "dst_port") == 0)
            return K_NT_PORT;
        if (strcasecmp(prop, "extensions.http-request-ext.request_header.User-Agent") == 0)
            return K_UA;
        if (strcasecmp(prop, "extensions.x-ja3.hash") == 0)
            return K_JA3;
        return K_UNKNOWN;
    }
    if ((TYPE_IS("x-ja3") || TYPE_IS("ja3")) && (!strcmp(prop, "hash") || !strcmp(prop, "value")))
        return K_JA3;
    if ((TYPE_IS("x-ja3s") || TYPE_IS("ja3s")) && (!strcmp(prop, "hash") || !strcmp(prop, "value")))
        return K_JA3S;
    if ((TYPE_IS("x-ja4") || TYPE_IS("ja4")) && (!strcmp(prop, "hash") || !strcmp(prop, "value")))
        return K_JA4;
#undef TYPE_IS
    return K_UNKNOWN;
}

/* ---- DNF helpers ---- */

static void
dnf_free(dnf_t *d)
{
    free(d->c);
    d->c = NULL;
    d->n = d->cap = 0;
}

static bool
dnf_push(pat_t *p, dnf_t *d, const conj_t *c)
{
    if (d->n >= PAT_MAX_CONJ) {
        pat_err(p, "pattern expands to more than %d alternatives", PAT_MAX_CONJ);
        return false;
    }
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 4;
        conj_t *nn = realloc(d->c, nc * sizeof(*nn));
        if (nn == NULL) {
            p->oom = p->failed = true;
            snprintf(p->why, p->whylen, "out of memory");
            return false;
        }
        d->c = nn;
        d->cap = nc;
    }
    d->c[d->n++] = *c;
    return true;
}

/* a := a OR b (b consumed) */
static bool
dnf_or(pat_t *p, dnf_t *a, dnf_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (!dnf_push(p, a, &b->c[i]))
            return false;
    dnf_free(b);
    return true;
}

/* a := a AND b (cross product; b consumed) */
static bool
dnf_and(pat_t *p, dnf_t *a, dnf_t *b)
{
    dnf_t r = {0};
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < b->n; j++) {
            conj_t c = a->c[i];
            if (c.n + b->c[j].n > PAT_CONJ_MAX_TESTS) {
                pat_err(p, "conjunction of more than %d comparisons", PAT_CONJ_MAX_TESTS);
                dnf_free(&r);
                return false;
            }
            for (uint8_t k = 0; k < b->c[j].n; k++)
                c.t[c.n++] = b->c[j].t[k];
            if (!dnf_push(p, &r, &c)) {
                dnf_free(&r);
                return false;
            }
        }
    }
    dnf_free(a);
    dnf_free(b);
    *a = r;
    return true;
}

static bool
add_test(pat_t *p, dnf_t *d, const pat_test_t *t)
{
    if (p->ntests >= PAT_MAX_TESTS) {
        pat_err(p, "more than %d comparisons", PAT_MAX_TESTS);
        return false;
    }
    p->tests[p->ntests] = *t;
    conj_t c = {.n = 1};
    c.t[0] = (uint16_t)p->ntests++;
    return dnf_push(p, d, &c);
}

/* ---- comparison expressions (inside [ ]) ---- */

static bool parse_cmp_or(pat_t *p, dnf_t *out);

static bool
is_literal(tok_kind_t k)
{
    return k == T_STR || k == T_INT || k == T_FLOAT || k == T_BOOL || k == T_HEX || k == T_BIN ||
           k == T_TS;
}

static bool
parse_prop_test(pat_t *p, dnf_t *out)
{
    if (p->tk == T_LPAREN) {
        if (++p->depth > PAT_MAX_DEPTH) {
            pat_err(p, "nesting deeper than %d", PAT_MAX_DEPTH);
            return false;
        }
        next(p);
        if (!parse_cmp_or(p, out))
            return false;
        if (p->tk != T_RPAREN) {
            pat_err(p, "expected ')'");
            return false;
        }
        p->depth--;
        next(p);
        return true;
    }
    pat_test_t t;
    memset(&t, 0, sizeof(t));
    if (word_is(p, "EXISTS")) {
        next(p);
        if (p->tk != T_PATH) {
            pat_err(p, "expected an object path after EXISTS");
            return false;
        }
        snprintf(t.path, sizeof(t.path), "%s", p->path);
        t.kind = classify(p->path);
        t.op = OP_EXISTS;
        next(p);
        return add_test(p, out, &t);
    }
    if (p->tk != T_PATH) {
        pat_err(p, "expected an object path (type:property)");
        return false;
    }
    snprintf(t.path, sizeof(t.path), "%s", p->path);
    t.kind = classify(p->path);
    next(p);
    if (word_is(p, "NOT")) {
        t.neg = true;
        next(p);
    }
    if (p->tk == T_OP) {
        t.op = strcmp(p->op, "=") == 0 ? OP_EQ : strcmp(p->op, "!=") == 0 ? OP_NE : OP_ORD;
        next(p);
        if (!is_literal(p->tk)) {
            pat_err(p, "expected a literal after the comparison operator");
            return false;
        }
        t.is_str = p->tk == T_STR;
        t.is_int = p->tk == T_INT;
        t.ival = p->ival;
        t.voff = p->soff;
        if (t.op == OP_EQ && !t.is_str && !t.is_int)
            t.op = OP_ORD; /* a binary/float/bool equality: parsed, not matched */
        next(p);
        return add_test(p, out, &t);
    }
    if (word_is(p, "IN")) {
        next(p);
        if (p->tk != T_LPAREN) {
            pat_err(p, "expected '(' after IN");
            return false;
        }
        next(p);
        size_t n = 0;
        for (;;) {
            if (!is_literal(p->tk)) {
                pat_err(p, "expected a literal in the IN set");
                return false;
            }
            pat_test_t e = t;
            e.op = OP_EQ;
            e.is_str = p->tk == T_STR;
            e.is_int = p->tk == T_INT;
            e.ival = p->ival;
            e.voff = p->soff;
            if (!e.is_str && !e.is_int)
                e.op = OP_ORD;
            if (t.neg)
                e.op = OP_IN; /* NOT IN: unsupported */
            if (!add_test(p, out, &e))
                return false;
            n++;
            next(p);
            if (p->tk == T_COMMA) {
                next(p);
                continue;
            }
            if (p->tk == T_RPAREN)
                break;
            pat_err(p, "expected ',' or ')' in the IN set");
            return false;
        }
        next(p);
        return true;
    }
    static const struct { const char *w; op_t op; } ops[] = {
        {"LIKE", OP_LIKE}, {"MATCHES", OP_MATCHES}, {"ISSUBSET", OP_SUBSET},
        {"ISSUPERSET", OP_SUBSET},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(ops); i++) {
        if (word_is(p, ops[i].w)) {
            t.op = ops[i].op;
            next(p);
            if (p->tk != T_STR) {
                pat_err(p, "expected a string after %s", ops[i].w);
                return false;
            }
            t.voff = p->soff;
            t.is_str = true;
            next(p);
            return add_test(p, out, &t);
        }
    }
    pat_err(p, "expected a comparison operator after %s", t.path);
    return false;
}

static bool
parse_cmp_and(pat_t *p, dnf_t *out)
{
    if (!parse_prop_test(p, out))
        return false;
    while (word_is(p, "AND")) {
        next(p);
        dnf_t r = {0};
        if (!parse_prop_test(p, &r) || !dnf_and(p, out, &r)) {
            dnf_free(&r);
            return false;
        }
    }
    return true;
}

static bool
parse_cmp_or(pat_t *p, dnf_t *out)
{
    if (!parse_cmp_and(p, out))
        return false;
    while (word_is(p, "OR")) {
        next(p);
        dnf_t r = {0};
        if (!parse_cmp_and(p, &r) || !dnf_or(p, out, &r)) {
            dnf_free(&r);
            return false;
        }
    }
    return true;
}

/* ---- observation expressions ---- */

/* An observation-level result: alternatives usable on their own, or a
 * reason why the whole thing is not matchable. */
typedef struct obs {
    dnf_t d;
    bool unsupported;
    char why[120];
} obs_t;

static bool parse_obs_followed(pat_t *p, obs_t *o);

static void
obs_unsupported(obs_t *o, const char *why)
{
    dnf_free(&o->d);
    if (!o->unsupported)
        snprintf(o->why, sizeof(o->why), "%s", why);
    o->unsupported = true;
}

static bool
parse_qualifiers(pat_t *p, obs_t *o)
{
    for (;;) {
        if (word_is(p, "WITHIN")) {
            next(p);
            if (p->tk != T_INT && p->tk != T_FLOAT) {
                pat_err(p, "expected a number after WITHIN");
                return false;
            }
            next(p);
            if (!word_is(p, "SECONDS")) {
                pat_err(p, "expected SECONDS");
                return false;
            }
            next(p);
            obs_unsupported(o, "WITHIN qualifier");
        } else if (word_is(p, "REPEATS")) {
            next(p);
            if (p->tk != T_INT) {
                pat_err(p, "expected an integer after REPEATS");
                return false;
            }
            next(p);
            if (!word_is(p, "TIMES")) {
                pat_err(p, "expected TIMES");
                return false;
            }
            next(p);
            obs_unsupported(o, "REPEATS qualifier");
        } else if (word_is(p, "START")) {
            next(p);
            if (p->tk != T_TS) {
                pat_err(p, "expected t'...' after START");
                return false;
            }
            next(p);
            if (!word_is(p, "STOP")) {
                pat_err(p, "expected STOP");
                return false;
            }
            next(p);
            if (p->tk != T_TS) {
                pat_err(p, "expected t'...' after STOP");
                return false;
            }
            next(p);
            obs_unsupported(o, "START/STOP qualifier");
        } else {
            return true;
        }
    }
}

static bool
parse_obs_atom(pat_t *p, obs_t *o)
{
    memset(o, 0, sizeof(*o));
    if (++p->depth > PAT_MAX_DEPTH) {
        pat_err(p, "nesting deeper than %d", PAT_MAX_DEPTH);
        return false;
    }
    if (p->tk == T_LBRACK) {
        next(p);
        if (!parse_cmp_or(p, &o->d))
            return false;
        if (p->tk != T_RBRACK) {
            pat_err(p, "expected ']'");
            return false;
        }
        next(p);
    } else if (p->tk == T_LPAREN) {
        next(p);
        if (!parse_obs_followed(p, o))
            return false;
        if (p->tk != T_RPAREN) {
            pat_err(p, "expected ')'");
            return false;
        }
        next(p);
    } else {
        pat_err(p, "expected '[' or '(' to open an observation expression");
        return false;
    }
    p->depth--;
    return parse_qualifiers(p, o);
}

static bool
parse_obs_and(pat_t *p, obs_t *o)
{
    if (!parse_obs_atom(p, o))
        return false;
    while (word_is(p, "AND")) {
        next(p);
        obs_t r;
        if (!parse_obs_atom(p, &r)) {
            dnf_free(&r.d);
            return false;
        }
        dnf_free(&r.d);
        obs_unsupported(o, "AND of observation expressions");
    }
    return true;
}

static bool
parse_obs_or(pat_t *p, obs_t *o)
{
    if (!parse_obs_and(p, o))
        return false;
    while (word_is(p, "OR")) {
        next(p);
        obs_t r;
        if (!parse_obs_and(p, &r)) {
            dnf_free(&r.d);
            return false;
        }
        /* Either side alone is a valid reason to match: keep what works. */
        if (o->unsupported && !r.unsupported) {
            *o = r;
        } else if (!r.unsupported) {
            if (!dnf_or(p, &o->d, &r.d)) {
                dnf_free(&r.d);
                return false;
            }
        } else {
            dnf_free(&r.d);
        }
    }
    return true;
}

static bool
parse_obs_followed(pat_t *p, obs_t *o)
{
    if (!parse_obs_or(p, o))
        return false;
    while (word_is(p, "FOLLOWEDBY")) {
        next(p);
        obs_t r;
        if (!parse_obs_or(p, &r)) {
            dnf_free(&r.d);
            return false;
        }
        dnf_free(&r.d);
        obs_unsupported(o, "FOLLOWEDBY");
    }
    return true;
}

/* ---- reduce one conjunction to one indicator ---- */

static const char *
op_name(op_t op)
{
    switch (op) {
    case OP_EQ: return "=";
    case OP_NE: return "!=";
    case OP_ORD: return "ordering/non-string comparison";
    case OP_IN: return "NOT IN";
    case OP_LIKE: return "LIKE";
    case OP_MATCHES: return "MATCHES";
    case OP_SUBSET: return "ISSUBSET/ISSUPERSET";
    case OP_EXISTS: return "EXISTS";
    }
    return "?";
}

static const vg_ioc_type_t kind_type[] = {
    [K_IP4] = VG_IOC_IP, [K_IP6] = VG_IOC_IP, [K_DOMAIN] = VG_IOC_DOMAIN, [K_URL] = VG_IOC_URL,
    [K_EMAIL] = VG_IOC_EMAIL, [K_MD5] = VG_IOC_MD5, [K_SHA1] = VG_IOC_SHA1,
    [K_SHA256] = VG_IOC_SHA256, [K_CERT_SHA1] = VG_IOC_CERT_SHA1,
    [K_CERT_SHA256] = VG_IOC_CERT_SHA256, [K_JA3] = VG_IOC_JA3, [K_JA3S] = VG_IOC_JA3S,
    [K_JA4] = VG_IOC_JA4, [K_UA] = VG_IOC_USER_AGENT, [K_NT_VALUE] = VG_IOC_IP,
};

/* A conjunction on one file (or certificate) that names its hashes, with
 * or without other properties of it: [file:hashes.MD5 = 'a' AND
 * file:hashes.'SHA-256' = 'b' AND file:name = 'x.exe'] (MISP's STIX export
 * writes file objects this way). The content hash identifies the object,
 * so each hash becomes a key of the indicator and the other properties
 * are implied by it, not checked (a dropped file's name differs per host,
 * its hash does not). A property without any hash stays unsupported: the
 * name alone is not what vigil sees (fileinfo.filename is the URL path).
 * VG_OK with alts[0..*n) set (at most CONJ_MAX_ALTS), or VG_DECLINED. */
#define CONJ_MAX_ALTS 3

static bool
kind_is_file_hash(path_kind_t k)
{
    return k == K_MD5 || k == K_SHA1 || k == K_SHA256;
}

static bool
kind_is_cert_hash(path_kind_t k)
{
    return k == K_CERT_SHA1 || k == K_CERT_SHA256;
}

static int
reduce_hashed_object(pat_t *p, const conj_t *c, vg_stix_alt_t *alts, size_t *n, char *why,
                     size_t whylen)
{
    const pat_test_t *first_prop = NULL;
    bool file = false, cert = false;
    *n = 0;
    for (uint8_t i = 0; i < c->n; i++) {
        const pat_test_t *t = &p->tests[c->t[i]];
        if (t->kind == K_FILE_PROP || t->kind == K_CERT_PROP) {
            file |= t->kind == K_FILE_PROP;
            cert |= t->kind == K_CERT_PROP;
            if (first_prop == NULL)
                first_prop = t;
            continue; /* implied by the hash: any operator */
        }
        if (!kind_is_file_hash(t->kind) && !kind_is_cert_hash(t->kind)) {
            snprintf(why, whylen, "AND of %s and %s", p->tests[c->t[0]].path, t->path);
            return VG_DECLINED;
        }
        file |= kind_is_file_hash(t->kind);
        cert |= kind_is_cert_hash(t->kind);
        if (t->neg || t->op != OP_EQ || !t->is_str) {
            snprintf(why, whylen, "%s%s on %s", t->neg ? "NOT " : "",
                     t->is_str ? op_name(t->op) : "non-string comparison", t->path);
            return VG_DECLINED;
        }
        const char *v = p->buf + t->voff;
        bool dup = false;
        for (size_t j = 0; j < *n && !dup; j++) {
            if (alts[j].type != kind_type[t->kind])
                continue;
            if (strcasecmp(alts[j].value, v) != 0) {
                snprintf(why, whylen, "two different values of %s", t->path);
                return VG_DECLINED;
            }
            dup = true;
        }
        if (!dup && *n < CONJ_MAX_ALTS)
            alts[(*n)++] = (vg_stix_alt_t){.type = kind_type[t->kind], .value = v, .port = 0};
    }
    if (file && cert) {
        snprintf(why, whylen, "AND of file and x509-certificate properties");
        return VG_DECLINED;
    }
    if (*n == 0) {
        snprintf(why, whylen, "object path %s (matched only ANDed with a hash of the same %s)",
                 first_prop ? first_prop->path : "?", cert ? "certificate" : "file");
        return VG_DECLINED;
    }
    return VG_OK;
}

/* VG_OK with *alt set, or VG_DECLINED with why. */
static int
reduce_one(pat_t *p, const conj_t *c, vg_stix_alt_t *alt, char *why, size_t whylen)
{
    const pat_test_t *val = NULL, *typ = NULL, *port = NULL;
    for (uint8_t i = 0; i < c->n; i++) {
        const pat_test_t *t = &p->tests[c->t[i]];
        if (t->neg || t->op != OP_EQ) {
            snprintf(why, whylen, "%s%s on %s", t->neg ? "NOT " : "", op_name(t->op), t->path);
            return VG_DECLINED;
        }
        if (t->kind == K_UNKNOWN) {
            snprintf(why, whylen, "object path %s", t->path);
            return VG_DECLINED;
        }
        if (t->kind == K_NT_TYPE) {
            typ = t;
            continue;
        }
        if (t->kind == K_NT_PORT) {
            if (port && port->ival != t->ival) {
                snprintf(why, whylen, "two different dst_port values");
                return VG_DECLINED;
            }
            port = t;
            continue;
        }
        if (val != NULL && (val->kind != t->kind || !val->is_str || !t->is_str ||
                            strcmp(p->buf + val->voff, p->buf + t->voff) != 0)) {
            snprintf(why, whylen, "AND of %s and %s", val->path, t->path);
            return VG_DECLINED;
        }
        val = t;
    }
    if (val == NULL) {
        snprintf(why, whylen, "no matchable value (only %s)", (typ ? typ : port)->path);
        return VG_DECLINED;
    }
    if (!val->is_str) {
        snprintf(why, whylen, "%s compared with a non-string", val->path);
        return VG_DECLINED;
    }
    const char *v = p->buf + val->voff;
    bool nt = val->kind == K_NT_VALUE;
    if ((typ || port) && !nt) {
        snprintf(why, whylen, "AND of %s and network-traffic", val->path);
        return VG_DECLINED;
    }
    alt->type = kind_type[val->kind];
    alt->value = v;
    alt->port = 0;
    if (nt && typ) {
        const char *tv = typ->is_str ? p->buf + typ->voff : "";
        if (strcmp(tv, "domain-name") == 0) {
            alt->type = VG_IOC_DOMAIN;
        } else if (strcmp(tv, "ipv4-addr") != 0 && strcmp(tv, "ipv6-addr") != 0) {
            snprintf(why, whylen, "network-traffic:dst_ref.type '%s'", tv);
            return VG_DECLINED;
        } else if ((strcmp(tv, "ipv4-addr") == 0) != (strchr(v, ':') == NULL)) {
            snprintf(why, whylen, "dst_ref.type '%s' does not fit value '%.60s'", tv, v);
            return VG_DECLINED;
        }
    }
    if (port) {
        if (!port->is_int || port->ival < 1 || port->ival > 65535) {
            snprintf(why, whylen, "dst_port out of range");
            return VG_DECLINED;
        }
        alt->port = (uint16_t)port->ival;
        if (alt->type == VG_IOC_DOMAIN)
            alt->port = 0; /* domains are matched by name only */
    }
    if ((val->kind == K_IP4 && strchr(v, ':') != NULL) ||
        (val->kind == K_IP6 && strchr(v, ':') == NULL)) {
        snprintf(why, whylen, "%s value '%.60s' is of the other address family", val->path, v);
        return VG_DECLINED;
    }
    return VG_OK;
}

/* One conjunction to its indicator keys: hashed-object conjunctions (see
 * reduce_hashed_object) may give several, everything else one. */
static int
reduce_conj(pat_t *p, const conj_t *c, vg_stix_alt_t *alts, size_t *n, char *why, size_t whylen)
{
    path_kind_t hash_kind_seen = K_UNKNOWN;
    bool hashed_object = false;
    for (uint8_t i = 0; i < c->n && !hashed_object; i++) {
        path_kind_t k = p->tests[c->t[i]].kind;
        if (k == K_FILE_PROP || k == K_CERT_PROP)
            hashed_object = true;
        else if (kind_is_file_hash(k) || kind_is_cert_hash(k)) {
            if (hash_kind_seen != K_UNKNOWN && hash_kind_seen != k)
                hashed_object = true; /* MD5 AND SHA-256 of one file */
            hash_kind_seen = k;
        }
    }
    if (hashed_object)
        return reduce_hashed_object(p, c, alts, n, why, whylen);
    *n = 0;
    int rc = reduce_one(p, c, &alts[0], why, whylen);
    if (rc == VG_OK)
        *n = 1;
    return rc;
}

void
vg_stix_parsed_fini(vg_stix_parsed_t *r)
{
    if (r == NULL)
        return;
    free(r->alts);
    free(r->buf);
    memset(r, 0, sizeof(*r));
}

int
vg_stix_pattern_parse(const char *pattern, size_t len, size_t max_len, vg_stix_parsed_t *out,
                      char *why, size_t whylen)
{
    char dummy[8];
    if (why == NULL || whylen == 0) {
        why = dummy;
        whylen = sizeof(dummy);
    }
    why[0] = '\0';
    memset(out, 0, sizeof(*out));
    if (pattern == NULL) {
        snprintf(why, whylen, "no pattern");
        return VG_EINVAL;
    }
    if (max_len && len > max_len) {
        snprintf(why, whylen, "pattern of %zu characters, over intel.max-pattern-length %zu",
                 len, max_len);
        return VG_EINVAL;
    }
    pat_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return VG_ENOMEM;
    p->s = pattern;
    p->len = len;
    p->why = why;
    p->whylen = whylen;
    obs_t o;
    memset(&o, 0, sizeof(o));
    int rc = VG_EINVAL;
    next(p);
    if (!parse_obs_followed(p, &o))
        goto done;
    if (p->tk != T_EOF) {
        pat_err(p, "unexpected text after the pattern");
        goto done;
    }
    if (o.unsupported) {
        snprintf(why, whylen, "%s", o.why);
        rc = VG_DECLINED;
        goto done;
    }
    out->alts = calloc(o.d.n ? o.d.n * CONJ_MAX_ALTS : 1, sizeof(*out->alts));
    if (out->alts == NULL) {
        rc = VG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < o.d.n; i++) {
        vg_stix_alt_t a[CONJ_MAX_ALTS];
        size_t na = 0;
        char w[512];
        if (reduce_conj(p, &o.d.c[i], a, &na, w, sizeof(w)) == VG_OK) {
            /* drop exact duplicates (x IN ('a','a'), repeated branches) */
            for (size_t k = 0; k < na; k++) {
                bool dup = false;
                for (size_t j = 0; j < out->n && !dup; j++)
                    dup = out->alts[j].type == a[k].type && out->alts[j].port == a[k].port &&
                          strcmp(out->alts[j].value, a[k].value) == 0;
                if (!dup)
                    out->alts[out->n++] = a[k];
            }
        } else {
            if (out->n_unsupported++ == 0)
                snprintf(out->first_unsupported, sizeof(out->first_unsupported), "%.240s", w);
        }
    }
    if (out->n == 0) {
        snprintf(why, whylen, "%s", out->first_unsupported);
        rc = VG_DECLINED;
        goto done;
    }
    /* hand the value buffer over: alts point into it */
    out->buf = p->buf;
    p->buf = NULL;
    rc = VG_OK;
done:
    if (p->oom)
        rc = VG_ENOMEM;
    dnf_free(&o.d);
    free(p->buf);
    free(p);
    return rc;
}
