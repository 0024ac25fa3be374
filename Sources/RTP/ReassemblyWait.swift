/// How long the video depayloader waits for a missing packet before it gives
/// the frame up, sized from the path instead of fixed: a packet that is only
/// late arrives within a few times the interarrival jitter; a lost one comes
/// back, if at all, a NACK round trip later (RFC 4585 §6.2.1, RFC 4588). Waiting
/// longer than both is waiting for a packet that will not come; waiting less
/// throws away frames that would have completed.
public enum ReassemblyWait {
    /// Jitter and round trip as measured (RFC 3550 A.8 jitter; RTT from RTCP
    /// report blocks or ICE); `nack` whether the peer retransmits on NACK.
    public static func budget(jitter: Duration, roundTrip: Duration?, nack: Bool) -> Duration {
        // Reordering: four times the mean deviation covers nearly every late packet.
        let reorder = max(jitter * 4, .milliseconds(15))
        guard nack else { return min(reorder, .milliseconds(150)) }
        // Unknown RTT: assume a long path rather than give up early.
        let rtt = roundTrip ?? .milliseconds(150)
        // The NACK goes out after its delay; its answer takes a round trip and may
        // itself be late; one retry fits when the round trip is short.
        let retransmission = firstNACKDelay(jitter: jitter) + rtt + jitter * 2 + .milliseconds(10)
        let withRetry = retransmission + rtt + .milliseconds(10)
        return min(max(withRetry, reorder, .milliseconds(60)), .milliseconds(500))
    }

    /// How long a gap stands before it is NACKed: on a path that reorders, most
    /// gaps fill by themselves within about twice the jitter, and asking at once
    /// would retransmit what is already on its way.
    public static func firstNACKDelay(jitter: Duration) -> Duration {
        min(jitter * 2, .milliseconds(50))
    }
}
