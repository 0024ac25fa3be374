import DTLS
import SRTP
import Testing

/// Chromium 124+ sends a ClientHello of about 1.4 KB in several fragments
/// (INTEROP.md 3). Our ClientHello is small, so we cut it up ourselves
/// (RFC 6347 §4.2.3: each fragment repeats the handshake header with its
/// fragment_offset and fragment_length) and deliver the pieces out of order.
@Suite struct FragmentedClientHelloTests {
    /// Splits one handshake record into `pieces` records, each in its own datagram,
    /// using record sequence numbers `firstSequence...`.
    static func fragment(_ record: [UInt8], pieces: Int, firstSequence: UInt64) -> [[UInt8]] {
        precondition(record[0] == 22 && record.count >= 25)
        let handshake = Array(record[13...])
        let header = Array(handshake[0..<12])  // msg_type, length(3), message_seq(2), fragment_offset(3), fragment_length(3)
        let body = Array(handshake[12...])
        let size = (body.count + pieces - 1) / pieces
        var result: [[UInt8]] = []
        for (index, start) in stride(from: 0, to: body.count, by: size).enumerated() {
            let piece = Array(body[start..<min(start + size, body.count)])
            var fragmentHeader = Array(header[0..<6])
            fragmentHeader += [UInt8(start >> 16 & 0xFF), UInt8(start >> 8 & 0xFF), UInt8(start & 0xFF)]
            fragmentHeader += [UInt8(piece.count >> 16 & 0xFF), UInt8(piece.count >> 8 & 0xFF), UInt8(piece.count & 0xFF)]
            let payload = fragmentHeader + piece
            let sequence = firstSequence + UInt64(index)
            var out: [UInt8] = [22, record[1], record[2], record[3], record[4]]
            out += (0..<6).map { UInt8(sequence >> (8 * (5 - $0)) & 0xFF) }
            out += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
            result.append(out)
        }
        return result
    }

    /// Adds `offset` to the record sequence number of every epoch-0 record (not
    /// authenticated, and not part of the handshake transcript), so the client's later
    /// records stay ahead of the numbers our fragments used.
    static func shiftEpochZeroSequences(_ datagram: [UInt8], by offset: UInt64) -> [UInt8] {
        var out = datagram
        var position = 0
        while position + 13 <= out.count {
            let length = Int(out[position + 11]) << 8 | Int(out[position + 12])
            if out[position + 3] == 0 && out[position + 4] == 0 {
                var sequence: UInt64 = 0
                for byte in out[(position + 5)..<(position + 11)] { sequence = sequence << 8 | UInt64(byte) }
                sequence += offset
                for index in 0..<6 { out[position + 5 + index] = UInt8(sequence >> (8 * (5 - UInt64(index))) & 0xFF) }
            }
            position += 13 + length
        }
        return out
    }

    @Test(arguments: [2, 3, 7])
    func serverReassemblesAFragmentedClientHelloDeliveredOutOfOrder(pieces: Int) throws {
        let (link, _, _) = try SimulatedLink.make()
        link.rewrite = { direction, index, datagram in
            guard direction == .clientToServer else { return [datagram] }
            if index == 0 {
                // The ClientHello (record sequence 0): pieces with sequences 0..<pieces, last piece first.
                return Array(Self.fragment(datagram, pieces: pieces, firstSequence: 0).reversed())
            }
            return [Self.shiftEpochZeroSequences(datagram, by: UInt64(pieces))]
        }
        link.start()
        #expect(link.run { link.bothConnected })
        #expect(SimulatedLink.keys(link.clientEvents) == SimulatedLink.keys(link.serverEvents)?.mirrored)
        #expect(link.now == .zero)  // no retransmission was needed
    }
}
