/// One `<type>=<value>` line of a session description (RFC 8866 §5).
///
/// Descriptions are kept as their lines, in order, so that anything we do not
/// model (a new attribute, a vendor extension) survives a parse and a
/// serialisation untouched; the typed accessors read from these lines.
public struct SDPLine: Sendable, Hashable {
    public var type: Character
    public var value: String

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }

    /// An attribute line `a=name` or `a=name:value`.
    public static func attribute(_ name: String, _ value: String? = nil) -> SDPLine {
        SDPLine(type: "a", value: value.map { "\(name):\($0)" } ?? name)
    }

    /// For `a=` lines: the attribute name and its value (nil for a flag like `a=rtcp-mux`).
    public var attribute: (name: Substring, value: Substring?)? {
        guard type == "a" else { return nil }
        guard let colon = value.firstIndex(of: ":") else { return (value[...], nil) }
        return (value[..<colon], value[value.index(after: colon)...])
    }

    public var text: String { "\(type)=\(value)" }
}

extension Array where Element == SDPLine {
    /// Values of every `a=name:value` line with this name, in order.
    public func attributeValues(_ name: String) -> [Substring] {
        compactMap { line in
            guard let attribute = line.attribute, attribute.name == name else { return nil }
            return attribute.value ?? ""
        }
    }

    func hasAttribute(_ name: String) -> Bool {
        contains { $0.attribute?.name == name[...] }
    }

    func firstAttribute(_ name: String) -> Substring? {
        attributeValues(name).first
    }
}
