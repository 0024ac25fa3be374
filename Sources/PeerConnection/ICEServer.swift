import HostAddresses
import ICE

/// One `--ice-server`: a STUN server for server-reflexive candidates, or a TURN
/// server (UDP) with long-term credentials for relayed ones. The text form is the
/// command line's: `stun:HOST:PORT` or `turn:USER:PASS@HOST:PORT` (RFC 7064 and
/// RFC 7065 URIs, with the credentials inline because a command line has nowhere
/// else to put them). `?transport=tcp` reaches a TURN server over TCP (the relayed
/// side stays UDP); `turns:` (TLS) is refused.
public struct ICEServer: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case stun, turn }
    public enum Transport: String, Sendable { case udp, tcp }

    public var kind: Kind
    public var host: String
    public var port: UInt16
    public var username: String?
    public var password: String?
    public var transport: Transport

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(kind: Kind, host: String, port: UInt16 = 3478, username: String? = nil, password: String? = nil,
                transport: Transport = .udp) {
        self.kind = kind
        self.transport = transport
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    public init(parsing text: String) throws(ParseError) {
        func fail(_ why: String) -> ParseError {
            ParseError(description: "bad ICE server \"\(text)\": \(why); use stun:HOST:PORT or turn:USER:PASS@HOST:PORT")
        }
        guard let colon = text.firstIndex(of: ":") else { throw fail("no scheme") }
        let scheme = text[..<colon].lowercased()
        var rest = Substring(text[text.index(after: colon)...])
        switch scheme {
        case "stun": kind = .stun
        case "turn": kind = .turn
        case "turns", "stuns": throw fail("TLS to the server is not supported")
        default: throw fail("the scheme must be stun or turn")
        }
        transport = .udp
        if let query = rest.firstIndex(of: "?") {
            let parameters = rest[rest.index(after: query)...].lowercased()
            switch parameters {
            case "", "transport=udp": break
            case "transport=tcp" where kind == .turn: transport = .tcp
            default: throw fail("the transport must be udp, or tcp for TURN")
            }
            rest = rest[..<query]
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            guard kind == .turn else { throw fail("a STUN server takes no credentials") }
            guard let separator = credentials.firstIndex(of: ":"), separator != credentials.startIndex,
                  credentials.index(after: separator) != credentials.endIndex
            else { throw fail("credentials must be USER:PASS") }
            username = String(credentials[..<separator])
            password = String(credentials[credentials.index(after: separator)...])
            rest = rest[rest.index(after: at)...]
        } else {
            username = nil
            password = nil
            if kind == .turn { throw fail("a TURN server needs USER:PASS@") }
        }
        // HOST, HOST:PORT, [V6]:PORT
        let hostPart: Substring
        var portPart: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("unclosed [") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw fail("junk after ]") }
        } else if let portColon = rest.lastIndex(of: ":") {
            hostPart = rest[..<portColon]
            portPart = rest[rest.index(after: portColon)...]
        } else {
            hostPart = rest
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0.isWhitespace || $0 == "/" }) else { throw fail("no host") }
        host = String(hostPart)
        if let portPart {
            guard let value = UInt16(portPart), value > 0 else { throw fail("the port must be 1 to 65535") }
            port = value
        } else {
            port = 3478  // RFC 8489 §18.6
        }
    }

    /// The URL without the password, for logs and the screen.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        let query = transport == .tcp ? "?transport=tcp" : ""
        return kind == .turn ? "turn:\(username ?? "")@\(hostText):\(port)\(query)" : "stun:\(hostText):\(port)"
    }

    /// `--ice-server` values followed by those in `CALL_ICE_SERVERS` (space or comma separated).
    public static func parseList(_ values: [String], environment: [String: String]) throws(ParseError) -> [ICEServer] {
        let fromEnvironment = (environment["CALL_ICE_SERVERS"] ?? "")
            .split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
        var servers: [ICEServer] = []
        for value in values + fromEnvironment { servers.append(try ICEServer(parsing: value)) }
        return servers
    }
}

extension ICEServer {
    public struct ResolveError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The server's address: an IP literal as it is, a name through getaddrinfo
    /// (IPv4 first, as most TURN deployments listen there).
    public func resolve() async throws(ResolveError) -> TransportAddress {
        if let literal = IPAddress.parse(host) { return TransportAddress(address: literal, port: port) }
        let host = host
        let found = await Task.detached { HostNameLookup.addresses(of: host) }.value
        guard let address = found.first(where: { $0.count == 4 }) ?? found.first else {
            throw ResolveError(description: "cannot resolve ICE server host \(host); check --ice-server")
        }
        return TransportAddress(address: address, port: port)
    }
}
