/* capture_pcap_file.c - one pcap/pcapng file through libpcap's savefile
 * reader (which handles both formats, both byte orders and ns pcaps). */
#include "capture/capture_int.h"

#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

/* Why a counted reader and not ftello() on libpcap's own FILE: glibc never
 * learns the offset of a stream nobody seeked, so ftello() made one lseek()
 * syscall per packet (73% of syscall time on a 350 MB file), and that FILE had
 * a 4 KB buffer (one read() per 4 KB). libpcap now reads through a cookie
 * stream with a large buffer; the cookie counts the bytes it delivered, and
 * ftello() of the cookie stream (that count minus what is still buffered,
 * computed by stdio without a syscall) is the exact offset after the last
 * record libpcap finished, for pcap and pcapng alike, and on pipes too. */
#define CAPTURE_READ_BUF (256u * 1024u)

typedef struct counted {
    FILE *under;  /* the real file; closed with the cookie */
    char *buf;    /* the cookie stream's stdio buffer, CAPTURE_READ_BUF bytes */
    int64_t off;  /* bytes delivered to stdio so far */
} counted_t;

/* Logical offset of the counted stream f: what the cookie delivered minus
 * what stdio still holds unread. With glibc that is two pointer reads (the
 * same FILE fields gnulib's freadahead() uses), with no call and no lock;
 * elsewhere ftello() (through counted_seek, still no syscall). */
static int64_t
counted_tell(FILE *f, const counted_t *c)
{
#if defined(__GLIBC__)
    int64_t off = c->off - (int64_t)(f->_IO_read_end - f->_IO_read_ptr);
#ifdef VG_DEBUG
    /* debug builds (fuzzing, sanitizers) check it against stdio's own answer */
    if (VG_NEVER(off != (int64_t)ftello(f)))
        return (int64_t)ftello(f);
#endif
    return off;
#else
    (void)c;
    return (int64_t)ftello(f);
#endif
}

static ssize_t
counted_read(void *cookie, char *out, size_t want)
{
    counted_t *c = cookie;
    size_t n = fread(out, 1, want, c->under); /* large: bypasses under's buffer */
    c->off += (int64_t)n;
    if (n == 0 && ferror(c->under))
        return -1;
    return (ssize_t)n;
}

/* Only the position query is supported (libpcap never seeks a savefile). */
static int
counted_seek(void *cookie, off64_t *where, int whence)
{
    counted_t *c = cookie;
    if (whence == SEEK_CUR && *where == 0) {
        *where = c->off;
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static int
counted_close(void *cookie)
{
    counted_t *c = cookie;
    int rc = c->under != NULL ? fclose(c->under) : 0;
    free(c->buf);
    free(c);
    return rc;
}

/* Wrap `under` (its current position counts as offset `start`). Returns the
 * wrapping stream, which owns `under` from then on, and its counter in *out;
 * NULL (under untouched) when out of memory. */
static FILE *
counted_open(FILE *under, int64_t start, counted_t **out)
{
    counted_t *c = calloc(1, sizeof(*c));
    char *buf = malloc(CAPTURE_READ_BUF);
    cookie_io_functions_t io = {.read = counted_read, .seek = counted_seek, .close = counted_close};
    FILE *f = c != NULL && buf != NULL ? fopencookie(c, "rb", io) : NULL;
    if (f == NULL) {
        free(c);
        free(buf);
        return NULL;
    }
    c->under = under;
    c->buf = buf;
    c->off = start;
    /* stdio never frees a caller's buffer; counted_close does, after the last read */
    setvbuf(f, buf, _IOFBF, CAPTURE_READ_BUF);
    /* one thread (the reader) ever touches these streams: no stdio lock per
     * fread (two per packet) */
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    __fsetlocking(under, FSETLOCKING_BYCALLER);
    *out = c;
    return f;
}

/* pcap_fopen_offline over a counted stream. On failure `under` is closed
 * and errbuf says why. */
static pcap_t *
counted_pcap_open(vg_capture_t *cap, FILE *under, const char *name, char *errbuf, size_t errlen)
{
    counted_t *c = NULL;
    FILE *f = counted_open(under, 0, &c);
    if (f == NULL) {
        fclose(under);
        snprintf(errbuf, errlen, "%s: out of memory", name);
        return NULL;
    }
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (pc == NULL) {
        /* on failure libpcap leaves the FILE to us */
        snprintf(errbuf, errlen, "%s: %s", name, perr[0] ? perr : "cannot read capture");
        fclose(f);
        return NULL;
    }
    cap->counted = c;
    cap->file_off = (int64_t)ftello(f);
    return pc;
}

int
capture_file_open(vg_capture_t *cap, const char *path, char *errbuf, size_t errlen)
{
    FILE *under = fopen(path, "rb");
    if (under == NULL) {
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        return VG_EINVAL;
    }
    pcap_t *pc = counted_pcap_open(cap, under, path, errbuf, errlen);
    if (pc == NULL)
        return VG_EINVAL;
    char *dup = strdup(path);
    if (dup == NULL) {
        pcap_close(pc);
        cap->counted = NULL;
        snprintf(errbuf, errlen, "%s: out of memory", path);
        return VG_ENOMEM;
    }
    free(cap->cur_path);
    cap->cur_path = dup;
    cap->pc = pc;
    cap->file_pkts = 0;
    return VG_OK;
}

void
capture_file_close(vg_capture_t *cap)
{
    if (cap->pc != NULL)
        pcap_close(cap->pc); /* closes the counted stream and the file under it */
    cap->pc = NULL;
    cap->counted = NULL;
}

int
capture_file_read(vg_capture_t *cap, vg_packet_t *p)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(cap->pc, &h, &data);
        if (rc == 1) {
            if (cap->counted != NULL)
                cap->file_off = counted_tell(pcap_file(cap->pc), cap->counted);
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
    cap->pc = counted_pcap_open(cap, f, nm, errbuf, errlen);
    if (cap->pc == NULL) {
        vg_capture_close(cap);
        return VG_EINVAL;
    }
    *out = cap;
    return VG_OK;
}
