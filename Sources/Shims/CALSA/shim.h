#ifndef CALL_SHIM_ALSA_H
#define CALL_SHIM_ALSA_H
#include <alsa/asoundlib.h>
#endif
