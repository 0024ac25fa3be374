/// One RTP header extension element (RFC 8285): a local id negotiated in SDP
/// (`a=extmap`) and its data.
public struct RTPHeaderExtension: Sendable, Hashable {
    public var id: UInt8
    public var data: [UInt8]

    public init(id: UInt8, data: [UInt8]) {
        self.id = id
        self.data = data
    }
}

/// RFC 6464 client-to-mixer audio level: the level in -dBov (0 loudest, 127 silence)
/// and the voice activity flag.
public struct AudioLevel: Sendable, Hashable {
    public var voiceActivity: Bool
    /// 0...127, in -dBov.
    public var level: UInt8

    public init(voiceActivity: Bool, level: UInt8) {
        self.voiceActivity = voiceActivity
        self.level = min(level, 127)
    }
}

/// An RTP packet (RFC 3550 §5.1) with RFC 8285 header extensions.
///
///     0                   1                   2                   3
///     |V=2|P|X|  CC   |M|     PT      |       sequence number         |
///     |                           timestamp                           |
///     |           synchronization source (SSRC) identifier            |
///     |            contributing source (CSRC) identifiers ...         |
public struct RTPPacket: Sendable, Hashable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// At most 15 (the CC field is 4 bits); extra entries are not serialized.
    public var csrcs: [UInt32]
    /// RFC 8285 elements. Extensions under a profile other than one-byte (0xBEDE)
    /// or two-byte (0x100X) are skipped when parsing.
    public var extensions: [RTPHeaderExtension]
    public var payload: [UInt8]
    /// Number of padding octets at the end, including the count octet (RFC 3550 §5.1 P bit);
    /// 0 means no padding.
    public var paddingLength: UInt8

    public static let version: UInt8 = 2

    public init(marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
                csrcs: [UInt32] = [], extensions: [RTPHeaderExtension] = [], payload: [UInt8] = [], paddingLength: UInt8 = 0) {
        self.marker = marker
        self.payloadType = payloadType & 0x7F
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensions = extensions
        self.payload = payload
        self.paddingLength = paddingLength
    }

    /// The P bit.
    public var hasPadding: Bool { paddingLength > 0 }

    /// Parses one RTP packet; nil when the bytes are not a well-formed RTP packet.
    public init?(parsing bytes: [UInt8]) {
        var r = ByteReader(bytes)
        guard let b0 = r.u8(), let b1 = r.u8(), let seq = r.u16(), let ts = r.u32(), let ssrc = r.u32() else { return nil }
        guard b0 >> 6 == Self.version else { return nil }
        let padding = b0 & 0x20 != 0
        let hasExtension = b0 & 0x10 != 0
        let csrcCount = Int(b0 & 0x0F)
        var csrcs: [UInt32] = []
        csrcs.reserveCapacity(csrcCount)
        for _ in 0..<csrcCount {
            guard let c = r.u32() else { return nil }
            csrcs.append(c)
        }
        var extensions: [RTPHeaderExtension] = []
        if hasExtension {
            // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words.
            guard let profile = r.u16(), let words = r.u16(), let body = r.take(Int(words) * 4) else { return nil }
            if profile == 0xBEDE {
                guard let parsed = Self.parseOneByte(body) else { return nil }
                extensions = parsed
            } else if profile & 0xFFF0 == 0x1000 {
                guard let parsed = Self.parseTwoByte(body) else { return nil }
                extensions = parsed
            }
        }
        var payloadEnd = bytes.count
        var paddingLength: UInt8 = 0
        if padding {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
            guard let count = bytes.last, count > 0, Int(count) <= bytes.count - r.offset else { return nil }
            paddingLength = count
            payloadEnd -= Int(count)
        }
        self.marker = b1 & 0x80 != 0
        self.payloadType = b1 & 0x7F
        self.sequenceNumber = seq
        self.timestamp = ts
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensions = extensions
        self.payload = Array(bytes[r.offset..<payloadEnd])
        self.paddingLength = paddingLength
    }

    /// RFC 8285 §4.2: ID (4 bits) and L (4 bits, length - 1); ID 0 is padding, ID 15 stops parsing.
    static func parseOneByte(_ body: [UInt8]) -> [RTPHeaderExtension]? {
        var result: [RTPHeaderExtension] = []
        var i = 0
        while i < body.count {
            let id = body[i] >> 4
            if id == 0 { i += 1; continue }
            if id == 15 { break }
            let length = Int(body[i] & 0x0F) + 1
            guard i + 1 + length <= body.count else { return nil }
            result.append(RTPHeaderExtension(id: id, data: Array(body[i + 1..<i + 1 + length])))
            i += 1 + length
        }
        return result
    }

    /// RFC 8285 §4.3: ID (8 bits), length (8 bits), data; a zero octet is padding.
    static func parseTwoByte(_ body: [UInt8]) -> [RTPHeaderExtension]? {
        var result: [RTPHeaderExtension] = []
        var i = 0
        while i < body.count {
            let id = body[i]
            if id == 0 { i += 1; continue }
            guard i + 1 < body.count else { return nil }
            let length = Int(body[i + 1])
            guard i + 2 + length <= body.count else { return nil }
            result.append(RTPHeaderExtension(id: id, data: Array(body[i + 2..<i + 2 + length])))
            i += 2 + length
        }
        return result
    }

    /// The wire form. Extensions use the one-byte form when every element fits it
    /// (id 1...14, 1...16 bytes), else the two-byte form (RFC 8285 §4.1); elements
    /// that fit neither (id 0, more than 255 bytes) are left out.
    public func serialized() -> [UInt8] {
        let csrcList = csrcs.prefix(15)
        let valid = extensions.filter { $0.id != 0 && $0.data.count <= 255 }
        var out: [UInt8] = []
        out.reserveCapacity(12 + csrcList.count * 4 + payload.count + Int(paddingLength) + 32)
        let x: UInt8 = valid.isEmpty ? 0 : 0x10
        let p: UInt8 = paddingLength > 0 ? 0x20 : 0
        out.append(Self.version << 6 | p | x | UInt8(csrcList.count))
        out.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        out.append(u16: sequenceNumber)
        out.append(u32: timestamp)
        out.append(u32: ssrc)
        for c in csrcList { out.append(u32: c) }
        if !valid.isEmpty {
            let oneByte = valid.allSatisfy { $0.id <= 14 && (1...16).contains($0.data.count) }
            var body: [UInt8] = []
            for e in valid {
                if oneByte {
                    body.append(e.id << 4 | UInt8(e.data.count - 1))
                } else {
                    body.append(e.id)
                    body.append(UInt8(e.data.count))
                }
                body.append(contentsOf: e.data)
            }
            while body.count % 4 != 0 { body.append(0) }
            out.append(u16: oneByte ? 0xBEDE : 0x1000)
            out.append(u16: UInt16(body.count / 4))
            out.append(contentsOf: body)
        }
        out.append(contentsOf: payload)
        if paddingLength > 0 {
            out.append(contentsOf: repeatElement(0, count: Int(paddingLength) - 1))
            out.append(paddingLength)
        }
        return out
    }

    /// Same as `serialized()`.
    public var bytes: [UInt8] { serialized() }

    // MARK: - Extension helpers

    public func headerExtension(id: UInt8) -> [UInt8]? {
        extensions.first { $0.id == id }?.data
    }

    /// Replaces the element with `id`, or adds it.
    public mutating func setHeaderExtension(id: UInt8, data: [UInt8]) {
        if let i = extensions.firstIndex(where: { $0.id == id }) {
            extensions[i].data = data
        } else {
            extensions.append(RTPHeaderExtension(id: id, data: data))
        }
    }

    public mutating func removeHeaderExtension(id: UInt8) {
        extensions.removeAll { $0.id == id }
    }

    /// The MID (`urn:ietf:params:rtp-hdrext:sdes:mid`, RFC 8843 §15): the SDES MID text, no terminator.
    public func mid(extensionID id: UInt8) -> String? {
        guard let data = headerExtension(id: id), !data.isEmpty else { return nil }
        return String(validating: data, as: UTF8.self)
    }

    public mutating func setMID(_ mid: String, extensionID id: UInt8) {
        setHeaderExtension(id: id, data: Array(mid.utf8.prefix(255)))
    }

    /// RFC 6464 §3: one octet, V (1 bit) and level (7 bits).
    public func audioLevel(extensionID id: UInt8) -> AudioLevel? {
        guard let data = headerExtension(id: id), let first = data.first else { return nil }
        return AudioLevel(voiceActivity: first & 0x80 != 0, level: first & 0x7F)
    }

    public mutating func setAudioLevel(_ level: AudioLevel, extensionID id: UInt8) {
        setHeaderExtension(id: id, data: [(level.voiceActivity ? 0x80 : 0) | (level.level & 0x7F)])
    }
}
