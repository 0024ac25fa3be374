import ICE
import Testing

/// STUN against aioice 0.13.0 (PyPI, aiortc's ICE library), an implementation we did not
/// write: these vectors were made with `aioice.stun.Message` on 2026-11-25 (transaction ID
/// 01..0c, `add_message_integrity` then `add_fingerprint`), then decoded and re-encoded here.
@Suite struct STUNMessageTests {
    static let transactionID: [UInt8] = Array(1...12)
    static let shortTermKey = STUNCrypto.shortTermKey(password: "alicepassword0123456789")

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static let aioiceRequest = bytes(
        "000100482112a4420102030405060708090a0b0c0006000b626f62313a616c6963653100002400046e7f00ff802a00080123456789abcdef0025000000080014e7bc5f410102346f6a54939d17d88378172c6dca80280004bbf8f7f6")
    static let aioiceResponse4 = bytes(
        "0101002c2112a4420102030405060708090a0b0c002000080001f523e112a6630008001487e928fb0e3029754d4a06b7cbd1393c42686f6280280004b156682b")
    static let aioiceResponse6 = bytes(
        "010100382112a4420102030405060708090a0b0c002000140002bd520113a9fa01020304050607081b3e5d7400080014f2105b627aba939c50695353f8ddbd43a8283a3780280004c26b7aba")
    static let aioiceError487 = bytes(
        "011100382112a4420102030405060708090a0b0c0009001100000457526f6c6520436f6e666c6963740000000008001475c84fb1005da453ac6d20be0ac236874ddc37e8802800048fd6c914")
    static let aioiceAllocate401 = bytes(
        "011300342112a4420102030405060708090a0b0c0009001000000401556e617574686f72697a656400140004746573740015000a616263646566303132330000802800041a9b9b7a")
    static let aioiceAllocateOK = bytes(
        "010300402112a4420102030405060708090a0b0c001600080001e1125e12a443002000080001e2425e12a443000d00040000025800080014bab71c6a384348943fcc623678a48aab87030cdb80280004a6f38b02")

    @Test func aBindingRequestFromAioiceDecodesAndVerifies() throws {
        let message = try STUNMessage.decode(Self.aioiceRequest)
        #expect(message.method == .binding && message.messageClass == .request)
        #expect(message.transactionID == Self.transactionID)
        #expect(message.attributes == [
            .username("bob1:alice1"), .priority(1_853_817_087), .iceControlling(tieBreaker: 0x0123_4567_89AB_CDEF), .useCandidate,
        ])
        #expect(STUNMessage.hasValidIntegrity(Self.aioiceRequest, key: Self.shortTermKey))
        #expect(!STUNMessage.hasValidIntegrity(Self.aioiceRequest, key: STUNCrypto.shortTermKey(password: "wrong")))
        // Our encoding of the same message is aioice's, byte for byte.
        #expect(message.encode(integrityKey: Self.shortTermKey) == Self.aioiceRequest)
    }

    @Test func xorMappedAddressesForIPv4AndIPv6() throws {
        let v4 = try STUNMessage.decode(Self.aioiceResponse4)
        #expect(v4.messageClass == .successResponse)
        #expect(v4.attributes == [.xorMappedAddress(TransportAddress(address: [192, 0, 2, 33], port: 54321))])
        #expect(v4.encode(integrityKey: Self.shortTermKey) == Self.aioiceResponse4)

        let v6 = try STUNMessage.decode(Self.aioiceResponse6)
        let address: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 8) + [0x12, 0x34, 0x56, 0x78]
        #expect(v6.attributes == [.xorMappedAddress(TransportAddress(address: address, port: 40000))])
        #expect(v6.encode(integrityKey: Self.shortTermKey) == Self.aioiceResponse6)
        #expect(STUNMessage.hasValidIntegrity(Self.aioiceResponse6, key: Self.shortTermKey))
    }

    @Test func errorResponsesCarryCodeAndReason() throws {
        let conflict = try STUNMessage.decode(Self.aioiceError487)
        #expect(conflict.messageClass == .errorResponse)
        #expect(conflict.attributes == [.errorCode(code: 487, reason: "Role Conflict")])
        #expect(conflict.encode(integrityKey: Self.shortTermKey) == Self.aioiceError487)

        let unauthorized = try STUNMessage.decode(Self.aioiceAllocate401)
        #expect(unauthorized.method == .allocate)
        #expect(unauthorized.attributes == [.errorCode(code: 401, reason: "Unauthorized"), .realm("test"), .nonce("abcdef0123")])
        #expect(unauthorized.encode() == Self.aioiceAllocate401)
    }

    @Test func turnAllocateSuccessWithALongTermKey() throws {
        let key = STUNCrypto.longTermKey(username: "u", realm: "test", password: "p")
        #expect(key == Self.bytes("5c8157fd8ef5f6b56629b7399d83ce25"))  // hashlib.md5(b"u:test:p")
        let ok = try STUNMessage.decode(Self.aioiceAllocateOK)
        #expect(ok.attributes == [
            .xorRelayedAddress(TransportAddress(address: [127, 0, 0, 1], port: 49152)),
            .xorMappedAddress(TransportAddress(address: [127, 0, 0, 1], port: 50000)),
            .lifetime(seconds: 600),
        ])
        #expect(STUNMessage.hasValidIntegrity(Self.aioiceAllocateOK, key: key))
        #expect(ok.encode(integrityKey: key) == Self.aioiceAllocateOK)
    }

    @Test func everyAttributeRoundTrips() throws {
        let message = STUNMessage(method: .channelBind, messageClass: .request, transactionID: Self.transactionID, attributes: [
            .mappedAddress(TransportAddress(address: [10, 0, 0, 1], port: 1)),
            .xorPeerAddress(TransportAddress(address: Array(repeating: 0xFE, count: 16), port: 65535)),
            .username("ü:x"), .software("call"), .unknownAttributes([0x0031, 0x8001]), .channelNumber(0x4000),
            .data([1, 2, 3]), .requestedTransport(17), .dontFragment, .iceControlled(tieBreaker: .max),
            .unknown(type: 0xC001, value: [9, 9, 9, 9, 9]),
        ])
        for key in [nil, Self.shortTermKey] {
            for fingerprint in [false, true] {
                let bytes = message.encode(integrityKey: key, fingerprint: fingerprint)
                #expect(bytes.count % 4 == 0)
                #expect(try STUNMessage.decode(bytes) == message)
                #expect(STUNMessage.hasValidIntegrity(bytes, key: Self.shortTermKey) == (key != nil))
            }
        }
    }

    @Test func messageTypesMatchTheRegistry() throws {
        // RFC 8489 §5: Binding request 0x0001, success 0x0101, error 0x0111; Allocate error 0x0113.
        let kinds: [(STUNMethod, STUNClass, UInt16)] = [
            (.binding, .request, 0x0001), (.binding, .indication, 0x0011), (.binding, .successResponse, 0x0101),
            (.binding, .errorResponse, 0x0111), (.allocate, .errorResponse, 0x0113), (.channelBind, .request, 0x0009),
            (.data, .indication, 0x0017),
        ]
        for (method, messageClass, type) in kinds {
            let bytes = STUNMessage(method: method, messageClass: messageClass, transactionID: Self.transactionID).encode()
            #expect(UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == type)
            let decoded = try STUNMessage.decode(bytes)
            #expect(decoded.method == method && decoded.messageClass == messageClass)
        }
    }

    @Test func damagedMessagesAreRefusedWithTheReason() {
        var flipped = Self.aioiceRequest
        flipped[30] ^= 0x01  // inside USERNAME: FINGERPRINT no longer matches
        #expect(throws: STUNDecodeError.badFingerprint) { try STUNMessage.decode(flipped) }
        #expect(throws: STUNDecodeError.tooShort) { try STUNMessage.decode(Array(Self.aioiceRequest.prefix(12))) }
        #expect(throws: STUNDecodeError.lengthMismatch) { try STUNMessage.decode(Array(Self.aioiceRequest.dropLast(4))) }
        var notSTUN = Self.aioiceRequest
        notSTUN[4] = 0
        #expect(throws: STUNDecodeError.notSTUN) { try STUNMessage.decode(notSTUN) }
        #expect(!STUNMessage.looksLikeSTUN([0x16, 0xfe, 0xfd] + [UInt8](repeating: 0, count: 30)))  // a DTLS record
        // An attribute whose length runs past the end.
        var truncated = STUNMessage(method: .binding, messageClass: .request, transactionID: Self.transactionID,
                                    attributes: [.username("abcd")]).encode(fingerprint: false)
        truncated[23] = 200
        #expect(throws: STUNDecodeError.truncatedAttribute) { try STUNMessage.decode(truncated) }
    }

    /// Random damage to real messages: a message or an error, never a crash.
    @Test func mutatedMessagesNeverCrash() {
        var state: UInt64 = 0xC0FFEE
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        let seeds = [Self.aioiceRequest, Self.aioiceResponse6, Self.aioiceAllocateOK, Self.aioiceAllocate401]
        for round in 0..<4000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + Int(next() % 4)) {
                bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next())
            }
            if next() % 4 == 0 { bytes = Array(bytes.prefix(Int(next() % UInt64(bytes.count + 1)))) }
            if let message = try? STUNMessage.decode(bytes) {
                _ = STUNMessage.hasValidIntegrity(bytes, key: Self.shortTermKey)
                _ = message.encode(integrityKey: Self.shortTermKey)
            }
        }
    }
}
