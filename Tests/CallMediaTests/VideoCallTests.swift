import CallMedia
import Foundation
import Media
import PeerConnection
import SCTP
import Testing

/// Video between two of our peer connections on loopback: the test pattern goes
/// out as VP8 over SRTP, is decoded on the other side, and the frame stamp it
/// carries reads back, with a frame number that advances and a sane latency
/// (same machine, same wall clock). Against Chromium and aiortc:
/// Tests/interop. Serialized: each test runs a whole call in this process, and
/// the loss test's recovery needs the CPU its sender and receiver ask for.
@Suite(.serialized) struct VideoCallTests {
    @Test func theTestPatternArrivesDecodedBothWaysWithItsStamp() async throws {
        let configuration = PeerConnectionConfiguration(includeLoopback: true, includeIPv6: false)
        let caller = try PeerConnection(configuration: configuration)
        let callee = try PeerConnection(configuration: configuration)
        let callerReady = Task { await Self.negotiation(from: caller.events) }
        let calleeReady = Task { await Self.negotiation(from: callee.events) }
        let offer = try await caller.createOffer()
        let answer = try await callee.answer(offer: offer)
        try await caller.setRemoteAnswer(answer)

        let callerVideo = try #require(await callerReady.value, "the caller got no media")
        let calleeVideo = try #require(await calleeReady.value, "the callee got no media")
        #expect(callerVideo.sends && callerVideo.receives && calleeVideo.sends && calleeVideo.receives)
        #expect(callerVideo.payloadType == calleeVideo.payloadType)
        #expect(callerVideo.remoteSSRC == calleeVideo.localSSRC)

        let atCaller = LatestFrame(), atCallee = LatestFrame()
        let one = try CallMediaSession(connection: caller, video: callerVideo, audio: nil, remoteFrames: atCaller,
                                       localFrames: LatestFrame(), options: .init(), notices: { _ in })
        let two = try CallMediaSession(connection: callee, video: calleeVideo, audio: nil, remoteFrames: atCallee,
                                       localFrames: LatestFrame(), options: .init(), notices: { _ in })
        await one.start(reading: caller.media)
        await two.start(reading: callee.media)

        for frames in [atCaller, atCallee] {
            let first = try #require(await Self.stamp(in: frames, after: nil), "no decodable frame arrived")
            let later = try #require(await Self.stamp(in: frames, after: first.frameNumber), "frames stopped arriving")
            #expect(later.frameNumber > first.frameNumber)
            let latency = Int64(UInt32(truncatingIfNeeded: Self.wallMilliseconds()) &- later.captureMilliseconds)
            // A loose bound: a loaded test machine delays frames, a wrong clock or stale frame would not be close.
            #expect((0..<5000).contains(latency), "latency \(latency) ms")
        }
        let stats = try #require(await one.video?.stats())
        #expect(stats.framesSent > 0 && stats.received.framesDecoded > 0)
        #expect(stats.frameWidth == 640 && stats.frameHeight == 360)
        await one.stop()
        await two.stop()
        await caller.close()
        await callee.close()
    }

    /// 5% of the RTP each side receives dropped and the rest delayed by 0-50 ms (so
    /// reordered): NACK brings most losses back, PLI the rest, and the picture keeps
    /// moving. Frozen time is measured at the receiver by watching the mailbox.
    @Test func underLossAndJitterNACKAndPLIKeepThePictureMoving() async throws {
        var configuration = PeerConnectionConfiguration(includeLoopback: true, includeIPv6: false)
        configuration.simulatedMediaLoss = 0.05
        configuration.simulatedMediaJitter = .milliseconds(50)
        let caller = try PeerConnection(configuration: configuration)
        let callee = try PeerConnection(configuration: configuration)
        let callerReady = Task { await Self.negotiation(from: caller.events) }
        let calleeReady = Task { await Self.negotiation(from: callee.events) }
        try await caller.setRemoteAnswer(try await callee.answer(offer: try await caller.createOffer()))
        let callerVideo = try #require(await callerReady.value, "the caller got no media")
        let calleeVideo = try #require(await calleeReady.value, "the callee got no media")
        let atCallee = LatestFrame()
        // A looping clip of the test pattern at 320x180: the pattern drawn live costs a
        // debug build more CPU than a loaded test machine gives it.
        let clip = try Self.writeClip(width: 320, height: 180, frames: 30)
        defer { try? FileManager.default.removeItem(atPath: clip) }
        let sending = try CallMediaSession(connection: caller, video: callerVideo, audio: nil, remoteFrames: LatestFrame(),
                                           localFrames: LatestFrame(),
                                           options: .init(video: .init(sources: [.file(clip)])), notices: { _ in })
        let receiving = try CallMediaSession(connection: callee, video: calleeVideo, audio: nil, remoteFrames: atCallee,
                                             localFrames: LatestFrame(), options: .init(), notices: { _ in })
        await sending.start(reading: caller.media)
        await receiving.start(reading: callee.media)
        // One way is enough, and halves the CPU this test needs (black frames at 1 fps back).
        _ = await receiving.video?.setVideoEnabled(false)

        _ = try #require(await Self.stamp(in: atCallee, after: nil), "no decodable frame arrived")
        let sentBefore = try #require(await sending.video?.stats()).framesSent
        let decodedBefore = try #require(await receiving.video?.stats()).received.framesDecoded
        // Eight seconds watched at 20 ms: how long the picture stood still, at worst and in all.
        let clock = ContinuousClock()
        let start = clock.now
        var lastChange = start, lastNumber = atCallee.newest?.number
        var longestFreeze = Duration.zero, frozen = Duration.zero
        while clock.now - start < .seconds(8) {
            try await Task.sleep(for: .milliseconds(20))
            let number = atCallee.newest?.number
            if number != lastNumber {
                let gap = clock.now - lastChange
                longestFreeze = max(longestFreeze, gap)
                // At 30 fps a frame is due every 33 ms; more than 200 ms without one is a visible freeze.
                if gap > .milliseconds(200) { frozen += gap }
                lastChange = clock.now
                lastNumber = number
            }
        }
        let stillFor = clock.now - lastChange
        longestFreeze = max(longestFreeze, stillFor)
        if stillFor > .milliseconds(200) { frozen += stillFor }

        let stats = try #require(await receiving.video?.stats())
        let sent = try #require(await sending.video?.stats()).framesSent - sentBefore
        let decoded = stats.received.framesDecoded - decodedBefore
        #expect(stats.received.nacksSent > 0 && stats.received.retransmissionsReceived > 0, "\(stats.received)")
        // Recovery, measured against what was sent (a test machine short of CPU sends fewer
        // frames; that is not a loss): 5% of the packets lost, 80% of the frames decoded.
        #expect(sent > 30 && Double(decoded) >= 0.8 * Double(sent), "\(decoded) of \(sent) frames decoded; \(stats.received)")
        // The wait for gaps grew with the jitter (on a clean loopback it is its 60 ms floor).
        #expect(stats.received.reassemblyWait > .milliseconds(60), "\(stats.received)")
        // Bounds that hold on a loaded test machine (alone, the worst freeze here is a few
        // hundred ms); a stream that stopped recovering would freeze for good.
        #expect(longestFreeze < .seconds(3), "longest freeze \(longestFreeze); \(stats.received)")
        #expect(frozen < .seconds(4), "frozen for \(frozen) of 8 s")
        await sending.stop()
        await receiving.stop()
        await caller.close()
        await callee.close()
    }

    /// `c` and `v` mid-call, replaceTrack-style: the next source (a 320x180 clip
    /// after the 640x360 pattern) arrives at its own resolution with no new offer,
    /// and video off arrives as black frames.
    @Test func sourceSwitchAndVideoOffWithoutRenegotiation() async throws {
        let configuration = PeerConnectionConfiguration(includeLoopback: true, includeIPv6: false)
        let caller = try PeerConnection(configuration: configuration)
        let callee = try PeerConnection(configuration: configuration)
        let callerReady = Task { await Self.negotiation(from: caller.events) }
        let calleeReady = Task { await Self.negotiation(from: callee.events) }
        try await caller.setRemoteAnswer(try await callee.answer(offer: try await caller.createOffer()))
        let callerVideo = try #require(await callerReady.value, "the caller got no media")
        let calleeVideo = try #require(await calleeReady.value, "the callee got no media")
        let clip = try Self.writeClip(width: 320, height: 180, frames: 10)
        defer { try? FileManager.default.removeItem(atPath: clip) }
        let atCallee = LatestFrame()
        let sending = try CallMediaSession(connection: caller, video: callerVideo, audio: nil, remoteFrames: LatestFrame(),
                                           localFrames: LatestFrame(),
                                           options: .init(video: .init(sources: [.testPattern, .file(clip)])), notices: { _ in })
        let receiving = try CallMediaSession(connection: callee, video: calleeVideo, audio: nil, remoteFrames: atCallee,
                                             localFrames: LatestFrame(), options: .init(), notices: { _ in })
        await sending.start(reading: caller.media)
        await receiving.start(reading: callee.media)
        _ = await receiving.video?.setVideoEnabled(false)

        #expect(await Self.frame(in: atCallee) { $0.width == 640 && $0.height == 360 } != nil, "no 640x360 frame")
        let switched = await sending.video?.nextSource() ?? ""
        #expect(switched.contains("file"), "\(switched)")
        #expect(await Self.frame(in: atCallee) { $0.width == 320 && $0.height == 180 } != nil, "no 320x180 frame after the switch")
        #expect(await sending.video?.setVideoEnabled(false) == true)
        // Black: video-range luma at the bottom, chroma neutral (a frame the pattern never sends).
        let black = await Self.frame(in: atCallee) { frame in
            frame.y.allSatisfy { $0 <= 20 } && frame.u.allSatisfy { (120...136).contains($0) }
        }
        #expect(black != nil, "no black frame after video off")
        await sending.stop()
        await receiving.stop()
        await caller.close()
        await callee.close()
    }

    /// The first frame in the mailbox that satisfies `condition`, polling for up to 10 s.
    static func frame(in frames: LatestFrame, where condition: (I420Frame) -> Bool) async -> I420Frame? {
        for _ in 0..<200 {
            if let frame = frames.newest?.frame, condition(frame) { return frame }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// A Y4M file of `frames` test-pattern frames; returns its path.
    static func writeClip(width: Int, height: Int, frames: Int) throws -> String {
        let pattern = TestPatternSource(width: width, height: height)
        var bytes = Array("YUV4MPEG2 W\(width) H\(height) F15:1 Ip A1:1 C420jpeg\n".utf8)
        for n in 0..<frames {
            let frame = pattern.frame(number: UInt32(n), captureMilliseconds: UInt64(n) * 66)
            bytes += Array("FRAME\n".utf8) + frame.y + frame.u + frame.v
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("clip-\(UUID().uuidString).y4m").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func negotiation(from events: AsyncStream<PeerConnectionEvent>) async -> VideoNegotiation? {
        for await event in events {
            if case .mediaReady(let video, _) = event { return video }
            if case .failed = event { return nil }
        }
        return nil
    }

    /// The stamp of the newest frame once it is past `after`, polling for up to 10 s.
    static func stamp(in frames: LatestFrame, after: UInt32?) async -> FrameStamp? {
        for _ in 0..<200 {
            if let frame = frames.newest?.frame, let stamp = FrameStampCode.decode(frame),
               after.map({ stamp.frameNumber > $0 }) ?? true {
                return stamp
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    static func wallMilliseconds() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }
}
