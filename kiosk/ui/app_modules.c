/* app_modules.c: the screen modules of the kiosk, in the order they see
 * input. Add a module here (and nowhere else in app.c). */
#include "app.h"
#include "live.h"
#include "staff.h"

const app_module *const app_modules[] = {&staff_module, &live_module};
const size_t app_n_modules = sizeof app_modules / sizeof app_modules[0];
