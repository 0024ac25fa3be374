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
/// Tests/interop.
@Suite struct VideoCallTests {
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
