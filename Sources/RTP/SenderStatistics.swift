/// Counts what one local SSRC sent and builds its sender reports (RFC 3550 §6.4.1);
/// computes the round-trip time from the report blocks peers send back.
public struct SenderStatistics: Sendable {
    public let ssrc: UInt32
    public let clockRate: Int
    public private(set) var packetCount: UInt32 = 0
    /// Payload octets sent (headers and padding excluded, §6.4.1).
    public private(set) var octetCount: UInt32 = 0
    /// The latest RTT measured from a report block.
    public private(set) var roundTripTime: Duration?

    private var lastTimestamp: UInt32?
    private var lastSendTime: Duration = .zero

    public init(ssrc: UInt32, clockRate: Int) {
        self.ssrc = ssrc
        self.clockRate = max(clockRate, 1)
    }

    public mutating func sent(_ packet: RTPPacket, now: Duration) {
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: packet.payload.count)
        lastTimestamp = packet.timestamp
        lastSendTime = now
    }

    /// An SR for `now`. `wallClock` is the NTP time at `now` (from the caller's clock);
    /// the RTP timestamp is the last sent one advanced by the time since it was sent,
    /// so that both name the same instant.
    public func makeSenderReport(now: Duration, wallClock: NTPTimestamp, reportBlocks: [ReportBlock] = []) -> SenderReport {
        var rtp: UInt32 = 0
        if let last = lastTimestamp {
            let elapsed = max(0, (now - lastSendTime).asSeconds) * Double(clockRate)
            rtp = last &+ UInt32(truncatingIfNeeded: Int64(min(elapsed, 4e9)))
        }
        return SenderReport(ssrc: ssrc, ntpTimestamp: wallClock, rtpTimestamp: rtp, packetCount: packetCount,
                            octetCount: octetCount, reportBlocks: reportBlocks)
    }

    /// RTT = A − LSR − DLSR in compact NTP units (§6.4.1), where A is the NTP time
    /// the block arrived. Nil when the block names no SR of ours (LSR 0) or the
    /// result is negative (clock trouble).
    public static func roundTripTime(for block: ReportBlock, arrival: NTPTimestamp) -> Duration? {
        guard block.lastSenderReport != 0 else { return nil }
        let rtt = Int64(arrival.compact) - Int64(block.lastSenderReport) - Int64(block.delaySinceLastSenderReport)
        // Compact NTP wraps every 65536 s; take the difference modulo 2^32.
        let wrapped = Int32(bitPattern: UInt32(truncatingIfNeeded: rtt))
        guard wrapped >= 0 else { return nil }
        return .seconds(double: Double(wrapped) / 65536)
    }

    /// Takes the blocks of a received SR/RR that are about us and updates `roundTripTime`.
    @discardableResult
    public mutating func handleReportBlocks(_ blocks: [ReportBlock], arrival: NTPTimestamp) -> Duration? {
        var latest: Duration?
        for block in blocks where block.ssrc == ssrc {
            if let rtt = Self.roundTripTime(for: block, arrival: arrival) { latest = rtt }
        }
        if let latest { roundTripTime = latest }
        return latest
    }
}
