import Signaling

/// The JSON object headless mode prints for an update, one per line; the
/// vocabulary is documented in the README and only ever extended.
extension CallUpdate {
    public var headlessJSON: JSONValue? {
        switch self {
        case .state(let state):
            var fields: [String: JSONValue] = ["event": "state", "state": .string(state.name)]
            if let peer = state.peer { fields["peer"] = .string(peer) }
            switch state {
            case .connecting(_, let role), .inCall(_, let role): fields["role"] = .string(role.rawValue)
            case .ended(let peer, let reason): fields["reason"] = .string(reason.sentence(peer: peer))
            default: break
            }
            return .object(fields)
        case .users(let users):
            return ["event": "users", "users": .array(users.map { ["userId": .string($0.userId), "nickname": .string($0.nickname)] })]
        case .signaling(let status):
            switch status {
            case .connected:
                return ["event": "signaling", "status": "connected"]
            case .reconnecting(let attempt, let delay, let reason):
                let ms = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
                return ["event": "signaling", "status": "reconnecting", "attempt": .number(Double(attempt)),
                        "delayMs": .number(Double(ms)), "reason": .string(reason)]
            case .stopped(let reason):
                return ["event": "signaling", "status": "stopped", "reason": .string(reason)]
            }
        case .incoming(let from):
            return ["event": "incoming", "from": .string(from)]
        case .bell:
            return nil
        case .chat(let from, let text):
            return ["event": "chat", "from": .string(from), "text": .string(text)]
        case .stats(let stats):
            var fields: [String: JSONValue] = ["event": "stats", "connectionState": .string(stats.connectionState)]
            let optional: [(String, String?)] = [
                ("iceState", stats.iceState), ("localCandidateType", stats.localCandidateType),
                ("remoteCandidateType", stats.remoteCandidateType), ("dtlsState", stats.dtlsState),
                ("sctpState", stats.sctpState),
            ]
            for (name, value) in optional { if let value { fields[name] = .string(value) } }
            if let rtt = stats.roundTripTime { fields["roundTripTime"] = .number(rtt) }
            if let video = stats.video {
                let counts: [(String, Int?)] = [
                    ("framesSent", video.framesSent), ("bytesSent", video.bytesSent), ("framesDecoded", video.framesDecoded),
                    ("packetsReceived", video.packetsReceived), ("bytesReceived", video.bytesReceived),
                    ("framesLost", video.framesLost), ("pliCount", video.pliCount), ("pliReceived", video.pliReceived),
                    ("frameWidth", video.frameWidth), ("frameHeight", video.frameHeight),
                ]
                for (name, value) in counts { if let value { fields[name] = .number(Double(value)) } }
                let more: [(String, Int?)] = [
                    ("targetBitrate", video.targetBitrate.map { $0 * 1000 }), ("nackCount", video.nackCount),
                    ("nacksReceived", video.nacksReceived), ("retransmittedPacketsSent", video.retransmittedPacketsSent),
                    ("retransmittedPacketsReceived", video.retransmittedPacketsReceived), ("packetsLost", video.packetsLost),
                ]
                for (name, value) in more { if let value { fields[name] = .number(Double(value)) } }
                fields["videoSending"] = .bool(video.sending)
                if let source = video.source { fields["videoSource"] = .string(source) }
                if let jitter = video.jitter { fields["jitter"] = .number(jitter) }
                if let rtt = video.rtcpRoundTripTime { fields["rtcpRoundTripTime"] = .number(rtt) }
                fields["longestFrameGap"] = .number(video.longestFrameGap)
                fields["jitterBufferDelay"] = .number(video.jitterBufferDelay)
                fields["jitterBufferEmittedCount"] = .number(Double(video.jitterBufferEmittedCount))
                fields["keyFramesEncoded"] = .number(Double(video.keyFramesEncoded))
                if let wait = video.reassemblyWait { fields["reassemblyWait"] = .number(wait) }
            }
            if let audio = stats.audio {
                fields["audio"] = [
                    "muted": .bool(audio.muted), "packetsSent": .number(Double(audio.packetsSent)),
                    "packetsReceived": .number(Double(audio.packetsReceived)),
                    "framesPlayed": .number(Double(audio.framesPlayed)),
                    "concealedFrames": .number(Double(audio.concealedFrames)),
                    "audioLevel": audio.remoteAudioLevel.map { .number(Double($0)) } ?? .null,
                    "speaking": .bool(audio.remoteSpeaking),
                    "packetsDiscarded": .number(Double(audio.packetsDiscarded)),
                    "packetsDroppedToCatchUp": .number(Double(audio.packetsDroppedToCatchUp)),
                    "captureStartedAt": audio.captureStartedAt.map { .number($0) } ?? .null,
                    "playbackStartedAt": audio.playbackStartedAt.map { .number($0) } ?? .null,
                    "clockResyncs": .number(Double(audio.clockResyncs)),
                ]
            }
            return .object(fields)
        case .localVideo(let enabled):
            return ["event": "video", "sending": .bool(enabled)]
        case .localAudio(let muted):
            return ["event": "audio", "muted": .bool(muted)]
        case .connectionInterrupted(let interrupted):
            return ["event": "connection", "interrupted": .bool(interrupted)]
        case .notice(let text):
            return ["event": "notice", "message": .string(text)]
        case .error(let text):
            return ["event": "error", "message": .string(text)]
        case .finished:
            return nil
        }
    }
}
