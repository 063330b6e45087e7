/* storage_common.h: what every storage backend does the same way, whatever
 * its database: checking ids and hashes, the flags of a response as JSON,
 * checking a survey before it is published, and the body (and ETag) a kiosk
 * downloads. Not for use outside collector/storage/. */
#ifndef BK_STORAGE_COMMON_H
#define BK_STORAGE_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "storage.h"

/* The lower-case hex SHA-256 of text[0..len) into hex[65]. */
void storage_sha256_hex(const char *text, size_t len, char hex[65]);

/* True when s is a non-empty id of at most INGEST_ID_MAX bytes. */
bool storage_id_ok(const char *s);

/* True when s is 64 lower-case hex digits. */
bool storage_sha256_hex_ok(const char *s);

/* The flags of r as a compact JSON array (new string, caller frees), or
 * NULL when out of memory. */
char *storage_flags_json(const ingest_response *r);

/* Parses stored flags (a JSON array of strings) into row->flags. Returns
 * BK_ERR_CORRUPT (logged) when text is not such an array, BK_ERR_NOMEM. */
bk_err storage_flags_parse(response_row *row, const char *text);

/* Checks storage_survey_publish's arguments: a valid id, version >= 1,
 * json a JSON object, a known target with an id unless it is ALL. On
 * BK_OK *target_id is "" for ALL and sha[] holds the SHA-256 of json. */
bk_err storage_publish_check(const char *survey_id, int version, const char *json,
                             storage_target target, const char **target_id, char sha[65]);

/* The word stored for a target ("kiosk", "area", "all"). */
const char *storage_target_kind(storage_target target);

/* The body of storage_surveys_for_kiosk from surveys (a JSON array of
 * definitions; the reference is taken over) and the active survey's id:
 * *body_out a new string, etag its quoted SHA-256. BK_ERR_NOMEM. */
bk_err storage_surveys_body(json_t *surveys, const char *active, char **body_out, char etag[70]);

/* When an account locks after failures wrong passwords
 * (storage_login_failed): 0 below lock_after, else now + base_ms doubled
 * for each failure past lock_after, at most a day. */
int64_t storage_login_lock_until(int64_t now, int failures, int lock_after, int64_t base_ms);

#endif
