#ifndef CALL_SHIM_NCURSES_H
#define CALL_SHIM_NCURSES_H
// SwiftPM drops ncursesw's pkg-config cflags; without this define cchar_t,
// setcchar and wide-character input are missing.
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

// Macros that do not import into Swift.
static inline int call_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int call_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int call_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t call_a_bold(void) { return A_BOLD; }
static inline attr_t call_a_reverse(void) { return A_REVERSE; }
static inline attr_t call_a_dim(void) { return A_DIM; }
static inline attr_t call_a_underline(void) { return A_UNDERLINE; }
static inline int call_attron(WINDOW *w, attr_t a) { return wattron(w, (int)a); }
static inline int call_attroff(WINDOW *w, attr_t a) { return wattroff(w, (int)a); }
static inline int call_box(WINDOW *w) { return box(w, 0, 0); }
static inline WINDOW *call_stdscr(void) { return stdscr; }
static inline int call_lines(void) { return LINES; }
static inline int call_cols(void) { return COLS; }
static inline int call_key_resize(void) { return KEY_RESIZE; }
/// Writes a UTF-8 string at (y, x), clipped to n display columns by ncurses.
static inline int call_mvwaddnstr(WINDOW *w, int y, int x, const char *s, int n) { return mvwaddnstr(w, y, x, s, n); }
#endif
