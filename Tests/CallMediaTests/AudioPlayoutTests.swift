@testable import CallMedia
import Codecs
import Foundation
import RTP
import Sound
import Testing
import TestSupport

/// The audio receive path without threads or devices (AudioPlayout: parse, SSRC
/// filter, jitter buffer; AudioFrameRenderer: depayload, Opus decode, FEC/PLC)
/// fed random bytes and damaged real Opus RTP: nothing traps, every period
/// renders whole 2.5 ms steps of audio, and every packet that does not reach
/// the decoder intact is counted where the stats say it is.
@Suite struct AudioPlayoutTests {
    static let ssrc: UInt32 = 0x1234_5678
    static let payloadType: UInt8 = 111
    static let period = AudioOutput.periodFrames

    /// Real Opus packets of a tone (mono, 20 ms), so mutations start from what a peer sends.
    static func opusPackets(_ count: Int) throws -> [[UInt8]] {
        var settings = OpusEncoderSettings()
        settings.channels = 1
        let encoder = try OpusEncoder(settings)
        return try (0..<count).map { frame in
            let pcm = (0..<period).map { n in
                Int16(8000 * sin(2 * Double.pi * 440 * Double(frame * period + n) / 48_000))
            }
            return try encoder.encode(pcm)
        }
    }

    static func packet(_ payload: [UInt8], sequence: UInt16, timestamp: UInt32, ssrc: UInt32 = ssrc) -> [UInt8] {
        RTPPacket(payloadType: payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc, payload: payload)
            .serialized()
    }

    /// Renders whatever is due and checks the shape of what came out.
    static func drain(_ playout: inout AudioPlayout, _ renderer: inout AudioFrameRenderer, now: Duration) {
        let due = playout.due(now: now)
        let (pcm, counts) = renderer.render(due, playoutDelay: playout.buffer.playoutDelay)
        // Never nothing (the device must be fed); whole 2.5 ms steps (120 samples, the
        // shortest Opus frame); at most 120 ms per packet plus the concealment of gaps.
        #expect(!pcm.isEmpty && pcm.count % 120 == 0)
        #expect(pcm.count <= max(1, due.count) * (5760 + AudioFrameRenderer.maxConcealedPerGap * period))
        playout.played(counts, frames: pcm.count)
    }

    @Test func randomAndMutatedPacketsNeverTrapAndAreCounted() throws {
        var random = SplitMix(seed: 0xA0D1)
        let opus = try Self.opusPackets(50)
        var playout = AudioPlayout(remoteSSRC: Self.ssrc, audioLevelExtensionID: 1)
        var renderer = AudioFrameRenderer(decoder: try OpusDecoder(sampleRate: 48_000, channels: 1))
        var now = Duration.zero
        var sequence: UInt16 = 65_000  // wraps during the run
        var timestamp: UInt32 = 0xFFFF_0000
        let total = 20_000
        for i in 0..<total {
            var bytes: [UInt8]
            switch i % 4 {
            case 0:
                // Random bytes, mostly with an RTP version 2 first byte and our SSRC.
                bytes = random.bytes(Int.random(in: 0...80, using: &random))
                if bytes.count > 12 && Bool.random(using: &random) {
                    bytes[0] = 0x80 | (bytes[0] & 0x0F)
                    bytes[8...11] = [0x12, 0x34, 0x56, 0x78]
                }
            case 1:
                // A valid packet with bit flips, truncation, appended or overwritten bytes.
                bytes = random.mutate(Self.packet(opus[i % opus.count], sequence: sequence, timestamp: timestamp))
            case 2:
                // A valid header around a random payload (garbage for libopus).
                bytes = Self.packet(random.bytes(Int.random(in: 0...200, using: &random)), sequence: sequence,
                                    timestamp: timestamp)
            default:
                // Wild numbering: huge jumps and wraps of sequence numbers and timestamps.
                let jump = Bool.random(using: &random)
                let seq = jump ? UInt16.random(in: 0...UInt16.max, using: &random) : sequence
                let ts = jump ? UInt32.random(in: 0...UInt32.max, using: &random) : timestamp
                bytes = Self.packet(opus[i % opus.count], sequence: seq, timestamp: ts)
            }
            playout.receive(bytes, arrival: now)
            sequence &+= 1
            timestamp &+= UInt32(Self.period)
            now += .microseconds(Int.random(in: 0...40_000, using: &random))
            if i % 3 == 0 { Self.drain(&playout, &renderer, now: now) }
        }
        Self.drain(&playout, &renderer, now: now + .seconds(10))

        let counters = playout.counters
        #expect(counters.packetsReceived + counters.malformed + counters.otherSSRC == total)
        #expect(counters.malformed > 1000)
        #expect(counters.otherSSRC > 100)
        #expect(counters.discarded > 100)
        #expect(counters.undecodable > 100)
        #expect(counters.concealed > 0)
        // Everything the jitter buffer accepted came out or was dropped and counted.
        let buffered = playout.buffer.counters
        #expect(buffered.received == counters.packetsReceived)
        #expect(buffered.released + buffered.duplicates + buffered.late + buffered.rejected + buffered.flushed
            + playout.buffer.count == buffered.received)
    }

    @Test func eachKindOfBadPacketLandsInItsCounter() throws {
        let opus = try Self.opusPackets(40)
        var playout = AudioPlayout(remoteSSRC: Self.ssrc, audioLevelExtensionID: nil)
        var renderer = AudioFrameRenderer(decoder: try OpusDecoder(sampleRate: 48_000, channels: 1))
        // 30 good packets across the sequence number and timestamp wraps, 20 ms apart.
        let firstSequence: UInt16 = 65_530
        let firstTimestamp: UInt32 = 0xFFFF_FFFF - 5 * 960
        func good(_ k: Int) -> [UInt8] {
            Self.packet(opus[k], sequence: firstSequence &+ UInt16(k), timestamp: firstTimestamp &+ UInt32(k * 960))
        }
        var now = Duration.zero
        for k in 0..<30 {
            playout.receive(good(k), arrival: now)
            now += .milliseconds(20)
            Self.drain(&playout, &renderer, now: now)
        }
        #expect(playout.counters.packetsReceived == 30)
        #expect(playout.counters == AudioReceiveCounters(packetsReceived: 30, framesPlayed: playout.counters.framesPlayed))

        playout.receive(Array(good(30).prefix(11)), arrival: now)  // shorter than an RTP header
        playout.receive([], arrival: now)
        playout.receive(Self.packet(opus[31], sequence: firstSequence &+ 31, timestamp: 0, ssrc: 99), arrival: now)
        playout.receive(good(3), arrival: now)  // released long ago: a duplicate
        playout.receive(good(29), arrival: now)  // the last one released, again
        playout.receive(Self.packet(opus[32], sequence: firstSequence &+ 20_000, timestamp: 7), arrival: now)  // far out
        // Empty and garbage payloads in sequence, each on time: accepted, then refused by the decoder.
        playout.receive(Self.packet([], sequence: firstSequence &+ 30, timestamp: firstTimestamp &+ 30 * 960), arrival: now)
        playout.receive(Self.packet([0xFF, 0xFF, 0xFF], sequence: firstSequence &+ 31, timestamp: firstTimestamp &+ 31 * 960),
                        arrival: now + .milliseconds(20))
        Self.drain(&playout, &renderer, now: now + .seconds(1))

        let counters = playout.counters
        #expect(counters.malformed == 2)
        #expect(counters.otherSSRC == 1)
        #expect(counters.discarded == 3)
        #expect(counters.undecodable == 2)
        #expect(counters.packetsReceived == 30 + 5)
        #expect(counters.concealed == 0)
    }

    /// A receiver ticking every 20 ms (as the playback thread does), fed packet k at 20k ms.
    struct Ticker {
        var playout = AudioPlayout(remoteSSRC: AudioPlayoutTests.ssrc, audioLevelExtensionID: nil)
        var renderer: AudioFrameRenderer
        var samples = 0
        var ticks = 0

        init() throws { renderer = AudioFrameRenderer(decoder: try OpusDecoder(sampleRate: 48_000, channels: 1)) }

        mutating func send(_ opus: [UInt8], _ k: Int, at arrival: Duration) {
            playout.receive(AudioPlayoutTests.packet(opus, sequence: UInt16(k), timestamp: UInt32(k * 960)), arrival: arrival)
        }

        mutating func tick(_ now: Duration) {
            let due = playout.due(now: now)
            let (pcm, counts) = renderer.render(due, playoutDelay: playout.buffer.playoutDelay)
            playout.played(counts, frames: pcm.count)
            samples += pcm.count
            ticks += 1
        }
    }

    @Test func aLateBurstIsSkippedSoTheLatencyDoesNotGrow() throws {
        let opus = try Self.opusPackets(60)
        var receiver = try Ticker()
        // Ten packets on time, played one a period.
        for k in 0..<10 {
            receiver.send(opus[k], k, at: .milliseconds(20 * k))
            receiver.tick(.milliseconds(20 * k + 45))
        }
        // The sender stalls for 500 ms: 25 periods concealed, then its 25 packets at once.
        for period in 10..<35 { receiver.tick(.milliseconds(20 * period + 45)) }
        let targetBefore = receiver.playout.buffer.playoutDelay
        for k in 10..<35 { receiver.send(opus[k], k, at: .milliseconds(20 * 35)) }
        receiver.tick(.milliseconds(20 * 35 + 300))  // the burst's jitter raised the target delay
        #expect(receiver.playout.counters.underruns == 25)
        // The burst's time was played as concealment already: it is skipped, all but the
        // newest and as much as the jitter buffer now wants to hold more than before. What
        // was written beyond real time is that rise, less than a packet more or less.
        let rise = Int((receiver.playout.buffer.playoutDelay - targetBefore) / .milliseconds(1) * 48)
        let beyond = receiver.samples - receiver.ticks * Self.period
        #expect(receiver.playout.counters.droppedToCatchUp == 24 - beyond / Self.period)
        #expect(beyond <= rise && beyond > rise - Self.period)
        // Before this, the 25 packets were all played: 500 ms more latency for the rest of the call.
    }

    /// The renderer alone, given what the jitter buffer would release each period
    /// (packets of 20 ms, numbered on), with the buffer's target delay as the test says.
    struct RendererRig {
        var renderer: AudioFrameRenderer
        let opus: [[UInt8]]
        var sequence = 0
        var samples = 0
        var periods = 0
        var dropped = 0

        init() throws {
            renderer = AudioFrameRenderer(decoder: try OpusDecoder(sampleRate: 48_000, channels: 1))
            opus = try AudioPlayoutTests.opusPackets(4)
        }

        mutating func period(packets: Int, target: Duration = .milliseconds(20)) {
            let due = (0..<packets).map { _ -> JitterBufferOutput in
                defer { sequence += 1 }
                let bytes = AudioPlayoutTests.packet(opus[sequence % opus.count], sequence: UInt16(sequence),
                                                     timestamp: UInt32(sequence * AudioPlayoutTests.period))
                return .packet(RTPPacket(parsing: bytes)!)
            }
            let (pcm, counts) = renderer.render(due, playoutDelay: target)
            samples += pcm.count
            periods += 1
            dropped += counts.droppedToCatchUp
        }
    }

    @Test func aBacklogSpreadOverSeveralPeriodsIsPaidBackInFull() throws {
        var rig = try RendererRig()
        for _ in 0..<10 { rig.period(packets: 1) }
        for _ in 0..<10 { rig.period(packets: 0) }  // a stall upstream: ten periods concealed
        // The late packets trickle in with the on-time ones, two in one period, one in the next.
        for p in 0..<20 { rig.period(packets: p % 2 == 0 ? 2 : 1) }
        // Every late packet's time was already played as concealment: all ten are skipped, and
        // what was written is exactly one period per period. (Forgiving the debt at the first
        // period with a single packet, as before, left nine periods of latency for good.)
        #expect(rig.dropped == 10)
        #expect(rig.samples == rig.periods * Self.period)
        #expect(rig.renderer.debt == 0)
    }

    @Test func theFirstPacketThatWaitedForThePeriodGridIsCutByTheWait() throws {
        let opus = try Self.opusPackets(3)
        var renderer = AudioFrameRenderer(decoder: try OpusDecoder(sampleRate: 48_000, channels: 1))
        func render(_ k: Int, lateness: Duration) -> Int {
            let packet = RTPPacket(parsing: Self.packet(opus[k], sequence: UInt16(k), timestamp: UInt32(k * Self.period)))!
            return renderer.render([.packet(packet)], playoutDelay: .milliseconds(10), lateness: lateness).0.count
        }
        // Due 12 ms before the thread woke: 12 ms less 2.5 to spare, in whole 2.5 ms steps
        // (7.5 ms, 360 samples), is cut, so the next wake-up comes 7.5 ms earlier. Once only.
        #expect(render(0, lateness: .milliseconds(12)) == Self.period - 360)
        #expect(render(1, lateness: .milliseconds(12)) == Self.period)
        // On time, nothing is cut.
        var onTime = AudioFrameRenderer(decoder: try OpusDecoder(sampleRate: 48_000, channels: 1))
        let packet = RTPPacket(parsing: Self.packet(opus[2], sequence: 2, timestamp: 0))!
        #expect(onTime.render([.packet(packet)], playoutDelay: .milliseconds(10), lateness: .milliseconds(1)).0.count == Self.period)
    }

    @Test func aFallingTargetDelayBecomesDebtARisingOneDoesNot() throws {
        var falling = try RendererRig()
        for _ in 0..<5 { falling.period(packets: 1, target: .milliseconds(60)) }
        // The buffer now wants 40 ms less: two periods of what is queued are owed...
        falling.period(packets: 1, target: .milliseconds(20))
        #expect(falling.renderer.debt == 2 * Self.period)
        // ...and paid when packets come together; after that a pair is played whole.
        for _ in 0..<3 { falling.period(packets: 2, target: .milliseconds(20)) }
        #expect(falling.dropped == 2)

        var rising = try RendererRig()
        for _ in 0..<5 { rising.period(packets: 1, target: .milliseconds(20)) }
        // The buffer holds 40 ms longer: the two underruns that follow are latency it asked for.
        rising.period(packets: 0, target: .milliseconds(60))
        rising.period(packets: 0, target: .milliseconds(60))
        #expect(rising.renderer.debt == 0)
        rising.period(packets: 2, target: .milliseconds(60))
        #expect(rising.dropped == 0)
    }

    @Test func aLostPacketIsConcealedOnceNotTwice() throws {
        let opus = try Self.opusPackets(20)
        var receiver = try Ticker()
        for k in 0..<20 {
            if k != 10 { receiver.send(opus[k], k, at: .milliseconds(20 * k)) }
            receiver.tick(.milliseconds(20 * k + 45))
        }
        // Packet 10's period was filled by underrun concealment; the loss report then counts
        // against that, and the stream goes on with one period per tick (before: the loss
        // was concealed again, a period more latency per lost packet).
        let counters = receiver.playout.counters
        #expect(counters.concealed == 1 && counters.underruns == 1 && counters.droppedToCatchUp == 0)
        #expect(receiver.samples == receiver.ticks * Self.period)
    }

    @Test func onTimeJitterWithoutUnderrunsDropsNothing() throws {
        let opus = try Self.opusPackets(40)
        var receiver = try Ticker()
        // Packets in pairs every 40 ms (bursty but not late): nothing is concealed, and
        // after the start nothing is skipped.
        for k in 0..<40 {
            receiver.send(opus[k], k, at: .milliseconds(40 * (k / 2) + 20))
            if k % 2 == 1 { receiver.tick(.milliseconds(40 * (k / 2) + 100)) }
        }
        for extra in 0..<10 { receiver.tick(.milliseconds(900 + 20 * extra)) }
        // Only the first of all is dropped: playout starts with the newest of what is due.
        #expect(receiver.playout.counters.droppedToCatchUp == 1)
        #expect(receiver.samples >= 40 * Self.period)
    }

    @Test func aRestartedStreamCountsWhatItFlushed() throws {
        let opus = try Self.opusPackets(20)
        var playout = AudioPlayout(remoteSSRC: Self.ssrc, audioLevelExtensionID: nil)
        // Ten packets held (none due yet), then the sender restarts its numbering.
        for k in 0..<10 { playout.receive(Self.packet(opus[k], sequence: UInt16(k), timestamp: UInt32(k * 960)), arrival: .zero) }
        playout.receive(Self.packet(opus[10], sequence: 40_000, timestamp: 1), arrival: .zero)
        playout.receive(Self.packet(opus[11], sequence: 40_001, timestamp: 961), arrival: .zero)
        #expect(playout.buffer.counters.restarts == 1)
        #expect(playout.buffer.counters.flushed == 10)
        #expect(playout.counters.discarded == 11)  // the ten flushed, and 40 000 rejected as a lone jump
        #expect(playout.buffer.count == 1)
    }
}

@Suite struct AudioLevelMeterTests {
    @Test func aLoudPeerIsSpeakingWhetherOrNotItSetsTheVoiceActivityFlag() {
        // aiortc sends its level with V=0 always; Chromium sets V from its VAD.
        #expect(AudioLevelMeter.speaking(AudioLevel(voiceActivity: false, level: 10)))
        #expect(AudioLevelMeter.speaking(AudioLevel(voiceActivity: true, level: 70)))
        #expect(!AudioLevelMeter.speaking(AudioLevel(voiceActivity: false, level: 127)))
        #expect(!AudioLevelMeter.speaking(AudioLevel(voiceActivity: false, level: AudioLevelMeter.speakingLevel)))
        // Our own sender's flag and this rule agree on our levels.
        let tone = (0..<960).map { Int16(9830 * sin(2 * Double.pi * 440 * Double($0) / 48_000)) }
        let level = AudioLevelMeter.level(of: tone)
        #expect(level.voiceActivity && AudioLevelMeter.speaking(level) && level.level == 13)
    }
}

extension SplitMix {
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// A few random edits: flipped bits, truncation, appended bytes, overwrites.
    mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        for _ in 0..<Int.random(in: 1...4, using: &self) {
            switch Int.random(in: 0..<4, using: &self) {
            case 0 where !b.isEmpty:
                b[Int.random(in: 0..<b.count, using: &self)] ^= 1 << UInt8.random(in: 0..<8, using: &self)
            case 1 where !b.isEmpty:
                b.removeLast(Int.random(in: 0...b.count, using: &self))
            case 2:
                b.append(contentsOf: self.bytes(Int.random(in: 1...8, using: &self)))
            default:
                if !b.isEmpty { b[Int.random(in: 0..<b.count, using: &self)] = UInt8.random(in: 0...255, using: &self) }
            }
        }
        return b
    }
}
