/* capture_int.h - shared by the src/capture files only. */
#ifndef VG_CAPTURE_INT_H
#define VG_CAPTURE_INT_H

#include "capture/capture.h"

#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>

typedef struct capture_ops {
    int (*next)(vg_capture_t *cap, vg_packet_t *p);
    void (*close)(vg_capture_t *cap);
} capture_ops_t;

struct vg_capture {
    const capture_ops_t *ops;
    uint32_t snaplen;
    uint64_t pcap_cnt; /* packets handed out, all files */
    volatile sig_atomic_t stop;
    vg_capture_warn_fn warn;
    void *warn_user;
    unsigned n_warnings;
    char last_warning[VG_ERRBUF_SIZE];

    /* the open pcap handle (file, current file of a folder, or live) */
    pcap_t *pc;
    char *cur_path;
    uint64_t file_pkts; /* packets read from the current file */
    int64_t file_off;   /* byte offset after the last good record */
    struct counted *counted; /* byte counter of the stream under cap->pc (file/stream) */

    /* folder */
    char **files;
    size_t n_files;
    size_t next_file;

    /* live */
    bool live;
    uint64_t last_recv, last_drop;
    vg_counter_id_t c_kpkts, c_kdrops;
    bool counters_registered;
};

vg_capture_t *capture_new(const capture_ops_t *ops, const vg_capture_opts_t *o);
void capture_warnf(vg_capture_t *cap, const char *fmt, ...) VG_PRINTF(2, 3);
/* Open `path` into cap->pc. VG_OK or VG_EINVAL with errbuf. */
int capture_file_open(vg_capture_t *cap, const char *path, char *errbuf, size_t errlen);
/* Read one packet from cap->pc (file). VG_OK, VG_DECLINED at the end or on a
 * truncated/corrupt record (warned), VG_ENOMEM. */
int capture_file_read(vg_capture_t *cap, vg_packet_t *p);
void capture_file_close(vg_capture_t *cap);
/* Copy libpcap's record into the packet's own buffer. */
int capture_copy(vg_capture_t *cap, vg_packet_t *p, const struct pcap_pkthdr *h,
                 const uint8_t *data);

#endif
