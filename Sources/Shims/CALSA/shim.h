#ifndef CALL_SHIM_ALSA_H
#define CALL_SHIM_ALSA_H
#include <alsa/asoundlib.h>

/* alsa-lib prints its own errors to stderr ("ALSA lib pcm.c:...: Unknown PCM"),
   which would tear the ncurses screen; we report errors ourselves. The handler
   type is variadic, which Swift cannot implement, so the no-op lives here. */
static inline void call_snd_lib_error_ignore(const char *file, int line,
                                             const char *function, int err,
                                             const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

/* quiet != 0 swallows alsa-lib's messages; 0 restores its default printer. */
static inline int call_snd_lib_error_quiet(int quiet) {
    return snd_lib_error_set_handler(quiet ? call_snd_lib_error_ignore : NULL);
}
#endif
