import Foundation

/// Finds the `assets/web` folder of the repository a program runs from.
enum AssetsDirectoryLocator {
    static let relativePath = "assets/web"

    static func locate(currentDirectory: String, executablePath: String) -> String? {
        var candidates = [URL(fileURLWithPath: currentDirectory)]
        // Walk up from the executable: `<repo>/.build/debug/call` finds `<repo>/assets/web`.
        var folder = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" && !folder.path.isEmpty {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        for base in candidates {
            let assets = base.appendingPathComponent(relativePath)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: assets.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return assets.standardizedFileURL.path
            }
        }
        return nil
    }
}
