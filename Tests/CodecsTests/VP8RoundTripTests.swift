import Codecs
import Media
import Testing

@Suite("VP8 round trip")
struct VP8RoundTripTests {
    /// Encodes and decodes a clip; returns per-frame luma PSNR and stamp hits.
    static func roundTrip(_ clip: [I420Frame], bitrateKbps: Int) throws -> (psnr: [Double], stamps: Int, bytes: Int) {
        let first = clip[0]
        let encoder = try VP8Encoder(VP8EncoderSettings(width: first.width, height: first.height, bitrateKbps: bitrateKbps))
        let decoder = try VP8Decoder()
        var psnr: [Double] = [], stamps = 0, bytes = 0
        for (index, frame) in clip.enumerated() {
            let encoded = try encoder.encode(frame, pts: Clips.pts(index))
            #expect(encoded.count == 1)
            for packet in encoded {
                bytes += packet.data.count
                guard case .frame(let decoded) = decoder.decode(packet.data) else {
                    Issue.record("frame \(index) did not decode")
                    continue
                }
                #expect(decoded.width == frame.width && decoded.height == frame.height)
                psnr.append(Quality.psnr(frame, decoded))
                if FrameStampCode.decode(decoded)?.frameNumber == UInt32(index) { stamps += 1 }
            }
        }
        return (psnr, stamps, bytes)
    }

    // Bounds sit a few dB under what was measured (see the report): the
    // pattern's zone plate is close to worst case for a block codec, so the
    // mean is lower than camera video at the same rate would give.
    // Measured at 1 Mbit/s: 640x480 mean 36.8 dB (min 35.6), 320x240 mean
    // 42.8 dB (min 41.2).
    @Test("A clip at 1 Mbit/s keeps its quality and every frame stamp", arguments: [
        (640, 1000, 33.0), (320, 1000, 38.0),
    ])
    func roundTrip(width: Int, kbps: Int, minimumPSNR: Double) throws {
        let clip = width == 640 ? Clips.vga : Clips.qvga
        let result = try Self.roundTrip(clip, bitrateKbps: kbps)
        let mean = result.psnr.reduce(0, +) / Double(result.psnr.count)
        print("VP8 \(width)x\(clip[0].height) @\(kbps) kbit/s: mean Y-PSNR \(mean) dB, min \(result.psnr.min() ?? 0), stamps \(result.stamps)/\(clip.count), \(result.bytes) bytes")
        #expect(result.psnr.count == clip.count)
        #expect(mean > minimumPSNR)
        // Every frame's stamp must survive the codec.
        #expect(result.stamps == clip.count)
    }
}
