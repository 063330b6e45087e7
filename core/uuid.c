#include "uuid.h"

#include <string.h>
#include <uuid/uuid.h>

void bk_uuid_v4(char *out)
{
    uuid_t u;
    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

bool bk_uuid_is_v4(const char *s)
{
    if (!s || strlen(s) != BK_UUID_LEN)
        return false;
    for (int i = 0; i < BK_UUID_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    if (s[14] != '4')
        return false;
    return s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b';
}
