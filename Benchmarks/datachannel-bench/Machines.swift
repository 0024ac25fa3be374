import Foundation
import SCTP

/// `datachannel-bench machines`: the same transfer between two sans-IO
/// `DataChannelEndpoint`s in one thread, packets handed across in memory (no
/// DTLS, no sockets, no actors), to tell the cost of the SCTP and data channel
/// machines apart from the I/O path around them. The clock is real time, moved
/// on to the next deadline when nothing else can happen.
func runMachines(_ options: Options) throws {
    let offerer = DataChannelEndpoint(association: SCTPAssociation(configuration: SCTPConfiguration(), seed: 1), isDTLSClient: true)
    let answerer = DataChannelEndpoint(association: SCTPAssociation(configuration: SCTPConfiguration(), seed: 2), isDTLSClient: false)
    let start = ContinuousClock.now
    var skipped = Duration.zero
    var now: Duration { ContinuousClock.now - start + skipped }
    var packets = 0

    /// Hands every waiting packet across both ways; false when there was none.
    func shuttle() -> Bool {
        var moved = false
        while let packet = offerer.pollTransmit() {
            answerer.handle(packet: packet, now: now)
            moved = true
            packets += 1
        }
        while let packet = answerer.pollTransmit() {
            offerer.handle(packet: packet, now: now)
            moved = true
            packets += 1
        }
        return moved
    }

    /// Nothing to move: jump to the earliest deadline and fire it.
    func idle() {
        let deadlines = [offerer.pollTimeout(), answerer.pollTimeout()].compactMap { $0 }
        if let deadline = deadlines.min(), deadline > now { skipped += deadline - now }
        offerer.handleTimeout(now: now)
        answerer.handleTimeout(now: now)
    }

    offerer.connect(now: now)
    answerer.connect(now: now)
    let id = try offerer.open(DataChannelOptions(label: label), now: now)
    var open = false
    while !open {
        if !shuttle() { idle() }
        while let event = offerer.pollEvent() {
            if case .channelOpened = event { open = true }
        }
    }

    let total = options.totalBytes
    let payload = [UInt8](repeating: 0xA5, count: options.messageBytes)
    var sent = 0
    var received = 0
    let began = ContinuousClock.now
    while received < total {
        while sent < total, offerer.bufferedAmount(id) <= options.highWater {
            let size = min(payload.count, total - sent)
            try offerer.send(.binary(size == payload.count ? payload : Array(payload[..<size])), on: id, now: now)
            sent += size
        }
        if !shuttle() { idle() }
        while let event = answerer.pollEvent() {
            if case .message(_, .binary(let bytes)) = event { received += bytes.count }
        }
        while offerer.pollEvent() != nil {}
    }
    let elapsed = ContinuousClock.now - began
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let idleMs = Double(skipped.components.seconds) * 1000 + Double(skipped.components.attoseconds) / 1e15
    if options.json {
        print("{\"seconds\": \(seconds), \"bytes\": \(received), \"packets\": \(packets)}")
        return
    }
    print("SCTP machines only, one thread, in memory: \(options.mib) MiB in \(options.messageKiB) KiB messages, "
          + "\(packets) packets, \(String(format: "%.2f", seconds)) s wall, \(String(format: "%.0f", Double(received) * 8 / seconds / 1e6)) Mbit/s "
          + "(\(String(format: "%.1f", seconds * 1e6 / Double(max(packets, 1)))) µs a packet, both ends; "
          + "\(String(format: "%.0f", idleMs)) ms of timers skipped)")
}
