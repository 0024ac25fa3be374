#ifndef CALL_SHIM_SRTP_H
#define CALL_SHIM_SRTP_H
#include <srtp2/srtp.h>

// --- Added for SRTPSession ---
// An expression macro; the room srtp_protect / srtp_protect_rtcp may append
// (tag + MKI; SRTCP adds its 4-byte E|index word on top).
static inline int call_SRTP_MAX_TRAILER_LEN(void) { return SRTP_MAX_TRAILER_LEN; }
#endif
