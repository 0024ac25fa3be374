/// What we learned from the peer's INIT, carried in the state cookie so that an INIT costs us
/// no state (RFC 9260 §5.1.3), signed with HMAC-SHA-256 under a secret only we know.
struct PeerParameters: Equatable, Sendable {
    var verificationTag: UInt32
    var initialTSN: UInt32
    var receiverWindow: UInt32
    var outboundStreams: UInt16
    var inboundStreams: UInt16
    var supportsForwardTSN: Bool
    var supportsReconfig: Bool

    init(_ chunk: InitChunk) {
        verificationTag = chunk.initiateTag
        initialTSN = chunk.initialTSN
        receiverWindow = chunk.advertisedReceiverWindow
        outboundStreams = chunk.outboundStreams
        inboundStreams = chunk.inboundStreams
        supportsForwardTSN = chunk.supportsForwardTSN
        supportsReconfig = chunk.supportsReconfig
    }

    init(verificationTag: UInt32, initialTSN: UInt32, receiverWindow: UInt32, outboundStreams: UInt16,
         inboundStreams: UInt16, supportsForwardTSN: Bool, supportsReconfig: Bool) {
        self.verificationTag = verificationTag
        self.initialTSN = initialTSN
        self.receiverWindow = receiverWindow
        self.outboundStreams = outboundStreams
        self.inboundStreams = inboundStreams
        self.supportsForwardTSN = supportsForwardTSN
        self.supportsReconfig = supportsReconfig
    }
}

struct StateCookie: Equatable, Sendable {
    static let magic: UInt32 = 0x5357_4331  // "SWC1"
    static let bodySize = 4 + 8 + 4 + 4 + 4 + 4 + 2 + 2 + 1
    static let macSize = 32
    static let size = bodySize + macSize

    var createdAt: Duration
    var localTag: UInt32
    var peer: PeerParameters

    func sealed(secret: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        body.appendU32(Self.magic)
        let milliseconds = createdAt.components.seconds * 1000 + createdAt.components.attoseconds / 1_000_000_000_000_000
        body.appendU64(UInt64(bitPattern: milliseconds))
        body.appendU32(localTag)
        body.appendU32(peer.verificationTag)
        body.appendU32(peer.initialTSN)
        body.appendU32(peer.receiverWindow)
        body.appendU16(peer.outboundStreams)
        body.appendU16(peer.inboundStreams)
        body.append((peer.supportsForwardTSN ? 1 : 0) | (peer.supportsReconfig ? 2 : 0))
        return body + SHA256.hmac(key: secret, message: body)
    }

    enum Rejection: Error, Equatable { case malformed, badSignature, stale }

    /// RFC 9260 §5.1.5: check the MAC first, then the lifetime.
    static func open(_ bytes: [UInt8], secret: [UInt8], now: Duration, lifetime: Duration) throws(Rejection) -> StateCookie {
        guard bytes.count == size else { throw .malformed }
        let body = Array(bytes[0..<bodySize])
        let mac = Array(bytes[bodySize...])
        guard SHA256.equal(SHA256.hmac(key: secret, message: body), mac) else { throw .badSignature }
        var reader = ByteReader(body)
        do {
            guard try reader.u32() == magic else { throw Rejection.malformed }
            let milliseconds = Int64(bitPattern: try reader.u64())
            let created = Duration.milliseconds(milliseconds)
            let localTag = try reader.u32()
            let peerTag = try reader.u32()
            let peerTSN = try reader.u32()
            let window = try reader.u32()
            let outbound = try reader.u16()
            let inbound = try reader.u16()
            let flags = try reader.u8()
            guard created <= now + .milliseconds(1), now - created <= lifetime else { throw Rejection.stale }
            return StateCookie(
                createdAt: created, localTag: localTag,
                peer: PeerParameters(
                    verificationTag: peerTag, initialTSN: peerTSN, receiverWindow: window,
                    outboundStreams: outbound, inboundStreams: inbound,
                    supportsForwardTSN: flags & 1 != 0, supportsReconfig: flags & 2 != 0))
        } catch let rejection as Rejection {
            throw rejection
        } catch {
            throw .malformed
        }
    }
}
