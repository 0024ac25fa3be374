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

// Attributes beyond the ones above.
static inline attr_t call_a_normal(void) { return A_NORMAL; }
static inline attr_t call_a_blink(void) { return A_BLINK; }
static inline int call_attrset(WINDOW *w, attr_t a) { return wattrset(w, (int)a); }

// Line-drawing characters: ACS_* index acs_map[], which only holds the
// terminal's real glyphs after initscr/newterm, so read them late.
static inline chtype call_acs_hline(void) { return ACS_HLINE; }
static inline chtype call_acs_vline(void) { return ACS_VLINE; }
static inline chtype call_acs_ulcorner(void) { return ACS_ULCORNER; }
static inline chtype call_acs_urcorner(void) { return ACS_URCORNER; }
static inline chtype call_acs_llcorner(void) { return ACS_LLCORNER; }
static inline chtype call_acs_lrcorner(void) { return ACS_LRCORNER; }
static inline chtype call_acs_ltee(void) { return ACS_LTEE; }
static inline chtype call_acs_rtee(void) { return ACS_RTEE; }
static inline int call_mvwhline(WINDOW *w, int y, int x, chtype ch, int n) { return mvwhline(w, y, x, ch, n); }
static inline int call_mvwvline(WINDOW *w, int y, int x, chtype ch, int n) { return mvwvline(w, y, x, ch, n); }
static inline int call_mvwaddch(WINDOW *w, int y, int x, chtype ch) { return mvwaddch(w, y, x, ch); }

static inline int call_getbegy(WINDOW *w) { return getbegy(w); }
static inline int call_getbegx(WINDOW *w) { return getbegx(w); }
static inline int call_getcury(WINDOW *w) { return getcury(w); }
static inline int call_getcurx(WINDOW *w) { return getcurx(w); }

// A screen on the process's own stdout/stdin. Swift 6 refuses to read the
// C globals stdout/stdin (not concurrency-safe), so pass them from here.
static inline SCREEN *call_newterm_stdio(void) { return newterm(NULL, stdout, stdin); }
static inline int call_err(void) { return ERR; }
static inline int call_key_code_yes(void) { return KEY_CODE_YES; }

// Last: term.h defines lower-case macros (lines, columns, ...) for every
// capability, which would break code after it.
#include <ncursesw/term.h>

/// Whether the terminfo entry of `term` (NULL: $TERM) declares 24-bit colour
/// with the `RGB` (ncurses) or `Tc` (tmux) flag. Loads the entry on its own
/// (no screen needed) and frees it again; 0 when there is no entry.
static inline int call_terminfo_direct_colour(const char *term) {
    TERMINAL *previous = cur_term;
    int error = 0;
    if (setupterm(term, 1, &error) != OK) { set_curterm(previous); return 0; }
    int found = tigetflag("RGB") > 0 || tigetflag("Tc") > 0;
    TERMINAL *loaded = set_curterm(previous);
    if (loaded != previous) del_curterm(loaded);
    return found;
}
#endif
