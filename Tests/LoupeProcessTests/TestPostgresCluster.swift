import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server of the test's own, so a test can stop and start it at will.
struct TestPostgresCluster: Sendable {
    let binaries: String
    let dataDirectory: String
    let port: Int

    /// The folder with `initdb` and `pg_ctl`: beside `LOUPE_TEST_PG_CTL`, else Debian's newest.
    static var binaryFolder: String? {
        if let pgCtl = ProcessInfo.processInfo.environment["LOUPE_TEST_PG_CTL"], !pgCtl.isEmpty {
            return URL(fileURLWithPath: pgCtl).deletingLastPathComponent().path
        }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let newest = versions.compactMap({ Int($0) }).max() else { return nil }
        let folder = "\(root)/\(newest)/bin"
        return FileManager.default.fileExists(atPath: folder + "/initdb") ? folder : nil
    }

    /// True when the tests may run; false means skip with a reason, unless CI requires PostgreSQL.
    static var isAvailable: Bool {
        binaryFolder != nil || ProcessInfo.processInfo.environment["LOUPE_REQUIRE_POSTGRES"] == "1"
    }

    /// `initdb` into a new folder and start the server on a free loopback port.
    static func start() throws -> TestPostgresCluster {
        guard let binaries = binaryFolder else {
            throw ProcessFailure(description: "PostgreSQL server binaries not found; .ci/postgres installs Debian's postgresql package")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cluster = TestPostgresCluster(binaries: binaries, dataDirectory: folder + "/data", port: ChildProcess.freePort())
        try cluster.asOwner("chown", ["-R", "postgres", folder], asRoot: true)
        try cluster.asOwner("\(binaries)/initdb", ["-D", cluster.dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync"])
        try cluster.startServer()
        return cluster
    }

    /// `pg_ctl start`, waiting until it accepts connections.
    func startServer() throws {
        try asOwner("\(binaries)/pg_ctl", [
            "-D", dataDirectory, "-w", "-l", dataDirectory + "/../server.log",
            "-o", "-p \(port) -k \(dataDirectory) -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        ])
    }

    /// `pg_ctl stop -m fast`: connections are cut as in a database restart.
    func stopServer() throws {
        try asOwner("\(binaries)/pg_ctl", ["-D", dataDirectory, "-w", "-m", "fast", "stop"])
    }

    /// Creates a database and returns its URL.
    func createDatabase(_ name: String) throws -> String {
        try asOwner("\(binaries)/createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", name])
        return "postgres://postgres@127.0.0.1:\(port)/\(name)"
    }

    /// Stops the server and removes its files.
    func destroy() {
        try? stopServer()
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: dataDirectory).deletingLastPathComponent().path)
    }

    /// PostgreSQL refuses to run as root, so as root its tools run as the `postgres` user.
    private func asOwner(_ tool: String, _ arguments: [String], asRoot: Bool = false) throws {
        if getuid() != 0 {
            if !asRoot { try ChildProcess.run(tool, arguments) }
            return
        }
        if asRoot {
            try ChildProcess.run("/usr/bin/env", [tool] + arguments)
        } else {
            try ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
        }
    }
}
