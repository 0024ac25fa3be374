import Testing
@testable import CallSession

@Suite struct StatsSheetTests {
    static func stats(framesDecoded: Int, bytesReceived: Int, framesSent: Int, bytesSent: Int, delay: Double, emitted: Int)
        -> CallStats {
        var stats = CallStats(connectionState: "connected", localCandidateType: "host", remoteCandidateType: "srflx",
                              roundTripTime: 0.004, dtlsState: "connected", sctpState: "established")
        stats.video = CallStats.Video(
            framesSent: framesSent, bytesSent: bytesSent, framesDecoded: framesDecoded, packetsReceived: 990,
            bytesReceived: bytesReceived, framesLost: 0, pliCount: 1, pliReceived: 2, frameWidth: 640, frameHeight: 480,
            targetBitrate: 1200, nackCount: 3, nacksReceived: 4, retransmittedPacketsSent: 5,
            retransmittedPacketsReceived: 6, jitter: 0.0031, packetsLost: 10, rtcpRoundTripTime: 0.012,
            jitterBufferDelay: delay, jitterBufferEmittedCount: emitted, reassemblyWait: 0.06)
        return stats
    }

    @Test func ratesComeFromTheDifferenceBetweenTwoSamples() {
        var sheet = StatsSheet()
        let first = sheet.lines(for: Self.stats(framesDecoded: 100, bytesReceived: 1_000_000, framesSent: 90,
                                                bytesSent: 500_000, delay: 2.0, emitted: 100), atSeconds: 10)
        // One sample: no rates yet, the jitter buffer delay is the mean over all frames (20 ms).
        #expect(first[0] == "video in VP8 · 640x480")
        #expect(first[3] == "RTT 12 ms · jitter 3 ms · jitter buffer 20 ms · waits 60 ms for a gap")
        // Two seconds later: 60 frames and 250,000 bytes more in (30 fps, 1000 kbit/s); 58 frames,
        // 125,000 bytes out (29 fps, 500 kbit/s); 60 frames that waited 0.6 s in all (10 ms each).
        let second = sheet.lines(for: Self.stats(framesDecoded: 160, bytesReceived: 1_250_000, framesSent: 148,
                                                 bytesSent: 625_000, delay: 2.6, emitted: 160), atSeconds: 12)
        #expect(second == [
            "video in VP8 · 640x480 · 30 fps · 1000 kbit/s",
            "video out VP8 · 29 fps · 500 kbit/s · target 1200 kbit/s",
            // 10 lost of 1000 expected (990 received + 10 lost).
            "loss 1.0% (10) · NACK 3 out 4 in · PLI 1 out 2 in · RTX 6 in 5 out",
            "RTT 12 ms · jitter 3 ms · jitter buffer 10 ms · waits 60 ms for a gap",
            "connection connected · path host↔srflx · DTLS connected · SCTP established",
        ])
    }

    @Test func outsideACallItSaysSo() {
        var sheet = StatsSheet()
        #expect(sheet.lines(for: CallStats(connectionState: "none"), atSeconds: 1) == ["stats: no call"])
    }
}
