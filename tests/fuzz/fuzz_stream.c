/* fuzz_stream.c - libFuzzer harness for flow + TCP stream tracking.
 *
 * The input is a tiny program: byte 0 picks the configuration (midstream,
 * async-oneside, small depth / segment / memcap limits), then each packet
 * is a 7-byte record
 *   flags(1) sel(1) seq_delta(2) ack_delta(2) len(1)
 * followed by `len` payload bytes (len & 63). sel bit 0: direction (server
 * to client when set), bit 1: second flow, bit 2: absolute seq/ack (the
 * deltas are the low bits of a new value), bits 3-7: time step. seq/ack
 * are relative to the last value used for that flow/direction, so the
 * fuzzer reaches in-window, overlapping and wrapped sequence numbers.
 *
 * Checked invariants (trap on violation): DATA deliveries carry bytes,
 * GAP deliveries do not; nothing is delivered for a direction after its
 * EOF; every byte of memory is returned at the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "stream/stream.h"

typedef struct fz {
    vg_flow_table_t *t;
    vg_stream_ctx_t *s;
    /* EOF seen per (flow_id, dir): a handful of flows at a time */
    uint64_t eof_id[16];
    uint8_t eof_dir[16];
    int neof;
} fz_t;

static void
fz_data(void *user, vg_flow_t *f, const vg_packet_t *p, int dir, const uint8_t *data, uint32_t len,
        unsigned flags)
{
    fz_t *z = user;
    (void)p;
    if ((flags & VG_STREAM_DATA) && (data == NULL || len == 0))
        __builtin_trap();
    if ((flags & VG_STREAM_GAP) && (data != NULL || len == 0))
        __builtin_trap();
    if (dir != VG_DIR_TOSERVER && dir != VG_DIR_TOCLIENT)
        __builtin_trap();
    volatile uint8_t sink = 0;
    for (uint32_t i = 0; data && i < len; i++)
        sink ^= data[i]; /* ASan checks every byte is readable */
    (void)sink;
    for (int i = 0; i < z->neof; i++)
        if (z->eof_id[i] == f->flow_id && z->eof_dir[i] == dir)
            __builtin_trap(); /* delivery after EOF */
    if ((flags & VG_STREAM_EOF) && z->neof < 16) {
        z->eof_id[z->neof] = f->flow_id;
        z->eof_dir[z->neof++] = (uint8_t)dir;
    }
}

static void
fz_end(void *user, vg_flow_t *f)
{
    fz_t *z = user;
    vg_stream_flow_end(z->s, f, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vg_counters_t ctr;
    if (size < 1)
        return 0;
    vg_limits_t l;
    vg_limits_defaults(&l);
    uint8_t cfg = data[0];
    l.stream_midstream = cfg & 1;
    l.stream_async_oneside = (cfg >> 1) & 1;
    if (cfg & 4)
        l.stream_reassembly_depth = 200;
    if (cfg & 8)
        l.stream_max_segments = 3;
    if (cfg & 16)
        l.stream_reassembly_memcap = 400;
    if (cfg & 32) {
        l.flow_prealloc = 0;
        l.flow_memcap = 1; /* every new flow evicts */
    }
    l.flow_hash_size = 16;
    if (!(cfg & 32))
        l.flow_prealloc = 4; /* the default 10000 costs more than the whole input */

    fz_t z;
    memset(&z, 0, sizeof(z));
    z.t = vg_flow_table_new(&l, &ctr, fz_end, &z);
    z.s = vg_stream_ctx_new(&l, &ctr, fz_data, &z);
    if (z.t == NULL || z.s == NULL)
        __builtin_trap();

    uint32_t seq[2][2] = { { 1000, 5000 }, { 0xfffffff0u, 7 } }; /* [flow][dir] */
    vg_time_us_t ts = 1000000;
    uint64_t cnt = 0;
    size_t off = 1;
    while (off + 7 <= size) {
        uint8_t flags = data[off];
        uint8_t sel = data[off + 1];
        uint16_t sd = (uint16_t)(data[off + 2] << 8 | data[off + 3]);
        uint16_t ad = (uint16_t)(data[off + 4] << 8 | data[off + 5]);
        uint32_t len = data[off + 6] & 63;
        off += 7;
        if (len > size - off)
            len = (uint32_t)(size - off);
        int dir = sel & 1, fl = (sel >> 1) & 1;
        uint32_t s_, a_;
        if (sel & 4) {
            s_ = (uint32_t)sd << 16 | ad;
            a_ = (uint32_t)ad << 16 | sd;
        } else {
            s_ = seq[fl][dir] + (uint32_t)(int16_t)sd;
            a_ = seq[fl][!dir] + (uint32_t)(int16_t)ad;
        }
        seq[fl][dir] = s_ + len;

        vg_packet_t p;
        memset(&p, 0, sizeof(p));
        p.pcap_cnt = ++cnt;
        ts += (vg_time_us_t)(sel >> 3) * 250000; /* up to ~8 s per packet: timeouts fire */
        p.ts = ts;
        p.ip_ver = 4;
        p.proto = VG_IPPROTO_TCP;
        p.flags = VG_PKT_HAS_L4;
        p.src.family = p.dst.family = 4;
        uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };
        memcpy(dir ? p.src.b : p.dst.b, srv, 4);
        memcpy(dir ? p.dst.b : p.src.b, cli, 4);
        uint16_t cport = fl ? 40001 : 40000;
        p.sp = dir ? 80 : cport;
        p.dp = dir ? cport : 80;
        p.tcp.flags = flags;
        p.tcp.seq = s_;
        p.tcp.ack = a_;
        p.tcp.win = (uint16_t)(sd ^ ad);
        p.tcp.has_wscale = (flags & 0x40) != 0;
        p.tcp.wscale = (uint8_t)(ad & 31);
        /* CWR bit doubles as "has timestamps": TSval mostly rising, sometimes
         * stepping back or 0 (PAWS paths) */
        p.tcp.has_ts = (flags & 0x80) != 0;
        p.tcp.tsval = (uint32_t)cnt * 16u - (sd & 0x3f) * ((ad & 1) ? 64u : 0u);
        p.tcp.tsecr = (uint32_t)cnt * 8u;
        p.payload = len ? data + off : NULL;
        p.payload_len = len;
        p.caplen = 54 + len;
        off += len;

        vg_flow_timeout_sweep(z.t, ts);
        if (vg_flow_handle_packet(z.t, &p) == VG_OK)
            (void)vg_stream_handle_packet(z.s, &p);
        if (p.n_events > VG_PKT_MAX_EVENTS)
            __builtin_trap();
    }
    vg_flow_table_free(z.t);
    if (vg_stream_memuse(z.s) != 0 || vg_stream_reassembly_memuse(z.s) != 0)
        __builtin_trap();
    vg_stream_ctx_free(z.s);
    return 0;
}
