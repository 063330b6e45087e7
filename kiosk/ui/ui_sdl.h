/* ui_sdl.h: the SDL backend: fonts (SDL2_ttf), text measuring and texture
 * caching, and executing a ui_frame's draw commands on an SDL_Renderer. */
#ifndef BK_UI_SDL_H
#define BK_UI_SDL_H

#include <SDL.h>

#include "ui.h"

typedef struct ui_fonts ui_fonts;

/* Loads the bundled fonts from dir (NotoSans-Regular/Bold.ttf,
 * NotoSansArabic-Regular/Bold.ttf). TTF_Init must have been called. Returns
 * NULL and logs which file failed when a font cannot be read. */
ui_fonts *ui_fonts_open(const char *dir);

/* Frees the fonts. NULL is a no-op. */
void ui_fonts_close(ui_fonts *fonts);

/* A text engine measuring with these fonts (shaped, right to left where the
 * text is). Measurements are cached. */
ui_text_engine ui_fonts_engine(ui_fonts *fonts);

typedef struct ui_renderer ui_renderer;

/* Wraps renderer (not owned) and fonts (not owned) with a text texture
 * cache. Returns NULL when out of memory. */
ui_renderer *ui_renderer_create(SDL_Renderer *renderer, ui_fonts *fonts);

/* Frees the cache and its textures. NULL is a no-op. */
void ui_renderer_destroy(ui_renderer *r);

/* Clears to background and executes every command of frame. */
void ui_renderer_draw(ui_renderer *r, const ui_frame *frame, ui_color background);

/* Drops every cached text texture and measurement (so nothing one resident
 * typed stays in memory for the next). */
void ui_renderer_forget_text(ui_renderer *r);

/* Writes what the renderer shows now to a PNG file. Returns 0, or -1 with
 * SDL_GetError() set. */
int ui_renderer_save_png(SDL_Renderer *renderer, const char *path);

#endif
