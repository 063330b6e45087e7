/* token.h: a new secret for a kiosk or a program: 256 random bits as
 * URL-safe base64 (43 characters), and the SHA-256 of that text, which is
 * all a server keeps. Shared by `buurtkiosk-collector kiosk add` and the
 * dashboard's kiosk page. */
#ifndef BK_TOKEN_H
#define BK_TOKEN_H

#define TOKEN_TEXT_MAX 48 /* 43 characters and the NUL, rounded up */

/* Makes a token into text and its lower-case hex SHA-256 into sha256_hex.
 * Wipe text (sodium_memzero) once it is shown. Never fails. */
void token_new(char text[TOKEN_TEXT_MAX], char sha256_hex[65]);

#endif
