/// The lines of the `s` stats overlay: what the call carries now (rates over
/// the time since the previous sample), what it lost and recovered, and the
/// path. Feed it each `CallStats` answer in turn.
public struct StatsSheet: Sendable {
    private var previous: (stats: CallStats, seconds: Double)?

    public init() {}

    /// The overlay's lines for `stats`, taken `seconds` into some monotonic clock.
    public mutating func lines(for stats: CallStats, atSeconds seconds: Double) -> [String] {
        defer { previous = (stats, seconds) }
        guard stats.connectionState != "none" else { return ["stats: no call"] }
        let before = previous.flatMap { $0.seconds < seconds ? $0 : nil }
        let elapsed = before.map { seconds - $0.seconds }
        func rate(_ now: Int, _ then: Int?) -> Double? {
            guard let then, let elapsed, now >= then else { return nil }
            return Double(now - then) / elapsed
        }
        var lines: [String] = []
        if let video = stats.video {
            let old = before?.stats.video
            var incoming = ["video in VP8"]
            if let width = video.frameWidth, let height = video.frameHeight { incoming.append("\(width)x\(height)") }
            if let fps = rate(video.framesDecoded, old?.framesDecoded) { incoming.append("\(Int(fps.rounded())) fps") }
            if let bytes = rate(video.bytesReceived, old?.bytesReceived) { incoming.append(Self.kbps(bytes)) }
            lines.append(incoming.joined(separator: " · "))
            if video.sending {
                var outgoing = ["video out VP8"]
                if let fps = rate(video.framesSent, old?.framesSent) { outgoing.append("\(Int(fps.rounded())) fps") }
                if let bytes = rate(video.bytesSent, old?.bytesSent) { outgoing.append(Self.kbps(bytes)) }
                if let target = video.targetBitrate { outgoing.append("target \(target) kbit/s") }
                if let source = video.source { outgoing.append(source) }
                lines.append(outgoing.joined(separator: " · "))
            } else {
                lines.append("video out off")
            }
            let lost = video.packetsLost ?? 0
            let expected = video.packetsReceived + max(lost, 0)
            let percent = expected > 0 ? Double(max(lost, 0)) * 100 / Double(expected) : 0
            lines.append("loss \(Self.oneDecimal(percent))% (\(lost)) · NACK \(video.nackCount) out \(video.nacksReceived) in"
                + " · PLI \(video.pliCount) out \(video.pliReceived) in"
                + " · RTX \(video.retransmittedPacketsReceived) in \(video.retransmittedPacketsSent) out")
            var timing: [String] = []
            if let rtt = video.rtcpRoundTripTime ?? stats.roundTripTime { timing.append("RTT \(Self.milliseconds(rtt))") }
            if let jitter = video.jitter { timing.append("jitter \(Self.milliseconds(jitter))") }
            // The jitter buffer delay of the frames since the last sample, else of all of them.
            let emitted = video.jitterBufferEmittedCount - (old?.jitterBufferEmittedCount ?? 0)
            let delay = video.jitterBufferDelay - (old?.jitterBufferDelay ?? 0)
            if emitted > 0 {
                timing.append("jitter buffer \(Self.milliseconds(delay / Double(emitted)))")
            } else if video.jitterBufferEmittedCount > 0 {
                timing.append("jitter buffer \(Self.milliseconds(video.jitterBufferDelay / Double(video.jitterBufferEmittedCount)))")
            }
            if let wait = video.reassemblyWait { timing.append("waits \(Self.milliseconds(wait)) for a gap") }
            if !timing.isEmpty { lines.append(timing.joined(separator: " · ")) }
        }
        if let audio = stats.audio {
            let old = before?.stats.audio
            var parts = ["audio Opus"]
            if let packets = rate(audio.packetsReceived, old?.packetsReceived) { parts.append("in \(Int(packets.rounded())) pkt/s") }
            parts.append(audio.muted ? "muted" : rate(audio.packetsSent, old?.packetsSent).map { "out \(Int($0.rounded())) pkt/s" } ?? "out")
            parts.append("concealed \(audio.concealedFrames)")
            if audio.remoteSpeaking { parts.append("peer speaking") }
            lines.append(parts.joined(separator: " · "))
        }
        var path = ["connection \(stats.connectionState)"]
        if let local = stats.localCandidateType, let remote = stats.remoteCandidateType { path.append("path \(local)↔\(remote)") }
        if stats.video == nil, let rtt = stats.roundTripTime { path.append("RTT \(Self.milliseconds(rtt))") }
        if let dtls = stats.dtlsState { path.append("DTLS \(dtls)") }
        if let sctp = stats.sctpState { path.append("SCTP \(sctp)") }
        lines.append(path.joined(separator: " · "))
        return lines
    }

    static func kbps(_ bytesPerSecond: Double) -> String {
        "\(Int((bytesPerSecond * 8 / 1000).rounded())) kbit/s"
    }

    static func milliseconds(_ seconds: Double) -> String {
        "\(Int((seconds * 1000).rounded())) ms"
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
