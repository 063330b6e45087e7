/* log.h: leveled logging to stderr (the journal under systemd). Never log
 * free-text answers or the sync token. */
#ifndef BK_LOG_H
#define BK_LOG_H

typedef enum { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR } log_level;

/* Sets the lowest level written (default: LOG_LEVEL_INFO, or BK_LOG=debug). */
void log_set_level(log_level level);

/* Writes "<level> module: message" to stderr; thread-safe (one write per line). */
void log_write(log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_write(LOG_LEVEL_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...) log_write(LOG_LEVEL_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_write(LOG_LEVEL_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_write(LOG_LEVEL_ERROR, mod, __VA_ARGS__)

#endif
