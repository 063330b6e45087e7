/* app_modules.c: the screen modules of the kiosk, in the order they see
 * input. Add a module here (and nowhere else in app.c). */
#include "app.h"

const app_module *const app_modules[] = {NULL};
const size_t app_n_modules = 0;
