/// The microphone for a call: 20 ms periods at 48 kHz, at real time, always.
///
/// When the device cannot be opened (or fails later) it produces silence at
/// the same pace and keeps the reason for `takeNotice()`, so a call goes on
/// without a microphone instead of failing.
public final class AudioInput {
    public static let rate = 48_000
    public static let periodFrames = 960

    public let device: String
    public let channels: Int
    /// Why the input is silent, or nil while a device delivers audio.
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
        do throws(SoundError) {
            let opened = try ALSAPCM(name: device, stream: .capture, rate: AudioInput.rate,
                                     channels: self.channels, periodFrames: AudioInput.periodFrames)
            if opened.negotiated.rate != AudioInput.rate {
                throw SoundError("the sound device '\(device)' runs at \(opened.negotiated.rate) Hz, not \(AudioInput.rate) Hz; try 'plug:\(device)'")
            }
            pcm = opened
            // A microphone cannot hand over sound before it was recorded: from the first
            // read on it is never ahead of the wall clock by more than scheduling noise.
            // A device more than half a period ahead is not pacing, and the clock takes over
            // at once, before audio from the future reaches the peer as a burst (which
            // would set the far end's playout early and cost underruns, then latency).
            pacer = Pacer(pacing: pacing, clock: clock, rate: AudioInput.rate,
                          allowanceFrames: opened.negotiated.periodFrames / 2)
        } catch {
            pacer = Pacer(pacing: .clock, clock: clock, rate: AudioInput.rate, allowanceFrames: 0)
            silence(because: "\(error.message); the microphone sends silence")
        }
    }

    /// Samples in one period (interleaved).
    public var samplesPerPeriod: Int { AudioInput.periodFrames * channels }

    /// True when the clock, not the device, holds the pace (decided by measuring under `.automatic`).
    public var pacedByClock: Bool { pacer.decision == .clock }

    /// When the first period was captured, on the pacing clock (CLOCK_MONOTONIC by default):
    /// sample n of the stream belongs to `clockOrigin + n / rate` while `clockResyncs` is 0.
    public var clockOrigin: Duration? { pacer.firstTransfer }

    /// Times the clock's pacing restarted because the caller fell behind by more than 200 ms
    /// (each one breaks the sample-to-time mapping above).
    public var clockResyncs: Int { pacer.resyncs }

    /// Recoveries and waits seen on the device, if one is open.
    public var counters: PCMCounters? { pcm?.counters }

    /// The reason the input went silent, once; nil afterwards and while all is well.
    public func takeNotice() -> String? {
        guard noticePending else { return nil }
        noticePending = false
        return silentReason
    }

    /// One 20 ms period; blocks until its time has come.
    public func read() -> [Int16] {
        pacer.willTransfer()
        var samples = [Int16](repeating: 0, count: samplesPerPeriod)
        if let pcm {
            do {
                samples = AudioInput.adapt(try pcm.read(frames: AudioInput.periodFrames),
                                           from: pcm.negotiated.channels, to: channels)
            } catch {
                pcm.close()
                self.pcm = nil
                silence(because: "\(error.message); the microphone sends silence")
                samples = [Int16](repeating: 0, count: samplesPerPeriod)
            }
        }
        pacer.didTransfer(frames: AudioInput.periodFrames)
        return samples
    }

    public func close() {
        pcm?.close()
        pcm = nil
    }

    private func silence(because reason: String) {
        silentReason = reason
        noticePending = true
        // A dead device no longer paces anything.
        if pacer.decision != .clock { pacer.forceClock() }
    }

    /// Mono from stereo by averaging, stereo from mono by copying.
    static func adapt(_ samples: [Int16], from have: Int, to want: Int) -> [Int16] {
        if have == want { return samples }
        if have == 2 && want == 1 {
            return stride(from: 0, to: samples.count - 1, by: 2).map {
                Int16((Int32(samples[$0]) + Int32(samples[$0 + 1])) / 2)
            }
        }
        if have == 1 && want == 2 { return samples.flatMap { [$0, $0] } }
        return samples
    }
}
