/// The loudspeaker for a call: takes 48 kHz samples and plays them at real time.
///
/// When the device cannot be opened (or fails later) it swallows samples at
/// the pace a device would take them and keeps the reason for `takeNotice()`.
public final class AudioOutput {
    public static let rate = 48_000
    public static let periodFrames = 960
    /// Periods a device buffers (40 ms, as WebRTC's own ALSA output asks for); the silent
    /// fallback pretends to have such a buffer too.
    public static let periods = 2

    public let device: String
    public let channels: Int
    /// Why nothing is heard, or nil while a device plays.
    public private(set) var silentReason: String?
    private var pcm: ALSAPCM?
    private var pacer: Pacer
    private var noticePending = false

    /// - Parameter channels: 1 or 2 (anything else is treated as 1).
    public init(
        device: String = "default", channels: Int = 1,
        pacing: Pacing = .automatic, clock: any MonotonicClock = SystemMonotonicClock()
    ) {
        self.device = device
        self.channels = channels == 2 ? 2 : 1
        let bufferFrames = AudioOutput.periodFrames * AudioOutput.periods
        do throws(SoundError) {
            let opened = try ALSAPCM(name: device, stream: .playback, rate: AudioOutput.rate,
                                     channels: self.channels, periodFrames: AudioOutput.periodFrames,
                                     periods: AudioOutput.periods)
            if opened.negotiated.rate != AudioOutput.rate {
                throw SoundError("the sound device '\(device)' runs at \(opened.negotiated.rate) Hz, not \(AudioOutput.rate) Hz; try 'plug:\(device)'")
            }
            pcm = opened
            pacer = Pacer(pacing: pacing, clock: clock, rate: AudioOutput.rate,
                          allowanceFrames: opened.negotiated.bufferFrames + opened.negotiated.periodFrames,
                          leadFrames: opened.negotiated.bufferFrames - opened.negotiated.periodFrames)
        } catch {
            pacer = Pacer(pacing: .clock, clock: clock, rate: AudioOutput.rate,
                          allowanceFrames: 0, leadFrames: bufferFrames - AudioOutput.periodFrames)
            silence(because: "\(error.message); the call's sound is not played")
        }
    }

    /// True when the clock, not the device, holds the pace (decided by measuring under `.automatic`).
    public var pacedByClock: Bool { pacer.decision == .clock }

    /// When the first period was played, on the pacing clock (CLOCK_MONOTONIC by default):
    /// sample n of the stream belongs to `clockOrigin + n / rate` while `clockResyncs` is 0.
    public var clockOrigin: Duration? { pacer.firstTransfer }

    /// Times the clock's pacing restarted because the caller fell behind by more than 200 ms
    /// (each one breaks the sample-to-time mapping above).
    public var clockResyncs: Int { pacer.resyncs }

    /// Recoveries and waits seen on the device, if one is open.
    public var counters: PCMCounters? { pcm?.counters }

    /// The reason nothing is heard, once; nil afterwards and while all is well.
    public func takeNotice() -> String? {
        guard noticePending else { return nil }
        noticePending = false
        return silentReason
    }

    /// Plays interleaved samples (`channels` per frame; a trailing partial frame is dropped),
    /// then waits until the (real or pretended) buffer has room for another period: the
    /// caller renders the next one as late as it can, so it waits in the buffer for one
    /// period at most, not for the whole buffer.
    public func write(_ samples: [Int16]) {
        let frames = samples.count / channels
        guard frames > 0 else { return }
        pacer.willTransfer()
        if let pcm {
            let whole = samples.count == frames * channels ? samples : Array(samples[0..<(frames * channels)])
            do {
                try pcm.write(AudioInput.adapt(whole, from: channels, to: pcm.negotiated.channels))
                pcm.waitForRoom()
            } catch {
                pcm.close()
                self.pcm = nil
                silence(because: "\(error.message); the call's sound is not played")
            }
        }
        pacer.didTransfer(frames: frames)
    }

    public func close() {
        pcm?.close()
        pcm = nil
    }

    private func silence(because reason: String) {
        silentReason = reason
        noticePending = true
        if pacer.decision != .clock { pacer.forceClock() }
    }
}
