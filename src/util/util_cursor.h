/* util_cursor.h - bounded read cursor over wire bytes.
 *
 * The one place where raw pointer arithmetic on packet bytes lives
 * (STYLE.md). A read past the end returns 0 (or leaves the destination
 * zeroed), does not move the cursor, and latches `err`; callers do a group
 * of reads and check vg_cur_ok() once. Multi-byte reads are big-endian
 * (network order) unless the name says _le.
 */
#ifndef VG_UTIL_CURSOR_H
#define VG_UTIL_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct vg_cur {
    const uint8_t *base;
    size_t len;
    size_t off;
    bool err;
} vg_cur_t;

static inline vg_cur_t
vg_cur_make(const uint8_t *base, size_t len)
{
    vg_cur_t c = {base, len, 0, false};
    return c;
}

static inline bool
vg_cur_ok(const vg_cur_t *c)
{
    return !c->err;
}

static inline size_t
vg_cur_left(const vg_cur_t *c)
{
    return c->len - c->off;
}

static inline size_t
vg_cur_pos(const vg_cur_t *c)
{
    return c->off;
}

/* Pointer to the current position; valid for vg_cur_left() bytes. */
static inline const uint8_t *
vg_cur_ptr(const vg_cur_t *c)
{
    return c->base + c->off;
}

static inline bool
vg_cur_need(vg_cur_t *c, size_t n)
{
    if (c->err || n > c->len - c->off) {
        c->err = true;
        return false;
    }
    return true;
}

static inline uint8_t
vg_cur_u8(vg_cur_t *c)
{
    if (!vg_cur_need(c, 1))
        return 0;
    return c->base[c->off++];
}

static inline uint16_t
vg_cur_u16(vg_cur_t *c)
{
    if (!vg_cur_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)((c->base[c->off] << 8) | c->base[c->off + 1]);
    c->off += 2;
    return v;
}

static inline uint32_t
vg_cur_u24(vg_cur_t *c)
{
    if (!vg_cur_need(c, 3))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 3;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint32_t
vg_cur_u32(vg_cur_t *c)
{
    if (!vg_cur_need(c, 4))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 4;
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint16_t
vg_cur_u16_le(vg_cur_t *c)
{
    if (!vg_cur_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)(c->base[c->off] | (c->base[c->off + 1] << 8));
    c->off += 2;
    return v;
}

static inline uint32_t
vg_cur_u32_le(vg_cur_t *c)
{
    if (!vg_cur_need(c, 4))
        return 0;
    const uint8_t *p = c->base + c->off;
    c->off += 4;
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

/* Copy n bytes out; on short input dst is zeroed and err latched. */
static inline void
vg_cur_copy(vg_cur_t *c, void *dst, size_t n)
{
    if (!vg_cur_need(c, n)) {
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, c->base + c->off, n);
    c->off += n;
}

/* Return a pointer to n bytes and advance past them; NULL (and err) if short. */
static inline const uint8_t *
vg_cur_take(vg_cur_t *c, size_t n)
{
    if (!vg_cur_need(c, n))
        return NULL;
    const uint8_t *p = c->base + c->off;
    c->off += n;
    return p;
}

static inline void
vg_cur_skip(vg_cur_t *c, size_t n)
{
    if (vg_cur_need(c, n))
        c->off += n;
}

/* Move to an absolute offset (used by DNS compression pointers). */
static inline void
vg_cur_seek(vg_cur_t *c, size_t off)
{
    if (off > c->len)
        c->err = true;
    else
        c->off = off;
}

/* A sub-cursor over the next n bytes; the parent advances past them. If
 * fewer than n bytes remain, both latch err and the sub-cursor is empty. */
static inline vg_cur_t
vg_cur_sub(vg_cur_t *c, size_t n)
{
    const uint8_t *p = vg_cur_take(c, n);
    vg_cur_t s = {p, p ? n : 0, 0, p == NULL};
    return s;
}

/* Byte at absolute offset without moving; 0 and err if out of range. */
static inline uint8_t
vg_cur_peek_at(vg_cur_t *c, size_t off)
{
    if (off >= c->len) {
        c->err = true;
        return 0;
    }
    return c->base[off];
}

#endif
