/// Congestion window arithmetic for one path (RFC 9260 §7.2): slow start, congestion
/// avoidance, reaction to fast retransmit (with fast recovery) and to T3 timeouts.
struct CongestionController: Sendable {
    let mtu: Int
    private(set) var congestionWindow: Int
    private(set) var slowStartThreshold: Int
    private var partialBytesAcked = 0
    /// Fast recovery lasts until the cumulative ack reaches this TSN (§7.2.4).
    private(set) var fastRecoveryExit: UInt32?

    init(mtu: Int, peerReceiverWindow: UInt32) {
        self.mtu = mtu
        // §7.2.1: initial cwnd = min(4*MTU, max(2*MTU, 4380)); ssthresh = peer's a_rwnd.
        congestionWindow = min(4 * mtu, max(2 * mtu, 4380))
        slowStartThreshold = Int(peerReceiverWindow)
    }

    var inFastRecovery: Bool { fastRecoveryExit != nil }

    /// A SACK acknowledged `bytesAcked` new bytes and moved the cumulative ack.
    /// `flightBefore` is the flight size before this SACK.
    mutating func onAck(bytesAcked: Int, cumulativeAdvanced: Bool, cumulativeTSN: UInt32, flightBefore: Int) {
        if let exit = fastRecoveryExit, exit.precedesOrEquals(cumulativeTSN) { fastRecoveryExit = nil }
        guard cumulativeAdvanced, !inFastRecovery, bytesAcked > 0 else { return }
        if congestionWindow <= slowStartThreshold {
            // §7.2.1: grow by at most min(bytes acked, L*MTU) when the window was in use;
            // L = 2 lets low-RTT paths open quickly with delayed acks.
            if flightBefore + mtu >= congestionWindow {
                congestionWindow += min(bytesAcked, 2 * mtu)
            }
        } else {
            // §7.2.2: about one MTU per round trip.
            partialBytesAcked += bytesAcked
            if partialBytesAcked >= congestionWindow && flightBefore + mtu >= congestionWindow {
                partialBytesAcked -= congestionWindow
                congestionWindow += mtu
            }
        }
    }

    /// §7.2.4: entering fast recovery on the first fast retransmit of a loss episode.
    mutating func onFastRetransmit(highestOutstanding: UInt32) {
        guard !inFastRecovery else { return }
        slowStartThreshold = max(congestionWindow / 2, 4 * mtu)
        congestionWindow = slowStartThreshold
        partialBytesAcked = 0
        fastRecoveryExit = highestOutstanding
    }

    /// §7.2.3: T3-rtx expiry collapses the window to one MTU.
    mutating func onRetransmissionTimeout() {
        slowStartThreshold = max(congestionWindow / 2, 4 * mtu)
        congestionWindow = mtu
        partialBytesAcked = 0
        fastRecoveryExit = nil
    }
}
