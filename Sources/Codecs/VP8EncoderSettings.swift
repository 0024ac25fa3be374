/// How a `VP8Encoder` is set up: a realtime, one-pass, constant-bitrate
/// configuration for a call (no look-ahead, error resilient).
public struct VP8EncoderSettings: Sendable, Hashable {
    /// Frame size in pixels; frames of another size re-configure the encoder.
    public var width: Int
    public var height: Int
    /// Nominal frame rate, used by rate control for the per-frame budget.
    public var fps: Int
    /// Target bitrate in kbit/s (CBR).
    public var bitrateKbps: Int
    /// At most this many frames between automatic keyframes.
    public var keyframeInterval: Int
    /// libvpx speed/quality trade-off for realtime (-16...16; higher is faster).
    public var cpuUsed: Int
    /// Encoder threads (libvpx splits a frame by rows).
    public var threads: Int

    public init(width: Int, height: Int, fps: Int = 30, bitrateKbps: Int = 1000,
                keyframeInterval: Int = 3000, cpuUsed: Int = 8, threads: Int = 1) {
        self.width = width
        self.height = height
        self.fps = fps
        self.bitrateKbps = bitrateKbps
        self.keyframeInterval = keyframeInterval
        self.cpuUsed = cpuUsed
        self.threads = threads
    }
}
