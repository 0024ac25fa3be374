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
    private struct State {
        var buffer = JitterBuffer(configuration: JitterBuffer.Configuration(
            clockRate: 48_000, minimumDelay: .milliseconds(40), maximumDelay: .milliseconds(300)))
        var remoteSSRC: UInt32?
        var level: AudioLevel?
        var counters = AudioReceiveCounters()
    }

    private let state = Mutex(State())
    private let running = Atomic<Bool>(false)
    private let negotiation: AudioNegotiation
    private let device: String
    private let notices: @Sendable (String) -> Void
    private let origin = ContinuousClock.now

    init(negotiation: AudioNegotiation, device: String, notices: @escaping @Sendable (String) -> Void) {
        self.negotiation = negotiation
        self.device = device
        self.notices = notices
        state.withLock { $0.remoteSSRC = negotiation.remoteSSRC }
    }

    var counters: AudioReceiveCounters { state.withLock { $0.counters } }

    /// The peer's last audio level (RFC 6464), for the speaking indicator.
    var remoteLevel: AudioLevel? { state.withLock { $0.level } }

    func receive(_ packet: RTPPacket) {
        let now = ContinuousClock.now - origin
        state.withLock { state in
            if state.remoteSSRC == nil { state.remoteSSRC = packet.ssrc }
            guard packet.ssrc == state.remoteSSRC else { return }
            if let id = negotiation.audioLevelExtensionID, let level = packet.audioLevel(extensionID: id) { state.level = level }
            state.counters.packetsReceived += 1
            state.buffer.insert(packet, arrival: now)
        }
    }

    func start() {
        guard running.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        let thread = Thread { [self] in run() }
        thread.name = "call-audio-in"
        thread.start()
    }

    func stop() { running.store(false, ordering: .relaxed) }

    private func run() {
        let output = AudioOutput(device: device, channels: 1)
        defer { output.close() }
        let decoder: OpusDecoder
        do { decoder = try OpusDecoder(sampleRate: 48_000, channels: 1) } catch {
            notices("the peer's audio cannot be decoded: \(error)")
            return
        }
        let frame = AudioOutput.periodFrames
        let silence = [Int16](repeating: 0, count: frame)
        var playing = false
        while running.load(ordering: .relaxed) {
            let now = ContinuousClock.now - origin
            let due = state.withLock { state -> [JitterBufferOutput] in
                var out: [JitterBufferOutput] = []
                while let next = state.buffer.pop(now: now) { out.append(next) }
                return out
            }
            var pcm: [Int16] = []
            for (index, item) in due.enumerated() {
                switch item {
                case .packet(let packet):
                    playing = true
                    guard let opus = OpusDepayloader.depayload(packet), let decoded = try? decoder.decode(opus) else {
                        pcm += (try? decoder.concealLoss(frameSamples: frame)) ?? silence
                        continue
                    }
                    pcm += decoded
                case .lost(_, let count):
                    state.withLock { $0.counters.concealed += count }
                    // The packet after the gap may carry the last lost frame as FEC (RFC 6716 §2.1.7).
                    let next = index + 1 < due.count ? due[index + 1] : nil
                    for lost in 0..<min(count, 10) {
                        if lost == count - 1, case .packet(let packet)? = next, let opus = OpusDepayloader.depayload(packet),
                           let recovered = try? decoder.decodeFEC(opus, frameSamples: frame) {
                            pcm += recovered
                        } else {
                            pcm += (try? decoder.concealLoss(frameSamples: frame)) ?? silence
                        }
                    }
                }
            }
            if pcm.isEmpty {
                // Nothing due this period: keep the device fed (PLC once playing, else silence).
                pcm = playing ? ((try? decoder.concealLoss(frameSamples: frame)) ?? silence) : silence
                if playing { state.withLock { $0.counters.underruns += 1 } }
            }
            output.write(pcm)
            if let notice = output.takeNotice() { notices(notice) }
            state.withLock { $0.counters.framesPlayed += pcm.count / frame }
        }
    }
}

public struct AudioReceiveCounters: Sendable, Equatable {
    public var packetsReceived = 0
    public var framesPlayed = 0
    /// Frames the jitter buffer gave up on, filled by FEC or concealment.
    public var concealed = 0
    /// Periods with nothing due, filled by concealment.
    public var underruns = 0
}
