#ifndef CALL_SHIM_VPX_H
#define CALL_SHIM_VPX_H
#include <vpx/vpx_encoder.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>

// vpx_codec_enc_init / vpx_codec_dec_init are macros over the *_ver functions.
static inline vpx_codec_err_t call_vpx_enc_init(vpx_codec_ctx_t *ctx, const vpx_codec_enc_cfg_t *cfg, vpx_codec_flags_t flags) {
    return vpx_codec_enc_init(ctx, vpx_codec_vp8_cx(), cfg, flags);
}
static inline vpx_codec_err_t call_vpx_dec_init(vpx_codec_ctx_t *ctx, const vpx_codec_dec_cfg_t *cfg, vpx_codec_flags_t flags) {
    return vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), cfg, flags);
}
// vpx_codec_control is variadic: one typed wrapper per control we set.
static inline vpx_codec_err_t call_vpx_set_cpu_used(vpx_codec_ctx_t *ctx, int value) {
    return vpx_codec_control(ctx, VP8E_SET_CPUUSED, value);
}
static inline vpx_codec_err_t call_vpx_set_noise_sensitivity(vpx_codec_ctx_t *ctx, unsigned int value) {
    return vpx_codec_control(ctx, VP8E_SET_NOISE_SENSITIVITY, value);
}
static inline vpx_codec_err_t call_vpx_set_static_threshold(vpx_codec_ctx_t *ctx, unsigned int value) {
    return vpx_codec_control(ctx, VP8E_SET_STATIC_THRESHOLD, value);
}
static inline vpx_codec_err_t call_vpx_set_token_partitions(vpx_codec_ctx_t *ctx, int value) {
    return vpx_codec_control(ctx, VP8E_SET_TOKEN_PARTITIONS, (vp8e_token_partitions)value);
}
static inline vpx_codec_err_t call_vpx_get_last_quantizer(vpx_codec_ctx_t *ctx, int *value) {
    return vpx_codec_control(ctx, VP8E_GET_LAST_QUANTIZER, value);
}
static inline vpx_codec_err_t call_vpx_get_corrupted(vpx_codec_ctx_t *ctx, int *value) {
    return vpx_codec_control(ctx, VP8D_GET_FRAME_CORRUPTED, value);
}
static inline vpx_codec_err_t call_vpx_set_max_intra_bitrate_pct(vpx_codec_ctx_t *ctx, unsigned int value) {
    return vpx_codec_control(ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, value);
}
// VPX_EFLAG_FORCE_KF is a shift expression; give Swift a typed constant.
static inline vpx_enc_frame_flags_t call_vpx_eflag_force_kf(void) { return VPX_EFLAG_FORCE_KF; }
#endif
