/* capture.h - packet sources behind one small vtable: a pcap/pcapng file, a
 * folder of them read as one stream, or a live interface.
 *
 * vg_capture_next() copies each packet into the packet's own buffer
 * (p->buf, grown up to the snaplen limit), so a packet outlives libpcap's
 * buffer. pcap_cnt is 1-based and keeps counting across the files of a
 * folder (Suricata's pcap_cnt). Timestamps are microseconds (nanosecond
 * pcaps are read at micro precision).
 *
 * A truncated or corrupt capture is not an engine error: the packets read
 * so far are kept, the problem is reported through the warning callback as
 * "<file>: truncated/corrupt at byte offset N (after packet K): <libpcap text>",
 * and the source ends cleanly (a folder moves on to its next file).
 *
 * Thread safety: a capture is used by one reader thread. vg_capture_stop()
 * may be called from a signal handler or another thread.
 */
#ifndef VG_CAPTURE_H
#define VG_CAPTURE_H

#include "core/core.h"
#include "core/core_counters.h"
#include "core/core_limits.h"
#include "decode/decode_packet.h"

#include <stdio.h>

typedef struct vg_capture vg_capture_t;

/* Called for each non-fatal problem (truncated file, unreadable file in a
 * folder). `msg` is only valid during the call. */
typedef void (*vg_capture_warn_fn)(void *user, const char *msg);

typedef struct vg_capture_opts {
    const vg_limits_t *limits; /* snaplen; required */
    vg_capture_warn_fn warn;   /* may be NULL: warnings are then only kept in last_warning */
    void *warn_user;
    bool no_promisc; /* live only: do not put the interface in promiscuous mode */
} vg_capture_opts_t;

/* Open a capture file (pcap or pcapng). VG_OK, or VG_EINVAL/VG_EIO with the
 * reason in errbuf ("<path>: <why>"). *out is owned by the caller. */
int vg_capture_open_file(vg_capture_t **out, const char *path, const vg_capture_opts_t *o,
                         char *errbuf, size_t errlen);

/* Open every pcap/pcapng file (recognised by its magic number) directly in
 * `dir`, ordered by modification time, then name. VG_EINVAL if the folder
 * cannot be read or holds no capture file. */
int vg_capture_open_dir(vg_capture_t **out, const char *dir, const vg_capture_opts_t *o,
                        char *errbuf, size_t errlen);

/* Open a live interface (pcap_create + pcap_activate, immediate mode). */
int vg_capture_open_live(vg_capture_t **out, const char *iface, const vg_capture_opts_t *o,
                         char *errbuf, size_t errlen);

/* Read a pcap/pcapng stream from an open FILE (stdin, a pipe, fmemopen);
 * `name` is what warnings and vg_capture_current_file show. The capture takes
 * ownership of `f` (closed by vg_capture_close, or here on failure). */
int vg_capture_open_stream(vg_capture_t **out, FILE *f, const char *name,
                           const vg_capture_opts_t *o, char *errbuf, size_t errlen);

/* A file or a folder, whichever `path` is. */
int vg_capture_open_path(vg_capture_t **out, const char *path, const vg_capture_opts_t *o,
                         char *errbuf, size_t errlen);

/* Next packet into p: fills pcap_cnt, ts, caplen, wirelen, linktype, data
 * (= p->buf) and clears p->flags.
 * VG_OK: a packet. VG_AGAIN: live source, nothing right now.
 * VG_DECLINED: end of input (or stopped). VG_ENOMEM: buffer growth failed
 * (the packet is skipped; calling again continues). VG_EIO: live capture
 * failed (text in vg_capture_last_warning). */
int vg_capture_next(vg_capture_t *cap, vg_packet_t *p);

/* Ask the source to end: the next vg_capture_next returns VG_DECLINED.
 * Async-signal-safe. */
void vg_capture_stop(vg_capture_t *cap);

void vg_capture_close(vg_capture_t *cap);

/* Path of the file the last packet came from (EVE pcap_filename), or the
 * interface name for a live source. Never NULL. */
const char *vg_capture_current_file(const vg_capture_t *cap);

/* Last warning text ("" if none) and the number of warnings so far. */
const char *vg_capture_last_warning(const vg_capture_t *cap);
unsigned vg_capture_warnings(const vg_capture_t *cap);

/* Register capture.kernel_packets / capture.kernel_drops (startup only) and
 * add what the kernel reported since the last call (live sources; a no-op
 * for files). Call it at stats time, not per packet. */
void vg_capture_update_counters(vg_capture_t *cap, vg_counters_t *c);

#endif
