/* decode_checksum.c - RFC 1071 internet checksum and L4 pseudo headers. */
#include "decode/decode_int.h"

uint32_t
vg_csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    vg_cur_t c = vg_cur_make(data, len);
    uint64_t s = sum;
    while (vg_cur_left(&c) >= 2)
        s += vg_cur_u16(&c);
    if (vg_cur_left(&c) == 1)
        s += (uint32_t)vg_cur_u8(&c) << 8;
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
}

uint16_t
vg_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t
decode_pseudo_sum(const vg_packet_t *p, uint8_t proto, uint32_t l4len)
{
    uint32_t s = 0;
    if (p->ip_ver == 4) {
        s = vg_csum_add(s, p->src.b, 4);
        s = vg_csum_add(s, p->dst.b, 4);
        s += proto;
        s += l4len & 0xffff;
    } else {
        s = vg_csum_add(s, p->src.b, 16);
        s = vg_csum_add(s, p->dst.b, 16);
        s += l4len >> 16;
        s += l4len & 0xffff;
        s += proto;
    }
    return s;
}
