#ifndef CALL_SHIM_OPUS_H
#define CALL_SHIM_OPUS_H
#include <opus/opus.h>

// opus_encoder_ctl / opus_decoder_ctl are variadic and the OPUS_SET_* requests
// are macros: one typed wrapper per request we use.
static inline int call_opus_set_bitrate(OpusEncoder *enc, opus_int32 bps) { return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bps)); }
static inline int call_opus_set_inband_fec(OpusEncoder *enc, opus_int32 on) { return opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(on)); }
static inline int call_opus_set_packet_loss_perc(OpusEncoder *enc, opus_int32 perc) { return opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(perc)); }
static inline int call_opus_set_dtx(OpusEncoder *enc, opus_int32 on) { return opus_encoder_ctl(enc, OPUS_SET_DTX(on)); }
static inline int call_opus_set_complexity(OpusEncoder *enc, opus_int32 c) { return opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(c)); }
static inline int call_opus_get_bitrate(OpusEncoder *enc, opus_int32 *bps) { return opus_encoder_ctl(enc, OPUS_GET_BITRATE(bps)); }
static inline int call_opus_decoder_get_last_packet_duration(OpusDecoder *dec, opus_int32 *samples) { return opus_decoder_ctl(dec, OPUS_GET_LAST_PACKET_DURATION(samples)); }
static inline int call_opus_get_lookahead(OpusEncoder *enc, opus_int32 *samples) { return opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(samples)); }
static inline int call_opus_get_inband_fec(OpusEncoder *enc, opus_int32 *on) { return opus_encoder_ctl(enc, OPUS_GET_INBAND_FEC(on)); }
static inline int call_opus_get_dtx(OpusEncoder *enc, opus_int32 *on) { return opus_encoder_ctl(enc, OPUS_GET_DTX(on)); }
#endif
