import Foundation

/// The folder that holds proxied MLflow artifacts, and the only place artifact paths may lead.
///
/// A path is taken apart into components, each percent-decoded once; empty components (an absolute path or
/// `//`), `.`, `..`, and components that decode to a slash, a backslash or NUL are refused, and so is any
/// path that passes through a symbolic link. What is left can only name something inside the root.
struct ArtifactRoot: Sendable {
    let path: String

    init(path: String) {
        self.path = URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The file system path for an artifact path such as `1/0a1b…/artifacts/model/MLmodel`; "" is the root.
    func resolve(_ artifactPath: String, alreadyDecoded: Bool = false) throws(MLflowError) -> String {
        guard !artifactPath.isEmpty else { return path }
        var resolved = path
        for raw in artifactPath.split(separator: "/", omittingEmptySubsequences: false) {
            guard let component = alreadyDecoded ? String(raw) : String(raw).removingPercentEncoding else {
                throw Self.refused(artifactPath, "it is not valid percent-encoding")
            }
            if component.isEmpty { throw Self.refused(artifactPath, "absolute paths and empty components are not allowed") }
            if component == "." || component == ".." { throw Self.refused(artifactPath, "'.' and '..' are not allowed") }
            if component.contains("/") || component.contains("\\") || component.contains("\0") {
                throw Self.refused(artifactPath, "a component may not contain an encoded slash, backslash or NUL")
            }
            resolved += "/" + component
            if Self.isSymbolicLink(resolved) { throw Self.refused(artifactPath, "it passes through a symbolic link") }
        }
        return resolved
    }

    private static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    private static func refused(_ path: String, _ reason: String) -> MLflowError {
        .invalidParameter("Invalid artifact path '\(path)': \(reason).")
    }
}
