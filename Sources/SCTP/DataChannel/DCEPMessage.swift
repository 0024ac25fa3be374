/// Data Channel Establishment Protocol messages (RFC 8832 §5).
enum DCEPMessage: Equatable, Sendable {
    /// §5.1 DATA_CHANNEL_OPEN, message type 0x03.
    case open(DCEPOpen)
    /// §5.2 DATA_CHANNEL_ACK, message type 0x02.
    case ack

    static let openType: UInt8 = 0x03
    static let ackType: UInt8 = 0x02

    static func parse(_ bytes: [UInt8]) throws(SCTPParseError) -> DCEPMessage {
        var reader = ByteReader(bytes)
        switch try reader.u8() {
        case ackType: return .ack
        case openType: return .open(try DCEPOpen.parse(&reader))
        case let other: throw SCTPParseError("DCEP message type \(other)")
        }
    }

    func serialize() -> [UInt8] {
        switch self {
        case .ack: return [Self.ackType]
        case .open(let open): return open.serialize()
        }
    }
}

struct DCEPOpen: Equatable, Sendable {
    /// §5.1 channel types; 0x80 marks unordered.
    enum ChannelType: UInt8, Sendable {
        case reliable = 0x00
        case reliableUnordered = 0x80
        case partialReliableRexmit = 0x01
        case partialReliableRexmitUnordered = 0x81
        case partialReliableTimed = 0x02
        case partialReliableTimedUnordered = 0x82
    }

    var channelType: ChannelType
    var priority: UInt16
    var reliabilityParameter: UInt32
    var label: String
    var `protocol`: String

    init(options: DataChannelOptions, priority: UInt16 = 256) {
        let unordered: UInt8 = options.ordered ? 0 : 0x80
        var base: UInt8 = 0
        var parameter: UInt32 = 0
        if let rexmit = options.maxRetransmits {
            base = 0x01
            parameter = UInt32(rexmit)
        } else if let lifetime = options.maxPacketLifeTime {
            base = 0x02
            let milliseconds = lifetime.components.seconds * 1000 + lifetime.components.attoseconds / 1_000_000_000_000_000
            parameter = UInt32(clamping: milliseconds)
        }
        channelType = ChannelType(rawValue: base | unordered) ?? .reliable
        self.priority = priority
        reliabilityParameter = parameter
        label = options.label
        self.protocol = options.protocol
    }

    var ordered: Bool { channelType.rawValue & 0x80 == 0 }

    var reliability: SCTPReliability {
        switch channelType.rawValue & 0x7F {
        case 0x01: .maxRetransmits(UInt16(clamping: reliabilityParameter))
        case 0x02: .maxLifetime(.milliseconds(Int64(reliabilityParameter)))
        default: .reliable
        }
    }

    static func parse(_ reader: inout ByteReader) throws(SCTPParseError) -> DCEPOpen {
        let rawType = try reader.u8()
        guard let type = ChannelType(rawValue: rawType) else { throw SCTPParseError("channel type \(rawType)") }
        let priority = try reader.u16()
        let parameter = try reader.u32()
        let labelLength = Int(try reader.u16())
        let protocolLength = Int(try reader.u16())
        let label = try reader.take(labelLength)
        let proto = try reader.take(protocolLength)
        var open = DCEPOpen(options: DataChannelOptions(label: ""))
        open.channelType = type
        open.priority = priority
        open.reliabilityParameter = parameter
        open.label = String(decoding: label, as: UTF8.self)
        open.protocol = String(decoding: proto, as: UTF8.self)
        return open
    }

    func serialize() -> [UInt8] {
        let labelBytes = Array(label.utf8.prefix(65535))
        let protocolBytes = Array(self.protocol.utf8.prefix(65535))
        var out: [UInt8] = [DCEPMessage.openType, channelType.rawValue]
        out.appendU16(priority)
        out.appendU32(reliabilityParameter)
        out.appendU16(UInt16(labelBytes.count))
        out.appendU16(UInt16(protocolBytes.count))
        return out + labelBytes + protocolBytes
    }
}
