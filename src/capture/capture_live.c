/* capture_live.c - a live interface through pcap_create/pcap_activate, in
 * immediate mode with a short read timeout so the reader can notice a stop
 * request and do timeout work while the link is quiet. */
#include "capture/capture_int.h"

#include <stdlib.h>
#include <string.h>

static int
live_next(vg_capture_t *cap, vg_packet_t *p)
{
    if (cap->pc == NULL || cap->stop)
        return VG_DECLINED;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(cap->pc, &h, &data);
    if (rc == 1)
        return capture_copy(cap, p, h, data);
    if (rc == 0)
        return VG_AGAIN;
    if (rc == PCAP_ERROR_BREAK || cap->stop)
        return VG_DECLINED;
    capture_warnf(cap, "%s: capture failed: %s", cap->cur_path, pcap_geterr(cap->pc));
    return VG_EIO;
}

static void
live_close(vg_capture_t *cap)
{
    if (cap->pc != NULL)
        pcap_close(cap->pc);
    cap->pc = NULL;
}

static const capture_ops_t live_ops = {live_next, live_close};

int
vg_capture_open_live(vg_capture_t **out, const char *iface, const vg_capture_opts_t *o,
                     char *errbuf, size_t errlen)
{
    if (out == NULL || iface == NULL || o == NULL || o->limits == NULL)
        return VG_EINVAL;
    vg_capture_t *cap = capture_new(&live_ops, o);
    char *name = strdup(iface);
    if (cap == NULL || name == NULL) {
        free(cap);
        free(name);
        snprintf(errbuf, errlen, "%s: out of memory", iface);
        return VG_ENOMEM;
    }
    cap->cur_path = name;
    cap->live = true;
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_create(iface, perr);
    if (pc == NULL) {
        snprintf(errbuf, errlen, "%s: %s", iface, perr);
        vg_capture_close(cap);
        return VG_EINVAL;
    }
    cap->pc = pc;
    pcap_set_snaplen(pc, (int)cap->snaplen);
    pcap_set_promisc(pc, o->no_promisc ? 0 : 1);
    pcap_set_immediate_mode(pc, 1);
    pcap_set_timeout(pc, 100);
    pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(pc);
    if (rc < 0) {
        snprintf(errbuf, errlen, "%s: %s (%s)", iface, pcap_statustostr(rc), pcap_geterr(pc));
        vg_capture_close(cap);
        return rc == PCAP_ERROR_PERM_DENIED ? VG_EIO : VG_EINVAL;
    }
    if (rc > 0)
        capture_warnf(cap, "%s: %s", iface, pcap_statustostr(rc));
    *out = cap;
    return VG_OK;
}
