/// What happened on a PCM since it was opened.
public struct PCMCounters: Sendable, Equatable {
    /// Underruns on playback, overruns on capture, each recovered with `snd_pcm_recover`.
    public var xruns = 0
    /// Suspends (-ESTRPIPE) recovered.
    public var suspends = 0
    /// Times the device had nothing ready (-EAGAIN) and we waited for it.
    public var waits = 0
    /// Frames moved through the device.
    public var frames = 0

    public init() {}
}
