import Codecs
import Foundation
import PeerConnection
import RTP
import Sound
import Synchronization

/// The peer's audio in: RTP packets of the agreed Opus payload type go into a
/// jitter buffer sized from measured jitter; a playback thread takes one 20 ms
/// frame per period, decodes it, conceals what never came (Opus FEC from the
/// next packet when there is one, else PLC), and writes it to ALSA, whose pace
/// (or the clock's, for a device that does not pace) sets the thread's.
final class AudioReceiver: Sendable {
    private let playout: Mutex<AudioPlayout>
    private let running = Atomic<Bool>(false)
    private let device: String
    /// 2 when we asked for stereo, else 1.
    private let channels: Int
    private let notices: @Sendable (String) -> Void
    private let origin = ContinuousClock.now
    /// CLOCK_MONOTONIC nanoseconds of the first sample written to the device (0 until then).
    private let playbackStart = Atomic<Int64>(0)
    private let playbackResyncs = Atomic<Int>(0)

    init(negotiation: AudioNegotiation, device: String, notices: @escaping @Sendable (String) -> Void) {
        self.device = device
        self.notices = notices
        channels = negotiation.receiveStereo ? 2 : 1
        playout = Mutex(AudioPlayout(remoteSSRC: negotiation.remoteSSRC, audioLevelExtensionID: negotiation.audioLevelExtensionID))
    }

    var counters: AudioReceiveCounters { playout.withLock { $0.counters } }

    /// The peer's last audio level (RFC 6464), for the speaking indicator.
    var remoteLevel: AudioLevel? { playout.withLock { $0.level } }

    /// When the first sample went to the device (CLOCK_MONOTONIC), and how often the
    /// output's clock was reset since because the thread fell behind.
    var playbackClock: (start: Duration?, resyncs: Int) {
        let start = playbackStart.load(ordering: .relaxed)
        return (start == 0 ? nil : .nanoseconds(start), playbackResyncs.load(ordering: .relaxed))
    }

    /// One decrypted RTP packet of the audio payload type, as it came off the wire.
    func receive(_ bytes: [UInt8]) {
        let now = ContinuousClock.now - origin
        playout.withLock { $0.receive(bytes, arrival: now) }
    }

    func start() {
        guard running.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        // Named from inside: on Linux a name set before start() never reaches the kernel.
        let thread = Thread { [self] in
            Thread.current.name = "call-audio-in"
            run()
        }
        thread.start()
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func run() {
        let output = AudioOutput(device: device, channels: channels)
        defer { output.close() }
        var renderer: AudioFrameRenderer
        do { renderer = AudioFrameRenderer(decoder: try OpusDecoder(sampleRate: 48_000, channels: channels)) } catch {
            notices("the peer's audio cannot be decoded: \(error)")
            return
        }
        while running.load(ordering: .relaxed) {
            let now = ContinuousClock.now - origin
            let (due, delay, late) = playout.withLock { playout in
                let late = playout.buffer.pollTimeout().map { now - $0 } ?? .zero
                return (playout.due(now: now), playout.buffer.playoutDelay, late)
            }
            let (pcm, counts) = renderer.render(due, playoutDelay: delay, lateness: late)
            output.write(pcm)
            if let notice = output.takeNotice() { notices(notice) }
            if playbackStart.load(ordering: .relaxed) == 0, let start = output.clockOrigin {
                playbackStart.store(start.nanosecondsSinceZero, ordering: .relaxed)
            }
            playbackResyncs.store(output.clockResyncs, ordering: .relaxed)
            playout.withLock { $0.played(counts, frames: pcm.count / channels) }
        }
    }
}

/// The receive side's bookkeeping, without threads or devices: bytes in (parsed,
/// filtered by SSRC, counted), due jitter-buffer output out.
struct AudioPlayout: Sendable {
    /// Played by RTP time: arrival jitter within the target delay does not shift the
    /// playout against the period grid, which would cost a concealed period each time.
    var buffer = JitterBuffer(configuration: JitterBuffer.Configuration(
        clockRate: 48_000, minimumDelay: .milliseconds(10), maximumDelay: .milliseconds(300), playout: .atTimestamp))
    var remoteSSRC: UInt32?
    let audioLevelExtensionID: UInt8?
    var level: AudioLevel?
    private var ownCounters = AudioReceiveCounters()
    private var playedFrames = 0

    init(remoteSSRC: UInt32?, audioLevelExtensionID: UInt8?) {
        self.remoteSSRC = remoteSSRC
        self.audioLevelExtensionID = audioLevelExtensionID
    }

    /// Ours, with what the jitter buffer threw away (late, duplicate, far out of sequence, flushed).
    var counters: AudioReceiveCounters {
        var counters = ownCounters
        let buffered = buffer.counters
        counters.discarded = buffered.late + buffered.duplicates + buffered.rejected + buffered.flushed
        return counters
    }

    /// What the playback thread did with one period's output (`frames` per channel).
    mutating func played(_ counts: AudioFrameRenderer.Counts, frames: Int) {
        ownCounters.concealed += counts.concealed
        ownCounters.underruns += counts.underruns
        ownCounters.undecodable += counts.undecodable
        ownCounters.droppedToCatchUp += counts.droppedToCatchUp
        playedFrames += frames
        ownCounters.framesPlayed = playedFrames / AudioOutput.periodFrames
    }

    mutating func receive(_ bytes: [UInt8], arrival: Duration) {
        guard let packet = RTPPacket(parsing: bytes) else {
            ownCounters.malformed += 1
            return
        }
        if remoteSSRC == nil { remoteSSRC = packet.ssrc }
        guard packet.ssrc == remoteSSRC else {
            ownCounters.otherSSRC += 1
            return
        }
        if let id = audioLevelExtensionID, let level = packet.audioLevel(extensionID: id) { self.level = level }
        ownCounters.packetsReceived += 1
        buffer.insert(packet, arrival: arrival)
    }

    /// Everything the jitter buffer has due at `now`, in order.
    mutating func due(now: Duration) -> [JitterBufferOutput] {
        var out: [JitterBufferOutput] = []
        while let next = buffer.pop(now: now) { out.append(next) }
        return out
    }
}

/// Turns one period's due jitter-buffer output into PCM: decodes packets, fills
/// gaps with FEC or concealment, and keeps the device fed when nothing is due.
/// Owned by the playback thread (the decoder is not thread-safe).
///
/// Concealment played because nothing was due (an underrun) stands in for audio
/// that is late or lost. It is a debt: without paying it back, every stall upstream
/// (the sender, the network, a loaded machine) would add its length to the latency
/// for the rest of the call, because the jitter buffer releases by arrival and the
/// late packets still come (as a burst) or are reported lost (and concealed again).
/// So a loss report first counts against the debt, and a burst of due packets
/// skips its oldest ones (always playing the newest) until the debt is paid.
///
/// The debt is kept exactly: it is how much later than the jitter buffer asks for
/// the stream now plays. When the buffer's playout delay rises, that much of the
/// latency is wanted (the underruns that follow are not debt); when it falls, the
/// latency it no longer needs becomes debt. It is cleared at a talkspurt start
/// (marker bit), where the sender's timeline starts afresh after a pause.
struct AudioFrameRenderer {
    struct Counts: Equatable {
        var concealed = 0
        var underruns = 0
        var undecodable = 0
        var droppedToCatchUp = 0
    }

    /// Lost frames concealed at most per gap: a longer gap is a pause, not worth 200 ms of PLC.
    static let maxConcealedPerGap = 10
    /// Debt (or credit) remembered at most (samples): 1 s.
    static let maxDebt = 48_000
    let decoder: OpusDecoder
    /// Samples per frame in what it returns (the decoder's channels, interleaved).
    private let channels: Int
    private(set) var playing = false
    /// Samples played beyond what the jitter buffer's delay needs; negative while
    /// latency the buffer asked for is still to come.
    private(set) var debt = 0
    private var lastDelay: Duration?
    /// Whether the period grid was moved to the stream's (once, at the start).
    private var aligned = false
    private let frame = AudioOutput.periodFrames

    init(decoder: OpusDecoder) {
        self.decoder = decoder
        channels = decoder.channels
    }

    /// PCM (interleaved when stereo), never empty: what the due packets decode to (a peer's
    /// 10 ms packets give 480 frames each), or a period of concealment or silence when
    /// nothing is due. Debt and lengths count frames (one sample per channel).
    /// - Parameters:
    ///   - playoutDelay: the jitter buffer's playout delay now.
    ///   - lateness: how long ago the first of `due` became due.
    mutating func render(_ due: [JitterBufferOutput], playoutDelay: Duration, lateness: Duration = .zero) -> ([Int16], Counts) {
        let silence = [Int16](repeating: 0, count: frame * channels)
        var counts = Counts()
        var pcm: [Int16] = []
        var packetsLeft = due.reduce(0) { count, item in if case .packet = item { count + 1 } else { count } }
        if let lastDelay { owe(Int(((lastDelay - playoutDelay) / .microseconds(1)) * 48 / 1000)) }
        lastDelay = playoutDelay
        for (index, item) in due.enumerated() {
            let next = index + 1 < due.count ? due[index + 1] : nil
            switch item {
            case .packet(let packet):
                packetsLeft -= 1
                if packet.marker { debt = 0 }
                let length = Self.duration(of: packet, before: next)
                // Playout starts with the newest of what is due: packets due together at the
                // start were queued before playback ran, and playing them all would be latency
                // for the whole call.
                if (debt >= length || !playing) && packetsLeft > 0 {
                    // Its time was already filled by concealment (or it is before the start): skip it.
                    if playing { debt -= length }
                    counts.droppedToCatchUp += 1
                    continue
                }
                playing = true
                guard let opus = OpusDepayloader.depayload(packet), let decoded = try? decoder.decode(opus), !decoded.isEmpty
                else {
                    counts.undecodable += 1
                    pcm += (try? decoder.concealLoss(frameSamples: frame)) ?? silence
                    continue
                }
                if !aligned, due.count == 1 {
                    // The playback thread wakes on the device's period grid, in no relation to
                    // when packets come due: up to a period of waiting, for the whole call.
                    // Once, a packet that waited is cut short by that wait (less 2.5 ms to
                    // spare), which moves the grid so that the next ones are played as they
                    // come due. Opus frames are whole 2.5 ms steps (120 samples).
                    let waited = Int(lateness / .microseconds(1)) * 48 / 1000 - 120
                    let cut = max(0, min(decoded.count / channels - 120, waited / 120 * 120))
                    aligned = true
                    pcm += decoded[(cut * channels)...]
                    continue
                }
                pcm += decoded
            case .lost(_, let count):
                counts.concealed += count
                // The earliest lost frames were already covered by underrun concealment.
                let covered = min(count, max(0, debt) / frame)
                debt -= covered * frame
                let conceal = min(count - covered, Self.maxConcealedPerGap)
                for lost in 0..<conceal {
                    // The packet after the gap may carry the last lost frame as FEC (RFC 6716 §2.1.7).
                    if lost == conceal - 1, case .packet(let packet)? = next, let opus = OpusDepayloader.depayload(packet),
                       let recovered = try? decoder.decodeFEC(opus, frameSamples: frame) {
                        pcm += recovered
                    } else {
                        pcm += (try? decoder.concealLoss(frameSamples: frame)) ?? silence
                    }
                }
            }
        }
        if pcm.isEmpty {
            // Nothing to play this period (nothing due, or only losses the debt covered):
            // keep the device fed, with PLC once playing (a new debt), else silence.
            pcm = playing ? ((try? decoder.concealLoss(frameSamples: frame)) ?? silence) : silence
            if playing {
                counts.underruns += 1
                owe(frame)
            }
        }
        return (pcm, counts)
    }

    private mutating func owe(_ samples: Int) {
        debt = max(-Self.maxDebt, min(Self.maxDebt, debt + samples))
    }

    /// A packet's length in samples: up to the next packet's timestamp, else one period.
    private static func duration(of packet: RTPPacket, before next: JitterBufferOutput?) -> Int {
        guard case .packet(let following)? = next else { return AudioOutput.periodFrames }
        let gap = Int(Int32(bitPattern: following.timestamp &- packet.timestamp))
        return (120...5760).contains(gap) ? gap : AudioOutput.periodFrames
    }
}

public struct AudioReceiveCounters: Sendable, Equatable {
    public var packetsReceived = 0
    public var framesPlayed = 0
    /// Frames the jitter buffer gave up on, filled by FEC or concealment.
    public var concealed = 0
    /// Periods with nothing due, filled by concealment.
    public var underruns = 0
    /// Audio payload type packets that are not RTP at all.
    public var malformed = 0
    /// Packets from an SSRC other than the peer's stream.
    public var otherSSRC = 0
    /// Packets the jitter buffer dropped: late, duplicate, far out of sequence, or held when the stream restarted.
    public var discarded = 0
    /// Packets libopus refused (or that were empty), replaced by concealment.
    public var undecodable = 0
    /// Packets of a late burst skipped so the latency does not grow (AudioFrameRenderer).
    public var droppedToCatchUp = 0
}
