/* minimal_sdl.c: the baseline for bench/run.sh: the least an SDL2 +
 * SDL2_ttf program must do. Opens a window, draws one line of text,
 * presents it, optionally saves it as PNG, and exits. With --frames N it
 * then times N frames of clear + present and writes the microseconds of
 * each, one per line, to --times FILE.
 *
 * usage: bench_minimal_sdl --font TTF [--size WxH] [--png FILE]
 *                          [--frames N --times FILE] */
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, const char *why)
{
    fprintf(stderr, "bench_minimal_sdl: %s: %s\n", what, why);
    return 1;
}

static int save_png(SDL_Renderer *r, int w, int h, const char *path)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s)
        return -1;
    int rc = SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch);
    if (rc == 0)
        rc = IMG_SavePNG(s, path);
    SDL_FreeSurface(s);
    return rc;
}

int main(int argc, char **argv)
{
    const char *font_path = NULL, *png = NULL, *times = NULL;
    int w = 1920, h = 1080;
    long frames = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--font") == 0 && v)
            font_path = argv[++i];
        else if (strcmp(argv[i], "--png") == 0 && v)
            png = argv[++i];
        else if (strcmp(argv[i], "--times") == 0 && v)
            times = argv[++i];
        else if (strcmp(argv[i], "--frames") == 0 && v)
            frames = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--size") == 0 && v && sscanf(argv[i + 1], "%dx%d", &w, &h) == 2)
            i++;
        else
            return fail("usage", "--font TTF [--size WxH] [--png FILE] [--frames N --times FILE]");
    }
    if (!font_path || frames < 0 || (frames > 0 && !times) || w < 1 || h < 1)
        return fail("usage", "--font TTF [--size WxH] [--png FILE] [--frames N --times FILE]");

    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return fail("SDL_Init", SDL_GetError());
    if (TTF_Init() != 0)
        return fail("TTF_Init", TTF_GetError());
    SDL_Window *win = SDL_CreateWindow("minimal", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w,
                                       h, SDL_WINDOW_SHOWN);
    if (!win)
        return fail("SDL_CreateWindow", SDL_GetError());
    SDL_Renderer *r = SDL_CreateRenderer(win, -1, 0);
    if (!r)
        return fail("SDL_CreateRenderer", SDL_GetError());
    TTF_Font *font = TTF_OpenFont(font_path, 43);
    if (!font)
        return fail(font_path, TTF_GetError());

    /* The first frame: one line of text. */
    SDL_Color ink = {0xFF, 0xFF, 0xFF, 0xFF};
    SDL_Surface *text = TTF_RenderUTF8_Blended(font, "Doe mee", ink);
    if (!text)
        return fail("TTF_RenderUTF8_Blended", TTF_GetError());
    SDL_Texture *tex = SDL_CreateTextureFromSurface(r, text);
    if (!tex)
        return fail("SDL_CreateTextureFromSurface", SDL_GetError());
    SDL_Rect dst = {(w - text->w) / 2, (h - text->h) / 2, text->w, text->h};
    SDL_SetRenderDrawColor(r, 0x00, 0x3B, 0x73, 0xFF);
    SDL_RenderClear(r);
    SDL_RenderCopy(r, tex, NULL, &dst);
    if (png && save_png(r, w, h, png) != 0)
        return fail(png, SDL_GetError());
    SDL_RenderPresent(r);

    /* The frame-time baseline: clear + present, nothing else. */
    if (frames > 0) {
        FILE *f = fopen(times, "w");
        if (!f)
            return fail(times, "cannot write");
        Uint64 freq = SDL_GetPerformanceFrequency();
        for (long i = 0; i < frames; i++) {
            Uint64 t0 = SDL_GetPerformanceCounter();
            SDL_SetRenderDrawColor(r, 0x00, 0x3B, (Uint8)(0x73 + (i & 1)), 0xFF);
            SDL_RenderClear(r);
            SDL_RenderPresent(r);
            Uint64 t1 = SDL_GetPerformanceCounter();
            fprintf(f, "%.1f\n", (double)(t1 - t0) * 1e6 / (double)freq);
        }
        fclose(f);
    }
    SDL_FreeSurface(text);
    SDL_DestroyTexture(tex);
    TTF_CloseFont(font);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    TTF_Quit();
    SDL_Quit();
    return 0;
}
