@testable import SCTP

typealias AssociationLink = SimulatedLink<SCTPAssociation>

func makeAssociations(
    left: SCTPConfiguration = SCTPConfiguration(), right: SCTPConfiguration = SCTPConfiguration(),
    seed: UInt64 = 1
) -> AssociationLink {
    AssociationLink(
        left: SCTPAssociation(configuration: left, seed: seed),
        right: SCTPAssociation(configuration: right, seed: seed &+ 1000), seed: seed &+ 77)
}

/// A connected pair (left connects).
func connectedPair(
    left: SCTPConfiguration = SCTPConfiguration(), right: SCTPConfiguration = SCTPConfiguration(),
    seed: UInt64 = 1
) -> AssociationLink {
    let link = makeAssociations(left: left, right: right, seed: seed)
    link.left.connect(now: link.now)
    link.run(until: { link.left.state == .established && link.right.state == .established })
    return link
}

extension [SCTPEvent] {
    var messages: [(stream: UInt16, ppid: UInt32, payload: [UInt8])] {
        compactMap { if case .message(let s, let p, let d) = $0 { (s, p, d) } else { nil } }
    }
    var closedReason: String? {
        compactMap { if case .closed(let reason) = $0 { reason } else { nil } }.first
    }
}

func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 31) &+ seed &* 7 &+ ($0 >> 8)) }
}

/// Decodes a packet's chunks (for assertions on what went over the wire).
func chunks(of packet: [UInt8]) -> [Chunk] {
    (try? SCTPPacket.parse(packet).chunks) ?? []
}
