#ifndef CALL_SHIM_SRTP_H
#define CALL_SHIM_SRTP_H
#include <srtp2/srtp.h>
#endif
