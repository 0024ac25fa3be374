/// Retransmission timeout from RTT measurements (RFC 9260 §6.3.1), with exponential
/// back-off on expiry (§6.3.3 E2).
struct RTOCalculator: Sendable {
    let minimum: Duration
    let maximum: Duration
    private(set) var smoothedRTT: Duration?
    private var rttVariance: Duration = .zero
    private(set) var rto: Duration

    init(initial: Duration, minimum: Duration, maximum: Duration) {
        self.minimum = minimum
        self.maximum = maximum
        rto = initial
    }

    /// C1-C3: first measurement sets SRTT = R, RTTVAR = R/2; later ones use alpha 1/8, beta 1/4.
    mutating func observe(_ rtt: Duration) {
        guard rtt >= .zero else { return }
        if let srtt = smoothedRTT {
            let delta = srtt > rtt ? srtt - rtt : rtt - srtt
            rttVariance = rttVariance * 3 / 4 + delta / 4
            smoothedRTT = srtt * 7 / 8 + rtt / 8
        } else {
            smoothedRTT = rtt
            rttVariance = rtt / 2
        }
        // C3 with a clock granularity G of 1 ms.
        let srtt = smoothedRTT ?? rtt
        rto = clamp(srtt + max(.milliseconds(1), rttVariance * 4))
    }

    /// E2: RTO = RTO * 2, capped at RTO.Max.
    mutating func backOff() { rto = clamp(rto * 2) }

    private func clamp(_ value: Duration) -> Duration { min(maximum, max(minimum, value)) }
}
