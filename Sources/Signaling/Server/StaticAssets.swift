import Foundation

/// The web pages served next to the signaling endpoint: `GET /` is
/// `index.html`, `GET /NAME` is `NAME.html` when that file exists.
///
/// Names are restricted to letters, digits, `-` and `_`, so a request can
/// never name a file outside the folder (no `/`, no `..`, no dot files).
struct StaticAssets: Sendable {
    let directory: String?

    /// The file for a request path, or `nil` (answered with 404).
    func file(forPath path: String) -> URL? {
        guard let directory else { return nil }
        let name: Substring
        if path == "/" || path.isEmpty {
            name = "index"
        } else {
            var trimmed = path.dropFirst(path.hasPrefix("/") ? 1 : 0)
            if trimmed.hasSuffix(".html") { trimmed = trimmed.dropLast(5) }
            name = trimmed
        }
        guard Self.isSafeName(name) else { return nil }
        let url = URL(fileURLWithPath: directory).appendingPathComponent(name + ".html")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { return nil }
        return url
    }

    static func isSafeName(_ name: Substring) -> Bool {
        !name.isEmpty && name.count <= 100
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    return true
                default:
                    return false
                }
            }
    }
}
