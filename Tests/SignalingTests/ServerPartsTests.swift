import Foundation
import Testing

@testable import Signaling

@Suite("Handshake query")
struct HandshakeRequestTests {
    @Test func readsIdentityFromQuery() throws {
        let result = HandshakeRequest.parse(
            target: "/socket.io/?EIO=4&transport=websocket&userId=1001&roomId=10012&nickname=Ann+L%C3%A9e&pub=k")
        let request = try result.get()
        #expect(request.user == RoomUser(userId: "1001", roomId: "10012", nickname: "Ann Lée", pub: "k"))
    }

    @Test func nicknameDefaultsToUserId() throws {
        let request = try HandshakeRequest.parse(target: "/socket.io?EIO=4&transport=websocket&userId=u&roomId=r").get()
        #expect(request.user.nickname == "u")
        #expect(request.user.pub == nil)
    }

    @Test(arguments: [
        ("/socket.io/?EIO=3&transport=websocket&userId=u&roomId=r", 5),
        ("/socket.io/?transport=websocket&userId=u&roomId=r", 5),
        ("/socket.io/?EIO=4&transport=polling&userId=u&roomId=r", 0),
        ("/socket.io/?EIO=4&transport=websocket&roomId=r", 3),
        ("/socket.io/?EIO=4&transport=websocket&userId=u", 3),
        ("/socket.io/?EIO=4&transport=websocket&userId=u&roomId=%zz", 3),
        ("/other/?EIO=4&transport=websocket&userId=u&roomId=r", 3),
    ])
    func rejects(target: String, code: Int) {
        guard case .failure(let rejection) = HandshakeRequest.parse(target: target) else {
            Issue.record("accepted \(target)")
            return
        }
        #expect(rejection.code == code)
        #expect(!rejection.message.isEmpty)
    }

    @Test func rejectsOverlongValues() {
        let long = String(repeating: "x", count: 200)
        #expect(throws: HandshakeRequest.Rejection.self) {
            try HandshakeRequest.parse(target: "/socket.io/?EIO=4&transport=websocket&userId=\(long)&roomId=r").get()
        }
    }
}

@Suite("Room registry")
struct InMemoryRoomRegistryTests {
    let a = RoomUser(userId: "a", roomId: "r", nickname: "A")
    let b = RoomUser(userId: "b", roomId: "r", nickname: "B")
    let c = RoomUser(userId: "c", roomId: "r", nickname: "C")

    func id(_ n: UInt64) -> ConnectionID { ConnectionID(rawValue: n) }

    @Test func joinListLookupLeave() async {
        let registry = InMemoryRoomRegistry(maxUsersPerRoom: 4, maxRooms: 4)
        #expect(await registry.join(a, connection: id(1)) == .joined(replaced: nil))
        #expect(await registry.join(b, connection: id(2)) == .joined(replaced: nil))
        #expect(await registry.users(in: "r").map(\.user.userId) == ["a", "b"])
        #expect(await registry.lookup(userId: "b", in: "r")?.connection == id(2))
        #expect(await registry.lookup(userId: "b", in: "other") == nil)
        #expect(await registry.leave(userId: "a", roomId: "r", connection: id(1)))
        #expect(await !registry.leave(userId: "a", roomId: "r", connection: id(1)))
        #expect(await registry.leave(userId: "b", roomId: "r", connection: id(2)))
        #expect(await registry.roomCount == 0)
    }

    @Test func sameUserReplacesAndOldLeaveIsIgnored() async {
        let registry = InMemoryRoomRegistry(maxUsersPerRoom: 1, maxRooms: 4)
        #expect(await registry.join(a, connection: id(1)) == .joined(replaced: nil))
        // A full room still takes the same user back: it replaces, it does not add.
        #expect(await registry.join(a, connection: id(2)) == .joined(replaced: id(1)))
        #expect(await !registry.leave(userId: "a", roomId: "r", connection: id(1)))
        #expect(await registry.lookup(userId: "a", in: "r")?.connection == id(2))
    }

    @Test func limits() async {
        let registry = InMemoryRoomRegistry(maxUsersPerRoom: 2, maxRooms: 1)
        _ = await registry.join(a, connection: id(1))
        _ = await registry.join(b, connection: id(2))
        #expect(await registry.join(c, connection: id(3)) == .roomFull(limit: 2))
        #expect(
            await registry.join(RoomUser(userId: "d", roomId: "r2", nickname: "D"), connection: id(4))
                == .tooManyRooms(limit: 1))
        #expect(await registry.users(in: "r").count == 2)
    }
}

@Suite("Static assets")
struct StaticAssetsTests {
    func makeFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("assets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("<p>index</p>".utf8).write(to: folder.appendingPathComponent("index.html"))
        try Data("<p>demo</p>".utf8).write(to: folder.appendingPathComponent("demo03-one2one.html"))
        try Data("secret".utf8).write(to: folder.appendingPathComponent(".hidden.html"))
        return folder.path
    }

    @Test func servesIndexAndNamedPages() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let assets = StaticAssets(directory: folder)
        #expect(assets.file(forPath: "/")?.lastPathComponent == "index.html")
        #expect(assets.file(forPath: "/demo03-one2one")?.lastPathComponent == "demo03-one2one.html")
        #expect(assets.file(forPath: "/demo03-one2one.html")?.lastPathComponent == "demo03-one2one.html")
        #expect(assets.file(forPath: "/missing") == nil)
    }

    @Test func servesScriptsAndStyleSheetsWithTheirContentTypes() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("export {}".utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("call-page.js"))
        try Data("body {}".utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("call-page.css"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("notes.txt"))
        let assets = StaticAssets(directory: folder)
        #expect(assets.asset(forPath: "/call-page.js")?.contentType == "text/javascript; charset=utf-8")
        #expect(assets.asset(forPath: "/call-page.js")?.url.lastPathComponent == "call-page.js")
        #expect(assets.asset(forPath: "/call-page.css")?.contentType == "text/css; charset=utf-8")
        #expect(assets.asset(forPath: "/demo03-one2one")?.contentType == "text/html; charset=utf-8")
        #expect(assets.asset(forPath: "/")?.contentType == "text/html; charset=utf-8")
        // Files of other kinds are not served even when they exist, nor are missing scripts.
        #expect(assets.asset(forPath: "/notes.txt") == nil)
        #expect(assets.asset(forPath: "/missing.js") == nil)
        #expect(assets.asset(forPath: "/call-page.js.js") == nil)
    }

    @Test(arguments: [
        "/../etc/passwd", "/..", "/.hidden", "/a/b", "/%2e%2e", "/index.html/..", "//etc/passwd",
        "/.js", "/..js", "/.hidden.html", "/a/b.js", "/call-page.JS",
    ])
    func refusesTraversal(_ path: String) throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(StaticAssets(directory: folder).file(forPath: path) == nil)
    }

    @Test func noFolderServesNothing() {
        #expect(StaticAssets(directory: nil).file(forPath: "/") == nil)
    }

    @Test func locatorWalksUpFromTheExecutable() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("repo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("assets/web"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(".build/debug"), withIntermediateDirectories: true)
        let found = SignalingServerConfiguration.locateAssetsDirectory(
            currentDirectory: "/", executablePath: root.appendingPathComponent(".build/debug/call").path)
        #expect(found.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            == root.appendingPathComponent("assets/web").resolvingSymlinksInPath().path)
    }
}

@Suite("Client connection queue")
struct ClientConnectionTests {
    @Test func unreadBytesOverTheBoundDropTheClient() async {
        let connection = ClientConnection(
            id: ConnectionID(rawValue: 1), user: RoomUser(userId: "u", roomId: "r", nickname: "u"), socketID: "s",
            maxQueuedBytes: 100)
        #expect(connection.send(String(repeating: "x", count: 60)))
        #expect(!connection.send(String(repeating: "y", count: 60)))
        #expect(connection.isClosing)
        #expect(!connection.send("z"))
        var reasons: [String] = []
        for await reason in connection.aborts { reasons.append(reason) }
        #expect(reasons.count == 1)
        var frames = 0
        for await _ in connection.frames { frames += 1 }
        #expect(frames == 1)
    }

    @Test func writtenBytesFreeTheQueue() {
        let connection = ClientConnection(
            id: ConnectionID(rawValue: 1), user: RoomUser(userId: "u", roomId: "r", nickname: "u"), socketID: "s",
            maxQueuedBytes: 100)
        let text = String(repeating: "x", count: 60)
        #expect(connection.send(text))
        connection.didWrite(text)
        #expect(connection.send(text))
    }

    @Test func oversizedFrameEventName() {
        #expect(ClientSession.eventName(inOversizedFrame: "42[\"offer\",{\"x\":1}]") == "offer")
        #expect(ClientSession.eventName(inOversizedFrame: "42{\"x\":1}") == nil)
        #expect(ClientSession.eventName(inOversizedFrame: "2") == nil)
    }
}
