/// COOKIE ECHO (RFC 9260 §3.3.11): the state cookie from INIT ACK, echoed verbatim.
/// COOKIE ACK (§3.3.12) has no value.
struct CookieEchoChunk: Equatable, Sendable {
    var cookie: [UInt8]
}
