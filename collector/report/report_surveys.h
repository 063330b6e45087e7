/* report_surveys.h: the survey definitions an export needs for its
 * columns, shared by `buurtkiosk-collector export` and the dashboard's
 * exports: the highest version answered of every survey with responses. */
#ifndef BK_REPORT_SURVEYS_H
#define BK_REPORT_SURVEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "storage.h"
#include "survey.h"

#define REPORT_MAX_SURVEYS 256 /* surveys that name columns in one export */

/* Loads into out (at most REPORT_MAX_SURVEYS) the definitions of the
 * surveys with counted responses (and quarantined ones too with
 * with_quarantined), each at its highest version answered, from one
 * grouped query. A survey the collector holds no definition of is passed
 * to missing (may be NULL): its columns then come from the answers.
 * Returns how many were loaded; the caller frees each with survey_free. */
size_t report_surveys_load(storage *st, bool with_quarantined, survey **out,
                           void (*missing)(void *ctx, const char *survey_id, int version),
                           void *ctx);

#endif
