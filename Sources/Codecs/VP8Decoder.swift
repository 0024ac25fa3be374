import CVPX
import Media

/// A VP8 decoder (libvpx) for one incoming video track, error concealment
/// off: a frame that cannot be decoded exactly is not shown, and nothing is
/// shown again until a keyframe. Never traps on bad input. Not thread-safe.
public final class VP8Decoder {
    private let context: UnsafeMutablePointer<vpx_codec_ctx_t>
    /// A keyframe decoded and every frame since decoded cleanly, so a delta
    /// frame has the references it predicts from (RFC 6386 §9.7).
    private var hasReference = false
    private var sawKeyframe = false
    /// Keyframes larger than this many pixels are refused before libvpx
    /// allocates for them: a peer could otherwise claim 16383x16383.
    public let maxPixels: Int

    /// True until a keyframe decodes, and again after any frame fails: the
    /// receiver should keep asking for a keyframe (throttled) while it is.
    public var isWaitingForKeyframe: Bool { !hasReference }

    public init(maxPixels: Int = 3840 * 2160) throws {
        self.maxPixels = maxPixels
        context = .allocate(capacity: 1)
        context.initialize(to: vpx_codec_ctx_t())
        var config = vpx_codec_dec_cfg_t(threads: 1, w: 0, h: 0)
        guard call_vpx_dec_init(context, &config, 0) == VPX_CODEC_OK else {
            let message = context.pointee.err_detail.map { String(cString: $0) } ?? "vpx_codec_dec_init failed"
            context.deallocate()
            throw VP8CodecError.initializationFailed(message)
        }
    }

    deinit {
        vpx_codec_destroy(context)
        context.deallocate()
    }

    /// Decodes one complete VP8 frame (as reassembled from RTP, RFC 7741).
    public func decode(_ data: [UInt8]) -> VP8DecodeResult {
        let header: VP8FrameHeader
        switch VP8FrameHeader.parse(data) {
        case .success(let parsed): header = parsed
        case .failure(let problem):
            // A lost frame leaves later delta frames without their reference.
            hasReference = false
            switch problem {
            case .truncated: return .needKeyframe(.truncated)
            case .invalid(let why): return .needKeyframe(.corrupt(why))
            }
        }
        if let width = header.width, let height = header.height, width * height > maxPixels {
            hasReference = false
            return .needKeyframe(.unsupportedSize(width: width, height: height))
        }
        if !header.isKeyframe && !hasReference {
            return .needKeyframe(sawKeyframe ? .referenceLost : .noKeyframeYet)
        }

        let status = data.withUnsafeBufferPointer { vpx_codec_decode(context, $0.baseAddress, UInt32($0.count), nil, 0) }
        guard status == VPX_CODEC_OK else {
            hasReference = false
            return .needKeyframe(.corrupt(lastError()))
        }
        var corrupted: Int32 = 0
        if call_vpx_get_corrupted(context, &corrupted) != VPX_CODEC_OK || corrupted != 0 {
            hasReference = false
            drainFrames()
            return .needKeyframe(.corrupt("frame marked corrupted"))
        }
        if header.isKeyframe { sawKeyframe = true }
        hasReference = true

        var iterator: vpx_codec_iter_t? = nil
        var picture: I420Frame?
        while let image = vpx_codec_get_frame(context, &iterator) {
            picture = Self.frame(from: image) ?? picture
        }
        return picture.map { .frame($0) } ?? .noFrame
    }

    private func drainFrames() {
        var iterator: vpx_codec_iter_t? = nil
        while vpx_codec_get_frame(context, &iterator) != nil {}
    }

    /// Copies a libvpx picture (rows padded to its stride) into an I420Frame.
    static func frame(from image: UnsafeMutablePointer<vpx_image_t>) -> I420Frame? {
        let img = image.pointee
        guard img.fmt == VPX_IMG_FMT_I420, img.d_w > 0, img.d_h > 0,
              let yPlane = img.planes.0, let uPlane = img.planes.1, let vPlane = img.planes.2 else { return nil }
        let width = Int(img.d_w), height = Int(img.d_h)
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2
        func plane(_ base: UnsafeMutablePointer<UInt8>, stride: Int32, width: Int, height: Int) -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
                for row in 0..<height {
                    (buffer.baseAddress! + row * width).update(from: base + row * Int(stride), count: width)
                }
                count = width * height
            }
        }
        return I420Frame(width: width, height: height,
                         y: plane(yPlane, stride: img.stride.0, width: width, height: height),
                         u: plane(uPlane, stride: img.stride.1, width: chromaWidth, height: chromaHeight),
                         v: plane(vPlane, stride: img.stride.2, width: chromaWidth, height: chromaHeight))
    }

    private func lastError() -> String {
        var message = String(cString: vpx_codec_error(context))
        if let detail = vpx_codec_error_detail(context) { message += ": " + String(cString: detail) }
        return message
    }
}
