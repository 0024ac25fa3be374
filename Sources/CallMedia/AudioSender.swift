import Codecs
import Foundation
import PeerConnection
import RTP
import Sound
import Synchronization

/// Our audio out, on its own thread (ALSA reads block for a period): 20 ms of the
/// microphone, Opus (VoIP, in-band FEC as agreed), RTP (RFC 7587) with the audio
/// level (RFC 6464) and MID extensions, then to the peer connection from this thread.
/// Muted, it sends silence, whose level says so to the peer.
final class AudioSender: Sendable {
    private let running = Atomic<Bool>(false)
    private let muted = Atomic<Bool>(false)
    private let packetsSent = Atomic<Int>(0)
    /// What was sent, for sender reports: they map the RTP clock to the wall clock
    /// (RFC 3550 §6.4.1), which is what lets a receiver line audio up with video.
    private let statistics: Mutex<SenderStatistics>
    private let origin = ContinuousClock.now
    /// CLOCK_MONOTONIC nanoseconds of the first captured sample (0 until then).
    private let captureStart = Atomic<Int64>(0)
    private let captureResyncs = Atomic<Int>(0)
    private let connection: PeerConnection
    private let negotiation: AudioNegotiation
    private let device: String
    private let notices: @Sendable (String) -> Void

    init(connection: PeerConnection, negotiation: AudioNegotiation, device: String, notices: @escaping @Sendable (String) -> Void) {
        self.negotiation = negotiation
        self.device = device
        self.notices = notices
        self.connection = connection
        statistics = Mutex(SenderStatistics(ssrc: negotiation.localSSRC, clockRate: 48_000))
    }

    var isMuted: Bool { muted.load(ordering: .relaxed) }
    var sent: Int { packetsSent.load(ordering: .relaxed) }

    func setMuted(_ on: Bool) { muted.store(on, ordering: .relaxed) }

    /// Our audio stream's sender report with SDES CNAME, nil before anything was sent.
    func report() -> [UInt8]? {
        let now = ContinuousClock.now - origin
        return statistics.withLock { statistics in
            guard statistics.packetCount > 0 else { return nil }
            let report = statistics.makeSenderReport(now: now, wallClock: NTPTimestamp(unixTime: WallClock.now()))
            let description = SourceDescription(ssrc: negotiation.localSSRC, cname: negotiation.cname)
            return RTCPPacket.serializeCompound([.senderReport(report), .sourceDescription(description)])
        }
    }

    /// When the microphone's first sample was taken (CLOCK_MONOTONIC), and how often its
    /// clock was reset since because this thread fell behind.
    var captureClock: (start: Duration?, resyncs: Int) {
        let start = captureStart.load(ordering: .relaxed)
        return (start == 0 ? nil : .nanoseconds(start), captureResyncs.load(ordering: .relaxed))
    }

    func start(seed: UInt64) {
        guard running.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        // Named from inside: on Linux a name set before start() never reaches the kernel.
        let thread = Thread { [self] in
            Thread.current.name = "call-audio-out"
            run(seed: seed)
        }
        thread.start()
    }

    func stop() {
        running.store(false, ordering: .relaxed)
    }

    private func run(seed: UInt64) {
        let channels = negotiation.sendStereo ? 2 : 1
        let input = AudioInput(device: device, channels: channels)
        defer { input.close() }
        let encoder: OpusEncoder
        do {
            var settings = OpusEncoderSettings()
            settings.channels = channels
            // Twice the bits for two channels, as WebRTC's Opus encoder does by default;
            // at 32 kbit/s stereo is mostly coded as one channel with little separation.
            settings.bitrate *= channels
            settings.inbandFEC = negotiation.inbandFEC
            settings.dtx = negotiation.dtx
            encoder = try OpusEncoder(settings)
        } catch {
            notices("audio cannot be encoded: \(error); the peer hears nothing")
            return
        }
        var payloader = OpusPayloader(ssrc: negotiation.localSSRC, payloadType: negotiation.payloadType, seed: seed)
        var timestamp = UInt32(truncatingIfNeeded: seed >> 32)
        var first = true
        while running.load(ordering: .relaxed) {
            var samples = input.read()
            if let notice = input.takeNotice() { notices(notice) }
            if captureStart.load(ordering: .relaxed) == 0, let start = input.clockOrigin {
                captureStart.store(start.nanosecondsSinceZero, ordering: .relaxed)
            }
            captureResyncs.store(input.clockResyncs, ordering: .relaxed)
            if muted.load(ordering: .relaxed) { samples = [Int16](repeating: 0, count: samples.count) }
            guard let opus = try? encoder.encode(samples) else { continue }
            if negotiation.dtx, opus.count <= 2 {
                // DTX silence: nothing to send, but the clock runs on, and the next
                // packet starts a talkspurt (marker bit, RFC 3551 §4.1).
                timestamp &+= UInt32(AudioInput.periodFrames)
                first = true
                continue
            }
            var packet = payloader.packetize(opus, timestamp: timestamp, startOfTalkspurt: first)
            first = false
            timestamp &+= UInt32(AudioInput.periodFrames)
            if let id = negotiation.audioLevelExtensionID { packet.setAudioLevel(AudioLevelMeter.level(of: samples), extensionID: id) }
            if let id = negotiation.midExtensionID { packet.setMID(negotiation.mid, extensionID: id) }
            connection.sendRTP(packet.serialized())
            packetsSent.add(1, ordering: .relaxed)
            let now = ContinuousClock.now - origin
            statistics.withLock { $0.sent(packet, now: now) }
        }
    }
}

/// RFC 6464 §3: level in -dBov (0 loudest, 127 silence) and a voice activity flag.
enum AudioLevelMeter {
    /// Louder than this (-dBov) counts as speaking.
    static let speakingLevel: UInt8 = 50

    static func level(of samples: [Int16]) -> AudioLevel {
        guard !samples.isEmpty else { return AudioLevel(voiceActivity: false, level: 127) }
        let energy = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
        let rms = energy.squareRoot() / 32768
        let dBov = rms > 0 ? -20 * log10(rms) : 127
        let level = UInt8(max(0, min(127, dBov.rounded())))
        return AudioLevel(voiceActivity: level < speakingLevel, level: level)
    }

    /// Whether a peer sending `level` is speaking: its voice activity flag, or a level
    /// louder than ours would flag. Some stacks never set the flag (aiortc sends V=0 with
    /// every level; RFC 6464 §3 makes it optional, vad=off), and a loud peer must not
    /// show as silent because of that.
    static func speaking(_ level: AudioLevel) -> Bool {
        level.voiceActivity || level.level < speakingLevel
    }
}

extension Duration {
    /// Whole nanoseconds (a CLOCK_MONOTONIC reading fits an Int64 for 292 years).
    var nanosecondsSinceZero: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }
}
