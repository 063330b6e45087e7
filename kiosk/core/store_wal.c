/* store_wal.c: finding committed transactions that SQLite's WAL recovery
 * would silently drop.
 *
 * SQLite reads a -wal frame by frame and stops at the first frame whose
 * checksum (or salt) does not match; everything after it is ignored
 * without an error, and a damaged -wal header makes it ignore the whole
 * file. After a power cut that is right: only the last transaction, whose
 * commit never returned, can be torn. But one damaged byte in an earlier
 * frame silently loses every answer committed after it, and integrity_check
 * cannot see that. So before integrity_check the store reads the -wal itself:
 * when, past the point where SQLite's recovery stops, an unbroken chain of
 * frames (each frame's checksum checked against its predecessor's stored
 * one, same salts) holds two or more commits, a transaction committed
 * after the damaged one exists, so the damage is not a torn last write.
 * The database is then treated as damaged and moved aside with its -wal.
 *
 * Format: https://www.sqlite.org/fileformat2.html#walformat. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"

#define WAL_HDR 32
#define WAL_FRAME_HDR 24
#define WAL_MAGIC 0x377f0682u
#define WAL_VERSION 3007000u

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* SQLite's WAL checksum over n bytes (a multiple of 8), continuing s. */
static void wal_cksum(bool big_endian, const unsigned char *a, size_t n, uint32_t s[2])
{
    uint32_t s1 = s[0], s2 = s[1];
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint32_t x0 = big_endian ? be32(a + i) : le32(a + i);
        uint32_t x1 = big_endian ? be32(a + i + 4) : le32(a + i + 4);
        s1 += x0 + s2;
        s2 += x1 + s1;
    }
    s[0] = s1;
    s[1] = s2;
}

static bool valid_page_size(uint32_t n)
{
    return n >= 512 && n <= 65536 && (n & (n - 1)) == 0;
}

/* The page size from the database file's header, or 0. */
static uint32_t db_page_size(const char *db_path)
{
    unsigned char h[100];
    int fd = open(db_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = pread(fd, h, sizeof h, 0);
    close(fd);
    if (n != (ssize_t)sizeof h)
        return 0;
    uint32_t ps = (uint32_t)h[16] << 8 | h[17];
    if (ps == 1)
        ps = 65536;
    return valid_page_size(ps) ? ps : 0;
}

/* Walks the frames of the -wal open at fd with header hdr (see above),
 * reading checksums in the given byte order. Returns true and describes the
 * damage in problem when committed transactions lie behind a damaged frame
 * or header. */
static bool wal_scan(int fd, const unsigned char *hdr, bool hdr_ok, bool big_endian, uint32_t ps,
                     unsigned char *frame, char *problem, size_t psize)
{
    size_t fsize = WAL_FRAME_HDR + ps;
    bool in_sqlite_chain = hdr_ok; /* SQLite's own walk first, with a good header */
    long stop = -1;                /* the first frame SQLite does not use (-1: the header) */
    uint32_t prev[2] = {be32(hdr + 24), be32(hdr + 28)};
    unsigned char prev_salt[8];
    memcpy(prev_salt, hdr + 16, 8);
    int run_commits = 0;
    for (long i = 0;; i++) {
        if (pread(fd, frame, fsize, WAL_HDR + (off_t)i * (off_t)fsize) != (ssize_t)fsize)
            return false;
        uint32_t pgno = be32(frame), commit = be32(frame + 4);
        uint32_t mine[2] = {be32(frame + 16), be32(frame + 20)};
        uint32_t c[2] = {prev[0], prev[1]};
        wal_cksum(big_endian, frame, 8, c);
        wal_cksum(big_endian, frame + WAL_FRAME_HDR, ps, c);
        bool sums = c[0] == mine[0] && c[1] == mine[1];
        bool same_salts = memcmp(frame + 8, hdr_ok ? hdr + 16 : prev_salt, 8) == 0;
        /* Without a good header, one salt of the header still matching says
           the frames belong to it (a torn new header has new salts). */
        bool header_salt =
            memcmp(frame + 8, hdr + 16, 4) == 0 || memcmp(frame + 12, hdr + 20, 4) == 0;
        bool linked = sums && same_salts && pgno != 0 && (hdr_ok || header_salt);
        if (in_sqlite_chain) {
            if (!linked) {
                in_sqlite_chain = false;
                stop = i;
            }
        } else {
            run_commits = linked ? run_commits + (commit != 0) : 0;
            if (run_commits >= 2) {
                snprintf(problem, psize,
                         "-wal: %s (frame %ld), but transactions committed after it follow "
                         "(frame %ld); SQLite would drop them",
                         stop < 0 ? "the header is damaged" : "a damaged frame", stop + 1, i + 1);
                return true;
            }
        }
        prev[0] = mine[0];
        prev[1] = mine[1];
        memcpy(prev_salt, frame + 8, 8);
    }
}

/* Reads db_path's -wal (see above). Returns true and describes the damage
 * in problem when committed transactions lie behind a damaged frame or
 * header; false when the -wal is absent, intact, or ends in a torn write. */
static bool wal_lost_commits(const char *db_path, char *problem, size_t psize)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s-wal", db_path) >= (int)sizeof path)
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    unsigned char hdr[WAL_HDR];
    bool lost = false;
    unsigned char *frame = NULL;
    if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
        goto done;
    uint32_t magic = be32(hdr);
    bool big_endian = magic == (WAL_MAGIC | 1u);
    uint32_t ps = be32(hdr + 8);
    uint32_t sum[2] = {0, 0};
    wal_cksum(big_endian, hdr, 24, sum);
    bool hdr_ok = (magic & ~1u) == WAL_MAGIC && be32(hdr + 4) == WAL_VERSION &&
                  valid_page_size(ps) && sum[0] == be32(hdr + 24) && sum[1] == be32(hdr + 28);
    if (hdr_ok) {
        if ((frame = malloc(WAL_FRAME_HDR + (size_t)ps)))
            lost = wal_scan(fd, hdr, true, big_endian, ps, frame, problem, psize);
        goto done;
    }
    /* A damaged header: its page size and byte order may be what is
       damaged. The database file's page size, else every possible one. */
    uint32_t from_db = db_page_size(db_path);
    if (!(frame = malloc(WAL_FRAME_HDR + 65536)))
        goto done;
    for (uint32_t size = 512; size <= 65536 && !lost; size *= 2) {
        if (from_db && size != from_db)
            continue;
        lost = wal_scan(fd, hdr, false, big_endian, size, frame, problem, psize) ||
               wal_scan(fd, hdr, false, !big_endian, size, frame, problem, psize);
    }
done:
    free(frame);
    close(fd);
    return lost;
}

bk_err store_wal_check(store *st, char *problem, size_t psize)
{
    /* Under the write lock, so no other connection appends to or restarts
       the -wal while it is read. Busy (someone else is writing and so
       opened first and checked) or read-only: nothing to check here. */
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return BK_OK;
    bool lost = wal_lost_commits(st->path, problem, psize);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return lost ? BK_ERR_CORRUPT : BK_OK;
}
