/* token.c: see token.h. */
#include "token.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_BYTES 32 /* 256 random bits */

_Static_assert(sodium_base64_ENCODED_LEN(TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) <=
                   TOKEN_TEXT_MAX,
               "a token fits its text");

void token_new(char text[TOKEN_TEXT_MAX], char sha256_hex[65])
{
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(text, TOKEN_TEXT_MAX, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(sha256_hex, 65, digest, sizeof digest);
}
