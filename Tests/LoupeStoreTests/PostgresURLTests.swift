import Logging
import LoupePostgres
import PostgresNIO
import Testing

/// Reading `postgres://` URLs; no server needed.
@Suite struct PostgresURLTests {
    @Test func readsEveryPart() throws {
        let configuration = try PostgresClient.Configuration(url: "postgres://loupe:p%40ss%2Fword@db.example.com:6543/traces?sslmode=require")
        #expect(configuration.host == "db.example.com")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "loupe")
        #expect(configuration.password == "p@ss/word")
        #expect(configuration.database == "traces")
    }

    @Test func appliesDefaults() throws {
        let configuration = try PostgresClient.Configuration(url: "postgresql://loupe@[::1]/")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5432)
        #expect(configuration.password == nil)
        #expect(configuration.database == nil)
        _ = try PostgresTraceStore(url: "postgres://loupe@127.0.0.1/loupe?sslmode=disable", logger: Logger(label: "test"))
    }

    @Test(arguments: [
        ("mysql://loupe:s3cret-pw@host/db", "scheme"),
        ("postgres://loupe:s3cret-pw@:5432/db", "no host"),
        ("postgres://:s3cret-pw@host/db", "no user"),
        ("postgres://loupe:s3cret-pw@host:abc/db", "not a valid URL"),
        ("postgres://loupe:s3cret-pw@host:70000/db", "out of range"),
        ("postgres://loupe:s3cret-pw@host/db/extra", "contains '/'"),
        ("postgres://loupe:s3cret-pw@host/db?sslmode=verify-full", "sslmode 'verify-full'"),
        ("postgres://loupe:s3cret-pw@host/db?pool=5", "'pool' is not supported"),
    ])
    func rejectsWithAReasonAndWithoutThePassword(url: String, reason: String) throws {
        let error = try #require(throws: PostgresURLError.self) { try PostgresTraceStore(url: url, logger: Logger(label: "test")) }
        #expect(error.description.contains(reason))
        #expect(error.description.contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE"))
        #expect(!error.description.contains("s3cret-pw"))
    }
}
