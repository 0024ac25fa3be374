import Logging
import NIOWebSocket
import Testing

@testable import Signaling

/// A client and server talking over real loopback sockets.
@Suite("Signaling server end to end")
struct ServerEndToEndTests {
    @Test func joinAndLeaveAreBroadcastToTheRoom() async throws {
        try await withTestServer { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1001", roomId: "r", nickname: "Ann")
            let b = try await TestSocketClient.joined(port: server.port, userId: "1002", roomId: "r", nickname: "Bob")
            let joinSeenByA = try await a.nextEnvelope()
            #expect(joinSeenByA == Envelope(
                type: "join", msg: "1002 join then room", status: 200, data: ["userId": "1002", "nickname": "Bob"]))
            await b.close()
            let leave = try await a.nextEnvelope()
            #expect(leave == Envelope(
                type: "leave", msg: "1002 leave then room", status: 200, data: ["userId": "1002", "nickname": "Bob"]))
            await a.close()
        }
    }

    @Test func roomUserListListsTheSendersRoomOnly() async throws {
        try await withTestServer { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r", nickname: "Ann")
            let b = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            _ = try await TestSocketClient.joined(port: server.port, userId: "3", roomId: "elsewhere")
            _ = try await a.nextEnvelope()  // b's join
            await a.emit("roomUserList", ["roomId": "r"])
            let list = try await a.nextEvent()
            #expect(list.name == "roomUserList")
            #expect(list.payload == [
                ["userId": "1", "roomId": "r", "nickname": "Ann", "pub": nil],
                ["userId": "2", "roomId": "r", "nickname": "2", "pub": nil],
            ])
            await a.emit("roomUserList", ["roomId": "elsewhere"])
            let refusal = try await a.nextEnvelope()
            #expect(refusal.type == "error")
            #expect(refusal.status == 403)
            #expect(refusal.data["event"] == "roomUserList")
            try await b.expectSilence()
        }
    }

    @Test(arguments: RelayKind.allCases)
    func relaysPeerEventsToTheTarget(kind: RelayKind) async throws {
        try await withTestServer { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let b = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            _ = try await a.nextEnvelope()  // b's join
            let payload: JSONValue = [
                "userId": "1", "targetUid": "2",
                "offer": ["type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"],
                "candidate": ["candidate": "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host", "sdpMid": "0",
                    "sdpMLineIndex": 0],
            ]
            await a.emit(kind.rawValue, payload)
            let envelope = try await b.nextEnvelope()
            #expect(envelope.type == kind.rawValue)
            #expect(envelope.status == 200)
            #expect(envelope.data == payload)
            #expect(!envelope.msg.isEmpty)
            try await a.expectSilence()
        }
    }

    @Test func msgIsBroadcastRawToTheSendersRoomIncludingTheSender() async throws {
        try await withTestServer { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let b = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            let other = try await TestSocketClient.joined(port: server.port, userId: "3", roomId: "s")
            _ = try await a.nextEnvelope()
            await a.emit("msg", ["text": "hello", "n": 1])
            for client in [a, b] {
                let event = try await client.nextEvent()
                #expect(event.name == "msg")
                #expect(event.payload == ["text": "hello", "n": 1])
            }
            try await other.expectSilence()
        }
    }

    /// Each bad event gets an `error` envelope back, and the server keeps serving.
    @Test(arguments: [
        BadEvent(event: "call", payload: ["userId": "1", "targetUid": "404"], status: 404, targetUid: "404"),
        BadEvent(event: "offer", payload: ["userId": "1", "targetUid": "3"], status: 404, targetUid: "3"),
        BadEvent(event: "answer", payload: "just text", status: 400, targetUid: nil),
        BadEvent(event: "candidate", payload: ["userId": "1"], status: 400, targetUid: nil),
        BadEvent(event: "hangup", payload: ["targetUid": "2"], status: 400, targetUid: "2"),
        BadEvent(event: "offer", payload: ["userId": "2", "targetUid": "2"], status: 403, targetUid: "2"),
        BadEvent(event: "dance", payload: ["userId": "1"], status: 400, targetUid: nil),
    ])
    func badEventsGetErrorEnvelopes(_ bad: BadEvent) async throws {
        try await withTestServer { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let b = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            // User 3 exists, but in another room: for user 1 it must look absent.
            let c = try await TestSocketClient.joined(port: server.port, userId: "3", roomId: "s")
            _ = try await a.nextEnvelope()
            await a.emit(bad.event, bad.payload)
            let error = try await a.nextEnvelope()
            #expect(error.type == "error")
            #expect(error.status == bad.status)
            #expect(error.data["event"]?.stringValue == bad.event)
            #expect(error.data["targetUid"]?.stringValue == bad.targetUid)
            #expect(error.msg.hasSuffix("."))
            try await b.expectSilence(for: .milliseconds(50))
            try await c.expectSilence(for: .milliseconds(50))
            try await expectRelayWorks(from: a, to: b)
        }
    }

    struct BadEvent: Sendable, CustomTestStringConvertible {
        var event: String
        var payload: JSONValue
        var status: Int
        var targetUid: String?
        var testDescription: String { "\(event) \(payload.jsonText) → \(status)" }
    }

    @Test func oversizedEventsGet413AndHugeFramesCloseTheClient() async throws {
        try await withTestServer({ $0.maxFrameBytes = 4096 }) { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let b = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            _ = try await a.nextEnvelope()
            let big = String(repeating: "x", count: 5000)
            await a.emit("offer", ["userId": "1", "targetUid": "2", "offer": ["type": "offer", "sdp": .string(big)]])
            let error = try await a.nextEnvelope()
            #expect(error.status == 413)
            #expect(error.data["event"] == "offer")
            try await b.expectSilence(for: .milliseconds(50))
            try await expectRelayWorks(from: a, to: b)

            let huge = String(repeating: "x", count: 9000)
            await a.emit("offer", ["userId": "1", "targetUid": "2", "sdp": .string(huge)])
            // Past twice the limit NIO's frame decoder refuses the frame itself: code 1009, no reason text.
            let close = try await a.closeFrame()
            #expect(close.code == .messageTooLarge)
            #expect(try await b.nextEnvelope().type == "leave")
            try await expectServerStillServes(port: server.port)
        }
    }

    @Test(arguments: [
        MalformedFrame(frame: .text("9"), code: .policyViolation),
        MalformedFrame(frame: .text(""), code: .policyViolation),
        MalformedFrame(frame: .text("42[\"offer\",{oops}]"), code: .policyViolation),
        MalformedFrame(frame: .text("4x"), code: .policyViolation),
        MalformedFrame(frame: .text("42{\"no\":\"name\"}"), code: .policyViolation),
        MalformedFrame(frame: .text("451-[\"offer\",{\"_placeholder\":true,\"num\":0}]"), code: .policyViolation),
        MalformedFrame(frame: .text("0{}"), code: .policyViolation),
        MalformedFrame(frame: .binary([4, 1, 2, 3]), code: .unacceptableData),
    ])
    func malformedFramesCloseOnlyThatClient(_ malformed: MalformedFrame) async throws {
        try await withTestServer { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let b = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            _ = try await a.nextEnvelope()
            switch malformed.frame {
            case .text(let text): await a.send(text)
            case .binary(let bytes): await a.sendBinary(bytes)
            }
            let close = try await a.closeFrame()
            #expect(close.code == malformed.code)
            #expect(close.reason?.isEmpty == false)
            let leave = try await b.nextEnvelope()
            #expect(leave.type == "leave")
            #expect(leave.data["userId"] == "1")
            try await expectServerStillServes(port: server.port)
            #expect(server.state.counters.snapshot.protocolViolations == 1)
        }
    }

    struct MalformedFrame: Sendable, CustomTestStringConvertible {
        enum Frame: Sendable {
            case text(String)
            case binary([UInt8])
        }
        var frame: Frame
        var code: WebSocketErrorCode
        var testDescription: String { "\(frame)" }
    }

    @Test func anEventBeforeTheSocketIOConnectClosesTheClient() async throws {
        try await withTestServer { server in
            let early = await TestSocketClient.open(port: server.port, query: TestSocketClient.query(userId: "1", roomId: "r"))
            _ = try await early.nextText()
            await early.emit("call", ["userId": "1", "targetUid": "2"])
            let close = try await early.closeFrame()
            #expect(close.code == .policyViolation)
            #expect(close.reason == "Socket.IO event before the Socket.IO connect")
            try await expectServerStillServes(port: server.port)
        }
    }

    @Test func otherNamespacesGetConnectError() async throws {
        try await withTestServer { server in
            let a = await TestSocketClient.open(port: server.port, query: TestSocketClient.query(userId: "1", roomId: "r"))
            let open = try await a.nextText()
            #expect(open.hasPrefix("0{"))
            await a.send("40/admin,")
            let refusal = try await a.nextText()
            #expect(refusal == "44/admin,{\"message\":\"Invalid namespace\"}")
            await a.send("40")
            let connected = try await a.nextText()
            #expect(connected.hasPrefix("40{\"sid\":"))
            let join = try await a.nextEnvelope()
            #expect(join.type == "join")
        }
    }

    @Test func aSecondConnectionOfTheSameUserReplacesTheFirst() async throws {
        try await withTestServer { server in
            let first = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let b = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            _ = try await first.nextEnvelope()
            let second = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")

            let told = try await first.nextEnvelope()
            #expect(told.type == "error")
            #expect(told.status == 409)
            #expect(told.msg == "replaced by a new connection for user 1")
            #expect(try await first.nextText() == "41")
            _ = try await first.closeFrame()

            // b sees the new join and no leave.
            let join = try await b.nextEnvelope()
            #expect(join.type == "join")
            #expect(join.data["userId"] == "1")
            try await b.expectSilence(for: .milliseconds(200))

            await b.emit("roomUserList", ["roomId": "r"])
            let list = try await b.nextEvent()
            #expect(list.payload.arrayCount == 2)
            try await expectRelayWorks(from: b, to: second, fromUser: "2", toUser: "1")
        }
    }

    @Test func aClientThatDoesNotPongIsDroppedAndItsLeaveBroadcast() async throws {
        try await withTestServer({
            // Deadlines long enough for a CI machine whose cores are busy with every other
            // suite starting at once (seen: a connect packet processed 5 s late): the live
            // client is never dropped, and the silent one's connect is in before it times out.
            $0.pingInterval = .milliseconds(200)
            $0.pingTimeout = .seconds(15)
        }) { server in
            let alive = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let silent = await TestSocketClient.open(
                port: server.port, query: TestSocketClient.query(userId: "2", roomId: "r"), answersPings: false)
            _ = try await silent.nextText()
            await silent.send("40")
            _ = try await alive.nextEnvelope()  // silent's join
            let leave = try await alive.nextEnvelope(timeout: .seconds(45))
            #expect(leave.type == "leave")
            #expect(leave.data["userId"] == "2")
            let close = try await silent.closeFrame(timeout: .seconds(30))
            #expect(close.reason == "ping timeout")
            #expect(await silent.pingsSeen >= 1)
            // The client that answers pings is still there after several intervals.
            #expect(await alive.pingsSeen >= 2)
            #expect(await !alive.closed)
            #expect(server.state.counters.snapshot.pingTimeouts == 1)
        }
    }

    @Test func aClientThatNeverConnectsSocketIOIsDropped() async throws {
        try await withTestServer({
            $0.pingInterval = .milliseconds(300)
            $0.pingTimeout = .milliseconds(100)
        }) { server in
            let idle = await TestSocketClient.open(port: server.port, query: TestSocketClient.query(userId: "1", roomId: "r"))
            _ = try await idle.nextText()
            let close = try await idle.closeFrame()
            #expect(close.code == .policyViolation)
        }
    }

    @Test func aConnectSlowerThanOnePingIntervalIsStillAccepted() async throws {
        try await withTestServer({
            $0.pingInterval = .milliseconds(100)
            $0.pingTimeout = .seconds(10)
        }) { server in
            let slow = await TestSocketClient.open(port: server.port, query: TestSocketClient.query(userId: "1", roomId: "r"))
            _ = try await slow.nextText()
            try await Task.sleep(for: .milliseconds(400))
            await slow.send("40")
            #expect(try await slow.nextText().hasPrefix("40"))
            #expect(await !slow.closed)
        }
    }

    @Test func theUserAfterTheRoomLimitIsRefusedWith503() async throws {
        try await withTestServer({ $0.maxUsersPerRoom = 2 }) { server in
            let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            _ = try await TestSocketClient.joined(port: server.port, userId: "2", roomId: "r")
            _ = try await a.nextEnvelope()
            let third = await TestSocketClient.open(port: server.port, query: TestSocketClient.query(userId: "3", roomId: "r"))
            _ = try await third.nextText()
            await third.send("40")
            #expect(try await third.nextText().hasPrefix("40"))
            let refusal = try await third.nextEnvelope()
            #expect(refusal.type == "error")
            #expect(refusal.status == 503)
            _ = try await third.closeFrame()
            try await a.expectSilence()  // no join, no leave for the refused one
            // Another room is fine.
            _ = try await TestSocketClient.joined(port: server.port, userId: "3", roomId: "other")
        }
    }

    @Test func roomsAreLimited() async throws {
        try await withTestServer({ $0.maxRooms = 1 }) { server in
            _ = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let refused = await TestSocketClient.open(port: server.port, query: TestSocketClient.query(userId: "2", roomId: "s"))
            _ = try await refused.nextText()
            await refused.send("40")
            _ = try await refused.nextText()
            #expect(try await refused.nextEnvelope().status == 503)
            _ = try await refused.closeFrame()
        }
    }

    @Test func connectionsAreLimited() async throws {
        try await withTestServer({ $0.maxConnections = 1 }) { server in
            _ = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
            let refused = await TestSocketClient.open(port: server.port, query: TestSocketClient.query(userId: "2", roomId: "r"))
            guard case .failed = try await refused.next() else {
                Issue.record("the connection over the limit was upgraded")
                return
            }
            #expect(server.state.counters.snapshot.refusedConnections == 1)
        }
    }

    @Test(arguments: [
        "EIO=3&transport=websocket&userId=1&roomId=r", "EIO=4&transport=polling&userId=1&roomId=r",
        "EIO=4&transport=websocket&roomId=r",
    ])
    func badHandshakesAreRefusedBeforeTheUpgrade(query: String) async throws {
        try await withTestServer { server in
            let client = await TestSocketClient.open(port: server.port, query: query)
            guard case .failed = try await client.next() else {
                Issue.record("upgrade accepted for \(query)")
                return
            }
            try await expectServerStillServes(port: server.port)
        }
    }

    @Test func aTakenPortIsReportedClearly() async throws {
        try await withTestServer { server in
            var configuration = SignalingServerConfiguration()
            configuration.port = server.port
            await #expect(throws: SignalingServerError.portInUse(host: "127.0.0.1", port: server.port)) {
                _ = try await SignalingServer.start(configuration, logger: Logger(label: "test"))
            }
        }
    }

    @Test func stopClosesClientsAndFreesThePort() async throws {
        var configuration = SignalingServerConfiguration()
        configuration.port = 0
        let server = try await SignalingServer.start(configuration, logger: Logger(label: "test"))
        let a = try await TestSocketClient.joined(port: server.port, userId: "1", roomId: "r")
        await server.stop()
        let close = try await a.closeFrame()
        #expect(close.code == .goingAway)
        configuration.port = server.port
        let again = try await SignalingServer.start(configuration, logger: Logger(label: "test"))
        await again.stop()
        await server.stop()  // a second stop is harmless
    }

    // MARK: helpers

    private func expectRelayWorks(
        from a: TestSocketClient, to b: TestSocketClient, fromUser: String = "1", toUser: String = "2"
    ) async throws {
        await a.emit("call", ["userId": .string(fromUser), "targetUid": .string(toUser)])
        let envelope = try await b.nextEnvelope()
        #expect(envelope.type == "call")
        #expect(envelope.data["userId"]?.stringValue == fromUser)
    }

    private func expectServerStillServes(port: Int) async throws {
        let x = try await TestSocketClient.joined(port: port, userId: "x", roomId: "fresh")
        let y = try await TestSocketClient.joined(port: port, userId: "y", roomId: "fresh")
        _ = try await x.nextEnvelope()
        try await expectRelayWorks(from: x, to: y, fromUser: "x", toUser: "y")
    }
}

extension JSONValue {
    var arrayCount: Int? {
        if case .array(let items) = self { return items.count }
        return nil
    }
}
