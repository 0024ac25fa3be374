import CALSA
import Glibc

/// One ALSA PCM, opened for capture or playback of interleaved S16_LE.
///
/// Used by one media thread; not thread-safe. Opened non-blocking so a busy
/// device fails at once instead of hanging, and so a device that stops
/// delivering ends in an error after `timeout` rather than a stuck thread.
public final class ALSAPCM {
    public let name: String
    public let stream: PCMStream
    /// What the device agreed to (it may give the nearest rate, period or buffer).
    public let negotiated: PCMFormat
    public private(set) var counters = PCMCounters()
    private var handle: OpaquePointer?
    private let timeout: Duration

    /// Opens `name` (e.g. "default", "plughw:0", a name from `SoundDeviceList`).
    /// - Parameters:
    ///   - channels: 1 or 2.
    ///   - periodFrames: frames per period; 960 is 20 ms at 48 kHz.
    ///   - periods: periods per buffer (2...16).
    ///   - timeout: how long a read or write may wait for the device before it is called stuck.
    public init(
        name: String, stream: PCMStream, rate: Int = 48_000, channels: Int = 1,
        periodFrames: Int = 960, periods: Int = 4, timeout: Duration = .seconds(1)
    ) throws(SoundError) {
        _ = ALSAPCM.quietLibrary
        let flag = stream == .capture ? "--audio-device" : "--audio-out"
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw SoundError("the sound device name '\(name)' is not valid; pick one from `call devices` or pass \(flag)")
        }
        guard channels == 1 || channels == 2 else {
            throw SoundError("cannot use \(channels) audio channels; only 1 (mono) or 2 (stereo) are supported")
        }
        guard (8_000...192_000).contains(rate), (16...rate).contains(periodFrames), (2...16).contains(periods) else {
            throw SoundError("cannot use a sound format of \(rate) Hz with \(periods) periods of \(periodFrames) frames")
        }
        self.name = name
        self.stream = stream
        self.timeout = timeout

        var pcm: OpaquePointer?
        let direction = stream == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        let opened = snd_pcm_open(&pcm, name, direction, SND_PCM_NONBLOCK)
        guard opened >= 0, let pcm else {
            throw ALSAPCM.error(opened, "cannot open the sound device '\(name)'", then: "pick one from `call devices` or pass \(flag)")
        }
        do {
            negotiated = try ALSAPCM.configure(
                pcm, name: name, rate: rate, channels: channels,
                periodFrames: periodFrames, periods: periods, stream: stream)
        } catch {
            snd_pcm_close(pcm)
            throw error
        }
        handle = pcm
    }

    deinit { close() }

    /// Releases the device; reads and writes then fail. Safe to call twice.
    public func close() {
        guard let pcm = handle else { return }
        handle = nil
        snd_pcm_close(pcm)
    }

    /// Reads exactly `frames` frames (interleaved, `negotiated.channels` samples each).
    public func read(frames: Int) throws(SoundError) -> [Int16] {
        let pcm = try usable(for: .capture)
        guard frames >= 0, frames <= negotiated.rate * 10 else {
            throw SoundError("cannot read \(frames) frames at once from the sound device '\(name)'")
        }
        let channels = negotiated.channels
        var samples = [Int16](repeating: 0, count: frames * channels)
        try transfer(frames) { done in
            samples.withUnsafeMutableBufferPointer { buffer in
                snd_pcm_readi(pcm, buffer.baseAddress! + done * channels, snd_pcm_uframes_t(frames - done))
            }
        }
        return samples
    }

    /// Moves `frames` frames through `step` (given the frames done so far, it returns
    /// what snd_pcm_readi/writei returned), recovering from what ALSA reports.
    private func transfer(_ frames: Int, _ step: (Int) -> Int) throws(SoundError) {
        var done = 0
        var stuckSince: Duration?
        while done < frames {
            let result = step(done)
            if result > 0 {
                done += result
                counters.frames += result
                stuckSince = nil
            } else {
                try cope(with: Int32(result == 0 ? -Int(EAGAIN) : result), stuckSince: &stuckSince)
            }
        }
    }

    /// Writes all of `samples` (interleaved; a whole number of frames).
    public func write(_ samples: [Int16]) throws(SoundError) {
        let pcm = try usable(for: .playback)
        let channels = negotiated.channels
        guard samples.count % channels == 0 else {
            throw SoundError("cannot play \(samples.count) samples on \(channels) channels: not a whole number of frames")
        }
        let frames = samples.count / channels
        try transfer(frames) { done in
            samples.withUnsafeBufferPointer { buffer in
                snd_pcm_writei(pcm, buffer.baseAddress! + done * channels, snd_pcm_uframes_t(frames - done))
            }
        }
    }

    /// Waits (up to 100 ms) until playback has room for a period (the avail_min set up
    /// in `configure`). A failure is left for the next write to recover from.
    public func waitForRoom() {
        guard stream == .playback, let pcm = handle else { return }
        _ = snd_pcm_wait(pcm, 100)
    }

    /// Handles a negative ALSA result: waits on -EAGAIN, recovers xruns and
    /// suspends (counted), throws on anything else. Internal so tests can feed
    /// it -EPIPE: the null plugin never underruns on its own.
    func cope(with code: Int32, stuckSince: inout Duration?) throws(SoundError) {
        guard let pcm = handle else { throw closedError }
        switch -code {
        case EAGAIN:
            counters.waits += 1
            let clock = SystemMonotonicClock()
            let now = clock.now()
            if let since = stuckSince {
                if now - since > timeout {
                    let what = stream == .capture ? "delivered no audio" : "took no audio"
                    throw SoundError("the sound device '\(name)' \(what) for \(timeout); it may be in use or stuck", code: EAGAIN)
                }
            } else {
                stuckSince = now
            }
            let waited = snd_pcm_wait(pcm, 100)
            if waited < 0 { try cope(with: waited, stuckSince: &stuckSince) }
        case EPIPE, ESTRPIPE, EINTR:
            if -code == EPIPE { counters.xruns += 1 }
            if -code == ESTRPIPE { counters.suspends += 1 }
            let recovered = snd_pcm_recover(pcm, code, 1)
            if recovered < 0 {
                throw ALSAPCM.error(recovered, "the sound device '\(name)' failed and could not be restarted")
            }
        case ENODEV, ENXIO:
            throw ALSAPCM.error(code, "the sound device '\(name)' went away")
        default:
            let what = stream == .capture ? "read from" : "write to"
            throw ALSAPCM.error(code, "cannot \(what) the sound device '\(name)'")
        }
    }

    private var closedError: SoundError {
        SoundError("the sound device '\(name)' is closed")
    }

    private func usable(for wanted: PCMStream) throws(SoundError) -> OpaquePointer {
        guard let pcm = handle else { throw closedError }
        guard stream == wanted else {
            let opened = stream == .capture ? "capture" : "playback"
            throw SoundError("the sound device '\(name)' was opened for \(opened) only")
        }
        return pcm
    }

    /// Sets hardware and software parameters and reads back what was granted.
    private static func configure(
        _ pcm: OpaquePointer, name: String, rate: Int, channels: Int,
        periodFrames: Int, periods: Int, stream: PCMStream
    ) throws(SoundError) -> PCMFormat {
        var hwOrNil: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hwOrNil) >= 0, let hw = hwOrNil else {
            throw SoundError("cannot set up the sound device '\(name)': out of memory", code: ENOMEM)
        }
        defer { snd_pcm_hw_params_free(hw) }
        let device = "the sound device '\(name)'"
        try check(snd_pcm_hw_params_any(pcm, hw), "cannot set up \(device)")
        try check(snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED),
                  "\(device) does not take interleaved samples", then: "try 'plug:\(name)'")
        try check(snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE),
                  "\(device) does not take 16-bit samples", then: "try 'plug:\(name)'")
        var grantedChannels = UInt32(channels)
        try check(snd_pcm_hw_params_set_channels_near(pcm, hw, &grantedChannels),
                  "\(device) does not take \(channels) channels")
        var grantedRate = UInt32(rate)
        var dir: Int32 = 0
        try check(snd_pcm_hw_params_set_rate_near(pcm, hw, &grantedRate, &dir),
                  "\(device) does not run at \(rate) Hz", then: "try 'plug:\(name)'")
        var period = snd_pcm_uframes_t(periodFrames)
        dir = 0
        try check(snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, &dir),
                  "\(device) does not take periods of \(periodFrames) frames")
        var buffer = snd_pcm_uframes_t(periodFrames * periods)
        try check(snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer),
                  "\(device) does not take a buffer of \(periodFrames * periods) frames")
        try check(snd_pcm_hw_params(pcm, hw), "cannot set up \(device)")
        // Read back: the *_near calls above may have been adjusted again by snd_pcm_hw_params.
        dir = 0
        snd_pcm_hw_params_get_rate(hw, &grantedRate, &dir)
        snd_pcm_hw_params_get_channels(hw, &grantedChannels)
        dir = 0
        snd_pcm_hw_params_get_period_size(hw, &period, &dir)
        snd_pcm_hw_params_get_buffer_size(hw, &buffer)
        let format = PCMFormat(rate: Int(grantedRate), channels: Int(grantedChannels),
                               periodFrames: Int(period), bufferFrames: Int(buffer))
        guard format.channels == 1 || format.channels == 2, format.rate > 0, format.periodFrames > 0 else {
            throw SoundError("\(device) offers only \(format.channels) channels at \(format.rate) Hz; try 'plug:\(name)'")
        }

        var swOrNil: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&swOrNil) >= 0, let sw = swOrNil else {
            throw SoundError("cannot set up \(device): out of memory", code: ENOMEM)
        }
        defer { snd_pcm_sw_params_free(sw) }
        try check(snd_pcm_sw_params_current(pcm, sw), "cannot set up \(device)")
        try check(snd_pcm_sw_params_set_avail_min(pcm, sw, period), "cannot set up \(device)")
        // Playback starts once two periods are queued, so the first write does not underrun at once.
        let start = stream == .playback ? min(buffer, period * 2) : 1
        try check(snd_pcm_sw_params_set_start_threshold(pcm, sw, start), "cannot set up \(device)")
        try check(snd_pcm_sw_params(pcm, sw), "cannot set up \(device)")
        try check(snd_pcm_prepare(pcm), "cannot start \(device)")
        return format
    }

    private static func check(_ result: Int32, _ what: String, then advice: String? = nil) throws(SoundError) {
        if result < 0 { throw error(result, what, then: advice) }
    }

    /// "what: strerror; advice" as one sentence.
    static func error(_ code: Int32, _ what: String, then advice: String? = nil) -> SoundError {
        let reason = String(cString: snd_strerror(code))
        let sentence = advice.map { "\(what): \(reason); \($0)" } ?? "\(what): \(reason)"
        return SoundError(sentence, code: code < 0 ? -code : code)
    }

    /// alsa-lib would print its own copy of every error to stderr; we report them ourselves.
    static let quietLibrary: Void = {
        _ = call_snd_lib_error_quiet(1)
    }()
}
