import Foundation

/// One servable file and the `Content-Type` it goes out with.
struct StaticAsset: Sendable, Equatable {
    let url: URL
    let contentType: String
}

/// The web pages served next to the signaling endpoint: `GET /` is
/// `index.html`, `GET /NAME` is `NAME.html` when that file exists, and
/// `GET /NAME.EXT` is that file when `EXT` is one of the known types
/// (`html`, `js`, `css`): the call page loads its script modules and style
/// sheet this way.
///
/// Names are restricted to letters, digits, `-` and `_`, so a request can
/// never name a file outside the folder (no `/`, no `..`, no dot files).
/// Only the listed extensions are served, each with its own content type:
/// browsers refuse to run a module script sent as anything but JavaScript.
struct StaticAssets: Sendable {
    let directory: String?

    /// Extension → content type of every kind of file served.
    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8",
    ]

    /// The file for a request path, or `nil` (answered with 404).
    func file(forPath path: String) -> URL? { asset(forPath: path)?.url }

    /// The file and its content type for a request path, or `nil` (answered with 404).
    func asset(forPath path: String) -> StaticAsset? {
        guard let directory else { return nil }
        let trimmed = path.dropFirst(path.hasPrefix("/") ? 1 : 0)
        let name: Substring
        let fileExtension: String
        if trimmed.isEmpty {
            (name, fileExtension) = ("index", "html")
        } else if let dot = trimmed.lastIndex(of: ".") {
            (name, fileExtension) = (trimmed[..<dot], String(trimmed[trimmed.index(after: dot)...]))
        } else {
            (name, fileExtension) = (trimmed, "html")
        }
        guard Self.isSafeName(name), let contentType = Self.contentTypes[fileExtension] else { return nil }
        let url = URL(fileURLWithPath: directory).appendingPathComponent(name + "." + fileExtension)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { return nil }
        return StaticAsset(url: url, contentType: contentType)
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
