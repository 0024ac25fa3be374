import Media
import PeerConnection
import RTP

/// A call's media over one peer connection: video (`VideoCall`) and audio
/// (`AudioSender`, `AudioReceiver`), with the connection's decrypted packets
/// routed to them: RTP by payload type (BUNDLE, INTEROP.md 12; audio's tapped
/// straight from the connection), RTCP to video.
public actor CallMediaSession {
    public struct Options: Sendable {
        public var video: VideoCall.Options
        public var audioInput: String
        public var audioOutput: String

        public init(video: VideoCall.Options = VideoCall.Options(), audioInput: String = "default", audioOutput: String = "default") {
            self.video = video
            self.audioInput = audioInput
            self.audioOutput = audioOutput
        }
    }

    public nonisolated let video: VideoCall?
    private let audioSender: AudioSender?
    private let audioReceiver: AudioReceiver?
    private let audio: AudioNegotiation?
    private var router: Task<Void, Never>?
    private var audioReports: Task<Void, Never>?
    private let connection: PeerConnection

    /// `notices`: sentences for the user (no sound device, say), from any thread.
    public init(connection: PeerConnection, video videoNegotiation: VideoNegotiation?, audio audioNegotiation: AudioNegotiation?,
                remoteFrames: LatestFrame, localFrames: LatestFrame, options: Options,
                notices: @escaping @Sendable (String) -> Void) throws {
        self.connection = connection
        video = try videoNegotiation.map {
            try VideoCall(connection: connection, negotiation: $0, remoteFrames: remoteFrames, localFrames: localFrames,
                          options: options.video, notices: notices)
        }
        audio = audioNegotiation
        audioSender = audioNegotiation.flatMap { negotiation in
            negotiation.sends ? AudioSender(connection: connection, negotiation: negotiation, device: options.audioInput,
                                            notices: notices) : nil
        }
        audioReceiver = audioNegotiation.flatMap { negotiation in
            negotiation.receives ? AudioReceiver(negotiation: negotiation, device: options.audioOutput, notices: notices) : nil
        }
    }

    public func start(reading media: AsyncStream<PeerConnection.MediaPacket>) async {
        await video?.start()
        var random = SystemRandomNumberGenerator()
        audioSender?.start(seed: random.next())
        audioReceiver?.start()
        if let audioSender {
            // RFC 3550 §6.2: about one report a second at these rates (video sends its own).
            audioReports = Task { [connection] in
                while (try? await Task.sleep(for: VideoCall.reportInterval)) != nil {
                    if let report = audioSender.report() { connection.sendRTCP(report) }
                }
            }
        }
        if let audioReceiver, let audio {
            connection.tapRTP(payloadType: audio.payloadType) { audioReceiver.receive($0) }
        }
        let video = video
        router = Task {
            for await packet in media {
                switch packet {
                case .rtp(let bytes):
                    await video?.receive(rtp: bytes)
                case .rtcp(let bytes):
                    // A compound packet that does not parse is dropped whole (RFC 3550 §6.1).
                    guard let packets = RTCPPacket.parseCompound(bytes) else { continue }
                    await video?.receive(rtcp: packets)
                }
            }
        }
    }

    public func stop() async {
        connection.untapRTP()
        router?.cancel()
        audioReports?.cancel()
        await video?.stop()
        audioSender?.stop()
        audioReceiver?.stop()
    }

    /// `m` / `mute on|off`: false when we send no audio in this call.
    public func setMuted(_ on: Bool) -> Bool {
        guard let audioSender else { return false }
        audioSender.setMuted(on)
        return true
    }

    public struct AudioStats: Sendable, Equatable {
        public var muted: Bool
        public var packetsSent: Int
        public var received: AudioReceiveCounters
        /// The peer's latest level in -dBov (0 loudest, 127 silent) and whether it is speaking.
        public var remoteLevel: UInt8?
        public var remoteSpeaking: Bool
        /// CLOCK_MONOTONIC of the first sample captured and the first played, and the
        /// pacing restarts since (see AudioInput.clockOrigin): how a benchmark maps
        /// sample positions in file-plugin streams to time.
        public var captureStartedAt: Duration?
        public var playbackStartedAt: Duration?
        public var clockResyncs: Int
    }

    public func audioStats() -> AudioStats? {
        guard audio != nil else { return nil }
        let level = audioReceiver?.remoteLevel
        let capture = audioSender?.captureClock, playback = audioReceiver?.playbackClock
        return AudioStats(muted: audioSender?.isMuted ?? true, packetsSent: audioSender?.sent ?? 0,
                          received: audioReceiver?.counters ?? AudioReceiveCounters(),
                          remoteLevel: level?.level, remoteSpeaking: level.map(AudioLevelMeter.speaking) ?? false,
                          captureStartedAt: capture?.start, playbackStartedAt: playback?.start,
                          clockResyncs: (capture?.resyncs ?? 0) + (playback?.resyncs ?? 0))
    }
}
