/// WebRTC data channels (RFC 8831) with DCEP (RFC 8832) over one SCTP association, sans-IO.
/// It forwards the association's driver calls (handle, handleTimeout, pollTransmit,
/// pollTimeout, connect, shutdown) and turns SCTP events into channel events.
public final class DataChannelEndpoint {
    public let association: SCTPAssociation
    public let isDTLSClient: Bool
    public private(set) var channels: [UInt16: DataChannelInfo] = [:]

    private struct PendingSend {
        var stream: UInt16
        var payload: [UInt8]
        var ppid: UInt32
        var ordered: Bool
        var reliability: SCTPReliability
    }

    /// Sends accepted before the association was established, in order.
    private var pending: [PendingSend] = []
    private var thresholds: [UInt16: Int] = [:]
    private var aboveThreshold: Set<UInt16> = []
    private var events: [DataChannelEvent] = []
    private var eventHead = 0
    private var lastNow: Duration = .zero

    /// Stream id parity (RFC 8832 §6): the DTLS client uses even ids, the server odd ones.
    public init(association: SCTPAssociation, isDTLSClient: Bool) {
        self.association = association
        self.isDTLSClient = isDTLSClient
    }

    // MARK: Driver calls

    public func connect(now: Duration) {
        association.connect(now: now)
        pump(now: now)
    }

    public func handle(packet: [UInt8], now: Duration) {
        association.handle(packet: packet, now: now)
        pump(now: now)
    }

    public func handleTimeout(now: Duration) {
        association.handleTimeout(now: now)
        pump(now: now)
    }

    public func pollTransmit() -> [UInt8]? {
        let packet = association.pollTransmit()
        pump(now: lastNow)
        return packet
    }

    public func pollTimeout() -> Duration? { association.pollTimeout() }

    public func shutdown(now: Duration) {
        association.shutdown(now: now)
        pump(now: now)
    }

    public func pollEvent() -> DataChannelEvent? {
        pump(now: lastNow)
        guard eventHead < events.count else {
            if !events.isEmpty { events.removeAll(); eventHead = 0 }
            return nil
        }
        defer { eventHead += 1 }
        return events[eventHead]
    }

    // MARK: Channels

    /// Opens a channel and returns its stream id. Non-negotiated channels send
    /// DATA_CHANNEL_OPEN (reliable and ordered, RFC 8832 §6) and open on DATA_CHANNEL_ACK;
    /// negotiated ones are open at once. Works before the association is established.
    public func open(_ options: DataChannelOptions, now: Duration) throws -> UInt16 {
        lastNow = max(lastNow, now)
        guard !associationEnded else { throw DataChannelError.associationClosed }
        let id: UInt16
        if let wanted = options.negotiatedID {
            guard wanted < streamLimit else { throw DataChannelError.invalidStream(wanted) }
            if let existing = channels[wanted], existing.state != .closed { throw DataChannelError.streamInUse(wanted) }
            id = wanted
        } else {
            id = try freeStreamID()
        }
        let negotiated = options.negotiatedID != nil
        channels[id] = DataChannelInfo(
            label: options.label, protocol: options.protocol, ordered: options.ordered,
            reliability: options.reliability, negotiated: negotiated, priority: 256,
            state: negotiated ? .open : .connecting)
        if negotiated {
            if association.state == .established {
                events.append(.channelOpened(id: id, label: options.label, protocol: options.protocol))
            }
        } else {
            let open = DCEPMessage.open(DCEPOpen(options: options)).serialize()
            submit(PendingSend(stream: id, payload: open, ppid: DataChannelPPID.dcep, ordered: true, reliability: .reliable))
        }
        return id
    }

    /// Set once the association reported `.closed`.
    private var associationEnded = false

    private var streamLimit: UInt16 {
        association.state == .established
            ? association.negotiatedOutboundStreams : association.configuration.outboundStreams
    }

    private func freeStreamID() throws -> UInt16 {
        var candidate: UInt16 = isDTLSClient ? 0 : 1
        while candidate < streamLimit {
            if channels[candidate].map({ $0.state == .closed }) ?? true { return candidate }
            candidate += 2
        }
        throw DataChannelError.noFreeStream
    }

    /// Text goes as PPID 51, binary as 53; empty messages as one zero byte with PPID 56 / 57
    /// (RFC 8831 §6.6). Messages over the peer's max-message-size are refused.
    public func send(_ message: DataChannelMessage, on channel: UInt16, now: Duration) throws {
        lastNow = max(lastNow, now)
        guard let info = channels[channel] else { throw DataChannelError.unknownChannel(channel) }
        guard info.state == .open || info.state == .connecting else { throw DataChannelError.channelNotOpen(channel) }
        var payload: [UInt8]
        var ppid: UInt32
        switch message {
        case .text(let text):
            payload = Array(text.utf8)
            ppid = DataChannelPPID.string
            if payload.isEmpty { payload = [0]; ppid = DataChannelPPID.emptyString }
        case .binary(let bytes):
            payload = bytes
            ppid = DataChannelPPID.binary
            if payload.isEmpty { payload = [0]; ppid = DataChannelPPID.emptyBinary }
        }
        let limit = association.configuration.remoteMaxMessageSize
        guard payload.count <= limit else { throw DataChannelError.messageTooLarge(limit: limit) }
        // RFC 8832 §6: until DATA_CHANNEL_ACK arrives, messages go ordered (behind the OPEN).
        let ordered = info.ordered || info.state == .connecting
        submit(PendingSend(stream: channel, payload: payload, ppid: ppid, ordered: ordered, reliability: info.reliability))
        if bufferedAmount(channel) > (thresholds[channel] ?? 0) { aboveThreshold.insert(channel) }
    }

    /// Closes by resetting our outgoing stream (RFC 8831 §6.7); the channel is closed when the
    /// peer resets its side back.
    public func close(_ channel: UInt16, now: Duration) {
        lastNow = max(lastNow, now)
        guard var info = channels[channel], info.state == .open || info.state == .connecting else { return }
        if association.state == .established {
            info.state = .closing
            channels[channel] = info
            association.resetStreams([channel], now: now)
        } else {
            info.state = .closed
            channels[channel] = info
            pending.removeAll { $0.stream == channel }
            events.append(.channelClosed(id: channel))
        }
        pump(now: now)
    }

    public func bufferedAmount(_ channel: UInt16) -> Int {
        association.bufferedAmount(stream: channel)
            + pending.reduce(0) { $0 + ($1.stream == channel ? $1.payload.count : 0) }
    }

    /// `bufferedAmountLow` fires when the buffered amount falls to `bytes` or below.
    public func setBufferedAmountLowThreshold(_ bytes: Int, on channel: UInt16) {
        thresholds[channel] = max(0, bytes)
        if bufferedAmount(channel) > bytes { aboveThreshold.insert(channel) } else { aboveThreshold.remove(channel) }
    }

    // MARK: Internals

    private func submit(_ item: PendingSend) {
        guard association.state == .established, pending.isEmpty else {
            pending.append(item)
            return
        }
        transmit(item)
    }

    private func transmit(_ item: PendingSend) {
        do {
            try association.send(
                item.payload, stream: item.stream, ppid: item.ppid, ordered: item.ordered,
                reliability: item.reliability, now: lastNow)
        } catch {
            // Not established any more or an invalid stream: the message is dropped.
        }
    }

    private func flushPending() {
        let items = pending
        pending.removeAll()
        for item in items { transmit(item) }
    }

    private func pump(now: Duration) {
        lastNow = max(lastNow, now)
        while let event = association.pollEvent() {
            switch event {
            case .established:
                events.append(.associationEstablished)
                for id in channels.keys.sorted() {
                    if let info = channels[id], info.negotiated, info.state == .open {
                        events.append(.channelOpened(id: id, label: info.label, protocol: info.protocol))
                    }
                }
                flushPending()
            case .message(let stream, let ppid, let payload):
                receive(stream: stream, ppid: ppid, payload: payload)
            case .streamsReset(let streams):
                let affected = streams.isEmpty ? channels.keys.sorted() : streams
                for id in affected { peerReset(id) }
            case .bufferedAmountDecreased(let stream):
                if aboveThreshold.contains(stream), bufferedAmount(stream) <= (thresholds[stream] ?? 0) {
                    aboveThreshold.remove(stream)
                    events.append(.bufferedAmountLow(id: stream))
                }
            case .closed(let reason):
                for id in channels.keys.sorted() where channels[id]?.state != .closed {
                    channels[id]?.state = .closed
                    events.append(.channelClosed(id: id))
                }
                pending.removeAll()
                associationEnded = true
                events.append(.closed(reason: reason))
            }
        }
    }

    /// The peer reset its outgoing stream `id`: if we asked first this completes our close,
    /// otherwise we reset ours too (RFC 8831 §6.7). Either way the channel is closed.
    private func peerReset(_ id: UInt16) {
        guard let info = channels[id], info.state != .closed else { return }
        if info.state != .closing { association.resetStreams([id], now: lastNow) }
        channels[id]?.state = .closed
        aboveThreshold.remove(id)
        events.append(.channelClosed(id: id))
    }

    private func receive(stream: UInt16, ppid: UInt32, payload: [UInt8]) {
        if ppid == DataChannelPPID.dcep {
            guard let message = try? DCEPMessage.parse(payload) else { return }
            switch message {
            case .open(let open):
                channels[stream] = DataChannelInfo(
                    label: open.label, protocol: open.protocol, ordered: open.ordered,
                    reliability: open.reliability, negotiated: false, priority: open.priority, state: .open)
                // RFC 8832 §6: answer with DATA_CHANNEL_ACK on the same stream, reliable and ordered.
                transmit(PendingSend(
                    stream: stream, payload: DCEPMessage.ack.serialize(), ppid: DataChannelPPID.dcep,
                    ordered: true, reliability: .reliable))
                events.append(.channelOpened(id: stream, label: open.label, protocol: open.protocol))
            case .ack:
                markOpen(stream)
            }
            return
        }
        guard let info = channels[stream], info.state != .closed else { return }
        // RFC 8832 §6: a user message before DATA_CHANNEL_ACK implies the peer got our OPEN.
        if info.state == .connecting { markOpen(stream) }
        let message: DataChannelMessage
        switch ppid {
        case DataChannelPPID.string, DataChannelPPID.stringPartial:
            message = .text(String(decoding: payload, as: UTF8.self))
        case DataChannelPPID.binary, DataChannelPPID.binaryPartial:
            message = .binary(payload)
        case DataChannelPPID.emptyString:
            message = .text("")
        case DataChannelPPID.emptyBinary:
            message = .binary([])
        default:
            return
        }
        events.append(.message(id: stream, message))
    }

    private func markOpen(_ id: UInt16) {
        guard let info = channels[id], info.state == .connecting else { return }
        channels[id]?.state = .open
        events.append(.channelOpened(id: id, label: info.label, protocol: info.protocol))
    }
}
