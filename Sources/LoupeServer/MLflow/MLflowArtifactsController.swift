import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import LoupeCore
import NIOCore

/// MLflow's proxied artifact API: files stream in and out of `ArtifactRoot`, never whole in memory.
struct MLflowArtifactsController<Context: RequestContext>: Sendable {
    let root: ArtifactRoot
    let fileIO = FileIO()

    static var prefix: String { "/api/2.0/mlflow-artifacts/artifacts" }

    func addRoutes(to router: Router<Context>) {
        router.get("api/2.0/mlflow-artifacts/artifacts") { request, _ in await answer { try await list(request) } }
        router.put("api/2.0/mlflow-artifacts/artifacts/**") { request, context in await answer { try await upload(request, context) } }
        router.get("api/2.0/mlflow-artifacts/artifacts/**") { request, context in await answer { try await download(request, context) } }
        router.delete("api/2.0/mlflow-artifacts/artifacts/**") { request, _ in await answer { try await delete(request) } }
        // The client asks before uploading whether to split large files; Loupe takes them whole, streamed.
        router.get("api/3.0/mlflow/server-info") { _, _ in
            json(.object(["store_type": .string("SqlStore"), "multipart_upload_enabled": .bool(false)]))
        }
    }

    func upload(_ request: Request, _ context: Context) async throws -> Response {
        let target = try root.resolve(try Self.artifactPath(request))
        let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Written beside the target and renamed, so a reader never sees half a file.
        let partial = target + ".partial-\(UUID().uuidString)"
        do {
            try await fileIO.writeFile(contents: request.body, path: partial, context: context)
            // rename(2) replaces an existing file atomically.
            guard rename(partial, target) == 0 else {
                throw MLflowError(status: .internalServerError, code: "INTERNAL_ERROR", message: "Could not store the artifact: \(String(cString: strerror(errno))).")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        return json(.object([:]))
    }

    func download(_ request: Request, _ context: Context) async throws -> Response {
        let path = try Self.artifactPath(request)
        let target = try root.resolve(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw MLflowError.notFound("No artifact at '\(path)'.")
        }
        let body = try await fileIO.loadFile(path: target, context: context)
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }

    func list(_ request: Request) async throws -> Response {
        let path = MLflowRequest.formFields(request.uri.query ?? "")["path"]?.stringValue ?? ""
        let directory = try root.resolve(path, alreadyDecoded: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var files: [JSONValue] = []
        for name in names.sorted() where !name.contains(".partial-") {
            let full = directory + "/" + name
            let attributes = try? FileManager.default.attributesOfItem(atPath: full)
            let isDirectory = attributes?[.type] as? FileAttributeType == .typeDirectory
            var file: [String: JSONValue] = ["path": .string(name), "is_dir": .bool(isDirectory)]
            if !isDirectory, let size = attributes?[.size] as? NSNumber { file["file_size"] = .number(size.doubleValue) }
            files.append(.object(file))
        }
        return json(files.isEmpty ? .object([:]) : .object(["files": .array(files)]))
    }

    func delete(_ request: Request) async throws -> Response {
        let path = try Self.artifactPath(request)
        let target = try root.resolve(path)
        guard FileManager.default.fileExists(atPath: target) else { throw MLflowError.notFound("No artifact at '\(path)'.") }
        try FileManager.default.removeItem(atPath: target)
        return json(.object([:]))
    }

    /// The percent-encoded artifact path after the route's prefix.
    static func artifactPath(_ request: Request) throws(MLflowError) -> String {
        let full = request.uri.path
        guard full.hasPrefix(prefix + "/") else { throw .invalidParameter("An artifact path is required.") }
        return String(full.dropFirst(prefix.count + 1))
    }

    private func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            if let mlflow = MLflowError(error) { return mlflow.response }
            return MLflowError(status: .internalServerError, code: "INTERNAL_ERROR", message: "The artifact store failed: \(error)").response
        }
    }
}

/// A JSON answer.
func json(_ value: JSONValue) -> Response {
    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: value.jsonText)))
}
