@testable import SCTP

/// Anything driven like a sans-IO SCTP machine.
protocol LinkEndpoint: AnyObject {
    associatedtype Event
    func handle(packet: [UInt8], now: Duration)
    func handleTimeout(now: Duration)
    func pollTransmit() -> [UInt8]?
    func pollTimeout() -> Duration?
    func pollEvent() -> Event?
}

extension SCTPAssociation: LinkEndpoint {}
extension DataChannelEndpoint: LinkEndpoint {}

/// SplitMix64 for the tests' own randomness (loss, delay, fuzzing).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func chance(_ probability: Double) -> Bool { probability > 0 && unit() < probability }
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

enum Side: Hashable { case left, right
    var other: Side { self == .left ? .right : .left }
}

/// Packet conditions for one direction of the link.
struct LinkConditions {
    var delay: Duration = .milliseconds(10)
    /// Extra delay drawn uniformly from [0, jitter]: reorders packets.
    var jitter: Duration = .zero
    var lossRate = 0.0
    var duplicateRate = 0.0
}

/// Two endpoints over a simulated datagram link, in simulated time, deterministic from a seed.
final class SimulatedLink<Endpoint: LinkEndpoint> {
    struct InFlight {
        var deliverAt: Duration
        var order: Int
        var to: Side
        var bytes: [UInt8]

        /// Delivery order: by time, ties in sending order.
        func precedes(_ other: InFlight) -> Bool {
            deliverAt < other.deliverAt || (deliverAt == other.deliverAt && order < other.order)
        }
    }

    var now: Duration = .zero
    let left: Endpoint
    let right: Endpoint
    var leftEvents: [Endpoint.Event] = []
    var rightEvents: [Endpoint.Event] = []
    var conditions: [Side: LinkConditions] = [.left: LinkConditions(), .right: LinkConditions()]
    /// Packets from these sides vanish.
    var silenced: Set<Side> = []
    /// Sees (and may change) each packet sent from a side; return false to drop it.
    var tamper: ((Side, inout [UInt8]) -> Bool)?
    /// Every packet sent, by sender, for inspection.
    var sent: [Side: [[UInt8]]] = [.left: [], .right: []]
    var recordPackets = false
    /// When set, events are handed here as they come out instead of piling up in
    /// `leftEvents` / `rightEvents` (long transfers would otherwise keep every message).
    var onEvent: ((Side, Endpoint.Event) -> Void)?
    /// Packets on the wire, a binary min-heap in delivery order: long transfers keep hundreds
    /// in flight, and each step only needs the earliest.
    private var queue: [InFlight] = []
    private var order = 0
    private var random: TestRandom

    init(left: Endpoint, right: Endpoint, seed: UInt64 = 7) {
        self.left = left
        self.right = right
        random = TestRandom(seed: seed)
    }

    func endpoint(_ side: Side) -> Endpoint { side == .left ? left : right }

    func setConditions(_ value: LinkConditions) {
        conditions[.left] = value
        conditions[.right] = value
    }

    /// Moves everything the endpoints want to send onto the link and collects their events.
    func pump() {
        repeat {
            var moved = true
            while moved {
                let fromLeft = drain(.left)
                let fromRight = drain(.right)
                moved = fromLeft || fromRight
            }
        } while collectEvents()
    }

    /// Puts everything `side` wants to send on the link; true if there was anything.
    private func drain(_ side: Side) -> Bool {
        let endpoint = endpoint(side)
        var moved = false
        while let packet = endpoint.pollTransmit() {
            moved = true
            transmit(packet, from: side)
        }
        return moved
    }

    /// True when `onEvent` saw an event: it may have sent something, so pump again.
    private func collectEvents() -> Bool {
        guard let onEvent else {
            while let event = left.pollEvent() { leftEvents.append(event) }
            while let event = right.pollEvent() { rightEvents.append(event) }
            return false
        }
        var handled = false
        while let event = left.pollEvent() { handled = true; onEvent(.left, event) }
        while let event = right.pollEvent() { handled = true; onEvent(.right, event) }
        return handled
    }

    private func transmit(_ original: [UInt8], from side: Side) {
        var packet = original
        if recordPackets { sent[side, default: []].append(packet) }
        guard !silenced.contains(side) else { return }
        if let tamper, !tamper(side, &packet) { return }
        let link = conditions[side] ?? LinkConditions()
        guard !random.chance(link.lossRate) else { return }
        let copies = random.chance(link.duplicateRate) ? 2 : 1
        for _ in 0..<copies {
            var delay = link.delay
            if link.jitter > .zero {
                delay += link.jitter * random.unit()
            }
            order += 1
            push(InFlight(deliverAt: now + delay, order: order, to: side.other, bytes: packet))
        }
    }

    /// Injects a packet as if it arrived now at `side`.
    func inject(_ packet: [UInt8], to side: Side) {
        endpoint(side).handle(packet: packet, now: now)
        pump()
    }

    var nextEventTime: Duration? {
        var next = queue.first?.deliverAt
        if let deadline = left.pollTimeout(), next.map({ deadline < $0 }) ?? true { next = deadline }
        if let deadline = right.pollTimeout(), next.map({ deadline < $0 }) ?? true { next = deadline }
        return next
    }

    private func push(_ packet: InFlight) {
        queue.append(packet)
        var child = queue.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard queue[child].precedes(queue[parent]) else { break }
            queue.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest packet if it is due by `time`.
    private func popDue(by time: Duration) -> InFlight? {
        guard let first = queue.first, first.deliverAt <= time else { return nil }
        let last = queue.removeLast()
        guard !queue.isEmpty else { return first }
        queue[0] = last
        var parent = 0
        while true {
            let leftChild = 2 * parent + 1
            guard leftChild < queue.count else { break }
            let rightChild = leftChild + 1
            let child = rightChild < queue.count && queue[rightChild].precedes(queue[leftChild]) ? rightChild : leftChild
            guard queue[child].precedes(queue[parent]) else { break }
            queue.swapAt(child, parent)
            parent = child
        }
        return first
    }

    /// Advances to the next delivery or timer; false when nothing is scheduled before `limit`.
    /// Expects the endpoints pumped (each step ends with a pump; `run` pumps before the first).
    private func step(limit: Duration) -> Bool {
        guard let next = nextEventTime, next <= limit else { return false }
        now = max(now, next)
        // Endpoints only send when `pump` drains them, so nothing joins the queue during this
        // loop: it delivers exactly what was due at `now`, in order.
        while let packet = popDue(by: now) { endpoint(packet.to).handle(packet: packet.bytes, now: now) }
        if let deadline = left.pollTimeout(), deadline <= now { left.handleTimeout(now: now) }
        if let deadline = right.pollTimeout(), deadline <= now { right.handleTimeout(now: now) }
        pump()
        return true
    }

    /// Runs for `duration` of simulated time.
    func run(for duration: Duration) {
        let limit = now + duration
        pump()
        while step(limit: limit) {}
        now = max(now, limit)
    }

    /// Runs until `condition` holds or `timeout` of simulated time passes; returns the condition.
    @discardableResult
    func run(until condition: () -> Bool, timeout: Duration = .seconds(60)) -> Bool {
        let limit = now + timeout
        pump()
        while !condition() {
            guard step(limit: limit) else { return condition() }
        }
        return true
    }
}
