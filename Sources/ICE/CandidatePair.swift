import SDP

/// A local and a remote candidate that may be checked together (RFC 8445 §6.1.2).
public struct CandidatePair: Sendable, Hashable {
    /// RFC 8445 §6.1.2.6.
    public enum State: Sendable, Hashable { case frozen, waiting, inProgress, succeeded, failed }

    public var local: ICECandidate
    public var remote: ICECandidate
    public var state: State = .frozen
    public var nominated = false

    public init(local: ICECandidate, remote: ICECandidate) {
        self.local = local
        self.remote = remote
    }

    /// The pair's foundation: both candidates' foundations together.
    public var foundation: String { local.foundation + ":" + remote.foundation }

    /// RFC 8445 §6.1.2.3: 2^32·MIN(G,D) + 2·MAX(G,D) + (G>D ? 1 : 0), G the controlling side's priority.
    public func priority(weAreControlling: Bool) -> UInt64 {
        let g = UInt64(weAreControlling ? local.priority : remote.priority)
        let d = UInt64(weAreControlling ? remote.priority : local.priority)
        return (min(g, d) << 32) + 2 * max(g, d) + (g > d ? 1 : 0)
    }
}

/// Forms and orders the check list (RFC 8445 §6.1.2): pair, replace reflexive
/// locals by their base, prune duplicates, sort, cap, and set initial states.
public enum CheckListBuilder {
    /// RFC 8445 §6.1.2.5 suggests a limit; 100 is the recommended value.
    public static let maximumPairs = 100

    public static func pairs(locals: [ICECandidate], remotes: [ICECandidate], weAreControlling: Bool) -> [CandidatePair] {
        var pairs: [CandidatePair] = []
        for local in locals {
            // §6.1.2.4: a server-reflexive local is checked from its base, so it pairs as the host.
            var sendingFrom = local
            if local.kind == .srflx {
                sendingFrom = locals.first { $0.kind == .host && $0.address == local.base } ?? local
            }
            for remote in remotes where remote.component == sendingFrom.component
                && remote.address.family == sendingFrom.address.family
            {
                pairs.append(CandidatePair(local: sendingFrom, remote: remote))
            }
        }
        pairs.sort { $0.priority(weAreControlling: weAreControlling) > $1.priority(weAreControlling: weAreControlling) }
        // §6.1.2.4: of pairs with the same local base and remote address, keep the highest.
        var seen = Set<[UInt8]>()
        pairs = pairs.filter { pair in
            let key = pair.local.base.address + [UInt8(pair.local.base.port >> 8), UInt8(pair.local.base.port & 0xFF)]
                + pair.remote.address.address + [UInt8(pair.remote.address.port >> 8), UInt8(pair.remote.address.port & 0xFF)]
            return seen.insert(key).inserted
        }
        pairs = Array(pairs.prefix(maximumPairs))
        // §6.1.2.6: per foundation, the first pair (highest priority) starts Waiting; the rest stay Frozen.
        var unfrozen = Set<String>()
        for i in pairs.indices where unfrozen.insert(pairs[i].foundation).inserted {
            pairs[i].state = .waiting
        }
        return pairs
    }
}
