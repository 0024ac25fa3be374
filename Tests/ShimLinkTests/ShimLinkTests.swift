import CALSA
import CNcurses
import COpenSSL
import COpus
import CSRTP
import CV4L2
import CVPX
import Testing

/// One real call into each C library, so a broken header or link shows up at once.
@Suite struct ShimLinkTests {
    @Test func vpxGivesAVP8EncoderConfig() {
        var cfg = vpx_codec_enc_cfg_t()
        #expect(vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) == VPX_CODEC_OK)
        #expect(cfg.g_w > 0 && cfg.g_h > 0)
    }

    @Test func opusEncoderTakesABitrateThroughTheCtlWrapper() throws {
        var err: Int32 = 0
        let enc = try #require(opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err))
        defer { opus_encoder_destroy(enc) }
        #expect(call_opus_set_bitrate(enc, 32000) == OPUS_OK)
        var bps: Int32 = 0
        #expect(call_opus_get_bitrate(enc, &bps) == OPUS_OK)
        #expect(bps == 32000)
    }

    /// No srtp_init here: libsrtp's global init is not thread-safe, and SRTPSession
    /// (tested in SRTPTests, in this same process) owns it.
    @Test func srtpLinks() {
        #expect(srtp_get_version() >= 0x0200_0000)
        var policy = srtp_crypto_policy_t()
        srtp_crypto_policy_set_rtp_default(&policy)
        #expect(policy.cipher_key_len == 30)
    }

    @Test func openSSLMakesADTLSContext() throws {
        #expect(OpenSSL_version_num() >= 0x3000_0000)
        let ctx = try #require(SSL_CTX_new(DTLS_method()))
        defer { SSL_CTX_free(ctx) }
        #expect(call_SSL_CTX_set1_groups_list(ctx, "P-256") == 1)
    }

    @Test func ncursesReportsItsVersion() throws {
        let version = String(cString: try #require(curses_version()))
        #expect(version.hasPrefix("ncurses"))
    }

    @Test func alsaReportsItsVersion() throws {
        let version = String(cString: try #require(snd_asoundlib_version()))
        #expect(version.split(separator: ".").count >= 2)
    }

    @Test func v4l2OpenFailsCleanlyOnAMissingDevice() {
        #expect(call_v4l2_open("/dev/no-such-video-device") == -1)
    }
}
