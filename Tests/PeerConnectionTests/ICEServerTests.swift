import ICE
import PeerConnection
import Testing

@Suite struct ICEServerTests {
    @Test func stunAndTurnURLsParse() throws {
        #expect(try ICEServer(parsing: "stun:stun.example.org:19302")
            == ICEServer(kind: .stun, host: "stun.example.org", port: 19302))
        #expect(try ICEServer(parsing: "stun:127.0.0.1") == ICEServer(kind: .stun, host: "127.0.0.1", port: 3478))
        #expect(try ICEServer(parsing: "turn:u:p@127.0.0.1:3478")
            == ICEServer(kind: .turn, host: "127.0.0.1", port: 3478, username: "u", password: "p"))
        // A password may hold ':' and '@'; the last '@' ends the credentials.
        #expect(try ICEServer(parsing: "turn:alice:s3:cr@t@[::1]:5349?transport=udp")
            == ICEServer(kind: .turn, host: "::1", port: 5349, username: "alice", password: "s3:cr@t"))
        #expect(try ICEServer(parsing: "turn:u:p@127.0.0.1:3478?transport=tcp").transport == .tcp)
    }

    @Test(arguments: [
        ("stun:", "no host"),
        ("http://x", "the scheme must be stun or turn"),
        ("turns:u:p@x:5349", "TLS to the server is not supported"),
        ("turn:x:3478", "a TURN server needs USER:PASS@"),
        ("stun:u:p@x", "a STUN server takes no credentials"),
        ("turn:u@x", "credentials must be USER:PASS"),
        ("turn:u:p@x:3478?transport=sctp", "the transport must be udp, or tcp for TURN"),
        ("stun:x:3478?transport=tcp", "the transport must be udp, or tcp for TURN"),
        ("stun:x:99999", "the port must be 1 to 65535"),
        ("stun:[::1", "unclosed ["),
        ("x", "no scheme"),
    ])
    func badURLsSayWhatIsWrongAndWhatToUse(text: String, why: String) {
        #expect {
            try ICEServer(parsing: text)
        } throws: { error in
            let description = "\(error)"
            return description.contains(why) && description.contains("use stun:HOST:PORT or turn:USER:PASS@HOST:PORT")
        }
    }

    @Test func theEnvironmentAddsServersAfterTheFlags() throws {
        let servers = try ICEServer.parseList(["stun:a:1"], environment: ["CALL_ICE_SERVERS": "stun:b:2, turn:u:p@c:3"])
        #expect(servers.map(\.host) == ["a", "b", "c"])
        #expect(servers.map(\.description) == ["stun:a:1", "stun:b:2", "turn:u@c:3"])
    }

    @Test func literalsResolveWithoutALookup() async throws {
        let address = try await ICEServer(kind: .stun, host: "127.0.0.1", port: 9).resolve()
        #expect(address.address == [127, 0, 0, 1] && address.port == 9)
    }
}
