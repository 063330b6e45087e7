/* notify.h: tells systemd how the kiosk is doing (sd_notify): READY=1 once
 * the first frame is on the screen, WATCHDOG=1 from the main loop itself,
 * so a hung UI is restarted. Every call is a no-op when the kiosk does not
 * run under systemd (no NOTIFY_SOCKET). */
#ifndef BK_NOTIFY_H
#define BK_NOTIFY_H

#include <stdint.h>

/* The first frame is shown. */
void notify_ready(void);

/* The main loop is alive. Cheap; call every loop iteration. */
void notify_watchdog(void);

/* The kiosk is shutting down. */
void notify_stopping(void);

/* How often the main loop must wake up to feed the watchdog, in ms: half of
 * WATCHDOG_USEC, or 0 when there is no watchdog. */
int64_t notify_watchdog_interval_ms(void);

#endif
