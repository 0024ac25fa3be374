import Signaling

/// How the signaling link is doing, for the status line.
public enum SignalingStatus: Sendable, Equatable {
    case connected
    case reconnecting(attempt: Int, delay: Duration, reason: String)
    case stopped(reason: String)
}

/// What the call session tells its front end (the ncurses screen or headless JSON lines).
public enum CallUpdate: Sendable, Equatable {
    case state(CallState)
    /// The other users in the room (not us).
    case users([RoomUser])
    case signaling(SignalingStatus)
    case incoming(from: String)
    case bell
    case chat(from: String, text: String)
    /// The answer to `stats`: the call's connection as W3C getStats names it.
    case stats(CallStats)
    /// Whether we send video (`v`); the preview says "video off" when not.
    case localVideo(enabled: Bool)
    /// Whether our microphone is muted (`m`).
    case localAudio(muted: Bool)
    /// The media path to the peer stopped answering (true) or came back
    /// (false) during a call; the video pane says "reconnecting" meanwhile.
    case connectionInterrupted(Bool)
    /// Something the user should read: a refusal from the server, a feature not built yet.
    case notice(String)
    case error(String)
    /// The session is over (quit, or signaling stopped for good outside a call).
    case finished
}

/// What `stats` reports, with W3C getStats names where one exists.
public struct CallStats: Sendable, Equatable {
    /// RTCPeerConnectionState, or "none" outside a call.
    public var connectionState: String
    public var iceState: String?
    /// RTCIceCandidateType of the selected pair's ends.
    public var localCandidateType: String?
    public var remoteCandidateType: String?
    /// Seconds, from the latest ICE check or consent round trip.
    public var roundTripTime: Double?
    public var dtlsState: String?
    public var sctpState: String?
    public var video: Video?
    public var audio: Audio?

    public struct Audio: Sendable, Equatable {
        public var muted: Bool
        public var packetsSent: Int
        public var packetsReceived: Int
        public var framesPlayed: Int
        /// Frames filled by FEC or packet loss concealment.
        public var concealedFrames: Int
        /// RFC 6464 level of the peer in -dBov (0 loudest, 127 silent).
        public var remoteAudioLevel: UInt8?
        public var remoteSpeaking: Bool
        /// Packets dropped before playout: not RTP, another SSRC, late, duplicate or out of
        /// sequence (jitter buffer), or refused by the decoder.
        public var packetsDiscarded: Int = 0
        /// Packets of late bursts skipped to keep the latency from growing.
        public var packetsDroppedToCatchUp: Int = 0
        /// Seconds on CLOCK_MONOTONIC of the first sample captured and the first played;
        /// `clockResyncs` counts pacing restarts that break sample-to-time mapping.
        public var captureStartedAt: Double?
        public var playbackStartedAt: Double?
        public var clockResyncs: Int = 0
    }

    /// Video counters, named as RTCInboundRtpStreamStats / RTCOutboundRtpStreamStats name them.
    public struct Video: Sendable, Equatable {
        public var framesSent: Int
        public var bytesSent: Int
        public var framesDecoded: Int
        public var packetsReceived: Int
        public var bytesReceived: Int
        public var framesLost: Int
        /// PLIs we sent, and those the peer sent us (`pliCount` is the inbound name).
        public var pliCount: Int
        public var pliReceived: Int
        public var frameWidth: Int?
        public var frameHeight: Int?
        public var sending = true
        public var source: String?
        public var targetBitrate: Int?
        public var nackCount: Int = 0
        public var nacksReceived: Int = 0
        public var retransmittedPacketsSent: Int = 0
        public var retransmittedPacketsReceived: Int = 0
        /// Seconds.
        public var jitter: Double?
        public var packetsLost: Int?
        /// From RTCP report blocks (RFC 3550 §6.4.1), seconds.
        public var rtcpRoundTripTime: Double?
        /// Seconds: the longest time between two decoded frames (the worst freeze).
        public var longestFrameGap: Double = 0
        /// Seconds summed over `jitterBufferEmittedCount` frames (W3C names).
        public var jitterBufferDelay: Double = 0
        public var jitterBufferEmittedCount = 0
        /// Seconds a missing packet is waited for, sized from jitter and RTT.
        public var reassemblyWait: Double?
        public var keyFramesEncoded = 0
    }

    public init(connectionState: String, iceState: String? = nil, localCandidateType: String? = nil,
                remoteCandidateType: String? = nil, roundTripTime: Double? = nil, dtlsState: String? = nil,
                sctpState: String? = nil) {
        self.connectionState = connectionState
        self.iceState = iceState
        self.localCandidateType = localCandidateType
        self.remoteCandidateType = remoteCandidateType
        self.roundTripTime = roundTripTime
        self.dtlsState = dtlsState
        self.sctpState = sctpState
    }

    /// One line for the screen's message line.
    public var summary: String {
        guard connectionState != "none" else { return "stats: no call" }
        var parts = ["connection \(connectionState)"]
        if let localCandidateType, let remoteCandidateType { parts.append("path \(localCandidateType)↔\(remoteCandidateType)") }
        if let roundTripTime { parts.append("rtt \(Int((roundTripTime * 1000).rounded())) ms") }
        if let dtlsState { parts.append("DTLS \(dtlsState)") }
        if let sctpState { parts.append("SCTP \(sctpState)") }
        if let audio {
            parts.append("audio \(audio.muted ? "muted" : "out \(audio.packetsSent)"), in \(audio.packetsReceived)"
                + (audio.remoteSpeaking ? " (speaking)" : ""))
        }
        if let video {
            var line = "video out \(video.sending ? "\(video.framesSent) frames" : "off")"
            if let kbps = video.targetBitrate, video.sending { line += " at \(kbps) kbit/s" }
            line += ", in \(video.framesDecoded) decoded"
            if let lost = video.packetsLost, lost > 0 { line += " (\(lost) lost, \(video.nackCount) NACKs)" }
            if let width = video.frameWidth, let height = video.frameHeight { line += " \(width)x\(height)" }
            parts.append(line)
        }
        return "stats: " + parts.joined(separator: " · ")
    }
}
