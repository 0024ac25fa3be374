import CVPX
import Media

/// A realtime VP8 encoder (libvpx) for one outgoing video track: one pass,
/// no look-ahead (every frame in gives its packet out at once), CBR, error
/// resilient. Not thread-safe: one capture/encode thread owns it.
public final class VP8Encoder {
    /// The current settings; `width`/`height` follow the last frame's size,
    /// `bitrateKbps` follows `setBitrate`.
    public private(set) var settings: VP8EncoderSettings

    // libvpx keeps pointers to the context and (at init) to the config, so
    // both live at fixed heap addresses for the encoder's lifetime.
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>
    private let config: UnsafeMutablePointer<vpx_codec_enc_cfg_t>
    private var contextIsLive = false
    private var image: UnsafeMutablePointer<vpx_image_t>?
    private var keyframeRequested = false

    /// The RTP clock for video is 90 kHz (RFC 7741 §4.1); pts use it too.
    public static let clockRate: Int64 = 90_000

    public init(_ settings: VP8EncoderSettings) throws {
        try Self.validate(settings)
        self.settings = settings
        context = .allocate(capacity: 1)
        context.initialize(to: vpx_codec_ctx_t())
        config = .allocate(capacity: 1)
        config.initialize(to: vpx_codec_enc_cfg_t())
        guard vpx_codec_enc_config_default(vpx_codec_vp8_cx(), config, 0) == VPX_CODEC_OK else {
            throw VP8CodecError.initializationFailed("no default VP8 configuration")
        }
        Self.apply(settings, to: config)
        try openContext()
    }

    deinit {
        if contextIsLive { vpx_codec_destroy(context) }
        if let image { vpx_img_free(image) }
        context.deallocate()
        config.deallocate()
    }

    /// Encodes an I420 or RGB picture (RGB is converted to I420 first).
    public func encode(_ frame: VideoFrame, pts: Int64, forceKeyframe: Bool = false) throws -> [EncodedVideoFrame] {
        switch frame {
        case .i420(let f): try encode(f, pts: pts, forceKeyframe: forceKeyframe)
        case .rgb(let f): try encode(I420Frame(f), pts: pts, forceKeyframe: forceKeyframe)
        }
    }

    /// Encodes one frame. `pts` is the capture time in 90 kHz ticks and must
    /// increase. A frame whose size differs from the encoder's re-configures
    /// it and comes out as a keyframe of the new size. Usually returns one
    /// frame; an empty array if libvpx dropped the frame.
    public func encode(_ frame: I420Frame, pts: Int64, forceKeyframe: Bool = false) throws -> [EncodedVideoFrame] {
        if frame.width != Int(config.pointee.g_w) || frame.height != Int(config.pointee.g_h) || !contextIsLive {
            try resize(width: frame.width, height: frame.height)
        }
        let image = try imageForCurrentSize()
        copy(frame, into: image)

        var flags: vpx_enc_frame_flags_t = 0
        if forceKeyframe || keyframeRequested { flags |= call_vpx_eflag_force_kf() }
        let duration = UInt(Self.clockRate / Int64(settings.fps))
        let status = vpx_codec_encode(context, image, vpx_codec_pts_t(pts), duration, flags, UInt(VPX_DL_REALTIME))
        guard status == VPX_CODEC_OK else { throw VP8CodecError.encodeFailed(lastError()) }
        keyframeRequested = false

        var frames: [EncodedVideoFrame] = []
        var iterator: vpx_codec_iter_t? = nil
        while let packet = vpx_codec_get_cx_data(context, &iterator) {
            guard packet.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let payload = packet.pointee.data.frame
            guard let buffer = payload.buf, payload.sz > 0 else { continue }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: buffer, count: payload.sz))
            frames.append(EncodedVideoFrame(data: bytes, isKeyframe: payload.flags & vpx_codec_frame_flags_t(VPX_FRAME_IS_KEY) != 0,
                                            width: frame.width, height: frame.height, pts: Int64(payload.pts)))
        }
        return frames
    }

    /// Changes the target bitrate in place (no re-initialisation, so no
    /// keyframe): what a congestion controller calls every few hundred ms.
    public func setBitrate(kbps: Int) throws {
        guard kbps > 0 else { throw VP8CodecError.invalidSettings("bitrate must be positive") }
        let previous = config.pointee.rc_target_bitrate
        config.pointee.rc_target_bitrate = UInt32(kbps)
        guard vpx_codec_enc_config_set(context, config) == VPX_CODEC_OK else {
            config.pointee.rc_target_bitrate = previous
            throw VP8CodecError.configurationFailed(lastError())
        }
        settings.bitrateKbps = kbps
    }

    /// Makes the next encoded frame a keyframe (the answer to a PLI or FIR).
    public func requestKeyframe() {
        keyframeRequested = true
    }

    // MARK: - Setup

    static func validate(_ s: VP8EncoderSettings) throws {
        // RFC 6386 §9.1: width and height are 14-bit fields.
        guard (1...16383).contains(s.width), (1...16383).contains(s.height) else {
            throw VP8CodecError.invalidSettings("size \(s.width)x\(s.height) outside 1...16383")
        }
        guard (1...240).contains(s.fps) else { throw VP8CodecError.invalidSettings("fps \(s.fps) outside 1...240") }
        guard s.bitrateKbps > 0 else { throw VP8CodecError.invalidSettings("bitrate must be positive") }
        guard s.keyframeInterval > 0 else { throw VP8CodecError.invalidSettings("keyframe interval must be positive") }
        guard (-16...16).contains(s.cpuUsed) else { throw VP8CodecError.invalidSettings("cpuUsed \(s.cpuUsed) outside -16...16") }
        guard (1...64).contains(s.threads) else { throw VP8CodecError.invalidSettings("threads \(s.threads) outside 1...64") }
    }

    static func apply(_ s: VP8EncoderSettings, to config: UnsafeMutablePointer<vpx_codec_enc_cfg_t>) {
        config.pointee.g_w = UInt32(s.width)
        config.pointee.g_h = UInt32(s.height)
        config.pointee.g_timebase = vpx_rational(num: 1, den: Int32(clockRate))
        config.pointee.g_threads = UInt32(s.threads)
        // Each frame self-contained enough that a loss does not poison the
        // entropy state of later frames.
        config.pointee.g_error_resilient = vpx_codec_er_flags_t(VPX_ERROR_RESILIENT_DEFAULT)
        config.pointee.g_lag_in_frames = 0
        config.pointee.g_pass = VPX_RC_ONE_PASS
        config.pointee.rc_end_usage = VPX_CBR
        config.pointee.rc_target_bitrate = UInt32(s.bitrateKbps)
        // Never drop or resize on our own: the caller decides what to send.
        config.pointee.rc_dropframe_thresh = 0
        config.pointee.rc_resize_allowed = 0
        // Quantizer range and rate buffer (ms) as realtime VP8 senders use them.
        config.pointee.rc_min_quantizer = 2
        config.pointee.rc_max_quantizer = 56
        config.pointee.rc_undershoot_pct = 100
        config.pointee.rc_overshoot_pct = 15
        config.pointee.rc_buf_initial_sz = 500
        config.pointee.rc_buf_optimal_sz = 600
        config.pointee.rc_buf_sz = 1000
        config.pointee.kf_mode = VPX_KF_AUTO
        config.pointee.kf_min_dist = 0
        config.pointee.kf_max_dist = UInt32(s.keyframeInterval)
    }

    private func openContext() throws {
        guard call_vpx_enc_init(context, config, 0) == VPX_CODEC_OK else {
            let message = context.pointee.err_detail.map { String(cString: $0) } ?? "vpx_codec_enc_init failed"
            throw VP8CodecError.initializationFailed(message)
        }
        contextIsLive = true
        // A keyframe may take at most this % of the per-frame budget
        // (half the optimal buffer, in frames), so it does not stall the link.
        let maxIntraPercent = max(300, UInt32(Double(config.pointee.rc_buf_optimal_sz) * 0.5 * Double(settings.fps) / 10))
        let controls: [(String, vpx_codec_err_t)] = [
            ("cpu-used", call_vpx_set_cpu_used(context, Int32(settings.cpuUsed))),
            ("noise-sensitivity", call_vpx_set_noise_sensitivity(context, 0)),
            ("static-threshold", call_vpx_set_static_threshold(context, 1)),
            ("token-partitions", call_vpx_set_token_partitions(context, 0)),
            ("max-intra-bitrate", call_vpx_set_max_intra_bitrate_pct(context, maxIntraPercent)),
        ]
        for (name, status) in controls where status != VPX_CODEC_OK {
            throw VP8CodecError.initializationFailed("\(name): \(lastError())")
        }
    }

    /// A new source size: libvpx can shrink in place (config_set) but refuses
    /// to grow past the size it was created with, so then it is re-created.
    private func resize(width: Int, height: Int) throws {
        var changed = settings
        changed.width = width
        changed.height = height
        try Self.validate(changed)
        config.pointee.g_w = UInt32(width)
        config.pointee.g_h = UInt32(height)
        settings = changed
        keyframeRequested = true
        if contextIsLive, vpx_codec_enc_config_set(context, config) == VPX_CODEC_OK { return }
        if contextIsLive {
            vpx_codec_destroy(context)
            contextIsLive = false
        }
        try openContext()
    }

    private func imageForCurrentSize() throws -> UnsafeMutablePointer<vpx_image_t> {
        let width = config.pointee.g_w, height = config.pointee.g_h
        if let image, image.pointee.d_w == width, image.pointee.d_h == height { return image }
        if let image { vpx_img_free(image) }
        guard let fresh = vpx_img_alloc(nil, VPX_IMG_FMT_I420, width, height, 16) else {
            image = nil
            throw VP8CodecError.encodeFailed("cannot allocate a \(width)x\(height) image")
        }
        image = fresh
        return fresh
    }

    private func copy(_ frame: I420Frame, into image: UnsafeMutablePointer<vpx_image_t>) {
        let planes = [image.pointee.planes.0, image.pointee.planes.1, image.pointee.planes.2]
        let strides = [image.pointee.stride.0, image.pointee.stride.1, image.pointee.stride.2]
        let sources = [frame.y, frame.u, frame.v]
        let widths = [frame.width, frame.chromaWidth, frame.chromaWidth]
        let heights = [frame.height, frame.chromaHeight, frame.chromaHeight]
        for p in 0..<3 {
            guard let destination = planes[p] else { continue }
            sources[p].withUnsafeBufferPointer { source in
                for row in 0..<heights[p] {
                    (destination + row * Int(strides[p])).update(from: source.baseAddress! + row * widths[p], count: widths[p])
                }
            }
        }
    }

    private func lastError() -> String {
        var message = String(cString: vpx_codec_error(context))
        if let detail = vpx_codec_error_detail(context) { message += ": " + String(cString: detail) }
        return message
    }
}
