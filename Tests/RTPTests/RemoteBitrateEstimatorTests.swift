import RTP
import Testing

/// A sender of 30 fps video at `rate(now)` through a FIFO bottleneck of `capacity` bit/s.
struct BottleneckSimulation {
    var capacity: Double
    var propagation = Duration.milliseconds(20)
    var linkFreeAt = Duration.zero
    var estimator = RemoteBitrateEstimator()
    var rembs: [(at: Duration, bitrate: UInt64)] = []

    mutating func run(seconds: Int, rate: (Duration, UInt64?) -> Double) {
        var seq: UInt16 = 0
        for frame in 0..<(seconds * 30) {
            let sendAt = Duration.microseconds(Int64(frame) * 33_333)
            let frameBytes = Int(rate(sendAt, rembs.last?.bitrate) / 8 / 30)
            var left = frameBytes
            while left > 0 {
                let size = min(1200, left)
                left -= size
                let start = max(linkFreeAt, sendAt)
                linkFreeAt = start + .seconds(double: Double(size * 8) / capacity)
                estimator.received(size: size, timestamp: UInt32(frame * 3000), arrival: linkFreeAt + propagation)
                seq &+= 1
                if let b = estimator.pollREMB(now: linkFreeAt + propagation) { rembs.append((linkFreeAt + propagation, b)) }
            }
        }
    }
}

extension Duration {
    static func seconds(double value: Double) -> Duration { .nanoseconds(Int64(value * 1e9)) }
}

@Suite struct RemoteBitrateEstimatorTests {
    @Test func dropsBelowBottleneck() throws {
        var sim = BottleneckSimulation(capacity: 1_000_000)
        sim.run(seconds: 10) { _, _ in 2_000_000 }
        #expect(sim.estimator.usage == .overusing)
        let estimate = sim.estimator.estimate
        #expect(estimate > 600_000 && estimate < 1_050_000, "estimate \(estimate)")
        #expect(sim.rembs.count >= 5)
    }

    @Test func growsSlowlyWithoutCongestion() {
        var sim = BottleneckSimulation(capacity: 50_000_000)
        sim.run(seconds: 10) { _, _ in 2_000_000 }
        #expect(sim.estimator.usage != .overusing)
        let estimate = sim.estimator.estimate
        // Starts at the 2 Mbit/s arriving, grows ≈ 8 %/s, capped at 1.5 × incoming + 10 kbit/s.
        #expect(estimate > 2_500_000 && estimate <= 3_200_000, "estimate \(estimate)")
        let values = sim.rembs.map(\.bitrate)
        #expect(values == values.sorted())
    }

    @Test func closedLoopSettlesNearCapacity() {
        var sim = BottleneckSimulation(capacity: 1_000_000)
        sim.estimator = RemoteBitrateEstimator(configuration: .init(initialBitrate: 2_000_000))
        sim.run(seconds: 40) { _, remb in Double(min(remb ?? 2_000_000, 3_000_000)) }
        let late = sim.rembs.filter { $0.at > .seconds(20) }.map { Double($0.bitrate) }
        let mean = late.reduce(0, +) / Double(max(late.count, 1))
        #expect(mean > 500_000 && mean < 1_100_000, "mean \(mean)")
    }

    @Test func growthRateIsAboutEightPercentPerSecond() {
        var sim = BottleneckSimulation(capacity: 50_000_000)
        sim.run(seconds: 4) { _, _ in 2_000_000 }
        // Measured from 2 Mbit/s at 0.5 s; 3.5 s of growth at 8 %/s ≈ 2.6-2.7 Mbit/s.
        let estimate = sim.estimator.estimate
        #expect(estimate > 2_450_000 && estimate < 2_800_000, "estimate \(estimate)")
    }

    @Test func noREMBBeforeTheRateIsMeasured() {
        var est = RemoteBitrateEstimator()
        est.received(size: 1000, timestamp: 0, arrival: .zero)
        #expect(est.pollREMB(now: .zero) == nil && est.pollTimeout() == nil)
        for i in 1...20 { est.received(size: 1000, timestamp: UInt32(i * 3000), arrival: .milliseconds(33 * i)) }
        #expect(est.pollREMB(now: .milliseconds(660)) != nil)
        #expect(est.pollREMB(now: .milliseconds(700)) == nil)  // next one a second later
        #expect(est.pollTimeout() == .milliseconds(1660))
    }

    @Test func rembPacket() {
        let est = RemoteBitrateEstimator()
        let remb = est.remb(senderSSRC: 1, mediaSSRCs: [2, 3])
        #expect(remb.bitrate == 300_000 && remb.ssrcs == [2, 3])
    }
}
