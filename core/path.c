/* path.c: the folder that holds a file, and syncing it. */
#include "path.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void path_dir_of(const char *path, char *dir, size_t size)
{
    snprintf(dir, size, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

bk_err path_sync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    path_dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return BK_ERR_IO;
    (void)fsync(fd);
    close(fd);
    return BK_OK;
}
