/* path.h: the folder that holds a file, and syncing it, for the kiosk's
 * store and exports and for the collector. */
#ifndef BK_PATH_H
#define BK_PATH_H

#include <stddef.h>

#include "error.h"

/* Writes the folder that holds path into dir (size bytes): "." for a bare
 * name, "/" for a file in the root. Truncates a path longer than size. */
void path_dir_of(const char *path, char *dir, size_t size);

/* fsyncs the folder that holds path, so a rename or a new file in it
 * survives a power cut or a pulled stick. BK_ERR_IO when the folder cannot
 * be opened; a file system that refuses fsync on a folder (vfat on some
 * kernels) is not an error, since the files themselves were synced. */
bk_err path_sync_dir_of(const char *path);

#endif
