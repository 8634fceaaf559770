/* capture.c - the vtable dispatch and what all sources share. */
#include "capture/capture_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

vg_capture_t *
capture_new(const capture_ops_t *ops, const vg_capture_opts_t *o)
{
    vg_capture_t *cap = calloc(1, sizeof(*cap));
    if (cap == NULL)
        return NULL;
    cap->ops = ops;
    cap->snaplen = (uint32_t)VG_MIN(o->limits->snaplen, (uint64_t)INT32_MAX);
    if (cap->snaplen < 64)
        cap->snaplen = 64;
    cap->warn = o->warn;
    cap->warn_user = o->warn_user;
    return cap;
}

void
capture_warnf(vg_capture_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cap->last_warning, sizeof(cap->last_warning), fmt, ap);
    va_end(ap);
    cap->n_warnings++;
    if (cap->warn != NULL)
        cap->warn(cap->warn_user, cap->last_warning);
}

/* Seconds + microseconds to µs, clamped so absurd capture timestamps (a
 * pcapng can carry any 64-bit value) cannot overflow. */
static vg_time_us_t
capture_ts_us(int64_t sec, int64_t usec)
{
    const int64_t lim = INT64_MAX / 1000000 - 1;
    if (sec > lim)
        sec = lim;
    else if (sec < -lim)
        sec = -lim;
    if (usec < 0)
        usec = 0;
    else if (usec > 999999)
        usec = 999999;
    return (vg_time_us_t)(sec * 1000000 + usec);
}

int
capture_copy(vg_capture_t *cap, vg_packet_t *p, const struct pcap_pkthdr *h, const uint8_t *data)
{
    /* The snaplen limit caps what we keep even if the file says more. */
    uint32_t caplen = VG_MIN(h->caplen, cap->snaplen);
    if (vg_packet_reserve(p, caplen ? caplen : 1, cap->snaplen) != VG_OK)
        return VG_ENOMEM;
    memcpy(p->buf, data, caplen);
    p->data = p->buf;
    p->caplen = caplen;
    p->wirelen = h->len < caplen ? caplen : h->len;
    p->ts = capture_ts_us(h->ts.tv_sec, h->ts.tv_usec);
    p->linktype = pcap_datalink(cap->pc);
    p->flags = 0;
    p->pcap_cnt = ++cap->pcap_cnt;
    return VG_OK;
}

int
vg_capture_next(vg_capture_t *cap, vg_packet_t *p)
{
    if (cap == NULL || p == NULL)
        return VG_EINVAL;
    if (cap->stop)
        return VG_DECLINED;
    return cap->ops->next(cap, p);
}

void
vg_capture_stop(vg_capture_t *cap)
{
    if (cap == NULL)
        return;
    cap->stop = 1;
    if (cap->live && cap->pc != NULL)
        pcap_breakloop(cap->pc);
}

void
vg_capture_close(vg_capture_t *cap)
{
    if (cap == NULL)
        return;
    cap->ops->close(cap);
    free(cap->cur_path);
    free(cap);
}

const char *
vg_capture_current_file(const vg_capture_t *cap)
{
    return cap != NULL && cap->cur_path != NULL ? cap->cur_path : "";
}

const char *
vg_capture_last_warning(const vg_capture_t *cap)
{
    return cap != NULL ? cap->last_warning : "";
}

unsigned
vg_capture_warnings(const vg_capture_t *cap)
{
    return cap != NULL ? cap->n_warnings : 0;
}

void
vg_capture_update_counters(vg_capture_t *cap, vg_counters_t *c)
{
    if (cap == NULL)
        return;
    if (!cap->counters_registered) {
        cap->c_kpkts = vg_counter_register("capture.kernel_packets");
        cap->c_kdrops = vg_counter_register("capture.kernel_drops");
        cap->counters_registered = true;
    }
    if (!cap->live || cap->pc == NULL || c == NULL)
        return;
    struct pcap_stat st;
    if (pcap_stats(cap->pc, &st) != 0)
        return;
    /* libpcap's counters are 32-bit and may wrap */
    uint32_t recv = st.ps_recv, drop = st.ps_drop;
    vg_counter_add(c, cap->c_kpkts, (uint32_t)(recv - (uint32_t)cap->last_recv));
    vg_counter_add(c, cap->c_kdrops, (uint32_t)(drop - (uint32_t)cap->last_drop));
    cap->last_recv = recv;
    cap->last_drop = drop;
}

int
vg_capture_open_path(vg_capture_t **out, const char *path, const vg_capture_opts_t *o, char *errbuf,
                     size_t errlen)
{
    struct stat st;
    if (path == NULL || stat(path, &st) != 0) {
        snprintf(errbuf, errlen, "%s: cannot open, expected a pcap file or a folder",
                 path ? path : "(null)");
        return VG_EINVAL;
    }
    if (S_ISDIR(st.st_mode))
        return vg_capture_open_dir(out, path, o, errbuf, errlen);
    return vg_capture_open_file(out, path, o, errbuf, errlen);
}
