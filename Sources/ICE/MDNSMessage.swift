/// One-shot multicast DNS queries for the `<uuid>.local` names browsers put in
/// host candidates (RFC 6762 §5.1, INTEROP.md 1), and reading the A/AAAA
/// answers. Pure bytes in and out; the driver owns the socket.
public enum MDNSMessage {
    public static let group = TransportAddress(address: [224, 0, 0, 251], port: 5353)

    /// A query for the A and AAAA records of `name` (`x.local`), with the
    /// unicast-response bit set so the answer comes straight back (RFC 6762 §5.4).
    public static func query(for name: String, id: UInt16) -> [UInt8]? {
        guard let encoded = encodeName(name) else { return nil }
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]
        for type: UInt16 in [1, 28] {  // A, AAAA
            out += encoded
            out += [UInt8(type >> 8), UInt8(type & 0xFF), 0x80, 0x01]  // QU bit + class IN
        }
        return out
    }

    /// The addresses a response gives for `name`, from any section (answers often
    /// come in the additional section). Malformed responses give none.
    public static func addresses(in bytes: [UInt8], for name: String) -> [[UInt8]] {
        guard bytes.count >= 12 else { return [] }
        let wanted = name.lowercased().trimmingSuffix(".")
        let questions = Int(bytes[4]) << 8 | Int(bytes[5])
        let records = (Int(bytes[6]) << 8 | Int(bytes[7])) + (Int(bytes[8]) << 8 | Int(bytes[9])) + (Int(bytes[10]) << 8 | Int(bytes[11]))
        var offset = 12
        for _ in 0..<questions {
            guard let (_, next) = readName(bytes, at: offset), next + 4 <= bytes.count else { return [] }
            offset = next + 4
        }
        var found: [[UInt8]] = []
        for _ in 0..<records {
            guard let (owner, next) = readName(bytes, at: offset), next + 10 <= bytes.count else { break }
            let type = Int(bytes[next]) << 8 | Int(bytes[next + 1])
            let length = Int(bytes[next + 8]) << 8 | Int(bytes[next + 9])
            let dataStart = next + 10
            guard dataStart + length <= bytes.count else { break }
            if owner.lowercased() == wanted && ((type == 1 && length == 4) || (type == 28 && length == 16)) {
                found.append(Array(bytes[dataStart..<(dataStart + length)]))
            }
            offset = dataStart + length
        }
        return found
    }

    static func encodeName(_ name: String) -> [UInt8]? {
        var out: [UInt8] = []
        for label in name.trimmingSuffix(".").split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count < 64 else { return nil }
            out.append(UInt8(bytes.count))
            out += bytes
        }
        out.append(0)
        return out.count <= 255 ? out : nil
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4); returns it and the offset after it.
    static func readName(_ bytes: [UInt8], at start: Int) -> (String, Int)? {
        var labels: [String] = []
        var offset = start
        var end: Int?
        var jumps = 0
        while offset < bytes.count {
            let length = Int(bytes[offset])
            if length == 0 {
                return (labels.joined(separator: "."), end ?? offset + 1)
            }
            if length & 0xC0 == 0xC0 {
                guard offset + 1 < bytes.count, jumps < 16 else { return nil }
                if end == nil { end = offset + 2 }
                offset = (length & 0x3F) << 8 | Int(bytes[offset + 1])
                jumps += 1
                continue
            }
            guard length < 64, offset + 1 + length <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[(offset + 1)...(offset + length)], as: UTF8.self))
            offset += 1 + length
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : String(self)
    }
}
