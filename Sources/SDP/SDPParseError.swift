/// Why a text is not a usable session description. Only structure is fatal;
/// unknown lines and attributes are kept and ignored.
public enum SDPParseError: Error, Equatable, CustomStringConvertible {
    case empty
    case missingVersion
    case malformedLine(number: Int, text: String)
    case malformedMediaLine(number: Int, text: String)

    public var description: String {
        switch self {
        case .empty: return "empty session description"
        case .missingVersion: return "a session description must start with v=0"
        case .malformedLine(let n, let text): return "line \(n) is not <type>=<value>: '\(text.prefix(80))'"
        case .malformedMediaLine(let n, let text): return "line \(n) is not a valid m= line: '\(text.prefix(80))'"
        }
    }
}
