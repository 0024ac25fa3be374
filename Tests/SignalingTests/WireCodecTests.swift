import Testing

@testable import Signaling

@Suite("Engine.IO packets")
struct EngineIOPacketTests {
    @Test(arguments: ["1", "2", "2probe", "3", "3probe", "4hello", "5", "6", "4"])
    func roundTrip(_ text: String) throws {
        #expect(try EngineIOPacket(parsing: text).encoded == text)
    }

    @Test func openCarriesHandshake() throws {
        let handshake = EngineIOHandshake(sid: "abc", pingInterval: 25000, pingTimeout: 20000, maxPayload: 65536)
        let text = EngineIOPacket.open(handshake.json).encoded
        #expect(text.hasPrefix("0{"))
        guard case .open(let json) = try EngineIOPacket(parsing: text) else {
            Issue.record("not an open packet")
            return
        }
        #expect(EngineIOHandshake(json) == handshake)
        #expect(json["upgrades"] == [])
    }

    @Test func rejectsBadFrames() {
        #expect(throws: EngineIOPacket.ParseError.empty) { try EngineIOPacket(parsing: "") }
        #expect(throws: EngineIOPacket.ParseError.unknownType("9")) { try EngineIOPacket(parsing: "9") }
        #expect(throws: EngineIOPacket.ParseError.unknownType("b")) { try EngineIOPacket(parsing: "bAAAA") }
        #expect(throws: EngineIOPacket.ParseError.badOpenPayload) { try EngineIOPacket(parsing: "0[1]") }
        #expect(throws: EngineIOPacket.ParseError.badOpenPayload) { try EngineIOPacket(parsing: "0{oops") }
    }
}

@Suite("Socket.IO packets")
struct SocketIOPacketTests {
    @Test(arguments: [
        "0", "1", "0/admin,", "2[\"a\",{\"x\":1}]", "2/admin,7[\"x\"]", "21[\"e\",1]", "312[]",
        "4/chat,{\"message\":\"Invalid namespace\"}", "0{\"sid\":\"s\"}",
    ])
    func roundTrip(_ text: String) throws {
        #expect(try SocketIOPacket(parsing: text).encoded == text)
    }

    @Test func parsesEventWithAckAndNamespace() throws {
        let packet = try SocketIOPacket(parsing: "2/admin,42[\"offer\",{\"userId\":\"1\"}]")
        #expect(packet.kind == .event)
        #expect(packet.namespace == "/admin")
        #expect(packet.ackID == 42)
        #expect(packet.event?.name == "offer")
        #expect(packet.event?.payload["userId"] == "1")
    }

    @Test func namespaceWithoutComma() throws {
        let packet = try SocketIOPacket(parsing: "0/admin")
        #expect(packet.kind == .connect)
        #expect(packet.namespace == "/admin")
        #expect(packet.data == nil)
    }

    @Test func eventWithoutPayloadHasNull() throws {
        #expect(try SocketIOPacket(parsing: "2[\"roomUserList\"]").event?.payload == .null)
    }

    @Test func rejectsBadPackets() {
        #expect(throws: SocketIOPacket.ParseError.empty) { try SocketIOPacket(parsing: "") }
        #expect(throws: SocketIOPacket.ParseError.unknownType("9")) { try SocketIOPacket(parsing: "9") }
        #expect(throws: SocketIOPacket.ParseError.unknownType("x")) { try SocketIOPacket(parsing: "x[]") }
        #expect(throws: SocketIOPacket.ParseError.binaryUnsupported) {
            try SocketIOPacket(parsing: "51-[\"x\",{\"_placeholder\":true,\"num\":0}]")
        }
        #expect(throws: SocketIOPacket.ParseError.binaryUnsupported) { try SocketIOPacket(parsing: "61-0[]") }
        #expect(throws: SocketIOPacket.ParseError.badJSON) { try SocketIOPacket(parsing: "2[\"a\",oops]") }
        #expect(throws: SocketIOPacket.ParseError.badNamespace) { try SocketIOPacket(parsing: "2/admin[\"a\"]") }
        #expect(throws: SocketIOPacket.ParseError.eventWithoutName) { try SocketIOPacket(parsing: "2{\"a\":1}") }
        #expect(throws: SocketIOPacket.ParseError.eventWithoutName) { try SocketIOPacket(parsing: "2[1,2]") }
        #expect(throws: SocketIOPacket.ParseError.eventWithoutName) { try SocketIOPacket(parsing: "2[]") }
    }
}

@Suite("JSON values and typed payloads")
struct JSONPayloadTests {
    @Test func parsesAndPrintsCompactSortedJSON() throws {
        let value = try #require(JSONValue.parse("{\"b\":[1,2.5,true,null],\"a\":\"x/y\\\"z\"}"))
        #expect(value.jsonText == "{\"a\":\"x/y\\\"z\",\"b\":[1,2.5,true,null]}")
        #expect(JSONValue.parse(Substring(value.jsonText)) == value)
    }

    @Test func rejectsNonJSON() {
        #expect(JSONValue.parse("{oops") == nil)
        #expect(JSONValue.parse("") == nil)
        #expect(JSONValue.parse("[1,]") == nil)
    }

    @Test func identifiersMayBeNumbers() {
        #expect(JSONValue.number(1001).identifierValue == "1001")
        #expect(JSONValue.number(1.5).identifierValue == nil)
        #expect(JSONValue.string("1001").identifierValue == "1001")
        #expect(JSONValue.bool(true).identifierValue == nil)
    }

    @Test func envelopeRoundTrip() {
        let envelope = Envelope(type: "offer", msg: "offer from 1", status: 200, data: ["userId": "1", "targetUid": "2"])
        #expect(Envelope(envelope.json) == envelope)
        #expect(Envelope(["msg": "no type"]) == nil)
    }

    @Test func roomUserFromLooseJSON() {
        let user = RoomUser(["userId": 7, "roomId": 10012, "nickname": "Ann"])
        #expect(user == RoomUser(userId: "7", roomId: "10012", nickname: "Ann", pub: nil))
        #expect(RoomUser(["roomId": "r"]) == nil)
        #expect(user?.json["pub"] == .null)
    }

    @Test func sessionDescriptionAndCandidate() {
        let offer = SessionDescription(type: .offer, sdp: "v=0\r\n")
        #expect(SessionDescription(offer.json) == offer)
        #expect(SessionDescription(["type": "nonsense", "sdp": ""]) == nil)
        let candidate = IceCandidateInit(candidate: "candidate:1 1 udp 1 1.2.3.4 5 typ host", sdpMid: "0", sdpMLineIndex: 0)
        #expect(IceCandidateInit(candidate.json) == candidate)
        #expect(IceCandidateInit(["sdpMid": "0"]) == nil)
    }

    @Test func relayKinds() {
        #expect(RelayKind.allCases.filter(\.isSeedEvent).map(\.rawValue) == ["call", "offer", "answer", "candidate"])
        #expect(RelayKind(rawValue: "hangup") == .hangup)
    }
}
