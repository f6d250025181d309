import AsyncHTTPClient
import Foundation
import LoupeConfig
import LoupeCore
import NIOCore
import NIOHTTP1
import Testing

/// MLflow's proxied artifacts through a live Loupe: files in and out, and paths that must not escape.
@Suite struct MLflowArtifactsControllerTests {
    static let prefix = "/api/2.0/mlflow-artifacts/artifacts"

    func withArtifacts(_ body: @escaping @Sendable (LoupeHarness, String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-artifacts-\(UUID().uuidString)").path
        try await withLoupe(configure: { configuration, _ in configuration.store.artifactsPath = root }) { loupe in try await body(loupe, root) }
    }

    func put(_ loupe: LoupeHarness, _ path: String, _ bytes: [UInt8]) async throws -> Int {
        var request = HTTPClientRequest(url: loupe.baseURL + Self.prefix + "/" + path)
        request.method = .PUT
        request.body = .bytes(ByteBuffer(bytes: bytes))
        return Int(try await loupe.http.execute(request, timeout: .seconds(30)).status.code)
    }

    func get(_ loupe: LoupeHarness, _ path: String) async throws -> (Int, [UInt8]) {
        let response = try await loupe.http.execute(HTTPClientRequest(url: loupe.baseURL + Self.prefix + "/" + path), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return (Int(response.status.code), Array(body.readableBytesView))
    }

    @Test func filesGoInAndComeBackAndFoldersList() async throws {
        try await withArtifacts { loupe, root in
            // Bigger than the file reader's 128 KB chunks, so it really streams.
            let big = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            #expect(try await put(loupe, "1/abc/artifacts/model/weights.bin", big) == 200)
            #expect(try await put(loupe, "1/abc/artifacts/model/MLmodel", Array("flavors: {}\n".utf8)) == 200)
            #expect(try await put(loupe, "1/abc/artifacts/notes%20one.txt", Array("hi".utf8)) == 200)
            let (status, bytes) = try await get(loupe, "1/abc/artifacts/model/weights.bin")
            #expect(status == 200 && bytes == big)
            #expect(FileManager.default.fileExists(atPath: root + "/1/abc/artifacts/notes one.txt"))

            let listed = try await loupe.get(Self.prefix + "?path=1/abc/artifacts")
            #expect(listed.json == .object(["files": .array([
                .object(["path": "model", "is_dir": true]),
                .object(["path": "notes one.txt", "is_dir": false, "file_size": 2]),
            ])]))
            #expect(try await loupe.get(Self.prefix + "?path=1/nothing-here").json == .object([:]))

            let deleted = try await loupe.request(Self.prefix + "/1/abc/artifacts/model", method: .DELETE)
            #expect(deleted.status == 200 && !FileManager.default.fileExists(atPath: root + "/1/abc/artifacts/model"))
            let missing = try await get(loupe, "1/abc/artifacts/model/MLmodel")
            #expect(missing.0 == 404)
            let info = try await loupe.get("/api/3.0/mlflow/server-info")
            #expect(info.json?["multipart_upload_enabled"] == .bool(false))
        }
    }

    @Test(arguments: ["../outside.txt", "1/%2e%2e/%2e%2e/outside.txt", "1/a%2F..%2F..%2Foutside.txt", "%2Fetc%2Fpasswd", "1/./x", "1/a%5C..%5Cb"])
    func pathsCannotLeaveTheRoot(path: String) async throws {
        try await withArtifacts { loupe, root in
            let status = try await put(loupe, path, Array("escape".utf8))
            #expect(status == 400 || status == 404)
            let parent = URL(fileURLWithPath: root).deletingLastPathComponent().path
            #expect(!FileManager.default.fileExists(atPath: parent + "/outside.txt"))
            #expect(try await get(loupe, path).0 >= 400)
        }
    }

    @Test func listingRefusesEscapesToo() async throws {
        try await withArtifacts { loupe, _ in
            let escape = try await loupe.get(Self.prefix + "?path=..")
            #expect(escape.status == 400 && escape.json?["error_code"] == "INVALID_PARAMETER_VALUE")
            #expect(try await loupe.get(Self.prefix + "?path=/etc").status == 400)
        }
    }

    @Test func symbolicLinksAreNotFollowed() async throws {
        try await withArtifacts { loupe, root in
            let outside = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-outside-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try "secret".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: root + "/1", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root + "/1/link", withDestinationPath: outside)
            let read = try await get(loupe, "1/link/secret.txt")
            #expect(read.0 == 400 && !read.1.elementsEqual(Array("secret".utf8)))
            #expect(try await put(loupe, "1/link/new.txt", Array("x".utf8)) == 400)
            #expect(!FileManager.default.fileExists(atPath: outside + "/new.txt"))
        }
    }
}
