/* util_radix.c - see util_radix.h.
 *
 * A classic PATRICIA layout: every node stores its full prefix (key bytes
 * + bit length) and two child indexes; an internal "glue" node with no
 * value is created where two prefixes diverge. Lookup walks from the root,
 * checking at each node that the key agrees with the node's prefix, so a
 * mismatch ends the walk early. Depth is bounded by maxbits + 1.
 */
#include "util/util_radix.h"

#include <stdlib.h>
#include <string.h>

typedef struct radix_node {
    uint8_t key[16];
    uint8_t bits;     /* prefix length; 0..128 */
    uint32_t child[2];
    uint32_t value;
} radix_node_t;

struct vg_radix {
    radix_node_t *nodes;
    size_t n, cap;
    unsigned maxbits;
    size_t count;
    /* after vg_radix_finish(): per 16-bit key prefix, where the walk
     * resumes below depth 16 and the values of the prefixes <= /16 on the
     * way (shortest first), so a lookup skips the top of the tree */
    uint32_t *jump;       /* 65536 node indexes (NIL: nothing below) */
    uint32_t *jvals_off;  /* 65537 offsets into jvals */
    uint32_t *jvals;
};

#define NIL UINT32_MAX

static inline int
bit_at(const uint8_t *k, unsigned i)
{
    return (k[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Number of leading bits a and b share, at most limit. */
static unsigned
common_bits(const uint8_t *a, const uint8_t *b, unsigned limit)
{
    unsigned i = 0;
    while (i + 8 <= limit && a[i >> 3] == b[i >> 3])
        i += 8;
    while (i < limit && bit_at(a, i) == bit_at(b, i))
        i++;
    return i;
}

/* Does key agree with the node's prefix on its first `bits` bits? */
static inline bool
prefix_match(const radix_node_t *n, const uint8_t *key)
{
    unsigned full = n->bits >> 3, rem = n->bits & 7;
    if (memcmp(n->key, key, full) != 0)
        return false;
    if (rem == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rem));
    return (n->key[full] & mask) == (key[full] & mask);
}

static uint32_t
node_new(vg_radix_t *r, const uint8_t *key, unsigned bits)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        radix_node_t *nn = realloc(r->nodes, nc * sizeof(*nn));
        if (nn == NULL)
            return NIL;
        r->nodes = nn;
        r->cap = nc;
    }
    radix_node_t *n = &r->nodes[r->n];
    memset(n->key, 0, sizeof(n->key));
    unsigned full = bits >> 3, rem = bits & 7;
    memcpy(n->key, key, full);
    if (rem)
        n->key[full] = key[full] & (uint8_t)(0xff << (8 - rem));
    n->bits = (uint8_t)bits;
    n->child[0] = n->child[1] = NIL;
    n->value = VG_RADIX_NONE;
    return (uint32_t)r->n++;
}

vg_radix_t *
vg_radix_new(unsigned maxbits)
{
    if (maxbits != 32 && maxbits != 128)
        return NULL;
    vg_radix_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->maxbits = maxbits;
    uint8_t zero[16] = {0};
    if (node_new(r, zero, 0) == NIL) { /* the root: prefix /0 */
        free(r);
        return NULL;
    }
    return r;
}

static void
jump_free(vg_radix_t *r)
{
    free(r->jump);
    free(r->jvals_off);
    free(r->jvals);
    r->jump = r->jvals_off = r->jvals = NULL;
}

void
vg_radix_free(vg_radix_t *r)
{
    if (r == NULL)
        return;
    jump_free(r);
    free(r->nodes);
    free(r);
}

uint32_t *
vg_radix_insert(vg_radix_t *r, const uint8_t *key, unsigned bits)
{
    if (r == NULL || bits > r->maxbits)
        return NULL;
    jump_free(r); /* the shortcut table describes the old tree */
    uint32_t cur = 0; /* root, bits 0, always a prefix of everything */
    for (;;) {
        radix_node_t *c = &r->nodes[cur];
        if (c->bits == bits) {
            if (c->value == VG_RADIX_NONE)
                r->count++;
            return &c->value;
        }
        int b = bit_at(key, c->bits);
        uint32_t nx = c->child[b];
        if (nx == NIL) {
            uint32_t leaf = node_new(r, key, bits);
            if (leaf == NIL)
                return NULL;
            r->nodes[cur].child[b] = leaf;
            r->count++;
            return &r->nodes[leaf].value;
        }
        radix_node_t *x = &r->nodes[nx];
        unsigned lim = VG_MIN((unsigned)x->bits, bits);
        unsigned cb = common_bits(x->key, key, lim);
        if (cb == x->bits) { /* x is a prefix of the new key: descend */
            cur = nx;
            continue;
        }
        /* Diverge (or the new key is a prefix of x) at bit cb: put a node
         * of length cb between cur and x. */
        uint32_t mid = node_new(r, key, cb);
        if (mid == NIL)
            return NULL;
        radix_node_t *m = &r->nodes[mid];
        x = &r->nodes[nx];
        m->child[bit_at(x->key, cb)] = nx;
        r->nodes[cur].child[b] = mid;
        if (cb == bits) {
            r->count++;
            return &m->value;
        }
        uint32_t leaf = node_new(r, key, bits);
        if (leaf == NIL)
            return NULL;
        m = &r->nodes[mid];
        m->child[bit_at(key, cb)] = leaf;
        r->count++;
        return &r->nodes[leaf].value;
    }
}

size_t
vg_radix_lookup_all(const vg_radix_t *r, const uint8_t *key, uint32_t *out, size_t max_out)
{
    if (r == NULL)
        return 0;
    /* Collect along the path (shortest first), then reverse into out. */
    uint32_t path[129];
    size_t np = 0;
    uint32_t cur = 0;
    if (r->jump != NULL) {
        unsigned t = (unsigned)key[0] << 8 | key[1];
        for (uint32_t i = r->jvals_off[t]; i < r->jvals_off[t + 1] && np < VG_ARRAY_LEN(path); i++)
            path[np++] = r->jvals[i];
        cur = r->jump[t];
    }
    while (cur != NIL) {
        const radix_node_t *n = &r->nodes[cur];
        if (!prefix_match(n, key))
            break;
        if (n->value != VG_RADIX_NONE && np < VG_ARRAY_LEN(path))
            path[np++] = n->value;
        if (n->bits >= r->maxbits)
            break;
        cur = n->child[bit_at(key, n->bits)];
    }
    for (size_t i = 0; i < np && i < max_out; i++)
        out[i] = path[np - 1 - i];
    return np;
}

uint32_t
vg_radix_lookup(const vg_radix_t *r, const uint8_t *key)
{
    uint32_t v;
    return vg_radix_lookup_all(r, key, &v, 1) ? v : VG_RADIX_NONE;
}

int
vg_radix_finish(vg_radix_t *r)
{
    if (r == NULL)
        return VG_EINVAL;
    jump_free(r);
    r->jump = malloc(65536 * sizeof(uint32_t));
    r->jvals_off = malloc(65537 * sizeof(uint32_t));
    size_t cap = 1024, n = 0;
    r->jvals = malloc(cap * sizeof(uint32_t));
    if (!r->jump || !r->jvals_off || !r->jvals) {
        jump_free(r);
        return VG_ENOMEM;
    }
    for (unsigned t = 0; t < 65536; t++) {
        uint8_t key[16] = {(uint8_t)(t >> 8), (uint8_t)t};
        r->jvals_off[t] = (uint32_t)n;
        uint32_t cur = 0;
        /* nodes shorter than /16 are decided by t alone; the first node of
         * /16 or longer is where a lookup resumes (it checks that node's
         * prefix and value itself) */
        while (cur != NIL) {
            const radix_node_t *nd = &r->nodes[cur];
            if (nd->bits >= 16)
                break;
            if (!prefix_match(nd, key)) {
                cur = NIL;
                break;
            }
            if (nd->value != VG_RADIX_NONE) {
                if (n == cap) {
                    uint32_t *nv = realloc(r->jvals, cap * 2 * sizeof(uint32_t));
                    if (nv == NULL) {
                        jump_free(r);
                        return VG_ENOMEM;
                    }
                    r->jvals = nv;
                    cap *= 2;
                }
                r->jvals[n++] = nd->value;
            }
            cur = nd->child[bit_at(key, nd->bits)];
        }
        r->jump[t] = cur;
    }
    r->jvals_off[65536] = (uint32_t)n;
    return VG_OK;
}

size_t
vg_radix_count(const vg_radix_t *r)
{
    return r ? r->count : 0;
}

size_t
vg_radix_bytes(const vg_radix_t *r)
{
    if (r == NULL)
        return 0;
    return sizeof(*r) + r->cap * sizeof(radix_node_t) +
           (r->jump ? (65536 * 2 + 1) * sizeof(uint32_t) : 0);
}
