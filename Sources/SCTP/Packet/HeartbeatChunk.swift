/// HEARTBEAT and HEARTBEAT ACK (RFC 9260 §3.3.5, §3.3.6): one Heartbeat Info parameter (type 1),
/// opaque to the receiver, echoed back unchanged.
struct HeartbeatChunk: Equatable, Sendable {
    static let infoParameterType: UInt16 = 1
    var info: [UInt8]

    static func parse(_ value: [UInt8]) throws(SCTPParseError) -> HeartbeatChunk {
        let parameters = try RawParameter.parseAll(value)
        guard let info = parameters.first(where: { $0.type == infoParameterType }) else {
            throw SCTPParseError("heartbeat without info")
        }
        return HeartbeatChunk(info: info.value)
    }

    func serializeValue(into out: inout [UInt8]) {
        RawParameter(type: Self.infoParameterType, value: info).serialize(into: &out, pad: false)
    }
}
