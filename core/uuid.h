/* uuid.h: random UUIDs (version 4) from the OS random source, as lower-case
 * text "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
#ifndef BK_UUID_H
#define BK_UUID_H

#include <stdbool.h>

#define BK_UUID_LEN 36 /* characters, without the terminating NUL */

/* Writes a new UUID v4 (lower-case, NUL-terminated) into out, which holds at
 * least BK_UUID_LEN + 1 bytes. Cannot fail (libuuid falls back to its own
 * generator when the OS source is missing). */
void bk_uuid_v4(char *out);

/* Returns true when s is a lower-case UUID v4 in canonical form
 * (version nibble 4, variant 8, 9, a or b). */
bool bk_uuid_is_v4(const char *s);

#endif
