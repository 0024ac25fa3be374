import SDP

/// What a remote offer or answer says about the one bundled transport: ICE
/// credentials and candidates, the DTLS fingerprint and setup role, and the data
/// channel's SCTP port and message limit. Read from the first m-line of the
/// BUNDLE group (RFC 9143 §7: the tagged m-line carries the transport).
struct RemoteTransportDescription: Sendable, Equatable {
    var iceUfrag: String
    var icePwd: String
    var fingerprint: Fingerprint
    var setup: DTLSSetup
    var candidates: [CandidateAttribute]
    var endOfCandidates: Bool
    /// nil when the remote has no data channel m-line (or rejected ours).
    var sctpPort: Int?
    var maxMessageSize: Int

    struct Invalid: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    init(_ document: SDPDocument) throws(Invalid) {
        let bundle = document.bundleGroups.first ?? []
        let live = document.media.filter { $0.mediaLine.port != 0 }
        guard let tagged = live.first(where: { bundle.contains($0.mid ?? "") }) ?? live.first else {
            throw Invalid(description: "the description has no accepted media")
        }
        guard let credentials = document.iceCredentials(of: tagged) else {
            throw Invalid(description: "the description has no a=ice-ufrag / a=ice-pwd")
        }
        // RFC 8122 §5: any of the fingerprints may match; we verify sha-256, which every WebRTC stack sends.
        let fingerprints = document.fingerprints(of: tagged)
        guard let fingerprint = fingerprints.first(where: { $0.algorithm.lowercased() == "sha-256" }) ?? fingerprints.first else {
            throw Invalid(description: "the description has no a=fingerprint")
        }
        iceUfrag = credentials.ufrag
        icePwd = credentials.pwd
        self.fingerprint = fingerprint
        // RFC 5763 §5: a missing a=setup in an offer means actpass, in an answer active.
        setup = document.setup(of: tagged) ?? .actpass
        // With BUNDLE every candidate belongs to the one transport, whichever m-line carries it.
        var seen = Set<CandidateAttribute>()
        candidates = live.flatMap(\.candidates).filter { seen.insert($0).inserted }
        endOfCandidates = live.contains { $0.hasEndOfCandidates }
        let data = live.first { $0.isDataChannel }
        sctpPort = data?.sctpPort
        maxMessageSize = data?.maxMessageSize ?? 65536
    }

    /// The DTLS role we play (RFC 5763 §5, INTEROP.md 2): as answerer we chose
    /// `active` and are the client; as offerer (we sent `actpass`) the answer's
    /// `active` makes us the server and its `passive` the client.
    func localDTLSRoleIsClient(weAreOfferer: Bool) throws(Invalid) -> Bool {
        guard weAreOfferer else {
            if setup == .active { throw Invalid(description: "the offer says a=setup:active; an offer must say actpass or passive") }
            return true
        }
        switch setup {
        case .active: return false
        case .passive: return true
        case .actpass, .holdconn: throw Invalid(description: "the answer says a=setup:\(setup.rawValue); it must pick active or passive")
        }
    }
}
