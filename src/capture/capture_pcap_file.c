/* capture_pcap_file.c - one pcap/pcapng file through libpcap's savefile
 * reader (which handles both formats, both byte orders and ns pcaps). */
#include "capture/capture_int.h"

#include <stdlib.h>
#include <string.h>

int
capture_file_open(vg_capture_t *cap, const char *path, char *errbuf, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (pc == NULL) {
        snprintf(errbuf, errlen, "%s: %s", path, perr[0] ? perr : "cannot open capture");
        return VG_EINVAL;
    }
    char *dup = strdup(path);
    if (dup == NULL) {
        pcap_close(pc);
        snprintf(errbuf, errlen, "%s: out of memory", path);
        return VG_ENOMEM;
    }
    free(cap->cur_path);
    cap->cur_path = dup;
    cap->pc = pc;
    cap->file_pkts = 0;
    FILE *f = pcap_file(pc);
    cap->file_off = f != NULL ? (int64_t)ftello(f) : -1;
    return VG_OK;
}

void
capture_file_close(vg_capture_t *cap)
{
    if (cap->pc != NULL)
        pcap_close(cap->pc);
    cap->pc = NULL;
}

int
capture_file_read(vg_capture_t *cap, vg_packet_t *p)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(cap->pc, &h, &data);
        if (rc == 1) {
            FILE *f = pcap_file(cap->pc);
            if (f != NULL)
                cap->file_off = (int64_t)ftello(f);
            cap->file_pkts++;
            int crc = capture_copy(cap, p, h, data);
            if (crc == VG_ENOMEM)
                continue; /* cannot happen below the snaplen cap; skip */
            return crc;
        }
        if (rc == PCAP_ERROR_BREAK)
            return VG_DECLINED; /* clean end of file */
        /* PCAP_ERROR: a short or corrupt record. Keep what we have. */
        capture_warnf(cap, "%s: truncated/corrupt at byte offset %lld (after packet %llu): %s",
                      cap->cur_path, (long long)cap->file_off, (unsigned long long)cap->file_pkts,
                      pcap_geterr(cap->pc));
        return VG_DECLINED;
    }
}

static int
file_next(vg_capture_t *cap, vg_packet_t *p)
{
    if (cap->pc == NULL)
        return VG_DECLINED;
    int rc = capture_file_read(cap, p);
    if (rc == VG_DECLINED)
        capture_file_close(cap);
    return rc;
}

static void
file_close(vg_capture_t *cap)
{
    capture_file_close(cap);
}

static const capture_ops_t file_ops = {file_next, file_close};

int
vg_capture_open_file(vg_capture_t **out, const char *path, const vg_capture_opts_t *o, char *errbuf,
                     size_t errlen)
{
    if (out == NULL || path == NULL || o == NULL || o->limits == NULL)
        return VG_EINVAL;
    vg_capture_t *cap = capture_new(&file_ops, o);
    if (cap == NULL) {
        snprintf(errbuf, errlen, "%s: out of memory", path);
        return VG_ENOMEM;
    }
    int rc = capture_file_open(cap, path, errbuf, errlen);
    if (rc != VG_OK) {
        vg_capture_close(cap);
        return rc;
    }
    *out = cap;
    return VG_OK;
}

int
vg_capture_open_stream(vg_capture_t **out, FILE *f, const char *name, const vg_capture_opts_t *o,
                       char *errbuf, size_t errlen)
{
    if (out == NULL || f == NULL || o == NULL || o->limits == NULL) {
        if (f != NULL)
            fclose(f);
        return VG_EINVAL;
    }
    const char *nm = name != NULL ? name : "(stream)";
    vg_capture_t *cap = capture_new(&file_ops, o);
    char *dup = strdup(nm);
    if (cap == NULL || dup == NULL) {
        free(cap);
        free(dup);
        fclose(f);
        snprintf(errbuf, errlen, "%s: out of memory", nm);
        return VG_ENOMEM;
    }
    cap->cur_path = dup;
    char perr[PCAP_ERRBUF_SIZE] = "";
    /* on failure libpcap leaves the FILE to us */
    cap->pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (cap->pc == NULL) {
        snprintf(errbuf, errlen, "%s: %s", nm, perr[0] ? perr : "cannot read capture");
        fclose(f);
        vg_capture_close(cap);
        return VG_EINVAL;
    }
    cap->file_off = (int64_t)ftello(f);
    *out = cap;
    return VG_OK;
}
