/* capture_pcap_dir.c - every capture file in a folder, read in modification
 * time order (then name) as one continuous stream: pcap_cnt keeps counting,
 * and each file keeps its own link type. Files are recognised by their magic
 * number, not their extension. Unreadable or corrupt files are warned about
 * and skipped. */
#include "capture/capture_int.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct dir_entry {
    char *path;
    struct timespec mtime;
} dir_entry_t;

static int
entry_cmp(const void *a, const void *b)
{
    const dir_entry_t *x = a, *y = b;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    return strcmp(x->path, y->path);
}

static bool
is_capture_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    uint8_t m[4];
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    if (n != 4)
        return false;
    uint32_t be = ((uint32_t)m[0] << 24) | ((uint32_t)m[1] << 16) | ((uint32_t)m[2] << 8) | m[3];
    return be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
           be == 0x0a0d0d0a;
}

static int
dir_next(vg_capture_t *cap, vg_packet_t *p)
{
    for (;;) {
        if (cap->pc != NULL) {
            int rc = capture_file_read(cap, p);
            if (rc != VG_DECLINED)
                return rc;
            capture_file_close(cap);
        }
        if (cap->next_file >= cap->n_files || cap->stop)
            return VG_DECLINED;
        char err[VG_ERRBUF_SIZE];
        const char *path = cap->files[cap->next_file++];
        if (capture_file_open(cap, path, err, sizeof(err)) != VG_OK)
            capture_warnf(cap, "%s", err);
    }
}

static void
dir_close(vg_capture_t *cap)
{
    capture_file_close(cap);
    for (size_t i = 0; i < cap->n_files; i++)
        free(cap->files[i]);
    free(cap->files);
    cap->files = NULL;
    cap->n_files = 0;
}

static const capture_ops_t dir_ops = {dir_next, dir_close};

int
vg_capture_open_dir(vg_capture_t **out, const char *dir, const vg_capture_opts_t *o, char *errbuf,
                    size_t errlen)
{
    if (out == NULL || dir == NULL || o == NULL || o->limits == NULL)
        return VG_EINVAL;
    DIR *dh = opendir(dir);
    if (dh == NULL) {
        snprintf(errbuf, errlen, "%s: cannot read folder", dir);
        return VG_EINVAL;
    }
    dir_entry_t *ents = NULL;
    size_t n = 0, cap_n = 0;
    int rc = VG_OK;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        size_t plen = strlen(dir) + strlen(de->d_name) + 2;
        char *path = malloc(plen);
        if (path == NULL) {
            rc = VG_ENOMEM;
            break;
        }
        snprintf(path, plen, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !is_capture_file(path)) {
            free(path);
            continue;
        }
        if (n == cap_n) {
            size_t nc = cap_n ? cap_n * 2 : 16;
            dir_entry_t *ne = realloc(ents, nc * sizeof(*ne));
            if (ne == NULL) {
                free(path);
                rc = VG_ENOMEM;
                break;
            }
            ents = ne;
            cap_n = nc;
        }
        ents[n].path = path;
        ents[n].mtime = st.st_mtim;
        n++;
    }
    closedir(dh);
    vg_capture_t *cap = rc == VG_OK ? capture_new(&dir_ops, o) : NULL;
    char **files = rc == VG_OK && n > 0 ? malloc(n * sizeof(char *)) : NULL;
    if (rc != VG_OK || cap == NULL || (n > 0 && files == NULL)) {
        for (size_t i = 0; i < n; i++)
            free(ents[i].path);
        free(ents);
        free(files);
        free(cap);
        snprintf(errbuf, errlen, "%s: out of memory", dir);
        return VG_ENOMEM;
    }
    if (n == 0) {
        free(ents);
        free(cap);
        snprintf(errbuf, errlen, "%s: no pcap or pcapng file in folder", dir);
        return VG_EINVAL;
    }
    qsort(ents, n, sizeof(*ents), entry_cmp);
    for (size_t i = 0; i < n; i++)
        files[i] = ents[i].path;
    free(ents);
    cap->files = files;
    cap->n_files = n;
    *out = cap;
    return VG_OK;
}
